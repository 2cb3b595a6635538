"""Imports a small re-run may never need stay lazy: ``dateutil`` is imported by the first date
the plain reader (``dates._plain_datetime``) leaves to it, and the dates come out the same."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

SCRIPT = """
import sys
from etl.rules import load_rules
from etl.transform import prepare_stages
from etl.transform.dates import parse_dateline
prepare_stages(load_rules())  # every stage imported and used, on a sample with a common date
print(parse_dateline("Updated: May 19, 2022, 17:52 UTC"), "dateutil" in sys.modules)
print(parse_dateline("Published 19.05.2022 17:52"), "dateutil" in sys.modules)
"""


def test_dateutil_is_imported_by_the_first_date_that_needs_it() -> None:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True, cwd=REPO,
        env={"PYTHONPATH": str(REPO), "PATH": ""},
    ).stdout.split("\n")
    assert out[0] == "2022-05-19T17:52:00Z False"
    assert out[1] == "2022-05-19T17:52:00 True"
