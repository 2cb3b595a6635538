"""The gates in front of classify's per-line checks never reject a line the full check accepts.

``_family_match`` tries only the patterns indexed under a line's first token, first character or
gate words, and only those whose extra gates (``gates.all_gates``: further word sets every match
has a token of) the line passes; ``_inline_match`` skips inline credit patterns whose gate words or
required characters are missing.  Here each is compared with a brute-force search of every pattern,
in rule order, over every segment of the fixtures and seeds and over generated lines (segments cut,
joined and given the endings and openings the patterns look for).
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from etl.rules import load_rules
from etl.transform.classify import _CREDIT_WINDOW, _family_match, _Feat, _inline_credit, _inline_match, compiled
from etl.transform.gates import all_gates
from etl.transform.repair import repair_text
from etl.transform.segment import segment
from etl.transform.tokens import tokenize

ROOT = Path(__file__).parent
RULES = load_rules()
C = compiled(RULES)


def _segments() -> list[str]:
    paths = sorted((ROOT / "fixtures" / "cleaning").glob("*.txt")) + sorted((ROOT.parent / "seeds").glob("*.txt"))
    out: list[str] = []
    for p in paths:
        out += [s.text for s in segment(repair_text(p.read_text(encoding="utf-8")), RULES)]
    return list(dict.fromkeys(out))


_ENDINGS = [
    " / Photo: Associated Press", " (AP Photo/Jane Doe)", " © AFP", " © Jean Dupont, AFP", " [Handout via Reuters]",
    " REUTERS/Jane Doe Purchase Licensing Rights", ". (Jo Ann Park/The Daily Planet)", ". — The Courier/File",
    " Getty Images", " - Reuters", " | Photo by Jane Doe", ". Reuters photo / Jane Doe", " Photo: AFP via Getty Images",
    " Leave a comment", " Follow us on Twitter", " Subscribe to our newsletter", " All rights reserved.",
]
_OPENINGS = [
    "Photo courtesy of ", "Image source, ", "Credit: ", "Instagram/", "Read more: ", "Sign up for our newsletter ",
    "Be the first to comment ", "Listen to this article ", "About the author ", "Copyright 2024 ", "Reuters, the news agency, ",
]


def _generated(segments: list[str]) -> list[str]:
    rng = random.Random(7)
    out = []
    for _ in range(4000):
        s = rng.choice(segments)
        words = s.split()
        cut = " ".join(words[: rng.randint(1, max(1, len(words)))])
        kind = rng.random()
        if kind < 0.35:
            out.append(cut + rng.choice(_ENDINGS))
        elif kind < 0.6:
            out.append(rng.choice(_OPENINGS) + cut)
        elif kind < 0.8:
            out.append(cut + " " + rng.choice(segments))
        else:
            out.append(rng.choice(_OPENINGS) + cut + rng.choice(_ENDINGS))
    return out


SEGMENTS = _segments()
LINES = SEGMENTS + _generated(SEGMENTS)


def _feat(text: str) -> _Feat:
    return _Feat(text, C, tuple(tokenize(text.casefold())))


def _brute_family(f: _Feat):
    for fam in C.families:
        if fam.tail_only or f.n_words > fam.max_words or (f.terminal and fam.unpunctuated_only):
            continue
        for pattern in fam.patterns:
            m = pattern.search(f.text)
            if m:
                return fam.name, m.span()
    return None


def _brute_inline(f: _Feat):
    start = max(len(f.text) - _CREDIT_WINDOW, 0)
    for pattern, _ in C.inline_credit:
        m = pattern.search(f.text, start)
        if m:
            return m.span()
    return None


def test_there_are_lines_and_matches():
    assert len(SEGMENTS) > 500
    feats = [_feat(t) for t in LINES]
    assert sum(_brute_family(f) is not None for f in feats) > 200
    assert sum(_brute_inline(f) is not None for f in feats) > 100


@pytest.mark.parametrize("k", range(4))
def test_family_gates_reject_no_match(k):
    for text in LINES[k::4]:
        f = _feat(text)
        hits = C.line_words.intersection(f.tokens)
        hit = _family_match(f, C, tail=False, hits=hits)
        got = (hit[0].name, hit[1].span()) if hit else None
        assert got == _brute_family(f), text
        # without the precomputed gate words: the same
        hit2 = _family_match(f, C, tail=False)
        assert ((hit2[0].name, hit2[1].span()) if hit2 else None) == got, text


@pytest.mark.parametrize("k", range(4))
def test_inline_gates_reject_no_match(k):
    for text in LINES[k::4]:
        f = _feat(text)
        if f.n_words > 80:
            continue
        hits = C.line_words.intersection(f.tokens)
        expected = _brute_inline(f)
        m = _inline_match(f, C, hits)
        assert (m.span() if m else None) == expected, text
        m2 = _inline_credit(f, C)
        assert (m2.span() if m2 else None) == expected, text


def test_every_gate_of_a_pattern_is_needed_by_its_matches():
    """Each word set all_gates gives has a token of every match found in the lines."""
    checked = 0
    for fam in C.families:
        flags = fam.patterns[0].flags
        for pattern in fam.patterns:
            gates = all_gates(pattern.pattern, flags)
            if not gates:
                continue
            for text in LINES:
                m = pattern.search(text)
                if not m:
                    continue
                tokens = set(tokenize(text.casefold()))
                for gate in gates:
                    assert any(w.encode("utf-8") in tokens for w in gate), (pattern.pattern, text, gate)
                checked += 1
    assert checked > 100


def test_all_gates_examples():
    gates = all_gates(r"\blisten to (?:this|the) (?:article|story)\b", re.IGNORECASE)
    assert frozenset({"listen"}) in gates and frozenset({"article", "story"}) in gates
    assert all_gates("(", 0) == ()  # not a pattern: no gate


def test_local_sets_nothing_without_a_label():
    """_features reuses one blank _State across lines _local finds nothing on."""
    from etl.transform.classify import _BLANK_OUTCOME, _local, _State

    for text in LINES:
        st = _State()
        _local(_feat(text), st, C)
        outcome = (st.label, st.reason, st.end_marker, st.related_intro, st.bare_intro, st.photo_credit, st.byline_open)
        if st.label is None:
            assert outcome == _BLANK_OUTCOME and st == _State(), text


def test_tail_gates_reject_no_match():
    """The tail-only families (bios), gated by first word/character and gate words, against a
    search with every pattern."""
    for text in LINES + [t + " is a staff writer at the Courier." for t in SEGMENTS[:300]]:
        f = _feat(text)
        hit = _family_match(f, C, tail=True)
        expected = None
        for fam in C.families:
            if not fam.tail_only or f.n_words > fam.max_words or (f.terminal and fam.unpunctuated_only):
                continue
            for pattern in fam.patterns:
                m = pattern.search(f.text)
                if m:
                    expected = (fam.name, m.span())
                    break
            if expected:
                break
        assert ((hit[0].name, hit[1].span()) if hit else None) == expected, text


def test_tokenize_many_equals_tokenize():
    """tokenize_many (one pass per article, counting non-ASCII characters per text only when the
    article has more than a text's share) gives each text the tokens tokenize gives."""
    from etl.transform.tokens import tokenize_many

    rng = random.Random(3)
    extra = ["Київ — столиця України", "naïve café ’quoted’ “text”", "ﬁne ß Straße", "?? what?", "плюс 5% ?"]
    for _ in range(300):
        batch = rng.sample(SEGMENTS, rng.randint(1, 20)) + rng.sample(extra, rng.randint(0, 2))
        rng.shuffle(batch)
        assert tokenize_many(batch) == [tokenize(t.casefold()) for t in batch]


def test_required_any():
    from etl.transform.gates import required_any

    assert required_any(r"©\s*AFP$|\[[^\]]*\]$|\w+/\w+$", re.IGNORECASE) == frozenset("©[/")
    assert required_any(r"a|b/", re.IGNORECASE) == frozenset()  # "a" needs no such character
    assert required_any(r"x/y", 0) == frozenset()  # not a branch
    # every match of a pattern that has them holds one of its characters
    for pattern, _ in C.inline_credit:
        chars = required_any(pattern.pattern, re.IGNORECASE)
        if chars:
            for text in LINES:
                m = pattern.search(text)
                if m:
                    assert any(ch in m.group() for ch in chars), (pattern.pattern, text)
