"""Answer-test fixtures: real corpus chunks, the real e5 embedder, a scripted OpenAI-compatible server."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.retrieve.types import RetrievedChunk
from index.embed import E5Embedding
from index.sentences import split_sentences

ARTICLE = Path(__file__).resolve().parents[3] / "corpus" / "central-asia-china-foreign-policy.kk.txt"


def article_passage(start: str, end: str) -> str:
    """The article's text from `start` up to and including `end`, whitespace collapsed."""
    text = ARTICLE.read_text(encoding="utf-8")
    i = text.index(start)
    return " ".join(text[i : text.index(end, i) + len(end)].split())


def make_chunk(chunk_id: str, text: str, score: float = 0.5, page: int | None = None) -> RetrievedChunk:
    return RetrievedChunk(
        chunk_id=chunk_id,
        text=text,
        source="central-asia-china-foreign-policy.kk.txt",
        title="Орталық Азия республикаларының сыртқы саяси басымдықтары",
        page=page,
        section=None,
        language="kk",
        score=score,
        sentences=split_sentences(text),
    )


@pytest.fixture(scope="session")
def embedder() -> E5Embedding:
    return E5Embedding()


# Chunks are session-wide: sentence vectors computed once are kept on them, as in the real flow.
@pytest.fixture(scope="session")
def turkmen_chunk() -> RetrievedChunk:
    """Turkmenistan trade in 2023 (10,59 billion, -5,2%, 957 million, 9,633 billion ...); gas pipelines."""
    return make_chunk("kk-turkmen", article_passage("2023 жылы Қытай мен Түрікменстан", "[19]."), 0.9, page=9)


@pytest.fixture(scope="session")
def uzbek_chunk() -> RetrievedChunk:
    """Uzbekistan: China its largest partner at the end of 2019 with 7,62 billion dollars (18,1%)."""
    return make_chunk("kk-uzbek", article_passage("2019 жылдың соңында Қытай 7,62", "[13]."), 0.8, page=7)


@pytest.fixture(scope="session")
def tajik_chunk() -> RetrievedChunk:
    """Tajikistan's 2015 foreign-policy concept on China."""
    return make_chunk(
        "kk-tajik", article_passage("Қытаймен іргелес жатқан Тәжікстан", "табылады."), 0.7, page=10
    )


@pytest.fixture(scope="session")
def chunks(turkmen_chunk, uzbek_chunk, tajik_chunk) -> list[RetrievedChunk]:
    return [turkmen_chunk, uzbek_chunk, tajik_chunk]


@pytest.fixture
def chunk_of():
    """Builds a chunk from any text: chunk_of(chunk_id, text)."""
    return make_chunk
