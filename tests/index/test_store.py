"""ChromaStore: the embedded client (upsert, query, delete, model guard) and a real Chroma server over HTTP."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from assistant.service import Derek
from index.document import Chunk
from index.errors import DerekError
from index.store import ChromaStore

DIM = 8


def make_chunk(source: str, index: int, text: str) -> Chunk:
    # sentences are split on ". " so each chunk has at least one sentence span
    spans, start = [], 0
    for part in text.split(". "):
        end = start + len(part)
        spans.append((start, end))
        start = end + 2
    return Chunk(id=f"{source}-{index}", text=text, source=source, title=source, language="en", section=None,
                 page=None, start=0, end=len(text), index=index, sentences=spans)


def unit(i: int) -> np.ndarray:
    v = np.full(DIM, 0.01, dtype=np.float32)
    v[i] = 1.0
    return v / np.linalg.norm(v)


def write(store: ChromaStore, chunks: list[Chunk], axes: list[int]) -> None:
    vecs = np.vstack([unit(a) for a in axes])
    sent = [np.vstack([unit(a)] * len(c.sentences)) for c, a in zip(chunks, axes)]
    store.upsert(chunks, vecs, sent)


@pytest.fixture
def store(tmp_path) -> ChromaStore:
    return ChromaStore.embedded(tmp_path / "chroma", "unit", "test/model-a")


def test_upsert_query_and_delete(store):
    a = [make_chunk("a.txt", 0, "Alpha one. Alpha two"), make_chunk("a.txt", 1, "Alpha three")]
    b = [make_chunk("b.txt", 0, "Beta one. Beta two. Beta three")]
    write(store, a, [0, 1])
    write(store, b, [2])
    assert store.count() == 3
    assert store.sentence_count() == 2 + 1 + 3

    hits = store.query_chunks(unit(2), 2)
    assert hits[0][0] == "b.txt-0" and hits[0][1] == pytest.approx(1.0, abs=1e-4)
    assert len(hits) == 2 and hits[1][1] < hits[0][1]
    assert store.query_chunks(unit(0), 50)[0][0] == "a.txt-0"  # k larger than the collection is fine
    sent_hits = store.query_sentences(unit(2), 3)
    assert {sid for sid, _ in sent_hits} == {"b.txt-0:0", "b.txt-0:1", "b.txt-0:2"}

    # read-back: text, metadata, sentence spans and vectors survive the round trip
    stored = {c.id: c for c in store.all_chunks()}
    assert stored["b.txt-0"].text == "Beta one. Beta two. Beta three"
    assert stored["b.txt-0"].sentences == b[0].sentences and stored["b.txt-0"].page is None
    assert sorted(store.chunk_ids("a.txt")) == ["a.txt-0", "a.txt-1"]
    svecs = store.sentence_vectors(["a.txt-0"])["a.txt-0"]
    assert svecs.shape == (2, DIM) and np.allclose(svecs[0], unit(0), atol=1e-5)
    assert np.allclose(store.chunk_vectors(["a.txt-1"])["a.txt-1"], unit(1), atol=1e-5)

    # upsert is idempotent
    write(store, a, [0, 1])
    assert (store.count(), store.sentence_count()) == (3, 6)

    store.delete_source("a.txt")
    assert store.count() == 1 and store.sentence_count() == 3
    assert store.chunk_ids("a.txt") == []
    assert [cid for cid, _ in store.query_chunks(unit(0), 5)] == ["b.txt-0"]

    store.delete_source("b.txt")
    assert store.count() == 0 and store.sentence_count() == 0
    assert store.query_chunks(unit(0), 5) == [] and store.query_sentences(unit(0), 5) == []


def test_store_persists_across_clients(tmp_path):
    first = ChromaStore.embedded(tmp_path / "chroma", "persist", "test/model-a")
    write(first, [make_chunk("p.txt", 0, "Kept on disk")], [3])
    again = ChromaStore.embedded(tmp_path / "chroma", "persist", "test/model-a")
    assert again.chunk_ids("p.txt") == ["p.txt-0"]


def test_collection_refuses_another_embed_model(tmp_path):
    path = tmp_path / "chroma"
    ChromaStore.embedded(path, "guarded", "test/model-a")
    with pytest.raises(DerekError, match="model-a"):
        ChromaStore.embedded(path, "guarded", "test/model-b")
    # another collection in the same store may use another model
    assert ChromaStore.embedded(path, "other", "test/model-b").count() == 0


def test_reset_empties_both_collections(store):
    write(store, [make_chunk("r.txt", 0, "One. Two")], [4])
    store.reset()
    assert store.count() == 0 and store.sentence_count() == 0
    write(store, [make_chunk("r.txt", 0, "One. Two")], [4])  # usable after reset
    assert store.count() == 1


def test_invalid_collection_name_is_a_derek_error(tmp_path):
    with pytest.raises(DerekError, match="collection name"):
        ChromaStore.embedded(tmp_path / "chroma", "x", "test/model-a")


def test_unreachable_server_is_a_derek_error():
    port = free_port()
    with pytest.raises(DerekError, match="Cannot reach"):
        ChromaStore.http("127.0.0.1", port, "derek", "test/model-a")


# a real Chroma server

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    exe = Path(sys.executable).parent / "chroma"
    if not exe.exists():
        exe = Path(shutil.which("chroma") or "chroma")
    path = tmp_path_factory.mktemp("chroma-server")
    port = free_port()
    log = open(path / "server.log", "w")
    proc = subprocess.Popen([str(exe), "run", "--path", str(path / "data"), "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        import chromadb

        from index.store import _chroma_settings

        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"chroma run exited with {proc.returncode}: {(path / 'server.log').read_text()[-2000:]}")
            try:
                chromadb.HttpClient(host="127.0.0.1", port=port, settings=_chroma_settings()).heartbeat()
                break
            except Exception:
                if time.monotonic() > deadline:
                    pytest.fail(f"no Chroma heartbeat within 60 s: {(path / 'server.log').read_text()[-2000:]}")
                time.sleep(0.5)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)
        log.close()


@pytest.mark.server
def test_server_store_gives_the_same_chunk_ids_as_embedded(chroma_server, tmp_path, settings_for, write_file):
    docs = tmp_path / "docs"
    write_file(docs / "lakes.txt", "Lake Balkhash is half fresh and half salty water.\n\n"
               "The lake lies in the east of Kazakhstan and is fed by the Ili river.\n")
    write_file(docs / "steppe.md", "# Steppe\n\nThe Kazakh steppe is a vast grassland. Saiga antelope live there.\n")

    embedded = Derek(settings_for(tmp_path / "home-embedded"))
    served = Derek(settings_for(tmp_path / "home-server", chroma_host="127.0.0.1", chroma_port=chroma_server))
    r1 = embedded.index([docs])
    r2 = served.index([docs])
    assert not r1.failed and not r2.failed
    assert served.store.where == f"http://127.0.0.1:{chroma_server}"
    assert served.status()["store"].startswith("http://")

    def snapshot(service):
        return sorted((c.id, c.metadata["source"], c.text) for c in service.store.all_chunks())

    assert snapshot(served) == snapshot(embedded) and snapshot(served)
    assert served.store.sentence_count() == embedded.store.sentence_count()

    # incremental over HTTP too: a second run skips both files
    again = served.index([docs])
    assert len(again.skipped) == 2 and again.chunks_written == 0
    # and retrieval through the server finds the lake chunk
    top = served.retrieve("Which river feeds Lake Balkhash?", k=1)
    assert "Ili river" in top[0].text


class _Untouchable:
    """Stands in for the sentence collection: any read fails the test."""

    def __getattr__(self, name):
        raise AssertionError(f"the sentence collection was read ({name})")


def test_sentence_vectors_are_read_from_the_lexical_index_not_chroma(store):
    """Each chunk's sentence vectors are written to the lexical index with it, so reading them (every search's
    candidates) never loads Chroma's sentence graph; deleting a source removes them there too."""
    a = [make_chunk("a.txt", 0, "Alpha one. Alpha two"), make_chunk("a.txt", 1, "Alpha three")]
    write(store, a, [0, 1])
    held = store.lexical.sentence_vectors(["a.txt-0", "a.txt-1"])
    assert held["a.txt-0"].shape == (2, DIM) and np.allclose(held["a.txt-1"][0], unit(1), atol=1e-6)
    chroma, store._sentences = store._sentences, _Untouchable()
    try:
        got = store.sentence_vectors(["a.txt-0", "a.txt-1"], {"a.txt-0": 2, "a.txt-1": 1})
    finally:
        store._sentences = chroma
    assert np.array_equal(got["a.txt-0"], held["a.txt-0"])
    store.delete_source("a.txt")
    assert store.lexical.sentence_vectors(["a.txt-0", "a.txt-1"]) == {}


def test_a_refilled_lexical_index_gets_the_sentence_vectors_from_chroma(store):
    """An index written before the lexical index held sentence vectors (or by another machine to a Chroma server)
    is refilled from Chroma, vectors included."""
    write(store, [make_chunk("a.txt", 0, "Alpha one. Alpha two")], [0])
    store.lexical.clear()
    assert store.lexical.sentence_vectors(["a.txt-0"]) == {}
    assert store.lexical.sync(store) == 1
    held = store.lexical.sentence_vectors(["a.txt-0"])["a.txt-0"]
    assert held.shape == (2, DIM) and np.allclose(held[1], unit(0), atol=1e-6)


def test_every_collection_searches_wide_and_an_older_one_is_widened(tmp_path):
    """Chroma's default search breadth (100) found approximate neighbours for 40 chunks and 80 sentences, and other
    ones in another process; a collection made with it gets EF_SEARCH when Derek opens it."""
    import chromadb

    from index.store import EF_SEARCH, TERM_EF_SEARCH, ChromaStore, _chroma_settings

    client = chromadb.PersistentClient(path=str(tmp_path), settings=_chroma_settings())
    client.create_collection("old", embedding_function=None, configuration={"hnsw": {"space": "cosine"}})
    assert client.get_collection("old").configuration_json["hnsw"]["ef_search"] != EF_SEARCH
    store = ChromaStore.embedded(tmp_path, "old", "m")
    for col in (store._chunks, store._sentences):
        assert col.configuration_json["hnsw"]["ef_search"] == EF_SEARCH
    assert store._terms.configuration_json["hnsw"]["ef_search"] == TERM_EF_SEARCH  # searched once per word
    assert chromadb.PersistentClient(path=str(tmp_path), settings=_chroma_settings()).get_collection(
        "old").configuration_json["hnsw"]["ef_search"] == EF_SEARCH  # kept on disk
