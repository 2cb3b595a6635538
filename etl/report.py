"""A quick look and flat files: ``etl stats`` and ``etl export``.

Both only read the database, through a read-only sqlite3 connection (safe while a run writes:
WAL gives them a consistent snapshot), and work on any schema revision that has the contract
tables.  Deleted articles are left out of every count, as in the ``v_*`` views.
"""

from __future__ import annotations

import csv
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from etl.db import migrate

if TYPE_CHECKING:
    from etl.rules import Rules
    from etl.transform.memory import CorpusMemory

FORMATS = ("csv", "jsonl")


class ReportError(RuntimeError):
    """The database cannot be read, or an option names something it does not hold."""


@contextmanager
def read_only(db_path: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection to an existing etl database (clear errors otherwise)."""
    db_path = Path(db_path)
    if not db_path.exists():
        raise ReportError(f"{db_path} does not exist (build it first: etl run --db {db_path})")
    try:
        migrate.check_sqlite_file(db_path)
    except migrate.DatabaseError as exc:
        raise ReportError(str(exc)) from exc
    con = sqlite3.connect(f"file:{quote(str(db_path.resolve()))}?mode=ro", uri=True)
    try:
        con.execute("PRAGMA busy_timeout = 30000")
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
        if not {"articles", "paragraphs", "people", "mentions", "runs"} <= names:
            raise ReportError(f"{db_path} is not an etl database (no articles/people/mentions tables)")
        yield con
    except sqlite3.DatabaseError as exc:
        raise ReportError(f"{db_path}: {exc}") from exc
    finally:
        con.close()


def corpus_memory(db_path: Path, rules: "Rules") -> "CorpusMemory":
    """The database's corpus memory as ``etl run`` would clean a file with it now (read-only)."""
    from etl.db.load import stored_memory

    with read_only(db_path) as con:
        if not con.execute("SELECT 1 FROM sqlite_master WHERE name = 'outlet_line_fingerprints'").fetchone():
            raise ReportError(
                f"{db_path} was built by an older etl (no per-outlet corpus memory): "
                f"upgrade it first with: etl db upgrade --db {db_path}"
            )
        return stored_memory(con, rules)


# --------------------------------------------------------------------------- stats


@dataclass
class Stats:
    database: str
    revision: str | None
    counts: dict[str, int]
    last_run: dict | None
    newest_articles: list[dict] = field(default_factory=list)
    top_people: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


_COUNTS = {
    "articles": "SELECT count(*) FROM articles WHERE deleted_at IS NULL",
    "deleted_articles": "SELECT count(*) FROM articles WHERE deleted_at IS NOT NULL",
    "paragraphs": "SELECT count(*) FROM paragraphs p JOIN articles a ON a.id = p.article_id WHERE a.deleted_at IS NULL",
    "removed_segments": (
        "SELECT count(*) FROM removed_segments r JOIN articles a ON a.id = r.article_id WHERE a.deleted_at IS NULL"
    ),
    "people": "SELECT count(*) FROM people WHERE mention_count > 0",
    "mentions": "SELECT count(*) FROM mentions m JOIN articles a ON a.id = m.article_id WHERE a.deleted_at IS NULL",
    "outlets": "SELECT count(DISTINCT outlet) FROM articles WHERE deleted_at IS NULL",
    "runs": "SELECT count(*) FROM runs",
}


def _rows(cur: sqlite3.Cursor) -> list[dict]:
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def stats(db_path: Path, limit: int = 5) -> Stats:
    """Counts of live rows, the last run, the newest articles and the most mentioned people."""
    with read_only(db_path) as con:
        con.execute("BEGIN")  # one snapshot for every number
        counts = {name: con.execute(sql).fetchone()[0] for name, sql in _COUNTS.items()}
        try:
            revision = con.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        except (sqlite3.OperationalError, TypeError):
            revision = None
        last = _rows(
            con.execute(
                "SELECT id, status, started_at, finished_at, files_seen, files_failed FROM runs ORDER BY id DESC LIMIT 1"
            )
        )
        newest = _rows(
            con.execute(
                "SELECT published_at, outlet, title, source_path FROM articles WHERE deleted_at IS NULL "
                "ORDER BY published_at IS NULL, published_at DESC, source_path LIMIT ?",
                (limit,),
            )
        )
        top = _rows(
            con.execute(
                "SELECT name, mention_count AS mentions, article_count AS articles FROM people "
                "WHERE mention_count > 0 ORDER BY mention_count DESC, article_count DESC, name LIMIT ?",
                (limit,),
            )
        )
        con.execute("COMMIT")
    return Stats(str(db_path), revision, counts, last[0] if last else None, newest, top)


def _clip(text: str | None, width: int) -> str:
    text = text or "-"
    return text if len(text) <= width else text[: width - 1] + "…"


def format_stats(s: Stats) -> str:
    c = s.counts
    out = [f"{s.database} (schema {s.revision or 'unknown'})"]
    if s.last_run:
        r = s.last_run
        out.append(
            f"last run {r['id']}: {r['status']}, started {r['started_at']}, "
            f"{r['files_seen']} files seen, {r['files_failed']} failed"
        )
    out.append("")
    rows = [
        ("articles", c["articles"], f"{c['deleted_articles']} deleted, from {c['outlets']} outlets"),
        ("paragraphs", c["paragraphs"], ""),
        ("removed segments", c["removed_segments"], "see removed_segments.label and .reason"),
        ("people", c["people"], "mentioned in live articles"),
        ("mentions", c["mentions"], ""),
        ("runs", c["runs"], ""),
    ]
    width = max(len(str(n)) for _, n, _ in rows)
    for label, n, note in rows:
        out.append(f"  {label:<17}{n:>{width}}{'   (' + note + ')' if note else ''}")
    out.append("")
    out.append("newest articles:")
    for a in s.newest_articles:
        out.append(f"  {_clip(a['published_at'], 25):<25}  {_clip(a['outlet'], 18):<18}  {_clip(a['title'], 70)}")
    if not s.newest_articles:
        out.append("  (none)")
    out.append("")
    out.append("top people:")
    for p in s.top_people:
        out.append(f"  {p['mentions']:>6} mentions in {p['articles']:>4} articles  {p['name']}")
    if not s.top_people:
        out.append("  (none)")
    return "\n".join(out)


# --------------------------------------------------------------------------- export


@dataclass(frozen=True)
class Exported:
    name: str
    path: Path
    rows: int


def exportable(con: sqlite3.Connection) -> list[str]:
    """Tables and views worth exporting: not Alembic's, SQLite's, or the FTS indexes' internals."""
    objects = con.execute(
        "SELECT name, type, sql FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY type, name"
    ).fetchall()
    fts = [name for name, _, sql in objects if sql and sql.upper().startswith("CREATE VIRTUAL TABLE")]
    return [
        name
        for name, _, _ in objects
        if name != "alembic_version"
        and not name.startswith("sqlite_")
        and not any(name == f or name.startswith(f + "_") for f in fts)
    ]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _write(con: sqlite3.Connection, name: str, fmt: str, path: Path) -> int:
    cur = con.execute(f"SELECT * FROM {_quote(name)}")
    columns = [d[0] for d in cur.description]
    tmp = path.with_name(f".{path.name}.tmp")
    n = 0
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        if fmt == "csv":
            writer = csv.writer(fh)
            writer.writerow(columns)
            for row in cur:
                writer.writerow(row)
                n += 1
        else:
            for row in cur:
                fh.write(json.dumps(dict(zip(columns, row)), ensure_ascii=False) + "\n")
                n += 1
    os.replace(tmp, path)
    return n


def export(db_path: Path, fmt: str, output_dir: Path, tables: Iterable[str] = ()) -> list[Exported]:
    """Write each table or view (default: all of them) to ``output_dir/<name>.<fmt>``.

    CSV files have a header row and RFC 4180 quoting (NULL is an empty field); JSONL files hold
    one JSON object per row (NULL is null).  All files come from one consistent snapshot.
    """
    if fmt not in FORMATS:
        raise ReportError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    output_dir = Path(output_dir)
    with read_only(db_path) as con:
        available = exportable(con)
        wanted = list(dict.fromkeys(tables)) or available
        unknown = [t for t in wanted if t not in available]
        if unknown:
            raise ReportError(
                f"no table or view named {', '.join(unknown)} in {db_path}; choose from: {', '.join(available)}"
            )
        try:
            output_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ReportError(f"cannot create {output_dir}: {exc.strerror}") from exc
        if not os.access(output_dir, os.W_OK):
            raise ReportError(f"cannot write to {output_dir}")
        con.execute("BEGIN")  # one snapshot for every file
        done = [Exported(name, output_dir / f"{name}.{fmt}", 0) for name in wanted]
        done = [Exported(e.name, e.path, _write(con, e.name, fmt, e.path)) for e in done]
        con.execute("COMMIT")
    return done
