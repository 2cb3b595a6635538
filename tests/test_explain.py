"""``explain``: every raw line with its verdict and reason (what ``etl explain FILE`` prints)."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from etl.records import RawDocument
from etl.rules import load_rules
from etl.transform.explain import explain

RULES = load_rules()
FIXTURES = Path(__file__).parent / "fixtures" / "cleaning"

TEXT = """Advertisement

Harbour authority approves new ferry terminal

By Sam Reed

The harbour authority on Monday approved plans for a new ferry terminal that will double the number of daily crossings.

Officials said the project would create about 200 jobs during construction.

Follow us on Instagram
"""


def _rows(out: str) -> dict[int, str]:
    rows = {}
    for line in out.split("\n"):
        m = re.match(r"\s*(\d+)(?:\s|$)", line)
        if m:
            rows[int(m.group(1))] = line
    return rows


def test_every_raw_line_is_listed_with_label_and_reason():
    out = explain(TEXT, RULES)
    rows = _rows(out)
    assert sorted(rows) == list(range(len(TEXT.split("\n")) - 1))
    assert "- boilerplate" in rows[0] and "[widget label: 'advertisement']" in rows[0]
    assert "- title" in rows[2]
    assert "- byline" in rows[4]
    assert "+ body" in rows[6] and "[sentence-like text]" in rows[6]
    assert "- boilerplate" in rows[10] and "call-to-action" in rows[10]
    assert rows[1].strip() == "1"  # blank lines are listed, without a verdict


def test_header_gives_the_metadata():
    out = explain(TEXT, RULES)
    assert out.startswith("title:        Harbour authority approves new ferry terminal\n")
    assert "published_at: -" in out


def test_wrapped_lines_point_to_their_paragraph_and_width_truncates():
    para = " ".join(["The harbour authority on Monday approved plans for a new ferry terminal."] * 4)
    text = "\n\n".join([textwrap.fill(para, 64)] * 1 + [textwrap.fill(para.replace("harbour", "port"), 64)])
    out = explain(text, RULES, width=30)
    rows = _rows(out)
    assert "+ body" in rows[0]
    assert rows[1].split()[1:3] == ["+", "+"]
    assert all(len(r) < 120 for r in rows.values())


def test_accepts_a_raw_document():
    text = (FIXTURES / "captions_getty.txt").read_text(encoding="utf-8")
    raw = RawDocument("captions_getty.txt", "0" * 64, len(text), 0, "utf-8", text)
    out = explain(raw, RULES)
    assert out == explain(text, RULES)
    assert "~ caption" in out and "- credit" in out
