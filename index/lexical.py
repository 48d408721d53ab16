"""The lexical side of an index, kept on disk beside Chroma and updated per document (SQLite, standard library).

Retrieval fuses dense search with lexical evidence: BM25 over kk/ru/en-normalised tokens, document frequencies for
the concept weights, numbers, and each candidate chunk's tokens (mentions and positions). All of it used to be
rebuilt in memory from every chunk after every write. Here it is written with the chunks (`ChromaStore.add_nodes`,
`delete_source`, `reset`), so a reader opens it at no cost proportional to the collection and reads only what a
question touches: the postings of its terms, the records of its candidate chunks, the chunks holding its numbers.

Tables: `chunks` (one record per chunk: language, length, sentence tokens, numbers), `terms` (document frequency
per token and language), `stats` (chunks and tokens per language), `numbers`, and the postings: per token and
language, packed arrays of chunk rows, term frequencies and chunk lengths (`postings`, read with numpy in one row
whatever the collection's size), plus the postings written since the last compaction, one row each (`fresh`), and
the rows of chunks deleted since then (`gone`). A write adds to `fresh`; once it holds `compact_after` postings,
the touched arrays are rewritten (`compact`). Scores never depend on the compaction state. BM25 is Lucene's
(what bm25s computes by default), with per-language statistics, so the scores are those of a bm25s index built
over the same chunks. Readers use one connection per thread (WAL: they never wait for the writer); one writer per
DEREK_HOME is enforced by the index lock.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

SCHEMA = 5  # another schema on disk is dropped and refilled from the chunks (LexicalIndex.sync); 5: with titles
_ALL = ("meta", "chunks", "postings", "fresh", "gone", "dirty", "terms", "stats", "numbers", "svecs")

_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS chunks (
    row INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE NOT NULL, source TEXT NOT NULL, lang TEXT NOT NULL,
    length INTEGER NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_source ON chunks(source);
CREATE TABLE IF NOT EXISTS postings (
    token TEXT NOT NULL, lang TEXT NOT NULL, chunks BLOB NOT NULL, tfs BLOB NOT NULL, lengths BLOB NOT NULL,
    UNIQUE (token, lang));
CREATE TABLE IF NOT EXISTS fresh (
    token TEXT NOT NULL, lang TEXT NOT NULL, chunk INTEGER NOT NULL, tf INTEGER NOT NULL, length INTEGER NOT NULL,
    PRIMARY KEY (token, lang, chunk)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS gone (chunk INTEGER PRIMARY KEY);
CREATE TABLE IF NOT EXISTS dirty (token TEXT NOT NULL, lang TEXT NOT NULL, PRIMARY KEY (token, lang)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS terms (
    token TEXT NOT NULL, lang TEXT NOT NULL, df INTEGER NOT NULL, PRIMARY KEY (token, lang)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS stats (lang TEXT PRIMARY KEY, docs INTEGER NOT NULL, tokens INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS numbers (
    number TEXT NOT NULL, chunk INTEGER NOT NULL, PRIMARY KEY (number, chunk)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS svecs (chunk INTEGER PRIMARY KEY, dim INTEGER NOT NULL, data BLOB NOT NULL);
"""


@dataclass(frozen=True)
class ChunkTerms:
    """What lexical retrieval knows of one chunk."""

    id: str
    source: str
    language: str
    tokens: tuple[str, ...]  # the chunk's heading line and text, normalised (BM25, mentions)
    sentences: tuple[tuple[str, ...], ...]  # each sentence's tokens (phrase adjacency)
    numbers: tuple[str, ...]
    text: str = ""
    metadata: Mapping[str, Any] | None = None  # the flat metadata answers and citations read (META_KEYS)
    # the chunk's sentence vectors (n, dim), as stored in Chroma's sentence collection: candidates read them here
    vectors: np.ndarray | None = field(default=None, compare=False, repr=False)


# what a retrieved chunk's answer and citation read: kept with the record, so candidates need only their vectors
# from Chroma (reading Chroma's metadata rows costs more than the vectors, and grows with the collection)
META_KEYS = ("source", "title", "language", "section", "page", "start", "end", "index", "role", "point", "subpoint",
             "sentences", "page_breaks")


MAX_TITLE_WORDS = 12  # a longer "title" is a text file's first sentence, not the name of the document


def in_context(metadata: Mapping[str, Any], text: str) -> str:
    """A chunk's text as its lexical signals read it (BM25, the concepts and names it mentions): after its
    document's title and its section's heading, so a question that names the document ("... under the Apache
    License", «Еңбек кодексі бойынша») matches each of its chunks alike, not only the few that repeat the name
    (a licence's appendix, the articles that cite the code)."""
    from index.structure import with_heading

    body = with_heading(metadata.get("section"), text)
    title = " ".join(str(metadata.get("title") or "").split())
    if not title or len(title.split()) > MAX_TITLE_WORDS or body.startswith(title):
        return body
    return f"{title}\n{body}"


def chunk_terms(chunk_id: str, text: str, metadata: Mapping[str, Any]) -> ChunkTerms:
    """The lexical record of a chunk as stored in Chroma (text and flat metadata)."""
    from index.text.normalize import tokenize
    from index.text.numbers import extract_numbers

    language = metadata.get("language") or "kk"
    tokens = tokenize(in_context(metadata, text), language)
    spans = json.loads(metadata.get("sentences") or "[]")
    sentences = [tuple(tokenize(text[a:b], language)) for a, b in spans] or [tuple(tokens)]
    return ChunkTerms(chunk_id, str(metadata.get("source", "")), language, tuple(tokens), tuple(sentences),
                      tuple(dict.fromkeys(extract_numbers(text))), text,
                      {k: metadata[k] for k in META_KEYS if k in metadata})


class LexicalIndex:
    """BM25 postings, document frequencies, numbers and per-chunk tokens of one collection, in SQLite."""

    def __init__(self, path: Path | None = None, k1: float = 1.5, b: float = 0.75, compact_after: int = 100_000):
        self.k1, self.b = k1, b
        self.compact_after = compact_after
        self.path = path
        if path is None:  # in memory, for this object only
            self._uri = f"file:derek-lexical-{uuid.uuid4().hex}?mode=memory"
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._uri = f"file:{path}"
        self._local = threading.local()
        self._write = threading.Lock()
        self._keeper = self._connect()
        with self._keeper:
            self._keeper.executescript(_TABLES)
            found = self._keeper.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
            if found and found[0] != str(SCHEMA):
                for table in _ALL:
                    self._keeper.execute(f"DROP TABLE IF EXISTS {table}")
                self._keeper.executescript(_TABLES)
            self._keeper.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (str(SCHEMA),))

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self._uri, uri=True, timeout=60, check_same_thread=False)
        if self.path is not None:
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=NORMAL")
        return con

    @property
    def _db(self) -> sqlite3.Connection:
        if self.path is None:  # in memory: one connection (SQLite serialises its use across threads)
            return self._keeper
        con = getattr(self._local, "con", None)
        if con is None:
            con = self._local.con = self._connect()
        return con

    # writing
    def add(self, records: Iterable[ChunkTerms]) -> None:
        """Add chunks in one transaction; a chunk already held under its id is replaced."""
        records = list(records)
        if not records:
            return
        with self._write, self._db as db:
            self._delete_rows(db, [r for (r,) in _select_in(db, "SELECT row FROM chunks WHERE id IN ({})",
                                                            [r.id for r in records])])
            for rec in records:
                data = json.dumps({"s": rec.sentences, "n": rec.numbers, "t": rec.tokens, "x": rec.text,
                                   "m": rec.metadata or {}}, ensure_ascii=False)
                row = db.execute("INSERT INTO chunks (id, source, lang, length, data) VALUES (?, ?, ?, ?, ?)",
                                 (rec.id, rec.source, rec.language, len(rec.tokens), data)).lastrowid
                tf = Counter(rec.tokens)
                db.executemany("INSERT INTO fresh VALUES (?, ?, ?, ?, ?)",
                               [(t, rec.language, row, n, len(rec.tokens)) for t, n in tf.items()])
                db.executemany("INSERT INTO terms VALUES (?, ?, 1) ON CONFLICT (token, lang) DO UPDATE SET df = df + 1",
                               [(t, rec.language) for t in tf])
                db.execute("INSERT INTO stats VALUES (?, 1, ?) ON CONFLICT (lang) DO UPDATE "
                           "SET docs = docs + 1, tokens = tokens + excluded.tokens", (rec.language, len(rec.tokens)))
                db.executemany("INSERT OR IGNORE INTO numbers VALUES (?, ?)", [(n, row) for n in rec.numbers])
                if rec.vectors is not None and len(rec.vectors):
                    vecs = np.ascontiguousarray(rec.vectors, dtype=np.float32)
                    db.execute("INSERT INTO svecs VALUES (?, ?, ?)", (row, vecs.shape[1], vecs.tobytes()))
            if db.execute("SELECT COUNT(*) FROM fresh").fetchone()[0] >= self.compact_after:
                self._compact(db)

    def delete_source(self, source: str) -> None:
        with self._write, self._db as db:
            self._delete_rows(db, [r for (r,) in db.execute("SELECT row FROM chunks WHERE source = ?", (source,))])

    def delete_ids(self, ids: Sequence[str]) -> None:
        with self._write, self._db as db:
            self._delete_rows(db, [r for (r,) in _select_in(db, "SELECT row FROM chunks WHERE id IN ({})", ids)])

    def clear(self) -> None:
        with self._write, self._db as db:
            for table in _ALL[1:]:
                db.execute(f"DELETE FROM {table}")

    @staticmethod
    def _delete_rows(db: sqlite3.Connection, rows: list[int]) -> None:
        for row in rows:
            lang, length, data = db.execute("SELECT lang, length, data FROM chunks WHERE row = ?", (row,)).fetchone()
            found = json.loads(data)
            tokens = set(found["t"])
            # postings still in `fresh` go now; those packed in `postings` when their arrays are next rewritten
            db.executemany("DELETE FROM fresh WHERE token = ? AND lang = ? AND chunk = ?",
                           [(t, lang, row) for t in tokens])
            db.execute("INSERT OR IGNORE INTO gone VALUES (?)", (row,))
            db.executemany("INSERT OR IGNORE INTO dirty VALUES (?, ?)", [(t, lang) for t in tokens])
            db.executemany("UPDATE terms SET df = df - 1 WHERE token = ? AND lang = ?", [(t, lang) for t in tokens])
            db.execute("UPDATE stats SET docs = docs - 1, tokens = tokens - ? WHERE lang = ?", (length, lang))
            db.executemany("DELETE FROM numbers WHERE number = ? AND chunk = ?", [(n, row) for n in found["n"]])
            db.execute("DELETE FROM chunks WHERE row = ?", (row,))
            db.execute("DELETE FROM svecs WHERE chunk = ?", (row,))
        if rows:
            db.execute("DELETE FROM terms WHERE df <= 0")
            db.execute("DELETE FROM stats WHERE docs <= 0")

    def compact(self) -> None:
        """Pack the fresh postings into the arrays and drop deleted chunks from them."""
        with self._write, self._db as db:
            self._compact(db)

    @staticmethod
    def _compact(db: sqlite3.Connection) -> None:
        gone = _gone(db)
        touched = db.execute("SELECT DISTINCT token, lang FROM fresh UNION SELECT token, lang FROM dirty").fetchall()
        for token, lang in touched:
            old = db.execute("SELECT chunks, tfs, lengths FROM postings WHERE token = ? AND lang = ?",
                             (token, lang)).fetchone()
            new = np.asarray(db.execute("SELECT chunk, tf, length FROM fresh WHERE token = ? AND lang = ?",
                                        (token, lang)).fetchall(), dtype=np.int64).reshape(-1, 3)
            rows, tfs, lengths = _unpack(old) if old else (np.zeros(0, np.int64),) * 3
            keep = ~np.isin(rows, gone) if len(gone) else slice(None)
            rows = np.concatenate([rows[keep], new[:, 0]])
            tfs, lengths = np.concatenate([tfs[keep], new[:, 1]]), np.concatenate([lengths[keep], new[:, 2]])
            if len(rows):
                db.execute("INSERT INTO postings VALUES (?, ?, ?, ?, ?) ON CONFLICT (token, lang) DO UPDATE SET "
                           "chunks = excluded.chunks, tfs = excluded.tfs, lengths = excluded.lengths",
                           (token, lang, rows.astype(np.int32).tobytes(), tfs.astype(np.int32).tobytes(),
                            lengths.astype(np.int32).tobytes()))
            else:
                db.execute("DELETE FROM postings WHERE token = ? AND lang = ?", (token, lang))
        for table in ("fresh", "gone", "dirty"):
            db.execute(f"DELETE FROM {table}")

    # reading
    def count(self) -> int:
        return int(self._db.execute("SELECT COALESCE(SUM(docs), 0) FROM stats").fetchone()[0])

    def ids(self) -> set[str]:
        return {i for (i,) in self._db.execute("SELECT id FROM chunks")}

    def languages(self) -> dict[str, int]:
        """Chunks per language."""
        return dict(self._db.execute("SELECT lang, docs FROM stats"))

    def df(self, tokens: Iterable[str]) -> dict[str, int]:
        """Chunks holding each token, over all languages (tokens held nowhere are left out)."""
        return dict(_select_in(self._db, "SELECT token, SUM(df) FROM terms WHERE token IN ({}) GROUP BY token",
                               list(dict.fromkeys(tokens))))

    def bm25(self, terms: Mapping[str, Sequence[str]]) -> Scores:
        """Per-language BM25: the chunks of each language scored with the query tokens for that language, with
        that language's statistics. Chunks that match no query token score 0."""
        db = self._db
        stats = {lang: (docs, tokens) for lang, docs, tokens in db.execute("SELECT lang, docs, tokens FROM stats")}
        gone = _gone(db)
        parts: list[tuple[np.ndarray, np.ndarray]] = []
        for lang, query in terms.items():
            if lang not in stats or not query:
                continue
            docs, tokens = stats[lang]
            for token in dict.fromkeys(query):
                df = (db.execute("SELECT df FROM terms WHERE token = ? AND lang = ?", (token, lang)).fetchone()
                      or (0,))[0]
                if df:
                    parts.append(self._term(db, token, (lang,), docs, tokens, df, gone))
        return Scores(self, parts)

    def bm25_all(self, query: Sequence[str]) -> Scores:
        """BM25 over all chunks as one index, whatever their language (the plain BM25 baseline)."""
        db = self._db
        docs, tokens = db.execute("SELECT COALESCE(SUM(docs), 0), COALESCE(SUM(tokens), 0) FROM stats").fetchone()
        gone = _gone(db)
        parts: list[tuple[np.ndarray, np.ndarray]] = []
        for token in dict.fromkeys(query) if docs else ():
            df = db.execute("SELECT COALESCE(SUM(df), 0) FROM terms WHERE token = ?", (token,)).fetchone()[0]
            if df:
                langs = [lang for (lang,) in db.execute("SELECT lang FROM terms WHERE token = ?", (token,))]
                parts.append(self._term(db, token, tuple(langs), docs, tokens, df, gone))
        return Scores(self, parts)

    def _term(self, db, token: str, langs: tuple[str, ...], docs: int, tokens: int, df: int, gone: np.ndarray):
        """One query token's BM25 contributions (Lucene's formula, as bm25s computes it): (chunk rows, scores);
        `gone` holds the rows of deleted chunks still in the packed arrays."""
        rows, tfs, lengths = [], [], []
        for lang in langs:
            packed = db.execute("SELECT chunks, tfs, lengths FROM postings WHERE token = ? AND lang = ?",
                                (token, lang)).fetchone()
            if packed:
                for out, arr in zip((rows, tfs, lengths), _unpack(packed), strict=True):
                    out.append(arr)
            new = np.asarray(db.execute("SELECT chunk, tf, length FROM fresh WHERE token = ? AND lang = ?",
                                        (token, lang)).fetchall(), dtype=np.int64).reshape(-1, 3)
            rows.append(new[:, 0])
            tfs.append(new[:, 1])
            lengths.append(new[:, 2])
        row, tf, length = (np.concatenate(x) for x in (rows, tfs, lengths))
        if len(gone) and len(row):
            keep = ~np.isin(row, gone)
            row, tf, length = row[keep], tf[keep], length[keep]
        idf = np.log(1 + (docs - df + 0.5) / (df + 0.5))
        tf = tf.astype(np.float64)
        norm = self.k1 * (1 - self.b + self.b * length / (tokens / docs))
        return row, idf * tf / (tf + norm)

    def _ids_of(self, rows: Sequence[int]) -> dict[int, str]:
        return dict(_select_in(self._db, "SELECT row, id FROM chunks WHERE row IN ({})", [int(r) for r in rows]))

    def _rows_of(self, ids: Sequence[str]) -> dict[str, int]:
        return dict(_select_in(self._db, "SELECT id, row FROM chunks WHERE id IN ({})", ids))

    def records(self, ids: Sequence[str]) -> dict[str, ChunkTerms]:
        out: dict[str, ChunkTerms] = {}
        for cid, source, lang, data in _select_in(
            self._db, "SELECT id, source, lang, data FROM chunks WHERE id IN ({})", list(dict.fromkeys(ids))
        ):
            found = json.loads(data)
            out[cid] = ChunkTerms(cid, source, lang, tuple(found["t"]), tuple(tuple(s) for s in found["s"]),
                                  tuple(found["n"]), found["x"], found["m"])
        return out

    def sentence_vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Each chunk's sentence vectors (n, dim) as written with it; chunks without them are left out."""
        return {
            cid: np.frombuffer(data, dtype=np.float32).reshape(-1, dim)
            for cid, dim, data in _select_in(
                self._db, "SELECT c.id, s.dim, s.data FROM chunks c JOIN svecs s ON s.chunk = c.row "
                "WHERE c.id IN ({})", list(dict.fromkeys(ids)))
        }

    def with_numbers(self, numbers: Iterable[str], k: int | None = None) -> dict[str, int]:
        """Chunk id -> how many of the numbers it holds, most first (the k first; chunks holding none are left
        out)."""
        numbers = list(dict.fromkeys(numbers))
        if not numbers:
            return {}
        best = self._db.execute(
            f"SELECT chunk, COUNT(*) AS n FROM numbers WHERE number IN ({_marks(len(numbers))}) "
            "GROUP BY chunk ORDER BY n DESC, chunk LIMIT ?", [*numbers, -1 if k is None else k]).fetchall()
        names = self._ids_of([r for r, _ in best])
        return {names[r]: n for r, n in best if r in names}

    def sync(self, store) -> int:
        """Make this index hold exactly the store's chunks (an index built before this file existed, or a Chroma
        server another machine writes to); returns the chunks added or removed. Reads only ids when in step."""
        mine = self.ids()
        listed = store.chunk_id_list()  # in the store's order, which is the order the chunks were written in
        theirs = set(listed)
        gone = sorted(mine - theirs)
        new = [i for i in listed if i not in mine]
        if gone:
            self.delete_ids(gone)
        for i in range(0, len(new), 2000):
            records = [chunk_terms(c.id, c.text, c.metadata) for c in store.get_chunks(new[i : i + 2000])]
            vectors = store.stored_sentence_vectors([r.id for r in records],
                                                    {r.id: len(r.sentences) for r in records})
            self.add(replace(r, vectors=vectors.get(r.id)) for r in records)
        return len(gone) + len(new)


class Scores:
    """BM25 scores of the chunks a query matches, held as arrays: naming every matched chunk would cost as much
    as the collection, so only the best ones and the ones asked for are named."""

    def __init__(self, index: LexicalIndex, parts: list[tuple[np.ndarray, np.ndarray]]):
        self.index = index
        if parts:
            rows = np.concatenate([r for r, _ in parts])
            # rows are small integers (SQLite's): one pass of bincount, no sort of the postings
            dense = np.bincount(rows, weights=np.concatenate([v for _, v in parts]))
            self.rows = np.flatnonzero(dense)
            self.scores = dense[self.rows]
        else:
            self.rows, self.scores = np.zeros(0, np.int64), np.zeros(0)

    def __len__(self) -> int:
        return int((self.scores > 0).sum())

    def max(self) -> float:
        return float(self.scores.max()) if len(self.scores) else 0.0

    def top(self, k: int) -> list[tuple[str, float]]:
        """The k best (id, score) pairs with score > 0, best first."""
        k = min(k, len(self))
        if k <= 0:
            return []
        kth = np.partition(self.scores, len(self.scores) - k)[len(self.scores) - k]
        best = np.flatnonzero(self.scores >= kth)  # ties at the k-th score: the earliest written chunks first
        best = best[np.lexsort((self.rows[best], -self.scores[best]))][:k]
        names = self.index._ids_of(self.rows[best])
        return [(names[int(self.rows[i])], float(self.scores[i])) for i in best if int(self.rows[i]) in names]

    def of(self, ids: Sequence[str]) -> dict[str, float]:
        """The scores of these chunks (0 for chunks the query does not match)."""
        rows = self.index._rows_of(ids)
        at = np.searchsorted(self.rows, [rows.get(i, -1) for i in ids]) if len(self.rows) else []
        out = {}
        for cid, pos in zip(ids, at, strict=False):
            hit = pos < len(self.rows) and self.rows[pos] == rows.get(cid, -1)
            out[cid] = float(self.scores[pos]) if hit else 0.0
        return out

    def as_dict(self) -> dict[str, float]:
        """Every matched chunk's score by id (costs a lookup per matched chunk: for tests and small indexes)."""
        return dict(self.top(len(self.rows)))


def _unpack(packed) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return tuple(np.frombuffer(b, dtype=np.int32).astype(np.int64) for b in packed)


def _gone(db: sqlite3.Connection) -> np.ndarray:
    """Rows of chunks deleted since the last compaction (their postings may still be packed)."""
    return np.fromiter((r for (r,) in db.execute("SELECT chunk FROM gone")), dtype=np.int64)


def _select_in(db: sqlite3.Connection, sql: str, values: Sequence, batch: int = 500) -> Iterator[tuple]:
    """Rows of `sql`, whose "IN ({})" takes the values, in batches (SQLite bounds the parameters of a query)."""
    values = list(values)
    for i in range(0, len(values), batch):
        part = values[i : i + batch]
        yield from db.execute(sql.format(_marks(len(part))), part)


def _marks(n: int) -> str:
    return ",".join("?" * n)
