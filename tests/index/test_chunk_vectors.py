"""DEREK_CHUNK_VECTORS: chunk vectors embedded on their own, or derived from the sentence vectors (one pass)."""

from __future__ import annotations

import numpy as np

from assistant.components import embed_model_id
from assistant.settings import Settings
from index.document import Chunk
from index.pipeline import embed_chunks


class CountingEmbedder:
    """Deterministic vectors from a text's hash; counts the texts it embeds; one token per word."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def passage_vectors(self, texts):
        self.texts += texts
        out = []
        for text in texts:
            rng = np.random.default_rng(abs(hash(text)) % 2**32)
            v = rng.standard_normal(8).astype(np.float32)
            out.append(v / np.linalg.norm(v))
        return np.stack(out) if out else np.zeros((0, 8), dtype=np.float32)

    def query_vectors(self, texts):
        return self.passage_vectors(texts)

    def count_tokens(self, text):
        return len(text.split())


def chunk(text: str, section: str | None, index: int) -> Chunk:
    spans, start = [], 0
    for sentence in text.split(". "):
        end = start + len(sentence) + (1 if not sentence.endswith(".") else 0)
        spans.append((start, min(end, len(text))))
        start = min(end + 1, len(text))
    return Chunk(id=str(index), text=text, source="s", title="t", language="kk", section=section, page=None,
                 start=0, end=len(text), index=index, sentences=spans)


CHUNKS = [
    chunk("Бірінші сөйлем осында. Екінші ұзынырақ сөйлем мұнда тұр.", "36-бап. Сынақ мерзімі", 0),
    chunk("Екінші ұзынырақ сөйлем мұнда тұр. Үшінші сөйлем.", "36-бап. Сынақ мерзімі", 1),
]


def test_sentence_chunks_are_one_pass_and_token_weighted_means():
    embedder = CountingEmbedder()
    chunk_vecs, sent_vecs = embed_chunks(CHUNKS, embedder, chunk_vectors="sentences")
    sentences = list(dict.fromkeys(c.text[s:e] for c in CHUNKS for s, e in c.sentences))
    assert sorted(embedder.texts) == sorted(sentences + ["36-бап. Сынақ мерзімі"])  # no chunk text embedded
    for c, vec, svecs in zip(CHUNKS, chunk_vecs, sent_vecs, strict=True):
        parts = [c.text[s:e] for s, e in c.sentences] + [c.heading]
        weights = np.array([len(p.split()) for p in parts], dtype=np.float32)
        vectors = np.vstack([svecs, embedder.passage_vectors([c.heading])])
        mean = (weights[:, None] * vectors).sum(0) / weights.sum()
        assert np.allclose(vec, mean / np.linalg.norm(mean), atol=1e-6)
        assert np.isclose(np.linalg.norm(vec), 1.0, atol=1e-5)


def test_embedded_chunks_embed_each_chunk_with_its_heading():
    embedder = CountingEmbedder()
    embed_chunks(CHUNKS, embedder)
    assert f"36-бап. Сынақ мерзімі\n{CHUNKS[0].text}" in embedder.texts


def test_the_two_kinds_of_vectors_never_share_a_collection(tmp_path):
    embedded = embed_model_id(Settings(_env_file=None, home=tmp_path))
    derived = embed_model_id(Settings(_env_file=None, home=tmp_path, chunk_vectors="sentences"))
    assert embedded != derived and derived.endswith("+sentence-chunks")
