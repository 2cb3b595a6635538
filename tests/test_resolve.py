"""Global people resolution and curation on a real, migrated SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection

from etl import people as curation
from etl import resolve
from etl.db import migrate
from etl.db.engine import make_engine
from etl.records import Paragraph
from tests.people_fixtures import add_article, bcubed, expected, fixture_names, load_paragraphs


@pytest.fixture
def conn(db_path: Path) -> Iterator[Connection]:
    migrate.upgrade(db_path)
    engine = make_engine(db_path)
    with engine.connect() as c:
        yield c
    engine.dispose()


def article(source: str, *texts: str) -> tuple[str, list[Paragraph]]:
    return source, [Paragraph(i, "body", t, i, i) for i, t in enumerate(texts)]


def person_of(conn: Connection, source: str, surface: str) -> tuple[int, str]:
    rows = conn.exec_driver_sql(
        "SELECT p.id, p.name FROM mentions m JOIN people p ON p.id = m.person_id JOIN articles a ON a.id = m.article_id "
        "WHERE a.source_path = ? AND m.surface = ?",
        (source, surface),
    ).all()
    assert rows, f"no mention {surface!r} in {source}"
    assert len({r[0] for r in rows}) == 1
    return rows[0][0], rows[0][1]


def people_names(conn: Connection) -> set[str]:
    return {r[0] for r in conn.exec_driver_sql("SELECT name FROM people")}


def test_fixtures_group_people_across_articles(conn: Connection) -> None:
    pairs, names_ok, total = [], 0, 0
    for name in fixture_names():
        article_id = add_article(conn, name, load_paragraphs(name))
        rows = conn.exec_driver_sql(
            "SELECT p.position, m.char_start, m.surface, m.person_id FROM mentions m "
            "JOIN paragraphs p ON p.id = m.paragraph_id WHERE m.article_id = ?", (article_id,)
        ).all()
        got = {(r[0], r[1], r[2]): r[3] for r in rows}
        for para, start, surface, person in expected(name):
            if (para, start, surface) in got:
                pairs.append((person, got[(para, start, surface)]))
    names = dict(conn.exec_driver_sql("SELECT id, name FROM people").all())
    assert bcubed(pairs) == 1.0
    wrong = sorted({(g, names[s]) for g, s in pairs if names[s] != g})
    assert not wrong, wrong


def test_transliteration_variants_across_articles_are_one_person(conn: Connection) -> None:
    add_article(conn, *article("a", "Gen. Valerii Zaluzhnyi said the front held. Zaluzhnyi added more."))
    add_article(conn, *article("b", "Gen. Valeriy Zaluzhny spoke. Zaluzhny said it again."))
    assert person_of(conn, "a", "Zaluzhnyi") == person_of(conn, "b", "Valeriy Zaluzhny")
    assert person_of(conn, "a", "Zaluzhnyi")[1] == "Valerii Zaluzhnyi"


def test_shared_first_or_family_names_never_merge(conn: Connection) -> None:
    add_article(conn, *article("a", "Gen. Valerii Zaluzhnyi and Gen. Valery Gerasimov spoke."))
    add_article(conn, *article("b", "President Joe Biden spoke.", "Hunter Biden, his son, said nothing."))
    assert person_of(conn, "a", "Valerii Zaluzhnyi") != person_of(conn, "a", "Valery Gerasimov")
    assert person_of(conn, "b", "Joe Biden") != person_of(conn, "b", "Hunter Biden")
    # a family name alone with two candidates: the well-known one from the rules' notable list
    add_article(conn, *article("c", "Biden said the talks went well."))
    assert person_of(conn, "c", "Biden") == person_of(conn, "b", "Joe Biden")


def test_family_name_alone_is_upgraded_when_the_full_name_arrives(conn: Connection) -> None:
    add_article(conn, *article("a", "Kovalchuk said the bridge was hit.", "Kovalchuk added that repairs began."))
    pid, name = person_of(conn, "a", "Kovalchuk")
    assert name == "Kovalchuk"
    add_article(conn, *article("b", "Col. Taras Kovalchuk said the road was open."))
    assert person_of(conn, "b", "Taras Kovalchuk") == (pid, "Taras Kovalchuk")
    assert person_of(conn, "a", "Kovalchuk") == (pid, "Taras Kovalchuk")


def test_ambiguous_family_person_merges_once_one_candidate_is_left(conn: Connection) -> None:
    add_article(conn, *article("a", "Col. Oleh Hrytsenko said the road was open."))
    b = add_article(conn, *article("b", "Col. Ivan Hrytsenko said the bridge was hit."))
    add_article(conn, *article("c", "Hrytsenko said the bridge was hit.", "Hrytsenko added more."))
    oleh = person_of(conn, "a", "Oleh Hrytsenko")[0]
    assert person_of(conn, "c", "Hrytsenko")[0] not in (oleh, person_of(conn, "b", "Ivan Hrytsenko")[0])
    resolve.forget_article(conn, b)
    add_article(conn, *article("d", "Col. Oleh Hrytsenko spoke again."))
    assert person_of(conn, "c", "Hrytsenko")[0] == oleh
    assert "Ivan Hrytsenko" not in people_names(conn)


def test_single_names_join_only_with_the_same_main_person(conn: Connection) -> None:
    add_article(conn, *article("a", "Gen. Ivan Petrenko said his wife Oksana would stay.", "Petrenko said it twice."))
    add_article(conn, *article("b", "Petrenko said his wife Oksana had left. Gen. Ivan Petrenko smiled."))
    add_article(conn, *article("c", "Gen. Pavlo Bondar said his wife Oksana would stay."))
    assert person_of(conn, "a", "Oksana") == person_of(conn, "b", "Oksana")
    assert person_of(conn, "a", "Oksana") != person_of(conn, "c", "Oksana")


def test_forgetting_an_article_updates_counts_and_removes_orphans(conn: Connection) -> None:
    a = add_article(conn, *article("a", "Gen. Ivan Petrenko spoke. Petrenko said more. Dr. Olga Marchuk agreed."))
    add_article(conn, *article("b", "Gen. Ivan Petrenko spoke again."))
    pid = person_of(conn, "a", "Ivan Petrenko")[0]
    counts = conn.exec_driver_sql("SELECT mention_count, article_count FROM people WHERE id = ?", (pid,)).first()
    assert tuple(counts) == (3, 2)
    resolve.forget_article(conn, a)
    counts = conn.exec_driver_sql("SELECT mention_count, article_count FROM people WHERE id = ?", (pid,)).first()
    assert tuple(counts) == (1, 1)
    assert "Olga Marchuk" not in people_names(conn)
    aliases = dict(conn.exec_driver_sql("SELECT alias, count FROM person_aliases WHERE person_id = ?", (pid,)).all())
    assert aliases == {"Ivan Petrenko": 1}


def test_curation_is_recorded_exported_and_never_undone(conn: Connection, tmp_path: Path) -> None:
    add_article(conn, *article("a", "Gen. Ivan Petrenko spoke. Petrenko said more."))
    add_article(conn, *article("b", "Ivan Petrenkov, the coach, said the team was ready."))
    # analysts know these are one person
    merged = curation.merge_people(conn, "Ivan Petrenkov", "Ivan Petrenko", note="same man, typo")
    assert person_of(conn, "b", "Ivan Petrenkov")[0] == merged.id
    curation.rename_person(conn, merged.id, "Ivan M. Petrenko")
    curation.add_alias(conn, merged.id, "Vanya Petrenko")
    # a later run reloads both articles and sees a new one: decisions hold
    add_article(conn, *article("b", "Ivan Petrenkov, the coach, said the team was ready."))
    add_article(conn, *article("c", "Coach Vanya Petrenko smiled."))
    assert person_of(conn, "b", "Ivan Petrenkov") == (merged.id, "Ivan M. Petrenko")
    assert person_of(conn, "c", "Vanya Petrenko")[0] == merged.id
    # split one article off into another person, for good
    curation.split_person(conn, merged.id, articles=[conn.exec_driver_sql("SELECT id FROM articles WHERE source_path='b'").scalar()],
                          name="Ivan Petrenkov")
    add_article(conn, *article("b", "Ivan Petrenkov, the coach, said the team was ready."))
    assert person_of(conn, "b", "Ivan Petrenkov")[1] == "Ivan Petrenkov"
    assert person_of(conn, "a", "Petrenko")[0] == merged.id
    doc = curation.export_curation(conn)
    assert [d["action"] for d in doc["decisions"]] == ["merge", "rename", "alias", "split"]
    shown = curation.show_person(conn, merged.id)
    assert any(a["alias"] == "Vanya Petrenko" for a in shown["aliases"])
    assert curation.list_people(conn, like="Petrenk")


def test_import_applies_decisions_to_another_database(tmp_path: Path) -> None:
    dbs = []
    for n in range(2):
        path = tmp_path / f"db{n}.sqlite"
        migrate.upgrade(path)
        dbs.append(make_engine(path))
    with dbs[0].connect() as c0:
        add_article(c0, *article("a", "Gen. Ivan Petrenko spoke."))
        add_article(c0, *article("b", "Coach Ivan Petrenkov spoke."))
        curation.merge_people(c0, "Ivan Petrenkov", "Ivan Petrenko")
        doc = curation.export_curation(c0)
    with dbs[1].connect() as c1:
        add_article(c1, *article("a", "Gen. Ivan Petrenko spoke."))
        add_article(c1, *article("b", "Coach Ivan Petrenkov spoke."))
        assert curation.import_curation(c1, doc) == (1, 0)
        assert person_of(c1, "a", "Ivan Petrenko") == person_of(c1, "b", "Ivan Petrenkov")
        assert curation.import_curation(c1, doc) == (1, 0)  # idempotent, not recorded twice
        assert c1.exec_driver_sql("SELECT count(*) FROM people_curation").scalar() == 1
    for e in dbs:
        e.dispose()


def test_people_cli_on_the_seeds(tmp_path: Path, seeds_dir: Path) -> None:
    from click.testing import CliRunner

    from etl.cli import cli

    db = str(tmp_path / "news.sqlite")
    r = CliRunner()
    assert r.invoke(cli, ["run", "--input", str(seeds_dir), "--db", db, "--jobs", "1"]).exit_code == 0
    listed = r.invoke(cli, ["people", "list", "--db", db])
    assert listed.exit_code == 0 and "Mark Milley" in listed.output and "Valerii Zaluzhnyi" in listed.output
    shown = r.invoke(cli, ["people", "show", "Zaluzhny", "--db", db])
    assert shown.exit_code == 0 and "Valerii Zaluzhnyi" in shown.output
    assert r.invoke(cli, ["people", "rename", "Olena", "Olena Zaluzhna", "--db", db]).exit_code == 0
    out = tmp_path / "decisions.json"
    assert r.invoke(cli, ["people", "export", str(out), "--db", db]).exit_code == 0
    assert '"rename"' in out.read_text()
    # the next run (re-cleaning everything) keeps the decision
    assert r.invoke(cli, ["run", "--input", str(seeds_dir), "--db", db, "--jobs", "1", "--reprocess"]).exit_code == 0
    assert "Olena Zaluzhna" in r.invoke(cli, ["people", "list", "--db", db]).output
    missing = r.invoke(cli, ["people", "show", "Nobody Here", "--db", db])
    assert missing.exit_code != 0 and "no person" in missing.output


def test_conflicting_middle_initials_or_initials_split(conn: Connection) -> None:
    add_article(conn, *article("a", "Former President George H. W. Bush spoke in Houston on Monday."))
    add_article(conn, *article("b", "Former President George W. Bush spoke in Dallas on Tuesday."))
    add_article(conn, *article("c", "Former President George W. Bush said he would return."))
    father, son = person_of(conn, "a", "George H. W. Bush"), person_of(conn, "b", "George W. Bush")
    assert father[0] != son[0] and person_of(conn, "c", "George W. Bush")[0] == son[0]
    # the middle initials tell them apart, so the names keep them
    assert (father[1], person_of(conn, "b", "George W. Bush")[1]) == ("George H. W. Bush", "George W. Bush")
    add_article(conn, *article("d", "Dr. J. Okonkwo, a surgeon, said the ward was full."))
    add_article(conn, *article("e", "Dr. K. Okonkwo, a surgeon, said the ward was empty."))
    assert person_of(conn, "d", "J. Okonkwo") != person_of(conn, "e", "K. Okonkwo")
    # a full name with that initial upgrades the initial-only person in place (earlier mentions follow)
    add_article(conn, *article("f", "Dr. Janet Okonkwo, a surgeon, said the ward was full."))
    assert person_of(conn, "f", "Janet Okonkwo") == person_of(conn, "d", "J. Okonkwo")
    assert person_of(conn, "e", "K. Okonkwo")[1] == "K. Okonkwo"


def test_a_bare_family_name_shared_by_several_people_is_not_merged_into_one(conn: Connection) -> None:
    add_article(conn, *article("a", "Col. Oleh Marchenko said the road was open."))
    add_article(conn, *article("b", "Col. Ivan Marchenko said the bridge was hit."))
    add_article(conn, *article("c", "Marchenko said the bridge was hit.", "Marchenko added more."))
    others = {person_of(conn, "a", "Oleh Marchenko")[0], person_of(conn, "b", "Ivan Marchenko")[0]}
    assert person_of(conn, "c", "Marchenko")[0] not in others
    assert person_of(conn, "c", "Marchenko")[1] == "Marchenko"


def test_a_first_name_alone_never_merges_across_articles_by_itself(conn: Connection) -> None:
    add_article(conn, *article("a", "Gen. Ivan Petrenko spoke.", "“It was loud,” said Marta, 24, a student."))
    add_article(conn, *article("b", "Mayor Oleh Sydorenko spoke.", "“It was loud,” said Marta, 31, a nurse."))
    assert person_of(conn, "a", "Marta") != person_of(conn, "b", "Marta")


def test_canonical_name_is_the_most_written_full_form_with_documented_ties() -> None:
    data = resolve._data()
    # the most written full form wins, whatever the family-name-only mentions
    assert resolve.canonical_name(data, [("Sergey Volkov", 3), ("Sergei Volkov", 1), ("Volkov", 9)], None, None) == "Sergey Volkov"
    # ties: the notable list's spelling, then the longer, then alphabetical order
    assert resolve.canonical_name(data, [("Sergey Lavrov", 1), ("Sergei Lavrov", 1)], None, None) == "Sergey Lavrov"
    assert resolve.canonical_name(data, [("Sergey Volkov", 2), ("Sergei Volkov", 2)], None, None) == "Sergei Volkov"
    assert resolve.canonical_name(data, [("Yulia Volkova", 1), ("Yuliia Volkova", 1)], None, None) == "Yuliia Volkova"
    assert resolve.canonical_name(data, [("Mark A. Milley", 2), ("Mark Milley", 1)], None, None) == "Mark Milley"


def test_a_one_word_name_without_first_name_context_is_one_person_across_articles(conn: Connection) -> None:
    add_article(conn, *article("a", "Gen. Ivan Petrenko spoke.", "Neymar said he was fit to play on Sunday."))
    add_article(conn, *article("b", "Mayor Oleh Sydorenko spoke.", "Neymar said the team was ready."))
    assert person_of(conn, "a", "Neymar") == person_of(conn, "b", "Neymar")


def test_batched_name_refresh_matches_one_by_one(conn: Connection) -> None:
    add_article(conn, *article("a", "Former President George H. W. Bush spoke in Houston on Monday."))
    add_article(conn, *article("b", "Former President George W. Bush spoke in Dallas on Tuesday."))
    add_article(conn, *article("c", "Gen. Valerii Zaluzhnyi spoke. Valeriy Zaluzhny said so. Zaluzhnyi left.",
                               "Mayor Anna Kovalenko said Kovalenko would stay."))
    ids = [r[0] for r in conn.exec_driver_sql("SELECT id FROM people ORDER BY id")]
    # an analyst's name wins in both ways
    conn.exec_driver_sql(
        "INSERT INTO person_keys (key, person_id, anchor_id, curated) VALUES ('n:The Mayor', ?, NULL, 1)", (ids[-1],)
    )
    # scramble the stored names so both ways must recompute them
    conn.exec_driver_sql("UPDATE people SET name = 'x', given_name = NULL")
    resolve.refresh_names(conn, ids + [10_000])
    batched = conn.exec_driver_sql("SELECT id, name, given_name, family_name FROM people ORDER BY id").all()
    conn.exec_driver_sql("UPDATE people SET name = 'x', given_name = NULL")
    for pid in ids:
        resolve.refresh_name(conn, pid)
    single = conn.exec_driver_sql("SELECT id, name, given_name, family_name FROM people ORDER BY id").all()
    assert batched == single
    names = {r[1] for r in batched}
    assert {"George H. W. Bush", "George W. Bush", "Valerii Zaluzhnyi", "The Mayor"} <= names
