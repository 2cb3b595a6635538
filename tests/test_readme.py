"""The README's "Querying the database" examples run, as written, against the seeds database.

Each test works in a temporary folder laid out like a fresh clone after the README's first
command: ``news.sqlite`` built from ``seeds/`` and the repository's ``sql/`` folder beside it.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.analyst_db import REPO, copy_db, seeds_db  # noqa: F401 - fixtures

SECTION = "## Querying the database"


def section() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert SECTION in text, f"README.md has no {SECTION!r} section"
    body = text.split(SECTION, 1)[1]
    return re.split(r"\n## ", body, maxsplit=1)[0]


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", section(), flags=re.DOTALL)


@pytest.fixture
def clone(seeds_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:  # noqa: F811
    copy_db(seeds_db, tmp_path)
    (tmp_path / "sql").symlink_to(REPO / "sql", target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_python(code: str) -> tuple[dict, str]:
    namespace: dict = {"__name__": "__readme__"}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - our own README
    return namespace, out.getvalue()


def test_the_section_has_every_tool() -> None:
    text = section()
    for needle in ("sqlite3 news.sqlite", "datasette news.sqlite", "pd.read_sql", "pl.read_database", "etl stats",
                   "etl export", "docs/schema.md", "schema_docs"):
        assert needle in text, needle
    assert len(blocks("python")) >= 2


def test_pandas_example(clone: Path) -> None:
    (code,) = [b for b in blocks("python") if "import pandas" in b]
    ns, out = run_python(code)
    assert ns["top"].iloc[0]["name"] == "Mark Milley"
    assert list(ns["top"].columns) == ["name", "mention_count", "article_count"]
    assert ns["per_month"].sum() > 0 and "Mark Milley" in out
    assert {"Millie", "Zaluzhny"} <= set(ns["variants"]["surface"])


def test_polars_example(clone: Path) -> None:
    (code,) = [b for b in blocks("python") if "import polars" in b]
    ns, out = run_python(code)
    top_pair = ns["pairs"].sort("paragraph_count", descending=True).row(0, named=True)
    assert "Mark Milley" in (top_pair["person_a_name"], top_pair["person_b_name"])
    assert "Mark Milley" in ns["people"]["name"].to_list() and "Mark Milley" in out


def test_sql_examples(clone: Path) -> None:
    sql_blocks = blocks("sql")
    assert sql_blocks
    con = sqlite3.connect("news.sqlite")
    for sql in sql_blocks:
        rows = con.execute(sql).fetchall()
        assert rows, sql
        word = re.search(r"MATCH '(\w+)'", sql)
        if word:  # the highlighted hit is in every row
            assert all(f"[{word.group(1)}]" in " ".join(map(str, r)) for r in rows)
    inline = re.search(r"`(SELECT rowid, name, aliases FROM people_fts WHERE\s+people_fts MATCH 'zaluzh\*';)`", section())
    assert inline, "the people_fts example changed: update this test"
    rows = con.execute(re.sub(r"\s+", " ", inline.group(1))).fetchall()
    assert len(rows) == 1 and "Zaluzhn" in rows[0][1]
    con.close()


def shell_lines() -> list[str]:
    (console,) = blocks("console")
    return [line.removeprefix("sqlite> ") for line in console.splitlines() if line.startswith("sqlite> ")]


def test_sqlite3_shell_session_in_python(clone: Path) -> None:
    con = sqlite3.connect("news.sqlite")
    ran = 0
    for line in shell_lines():
        if line.startswith(".read "):
            sql = Path(line.split(maxsplit=1)[1]).read_text(encoding="utf-8")
        elif line.startswith("."):
            continue
        else:
            sql = line
        assert con.execute(sql).fetchall(), line
        ran += 1
    con.close()
    assert ran >= 4


@pytest.mark.skipif(shutil.which("sqlite3") is None, reason="no sqlite3 command-line shell installed")
def test_sqlite3_shell_session_in_the_real_shell(clone: Path) -> None:
    script = "\n".join(shell_lines()) + "\n"
    result = subprocess.run(["sqlite3", "-bail", "news.sqlite"], input=script, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Mark Milley" in result.stdout and "person_a_name" in result.stdout
