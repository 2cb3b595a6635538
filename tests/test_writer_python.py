"""The writer's leaner Python (resolve's remembered name facts and one-row lookups, load's article row)
gives what the plain formulations give."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl import resolve
from etl.db import load, migrate
from etl.db.engine import make_engine
from etl.records import CONTENT_LABELS, RawDocument
from etl.rules import default_rules, load_rules
from etl.transform import transform
from etl.transform.names import name_data
from tests.people_fixtures import random_person_keys

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

NAMES = [
    ("George H. W. Bush", "George", "Bush"),
    ("George W. Bush", "George", "Bush"),
    ("Valerii Zaluzhnyi", "Valerii", "Zaluzhnyi"),
    ("J. Smith", "J.", "Smith"),
    ("J Smith", "J", "Smith"),
    ("Łukasz Đurović", "Łukasz", "Đurović"),
    ("Mark A. Milley", "Mark", "Milley"),
    ("Jean-Pierre Le Drian", "Jean-Pierre", "Le Drian"),
]


def test_full_name_facts_are_the_plain_keys() -> None:
    data = name_data(default_rules())
    for name, given, family in NAMES:
        for _ in range(2):  # computed, then remembered
            initials = resolve.middle_initials(name)
            assert resolve._full_facts(data, name, given, family) == (
                resolve.full_key(data, given, family),
                resolve._family(data, family),
                resolve._is_initial(given),
                initials,
                resolve.initials_key(data, given, family, initials) if initials else None,
                f"m:{resolve._family(data, family)}|{resolve._given(data, given)}|",
            )


def test_key_lookups_with_the_cache_match_the_queries(tmp_path: Path) -> None:
    """_key_people (one row, none, several; any ``curated``) and _prefix_people, cached and not."""
    migrate.upgrade(tmp_path / "k.db")
    engine = make_engine(tmp_path / "k.db")
    keys = ["f:a|x", "f:a|y", "f:b|x", "s:a", "s:b", "m:a|x|w"]
    with engine.connect() as conn:
        pids = random_person_keys(conn, 5, keys, people=6, rows=14, curated=(0, 0, 0, 1, 2))
        conn.exec_driver_sql("INSERT INTO person_keys (key, person_id, curated) VALUES ('s:one', ?, 0)", (pids[0],))
        conn.exec_driver_sql("INSERT INTO person_keys (key, person_id, curated) VALUES ('s:two', ?, 2)", (pids[1],))
        keys += ["s:one", "s:two", "s:none"]
        plain = {key: resolve._key_people(conn, key) for key in keys}
        prefixes = {p: dict(resolve._prefix_people(conn, p)) for p in ("f:a|", "f:b|", "f:c|", "m:a|x|")}
        load.start_batch(conn)  # arms the key cache
        assert resolve._cache(conn) is not None
        for _ in range(2):  # read, then cached
            assert {key: resolve._key_people(conn, key) for key in keys} == plain
            assert {p: resolve._prefix_people(conn, p) for p in prefixes} == prefixes
        load.finish_batch(conn)
        conn.rollback()
    engine.dispose()


def _plain_values(article, run_id: int) -> dict:  # noqa: ANN001 - the dict load._article_values gave before
    meta = article.metadata
    authors = [c.name for c in meta.credits if c.role in ("author", "reporter")]
    return {
        "source_path": article.raw.source_path,
        "title": meta.title,
        "published_at": meta.published_at,
        "dateline": meta.dateline,
        "outlet": meta.outlet,
        "authors": "; ".join(dict.fromkeys(authors)) or None,
        "word_count": article.word_count,
        "paragraph_count": sum(1 for p in article.paragraphs if p.kind in CONTENT_LABELS),
        "sha256": article.raw.sha256,
        "size_bytes": article.raw.size_bytes,
        "mtime_ns": article.raw.mtime_ns,
        "encoding": article.raw.encoding,
        "raw_text": article.raw.text,
        "rules_version": article.rules_version,
        "run_id": run_id,
    }


@pytest.mark.parametrize("seed", sorted(SEEDS.glob("*.txt"))[:6], ids=lambda p: p.name)
def test_article_row_is_the_plain_one(seed: Path) -> None:
    article = transform(RawDocument(seed.name, "0" * 64, 1, 2, "utf-8", seed.read_text()), load_rules())
    assert dict(zip(load._ARTICLE_COLUMNS, load._article_values(article, 7))) == _plain_values(article, 7)
