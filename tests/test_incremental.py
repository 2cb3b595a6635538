"""Incremental runs: unchanged files skipped cheaply, changed files replaced, gone files soft-deleted
and revived, articles re-cleaned when the rules change (from stored raw text), ``--reprocess``."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from etl.cli import cli
from etl.rules import load_rules
from tests.conftest import SEEDS, query
from tests.ops import canonical_dump, consistency_problems, table_counts

ZEBRA = (
    "A headline about zebras\n\n"
    "The zebra population grew quickly this year, officials in Kenya said on Monday.\n\n"
    "Zebra crossing notice\n\n"
    "More zebras were counted in the northern parks than ever before, the survey found.\n"
)
EXTRA_RULES = '[cleaning.lexicon]\nwidget_lines = ["zebra crossing notice"]\n'


@pytest.fixture
def folder(input_dir: Path) -> Path:
    for seed in sorted(SEEDS.glob("*.txt")):
        shutil.copy2(seed, input_dir / seed.name)
    (input_dir / "zebra.txt").write_text(ZEBRA)
    return input_dir


def etl_run(folder: Path | None, db: Path, *extra: str) -> tuple[int, str]:
    args = ["run", "--db", str(db), "-j", "1", *extra]
    if folder is not None:
        args += ["--input", str(folder)]
    result = CliRunner().invoke(cli, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""


def last_run(db: Path) -> dict:
    cols = ["status", "files_seen", "files_new", "files_changed", "files_unchanged", "files_failed",
            "files_deleted", "articles_recleaned"]
    row = query(db, f"SELECT {', '.join(cols)} FROM runs ORDER BY id DESC LIMIT 1")[0]
    return dict(zip(cols, row))


def article(db: Path, source_path: str) -> tuple:
    return query(
        db, "SELECT id, sha256, run_id, deleted_at, deleted_run_id, rules_version FROM articles WHERE source_path = ?",
        (source_path,),
    )[0]


def test_rerun_on_unchanged_input_changes_nothing(folder: Path, db_path: Path) -> None:
    assert etl_run(folder, db_path)[0] == 0
    dump, counts = canonical_dump(db_path), table_counts(db_path)
    ids = query(db_path, "SELECT id, source_path, run_id FROM articles ORDER BY id")
    paragraph_ids = query(db_path, "SELECT id FROM paragraphs ORDER BY id")
    code, line = etl_run(folder, db_path)
    assert code == 0
    assert line.startswith("files: 6 seen, 0 new, 0 changed, 6 unchanged, 0 failed;")
    assert canonical_dump(db_path) == dump
    assert query(db_path, "SELECT id, source_path, run_id FROM articles ORDER BY id") == ids
    assert query(db_path, "SELECT id FROM paragraphs ORDER BY id") == paragraph_ids
    counts["runs"] += 1  # the only new row: the second run's own
    assert table_counts(db_path) == counts


def test_unchanged_size_and_mtime_skip_the_file_without_reading_it(folder: Path, db_path: Path) -> None:
    etl_run(folder, db_path)
    zebra = folder / "zebra.txt"
    st = zebra.stat()
    # Same size and mtime but other bytes: the stat check alone decides, the file is not read.
    zebra.write_text(ZEBRA.replace("Kenya", "Kenia"))
    os.utime(zebra, ns=(st.st_atime_ns, st.st_mtime_ns))
    etl_run(folder, db_path)
    assert last_run(db_path)["files_unchanged"] == 6
    assert "Kenya" in query(db_path, "SELECT raw_text FROM articles WHERE source_path = 'zebra.txt'")[0][0]


def test_a_touched_file_is_hashed_and_found_unchanged(folder: Path, db_path: Path) -> None:
    etl_run(folder, db_path)
    before = article(db_path, "zebra.txt")
    os.utime(folder / "zebra.txt", ns=(1_000_000_000, 1_000_000_000))
    etl_run(folder, db_path)
    assert last_run(db_path)["files_unchanged"] == 6
    assert article(db_path, "zebra.txt") == before  # not re-loaded: same run_id
    assert query(db_path, "SELECT mtime_ns FROM articles WHERE source_path = 'zebra.txt'") == [(1_000_000_000,)]
    etl_run(folder, db_path)  # ... and the new mtime is remembered, so next time stat is enough
    assert last_run(db_path)["files_unchanged"] == 6


def test_a_changed_file_replaces_its_article_rows(folder: Path, db_path: Path) -> None:
    etl_run(folder, db_path)
    before = article(db_path, "zebra.txt")
    others = {k: [r for r in v if "zebra.txt" not in map(str, r)] for k, v in canonical_dump(db_path).items()}
    (folder / "zebra.txt").write_text(ZEBRA.replace("Kenya", "Tanzania") + "\nA new closing paragraph about the herds.\n")
    code, line = etl_run(folder, db_path)
    assert code == 0 and "1 changed" in line
    after = article(db_path, "zebra.txt")
    assert after[0] == before[0] and after[1] != before[1]  # same id, new content
    texts = [t for (t,) in query(db_path, "SELECT text FROM paragraphs WHERE article_id = ? ORDER BY position", (after[0],))]
    assert any("Tanzania" in t for t in texts) and not any("Kenya" in t for t in texts)
    assert texts[-1] == "A new closing paragraph about the herds."
    now = {k: [r for r in v if "zebra.txt" not in map(str, r)] for k, v in canonical_dump(db_path).items()}
    assert now["paragraphs"] == others["paragraphs"]  # the other articles untouched
    assert consistency_problems(db_path) == []


def test_a_new_file_adds_its_rows(folder: Path, db_path: Path) -> None:
    etl_run(folder, db_path)
    counts = table_counts(db_path)
    (folder / "sub").mkdir()
    (folder / "sub" / "new one.txt").write_text(ZEBRA.replace("zebra", "giraffe"))
    code, line = etl_run(folder, db_path)
    assert code == 0 and "1 new" in line
    assert table_counts(db_path)["articles"] == counts["articles"] + 1
    assert table_counts(db_path)["paragraphs"] > counts["paragraphs"]
    assert query(db_path, "SELECT count(*) FROM articles WHERE source_path = 'sub/new one.txt'") == [(1,)]


def test_a_disappeared_file_is_soft_deleted_by_the_run_that_noticed_and_revived_when_back(
    folder: Path, db_path: Path
) -> None:
    etl_run(folder, db_path)
    [seed] = [p for p in sorted(folder.glob("00*.txt"))][:1]
    article_id = article(db_path, seed.name)[0]
    people_before = query(db_path, "SELECT name, mention_count FROM people ORDER BY name")
    moved = folder.parent / "moved.txt"
    seed.rename(moved)
    code, line = etl_run(folder, db_path)
    assert code == 0 and "1 deleted" in line
    noticed = query(db_path, "SELECT max(id) FROM runs")[0][0]
    _, _, _, deleted_at, deleted_run_id, _ = article(db_path, seed.name)
    assert deleted_at is not None and deleted_run_id == noticed
    assert last_run(db_path)["files_deleted"] == 1
    # rows stay for history; live counts and the analysts' views leave the article out
    assert query(db_path, "SELECT count(*) FROM paragraphs WHERE article_id = ?", (article_id,))[0][0] > 0
    assert query(db_path, "SELECT articles FROM runs WHERE id = ?", (noticed,)) == [(5,)]
    views = {r[0] for r in query(db_path, "SELECT name FROM sqlite_master WHERE type = 'view'")}
    if "v_articles" in views:
        assert article_id not in {r[0] for r in query(db_path, "SELECT article_id FROM v_articles")}
    assert consistency_problems(db_path) == []
    etl_run(folder, db_path)  # still gone: nothing more happens
    assert last_run(db_path)["files_deleted"] == 0
    moved.rename(seed)  # back, unchanged (same mtime): revived, same id
    code, line = etl_run(folder, db_path)
    assert code == 0 and "1 revived" in line
    assert article(db_path, seed.name)[0] == article_id
    assert article(db_path, seed.name)[3:5] == (None, None)
    assert query(db_path, "SELECT name, mention_count FROM people ORDER BY name") == people_before
    assert consistency_problems(db_path) == []


def test_a_file_back_with_new_content_is_revived_and_replaced(folder: Path, db_path: Path) -> None:
    etl_run(folder, db_path)
    article_id = article(db_path, "zebra.txt")[0]
    (folder / "zebra.txt").unlink()
    etl_run(folder, db_path)
    (folder / "zebra.txt").write_text(ZEBRA.replace("Monday", "Tuesday"))
    code, line = etl_run(folder, db_path)
    assert code == 0 and "1 changed" in line and "1 revived" in line
    row = article(db_path, "zebra.txt")
    assert row[0] == article_id and row[3] is None
    assert consistency_problems(db_path) == []


def test_an_empty_input_folder_deletes_nothing(folder: Path, db_path: Path, tmp_path: Path) -> None:
    etl_run(folder, db_path)
    empty = tmp_path / "unmounted"
    empty.mkdir()
    result = CliRunner().invoke(cli, ["run", "--input", str(empty), "--db", str(db_path), "-j", "1"])
    assert result.exit_code == 0
    assert "has no files at all: not marking its 6 articles deleted" in result.stderr
    assert query(db_path, "SELECT count(*) FROM articles WHERE deleted_at IS NULL") == [(6,)]


def test_new_rules_re_clean_old_articles_from_their_stored_raw_text(folder: Path, db_path: Path, tmp_path: Path) -> None:
    etl_run(folder, db_path)
    default_version = load_rules(None).version
    assert {r[0] for r in query(db_path, "SELECT rules_version FROM articles")} == {default_version}
    assert query(db_path, "SELECT rules_version FROM runs") == [(default_version,)]
    zebra = folder / "zebra.txt"
    st = zebra.stat()
    # The file changes behind the stat check: re-cleaning must use the stored raw text, not the file.
    zebra.write_text(ZEBRA.replace("Kenya", "Kenia"))
    os.utime(zebra, ns=(st.st_atime_ns, st.st_mtime_ns))
    rules = tmp_path / "extra.toml"
    rules.write_text(EXTRA_RULES)
    ids = query(db_path, "SELECT id, source_path FROM articles ORDER BY id")
    code, line = etl_run(folder, db_path, "--rules", str(rules))
    assert code == 0 and "6 unchanged" in line and "6 re-cleaned" in line
    new_version = load_rules(rules).version
    assert new_version != default_version
    assert {r[0] for r in query(db_path, "SELECT rules_version FROM articles")} == {new_version}
    assert query(db_path, "SELECT id, source_path FROM articles ORDER BY id") == ids
    texts = [t for (t,) in query(db_path, "SELECT p.text FROM paragraphs p JOIN articles a ON a.id = p.article_id "
                                           "WHERE a.source_path = 'zebra.txt' ORDER BY p.position")]
    assert "Zebra crossing notice" not in texts
    assert any("Kenya" in t for t in texts)  # from the stored raw text
    removed = query(db_path, "SELECT r.text FROM removed_segments r JOIN articles a ON a.id = r.article_id "
                             "WHERE a.source_path = 'zebra.txt'")
    assert ("Zebra crossing notice",) in removed
    code, line = etl_run(folder, db_path, "--rules", str(rules))  # same rules again: nothing to do
    assert "re-cleaned" not in line
    code, line = etl_run(folder, db_path)  # back to the built-in rules: re-cleaned again
    assert "6 re-cleaned" in line
    assert {r[0] for r in query(db_path, "SELECT rules_version FROM articles")} == {default_version}
    assert consistency_problems(db_path) == []


def test_reprocess_alone_re_cleans_everything_without_the_input_folder(folder: Path, db_path: Path) -> None:
    etl_run(folder, db_path)
    dump = canonical_dump(db_path)
    shutil.rmtree(folder)
    code, line = etl_run(None, db_path, "--reprocess")
    assert code == 0
    assert line.startswith("files: 0 seen") and "6 re-cleaned" in line
    assert query(db_path, "SELECT input_dir, articles_recleaned, status FROM runs ORDER BY id DESC LIMIT 1") == [
        (None, 6, "succeeded")
    ]
    assert canonical_dump(db_path) == dump  # same rules, same raw text: same result
    assert query(db_path, "SELECT count(*) FROM articles WHERE deleted_at IS NULL") == [(6,)]


def test_reprocess_with_an_input_folder_also_loads_changes(folder: Path, db_path: Path) -> None:
    etl_run(folder, db_path)
    (folder / "zebra.txt").write_text(ZEBRA.replace("Monday", "Friday"))
    code, line = etl_run(folder, db_path, "--reprocess")
    assert code == 0
    assert "1 changed" in line and "5 unchanged" in line and "5 re-cleaned" in line


def test_reprocess_on_an_empty_database(db_path: Path) -> None:
    code, line = etl_run(None, db_path, "--reprocess")
    assert code == 0 and line.startswith("files: 0 seen")


def test_the_search_for_vanished_files_is_skipped_when_every_article_was_seen(
    folder: Path, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every live article's file seen by the walk (the usual night): nothing can have vanished and
    the articles are not searched for one; with a file gone they are, and it is soft-deleted."""
    from etl import pipeline

    searches: list[int] = []
    real = pipeline._vanished
    monkeypatch.setattr(pipeline, "_vanished", lambda *a: searches.append(1) or real(*a))
    assert etl_run(folder, db_path)[0] == 0
    (folder / "zebra.txt").write_text(ZEBRA + "\nOne more zebra was seen.\n")
    (folder / "new.txt").write_text(ZEBRA.replace("zebra", "giraffe"))
    assert etl_run(folder, db_path)[0] == 0
    assert last_run(db_path)["files_changed"] == 1 and last_run(db_path)["files_new"] == 1
    assert searches == []
    seed = sorted(SEEDS.glob("*.txt"))[0].name
    shutil.move(folder / seed, tmp_path / seed)
    assert etl_run(folder, db_path)[0] == 0
    assert last_run(db_path)["files_deleted"] == 1 and article(db_path, seed)[3] is not None
    assert searches
    assert consistency_problems(db_path) == []
