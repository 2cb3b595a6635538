"""The writer's person-key cache (``resolve.KeyCache``) gives exactly what the database lookups give.

Each scenario is resolved twice, with the cache armed (as the run's batches do) and with
``resolve.USE_CACHE`` off, and every people table must come out the same, ids included.  The
scenarios are the ones that change ``person_keys`` behind a lookup (an upgrade, a merge, a dropped
person, curated keys, a rolled back article or transaction, another connection's commit); the
``stale`` checks show that a cache that missed those writes would give other people.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Connection

from etl import people as curation
from etl import pipeline, resolve
from etl.db import load, migrate
from etl.db.engine import ROLLBACK_DROPS, make_engine
from etl.records import Paragraph
from etl.settings import Settings
from tests.ops import canonical_dump, consistency_problems
from tests.people_fixtures import add_article

PEOPLE_TABLES = ("people", "person_keys", "person_aliases", "mentions")


@contextmanager
def _connection(db_path: Path) -> Iterator[Connection]:
    migrate.upgrade(db_path)
    engine = make_engine(db_path)
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def _add(conn: Connection, source: str, *texts: str) -> int:
    """One article's paragraphs and mentions (replacing an earlier version of ``source``)."""
    return add_article(conn, source, [Paragraph(i, "body", t, i, i) for i, t in enumerate(texts)])


def _tables(db_path: Path) -> dict[str, list]:
    con = sqlite3.connect(db_path)
    try:
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY id").fetchall() for t in PEOPLE_TABLES}
    finally:
        con.close()


def _person(conn: Connection, source: str, surface: str) -> tuple[int, str]:
    rows = conn.exec_driver_sql(
        "SELECT DISTINCT p.id, p.name FROM mentions m JOIN people p ON p.id = m.person_id "
        "JOIN articles a ON a.id = m.article_id WHERE a.source_path = ? AND m.surface = ?",
        (source, surface),
    ).all()
    assert len(rows) == 1, (source, surface, rows)
    return tuple(rows[0])


def _cache(conn: Connection) -> resolve.KeyCache | None:
    return (conn.info.get(ROLLBACK_DROPS) or {}).get("person_keys")


#: articles, in order, that upgrade, split by middle initials, merge, drop and re-create people
UPGRADE_AND_MERGE = [
    ("a", "Kovalchuk said the bridge was hit.", "Kovalchuk added that repairs began."),
    ("b", "Col. Taras Kovalchuk said the road was open."),  # upgrades a's family-only person
    ("c", "Col. Ivan Kovalchuk said the road was closed."),  # a second full name: no upgrade of Taras
    ("d", "Kovalchuk spoke again."),  # ambiguous: a family-only person of its own
    ("e", "Col. Oleh Hrytsenko said the road was open."),
    ("f", "Col. Ivan Hrytsenko said the bridge was hit."),
    ("g", "Hrytsenko said the bridge was hit.", "Hrytsenko added more."),
    ("f", "Col. Oleh Hrytsenko spoke."),  # replaced: Ivan Hrytsenko is dropped, g's person merges into Oleh
    ("h", "Hrytsenko said again."),
    ("o", "Col. Petro Hrytsenko said the bridge was hit."),  # two full names again
    ("p", "Hrytsenko said it once more."),  # the merged person's family-only key now leads to Oleh
    ("i", "President George W. Bush spoke.", "George H. W. Bush, his father, listened."),
    ("j", "George Bush said it.", "George W. Bush agreed."),
    ("k", "Gen. Ivan Petrenko said his wife Oksana would stay.", "Petrenko said it twice."),
    ("l", "Petrenko said his wife Oksana had left. Gen. Ivan Petrenko smiled."),
    ("m", "O. Petrenko wrote the report."),
    ("n", "Olha Marchuk said so.", "O. Marchuk wrote it.", "Marchuk agreed."),
    ("k", "Gen. Pavlo Bondar said his wife Oksana would stay."),  # Ivan Petrenko keeps l only
]


def _resolve_all(db_path: Path, articles: list[tuple], cached: bool, monkeypatch: pytest.MonkeyPatch) -> dict:
    monkeypatch.setattr(resolve, "USE_CACHE", cached)
    with _connection(db_path) as conn:
        with conn.begin():
            resolve.arm_cache(conn)
            for source, *texts in articles:
                _add(conn, source, *texts)
            assert (_cache(conn) is not None) == cached
            resolve.disarm_cache(conn)
    return _tables(db_path)


def test_cached_lookups_give_the_people_uncached_ones_give(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plain = _resolve_all(tmp_path / "plain.db", UPGRADE_AND_MERGE, False, monkeypatch)
    assert _resolve_all(tmp_path / "cached.db", UPGRADE_AND_MERGE, True, monkeypatch) == plain
    names = {r[1] for r in plain["people"]}
    assert {"Taras Kovalchuk", "Ivan Kovalchuk", "Oleh Hrytsenko", "George W. Bush", "George H. W. Bush"} <= names
    assert "Ivan Hrytsenko" not in names  # dropped with f's replacement
    people = {r[0]: r[1] for r in plain["people"]}
    by_article = {(r[3], r[6]): people[r[1]] for r in plain["mentions"]}  # (article id, surface) -> name
    assert by_article[(10, "Hrytsenko")] == "Oleh Hrytsenko"  # article p, the tenth
    assert consistency_problems(tmp_path / "cached.db") == []


def test_a_cache_missing_the_writes_would_give_other_people(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Not vacuous: with write-through switched off, the same scenario resolves differently."""
    plain = _resolve_all(tmp_path / "plain.db", UPGRADE_AND_MERGE, False, monkeypatch)
    monkeypatch.setattr(resolve.KeyCache, "set_rows", lambda self, key, rows: None)
    monkeypatch.setattr(resolve.KeyCache, "evict", lambda self, keys: None)
    try:
        stale = _resolve_all(tmp_path / "stale.db", UPGRADE_AND_MERGE, True, monkeypatch)
    except sqlite3.IntegrityError:  # e.g. a mention of a person the cache still lists after a merge
        return
    assert stale != plain


def test_an_upgraded_family_only_person_is_seen_as_full_named_at_once(db_path: Path) -> None:
    with _connection(db_path) as conn, conn.begin():
        load.start_batch(conn)
        _add(conn, "a", "Petrenko said the bridge was hit.")
        pid = _person(conn, "a", "Petrenko")[0]
        _add(conn, "b", "Col. Oleh Petrenko said the road was open.")  # same id, now full-named
        assert _person(conn, "b", "Oleh Petrenko") == (pid, "Oleh Petrenko")
        # the family-only key is gone: another Petrenko is a new person, not a second upgrade of pid
        _add(conn, "c", "Col. Ivan Petrenko said the road was closed.")
        ivan = _person(conn, "c", "Ivan Petrenko")[0]
        assert ivan != pid
        assert _cache(conn).armed and "s:petrenko" in _cache(conn).rows
        load.finish_batch(conn)
    assert _person_names(db_path) == {"Oleh Petrenko", "Ivan Petrenko"}


def _person_names(db_path: Path) -> set[str]:
    con = sqlite3.connect(db_path)
    try:
        return {r[0] for r in con.execute("SELECT name FROM people")}
    finally:
        con.close()


def test_a_rolled_back_article_leaves_no_person_in_the_cache(db_path: Path) -> None:
    """An article's savepoint rolled back (``_BatchWriter._write_one_by_one``): the people it created are gone."""
    with _connection(db_path) as conn, conn.begin():
        load.start_batch(conn)
        _add(conn, "a", "Col. Oleh Hrytsenko said the road was open.")
        db = load.raw(conn)
        mark = load.batch_mark(conn)
        db.execute("SAVEPOINT etl_article")
        _add(conn, "b", "Dr. Olga Marchuk said so.", "Hrytsenko agreed.")
        gone = _person(conn, "b", "Olga Marchuk")[0]
        assert any(gone in {r[1] for r in rows} for rows in _cache(conn).rows.values())
        db.execute("ROLLBACK TO etl_article")
        db.execute("RELEASE etl_article")
        load.batch_rollback(conn, mark)
        assert _cache(conn).rows == {} and _cache(conn).armed
        _add(conn, "c", "Dr. Olga Marchuk said it again.")
        pid, name = _person(conn, "c", "Olga Marchuk")
        assert name == "Olga Marchuk"
        assert conn.exec_driver_sql("SELECT count(*) FROM people WHERE id = ?", (pid,)).scalar() == 1
        assert pid == gone  # the rolled back row's id is free again: the new person takes it
        load.finish_batch(conn)
    assert consistency_problems(db_path) == []


def test_a_rolled_back_transaction_drops_the_cache(db_path: Path) -> None:
    with _connection(db_path) as conn:
        with conn.begin():
            load.start_batch(conn)
            _add(conn, "a", "Col. Oleh Hrytsenko said the road was open.")
            load.finish_batch(conn)
        with pytest.raises(RuntimeError), conn.begin():
            load.start_batch(conn)
            _add(conn, "b", "Dr. Olga Marchuk said so.", "Col. Oleh Hrytsenko agreed.")
            assert _cache(conn).rows
            raise RuntimeError("a load error: the whole batch rolls back")
        assert _cache(conn) is None
        with conn.begin():
            load.start_batch(conn)
            _add(conn, "c", "Dr. Olga Marchuk said it again.", "Hrytsenko said the road was open.")
            load.finish_batch(conn)
            assert _person(conn, "c", "Hrytsenko") == _person(conn, "a", "Oleh Hrytsenko")
    assert consistency_problems(db_path) == []


def test_another_connections_commit_empties_the_cache(db_path: Path, tmp_path: Path) -> None:
    """An analyst's split between two batches: the next batch must see the curated keys it added."""
    with _connection(db_path) as conn:
        with conn.begin():
            load.start_batch(conn)
            _add(conn, "a", "Gen. Ivan Petrenko spoke.", "Ivan Petrenkov, the coach, said the team was ready.")
            load.finish_batch(conn)
        with conn.begin():  # the cache knows the keys now, and stays across batches
            load.start_batch(conn)
            _add(conn, "b", "Ivan Petrenkov smiled.")
            assert _person(conn, "b", "Ivan Petrenkov") == _person(conn, "a", "Ivan Petrenkov")
            assert "f:petrenkov|ivan" in _cache(conn).rows
            load.finish_batch(conn)
            before = _person(conn, "a", "Ivan Petrenkov")[0]
        analyst = make_engine(db_path, begin="BEGIN IMMEDIATE")
        with analyst.connect() as other, other.begin():
            split = curation.split_person(other, before, aliases=["Ivan Petrenkov"], name="Coach Petrenkov")
        analyst.dispose()
        with conn.begin():
            load.start_batch(conn)
            assert "f:petrenkov|ivan" not in _cache(conn).rows
            _add(conn, "c", "Ivan Petrenkov smiled again.")
            load.finish_batch(conn)
            assert _person(conn, "c", "Ivan Petrenkov")[0] == split.id != before
    assert consistency_problems(db_path) == []


def test_a_write_outside_a_batch_drops_the_cache(db_path: Path) -> None:
    with _connection(db_path) as conn:
        with conn.begin():
            load.start_batch(conn)
            a = _add(conn, "a", "Gen. Ivan Petrenko spoke.")
            load.finish_batch(conn)
        assert _cache(conn) is not None and not _cache(conn).armed
        with conn.begin():  # e.g. an analyst's command on the run's own connection
            curation.add_alias(conn, _person(conn, "a", "Ivan Petrenko")[0], "Vanya Petrenko")
        assert _cache(conn) is None
        with conn.begin():
            load.start_batch(conn)
            _add(conn, "b", "Coach Vanya Petrenko smiled.")
            load.finish_batch(conn)
        assert _person(conn, "b", "Vanya Petrenko")[0] == _person(conn, "a", "Ivan Petrenko")[0]
        assert a


def test_a_full_cache_is_emptied_and_results_stay_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plain = _resolve_all(tmp_path / "plain.db", UPGRADE_AND_MERGE, False, monkeypatch)
    clears = []
    real = resolve.KeyCache.clear
    monkeypatch.setattr(resolve.KeyCache, "MAX_ENTRIES", 6)
    monkeypatch.setattr(resolve.KeyCache, "clear", lambda self: clears.append(1) or real(self))
    assert _resolve_all(tmp_path / "small.db", UPGRADE_AND_MERGE, True, monkeypatch) == plain
    assert len(clears) > 3
    cache_sizes = []
    monkeypatch.setattr(resolve.KeyCache, "_room", lambda self, n=1: cache_sizes.append(len(self.rows)) or None)
    with _connection(tmp_path / "big.db") as conn, conn.begin():
        resolve.arm_cache(conn)
        for source, *texts in UPGRADE_AND_MERGE:
            _add(conn, source, *texts)
    assert max(cache_sizes) > 6  # the scenario does overflow a cache of 6 entries


def test_curated_keys_are_read_from_the_cache_as_from_the_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Curated rows (an analyst's split and alias) next to automatic ones for the same keys."""

    def scenario(db_path: Path, cached: bool) -> dict:
        monkeypatch.setattr(resolve, "USE_CACHE", cached)
        with _connection(db_path) as conn:
            with conn.begin():
                _add(conn, "a", "Gen. Ivan Petrenko spoke. Petrenko said more.", "Hrytsenko agreed.")
                _add(conn, "b", "Ivan Petrenkov, the coach, said the team was ready.")
                pid = _person(conn, "a", "Ivan Petrenko")[0]
                curation.add_alias(conn, pid, "Petrenko")  # a curated s:petrenko row
                curation.split_person(conn, pid, articles=[1], name="General Petrenko")
            with conn.begin():
                load.start_batch(conn)
                for source, *texts in [
                    ("c", "Petrenko said it.", "Col. Oleh Hrytsenko said so."),
                    ("d", "Ivan Petrenko and Ivan Petrenkov met.", "Hrytsenko said again."),
                    ("a", "Gen. Ivan Petrenko spoke. Petrenko said more."),
                    ("e", "Col. Taras Petrenko spoke.", "Petrenko added more."),
                ]:
                    _add(conn, source, *texts)
                load.finish_batch(conn)
        return _tables(db_path)

    plain = scenario(tmp_path / "plain.db", False)
    assert any(r[4] for r in plain["person_keys"])  # curated rows are there
    assert scenario(tmp_path / "cached.db", True) == plain


def test_a_run_with_a_load_error_mid_batch_equals_a_run_without_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pipeline's batch: an article fails after resolving its people (new ones, an upgrade), the
    batch is written again article by article, and the articles after it name the same people."""
    folder = tmp_path / "input"
    folder.mkdir()
    texts = [
        "Kovalchuk said the bridge was hit.\n\nKovalchuk added that repairs began.",
        "Col. Taras Kovalchuk said the road was open.\n\nDr. Olga Marchuk agreed.",  # fails after resolving
        "Kovalchuk spoke again.\n\nDr. Olga Marchuk said so.",
        "Col. Taras Kovalchuk said the road was open again.\n\nMarchuk said more.",
        "Col. Ivan Kovalchuk said the road was closed.",
    ]
    for i, text in enumerate(texts):
        (folder / f"{i}.txt").write_text(f"Headline number {i} about the roads\n\n{text}\n", encoding="utf-8")
    real_write = pipeline.load.write_article

    def write_article(conn, article, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        article_id = real_write(conn, article, *args, **kwargs)
        if article.raw.source_path == "1.txt":
            raise RuntimeError("a bug in loading")
        return article_id

    monkeypatch.setattr(pipeline.load, "write_article", write_article)
    dumps = {}
    for cached in (False, True):
        monkeypatch.setattr(resolve, "USE_CACHE", cached)
        db = tmp_path / f"{cached}.sqlite"
        summary = pipeline.run(Settings(db_path=db, input_dir=folder, jobs=1))
        assert (summary.files_new, summary.files_failed) == (4, 1)
        assert consistency_problems(db) == []
        dumps[cached] = (canonical_dump(db), _tables(db))
    assert dumps[True] == dumps[False]
    people = {r[0] for r in dumps[True][0]["people"]}
    assert {"Taras Kovalchuk", "Olga Marchuk"} <= people


def test_forgetting_an_article_drops_exactly_its_unused_uncurated_people(db_path: Path) -> None:
    with _connection(db_path) as conn, conn.begin():
        load.start_batch(conn)
        a = _add(conn, "a", "Gen. Ivan Petrenko said so.", "Dr. Olga Marchuk agreed.", "Col. Taras Kovalchuk left.")
        _add(conn, "b", "Gen. Ivan Petrenko said it again.")
        ivan, olga, taras = (_person(conn, "a", s)[0] for s in ("Ivan Petrenko", "Olga Marchuk", "Taras Kovalchuk"))
        conn.exec_driver_sql("UPDATE people SET curated = 1 WHERE id = ?", (olga,))
        assert "f:kovalchuk|taras" in _cache(conn).rows
        resolve.forget_article(conn, a)
        left = {r[0] for r in conn.exec_driver_sql("SELECT id FROM people")}
        assert left == {ivan, olga}  # Taras had no other article; Olga is curated; Ivan is in b
        assert conn.exec_driver_sql("SELECT count(*) FROM person_keys WHERE person_id = ?", (taras,)).scalar() == 0
        assert _cache(conn).rows["f:kovalchuk|taras"] == []  # the cache followed the dropped keys
        _add(conn, "c", "Col. Taras Kovalchuk came back.")
        assert _person(conn, "c", "Taras Kovalchuk")[1] == "Taras Kovalchuk"
        load.finish_batch(conn)
    assert consistency_problems(db_path) == []
