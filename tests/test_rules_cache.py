"""The gate analyses remembered in a file next to the database (gates.remembered_in): a file
never changes a result, and anything wrong with it only costs the analyses being made again."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from etl.pipeline import run
from etl.rules import load_rules
from etl.settings import Settings
from etl.transform import gates
from etl.transform.classify import compiled
from tests.conftest import query
from tests.rule_lines import rule_patterns

ANALYSES = (
    gates.gate_words, gates.all_gates, gates.first_words, gates.first_chars,
    gates.required_chars, gates.required_any, gates.required_literal,
)
#: Patterns of every shape the analyses distinguish: words, branches, anchors, required
#: characters, a top-level branch of required characters, non-ASCII words, and no pattern at all.
SAMPLES = (
    (r"\bfollow us on (?:twitter|facebook)\b", re.IGNORECASE),
    (r"^(?:please )?(?:subscribe|sign up) (?:to|for) our newsletters?", re.IGNORECASE),
    (r"^[A-Z][a-z]+ \(Reuters\)", 0),
    (r"©\s*\d{4}|\[photo\]|\w+/\w+", re.IGNORECASE),
    (r"\bZürich\b", 0),
    (r"(", 0),
)


def _analyse_all() -> list:
    return [analysis(pattern, flags) for pattern, flags in SAMPLES for analysis in ANALYSES]


def _forget() -> None:
    gates._results.clear()
    gates._used.clear()
    gates._computed.clear()


def test_loaded_results_equal_a_fresh_analysis(fresh_gates: None, tmp_path: Path) -> None:
    cache = tmp_path / "news.sqlite.rules-cache"
    with gates.remembered_in(cache):
        made = _analyse_all()
    assert cache.exists()
    _forget()
    assert gates.load_cache(cache) == len(SAMPLES) * len(ANALYSES)
    loaded = _analyse_all()
    assert not gates._computed  # every result came from the file
    assert loaded == made
    assert [type(x) for x in loaded] == [type(x) for x in made]


def test_a_cold_compile_and_a_cached_compile_give_the_same_rules(fresh_gates: None, tmp_path: Path) -> None:
    """Every analysis classify and credits make of the built-in rules, through the file, equals
    the analysis made afresh, and so does what classify builds from them."""
    rules = load_rules()
    patterns = rule_patterns(rules)
    cold = [analysis(p, f) for p, f in patterns for analysis in ANALYSES]
    compiled.cache_clear()
    cold_compiled = compiled(rules)
    cache = tmp_path / "rules-cache"
    assert gates.save_cache(cache)
    _forget()
    gates.load_cache(cache)
    compiled.cache_clear()
    try:
        cached_compiled = compiled(rules)
        assert not gates._computed
        assert [analysis(p, f) for p, f in patterns for analysis in ANALYSES] == cold
    finally:
        compiled.cache_clear()
    for name in ("first_index", "gate_index", "char_index", "ungated", "line_words", "tail_words", "inline_words",
                 "inline_chars", "inline_any", "inline_plain", "caption_prefix_first", "byline_first"):
        assert getattr(cached_compiled, name) == getattr(cold_compiled, name), name
    assert cached_compiled.pattern_plan.extra_gates == cold_compiled.pattern_plan.extra_gates
    assert [p[4:] for p in cached_compiled.tail_plan] == [p[4:] for p in cold_compiled.tail_plan]


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not json at all {",
        b"\xff\xfe garbage bytes",
        b"[]",
        b'{"format": 1, "key": "KEY", "results": [["gate_words", "\\\\bdonate\\\\b", 2, ["donate", 3]]]}',
        b'{"format": 1, "key": "KEY", "results": [["no_such_analysis", "x", 0, null]]}',
        b'{"format": 1, "key": "KEY", "results": [["gate_words", "x", "2", null]]}',
        b'{"format": 1, "key": "KEY", "results": [["gate_words", "x"]]}',
        b'{"format": 1, "key": "KEY", "results": 7}',
        b'{"format": 1, "key": "KEY", "results": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    ],
)
def test_a_corrupt_file_is_ignored(fresh_gates: None, tmp_path: Path, content: bytes) -> None:
    cache = tmp_path / "rules-cache"
    cache.write_bytes(content.replace(b"KEY", (gates.cache_key() or "").encode()))
    assert gates.load_cache(cache) == 0
    assert gates._results == {}
    with gates.remembered_in(cache):  # and rebuilt
        made = _analyse_all()
    _forget()
    assert gates.load_cache(cache) > 0
    assert _analyse_all() == made


def test_a_wrong_result_under_another_key_is_not_used(fresh_gates: None, tmp_path: Path) -> None:
    """A file written by other code (another key) is not read, however plausible its results."""
    cache = tmp_path / "rules-cache"
    pattern, flags = SAMPLES[0]
    cache.write_text(json.dumps({
        "format": 1, "key": "0" * 64, "results": [["gate_words", pattern, int(flags), ["wrong"]]],
    }))
    assert gates.load_cache(cache) == 0
    assert gates.gate_words(pattern, flags) == frozenset({"follow"})


def test_a_file_results_are_per_pattern_so_a_rules_change_is_analysed_afresh(fresh_gates: None, tmp_path: Path) -> None:
    """Results are keyed by the pattern's text and flags: an edited pattern is a new key (analysed,
    then added to the file), the same text under other flags too."""
    cache = tmp_path / "rules-cache"
    with gates.remembered_in(cache):
        gates.gate_words(r"\bdonate now\b", re.IGNORECASE)
    _forget()
    with gates.remembered_in(cache):
        assert gates.gate_words(r"\bdonate now\b", re.IGNORECASE) == frozenset({"donate"})
        assert not gates._computed
        assert gates.gate_words(r"\bgive today\b", re.IGNORECASE) == frozenset({"give"})
        assert gates.first_words(r"\bdonate now\b", 0) is None
        assert len(gates._computed) == 2
    saved = json.loads(cache.read_text())["results"]
    assert [r[:3] for r in saved] == [
        ["first_words", r"\bdonate now\b", 0],
        ["gate_words", r"\bdonate now\b", int(re.IGNORECASE)],
        ["gate_words", r"\bgive today\b", int(re.IGNORECASE)],
    ]


def test_the_file_is_read_only_when_an_analysis_is_asked_for(fresh_gates: None, tmp_path: Path) -> None:
    """A run with nothing to clean compiles no rules: it does not even read the file."""
    cache = tmp_path / "rules-cache"
    with gates.remembered_in(cache):
        made = _analyse_all()
    _forget()
    with gates.remembered_in(cache):
        assert gates._results == {}
    with gates.remembered_in(cache):
        assert _analyse_all() == made
        assert len(gates._results) == len(SAMPLES) * len(ANALYSES)
        assert not gates._computed
    assert not gates._unread


def test_nothing_new_writes_nothing(fresh_gates: None, tmp_path: Path) -> None:
    cache = tmp_path / "rules-cache"
    with gates.remembered_in(cache):
        _analyse_all()
    before = cache.stat().st_mtime_ns, cache.read_bytes()
    cache.touch()
    touched = cache.stat().st_mtime_ns
    _forget()
    with gates.remembered_in(cache):
        _analyse_all()
    assert cache.stat().st_mtime_ns == touched
    assert cache.read_bytes() == before[1]


def test_an_unwritable_place_is_not_an_error(fresh_gates: None, tmp_path: Path) -> None:
    cache = tmp_path / "no-such-folder" / "rules-cache"
    with gates.remembered_in(cache):
        made = _analyse_all()
    assert not cache.exists()
    assert made == _analyse_all()
    assert not list(tmp_path.rglob("*.tmp"))


def test_a_pattern_utf8_cannot_encode_is_not_an_error(fresh_gates: None, tmp_path: Path) -> None:
    cache = tmp_path / "rules-cache"
    with gates.remembered_in(cache):
        assert gates.gate_words("\\bdonate\\b \ud800", 0) == frozenset({"donate"})
    assert not cache.exists()
    assert not list(tmp_path.glob("*.tmp"))


def test_an_oversized_file_keeps_what_the_run_used(fresh_gates: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gates, "_MAX_SAVED", 3)
    cache = tmp_path / "rules-cache"
    with gates.remembered_in(cache):
        _analyse_all()
    _forget()
    with gates.remembered_in(cache):
        gates.gate_words(*SAMPLES[0])
        gates.gate_words(r"\bnew pattern\b", 0)
    saved = json.loads(cache.read_text())["results"]
    assert sorted((r[0], r[1]) for r in saved) == [("gate_words", SAMPLES[0][0]), ("gate_words", r"\bnew pattern\b")]


def test_runs_write_the_file_and_the_next_run_gives_the_same_database(
    fresh_gates: None, tmp_path: Path, seeds_dir: Path
) -> None:
    """A run leaves ``<db>.rules-cache``; a run with it analyses nothing again (the file is left
    as it is) and loads the same articles as the run without it."""
    first, second = tmp_path / "first.sqlite", tmp_path / "second.sqlite"
    compiled.cache_clear()
    try:
        run(Settings(db_path=first, input_dir=seeds_dir, jobs=1))
        cache = tmp_path / "second.sqlite.rules-cache"
        (tmp_path / "first.sqlite.rules-cache").replace(cache)
        stored = cache.read_bytes()
        cache.touch()
        touched = cache.stat().st_mtime_ns
        _forget()
        compiled.cache_clear()
        run(Settings(db_path=second, input_dir=seeds_dir, jobs=1))
    finally:
        compiled.cache_clear()
    assert (cache.stat().st_mtime_ns, cache.read_bytes()) == (touched, stored)
    assert gates._used and not gates._computed
    tables = (
        "SELECT source_path, title, published_at, authors, outlet FROM articles ORDER BY source_path",
        "SELECT a.source_path, p.position, p.kind, p.text FROM paragraphs p JOIN articles a ON a.id = p.article_id "
        "ORDER BY 1, 2",
        "SELECT a.source_path, m.surface, m.char_start FROM mentions m JOIN articles a ON a.id = m.article_id "
        "ORDER BY 1, 3",
    )
    for sql in tables:
        assert query(first, sql) == query(second, sql)


def _save_repeatedly(cache: Path, pattern: str, times: int) -> None:
    for k in range(times):
        gates.gate_words(f"{pattern}{k}", 0)
        assert gates.save_cache(cache)


def test_concurrent_writers_leave_a_whole_file(fresh_gates: None, tmp_path: Path) -> None:
    """Processes saving the same file at once (runs on copies of a database next to each other's
    cache, or a reader meanwhile) always leave and read a whole file: one writer's."""
    import multiprocessing

    cache = tmp_path / "rules-cache"
    context = multiprocessing.get_context("fork")
    writers = [context.Process(target=_save_repeatedly, args=(cache, rf"\bword{n}x", 30)) for n in range(3)]
    for w in writers:
        w.start()
    reads = 0
    while any(w.is_alive() for w in writers):
        if cache.exists():
            _forget()
            assert gates.load_cache(cache) > 0
            reads += 1
    for w in writers:
        w.join()
        assert w.exitcode == 0
    _forget()
    assert gates.load_cache(cache) > 0
    assert not list(tmp_path.glob("*.tmp"))
