"""The wheel works on its own: build it, install it into a fresh venv (dependencies from the package
index), and run ``etl`` there from another directory on a copy of the seeds."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from etl.db import migrate
from tests.conftest import REPO, SEEDS

pytestmark = pytest.mark.slow

IGNORE = shutil.ignore_patterns(
    ".venv", ".git", "*.sqlite*", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", "*.bak"
)


def _run(cmd: list, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "ETL_INPUT", "ETL_DB", "VIRTUAL_ENV")}
    return subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def test_wheel_installs_into_a_fresh_venv_and_runs_from_anywhere(tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(REPO, src, ignore=IGNORE)  # build from a copy: no build/ or egg-info in the work tree
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", tmp_path / "dist", src], cwd=tmp_path)
    assert built.returncode == 0, built.stderr[-3000:]
    [wheel] = sorted((tmp_path / "dist").glob("etl-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "etl/migrations/env.py" in names and "etl/migrations/script.py.mako" in names
    revisions = [r.revision for r in migrate.script_directory().walk_revisions()]
    assert len([n for n in names if n.startswith("etl/migrations/versions/0")]) == len(revisions)
    assert any(n.startswith("etl/rules/") and n.endswith(".toml") for n in names)
    assert not any(n.startswith(("tests/", "seeds/", "bench/")) for n in names)

    venv = tmp_path / "venv"
    made = _run([sys.executable, "-m", "venv", venv], cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    installed = _run([venv / "bin" / "python", "-m", "pip", "install", "-q", wheel], cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr[-3000:]

    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(SEEDS, elsewhere / "seeds")
    etl = venv / "bin" / "etl"
    first = _run([etl, "run", "--input", "seeds", "--db", "news.sqlite"], cwd=elsewhere)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("files: 5 seen, 5 new, 0 changed, 0 unchanged, 0 failed; articles 5,")
    again = _run([etl, "run"], cwd=elsewhere)  # defaults: seeds/ into news.sqlite
    assert again.returncode == 0 and "5 unchanged" in again.stdout
    current = _run([etl, "db", "current", "--db", "news.sqlite"], cwd=elsewhere)
    assert current.stdout.strip() == f"{migrate.head_revision()} (head)"
    # the installed etl is the wheel's, not this checkout's
    where = _run([venv / "bin" / "python", "-c", "import etl; print(etl.__file__)"], cwd=elsewhere)
    assert str(venv) in where.stdout
