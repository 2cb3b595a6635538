"""Corpus memory across real runs: each file is cleaned once, with the counts it will have.

A run first counts the lines of the files it is about to load (the counting pass), so an article
is cleaned with the corpus memory as it stands after the run; only articles cleaned by earlier
runs whose lines flip, and articles whose lines came out other than predicted, are re-cleaned.
Every scenario ends where a fresh run over the same folder would: same paragraphs, same removed
segments.
"""

from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path

import pytest

from etl import pipeline
from etl.settings import Settings
from tests.conftest import query

#: A sentence-like line every article carries (an outlet's self-description no rule knows).  Long
#: lines need at least 10 other articles and 30 % of the corpus before memory calls them boilerplate.
PROMO = "Our harbour desk compiles this digest each weekday, with reports from the old town."
CITIES = ["Aberdeen", "Bergen", "Cadiz", "Dundee", "Esbjerg", "Faro", "Galway", "Hull", "Ipswich",
          "Kiel", "Lorient", "Malmo", "Nantes", "Oban"]
WORKS = ["dredging", "paving", "lighting", "drainage", "fencing", "planting", "painting", "cabling",
         "roofing", "piling", "surveying", "welding", "glazing", "plumbing"]


def article(i: int, edit: str = "") -> str:
    city, work = CITIES[i], WORKS[i]
    return (
        f"{city} resumes {work} in the old port\n\n"
        f"The {city} council voted on Tuesday to resume {work} in the old port after a long pause, "
        "officials said.\n\n"
        f"{PROMO}\n\n"
        f"Engineers in {city} expect the {work} to take most of the summer and to cost less than feared, "
        f"the mayor told reporters.{edit}\n"
    )


def write_corpus(folder: Path, indexes: range) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in indexes:
        (folder / f"{i:02d}.txt").write_text(article(i), encoding="utf-8")


def run(folder: Path, db: Path) -> pipeline.RunSummary:
    return pipeline.run(Settings(db_path=db, input_dir=folder, jobs=1))


def promo_labels(db: Path) -> dict[str, str]:
    """source_path -> how the promo line ended up: 'body' or the removed label."""
    kept = query(db, "SELECT a.source_path, p.kind FROM paragraphs p JOIN articles a ON a.id = p.article_id "
                     "WHERE p.text = ? AND a.deleted_at IS NULL", (PROMO,))
    removed = query(db, "SELECT a.source_path, r.label FROM removed_segments r JOIN articles a ON a.id = r.article_id "
                        "WHERE r.text = ? AND a.deleted_at IS NULL", (PROMO,))
    return dict(kept + removed)


def cleaning(db: Path) -> list[tuple]:
    return query(
        db,
        "SELECT a.source_path, 'p', p.position, p.kind, p.text FROM paragraphs p JOIN articles a ON a.id = p.article_id "
        "WHERE a.deleted_at IS NULL UNION ALL "
        "SELECT a.source_path, 'r', r.line_start, r.label || ': ' || r.reason, r.text FROM removed_segments r "
        "JOIN articles a ON a.id = r.article_id WHERE a.deleted_at IS NULL ORDER BY 1, 2, 3",
    )


def fresh_cleaning(folder: Path, tmp_path: Path) -> list[tuple]:
    """:func:`cleaning` of a fresh run over ``folder`` (into a new database in ``tmp_path``)."""
    other = tmp_path / f"fresh{len(list(tmp_path.glob('fresh*')))}.sqlite"
    run(folder, other)
    return cleaning(other)


def mispredicted(caplog: pytest.LogCaptureFixture) -> int:
    """Lines the last runs counted other than the counting pass predicted (from the run's log)."""
    return sum(int(m.group(1)) for m in re.finditer(r"(\d+) counted other than predicted", caplog.text))


@pytest.fixture(autouse=True)
def _info_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="etl")


def test_a_first_load_cleans_each_article_once_with_the_final_counts(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder, db = tmp_path / "in", tmp_path / "news.sqlite"
    write_corpus(folder, range(12))
    summary = run(folder, db)
    assert summary.files_new == 12
    assert summary.articles_recleaned == 0  # nothing cleaned twice
    assert set(promo_labels(db).values()) == {"boilerplate"}  # learned from 11 other articles each
    assert mispredicted(caplog) == 0
    assert query(db, "SELECT count(*) FROM line_fingerprints WHERE frequent AND sample = ?", (PROMO,)) == [(1,)]


def test_below_the_threshold_the_line_stays(tmp_path: Path) -> None:
    folder, db = tmp_path / "in", tmp_path / "news.sqlite"
    write_corpus(folder, range(8))  # 7 other articles: not enough for a sentence-like line
    run(folder, db)
    assert set(promo_labels(db).values()) == {"body"}


def test_a_wrong_prediction_is_caught_and_repaired(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """If the counting pass is wrong (here: it sees no lines at all; in life: a file changed
    between the passes), the articles with lines counted otherwise are re-cleaned at the end."""
    folder = tmp_path / "in"
    write_corpus(folder, range(12))
    reference = tmp_path / "reference.sqlite"
    run(folder, reference)

    monkeypatch.setattr(pipeline, "document_lines", lambda text, rules: (frozenset(), None))
    db = tmp_path / "news.sqlite"
    summary = run(folder, db)
    assert mispredicted(caplog) > 0
    assert summary.articles_recleaned == 12
    assert cleaning(db) == cleaning(reference)


def test_nightly_changes_keep_the_prediction_exact_and_end_like_a_fresh_run(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder, db = tmp_path / "in", tmp_path / "news.sqlite"
    trash = tmp_path / "trash"
    trash.mkdir()

    write_corpus(folder, range(9))  # night 1: 9 articles, the promo stays
    run(folder, db)
    assert set(promo_labels(db).values()) == {"body"}

    write_corpus(folder, range(9, 12))  # night 2: 3 more: it turns boilerplate everywhere
    summary = run(folder, db)
    assert summary.files_new == 3
    assert summary.articles_recleaned == 9  # the 9 older ones; the 3 new were cleaned right at once
    assert set(promo_labels(db).values()) == {"boilerplate"}
    assert cleaning(db) == fresh_cleaning(folder, tmp_path)

    (folder / "03.txt").write_text(article(3, edit=" Work starts in June."), encoding="utf-8")  # changed
    for name in ("10.txt", "11.txt"):  # gone: 10 live articles, 9 others each: the promo is body again
        shutil.move(folder / name, trash / name)
    summary = run(folder, db)
    assert (summary.files_changed, summary.files_deleted) == (1, 2)
    assert set(promo_labels(db).values()) == {"body"}
    assert cleaning(db) == fresh_cleaning(folder, tmp_path)

    for name in ("10.txt", "11.txt"):  # back with the same bytes: revived, boilerplate again
        shutil.move(trash / name, folder / name)
    summary = run(folder, db)
    assert summary.files_revived == 2
    assert set(promo_labels(db).values()) == {"boilerplate"}
    assert cleaning(db) == fresh_cleaning(folder, tmp_path)
    assert mispredicted(caplog) == 0


def test_explain_with_db_applies_the_databases_memory(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from etl.cli import cli

    folder, db = tmp_path / "in", tmp_path / "news.sqlite"
    write_corpus(folder, range(12))
    run(folder, db)
    promo_row = lambda out: next(line for line in out.splitlines() if "harbour desk compiles" in line)  # noqa: E731

    with_memory = CliRunner().invoke(cli, ["explain", str(folder / "00.txt"), "--db", str(db)])
    assert with_memory.exit_code == 0, with_memory.output
    assert "boilerplate" in promo_row(with_memory.output) and "seen in 11 other articles" in with_memory.output

    rules_only = CliRunner().invoke(cli, ["explain", str(folder / "00.txt")])
    assert rules_only.exit_code == 0 and "boilerplate" not in promo_row(rules_only.output)

    missing = CliRunner().invoke(cli, ["explain", str(folder / "00.txt"), "--db", str(tmp_path / "none.sqlite")])
    assert missing.exit_code == 2 and "none.sqlite does not exist" in missing.output


# ---------------------------------------------------------------------------- per outlet

#: Four outlets, each telling its name in a copyright line.  Only the Harbour Gazette carries
#: FURNITURE, a sentence no rule knows, in every article: 12 of 48 articles are 23 % of the corpus,
#: under the share a sentence-like line needs there, but all of the Gazette's own articles.
OUTLETS = ["Harbour Gazette", "Island Times", "Quay Courier", "Ferry Post"]
FURNITURE = "Our island desk files these reports each weekday from the quay, the ferries and the markets."


def outlet_article(outlet: str, i: int, with_outlet: bool = True) -> str:
    city, work, district = CITIES[i], WORKS[i], outlet.split()[0].lower()
    lines = [
        f"{city} weighs {work} plan for the {district} district",
        f"Councillors in {city} debated the {work} plan for the {district} district on Tuesday and will vote "
        "next month, officials said.",
        f"Residents near the {work} site in the {district} district asked for quieter hours and for a say.",
    ]
    if outlet == OUTLETS[0]:
        lines.append(FURNITURE)
    if with_outlet:
        lines.append(f"\u00a9 2024 {outlet}")
    return "\n\n".join(lines) + "\n"


def write_outlets(folder: Path, gazette: range, others: range = range(12), with_outlet: bool = True) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for k, outlet in enumerate(OUTLETS):
        for i in gazette if k == 0 else others:
            path = folder / f"{k}-{i:02d}.txt"
            path.write_text(outlet_article(outlet, i, with_outlet), encoding="utf-8")


def furniture_labels(db: Path) -> dict[str, str]:
    kept = query(db, "SELECT a.source_path, p.kind FROM paragraphs p JOIN articles a ON a.id = p.article_id "
                     "WHERE p.text = ? AND a.deleted_at IS NULL", (FURNITURE,))
    removed = query(db, "SELECT a.source_path, r.label || ': ' || r.reason FROM removed_segments r "
                        "JOIN articles a ON a.id = r.article_id WHERE r.text = ? AND a.deleted_at IS NULL",
                    (FURNITURE,))
    return dict(kept + removed)


def test_an_outlets_furniture_sentence_is_learnt_within_the_outlet(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder, db = tmp_path / "in", tmp_path / "news.sqlite"
    write_outlets(folder, gazette=range(12))
    summary = run(folder, db)
    assert summary.files_new == 48 and summary.articles_recleaned == 0 and mispredicted(caplog) == 0
    assert query(db, "SELECT outlet, count(*) FROM articles GROUP BY outlet ORDER BY outlet") == sorted(
        (outlet, 12) for outlet in OUTLETS
    )
    assert set(furniture_labels(db).values()) == {"boilerplate: seen in 11 other articles of Harbour Gazette"}
    # the corpus-wide count alone (11 of 47 others) would not have done it
    assert query(db, "SELECT article_count, frequent, frequent_sentence FROM line_fingerprints WHERE sample = ?",
                 (FURNITURE,)) == [(12, 1, 0)]
    assert query(
        db,
        "SELECT o.outlet, o.article_count, o.frequent_sentence FROM outlet_line_fingerprints o "
        "JOIN line_fingerprints l USING (fingerprint) WHERE l.sample = ?",
        (FURNITURE,),
    ) == [("Harbour Gazette", 12, 1)]


def test_without_a_told_outlet_only_the_corpus_counts(tmp_path: Path) -> None:
    folder, db = tmp_path / "in", tmp_path / "news.sqlite"
    write_outlets(folder, gazette=range(12), with_outlet=False)
    run(folder, db)
    assert query(db, "SELECT count(*) FROM articles WHERE outlet IS NOT NULL") == [(0,)]
    assert set(furniture_labels(db).values()) == {"body"}
    assert query(db, "SELECT count(*) FROM outlet_line_fingerprints") == [(0,)]


def test_an_outlet_growing_and_shrinking_re_cleans_its_articles_and_ends_like_a_fresh_run(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder, db = tmp_path / "in", tmp_path / "news.sqlite"
    trash = tmp_path / "trash"
    trash.mkdir()

    write_outlets(folder, gazette=range(9))  # night 1: 8 other Gazette articles: not enough
    run(folder, db)
    assert set(furniture_labels(db).values()) == {"body"}

    write_outlets(folder, gazette=range(9, 12), others=range(0))  # night 2: 3 more Gazette articles
    summary = run(folder, db)
    assert summary.files_new == 3
    assert summary.articles_recleaned == 9  # the Gazette's 9 older articles, no other outlet's
    assert set(furniture_labels(db).values()) == {"boilerplate: seen in 11 other articles of Harbour Gazette"}
    assert cleaning(db) == fresh_cleaning(folder, tmp_path)

    # the outlet shrinks (two files gone) and one of its articles stops telling its name
    for name in ("0-10.txt", "0-11.txt"):
        shutil.move(folder / name, trash / name)
    (folder / "0-03.txt").write_text(outlet_article(OUTLETS[0], 3, with_outlet=False), encoding="utf-8")
    summary = run(folder, db)
    assert (summary.files_changed, summary.files_deleted) == (1, 2)
    assert set(furniture_labels(db).values()) == {"body"}  # 9 Gazette articles left, 8 others
    assert query(db, "SELECT o.article_count, o.frequent_sentence FROM outlet_line_fingerprints o "
                     "JOIN line_fingerprints l USING (fingerprint) WHERE l.sample = ?", (FURNITURE,)) == [(9, 0)]
    assert cleaning(db) == fresh_cleaning(folder, tmp_path)

    for name in ("0-10.txt", "0-11.txt"):  # back with the same bytes: revived
        shutil.move(trash / name, folder / name)
    (folder / "0-03.txt").write_text(outlet_article(OUTLETS[0], 3), encoding="utf-8")
    summary = run(folder, db)
    assert summary.files_revived == 2
    assert set(furniture_labels(db).values()) == {"boilerplate: seen in 11 other articles of Harbour Gazette"}
    assert cleaning(db) == fresh_cleaning(folder, tmp_path)
    assert mispredicted(caplog) == 0


def test_a_wrong_outlet_prediction_is_caught_and_repaired(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The counting pass predicts every line but no outlet: every outlet's count of articles comes
    out other than predicted, so every article with a line frequent in its outlet is re-cleaned."""
    folder = tmp_path / "in"
    write_outlets(folder, gazette=range(12))
    reference = tmp_path / "reference.sqlite"
    run(folder, reference)

    document_lines = pipeline.document_lines
    monkeypatch.setattr(pipeline, "document_lines", lambda text, rules: (document_lines(text, rules)[0], None))
    db = tmp_path / "news.sqlite"
    summary = run(folder, db)
    assert mispredicted(caplog) > 0
    assert summary.articles_recleaned == 48
    assert cleaning(db) == cleaning(reference)


@pytest.mark.parametrize("scope", ["corpus", "outlet"])
def test_counts_spilled_to_disk_predict_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, scope: str
) -> None:
    monkeypatch.setattr(pipeline, "COUNT_CHANGES_IN_MEMORY", 2)  # add up on disk all the time
    folder, db = tmp_path / "in", tmp_path / "news.sqlite"
    if scope == "corpus":
        write_corpus(folder, range(12))
        labels, expected = promo_labels, "boilerplate"
    else:
        write_outlets(folder, gazette=range(12))
        labels, expected = furniture_labels, "boilerplate: seen in 11 other articles of Harbour Gazette"
    summary = run(folder, db)
    assert summary.articles_recleaned == 0 and mispredicted(caplog) == 0
    assert set(labels(db).values()) == {expected}


def test_upgrading_an_archive_counts_its_outlets_and_the_next_run_applies_them(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Revision 0006 fills the per-outlet counts from what is stored, with every flag at 0; the
    next run (no file changed) sets the flags and re-cleans the articles they concern, once."""
    from etl.db import migrate

    folder, db = tmp_path / "in", tmp_path / "news.sqlite"
    write_outlets(folder, gazette=range(12))
    run(folder, db)
    counts = "SELECT outlet, fingerprint, article_count FROM outlet_line_fingerprints ORDER BY 1, 2"
    expected = query(db, counts)
    assert expected

    migrate.downgrade(db, "0005", take_backup=False)
    migrate.upgrade(db, take_backup=False)
    assert query(db, counts) == expected
    assert query(db, "SELECT count(*) FROM outlet_line_fingerprints WHERE frequent_sentence") == [(0,)]

    summary = run(folder, db)
    assert summary.files_unchanged == 48
    # every outlet's copyright line, and the Gazette's furniture, reach the sentence level within
    # their outlet (the flag cannot tell a sentence from a short line): all 48 are classified again
    assert summary.articles_recleaned == 48
    assert set(furniture_labels(db).values()) == {"boilerplate: seen in 11 other articles of Harbour Gazette"}
    assert run(folder, db).articles_recleaned == 0


def test_explain_with_db_applies_the_outlets_memory(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from etl.cli import cli

    folder, db = tmp_path / "in", tmp_path / "news.sqlite"
    write_outlets(folder, gazette=range(12))
    run(folder, db)
    result = CliRunner().invoke(cli, ["explain", str(folder / "0-00.txt"), "--db", str(db)])
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if "island desk files" in line)
    assert "boilerplate" in row and "seen in 11 other articles of Harbour Gazette" in result.output


def test_explain_with_an_older_database_says_to_upgrade_it(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from etl.cli import cli
    from etl.db import migrate

    folder, db = tmp_path / "in", tmp_path / "news.sqlite"
    write_outlets(folder, gazette=range(2), others=range(1))
    run(folder, db)
    migrate.downgrade(db, "0005", take_backup=False)
    result = CliRunner().invoke(cli, ["explain", str(folder / "0-00.txt"), "--db", str(db)])
    assert result.exit_code != 0
    assert "built by an older etl" in result.output and f"etl db upgrade --db {db}" in result.output
    assert migrate.current_revision(db) == "0005"  # explain only reads


def test_a_rerun_reads_only_the_memory_lines_that_can_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No statement of a re-run scans the corpus-memory tables whole: a line can only change status
    if it recurs or is flagged, and the partial indexes of revision 0007 hold exactly those.  (One
    row per distinct line of the archive: a scan is a cost in proportion to the archive.)"""
    import sqlite3

    from sqlalchemy import event

    statements: list[str] = []
    make_engine = pipeline.make_engine

    def traced(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        engine = make_engine(*args, **kwargs)
        event.listen(engine, "connect", lambda dbapi_conn, _: dbapi_conn.set_trace_callback(statements.append))
        return engine

    monkeypatch.setattr(pipeline, "make_engine", traced)
    folder, db = tmp_path / "in", tmp_path / "news.sqlite"
    write_outlets(folder, gazette=range(12))
    run(folder, db)
    for name in ("0-10.txt", "0-11.txt"):  # the furniture flips back: a re-clean follows
        shutil.move(folder / name, tmp_path / name)
    (folder / "1-00.txt").write_text(outlet_article(OUTLETS[1], 0) + "\nA correction was added.\n", encoding="utf-8")
    statements.clear()
    summary = run(folder, db)
    assert (summary.files_changed, summary.files_deleted, summary.articles_recleaned) == (1, 2, 10)

    con = sqlite3.connect(db)
    for sql in statements:  # the run's temporary tables, for the plans
        if sql.startswith("CREATE TEMP TABLE"):
            con.execute(sql)
    scans, checked = [], 0
    for sql in sorted(set(statements)):
        if "line_fingerprints" not in sql or not sql.lstrip().upper().startswith(("SELECT", "WITH")):
            continue
        checked += 1
        for *_, detail in con.execute("EXPLAIN QUERY PLAN " + sql):
            table = detail.split()[1] if detail.startswith("SCAN ") else ""
            if table in ("line_fingerprints", "outlet_line_fingerprints", "l") and "USING INDEX ix_" not in detail:
                scans.append((detail, sql[:160]))
    assert checked >= 4
    assert scans == []


# ---------------------------------------------------------------------------- passes of the memory step


def count_memory_loads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Calls of ``pipeline.load_memory`` from now on (one per pass of the corpus-memory step)."""
    calls: list[int] = []
    real = pipeline.load_memory

    def counted(conn, rules):  # noqa: ANN001, ANN202
        calls.append(1)
        return real(conn, rules)

    monkeypatch.setattr(pipeline, "load_memory", counted)
    return calls


def test_re_cleans_that_change_nothing_end_the_memory_step_after_one_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A line a rule already removes turns frequent: its articles are re-cleaned, every verdict
    stays, nothing is rewritten, so no count can have moved and no second pass is needed."""
    folder, db = tmp_path / "in", tmp_path / "news.sqlite"
    follow = "\n\nFollow us on Facebook and Twitter\n"
    folder.mkdir()
    for i in range(3):
        (folder / f"{i:02d}.txt").write_text(article(i) + follow, encoding="utf-8")
    run(folder, db)
    assert query(db, "SELECT count(*) FROM line_fingerprints WHERE frequent") == [(0,)]

    (folder / "03.txt").write_text(article(3) + follow, encoding="utf-8")  # 4 articles: the line flips
    loads = count_memory_loads(monkeypatch)
    summary = run(folder, db)
    assert summary.files_new == 1 and summary.articles_recleaned == 3
    assert query(db, "SELECT count(*) FROM line_fingerprints WHERE frequent AND sample LIKE 'Follow us%'") == [(1,)]
    assert len(loads) == 1
    assert cleaning(db) == fresh_cleaning(folder, tmp_path)


def test_a_rewriting_re_clean_is_checked_by_a_second_pass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder, db = tmp_path / "in", tmp_path / "news.sqlite"
    write_corpus(folder, range(9))
    run(folder, db)
    write_corpus(folder, range(9, 12))  # the promo turns boilerplate: the 9 older articles are rewritten
    loads = count_memory_loads(monkeypatch)
    summary = run(folder, db)
    assert summary.articles_recleaned == 9
    assert len(loads) == 2  # the pass that re-cleaned, and one that finds nothing left
    assert cleaning(db) == fresh_cleaning(folder, tmp_path)


@pytest.mark.parametrize("from_lines", [False, True])
@pytest.mark.parametrize("scope", ["corpus", "outlet"])
def test_either_join_order_finds_the_same_articles_to_re_clean(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, from_lines: bool, scope: str
) -> None:
    """Which articles contain a flipped or mispredicted line does not depend on the order the
    memory step joins the tables in (it picks the cheaper one from their sizes)."""
    joins: list[bool] = []
    monkeypatch.setattr(pipeline, "_join_from_lines", lambda *costs: joins.append(from_lines) or from_lines)
    folder, db = tmp_path / "in", tmp_path / "news.sqlite"
    write = write_corpus if scope == "corpus" else (lambda f, r: write_outlets(f, gazette=r, others=range(12 if r.start == 0 else 0)))
    write(folder, range(9))
    run(folder, db)
    write(folder, range(9, 12))  # the promo (or the Gazette's furniture) flips in the 9 older articles
    summary = run(folder, db)
    assert summary.articles_recleaned == 9 and joins
    labels = promo_labels(db) if scope == "corpus" else furniture_labels(db)
    assert len(labels) == 12 and all(label.startswith("boilerplate") for label in labels.values())
    assert cleaning(db) == fresh_cleaning(folder, tmp_path)

    real = pipeline.document_lines
    monkeypatch.setattr(pipeline, "document_lines", lambda text, rules: (frozenset(), None))  # all mispredicted
    for path in sorted(folder.glob("*.txt"))[:5]:
        path.write_text(path.read_text(encoding="utf-8") + "\nOne more line for the record.\n", encoding="utf-8")
    summary = run(folder, db)
    assert summary.files_changed == 5 and summary.articles_recleaned == 5
    monkeypatch.setattr(pipeline, "document_lines", real)
    assert cleaning(db) == fresh_cleaning(folder, tmp_path)


def test_live_outlet_totals_from_the_indexes_equal_a_count_of_the_live_articles(tmp_path: Path) -> None:
    from etl.db import load
    import sqlite3

    folder, db = tmp_path / "in", tmp_path / "news.sqlite"
    write_outlets(folder, gazette=range(12))
    run(folder, db)
    for name in ("0-10.txt", "0-11.txt", *(f"3-{i:02d}.txt" for i in range(12))):  # the Ferry Post goes entirely
        (folder / name).unlink()
    assert run(folder, db).files_deleted == 14
    con = sqlite3.connect(db)
    try:
        counted = dict(con.execute(
            "SELECT outlet, count(*) FROM articles WHERE deleted_at IS NULL AND outlet IS NOT NULL GROUP BY outlet"
        ))
        assert load.outlet_totals(con) == counted == {"Harbour Gazette": 10, "Island Times": 12, "Quay Courier": 12}
    finally:
        con.close()
