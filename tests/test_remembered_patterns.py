"""Compiled patterns remembered in the rules cache (``gates.compile``, ``etl.transform.remembered_re``):
during a run a stage's pattern is rebuilt from the code remembered in the file instead of being
parsed and compiled again; the pattern is the one ``re.compile`` makes, and the file's entries are
keyed by the pattern's text, which must not change from one process to the next."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from etl.rules import load_rules
from etl.transform import gates, prepare_stages, remembered_re
from etl.transform.classify import compiled
from etl.transform.credits import _compiled as credits_compiled
from etl.transform.dates import _compiled as dates_compiled
from etl.transform.mentions import lexicon
from tests.rule_lines import rule_patterns

REPO = Path(__file__).resolve().parent.parent
SAMPLES = (
    (r"(?P<name>[A-Z]\w+) (?:said|told)\b", 0),
    (r"^(?:please )?(?:subscribe|sign up) (?:to|for) our newsletters?", re.IGNORECASE),
    (r"(?i)©\s*\d{4}|(?-i:[A-Z]{2,})", 0),
    (r"(?<=\d)\s*(?:am|pm)\b", re.IGNORECASE | re.MULTILINE),
    ("[A-ZÀ-ÖØ-Þ][^\\W\\d_]+(?:-(?P<second>[A-ZÀ-Þ]\\w+))?", re.ASCII),
)


def _stage_caches_clear() -> None:
    for cached in (compiled, credits_compiled, dates_compiled, lexicon):
        cached.cache_clear()


def _forget() -> None:
    for state in (gates._results, gates._used, gates._computed, gates._patterns):
        state.clear()


def test_a_remembered_pattern_is_the_pattern_re_compiles(fresh_gates: None, tmp_path: Path) -> None:
    cache = tmp_path / "rules-cache"
    with gates.remembered_in(cache):
        made = [remembered_re.compile(p, f) for p, f in SAMPLES]
    assert {k[0] for k in gates._results} == {"sre_code"}
    _forget()
    with gates.remembered_in(cache):
        rebuilt = [remembered_re.compile(p, f) for p, f in SAMPLES]
        assert not gates._computed  # all from the file
    for pattern, (source, flags) in zip(rebuilt, SAMPLES):
        expected = re.compile(source, flags)
        assert pattern == expected  # re.Pattern equality compares the engine's code
        assert (pattern.pattern, pattern.flags, pattern.groups, pattern.groupindex) == (
            expected.pattern, expected.flags, expected.groups, expected.groupindex
        )
    assert made == rebuilt
    assert rebuilt[0].match("Smith said so").group("name") == "Smith"
    assert rebuilt[4].fullmatch("Jean-Paul").group("second") == "Paul"
    assert rebuilt[4].fullmatch("Zoë") is None and rebuilt[4].fullmatch("Zoe")  # re.ASCII kept: ASCII letters only


def test_the_stages_patterns_from_the_file_equal_a_cold_compile(fresh_gates: None, tmp_path: Path) -> None:
    """Every pattern the stages compile for the built-in rules, rebuilt from the file, is the
    pattern compiled afresh (and the stages clean the sample article the same way)."""
    rules = load_rules()
    cache = tmp_path / "rules-cache"
    _stage_caches_clear()
    with gates.remembered_in(cache):
        prepare_stages(rules)
    keys = [k for k in gates._results if k[0] == "sre_code"]
    assert len(keys) > 50
    _forget()
    _stage_caches_clear()
    with gates.remembered_in(cache):
        prepare_stages(rules)
        assert not [k for k in gates._computed if k[0] == "sre_code"]
        for _, source, flags in keys:
            assert remembered_re.compile(source, flags) == re.compile(source, flags)
    _stage_caches_clear()


def test_outside_a_run_it_is_re_compile(fresh_gates: None) -> None:
    source, flags = SAMPLES[1]
    assert remembered_re.compile(source, flags) is re.compile(source, flags)
    assert not gates._results


def test_a_broken_pattern_raises_what_re_raises(fresh_gates: None, tmp_path: Path) -> None:
    for source in ("(unclosed", r"(?<=a+)b"):  # a parse error and a compiler error
        with pytest.raises(re.error) as expected:
            re.compile(source)
        with gates.remembered_in(tmp_path / "rules-cache"), pytest.raises(re.error) as got:
            remembered_re.compile(source)
        assert str(got.value) == str(expected.value)


def test_a_bad_entry_in_the_file_is_ignored(fresh_gates: None, tmp_path: Path) -> None:
    cache = tmp_path / "rules-cache"
    with gates.remembered_in(cache):
        remembered_re.compile(*SAMPLES[0])
    data = json.loads(cache.read_text(encoding="utf-8"))
    assert data["results"][0][0] == "sre_code"
    data["results"][0][3][1] = "AAAA"  # three bytes of code: not whole words
    cache.write_text(json.dumps(data), encoding="utf-8")
    _forget()
    assert gates.load_cache(cache) == 0
    with gates.remembered_in(cache):
        assert remembered_re.compile(*SAMPLES[0]) == re.compile(*SAMPLES[0])
        assert gates._computed


def test_the_stages_patterns_are_the_same_text_in_every_process(tmp_path: Path) -> None:
    """The file's entries are keyed by the pattern's text: a pattern built from a set in its
    iteration order would differ from process to process (string hashing is randomised), miss
    the file every time and pile up in it."""
    script = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from etl.rules import load_rules\n"
        "from etl.transform import gates, prepare_stages\n"
        "with gates.remembered_in(Path(sys.argv[1])):\n"
        "    prepare_stages(load_rules())\n"
        "print(json.dumps(sorted(k[1:] for k in gates._results if k[0] == 'sre_code')))\n"
    )
    seen = []
    for seed in ("1", "2", "3"):
        out = subprocess.run(
            [sys.executable, "-c", script, str(tmp_path / f"cache{seed}")],
            env=os.environ | {"PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO)},
            capture_output=True, text=True, check=True, cwd=REPO,
        ).stdout
        seen.append({tuple(k) for k in json.loads(out)})
    # which of the rules' own patterns a line made a candidate may differ; every other text may not
    sources = set(rule_patterns(load_rules()))
    assert len(seen[0]) > 50
    assert not (seen[0] ^ seen[1]) - sources and not (seen[0] ^ seen[2]) - sources


def test_code_the_engine_rejects_falls_back_to_re_compile(fresh_gates: None, tmp_path: Path) -> None:
    cache = tmp_path / "rules-cache"
    source, flags = SAMPLES[0]
    with gates.remembered_in(cache):
        remembered_re.compile(source, flags)
    data = json.loads(cache.read_text(encoding="utf-8"))
    data["results"][0][3][1] = "//8AAA=="  # one word, 0xFFFF: no opcode
    cache.write_text(json.dumps(data), encoding="utf-8")
    _forget()
    with gates.remembered_in(cache):
        assert remembered_re.compile(source, flags) == re.compile(source, flags)


def test_an_engine_that_takes_other_arguments_falls_back_to_re_compile(
    fresh_gates: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``_sre.compile`` is private: on an interpreter where it takes other arguments (or the
    private compiler fails some other way), the patterns still come from ``re.compile``."""

    def other_signature(*args: object) -> None:
        raise TypeError("compile() takes exactly 7 arguments (6 given)")

    monkeypatch.setattr(gates._sre, "compile", other_signature)
    with gates.remembered_in(tmp_path / "rules-cache"):
        for source, flags in SAMPLES:
            assert remembered_re.compile(source, flags) == re.compile(source, flags)
