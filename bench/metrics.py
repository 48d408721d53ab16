"""Pure evaluation metrics: ranking (hit, recall, MRR, nDCG), answer overlap (F1, EM), dev-set matching."""

from __future__ import annotations

import math
import re
import string
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

_PUNCT = re.compile(rf"[{re.escape(string.punctuation)}«»“”„‘’‚–—…·№]")
_ARTICLES = re.compile(r"\b(a|an|the)\b")


def _relevance(relevant: Iterable[str] | Mapping[str, float]) -> dict[str, float]:
    """A set of ids (binary) or an id -> grade mapping; grades <= 0 are not relevant."""
    if isinstance(relevant, Mapping):
        return {k: float(v) for k, v in relevant.items() if v > 0}
    return {k: 1.0 for k in relevant}


def hit_at_k(ranked_ids: Sequence[str], relevant: Iterable[str] | Mapping[str, float], k: int) -> float:
    """1.0 when any relevant id is in the top k."""
    rel = _relevance(relevant)
    return float(any(i in rel for i in ranked_ids[:k]))


def recall_at_k(ranked_ids: Sequence[str], relevant: Iterable[str] | Mapping[str, float], k: int) -> float:
    """Share of the relevant ids found in the top k (0 when nothing is relevant)."""
    rel = _relevance(relevant)
    return len(set(ranked_ids[:k]) & rel.keys()) / len(rel) if rel else 0.0


def mrr_at_k(ranked_ids: Sequence[str], relevant: Iterable[str] | Mapping[str, float], k: int) -> float:
    """Reciprocal rank of the first relevant id within the top k."""
    rel = _relevance(relevant)
    return next((1.0 / r for r, i in enumerate(ranked_ids[:k], 1) if i in rel), 0.0)


def ndcg_at_k(ranked_ids: Sequence[str], relevant: Iterable[str] | Mapping[str, float], k: int) -> float:
    """nDCG with gain (2^grade - 1) and log2(rank + 1) discount; binary qrels give grade 1."""
    rel = _relevance(relevant)
    dcg = sum((2 ** rel.get(i, 0.0) - 1) / math.log2(r + 1) for r, i in enumerate(ranked_ids[:k], 1))
    ideal = sorted(rel.values(), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(r + 1) for r, g in enumerate(ideal, 1))
    return dcg / idcg if idcg else 0.0


def normalize_answer(text: str) -> str:
    """SQuAD normalisation for Cyrillic: lowercase, drop punctuation (incl. «»—), English articles, spaces."""
    text = _PUNCT.sub(" ", text.lower().replace("ё", "е"))
    return " ".join(_ARTICLES.sub(" ", text).split())


def token_f1(prediction: str, gold: str) -> float:
    """Token-level F1 after normalize_answer."""
    pred, ref = normalize_answer(prediction).split(), normalize_answer(gold).split()
    if not pred or not ref:
        return float(pred == ref)
    common = sum((Counter(pred) & Counter(ref)).values())
    if not common:
        return 0.0
    p, r = common / len(pred), common / len(ref)
    return 2 * p * r / (p + r)


def exact_match(prediction: str, gold: str) -> float:
    return float(normalize_answer(prediction) == normalize_answer(gold))


def best_over(metric, prediction: str, golds: Iterable[str]) -> float:
    """The best score of `prediction` against any gold answer."""
    return max((metric(prediction, g) for g in golds), default=0.0)


def dev_normalize(text: str) -> str:
    """The dev set's matching rule: lowercase, keep only letters and digits."""
    return "".join(ch for ch in text.lower() if ch.isalnum())


def evidence_in(text: str, evidence_phrases: Iterable[str]) -> bool:
    """True when any gold evidence phrase occurs in the text (dev-set normalisation)."""
    norm = dev_normalize(text)
    return any(p and dev_normalize(p) in norm for p in evidence_phrases if dev_normalize(p))


def key_fact_recall(text: str, keys: Sequence[Sequence[str]]) -> float:
    """Share of key-fact groups with an acceptable spelling in the text (1.0 when there are none)."""
    if not keys:
        return 1.0
    norm = dev_normalize(text)
    return sum(any(dev_normalize(s) in norm for s in group if dev_normalize(s)) for group in keys) / len(keys)


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile, q in [0, 100] (numpy's default method)."""
    if not values:
        return float("nan")
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def median(values: Sequence[float]) -> float:
    return percentile(values, 50)


def mean(values: Iterable[float]) -> float:
    xs = list(values)
    return sum(xs) / len(xs) if xs else float("nan")


def mean_present(values: Iterable[float | None], whole: bool = False) -> float | int | None:
    """The mean of the values that are not None (a figure only some records have, such as the characters quoted
    by an answer that did not abstain); `whole` rounds it to an integer."""
    present = [float(v) for v in values if v is not None]
    if not present:
        return None  # no record has the figure (quotes on a cited page: no PDF among the sources)
    value = mean(present)
    return round(value) if whole else value
