"""Many chat sessions answered while an upload is indexed, one store client per process, one writer per home."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from assistant.chat import ChatSession
from assistant.service import Derek
from assistant.uploads import save_upload
from index.lock import writer_lock
from index.pipeline import index_paths

READERS = 8
QUESTIONS = ("d01", "d03", "d05", "d07", "d10")


def signature(answer) -> tuple:
    return answer.answerable, answer.answer, tuple(c.chunk_id for c in answer.citations)


def chunk_ids(service: Derek) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for c in service.store.all_chunks():
        out.setdefault(c.metadata["source"], []).append(c.id)
    return {k: sorted(v) for k, v in out.items()}


def test_one_chroma_system_per_process_and_home(article_copy):
    first, second = Derek(article_copy), Derek(article_copy)
    assert first.store is not second.store  # each service has its adapter, but they share one Chroma system
    assert first.store.client._system is second.store.client._system


def test_retriever_built_before_a_write_still_answers(settings_for, small_docs, tmp_path):
    """What a reader thread sees when a file is committed between its retriever check and its query."""
    service = Derek(settings_for(tmp_path / "home"))
    first, *later = small_docs(tmp_path / "docs", count=3)
    service.index([first])
    retriever = service.retriever  # built now; the writer commits more chunks before the question is asked
    index_paths(later, service.store, service.embedder, service.manifest)
    assert retriever.retrieve("How many hives do the beekeepers near Talgar keep?", "en", 5)


def test_chat_sessions_answered_while_uploads_are_indexed(article_copy, dev_rows, small_docs, tmp_path):
    service = Derek(article_copy)
    questions = [r["question"] for r in dev_rows if r["id"] in QUESTIONS]
    assert len(questions) == len(QUESTIONS)
    before_ids = chunk_ids(service)
    before = {q: signature(service.ask(q)) for q in questions}

    writing = threading.Event()
    stop = threading.Event()
    errors: list[BaseException] = []
    seen: list[tuple[str, tuple, bool]] = []  # (question, signature, asked while the upload was being indexed)
    uploads = small_docs(tmp_path / "incoming")

    def reader(n: int) -> None:
        session = ChatSession(service)  # one chat session per thread, as the UI has one per browser tab
        try:
            k = n
            while not stop.is_set():
                session.reset()
                question = questions[k % len(questions)]
                during = writing.is_set()
                seen.append((question, signature(session.ask(question)), during and writing.is_set()))
                k += 1
        except BaseException as exc:  # noqa: BLE001 -- reported below
            errors.append(exc)

    def writer() -> None:
        try:
            writing.set()
            for path in uploads:  # one upload at a time, as the UI indexes each file on arrival
                saved = save_upload(path.name, path.read_bytes(), article_copy.uploads_dir, max_bytes=2**20)
                report = service.index([saved])
                assert not report.failed, report.failed
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            writing.clear()

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(READERS)]
    for t in threads:
        t.start()
    time.sleep(1.0)  # every session is answering before the upload starts
    started = time.perf_counter()
    upload = threading.Thread(target=writer)
    upload.start()
    upload.join(timeout=300)
    indexing_seconds = time.perf_counter() - started
    time.sleep(0.5)
    stop.set()
    for t in threads:
        t.join(timeout=120)
    if errors:
        raise errors[0]
    assert not upload.is_alive() and not any(t.is_alive() for t in threads)

    # answers to the article's questions are those of before the upload (unrelated documents were added)
    after = {q: signature(service.ask(q)) for q in questions}
    assert after == before
    assert all(sig == before[q] for q, sig, _ in seen), [q for q, sig, _ in seen if sig != before[q]]
    during = sum(1 for *_, d in seen if d)
    assert during >= READERS, f"only {during} answers while indexing"

    # nothing lost: the article's chunks untouched, every upload fully indexed and recorded
    ids = chunk_ids(service)
    for source, article_ids in before_ids.items():
        assert ids[source] == article_ids
    manifest = service.manifest.entries
    new = {s: v for s, v in ids.items() if s not in before_ids}
    assert sorted(Path(s).name for s in new) == sorted(p.name for p in uploads)
    assert all(manifest[s].chunks == len(v) for s, v in new.items())
    assert service.store.sentence_count() == sum(len(c.sentences) for c in service.store.all_chunks())
    print(f"\nconcurrency: {READERS} chat sessions gave {len(seen)} answers ({during} while {len(uploads)} uploads "
          f"were indexed in {indexing_seconds:.1f} s), all identical to the answers before; "
          f"{sum(map(len, new.values()))} new chunks, nothing lost")


def test_second_indexer_waits_then_gives_up_with_one_line(run_cli, small_docs, tmp_path):
    home = tmp_path / "home"
    doc = small_docs(tmp_path / "docs", count=1)[0]
    with writer_lock(home, timeout=1):
        started = time.perf_counter()
        result = run_cli("index", doc, home=home, env={"DEREK_LOCK_TIMEOUT": "1.5"})
        waited = time.perf_counter() - started
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("derek: error: Another Derek process is indexing into")
    assert "waited 1.5 s" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr and waited >= 1.5
    assert not (home / "manifests").exists() or not any((home / "manifests").glob("*.json"))


def test_second_writer_waits_for_the_first_to_finish(settings_for, small_docs, tmp_path):
    service = Derek(settings_for(tmp_path / "home"))
    service.embedder.count_tokens("warm up")  # loaded now, so only the lock can hold the indexer back
    doc = small_docs(tmp_path / "docs", count=1)[0]
    reports = []
    with writer_lock(service.settings.home, timeout=1):  # another writer (same lock file, other descriptor)
        indexer = threading.Thread(target=lambda: reports.append(service.index([doc], lock_timeout=60)))
        indexer.start()
        indexer.join(timeout=3.0)
        assert indexer.is_alive() and not reports  # waiting for the lock
    indexer.join(timeout=120)
    assert len(reports) == 1 and len(reports[0].added) == 1
