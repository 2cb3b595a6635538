"""The tokenizer's shortcut: ``tokenize_many`` skips casefolding a text whose casefold changes
nothing but ASCII capitals (``folds_in_place``), and must give exactly the tokens of the slow path."""

from __future__ import annotations

import sys

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.transform.tokens import folds_in_place, letters, letters_many, tokenize, tokenize_many


def _in_place(ch: str) -> bool:
    folded = ch.casefold()
    return len(folded) == 1 and (ch.isascii() or not folded.isascii())


def test_folds_in_place_on_every_character() -> None:
    wrong = [hex(cp) for cp in range(sys.maxunicode + 1) if folds_in_place(chr(cp)) != _in_place(chr(cp))]
    assert not wrong
    # the characters the shortcut must refuse
    for ch in "ßẞİŉǰﬁﬀﬆΐ\u212a\u017f\u0587":
        assert not folds_in_place(f"plain text {ch} here"), ch
    assert folds_in_place("Київ — “naïve” café, ÉLYSÉE ’s")


#: Letters, capitals, punctuation, characters whose casefold changes length or gives ASCII,
#: Cyrillic and Greek (the regex path), "?" (counted against non-ASCII), a lone surrogate.
_ALPHABET = (
    "abcXYZ Q?.,-\n’“”—é ÉÅñ"
    + "ßẞİıŉǰﬁﬀΐ\u212a\u017f\u0587ς"
    + "КиївΣσλ\ud800"
)
_TEXT = st.text(alphabet=st.sampled_from(_ALPHABET), max_size=40)


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_TEXT, min_size=1, max_size=8))
def test_tokenize_many_equals_tokenize(texts: list[str]) -> None:
    assert tokenize_many(texts) == [tokenize(t.casefold()) for t in texts]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=30), min_size=1, max_size=5))
def test_tokenize_many_equals_tokenize_on_any_text(texts: list[str]) -> None:
    assert tokenize_many(texts) == [tokenize(t.casefold()) for t in texts]


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_TEXT, min_size=1, max_size=8))
def test_letters_many_equals_joined_tokens(texts: list[str]) -> None:
    expected = [b"".join(t) for t in tokenize_many(texts)]
    assert letters_many(texts) == expected
    assert expected == [letters(t) for t in texts]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=30), min_size=1, max_size=5))
def test_letters_many_equals_joined_tokens_on_any_text(texts: list[str]) -> None:
    assert letters_many(texts) == [b"".join(t) for t in tokenize_many(texts)]


def test_letters_many_takes_each_path() -> None:
    ascii_texts = ["Daily at 9am EST", "", "It's a well-known \"fact\" — 3 min read"]
    assert letters_many(ascii_texts) == [b"dailyatamest", b"", b"itsawellknownfactminread"]
    # a Cyrillic line among plain ones takes the exact path; "ß" makes every text go one by one
    mixed = ["Київ сьогодні", "Kyiv today"]
    assert letters_many(mixed) == ["київсьогодні".encode(), b"kyivtoday"]
    assert letters_many(["Straße", "Ab"]) == [b"strasse", b"ab"]
