"""Helpers for the operational tests: run ``etl`` as a real process, check and dump a database.

``canonical_dump`` defines what "the same result" means for the crash, ``--jobs`` and
incremental tests:

* ``articles``: id, source_path, title, published_at, sha256, encoding, word_count,
  paragraph_count, rules_version and whether it is live, in id order.  Article ids are kept stable
  (an article keeps its id when re-cleaned or replaced, and a rolled-back insert reuses no id), so
  they are compared too.
* ``paragraphs``: (source_path, position, kind, text): paragraph ids are not compared, because
  re-cleaning an article deletes and re-inserts its paragraphs.
* ``removed``: (source_path, line_start, line_end, label, reason, text) of removed segments.
* ``people``: the sorted list of names (with their mention and article counts); person ids are
  not compared: they depend on the order in which articles were resolved.
* ``mentions``: (source_path, paragraph position, char_start, char_end, surface, person name).
* ``memory``: the corpus memory, (fingerprint, article_count, frequent).

Run history (``runs``, ``failures``), timestamps and ``mtime_ns`` are history, not result, and
are left out.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ETL = [sys.executable, "-c", "from etl.cli import cli; cli()"]


def etl_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("ETL_INPUT", None)
    env.pop("ETL_DB", None)
    env.update(extra)
    return env


def etl_cmd(*args: str | os.PathLike) -> list[str]:
    return [*ETL, *map(str, args)]


def run_etl(*args: str | os.PathLike, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """``etl ARGS`` as a real process; returns the completed process (text output)."""
    return subprocess.run(
        etl_cmd(*args), cwd=cwd, env=etl_env(), capture_output=True, text=True, timeout=timeout
    )


def start_etl(*args: str | os.PathLike, cwd: Path | None = None, **kw) -> subprocess.Popen:  # noqa: ANN003
    """``etl ARGS`` started in its own session (so its pool workers can be found and reaped)."""
    return subprocess.Popen(
        etl_cmd(*args), cwd=cwd, env=etl_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, start_new_session=True, **kw,
    )


def connect(db: Path) -> sqlite3.Connection:
    con = sqlite3.connect(db, timeout=30)
    return con


def rows(db: Path, sql: str, params: tuple = ()) -> list[tuple]:
    con = connect(db)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def consistency_problems(db: Path) -> list[str]:
    """Everything a crash must never leave behind; [] when the database is consistent."""
    con = connect(db)
    problems: list[str] = []
    try:
        integrity = con.execute("PRAGMA integrity_check").fetchall()
        if integrity != [("ok",)]:
            problems.append(f"integrity_check: {integrity[:5]}")
        fk = con.execute("PRAGMA foreign_key_check").fetchall()
        if fk:
            problems.append(f"foreign_key_check: {fk[:5]}")
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "articles" not in tables:
            return problems
        half = con.execute(
            "SELECT a.source_path, a.paragraph_count, (SELECT count(*) FROM paragraphs p "
            "WHERE p.article_id = a.id AND p.kind IN ('body', 'heading')) AS n "
            "FROM articles a WHERE a.paragraph_count != n"
        ).fetchall()
        if half:
            problems.append(f"articles without all their paragraphs: {half[:5]}")
        bad_offsets = con.execute(
            "SELECT m.id FROM mentions m JOIN paragraphs p ON p.id = m.paragraph_id "
            "WHERE substr(p.text, m.char_start + 1, m.char_end - m.char_start) != m.surface "
            "OR p.article_id != m.article_id"
        ).fetchall()
        if bad_offsets:
            problems.append(f"mentions not matching their paragraph: {bad_offsets[:5]}")
        memory = con.execute(
            "SELECT f.fingerprint, f.article_count, (SELECT count(*) FROM article_fingerprints af "
            "JOIN articles a ON a.id = af.article_id WHERE af.fingerprint = f.fingerprint "
            "AND a.deleted_at IS NULL) AS n FROM line_fingerprints f WHERE f.article_count != n"
        ).fetchall()
        if memory:
            problems.append(f"corpus memory counts off: {memory[:5]}")
        people = con.execute(
            "SELECT p.id, p.name, p.mention_count, (SELECT count(*) FROM mentions m JOIN articles a "
            "ON a.id = m.article_id WHERE m.person_id = p.id AND a.deleted_at IS NULL) AS n "
            "FROM people p WHERE p.mention_count != n"
        ).fetchall()
        if people:
            problems.append(f"people mention counts off: {people[:5]}")
        if "paragraphs_fts" in tables:
            try:  # rank 1: the index is compared with the paragraphs themselves
                con.execute("INSERT INTO paragraphs_fts (paragraphs_fts, rank) VALUES ('integrity-check', 1)")
            except sqlite3.DatabaseError as exc:
                problems.append(f"paragraphs_fts out of step with paragraphs: {exc}")
        if "paragraphs_fts_pending" in tables:
            (pending,) = con.execute("SELECT count(*) FROM paragraphs_fts_pending").fetchone()
            if pending:
                problems.append(f"{pending} articles left waiting for the full-text index")
    finally:
        con.close()
    return problems


def canonical_dump(db: Path) -> dict[str, list]:
    """The result of the runs that built ``db``, without history; see the module docstring."""
    con = connect(db)
    try:
        q = lambda sql: [tuple(r) for r in con.execute(sql).fetchall()]  # noqa: E731
        return {
            "articles": q(
                "SELECT id, source_path, title, published_at, sha256, encoding, word_count, paragraph_count, "
                "rules_version, deleted_at IS NULL FROM articles ORDER BY id"
            ),
            "paragraphs": q(
                "SELECT a.source_path, p.position, p.kind, p.text FROM paragraphs p "
                "JOIN articles a ON a.id = p.article_id ORDER BY a.source_path, p.position"
            ),
            "removed": q(
                "SELECT a.source_path, r.line_start, r.line_end, r.label, r.reason, r.text FROM removed_segments r "
                "JOIN articles a ON a.id = r.article_id ORDER BY a.source_path, r.line_start, r.label"
            ),
            "people": q("SELECT name, mention_count, article_count FROM people ORDER BY name, mention_count"),
            "mentions": q(
                "SELECT a.source_path, p.position, m.char_start, m.char_end, m.surface, pe.name "
                "FROM mentions m JOIN paragraphs p ON p.id = m.paragraph_id JOIN articles a ON a.id = m.article_id "
                "JOIN people pe ON pe.id = m.person_id ORDER BY a.source_path, p.position, m.char_start"
            ),
            "memory": q("SELECT fingerprint, article_count, frequent FROM line_fingerprints ORDER BY fingerprint"),
        }
    finally:
        con.close()


def diff_dumps(a: dict[str, list], b: dict[str, list]) -> list[str]:
    """Human-readable differences between two canonical dumps ([] when equal)."""
    out = []
    for key in a:
        if a[key] != b[key]:
            only_a = [r for r in a[key] if r not in set(b[key])][:3]
            only_b = [r for r in b[key] if r not in set(a[key])][:3]
            out.append(f"{key}: {len(a[key])} vs {len(b[key])} rows; only in first {only_a}; only in second {only_b}")
    return out


def table_counts(db: Path) -> dict[str, int]:
    con = connect(db)
    try:
        names = [
            r[0]
            for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                "AND name NOT LIKE '%fts%' ORDER BY name"
            )
        ]
        return {n: con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        con.close()
