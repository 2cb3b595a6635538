"""``etl run`` from the command line: (arguments, exit code, expected output), one row per situation,
plus the things only a real process shows (SIGTERM, a progress bar on a terminal)."""

from __future__ import annotations

import os
import pty
import select
import shutil
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from etl import pipeline
from etl.cli import cli
from etl.db import migrate
from etl.pipeline import RunLock
from tests.conftest import SEEDS, query
from tests.corpus import make_corpus
from tests.ops import etl_cmd, etl_env, rows, start_etl

Setup = Callable[[Path, pytest.MonkeyPatch], list[str]]


def db(t: Path) -> str:
    return str(t / "news.sqlite")


def seeds_run(*extra: str) -> Setup:
    return lambda t, mp: ["run", "--input", str(SEEDS), "--db", db(t), "-j", "1", *extra]


def with_file(name: str, data: bytes, *extra: str) -> Setup:
    def setup(t: Path, mp: pytest.MonkeyPatch) -> list[str]:
        folder = t / "input"
        shutil.copytree(SEEDS, folder)
        (folder / name).write_bytes(data)
        return ["run", "--input", str(folder), "--db", db(t), "-j", "1", *extra]

    return setup


def with_db(content: Callable[[Path], None], *extra: str) -> Setup:
    def setup(t: Path, mp: pytest.MonkeyPatch) -> list[str]:
        content(t / "news.sqlite")
        return ["run", "--input", str(SEEDS), "--db", db(t), "-j", "1", *extra]

    return setup


def _newer(path: Path) -> None:
    migrate.upgrade(path)
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    con.commit()
    con.close()


def _corrupt(path: Path) -> None:
    migrate.upgrade(path)
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xde\xad\xbe\xef" * ((4096 - 100) // 4)  # keep the header, ruin the schema page
    path.write_bytes(bytes(data))
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def _loaded(path: Path) -> None:
    pipeline.run(pipeline.Settings(db_path=path, input_dir=SEEDS, jobs=1))


_HELD: list[RunLock] = []  # locks a case holds while etl runs, released after it


def _locked(t: Path, mp: pytest.MonkeyPatch) -> list[str]:
    _HELD.append(RunLock(t / "news.sqlite", wait=False).__enter__())
    return ["run", "--input", str(SEEDS), "--db", db(t), "-j", "1"]


def _broken_pipeline(t: Path, mp: pytest.MonkeyPatch) -> list[str]:
    def fail(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise OSError(28, "No space left on device")

    mp.setattr(pipeline, "_load_all", fail)
    return ["run", "--input", str(SEEDS), "--db", db(t), "-j", "1"]


def _env_vars(t: Path, mp: pytest.MonkeyPatch) -> list[str]:
    mp.setenv("ETL_INPUT", str(SEEDS))
    mp.setenv("ETL_DB", db(t))
    return ["run", "-j", "1"]


def _reprocess_alone(t: Path, mp: pytest.MonkeyPatch) -> list[str]:
    _loaded(t / "news.sqlite")
    mp.chdir(t)  # no seeds/ here: --reprocess alone must not need an input folder
    return ["run", "--reprocess", "--db", db(t), "-j", "1"]


def _with_log_file(t: Path, mp: pytest.MonkeyPatch) -> list[str]:
    return ["run", "--input", str(SEEDS), "--db", db(t), "-j", "1", "-q", "--log-file", str(t / "etl.log")]


def _bad_rules(t: Path, mp: pytest.MonkeyPatch) -> list[str]:
    (t / "rules.toml").write_text("[cleaning\nbroken = ")
    return ["run", "--input", str(SEEDS), "--db", db(t), "-j", "1", "--rules", str(t / "rules.toml")]


def _input_is_a_file(t: Path, mp: pytest.MonkeyPatch) -> list[str]:
    (t / "notes.txt").write_text("x")
    return ["run", "--input", str(t / "notes.txt"), "--db", db(t)]


def _verbose_skips(t: Path, mp: pytest.MonkeyPatch) -> list[str]:
    folder = t / "input"
    shutil.copytree(SEEDS, folder)
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    return ["run", "--input", str(folder), "--db", db(t), "-j", "1", "-v"]


CASES: list[tuple[str, Setup, int, list[str]]] = [
    ("seeds", seeds_run(), 0, ["files: 5 seen, 5 new, 0 changed, 0 unchanged, 0 failed; articles 5, paragraphs"]),
    ("seeds with two jobs", seeds_run("-j", "2"), 0, ["files: 5 seen, 5 new"]),
    ("environment variables", _env_vars, 0, ["files: 5 seen, 5 new"]),
    ("quiet", seeds_run("-q"), 0, []),
    ("verbose shows skipped files", _verbose_skips, 0, ["etl: skipped photo.jpg: not a text file", "files: 5 seen"]),
    ("log file", _with_log_file, 0, []),
    ("rerun after load", with_db(_loaded), 0, ["files: 5 seen, 0 new, 0 changed, 5 unchanged, 0 failed"]),
    ("reprocess alone", _reprocess_alone, 0, ["files: 0 seen", "5 re-cleaned"]),
    ("help", lambda t, mp: ["run", "--help"], 0,
     ["Exit codes:", "1   some files failed", "75  another run holds the lock", "Examples:", "--wait"]),
    ("a failed file", with_file("empty.txt", b""), 1,
     ["etl: failed empty.txt (decode): file is empty", "files: 6 seen, 5 new, 0 changed, 0 unchanged, 1 failed"]),
    ("over the size cap", with_file("big.txt", b"word " * 400, "--max-file-size", "1000"), 1,
     ["failed big.txt (read): file is 2,000 bytes, over the size cap of 1,000 bytes"]),
    ("missing input folder", lambda t, mp: ["run", "--input", str(t / "nope"), "--db", db(t)], 2,
     ["Error: input folder", "nope does not exist"]),
    ("input is a file", _input_is_a_file, 2, ["Invalid value for '--input'", "notes.txt' is a file"]),
    ("database in a read-only place", lambda t, mp: ["run", "--input", str(SEEDS), "--db", "/proc/news.sqlite"], 2,
     ["Error: cannot create /proc/news.sqlite", "is not writable"]),
    ("database folder missing", lambda t, mp: ["run", "--input", str(SEEDS), "--db", str(t / "no" / "n.sqlite")], 2,
     ["does not exist"]),
    ("not a database", with_db(lambda p: p.write_text("my notes, not a database\n")), 2,
     ["is not a SQLite database (unexpected file header)"]),
    ("a corrupt database", with_db(_corrupt), 2, ["cannot be used as a database"]),
    ("a database from a newer etl", with_db(_newer), 2,
     ["schema revision '9999_from_the_future'", "made by a newer version of etl"]),
    ("bad rules file", _bad_rules, 2, ["Error:"]),
    ("bad --jobs", lambda t, mp: ["run", "--jobs", "0"], 2, ["Invalid value for '--jobs'"]),
    ("unknown option", lambda t, mp: ["run", "--fast"], 2, ["No such option '--fast'"]),
    ("unwritable log file", lambda t, mp: ["run", "--log-file", "/proc/etl.log", "--db", db(t)], 2,
     ["cannot open the log file /proc/etl.log"]),
    ("locked", _locked, 75, ["another etl run holds", "news.sqlite.lock", "(use --wait to queue behind it)"]),
    ("unexpected error", _broken_pipeline, 70,
     ["the run stopped on an unexpected error: OSError: [Errno 28] No space left on device", "marked failed"]),
]


@pytest.mark.parametrize(("setup", "code", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_run(setup: Setup, code: int, expected: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ETL_INPUT", raising=False)
    monkeypatch.delenv("ETL_DB", raising=False)
    args = setup(tmp_path, monkeypatch)
    try:
        result = CliRunner().invoke(cli, args)
    finally:
        while _HELD:
            _HELD.pop().__exit__(None, None, None)
    assert result.exit_code == code, result.output
    for fragment in expected:
        assert fragment in result.output, f"{fragment!r} not in:\n{result.output}"
    assert "Traceback" not in result.output
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), result.exception
    if "-q" in args:
        assert result.stdout == ""


def test_quiet_with_a_log_file_writes_the_summary_there(tmp_path: Path) -> None:
    log = tmp_path / "etl.log"
    result = CliRunner().invoke(cli, _with_log_file(tmp_path, pytest.MonkeyPatch()))
    assert result.exit_code == 0 and result.output == ""
    text = log.read_text()
    assert "INFO run 1: files: 5 seen, 5 new" in text


def test_a_failed_run_row_after_an_unexpected_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = CliRunner().invoke(cli, _broken_pipeline(tmp_path, monkeypatch))
    assert result.exit_code == 70
    [(status, message)] = query(tmp_path / "news.sqlite", "SELECT status, message FROM runs")
    assert status == "failed" and "No space left on device" in message


def test_sigterm_marks_the_run_failed_and_exits_143(tmp_path: Path) -> None:
    folder = tmp_path / "input"
    make_corpus(folder, 240)
    database = tmp_path / "news.sqlite"
    proc = start_etl("run", "--input", folder, "--db", database, "-j", "2", "--batch-size", "10")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # wait until it is loading
        if database.exists():
            try:
                if rows(database, "SELECT count(*) FROM articles")[0][0] > 0:
                    break
            except sqlite3.Error:
                pass
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert "Traceback" not in err
    [(status, message)] = rows(database, "SELECT status, message FROM runs")
    assert status == "failed" and message.startswith("interrupted: SystemExit")


def test_progress_bar_on_a_terminal_only(tmp_path: Path) -> None:
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        etl_cmd("run", "--input", SEEDS, "--db", tmp_path / "news.sqlite", "-j", "1"),
        env=etl_env(COLUMNS="100"), stdout=subprocess.PIPE, stderr=slave, text=True,
    )
    os.close(slave)
    out, _ = proc.communicate(timeout=120)
    chunks = []
    while select.select([master], [], [], 0.5)[0]:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    terminal = b"".join(chunks).decode("utf-8", "replace")
    assert proc.returncode == 0
    assert "files" in terminal and "5/5" in terminal
    assert out.startswith("files: 5 seen")
    # not a terminal: no bar at all
    plain = subprocess.run(
        etl_cmd("run", "--input", SEEDS, "--db", tmp_path / "other.sqlite", "-j", "1"),
        env=etl_env(), capture_output=True, text=True, timeout=120,
    )
    assert plain.returncode == 0 and plain.stderr == ""


def test_readme_running_nightly_matches_the_code(tmp_path: Path) -> None:
    import re

    from etl import settings

    text = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = re.split(r"\n## ", text.split("\n## Running nightly", 1)[1], maxsplit=1)[0]
    help_text = CliRunner().invoke(cli, ["run", "--help"]).output
    for name in ("EXIT_OK", "EXIT_PARTIAL", "EXIT_USAGE", "EXIT_SOFTWARE", "EXIT_LOCKED"):
        code = getattr(settings, name)
        assert f"\n| {code} |" in section, f"exit code {code} missing from the README table"
        assert re.search(rf"\n +{code} +\w", help_text), f"exit code {code} missing from etl run --help"
    assert "```cron" in section and "etl run" in section.split("```cron", 1)[1].split("```", 1)[0]
    database = tmp_path / "news.sqlite"
    pipeline.run(pipeline.Settings(db_path=database, input_dir=SEEDS, jobs=1))
    con = sqlite3.connect(database)
    for block in re.findall(r"```sql\n(.*?)```", section, flags=re.DOTALL):
        for statement in filter(str.strip, block.split(";")):
            con.execute(statement).fetchall()
    con.close()


DB_CASES = [
    ("upgrade a new file", None, ["db", "upgrade"], 0, [f"at {migrate.head_revision()}"]),
    ("current of a new file", None, ["db", "current"], 0, ["base (empty) (head is"]),
    ("current at head", "head", ["db", "current"], 0, [f"{migrate.head_revision()} (head)"]),
    ("history", None, ["db", "history"], 0, [f"{migrate.head_revision()} (head):", "0001: initial schema"]),
    ("downgrade with data takes a backup", "loaded", ["db", "downgrade", "0001"], 0, ["backed up to", "at 0001"]),
    ("upgrade with data takes a backup", "0001 loaded", ["db", "upgrade"], 0, ["backed up to", f"at {migrate.head_revision()}"]),
    ("unknown revision", "head", ["db", "upgrade", "7777"], 2, ["unknown schema revision '7777'"]),
    ("downgrade an empty file", None, ["db", "downgrade", "base"], 2, ["has no schema to downgrade"]),
    ("not a database", "notes", ["db", "current"], 2, ["is not a SQLite database"]),
]


@pytest.mark.parametrize(("state", "args", "code", "expected"), [c[1:] for c in DB_CASES], ids=[c[0] for c in DB_CASES])
def test_db(state: str | None, args: list[str], code: int, expected: list[str], tmp_path: Path) -> None:
    path = tmp_path / "news.sqlite"
    if state == "head":
        migrate.upgrade(path)
    elif state == "notes":
        path.write_text("notes\n")
    elif state and "loaded" in state:
        _loaded(path)
        if state.startswith("0001"):
            migrate.downgrade(path, "0001")
            for bak in tmp_path.glob("*.bak"):
                bak.unlink()
    result = CliRunner().invoke(cli, [*args, "--db", str(path)] if args[1] != "history" else args)
    assert result.exit_code == code, result.output
    for fragment in expected:
        assert fragment in result.output, f"{fragment!r} not in:\n{result.output}"
    assert "Traceback" not in result.output
    if "backed up to" in expected:
        [bak] = tmp_path.glob("news.sqlite.*.bak")
        assert str(bak) in result.output


def test_a_cli_run_puts_what_was_imported_before_it_out_of_the_collectors_reach(db_path: Path) -> None:
    """``etl run`` freezes the objects alive when it starts (SQLAlchemy, the pipeline), so the cyclic
    garbage collector's passes during the run skip them (no pool involved here: ``--jobs 1``)."""
    import gc

    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    result = CliRunner().invoke(cli, ["run", "--input", str(SEEDS), "--db", str(db_path), "-j", "1", "-q"])
    assert result.exit_code == 0, result.output
    assert gc.get_freeze_count() > 0
    gc.unfreeze()
