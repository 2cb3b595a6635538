"""What the pattern-gate tests check rules against: every segment of the cleaning fixtures and the
seeds, and every boilerplate pattern of the built-in rules with its regex flags."""

from __future__ import annotations

import re
from pathlib import Path

from etl.rules import Rules
from etl.transform.segment import segment

ROOT = Path(__file__).parent.parent


def fixture_lines(rules: Rules) -> list[str]:
    """The segments of every cleaning fixture and seed."""
    out: list[str] = []
    for path in [*sorted((ROOT / "tests/fixtures/cleaning").glob("*.txt")), *sorted((ROOT / "seeds").glob("*.txt"))]:
        out += [s.text for s in segment(path.read_text(encoding="utf-8"), rules)]
    return out


def rule_patterns(rules: Rules) -> list[tuple[str, int]]:
    """(pattern, flags) of every boilerplate family and inline photo-credit rule."""
    cfg = rules["cleaning"]
    out = []
    for fam in cfg["families"].values():
        flags = 0 if fam.get("case_sensitive") else re.IGNORECASE
        out += [(p, flags) for p in fam["patterns"]]
    out += [(p, re.IGNORECASE) for p in cfg["structure"]["inline_photo_credit"]]
    return out
