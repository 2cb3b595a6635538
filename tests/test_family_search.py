"""A family's patterns searched one by one find a match exactly where their alternation would (the
related-links check of widget lines no longer compiles every family a second time as one regex)."""

from __future__ import annotations

import re

from etl.rules import load_rules
from etl.transform.classify import compiled
from tests.rule_lines import fixture_lines

RULES = load_rules()


def test_patterns_one_by_one_match_where_the_alternation_matches() -> None:
    c = compiled(RULES)
    lines = fixture_lines(RULES) + sorted(RULES["cleaning"]["lexicon"]["widget_lines"])
    lines += ["Read also", "Most read", "More from the Gazette", "Related coverage", "About the author"]
    checked = 0
    for fam in c.families:
        flags = fam.patterns[0].flags
        alternation = re.compile("|".join(f"(?:{p.pattern})" for p in fam.patterns), flags)
        for line in lines:
            assert bool(alternation.search(line)) == any(p.search(line) for p in fam.patterns), (fam.name, line)
            checked += bool(alternation.search(line))
    assert checked > 100  # the lines do exercise the families
