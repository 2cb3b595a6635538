"""``etl stats`` and ``etl export`` through the CLI, on the known corpus and on seeds."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from etl.cli import cli
from tests.analyst_db import sample_db, seeds_db  # noqa: F401 - fixtures
from tests.conftest import query


def invoke(*args: str):  # noqa: ANN201
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_stats_json_counts_live_rows(sample_db: Path) -> None:  # noqa: F811
    result = invoke("stats", "--db", str(sample_db), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["counts"] == {
        "articles": 3,
        "deleted_articles": 1,
        "paragraphs": 8,
        "removed_segments": 11,
        "people": 4,
        "mentions": 13,
        "outlets": 3,
        "runs": 1,
    }
    assert [a["outlet"] for a in data["newest_articles"]] == ["Kyiv Post", "Reuters", "Fox News"]
    assert data["top_people"][0] == {"name": "Mark Milley", "mentions": 7, "articles": 3}
    assert data["last_run"]["status"] == "succeeded"
    assert data["revision"]


def test_stats_text_and_limit(sample_db: Path) -> None:  # noqa: F811
    result = invoke("stats", "--db", str(sample_db), "-n", "1")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(line.split()[:2] == ["articles", "3"] for line in lines)
    assert any(line.split()[:2] == ["mentions", "13"] for line in lines)
    newest = lines.index("newest articles:")
    assert "Zaluzhnyi speaks with US counterpart Milley" in lines[newest + 1]
    assert lines[newest + 2] == ""  # -n 1: one article
    top = lines.index("top people:")
    assert lines[top + 1].endswith("Mark Milley") and len(lines) == top + 2


def test_stats_on_a_missing_or_foreign_file_is_a_usage_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.sqlite"
    result = CliRunner().invoke(cli, ["stats", "--db", str(missing)])
    assert result.exit_code == 2 and "does not exist" in result.output
    assert not missing.exists()  # a look never creates a database
    notes = tmp_path / "notes.sqlite"
    notes.write_text("not a database\n")
    result = CliRunner().invoke(cli, ["stats", "--db", str(notes)])
    assert result.exit_code == 2 and "not a SQLite database" in result.output
    empty = tmp_path / "empty.sqlite"
    sqlite3.connect(empty).execute("CREATE TABLE t (x)").connection.close()
    result = CliRunner().invoke(cli, ["stats", "--db", str(empty)])
    assert result.exit_code == 2 and "not an etl database" in result.output


def test_export_csv_of_everything(sample_db: Path, tmp_path: Path) -> None:  # noqa: F811
    out = tmp_path / "out" / "csv"
    result = invoke("export", "--db", str(sample_db), "--output", str(out))
    assert result.exit_code == 0, result.output
    names = {p.stem for p in out.iterdir()}
    assert {"articles", "paragraphs", "people", "mentions", "person_aliases", "removed_segments", "runs",
            "schema_docs", "v_mentions", "v_people", "v_articles", "v_cooccurrence_article"} <= names
    assert not {n for n in names if "fts" in n or n.startswith(("sqlite_", "alembic"))}
    assert all(p.suffix == ".csv" for p in out.iterdir())  # no temporary files left behind
    with open(out / "v_mentions.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    con = sqlite3.connect(sample_db)
    cur = con.execute("SELECT * FROM v_mentions")
    assert rows[0] == [d[0] for d in cur.description]
    assert rows[1:] == [["" if v is None else str(v) for v in r] for r in cur.fetchall()]
    con.close()
    assert f"{out / 'mentions.csv'}: 16 rows" in result.output  # the table keeps the deleted article's


def test_export_jsonl_of_chosen_tables(sample_db: Path, tmp_path: Path) -> None:  # noqa: F811
    out = tmp_path / "jsonl"
    result = invoke("export", "--db", str(sample_db), "--format", "jsonl", "-t", "v_people", "--table", "paragraphs",
                    "-o", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["paragraphs.jsonl", "v_people.jsonl"]
    people = [json.loads(line) for line in (out / "v_people.jsonl").read_text(encoding="utf-8").splitlines()]
    assert people[-1] == {
        "person_id": 5, "name": "Olena Ghost", "mention_count": 0, "article_count": 0, "outlet_count": 0,
        "alias_count": 1, "first_published_at": None, "last_published_at": None, "outlets": None, "curated": 0,
    }
    texts = [json.loads(line)["text"] for line in (out / "paragraphs.jsonl").read_text(encoding="utf-8").splitlines()]
    assert texts == [r[0] for r in query(sample_db, "SELECT text FROM paragraphs ORDER BY rowid")]
    assert any("café" in t for t in texts)  # UTF-8, not escaped


def test_export_rejects_unknown_tables(sample_db: Path, tmp_path: Path) -> None:  # noqa: F811
    for bad in ("nonsense", "people; DROP TABLE people", "paragraphs_fts_data", "alembic_version"):
        result = CliRunner().invoke(cli, ["export", "--db", str(sample_db), "-t", bad, "-o", str(tmp_path / "o")])
        assert result.exit_code == 2, bad
        assert "no table or view named" in result.output and "v_mentions" in result.output
    assert query(sample_db, "SELECT count(*) FROM people") == [(5,)]
    result = CliRunner().invoke(cli, ["export", "--db", str(sample_db), "--format", "xlsx", "-o", str(tmp_path)])
    assert result.exit_code == 2


def test_stats_and_export_on_seeds(seeds_db: Path, tmp_path: Path) -> None:  # noqa: F811
    data = json.loads(invoke("stats", "--db", str(seeds_db), "--json").output)
    assert data["counts"]["articles"] == 5 and data["counts"]["deleted_articles"] == 0
    assert data["top_people"][0]["name"] == "Mark Milley"
    assert data["counts"]["mentions"] == query(seeds_db, "SELECT count(*) FROM v_mentions")[0][0]
    result = invoke("export", "--db", str(seeds_db), "--format", "jsonl", "-t", "v_mentions", "-o", str(tmp_path))
    assert result.exit_code == 0
    lines = (tmp_path / "v_mentions.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == data["counts"]["mentions"]
    first = json.loads(lines[0])
    assert first["paragraph_text"][first["char_start"]:first["char_end"]] == first["surface"]
