"""Load: write one transformed article's rows, replacing any earlier version of it.

The caller owns the transaction (the pipeline batches several articles per transaction); every
function here leaves the database consistent at article granularity, so a reader, or a crash,
never sees half an article.  Rows go in with ``executemany`` on the driver, not ORM objects.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import Connection

from etl import resolve
from etl.db.engine import insert_rows
from etl.records import CONTENT_LABELS, Article
from etl.rules import Rules
from etl.transform.memory import CorpusMemory, outlet_snapshot


def raw(conn: Connection):  # noqa: ANN201 - the sqlite3 connection under SQLAlchemy
    """The DB-API connection, inside the caller's transaction: no per-statement SQLAlchemy overhead."""
    return conn.connection.dbapi_connection


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """What the database knows about a file, for the unchanged check."""

    id: int
    size_bytes: int
    mtime_ns: int
    sha256: str
    rules_version: str
    deleted: bool


def stored_article(conn: Connection, source_path: str) -> StoredArticle | None:
    row = conn.exec_driver_sql(
        "SELECT id, size_bytes, mtime_ns, sha256, rules_version, deleted_at IS NOT NULL "
        "FROM articles WHERE source_path = ?",
        (source_path,),
    ).first()
    return StoredArticle(row[0], row[1], row[2], row[3], row[4], bool(row[5])) if row else None


_STORED = "SELECT id, size_bytes, mtime_ns, sha256, rules_version, deleted_at IS NOT NULL, source_path FROM articles "


class StoredFolders:
    """:func:`stored_article` for the files of a sorted, depth-first walk, in a few queries.

    The stored articles of a folder's own files (not its subfolders') are fetched in pages of
    ``page`` rows in ``source_path`` order, as the walk reaches them.  A row stays in memory from
    its page's fetch until its file is looked up (or the walk leaves the folder), so memory is
    bounded by a page per folder on the walk's current path, plus the rows of files that vanished.
    A file looked up out of order (a name whose escapes sort differently) is still found: every row
    up to the highest fetched path stays until it is looked up.
    """

    def __init__(self, conn: Connection, page: int = 1000) -> None:
        self.conn = conn
        self.page = page
        # folder prefix ("" or "a/b/") -> [rows by source_path, highest path fetched, exhausted]
        self.folders: dict[str, list] = {}

    def get(self, source_path: str) -> StoredArticle | None:
        folder = source_path[: source_path.rfind("/") + 1]
        state = self.folders.get(folder)
        if state is None:
            # depth first: the walk never comes back to a folder that is not on its current path
            self.folders = {f: st for f, st in self.folders.items() if folder.startswith(f)}
            state = self.folders[folder] = [{}, folder, False]
        rows = state[0]
        while not state[2] and source_path > state[1]:
            self._fetch(folder, state)
        row = rows.pop(source_path, None)
        return StoredArticle(row[0], row[1], row[2], row[3], row[4], bool(row[5])) if row else None

    def _fetch(self, folder: str, state: list) -> None:
        upper = folder[:-1] + chr(ord("/") + 1) if folder else chr(0x10FFFF)
        fetched = raw(self.conn).execute(
            _STORED + "WHERE source_path > ? AND source_path < ? AND instr(substr(source_path, ?), '/') = 0 "
            "ORDER BY source_path LIMIT ?",
            (state[1], upper, len(folder) + 1, self.page),
        ).fetchall()
        for row in fetched:
            state[0][row[6]] = row
        if len(fetched) < self.page:
            state[2] = True
        else:
            state[1] = fetched[-1][6]


#: The ``articles`` columns an article's write sets, in the order of :func:`_article_values`.
_ARTICLE_COLUMNS = (
    "source_path", "title", "published_at", "dateline", "outlet", "authors", "word_count", "paragraph_count",
    "sha256", "size_bytes", "mtime_ns", "encoding", "raw_text", "rules_version", "run_id",
)
_INSERT_ARTICLE = (
    f"INSERT INTO articles ({', '.join(_ARTICLE_COLUMNS)}, first_run_id) "
    f"VALUES ({', '.join('?' for _ in _ARTICLE_COLUMNS)}, ?)"
)
_UPDATE_ARTICLE = (
    f"UPDATE articles SET {', '.join(f'{c} = ?' for c in _ARTICLE_COLUMNS)}, deleted_at = NULL, deleted_run_id = NULL "
    "WHERE id = ?"
)
_AUTHOR_ROLES = ("author", "reporter")


def _article_values(article: Article, run_id: int) -> tuple:
    """The values of :data:`_ARTICLE_COLUMNS` for the article's row."""
    meta = article.metadata
    raw_doc = article.raw
    authors = [c.name for c in meta.credits if c.role in _AUTHOR_ROLES]
    return (
        raw_doc.source_path,
        meta.title,
        meta.published_at,
        meta.dateline,
        meta.outlet,
        "; ".join(dict.fromkeys(authors)) or None,
        article.word_count,
        sum(1 for p in article.paragraphs if p.kind in CONTENT_LABELS),
        raw_doc.sha256,
        raw_doc.size_bytes,
        raw_doc.mtime_ns,
        raw_doc.encoding,
        raw_doc.text,
        article.rules_version,
        run_id,
    )


def write_article(
    conn: Connection, article: Article, run_id: int, article_id: int | None, batched: bool = False
) -> int:
    """Insert a new article, or replace the rows of ``article_id``; returns the article id.

    Replacing keeps the article's id, so analysts' saved links stay valid.  A soft-deleted article
    that is written again is revived.  ``batched``: the article is one of a batch whose caller
    runs :func:`finish_batch` before it commits; the work that is cheaper once per batch than once
    per article (full-text indexing, corpus-memory and alias counts, people's names) waits for it.
    """
    values = _article_values(article, run_id)
    db = raw(conn)
    if article_id is None:
        article_id = db.execute(_INSERT_ARTICLE, (*values, run_id)).lastrowid
    else:
        clear_article(conn, article_id)
        db.execute(_UPDATE_ARTICLE, (*values, article_id))
    _insert_children(conn, db, article_id, article, run_id, batched)
    return article_id


@dataclass
class _Batch:
    """What a batch's articles leave for :func:`finish_batch` (besides the full-text index, which
    waits in the database: see :func:`index_pending_paragraphs`)."""

    people: resolve.Later = field(default_factory=resolve.Later)
    #: line fingerprint -> (articles to add, sample text), in the order first seen
    fingerprints: dict[str, tuple[int, str]] = field(default_factory=dict)
    #: (outlet, line fingerprint) -> the outlet's articles to add, in the order first seen
    outlet_fingerprints: dict[tuple[str, str], int] = field(default_factory=dict)

    def copy(self) -> "_Batch":
        return _Batch(self.people.copy(), dict(self.fingerprints), dict(self.outlet_fingerprints))


#: ``Connection.info`` key of the connection's current :class:`_Batch`.
_BATCH = "etl_batch"


def start_batch(conn: Connection) -> None:
    """Start a batch of ``batched`` writes (forgetting what a rolled back attempt left waiting)."""
    conn.info[_BATCH] = _Batch()
    resolve.arm_cache(conn)


def batch_mark(conn: Connection) -> object:
    """What waits now, to go back to with :func:`batch_rollback` when an article's savepoint is
    rolled back (the rows it wrote are gone, so must be the counts it left waiting)."""
    batch = conn.info.get(_BATCH)
    return batch.copy() if batch is not None else None


def batch_rollback(conn: Connection, mark: object) -> None:
    resolve.cache_rolled_back(conn)
    if mark is None:
        conn.info.pop(_BATCH, None)
    else:
        conn.info[_BATCH] = mark


def finish_batch(conn: Connection) -> None:
    """Do the work the batch's articles left for its end; run inside the batch's transaction."""
    index_pending_paragraphs(conn)
    _settle(conn)
    conn.info.pop(_BATCH, None)
    resolve.disarm_cache(conn)


def _settle(conn: Connection) -> None:
    """Write the counts and names waiting in the batch, before anything reads or changes them."""
    batch = conn.info.get(_BATCH)
    if batch is None:
        return
    if batch.fingerprints:
        insert_rows(
            raw(conn),
            "INSERT INTO line_fingerprints (fingerprint, article_count, sample, frequent)",
            [(fp, n, sample, 0) for fp, (n, sample) in batch.fingerprints.items()],
            " ON CONFLICT (fingerprint) DO UPDATE SET article_count = article_count + excluded.article_count",
        )
        batch.fingerprints = {}
    if batch.outlet_fingerprints:
        _add_outlet_counts(raw(conn), [(o, fp, n) for (o, fp), n in batch.outlet_fingerprints.items()])
        batch.outlet_fingerprints = {}
    batch.people.flush(conn)


def index_pending_paragraphs(conn: Connection) -> None:
    """Add the paragraphs of the articles written ``batched`` to ``paragraphs_fts``.

    One statement for a whole batch: FTS5 writes an index segment per statement, so indexing each
    article's paragraphs as they are inserted (the trigger) costs several times more.  See
    migration 0005.
    """
    db = raw(conn)
    db.execute(
        "INSERT INTO paragraphs_fts (rowid, text) SELECT id, text FROM paragraphs "
        "WHERE article_id IN (SELECT article_id FROM paragraphs_fts_pending) ORDER BY id"
    )
    db.execute("DELETE FROM paragraphs_fts_pending")


def clear_article(conn: Connection, article_id: int) -> None:
    """Remove an article's derived rows (not the article itself), keeping counts right.

    Counts (people, corpus memory) cover live articles only: a soft-deleted article's lines were
    already uncounted when it was marked deleted, so they are not uncounted twice.
    """
    batch = conn.info.get(_BATCH)
    if batch is not None:
        # forget_article reads and changes people's aliases and counts: what waits for them is written
        # first.  The line counts waiting need not be: the article's lines are uncounted where they wait
        batch.people.flush(conn)
    live = _is_live(conn, article_id)
    resolve.forget_article(conn, article_id, live)  # its mentions are gone after it
    if live:
        if batch is not None:
            _uncount_lines(conn, article_id, batch)
        else:
            _count_fingerprints(conn, article_id, -1)
    db = raw(conn)
    for table in ("article_fingerprints", "paragraphs", "removed_segments", "article_credits"):
        db.execute(f"DELETE FROM {table} WHERE article_id = ?", (article_id,))


def _uncount_lines(conn: Connection, article_id: int, batch: _Batch) -> None:
    """``_count_fingerprints(conn, article_id, -1)`` without writing the batch's waiting counts first.

    A line whose count waits in the batch is uncounted there (its row gets the sum at the batch's
    end; a new row is still inserted where it would have been, as the waiting lines keep their
    order); the others are uncounted in the table.  The counts end up as settling first gives.
    """
    db = raw(conn)
    fps = [r[0] for r in db.execute("SELECT fingerprint FROM article_fingerprints WHERE article_id = ?", (article_id,))]
    if not fps:
        return
    waiting = batch.fingerprints
    stored = []
    for fp in fps:
        got = waiting.get(fp)
        if got is None:
            stored.append(fp)
        else:
            waiting[fp] = (got[0] - 1, got[1])
    outlet = db.execute("SELECT outlet FROM articles WHERE id = ?", (article_id,)).fetchone()[0]
    stored_in_outlet = []
    if outlet is not None:
        in_outlet = batch.outlet_fingerprints
        for fp in fps:
            key = (outlet, fp)
            got = in_outlet.get(key)
            if got is None:
                stored_in_outlet.append(fp)
            else:
                in_outlet[key] = got - 1
    for start in range(0, max(len(stored), len(stored_in_outlet)), 400):  # SQLite's limit on bound variables
        part = stored[start : start + 400]
        if part:
            db.execute(
                f"UPDATE line_fingerprints SET article_count = article_count - 1 "
                f"WHERE fingerprint IN ({','.join('?' * len(part))})",
                part,
            )
        part = stored_in_outlet[start : start + 400]
        if part:
            db.execute(
                f"UPDATE outlet_line_fingerprints SET article_count = article_count - 1 "
                f"WHERE outlet = ? AND fingerprint IN ({','.join('?' * len(part))})",
                (outlet, *part),
            )


def _insert_children(
    conn: Connection, db, article_id: int, article: Article, run_id: int, batched: bool  # noqa: ANN001 - sqlite3
) -> None:
    if batched:
        # after clear_article: the old paragraphs were indexed, and their deletion has updated the index
        db.execute("INSERT OR IGNORE INTO paragraphs_fts_pending (article_id) VALUES (?)", (article_id,))
    # the new paragraphs' ids come back from the insert (the article has no other paragraphs: it is new or cleared)
    paragraph_ids = insert_rows(
        db,
        "INSERT INTO paragraphs (article_id, position, kind, text, line_start, line_end)",
        [(article_id, p.position, p.kind, p.text, p.line_start, p.line_end) for p in article.paragraphs],
        returning="position, id" if article.mentions else "",
    )
    insert_rows(
        db,
        "INSERT INTO removed_segments (article_id, line_start, line_end, label, reason, text)",
        [
            (article_id, s.segment.line_start, s.segment.line_end, s.label, s.reason, s.segment.text)
            for s in article.removed
        ],
    )
    insert_rows(
        db,
        "INSERT INTO article_credits (article_id, name, role, line)",
        [(article_id, c.name, c.role, c.line) for c in article.metadata.credits],
    )
    batch = None
    if batched:
        batch = conn.info.get(_BATCH)
        if batch is None:
            batch = conn.info[_BATCH] = _Batch()
    _insert_fingerprints(db, article_id, article, batch)
    if article.mentions:
        # live: write_article has just set deleted_at NULL (insert or revive)
        resolve.resolve_article(
            conn, article_id, article.people, article.mentions, dict(paragraph_ids), run_id, True,
            later=batch.people if batch is not None else None,
        )


def _insert_fingerprints(db, article_id: int, article: Article, batch: _Batch | None) -> None:  # noqa: ANN001
    samples = {}
    for fp, seg in zip(article.fingerprints, article.segments):
        if fp and fp not in samples:
            samples[fp] = seg.segment.text
    if not samples:
        return
    insert_rows(db, "INSERT INTO article_fingerprints (article_id, fingerprint)", [(article_id, fp) for fp in samples])
    outlet = article.metadata.outlet
    if batch is not None:  # counted once per batch (boilerplate lines recur across it)
        waiting = batch.fingerprints
        for fp, text in samples.items():
            got = waiting.get(fp)
            waiting[fp] = (got[0] + 1, got[1]) if got else (1, text[:500])
        if outlet is not None:
            in_outlet = batch.outlet_fingerprints
            for fp in samples:
                key = (outlet, fp)
                in_outlet[key] = in_outlet.get(key, 0) + 1
        return
    insert_rows(
        db,
        "INSERT INTO line_fingerprints (fingerprint, article_count, sample, frequent)",
        [(fp, 1, text[:500], 0) for fp, text in samples.items()],
        " ON CONFLICT (fingerprint) DO UPDATE SET article_count = article_count + 1",
    )
    if outlet is not None:
        _add_outlet_counts(db, [(outlet, fp, 1) for fp in samples])


def _add_outlet_counts(db, rows: list[tuple[str, str, int]]) -> None:  # noqa: ANN001 - the sqlite3 connection
    """Add (outlet, fingerprint, articles) to the per-outlet counts."""
    insert_rows(
        db,
        "INSERT INTO outlet_line_fingerprints (outlet, fingerprint, article_count, frequent_sentence)",
        [(outlet, fp, n, 0) for outlet, fp, n in rows],
        " ON CONFLICT (outlet, fingerprint) DO UPDATE SET article_count = article_count + excluded.article_count",
    )


def stored_memory(db, rules: Rules) -> CorpusMemory:  # noqa: ANN001 - any DB-API connection
    """The corpus memory as stored: the lines whose live-article count reaches
    :meth:`CorpusMemory.threshold` (in an outlet: :meth:`CorpusMemory.outlet_threshold`), and the
    numbers of live articles (``db``: the run's connection or an analyst's read-only one)."""
    # (``article_count >= 2`` lets SQLite range over the partial index of recurring lines: see
    # migration 0007; every threshold is at least 2)
    rows = db.execute(
        "SELECT fingerprint, article_count FROM line_fingerprints WHERE article_count >= 2 AND article_count >= ?",
        (CorpusMemory.threshold(rules),),
    ).fetchall()
    total = db.execute("SELECT count(*) FROM articles WHERE deleted_at IS NULL").fetchone()[0]
    totals = outlet_totals(db)
    outlet_counts = outlet_snapshot(
        db.execute(
            "SELECT outlet, fingerprint, article_count FROM outlet_line_fingerprints "
            "WHERE article_count >= 2 AND article_count >= ?",
            (CorpusMemory.outlet_threshold(rules),),
        ),
        totals,
        rules,
    )
    return CorpusMemory.from_counts(dict(rows), total_articles=total, outlet_counts=outlet_counts, outlet_totals=totals)


def outlet_totals(db) -> dict[str, int]:  # noqa: ANN001 - any DB-API connection
    """Live articles per outlet (articles whose outlet the text tells).

    Counted from the indexes: all articles per outlet less the deleted ones, instead of reading
    every live article's row (10-13 ms at 10,000 articles; the run reads this on every re-run)."""
    totals = dict(db.execute("SELECT outlet, count(*) FROM articles WHERE outlet IS NOT NULL GROUP BY outlet"))
    for outlet, deleted in db.execute(
        "SELECT outlet, count(*) FROM articles WHERE id IN (SELECT id FROM articles WHERE deleted_at IS NOT NULL)"
        " AND outlet IS NOT NULL GROUP BY outlet"
    ):
        totals[outlet] -= deleted
    return {outlet: n for outlet, n in totals.items() if n > 0}


def _is_live(conn: Connection, article_id: int) -> bool:
    row = raw(conn).execute("SELECT deleted_at IS NULL FROM articles WHERE id = ?", (article_id,)).fetchone()
    return bool(row and row[0])


def _count_fingerprints(conn: Connection, article_id: int, delta: int) -> None:
    """Count a stored article's lines in (+1) or out (-1), in the corpus and in its outlet."""
    _settle(conn)
    db = raw(conn)
    db.execute(
        "UPDATE line_fingerprints SET article_count = article_count + ? "
        "WHERE fingerprint IN (SELECT fingerprint FROM article_fingerprints WHERE article_id = ?)",
        (delta, article_id),
    )
    db.execute(
        "UPDATE outlet_line_fingerprints SET article_count = article_count + ?1 "
        "WHERE outlet = (SELECT outlet FROM articles WHERE id = ?2) "
        "AND fingerprint IN (SELECT fingerprint FROM article_fingerprints WHERE article_id = ?2)",
        (delta, article_id),
    )


def mark_deleted(conn: Connection, article_ids: Iterable[int], run_id: int) -> int:
    """Soft-delete articles whose file disappeared; their rows stay for history."""
    now = utc_now()
    done = []
    for article_id in article_ids:
        if not _is_live(conn, article_id):
            continue
        _count_fingerprints(conn, article_id, -1)
        conn.exec_driver_sql(
            "UPDATE articles SET deleted_at = ?, deleted_run_id = ? WHERE id = ?", (now, run_id, article_id)
        )
        done.append(article_id)
    for start in range(0, len(done), 500):  # keep under SQLite's limit on bound variables
        resolve.refresh_counts(conn, done[start : start + 500])
    return len(done)


def revive(conn: Connection, article_id: int, mtime_ns: int, run_id: int) -> None:
    """A deleted article's file is back with the same content: make it live again."""
    if _is_live(conn, article_id):
        return
    _count_fingerprints(conn, article_id, +1)
    conn.exec_driver_sql(
        "UPDATE articles SET deleted_at = NULL, deleted_run_id = NULL, mtime_ns = ?, run_id = ? WHERE id = ?",
        (mtime_ns, run_id, article_id),
    )
    resolve.refresh_counts(conn, [article_id])


def touch(conn: Connection, article_id: int, mtime_ns: int) -> None:
    """Same content under a new mtime: remember the mtime so the next stat check is enough."""
    raw(conn).execute("UPDATE articles SET mtime_ns = ? WHERE id = ?", (mtime_ns, article_id))
