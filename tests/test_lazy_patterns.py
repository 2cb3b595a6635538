"""classify compiles a family pattern the first time a line makes it a candidate (``_PatternPlan``),
with the same text and flags as compiling them all up front; a broken rule still fails at once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from etl.rules import load_rules
from etl.transform import gates
from etl.transform.classify import classify, compiled
from etl.transform.segment import segment
from tests.rule_lines import rule_patterns

RULES = load_rules()
ARTICLE = """Council backs harbour plan

By Jane Doe

The council approved the harbour plan on Tuesday after a long debate about its cost.

Subscribe to our newsletter for the latest updates

Follow us on Facebook and Twitter
"""


@pytest.fixture
def fresh_compile():
    compiled.cache_clear()
    yield
    compiled.cache_clear()


def test_each_plan_entry_is_its_rule_compiled_with_its_family_flags(fresh_compile: None) -> None:
    c = compiled(RULES)
    sources = {(p, f) for p, f in rule_patterns(RULES)}
    assert c.pattern_plan.extra_gates  # every (family, pattern) of the non-tail families
    for key in c.pattern_plan.extra_gates:
        fam, search, max_words, unpunctuated_only, extras = c.pattern_plan[key]
        assert fam is c.families[key[0]]
        assert search.__self__ == re.compile(fam.sources[key[1]], fam.flags)
        assert (search.__self__.pattern, search.__self__.flags & re.IGNORECASE) in sources
        assert (max_words, unpunctuated_only, extras) == (
            fam.max_words, fam.unpunctuated_only, c.pattern_plan.extra_gates[key]
        )
    with pytest.raises(KeyError):
        c.pattern_plan[(len(c.families), 0)]


def test_patterns_are_compiled_only_when_a_line_needs_them(fresh_compile: None) -> None:
    c = compiled(RULES)
    assert len(c.pattern_plan) == 0
    labels = [ls.label for ls in classify(segment(ARTICLE, RULES), RULES)]
    assert labels.count("boilerplate") >= 2
    assert 0 < len(c.pattern_plan) < len(c.pattern_plan.extra_gates) / 2


def test_lazy_and_eager_patterns_give_the_same_labels(fresh_compile: None) -> None:
    """The same article classified with every plan entry made up front and with none made."""
    texts = [p.read_text(encoding="utf-8") for p in sorted((Path(__file__).parent.parent / "seeds").glob("*.txt"))]
    lazy = [[(ls.label, ls.reason) for ls in classify(segment(t, RULES), RULES)] for t in texts]
    compiled.cache_clear()
    c = compiled(RULES)
    for key in c.pattern_plan.extra_gates:
        c.pattern_plan[key]
    eager = [[(ls.label, ls.reason) for ls in classify(segment(t, RULES), RULES)] for t in texts]
    assert lazy == eager


@pytest.mark.parametrize("pattern", ["(unclosed", r"(?<=a+)b"])  # a parse error and a compiler error
def test_a_broken_rule_fails_when_the_rules_are_compiled(
    fresh_compile: None, tmp_path: Path, pattern: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = tmp_path / "rules.toml"
    user.write_text(f"[cleaning.families.promo]\npatterns = ['{pattern}']\n", encoding="utf-8")
    rules = load_rules(user)
    cache = tmp_path / "rules-cache"
    stamps = []
    for _ in range(2):  # a cold compile, then one with the error remembered in the file
        monkeypatch.setattr(gates, "_results", {})
        monkeypatch.setattr(gates, "_computed", set())
        compiled.cache_clear()
        with gates.remembered_in(cache):
            with pytest.raises(re.error):
                compiled(rules)
            assert gates.compile_error(pattern, re.IGNORECASE) is not None
        stamps.append((cache.stat().st_mtime_ns, cache.read_bytes()))
        cache.touch()
        stamps.append((cache.stat().st_mtime_ns, cache.read_bytes()))
    assert stamps[2] == stamps[1]  # the second time nothing was analysed again: the file was not rewritten
