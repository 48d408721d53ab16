"""Language means of e5 query vectors (kk, ru, en), the data of the retriever's language shift.

A question in one language and its translation in another differ by about the same offset in e5's space; the
retriever moves a question by the difference of the two languages' means before it searches a corpus in the
other language (assistant/retrieve/shift.py). The means are computed here from FLORES-200 devtest sentences
512-1011 (parallel kk/ru/en); `derek bench crosslingual` queries all 1012, so half of its queries fed a mean.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bench.report import REPO, SHARED_BENCH, require

DATA = SHARED_BENCH / "flores200"
FILES = {"kk": "kaz_Cyrl.devtest", "ru": "rus_Cyrl.devtest", "en": "eng_Latn.devtest"}
SENTENCES = slice(512, 1012)
OUT = REPO / "assistant" / "data" / "language_means.npz"


def run(data: Path = DATA, out: Path = OUT) -> str:
    from index.embed import E5Embedding

    embedder = E5Embedding()
    means = {}
    for lang, name in FILES.items():
        lines = require(data / name, f"FLORES-200 {lang}").read_text(encoding="utf-8").splitlines()[SENTENCES]
        means[lang] = embedder.query_vectors(lines).mean(axis=0).astype(np.float32)
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez(out, model=np.array(embedder.model_name), **means)
    gaps = {f"{a}-{b}": float(np.linalg.norm(means[a] - means[b])) for a in means for b in means if a < b}
    return f"wrote {out.relative_to(REPO)} ({embedder.model_name}); distances between language means: {gaps}"
