"""The language shift: a question moved by the offset between two languages' e5 means before it searches a
corpus in the other language.

A sentence and its translation sit about one language offset apart in multilingual-e5's space (the "language
component" of multilingual embeddings): subtracting the question language's mean and adding the corpus
language's turns an English question into a better probe for Kazakh text. The means ship as package data
(`derek bench means` recomputes them from FLORES-200) and apply only to the model they were computed with.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import numpy as np


@lru_cache(maxsize=1)
def language_means() -> tuple[str, dict[str, np.ndarray]]:
    """(model name, language -> mean query vector) from assistant/data/language_means.npz."""
    with resources.files("assistant").joinpath("data/language_means.npz").open("rb") as handle:
        data = np.load(handle)
        return str(data["model"]), {k: data[k].astype(np.float32) for k in data.files if k != "model"}


class LanguageShift:
    """Shifted copies of question vectors, one per corpus language other than the question's."""

    def __init__(self, model_name: str, strength: float = 1.0):
        model, means = language_means()
        self.means = means if model == model_name else {}
        self.strength = strength

    def __bool__(self) -> bool:
        return bool(self.means)

    def shifted(self, vectors: np.ndarray, language: str, targets: set[str]) -> np.ndarray:
        """Rows of `vectors` (a question in `language`) moved towards each target language, L2-normalised."""
        source = self.means.get(language)
        out = []
        for target in sorted(targets - {language}):
            if source is None or target not in self.means:
                continue
            moved = vectors + self.strength * (self.means[target] - source)
            out.append(moved / np.linalg.norm(moved, axis=1, keepdims=True))
        return np.vstack(out).astype(np.float32) if out else vectors[:0]
