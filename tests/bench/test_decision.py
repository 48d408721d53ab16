"""The answer-decision bench: its AUC, and its decision table on cases where the fused floor matters."""

import math

from assistant.retrieve.types import RetrievedChunk
from bench import decision
from index.sentences import split_sentences


def test_auc_counts_pairs_and_ties():
    assert decision.auc([0.9, 0.8, 0.2], [True, True, False]) == 1.0
    assert decision.auc([0.1, 0.9], [True, False]) == 0.0
    assert decision.auc([0.5, 0.5], [True, False]) == 0.5
    assert math.isnan(decision.auc([0.5], [True]))


def _case(answerable: bool, fused: float) -> decision.Case:
    text = "Жұмыскердің сынақ мерзімі үш айдан аспауға тиіс және еңбек өтіліне қосылады."
    chunk = RetrievedChunk("c", text, "a.txt", "a", None, None, "kk", fused, split_sentences(text),
                           sentence_scores=[0.95], fused=True)
    return decision.Case("legal", "kk", answerable, "Жұмыскердің сынақ мерзімі неше ай?", "kk", [chunk])


def test_the_decision_table_shows_what_the_floor_changes():
    cases = [_case(True, 1.45), _case(False, 1.30)]
    rows = {r["decision"]: r["legal"] for r in decision.decision_rows(cases)}
    assert rows["no fused floor"] == "0.000 / 0.000"  # the weak match is answered without the floor
    assert rows["fused floor 1.32"] == "0.000 / 1.000"
    assert rows["fused floor 1.28"] == "0.000 / 0.000"
