"""Databases for the analyst-facing tests (views, FTS, queries, docs, stats/export, Datasette).

- :func:`build_sample_db`: the migrated schema with a small hand-made corpus whose every count is
  known, including a deleted article (the views must leave it out) and a person mentioned only
  there.  Rows go in with plain sqlite3, as a SQL client would write them.
- :func:`seeds_db`: the database ``etl run`` builds from the repository's ``seeds/``, made once per
  test session through the CLI (click's CliRunner) and shared read-only.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from etl.db import migrate

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"

# id, source_path, title, published_at, outlet, deleted_at
ARTICLES = [
    (1, "reuters/milley-gerasimov.txt", "Top U.S., Russian generals speak for first time since Ukraine invasion",
     "2022-05-19T17:52:00+00:00", "Reuters", None),
    (2, "fox/milley-call.txt", "Milley speaks with Russian counterpart for first time", "2022-05-19", "Fox News", None),
    (3, "kyivpost/zaluzhnyi-milley.txt", "Zaluzhnyi speaks with US counterpart Milley",
     "2022-11-18T11:12:00+00:00", "Kyiv Post", None),
    (4, "reuters/gone.txt", "An article whose file disappeared", "2022-12-01", "Reuters",
     "2023-01-05T00:00:00+00:00"),
]

# id, name, given_name, family_name, name_key
PEOPLE = [
    (1, "Mark Milley", "Mark", "Milley", "milley"),
    (2, "Valery Gerasimov", "Valery", "Gerasimov", "gerasimov"),
    (3, "Lloyd Austin", "Lloyd", "Austin", "austin"),
    (4, "Valerii Zaluzhnyi", "Valerii", "Zaluzhnyi", "zaluzhnyi"),
    (5, "Olena Ghost", "Olena", "Ghost", "ghost"),  # mentioned only in the deleted article
]

# article_id, position, kind, text, [(person_id, surface), ...] in order of appearance
PARAGRAPHS = [
    (1, 0, "body", "General Mark Milley spoke by telephone with Valery Gerasimov, the Pentagon said.",
     [(1, "Mark Milley"), (2, "Valery Gerasimov")]),
    (1, 1, "heading", "Milley testifies before Senate panel", [(1, "Milley")]),
    (1, 2, "body", "The call came after Lloyd Austin spoke with his counterpart.", [(3, "Lloyd Austin")]),
    (1, 3, "caption", "Milley in Washington. (Reuters photo)", [(1, "Milley")]),
    (2, 0, "body", "Gen. Mark Milley spoke with Gerasimov on Thursday, and Millie later briefed Austin.",
     [(1, "Mark Milley"), (2, "Gerasimov"), (1, "Millie"), (3, "Austin")]),
    (2, 1, "body", "Neither official had spoken with Russian counterparts since February.", []),
    (3, 0, "body", "General Valerii Zaluzhnyi discussed missile attacks with General Mark Milley.",
     [(4, "Valerii Zaluzhnyi"), (1, "Mark Milley")]),
    (3, 1, "body", "Milley assured Zaluzhny that support would continue.", [(1, "Milley"), (4, "Zaluzhny")]),
    (4, 0, "body", "Olena Ghost met Mark Milley and Lloyd Austin in a café.",
     [(5, "Olena Ghost"), (1, "Mark Milley"), (3, "Lloyd Austin")]),
]

# article_id, line_start, label, reason, text
REMOVED = [
    (1, 0, "title", "headline-shaped first line", ARTICLES[0][2]),
    (1, 2, "dateline", "parsed as a date", "Updated: May 19, 2022, 17:52 UTC"),
    (1, 3, "byline", "starts with 'By'", "By: Reuters"),
    (1, 9, "credit", "reporting credit in parentheses", "(Reporting by Idrees Ali and Phil Stewart)"),
    (1, 10, "boilerplate", "advertisement marker", "Advertisement"),
    (1, 11, "boilerplate", "author blurb", "About the Author"),
    (2, 0, "title", "headline-shaped first line", ARTICLES[1][2]),
    (2, 2, "duplicate", "repeats line 0", ARTICLES[1][2]),
    (2, 8, "boilerplate", "app promotion", "CLICK HERE TO GET THE FOX NEWS APP"),
    (3, 0, "title", "headline-shaped first line", ARTICLES[2][2]),
    (3, 2, "dateline", "parsed as a date", "18 November 2022, 11:12 AM"),
    (4, 0, "title", "headline-shaped first line", ARTICLES[3][2]),
]


def build_sample_db(path: Path) -> Path:
    """Migrate ``path`` to head and fill it with the small known corpus above."""
    migrate.upgrade(path)
    con = sqlite3.connect(path)
    con.execute("PRAGMA foreign_keys = ON")
    con.execute(
        "INSERT INTO runs (id, started_at, finished_at, status, input_dir, etl_version, rules_version, "
        "files_seen, files_new, files_changed, files_unchanged, files_failed, files_deleted, "
        "articles_recleaned, articles, paragraphs, people, mentions) "
        "VALUES (1, '2023-01-05T00:00:00+00:00', '2023-01-05T00:00:09+00:00', 'succeeded', '/data/in', "
        "'0.1.0', 'r1', 4, 4, 0, 0, 0, 1, 0, 3, 8, 5, 13)"
    )
    for aid, source_path, title, published_at, outlet, deleted_at in ARTICLES:
        con.execute(
            "INSERT INTO articles (id, source_path, title, published_at, outlet, word_count, paragraph_count, "
            "sha256, size_bytes, mtime_ns, encoding, raw_text, rules_version, first_run_id, run_id, deleted_at, "
            "deleted_run_id) VALUES (?, ?, ?, ?, ?, 0, 0, ?, 100, 1, 'utf-8', ?, 'r1', 1, 1, ?, ?)",
            (aid, source_path, title, published_at, outlet, f"{aid:064d}", title, deleted_at,
             1 if deleted_at else None),
        )
    for pid, name, given, family, key in PEOPLE:
        con.execute(
            "INSERT INTO people (id, name, given_name, family_name, name_key, mention_count, article_count, "
            "curated, first_run_id) VALUES (?, ?, ?, ?, ?, 0, 0, 0, 1)",
            (pid, name, given, family, key),
        )
    aliases: dict[tuple[int, str], int] = {}
    for article_id, position, kind, text, mentions in PARAGRAPHS:
        cur = con.execute(
            "INSERT INTO paragraphs (article_id, position, kind, text, line_start, line_end) VALUES (?, ?, ?, ?, ?, ?)",
            (article_id, position, kind, text, position + 4, position + 4),
        )
        paragraph_id = cur.lastrowid
        start = 0
        for person_id, surface in mentions:
            char_start = text.index(surface, start)
            start = char_start + len(surface)
            full = next(p[1] for p in PEOPLE if p[0] == person_id)
            con.execute(
                "INSERT INTO mentions (person_id, paragraph_id, article_id, char_start, char_end, surface, "
                "article_name) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (person_id, paragraph_id, article_id, char_start, start, surface, full),
            )
            aliases[(person_id, surface)] = aliases.get((person_id, surface), 0) + 1
    con.executemany(
        "INSERT INTO person_aliases (person_id, alias, count) VALUES (?, ?, ?)",
        [(pid, alias, n) for (pid, alias), n in sorted(aliases.items())],
    )
    con.executemany(
        "INSERT INTO removed_segments (article_id, line_start, line_end, label, reason, text) VALUES (?, ?, ?, ?, ?, ?)",
        [(a, line, line, label, reason, text) for a, line, label, reason, text in REMOVED],
    )
    # The counts the pipeline keeps (live articles only), as resolve would set them.
    con.execute(
        "UPDATE people SET mention_count = (SELECT count(*) FROM mentions m JOIN articles a ON a.id = m.article_id "
        "WHERE m.person_id = people.id AND a.deleted_at IS NULL), article_count = (SELECT count(DISTINCT m.article_id) "
        "FROM mentions m JOIN articles a ON a.id = m.article_id WHERE m.person_id = people.id AND a.deleted_at IS NULL)"
    )
    con.execute(
        "UPDATE articles SET paragraph_count = (SELECT count(*) FROM paragraphs p WHERE p.article_id = articles.id "
        "AND p.kind IN ('body', 'heading'))"
    )
    con.commit()
    con.close()
    return path


@pytest.fixture
def sample_db(tmp_path: Path) -> Path:
    """A fresh copy of the small known corpus, safe to modify."""
    return build_sample_db(tmp_path / "news.sqlite")


_SEEDS_DB: dict[str, Path] = {}


@pytest.fixture(scope="session")
def seeds_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``etl run --input seeds`` into a temporary ``news.sqlite``, once per session; read it only."""
    if "db" not in _SEEDS_DB:
        from etl.cli import cli

        folder = tmp_path_factory.mktemp("seeds_db")
        db = folder / "news.sqlite"
        result = CliRunner().invoke(cli, ["run", "--input", str(SEEDS), "--db", str(db), "--jobs", "1", "-q"])
        assert result.exit_code == 0, f"etl run on seeds failed ({result.exit_code}): {result.output}{result.exception!r}"
        con = sqlite3.connect(db)  # one file, no -wal beside it, so copies of it are complete
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.close()
        _SEEDS_DB["db"] = db
    return _SEEDS_DB["db"]


def copy_db(src: Path, dest_dir: Path) -> Path:
    """Copy a checkpointed database into ``dest_dir`` as news.sqlite (for tests that write)."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    dest = dest_dir / "news.sqlite"
    shutil.copyfile(src, dest)
    return dest
