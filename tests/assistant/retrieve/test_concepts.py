"""Concept matching across languages: coverage and adjacency (a cross-lingual phrase match)."""

from pathlib import Path as _Path

from index.sentences import split_sentences
from index.text.concepts import adjacency, coverage, mention_set, question_concepts, token_positions
from index.text.expand import expand_query
from index.text.expand import load_lexicon as _load_lexicon
from index.text.normalize import tokenize

# the article's domain vocabulary: these tests are about mechanisms that work on a lexicon's concepts
DOMAIN = _load_lexicon((_Path(__file__).resolve().parents[3] / "lexicons" / "central-asia.tsv",))


def _concepts(question: str, language: str):
    return question_concepts(expand_query(question, language, DOMAIN))


def _positions(text: str, language: str = "kk"):
    return token_positions([tokenize(text[a:b], language) for a, b in split_sentences(text)])


def test_coverage_counts_concepts_in_any_language():
    concepts = _concepts("What is the goal of the study?", "en")
    assert coverage(concepts, mention_set(tokenize("Бұл зерттеудің мақсаты анықтау.", "kk"))) == 1.0
    assert coverage(concepts, mention_set(tokenize("Зерттеу әдістері сипатталды.", "kk"))) == 0.5


def test_adjacent_concepts_are_a_phrase_match_across_languages():
    concepts = _concepts("What is the goal of the study?", "en")
    assert adjacency(concepts, _positions("Бұл зерттеудің мақсаты саяси басымдықтарды анықтау.")) == 1.0
    # both concepts present, but apart: no phrase
    far = "Бұл зерттеу Орталық Азия республикаларының сыртқы саяси басымдықтарын талдау мақсатында жүргізілді."
    assert adjacency(concepts, _positions(far)) == 0.0
    assert coverage(concepts, mention_set(tokenize(far, "kk"))) == 1.0


def test_each_pair_weighs_as_much_as_its_commoner_concept():
    concepts = _concepts("Goal of the study in Kazakhstan", "en")
    assert len(concepts) == 3
    text = _positions("Зерттеудің мақсаты туралы. Қазақстан жайлы бөлек сөйлем.")
    assert adjacency(concepts, text) == 1 / 3
    # the only adjacent pair (goal, study) weighs little when "goal" is common: 0.1 of 0.1 + 0.1 + 1.0
    assert adjacency(concepts, text, [0.1, 1.0, 1.0]) == 0.1 / 1.2


def test_adjacency_needs_two_concepts_and_matches_long_stems_less_their_last_letter():
    assert adjacency(_concepts("study", "en"), _positions("зерттеу")) == 0.0
    positions = token_positions([["кәсіпорн", "ашылды"], ["жаңа"]])
    assert positions["кәсіпор"] == [0]
    assert positions["жаңа"] == [3]  # a gap after each sentence


def test_adjacency_does_not_span_sentences():
    concepts = _concepts("What is the goal of the study?", "en")
    assert adjacency(concepts, _positions("Жаңа зерттеу. Мақсаты белгісіз.")) == 0.0


def test_a_multiword_name_must_occur_as_a_phrase():
    (corridor,) = [c for c in _concepts("Орта дәліз туралы не айтылған?", "kk") if c.entity]
    assert corridor.in_positions(_positions("Орта дәліз арқылы жүк тасымалы өсті."))
    scattered = "Орталық Азия еуразиялық дәліздердің тоғысқан жері."
    assert corridor.in_tokens(set(tokenize(scattered, "kk")))  # the looser set test is fooled
    assert not corridor.in_positions(_positions(scattered))
