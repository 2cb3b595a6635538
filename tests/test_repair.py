"""Text repair: golden cases, and proof that the fast path returns what the full repair returns."""

from __future__ import annotations

import itertools
import json
import string
import unicodedata
from pathlib import Path

import ftfy
import pytest
from ftfy.badness import MOJIBAKE_CATEGORIES, is_bad
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.transform import repair
from etl.transform.repair import needs_full_repair, repair_text, repair_text_full

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "encoding"
CASES = json.loads((FIXTURES / "repair.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["why"] for c in CASES])
def test_golden(case: dict) -> None:
    assert repair_text(case["input"]) == case["expected"]
    assert repair_text_full(case["input"]) == case["expected"]


def test_config_keeps_curly_quotes_and_width() -> None:
    assert repair.CONFIG.uncurl_quotes is False
    assert repair.CONFIG.fix_character_width is False
    assert repair.CONFIG.explain is False
    assert repair.CONFIG.normalization == "NFC"


@pytest.mark.parametrize(
    "text",
    [
        "Plain ASCII news text.\nSecond line, with (parentheses) & an ampersand: AT&T.\n",
        "He said \u201cno\u201d \u2014 it\u2019s over\u2026 \u00ab\u0422\u0430\u043a\u00bb, 25\u00b0C.",
        "Reuters, the news and media division of\u00a0Thomson Reuters.\r\nNext line.",
        "\u0417\u0430\u043b\u0443\u0436\u043d\u0438\u0439 \u0437\u0430\u044f\u0432\u0438\u0432, "
        "\u0449\u043e \u0423\u043a\u0440\u0430\u0457\u043d\u0430 \u2014 \u0432\u0441\u0435.",
        "Caf\u00e9 owner Ren\u00e9 said \u201cmerci\u201d in Z\u00fcrich.",
    ],
)
def test_clean_text_takes_the_fast_path(text: str) -> None:
    assert needs_full_repair(text) is False
    assert repair_text(text) == repair_text_full(text)


def test_safe_set_analysis_matches_installed_ftfy() -> None:
    # SAFE_NON_ASCII was derived by reading ftfy's BADNESS_RE alternative by alternative.  If this
    # fails, ftfy changed that regex: the fast path still returns identical text (it falls back
    # to running the regex), but re-check the analysis and update ANALYZED_BADNESS_SHA256.
    assert repair._PATTERN_OK, "ftfy.badness.BADNESS_RE changed: re-check repair.SAFE_NON_ASCII"
    assert len(repair.SAFE_NON_ASCII) > 150


_ASCII = [chr(c) for c in (9, 10, 12)] + [chr(c) for c in range(0x20, 0x7F)]
_SAFE = sorted(repair.SAFE_NON_ASCII) + list(repair.FINISH_ONLY)


def test_safe_text_is_always_nfc() -> None:
    # The fast path for ASCII + SAFE_NON_ASCII text skips the NFC check: no pair may compose.
    for a, b in itertools.product(_ASCII + _SAFE, repeat=2):
        assert unicodedata.is_normalized("NFC", a + b), (a, b)


def test_badness_on_safe_pairs_is_caught_by_the_pair_regex() -> None:
    # Every 2-character string of safe characters that ftfy's detector flags must be flagged
    # by our cheap pair regex first (otherwise the fast path would skip ftfy wrongly).
    misses = [
        a + b
        for a, b in itertools.product(_ASCII + _SAFE, repeat=2)
        if is_bad(a + b) and not repair._SAFE_PAIR_RE.search(a + b)
    ]
    assert misses == []
    # ... and the regex does flag real pairs, so this test can fail.
    assert repair._SAFE_PAIR_RE.search("caf\u00e9\u201d")


def test_badness_on_safe_triples_is_caught_by_the_pair_regex() -> None:
    letters = "aZ .1" + repair._LOWER_ACCENTED + "\u0412\u0413\u0420\u0421\u0430\u044f\u0401"
    quotes = repair._SAFE_START + repair._SAFE_END + "\u00b0\u2019\u2013\u2026"
    alphabet = sorted(set(letters + quotes))
    misses = [
        "".join(t)
        for t in itertools.product(alphabet, repeat=3)
        if is_bad("".join(t)) and not repair._SAFE_PAIR_RE.search("".join(t))
    ]
    assert misses == []


def test_gate_character_classes() -> None:
    for ch in repair.FINISH_ONLY:
        assert repair._PLAIN_RE.fullmatch(ch) is None, repr(ch)
        assert repair._FINISH_RE.fullmatch(ch), repr(ch)
    for ch in "\x85\x1b\x00\ufeff\ufb01ÂÃ":
        assert repair._FINISH_RE.fullmatch(ch) is None, repr(ch)
        assert repair._ALWAYS_FIX_RE.search(ch), repr(ch)


@pytest.mark.parametrize(
    ("text", "how"),
    [
        ("plain text\n", repair.STRIP),
        ("caf\u00e9 \u201cquoted\u201d", repair.STRIP),
        ("division of\u00a0Thomson Reuters", repair.FINISH),
        ("line one\r\nline two", repair.FINISH),
        ("\u00c9lys\u00e9e Palace\r\n", repair.FINISH),  # not safe, but ftfy finds nothing bad
        ("don\u00e2\u20ac\u2122t", repair.FULL),
        ("AT&amp;T", repair.FULL),
        ("caf\u00e9\u201ds", repair.FULL),  # a safe pair that ftfy's detector flags
    ],
)
def test_route(text: str, how: int) -> None:
    assert repair.route(text) == how
    assert repair_text(text) == repair_text_full(text)


# --- the property: fast == full for every text -------------------------------------------------


def _category_chars() -> str:
    out: set[str] = set()
    for spec in MOJIBAKE_CATEGORIES.values():
        out |= repair._expand(spec)
    return "".join(sorted(out))


#: Characters that matter to one fixer or another, weighted towards the gate's edge cases.
_INTERESTING = (
    string.ascii_letters
    + string.digits
    + " \t\n\r\x0c.,;:!?'\"-()&#<>"
    + "".join(_SAFE)
    + _category_chars()
    + "\u00a0\u00ad\u200b\u200c\u200d\u2060\ufeff\u2028\u2029\u0085\x00\x07\x1b\x7f"
    + "\ufb01\ufb02\u0301\u0303\u0308\u4e2d\u6587\U0001F469\u03b1\u03a9\u0410\u042f\u0402"
    + "\u0412\u0413\u0420\u0421\u0432\u201a\u00c3\u00c2\u20ac\u2122\u00ff\uff0c"
)
_WORDS = st.sampled_from(
    [
        "&amp;",
        "&amp;amp;",
        "&amp;#8217;",
        "&Atilde;&copy;",
        "&madeup;",
        "&#8217;",
        "&nbsp;",
        "&lt;",
        "AT&T",
        "\u00c3\u00a9",
        "\u00e2\u20ac\u2122",
        "\u00e2\u20ac\u0153",
        "\u00c3\u00a2\u00e2\u201a\u00ac\u00e2\u201e\u00a2",
        "\u0432\u0402\u2122",
        "\u00d0\u0178\u00d1\u20ac",
        "\u00c3 ",
        "\r\n",
        " \n",
    ]
)


def _mojibake(s: str, codec: str) -> str:
    return s.encode("utf-8").decode(codec, errors="replace")


_MOJIBAKE = st.builds(
    _mojibake,
    st.text(alphabet="\u2019\u201c\u201d\u2014\u00e9\u00fc\u0416\u0438 abc", min_size=1, max_size=12),
    st.sampled_from(["cp1252", "latin-1", "cp1251", "mac_roman"]),
)
_TEXT = st.one_of(
    st.text(alphabet=st.sampled_from(_INTERESTING), max_size=60),
    st.lists(
        st.one_of(st.text(alphabet=st.sampled_from(_INTERESTING), max_size=8), _WORDS, _MOJIBAKE),
        max_size=12,
    ).map("".join),
    st.text(max_size=40),  # anything at all, surrogates included
)


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXT)
def test_fast_path_equals_full_repair(text: str) -> None:
    assert repair_text(text) == repair_text_full(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(_ASCII + _SAFE), max_size=200))
def test_fast_path_equals_full_repair_on_safe_text(text: str) -> None:
    assert repair_text(text) == repair_text_full(text)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_repair_is_idempotent(text: str) -> None:
    once = repair_text(text)
    assert repair_text(once) == once or is_bad(once)


# --- the one-step mojibake path of damaged lines ------------------------------------------------

_DAMAGED_LINE = st.lists(
    st.one_of(st.text(alphabet=st.sampled_from(_INTERESTING), max_size=8), _WORDS, _MOJIBAKE),
    min_size=1,
    max_size=12,
).map(lambda parts: "".join(parts).replace("\n", " ") + "\n")


@pytest.mark.parametrize(
    "line",
    [
        "WASHINGTON (Reuters) \u00e2\u20ac\u201c Russia\u00e2\u20ac\u2122s Chief of General Staff\n",
        "\u00e2\u20ac\u0153We will,\u00e2\u20ac\u009d said Petro Pavlenko.\r\n",
        "The \u00e2\u20ac\u0153deconfliction\u00e2\u20ac\u009d hotline &amp; more\n",
    ],
)
def test_one_step_fix_takes_common_mojibake(line: str) -> None:
    fixed = repair._one_step_fix(line)
    assert fixed is not None
    assert fixed == ftfy.fix_text(line, repair.CONFIG)


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(_DAMAGED_LINE, _MOJIBAKE.map(lambda s: s + "\n"), _MOJIBAKE.map(lambda s: s + "\r\n")))
def test_one_step_fix_equals_ftfy(line: str) -> None:
    fixed = repair._one_step_fix(line)
    if fixed is not None:
        assert fixed == ftfy.fix_text(line, repair.CONFIG)


# --- shortcuts of the cheap routes ----------------------------------------------------------------


def test_safe_pairs_are_two_non_ascii_characters() -> None:
    """_may_pair looks for two non-ASCII characters in a row: every character the pair regex can
    match is non-ASCII."""
    if not repair._PATTERN_OK:
        pytest.skip("unknown ftfy: the pair regex is any non-ASCII character")
    classes = repair._LOWER_ACCENTED + repair._SAFE_END + repair._SAFE_START + "ВГРС°"
    assert all(not ch.isascii() for ch in classes)
    for k in range(0x80, 0x3000):  # and a match is always two of them
        for pair in (chr(k) + "a", "a" + chr(k)):
            assert repair._SAFE_PAIR_RE.search(pair) is None


def test_no_safe_character_is_whitespace() -> None:
    """_strip_plain_line_ends finds trailing whitespace of plain text with a few substring tests."""
    assert not any(ch.isspace() for ch in repair.SAFE_NON_ASCII)


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(_ASCII + sorted(repair.SAFE_NON_ASCII) + ["?", "\u201d\u00e9", " \n", "\t\n"]), max_size=40).map("".join))
def test_strip_plain_line_ends_equals_strip_line_ends(text: str) -> None:
    assert repair._PLAIN_RE.fullmatch(text)
    assert repair._strip_plain_line_ends(text) == repair._strip_line_ends(text)
    if repair._may_pair(text) is False:
        assert repair._SAFE_PAIR_RE.search(text) is None
