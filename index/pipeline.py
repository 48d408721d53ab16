"""Incremental, idempotent ingestion: files -> load -> clean -> chunk -> embed -> Chroma, then the manifest.

The manifest entry of a file is written only after its chunks are committed to the store, and a file whose
entry is missing or stale is first deleted from the store by source, so a crash at any moment followed by a
re-run gives exactly the chunks of a clean run.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from index.document import Chunk
from index.errors import DerekError
from index.load import SUPPORTED_SUFFIXES, load
from index.manifest import Manifest, ManifestEntry
from index.nodes import document_from, ingestion_pipeline, is_sentence
from index.ocr import DEFAULT_LANGUAGES
from index.store import ChromaStore
from index.structure import with_heading
from index.vocabulary import word_forms

Progress = Callable[[str, int, int, str], None]  # (stage, done, total, source)


class Embedder(Protocol):
    def passage_vectors(self, texts: list[str]) -> np.ndarray: ...
    def query_vectors(self, texts: list[str]) -> np.ndarray: ...
    def count_tokens(self, text: str) -> int: ...


@dataclass
class IndexReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, one-line reason)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (path, what was left out of an indexed file)
    chunks_written: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, {len(self.skipped)} skipped, "
            f"{len(self.removed)} removed, {len(self.failed)} failed; {self.chunks_written} chunks written "
            f"in {self.seconds:.1f}s"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "updated": self.updated,
            "skipped": self.skipped,
            "removed": self.removed,
            "failed": [{"path": p, "error": e} for p, e in self.failed],
            "notes": [{"path": p, "note": n} for p, n in self.notes],
            "chunks_written": self.chunks_written,
            "seconds": round(self.seconds, 3),
        }


def source_name(path: Path) -> str:
    """How a file is named in citations and the manifest: relative to the working directory when inside it."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Files to index under the given paths, and the paths that cannot be indexed (with the reason)."""
    files: list[Path] = []
    failed: list[tuple[str, str]] = []
    for path in paths:
        if path.is_dir():
            files += sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.is_file():
            if path.suffix.lower() in SUPPORTED_SUFFIXES:
                files.append(path)
            else:
                failed.append((str(path), f"unsupported file type {path.suffix or '(none)'!r}; "
                               f"supported: {', '.join(sorted(SUPPORTED_SUFFIXES))}"))
        else:
            failed.append((str(path), "no such file or folder"))
    unique = list(dict.fromkeys(p.resolve() for p in files))
    return unique, failed


EMBED_BATCH = 64  # texts per embedding call: progress is reported between batches
WORDS_BATCH = 512  # vocabulary words per embedding call: progress is reported between batches


def _in_batches(
    embed: Callable[[list[str]], np.ndarray], texts: list[str], size: int,
    on_progress: Callable[[int, int], None] | None = None,
) -> np.ndarray:
    """`embed` over `texts` in calls of `size`, reporting (done, total) after each."""
    parts = []
    for start in range(0, len(texts), size):
        parts.append(embed(texts[start : start + size]))
        if on_progress:
            on_progress(min(start + size, len(texts)), len(texts))
    return np.concatenate(parts)


def embed_chunks(
    chunks: list[Chunk], embedder: Embedder, on_progress: Callable[[int, int], None] | None = None,
    chunk_vectors: str = "embed",
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Chunk vectors and per-chunk sentence vectors; a sentence shared by overlapping chunks is embedded once.

    ``chunk_vectors="embed"`` embeds each chunk (with its heading) as a passage of its own; ``"sentences"``
    derives it from the sentence vectors instead (their mean weighted by e5 tokens, plus the heading's vector),
    one embedding pass over the text instead of two.
    """
    sentences = [[c.text[s:e] for s, e in c.sentences] for c in chunks]
    unique = list(dict.fromkeys(s for group in sentences for s in group))
    if chunk_vectors == "sentences":
        texts = unique + list(dict.fromkeys(h for c in chunks if (h := _own_heading(c))))
    else:
        texts = [with_heading(c.section, c.text) for c in chunks] + unique
    vectors = _in_batches(embedder.passage_vectors, texts, EMBED_BATCH, on_progress)
    if chunk_vectors == "sentences":
        row = {t: i for i, t in enumerate(texts)}
        vecs, chunk_vecs = vectors, _derived(chunks, sentences, vectors, row, embedder.count_tokens)
    else:
        row = {s: i for i, s in enumerate(unique)}
        chunk_vecs, vecs = vectors[: len(chunks)], vectors[len(chunks) :]
    return chunk_vecs, [vecs[[row[s] for s in group]] if group else vecs[:0] for group in sentences]


def _own_heading(chunk: Chunk) -> str:
    """The heading line a chunk's vector includes when its text does not start with it, else ""."""
    heading = chunk.heading
    return heading if heading and not chunk.text.startswith(heading) else ""


def _derived(chunks, sentences, vectors, row, count_tokens) -> np.ndarray:
    """Each chunk's vector from its sentences' (and heading's) vectors, weighted by their e5 tokens."""
    weight = {t: count_tokens(t) for t in row}
    out = []
    for chunk, group in zip(chunks, sentences, strict=True):
        parts = group + [h for h in [_own_heading(chunk)] if h]
        if not parts:
            out.append(np.zeros(vectors.shape[1], dtype=np.float32))
            continue
        mean = np.average(vectors[[row[p] for p in parts]], axis=0,
                          weights=np.asarray([weight[p] for p in parts], dtype=np.float32))
        out.append(mean / max(float(np.linalg.norm(mean)), 1e-12))
    return np.stack(out).astype(np.float32)


def index_file(
    path: Path, store: ChromaStore, embedder: Embedder, manifest: Manifest, *, digest: str,
    chunk_tokens: int, max_pdf_pages: int, ocr_languages: str = DEFAULT_LANGUAGES,
    progress: Progress | None = None, chunk_vectors: str = "embed",
) -> tuple[int, list[str]]:
    """Replace one file's chunks in the store, then record it in the manifest.

    Returns the chunk count and the loader's notes (pages left out). ``progress`` hears of pages read
    (stage "page"), texts embedded (stage "embed") and new vocabulary words embedded (stage "words") within the
    file.
    """
    source = source_name(path)

    def stage(name: str):
        return (lambda done, total: progress(name, done, total, source)) if progress else None

    raw = load(path, source=source, max_pdf_pages=max_pdf_pages, ocr_languages=ocr_languages,
               on_page=stage("page"))
    nodes = ingestion_pipeline(embedder, chunk_tokens, chunk_vectors, stage("embed")).run(
        documents=[document_from(raw)])
    chunks = [n for n in nodes if not is_sentence(n)]
    if not chunks:
        raise DerekError(f"{path.name}: no text to index")
    # a server hosting another model: refused before the file's words are embedded and before anything is written
    store.check_dimension(np.asarray(chunks[0].embedding, dtype=np.float32))
    # words are embedded as queries: the bridge compares them with a question's words, embedded the same way
    new_terms = store.missing_terms(word_forms(c.get_content() for c in chunks))
    term_vecs = _in_batches(embedder.query_vectors, new_terms, WORDS_BATCH, stage("words")) if new_terms else None
    if term_vecs is not None:
        store.check_dimension(term_vecs)
    # The old entry goes first: killed mid-write, the entry must not vouch for half-replaced chunks (a file
    # edited back to the recorded content would otherwise be skipped with the aborted version's chunks).
    manifest.remove(source)
    store.delete_source(source)
    store.add_nodes(list(nodes), overwrite=False)  # chunk ids include the source: none of them is stored now
    if term_vecs is not None:
        store.add_terms(new_terms, term_vecs)
    manifest.put(ManifestEntry(
        source=source, path=str(path.resolve()), sha256=digest, chunks=len(chunks),
        language=chunks[0].source_node.metadata["language"], title=chunks[0].source_node.metadata["title"],
        indexed_at=datetime.now(UTC).isoformat(timespec="seconds"),
    ))
    return len(chunks), raw.notes


def index_paths(
    paths: Iterable[Path], store: ChromaStore, embedder: Embedder, manifest: Manifest, *,
    prune: bool = False, reset: bool = False, chunk_tokens: int = 300, max_pdf_pages: int = 2000,
    ocr_languages: str = DEFAULT_LANGUAGES, progress: Progress | None = None, chunk_vectors: str = "embed",
) -> IndexReport:
    """Index files and folders incrementally; one bad file never stops the rest."""
    started = time.perf_counter()
    report = IndexReport()
    if reset:
        store.reset()
        manifest.clear()
    files, report.failed = discover(paths)
    for n, path in enumerate(files):
        source = source_name(path)
        if progress:
            progress("file", n, len(files), source)
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            known = manifest.get(source)
            if known and known.sha256 == digest and store.chunk_ids(source):
                report.skipped.append(source)
                continue
            written, notes = index_file(
                path, store, embedder, manifest, digest=digest, chunk_tokens=chunk_tokens,
                max_pdf_pages=max_pdf_pages, ocr_languages=ocr_languages, progress=progress,
                chunk_vectors=chunk_vectors,
            )
            report.chunks_written += written
            report.notes += [(source, note) for note in notes]
            (report.updated if known else report.added).append(source)
        except DerekError as exc:
            report.failed.append((source, str(exc)))
        except OSError as exc:
            report.failed.append((source, f"cannot read: {exc.strerror or exc}"))
    if progress:
        progress("file", len(files), len(files), "")
    backfill_vocabulary(store, embedder)
    if prune:
        for source, entry in list(manifest.entries.items()):
            if not Path(entry.path).exists():
                remove_document(source, store, manifest)
                report.removed.append(source)
    report.seconds = time.perf_counter() - started
    return report


def backfill_vocabulary(store: ChromaStore, embedder: Embedder) -> int:
    """An index built before the vocabulary existed gets it from its stored chunks; returns the words added."""
    if store.count() == 0 or store.term_count() > 0:
        return 0
    words = word_forms(c.text for c in store.all_chunks())
    for i in range(0, len(words), 2000):
        part = words[i : i + 2000]
        store.add_terms(part, embedder.query_vectors(part))
    return len(words)


def remove_document(source: str, store: ChromaStore, manifest: Manifest) -> None:
    """Delete one document's chunks from the store, then its manifest entry."""
    store.delete_source(source)
    manifest.remove(source)
