"""Bad input never stops the night: each bad file gets a clear reason in the run log, the rest load.

Decisions tested here (and documented in the README's "Running nightly"):

* empty, whitespace-only, binary, over-the-size-cap files, files with a single line over the line
  cap, special files, symlink loops, broken symlinks and symlinks out of the input folder are
  *failures*: a ``failures`` row (path, stage, reason), a warning, the run ends ``partial``
  (exit 1), and the file's earlier article, if any, is kept;
* text with invalid byte sequences is loaded (decoded by the legacy-encoding path, the encoding
  recorded in ``articles.encoding``) with a note in the log;
* a file that is nothing but boilerplate is *loaded* as an article with 0 paragraphs, its
  segments in ``removed_segments`` with their reasons, and a warning: nothing is lost, an analyst
  sees why it is empty, and better rules can recover text from it later (``--reprocess``);
* awkward file names (spaces, quotes, non-ASCII) load under their exact name.

Unreadable files and read-only places are tested in a real ``etl run`` process that has lost the
capability to override file permissions, so the test also works when CI runs as root.
"""

from __future__ import annotations

import ctypes
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from etl.cli import cli
from tests.conftest import SEEDS, query
from tests.ops import consistency_problems, etl_cmd, etl_env

BOILERPLATE_ONLY = "Advertisement\n\nSubscribe to our newsletter\n\nFollow us on Twitter\n"
GOOD_TEXT = "Zaluzhnyi and Milley spoke for an hour about the war on Thursday, officials said.\n"

#: file name -> (failure stage, words the reason must contain)
FAILING = {
    "empty.txt": ("decode", "file is empty"),
    "blank.txt": ("decode", "whitespace only"),
    "random.txt": ("decode", "not text: binary data"),
    "picture.txt": ("decode", "PNG image"),
    "one_line.txt": ("decode", "a single line of 2,500,000 characters, over the line cap of 1,000,000"),
    "huge.txt": ("read", "file is 3,500,000 bytes, over the size cap of 3,000,000 bytes"),
    "leak.txt": ("walk", "symlink pointing outside the input folder"),
    "loop.txt": ("walk", "symlink loop"),
    "broken.txt": ("walk", "broken symlink"),
    "pipe.txt": ("walk", "not a regular file"),
}
LOADED_NAMES = ["with space.txt", "it's \"quoted\".txt", "Київ — звіт.txt", "naïve café.txt"]


def make_bad_folder(folder: Path, outside: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    outside.mkdir(parents=True, exist_ok=True)
    for seed in sorted(SEEDS.glob("*.txt")):
        shutil.copy(seed, folder / seed.name)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.txt").write_bytes(b"   \n\n\t  \r\n")
    (folder / "random.txt").write_bytes(bytes(range(256)) * 64)
    (folder / "picture.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    (folder / "one_line.txt").write_bytes(b"word " * 500_000)
    (folder / "huge.txt").write_bytes((b"A paragraph of text that goes on.\n" * 102_942)[:3_500_000])
    (outside / "secret.txt").write_text(GOOD_TEXT)
    os.symlink(outside / "secret.txt", folder / "leak.txt")
    os.symlink("loop.txt", folder / "loop.txt")
    os.symlink("nowhere.txt", folder / "broken.txt")
    os.mkfifo(folder / "pipe.txt")
    (folder / "invalid_bytes.txt").write_bytes(GOOD_TEXT.encode() + b"caf\xe9 cr\xe8me \xff\xfe end\n")
    (folder / "boilerplate.txt").write_text(BOILERPLATE_ONLY)
    for name in LOADED_NAMES:
        (folder / name).write_text(GOOD_TEXT)


@pytest.fixture
def bad_folder(tmp_path: Path) -> Path:
    make_bad_folder(tmp_path / "input", tmp_path / "outside")
    return tmp_path / "input"


def invoke(folder: Path, db: Path, *extra: str):  # noqa: ANN201
    """``etl run`` on a bad folder, with the size cap the cases are made for."""
    return CliRunner().invoke(
        cli, ["run", "--input", str(folder), "--db", str(db), "--max-file-size", "3000000", *extra]
    )


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_each_bad_file_gets_a_reason_and_the_rest_load(bad_folder: Path, db_path: Path, jobs: str) -> None:
    result = invoke(bad_folder, db_path, "--jobs", jobs, "-v")
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    failures = {path: (stage, error) for path, stage, error in query(db_path, "SELECT source_path, stage, error FROM failures")}
    assert set(failures) == set(FAILING)
    for name, (stage, words) in FAILING.items():
        assert failures[name][0] == stage, (name, failures[name])
        assert words in failures[name][1], (name, failures[name])
        # ... and the same reason, naming the file, on stderr
        assert f"failed {name} ({stage}): " in result.stderr
    loaded = {r[0] for r in query(db_path, "SELECT source_path FROM articles WHERE deleted_at IS NULL")}
    expected = {p.name for p in SEEDS.glob("*.txt")} | set(LOADED_NAMES) | {"invalid_bytes.txt", "boilerplate.txt"}
    assert loaded == expected
    assert query(db_path, "SELECT status, files_failed, files_new FROM runs") == [("partial", len(FAILING), len(expected))]
    summary = result.stdout.strip().splitlines()[-1]
    assert f"{len(FAILING)} failed" in summary and "1 without article text" in summary
    assert consistency_problems(db_path) == []


def test_invalid_bytes_are_loaded_with_a_note(bad_folder: Path, db_path: Path) -> None:
    result = invoke(bad_folder, db_path, "-j", "1", "-v")
    assert "invalid_bytes.txt: not valid UTF-8 (first invalid byte at offset 85" in result.stderr
    [(encoding, text)] = query(db_path, "SELECT encoding, raw_text FROM articles WHERE source_path = 'invalid_bytes.txt'")
    assert encoding != "utf-8"
    assert text.startswith("Zaluzhnyi and Milley")


def test_a_boilerplate_only_file_is_an_article_without_text(bad_folder: Path, db_path: Path) -> None:
    result = invoke(bad_folder, db_path, "-j", "1")
    assert "boilerplate.txt: no article text: all 3 segments were removed (boilerplate)" in result.stderr
    [(article_id, count, words)] = query(
        db_path, "SELECT id, paragraph_count, word_count FROM articles WHERE source_path = 'boilerplate.txt'"
    )
    assert (count, words) == (0, 0)
    assert query(db_path, "SELECT count(*) FROM paragraphs WHERE article_id = ?", (article_id,)) == [(0,)]
    removed = query(db_path, "SELECT label, text FROM removed_segments WHERE article_id = ? ORDER BY line_start", (article_id,))
    assert [t for _, t in removed] == ["Advertisement", "Subscribe to our newsletter", "Follow us on Twitter"]
    assert {label for label, _ in removed} == {"boilerplate"}


def test_a_file_that_turns_bad_keeps_its_article(input_dir: Path, db_path: Path) -> None:
    (input_dir / "a.txt").write_text(GOOD_TEXT)
    (input_dir / "b.txt").write_text(GOOD_TEXT.replace("Thursday", "Friday"))
    runner = CliRunner()
    assert runner.invoke(cli, ["run", "--input", str(input_dir), "--db", str(db_path), "-j", "1"]).exit_code == 0
    before = query(db_path, "SELECT id, sha256 FROM articles WHERE source_path = 'a.txt'")
    (input_dir / "a.txt").write_bytes(b"")  # truncated by a failed scrape
    result = runner.invoke(cli, ["run", "--input", str(input_dir), "--db", str(db_path), "-j", "1"])
    assert result.exit_code == 1
    assert "failed a.txt (decode): file is empty" in result.stderr
    assert query(db_path, "SELECT id, sha256 FROM articles WHERE source_path = 'a.txt' AND deleted_at IS NULL") == before


def test_names_with_spaces_quotes_and_non_ascii_keep_their_names(bad_folder: Path, db_path: Path) -> None:
    invoke(bad_folder, db_path, "-j", "1")
    for name in LOADED_NAMES:
        [(count,)] = query(db_path, "SELECT paragraph_count FROM articles WHERE source_path = ?", (name,))
        assert count == 1


# ------------------------------------------------------------------ permissions, even as root


def _without_permission_override() -> None:
    """preexec_fn: drop CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH, so file modes apply even to root."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _run_restricted(*args: str | Path, cwd: Path) -> "subprocess.CompletedProcess[str]":
    import subprocess

    try:
        return subprocess.run(
            etl_cmd(*args), cwd=cwd, env=etl_env(), capture_output=True, text=True, timeout=120,
            preexec_fn=_without_permission_override,
        )
    except subprocess.SubprocessError as exc:  # the capability could not be dropped
        pytest.skip(f"cannot drop the permission-override capability here: {exc}")


@pytest.fixture
def restricted_check(tmp_path: Path) -> None:
    probe = tmp_path / "probe.txt"
    probe.write_text("x")
    probe.chmod(0)
    result = _run_restricted("run", "--input", tmp_path / "none", "--db", tmp_path / "x.sqlite", cwd=tmp_path)
    if "does not exist" not in result.stderr:  # pragma: no cover - environment without prctl
        pytest.skip(f"cannot run etl without permission override: {result.stderr[-300:]}")
    probe.chmod(0o644)


def test_an_unreadable_file_fails_with_a_reason_and_the_rest_load(
    tmp_path: Path, restricted_check: None
) -> None:
    folder = tmp_path / "input"
    folder.mkdir()
    (folder / "ok.txt").write_text(GOOD_TEXT)
    (folder / "secret.txt").write_text(GOOD_TEXT)
    (folder / "secret.txt").chmod(0)
    (folder / "closed").mkdir()
    (folder / "closed" / "inside.txt").write_text(GOOD_TEXT)
    (folder / "closed").chmod(0)
    try:
        result = _run_restricted("run", "--input", folder, "--db", tmp_path / "news.sqlite", "-j", "1", cwd=tmp_path)
    finally:
        (folder / "closed").chmod(0o755)
    assert result.returncode == 1, result.stderr
    assert "failed secret.txt (read): cannot read file: Permission denied" in result.stderr
    assert "failed closed/ (walk): folder cannot be read: Permission denied" in result.stderr
    assert "Traceback" not in result.stderr
    assert query(tmp_path / "news.sqlite", "SELECT source_path FROM articles") == [("ok.txt",)]


def test_an_unreadable_folder_does_not_delete_its_articles(tmp_path: Path, restricted_check: None) -> None:
    folder = tmp_path / "input"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "a.txt").write_text(GOOD_TEXT)
    (folder / "b.txt").write_text(GOOD_TEXT)
    db = tmp_path / "news.sqlite"
    assert _run_restricted("run", "--input", folder, "--db", db, "-j", "1", cwd=tmp_path).returncode == 0
    (folder / "sub").chmod(0)
    try:
        result = _run_restricted("run", "--input", folder, "--db", db, "-j", "1", cwd=tmp_path)
    finally:
        (folder / "sub").chmod(0o755)
    assert result.returncode == 1
    assert query(db, "SELECT source_path FROM articles WHERE deleted_at IS NOT NULL") == []


@pytest.mark.parametrize("where", ["read-only folder", "read-only database file"])
def test_a_read_only_place_is_a_clear_error(tmp_path: Path, restricted_check: None, where: str) -> None:
    place = tmp_path / "place"
    place.mkdir()
    db = place / "news.sqlite"
    if where == "read-only database file":
        assert _run_restricted("run", "--input", SEEDS, "--db", db, "-j", "1", cwd=tmp_path).returncode == 0
        for p in place.iterdir():
            p.chmod(0o444)
    place.chmod(0o555)
    try:
        result = _run_restricted("run", "--input", SEEDS, "--db", db, "-j", "1", cwd=tmp_path)
    finally:
        place.chmod(0o755)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert str(db) in result.stderr or "news.sqlite" in result.stderr
    if where == "read-only folder":
        assert f"cannot create {db}: {place} is not writable" in result.stderr
    else:
        assert f"{db} cannot be written (read-only file or permissions)" in result.stderr


def test_a_read_only_database_file_in_a_writable_folder(tmp_path: Path, restricted_check: None) -> None:
    db = tmp_path / "news.sqlite"
    assert _run_restricted("run", "--input", SEEDS, "--db", db, "-j", "1", cwd=tmp_path).returncode == 0
    db.chmod(0o444)
    result = _run_restricted("run", "--input", SEEDS, "--db", db, "-j", "1", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert f"Error: {db} cannot be written (read-only file or permissions)" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unreadable_input_folder_is_a_usage_error(tmp_path: Path, restricted_check: None) -> None:
    folder = tmp_path / "input"
    folder.mkdir()
    folder.chmod(0)
    try:
        result = _run_restricted("run", "--input", folder, "--db", tmp_path / "news.sqlite", cwd=tmp_path)
    finally:
        folder.chmod(0o755)
    assert result.returncode == 2
    assert "is not readable" in result.stderr and "Traceback" not in result.stderr

