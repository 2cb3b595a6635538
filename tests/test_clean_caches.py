"""The cleaning stage's caches change no result: warm-cache output equals cold output.

The caches are keyed by text (segment texts, datelines, credit lines) and hold values that depend
only on that text and the rules; these tests compare what a cold cache, a warm one (filled by other
articles first, in another order) and a tiny one (evicting all the time) give, and the cached
per-segment outcome against a fresh computation.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.rules import load_rules
from etl.transform import classify as classify_module
from etl.transform import clean_text, extract_metadata
from etl.transform.classify import _appeal_hits, _family_match, _Feat, _local, _State, _tail_family, classify, compiled
from etl.transform.repair import repair_text
from etl.transform.segment import segment
from etl.transform.tokens import tokenize

ROOT = Path(__file__).parent
RULES = load_rules()


def _texts() -> list[str]:
    paths = sorted((ROOT / "fixtures" / "cleaning").glob("*.txt")) + sorted((ROOT.parent / "seeds").glob("*.txt"))
    return [p.read_text(encoding="utf-8") for p in paths]


TEXTS = _texts()


def _clear() -> None:
    from etl.transform.credits import _compiled as credits_compiled
    from etl.transform.repair import _repair_line

    compiled(RULES).seg_cache.clear()
    compiled(RULES).family_orders.clear()
    credits_compiled(RULES).outlet_lines.clear()
    _repair_line.cache_clear()


def _result(text: str):
    _, labeled, outlet = clean_text(text, RULES)
    return labeled, extract_metadata(labeled, RULES, outlet=outlet)


def test_there_is_something_to_compare():
    assert len(TEXTS) >= 20


def test_warm_cache_equals_cold():
    cold = []
    for text in TEXTS:
        _clear()
        cold.append(_result(text))
    _clear()
    for text in TEXTS:  # fill the caches with every article
        _result(text)
    warm = [_result(text) for text in reversed(TEXTS)][::-1]
    assert warm == cold
    assert compiled(RULES).seg_cache  # the caches were used
    assert compiled(RULES).family_orders
    from etl.transform.credits import _compiled as credits_compiled

    assert credits_compiled(RULES).outlet_lines
    assert sum(m.outlet is not None for _, m in cold) >= 5


def test_tiny_cache_equals_cold(monkeypatch):
    from etl.transform import credits

    cold = []
    for text in TEXTS:
        _clear()
        cold.append(_result(text))
    _clear()
    monkeypatch.setattr(classify_module, "SEGMENT_CACHE_SIZE", 3)
    monkeypatch.setattr(credits, "OUTLET_CACHE_SIZE", 3)
    assert [_result(text) for text in TEXTS] == cold
    assert len(compiled(RULES).seg_cache) <= 3
    assert len(credits._compiled(RULES).outlet_lines) <= 3
    _clear()


@pytest.mark.parametrize("k", range(0, 70, 7))
def test_cached_segment_outcome_equals_fresh(k):
    """Each segment's cached features and _local outcome equal ones computed from scratch."""
    c = compiled(RULES)
    for text in TEXTS[k : k + 7]:
        segments = segment(repair_text(text), RULES)
        classify(segments, RULES)  # fills the cache
        for seg in segments:
            f = c.seg_cache[seg.text]
            outcome = f.outcome
            fresh = _Feat(seg.text, c, tokenize(seg.text.casefold()))
            assert (f.text, f.n_words, list(f.tokens), f.terminal, f.anchor) == (
                fresh.text, fresh.n_words, fresh.tokens, fresh.terminal, fresh.anchor
            )
            assert f.letters == fresh.letters
            st = _State()
            _local(fresh, st, c)
            assert _State(*outcome) == st, seg.text
            # what later passes keep on the shared features
            for _ in range(2):
                hit, expected = _tail_family(f, c), _family_match(fresh, c, tail=True)
                assert (hit and (hit[0], hit[1].span())) == (expected and (expected[0], expected[1].span()))
                assert _appeal_hits(f, c) == _appeal_hits(_Feat(seg.text, c, tokenize(seg.text.casefold())), c)


def _damaged_texts() -> list[str]:
    from etl.decode import DecodeError, decode

    out = []
    for path in sorted((ROOT / "fixtures" / "encoding" / "raw").iterdir()):
        try:
            out.append(decode(path.read_bytes())[0])
        except DecodeError:
            continue
    # mojibake (UTF-8 read as cp1252) of whole articles, and the same lines again
    for text in TEXTS[:10]:
        out.append(text.encode("utf-8").decode("cp1252", errors="replace"))
    return out


def test_repair_line_cache_warm_equals_cold():
    from etl.transform.repair import _repair_line, repair_text_full

    texts = _damaged_texts()
    cold = []
    for text in texts:
        _repair_line.cache_clear()
        cold.append(repair_text(text))
    _repair_line.cache_clear()
    for text in texts:
        repair_text(text)
    assert _repair_line.cache_info().currsize > 0  # the line path was taken
    warm = [repair_text(text) for text in reversed(texts)][::-1]
    assert warm == cold
    assert cold == [repair_text_full(text) for text in texts]


def _plain_order(f, c):
    """The family patterns _family_match tried before their order was remembered."""
    hits = c.gate_words.intersection(f.tokens)
    first = c.first_index.get(f.tokens[0]) if f.tokens else None
    by_char = c.char_index.get(f.text[:1].lower())
    if hits or first or by_char:
        candidates = set(c.ungated)
        if first:
            candidates.update(first)
        if by_char:
            candidates.update(by_char)
        for word in hits:
            candidates.update(c.gate_index[word])
        return tuple(sorted(candidates))
    return tuple(c.ungated)


def test_remembered_family_orders_equal_fresh_ones():
    c = compiled(RULES)
    c.family_orders.clear()
    seen = 0
    for text in TEXTS:
        for seg in segment(repair_text(text), RULES):
            f = _Feat(seg.text, c, tokenize(seg.text.casefold()))
            if f.n_words > c.family_max_words[False]:
                continue
            _family_match(f, c, tail=False)
            key = (f.tokens[0] if f.tokens else None, f.text[:1].lower(), c.gate_words.intersection(f.tokens))
            assert tuple(c.family_orders[key]) == _plain_order(f, c), seg.text
            seen += 1
    assert seen > 500 and len(c.family_orders) < seen  # keys recur
