"""The per-Lexicon memos of mentions.py (span classification by span text) never change a result."""

from __future__ import annotations

import pytest

from etl.records import Paragraph
from etl.rules import default_rules
from etl.transform import mentions
from etl.transform.mentions import find_mentions, lexicon
from tests.people_fixtures import fixture_names, load_paragraphs


def clear_memos() -> None:
    lex = lexicon(default_rules())
    lex.span_memo.clear()
    lex.para_memo.clear()
    lex.para_seen.clear()


def cold(paras: list[Paragraph]):
    """find_mentions with every memo emptied first."""
    clear_memos()
    return find_mentions(paras, default_rules())


def test_warm_memo_equals_cold_memo_over_all_fixtures() -> None:
    names = fixture_names()
    expected = {name: cold(load_paragraphs(name)) for name in names}
    # warm: every fixture's spans already seen, in another order, some twice
    clear_memos()
    for name in reversed(names):
        find_mentions(load_paragraphs(name), default_rules())
    for name in names + names[:3]:
        assert find_mentions(load_paragraphs(name), default_rules()) == expected[name], name


def para(text: str, position: int) -> Paragraph:
    return Paragraph(position=position, kind="body", text=text, line_start=0, line_end=0)


def test_same_span_in_other_contexts_and_offsets() -> None:
    # "Mark Milley" and "Milley said" recur at other offsets and after other words: the memo keeps only
    # what the span text says; offsets and context come from each occurrence
    texts = [
        "Gen. Mark Milley spoke on Monday.",
        "On Tuesday, Mark Milley said the war was far from over, and Milley said more.",
        "In Milley, a small town, nobody said anything. Milley said no.",
    ]
    paras = [para(t, i) for i, t in enumerate(texts)]
    first = cold(paras)
    again = find_mentions(paras, default_rules())
    assert again == first
    for m in again[1]:
        assert paras[m.paragraph].text[m.char_start : m.char_end] == m.surface
    assert {m.surface for m in again[1]} >= {"Mark Milley", "Milley"}


def test_memo_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mentions, "SPAN_MEMO_MAX", 5)
    name = fixture_names()[0]
    expected = cold(load_paragraphs(name))
    assert len(lexicon(default_rules()).span_memo) <= 5
    assert find_mentions(load_paragraphs(name), default_rules()) == expected
    assert len(lexicon(default_rules()).span_memo) <= 5


def test_prev_words_equals_the_plain_search() -> None:
    # _prev_words starts the search at the second-to-last chunk: same match as searching from 0
    import random

    from etl.transform.mentions import _PREV_WORDS, _prev_words

    alphabet = ["a", "Z", "é", "’", "'", "-", " ", " ", "\u00a0", ",", ".", "\n", "\t", "(", "1", "_", "\u2009"]
    rnd = random.Random(7)
    samples = ["her husband, ", "said ", "the frigate ", "  ", "", "x,\u00a0", "told reporters on Monday that "]
    samples += ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 14))) for _ in range(20000)]
    for s in samples:
        a, b = _PREV_WORDS.search(s), _prev_words(s)
        assert (a and (a.span(), a.groups())) == (b and (b.span(), b.groups())), repr(s)


def test_name_keys_warm_equal_cold(monkeypatch: pytest.MonkeyPatch) -> None:
    # fold/family_key/given_key memos: one per kind of key, never mixed, and bounded
    import dataclasses

    from etl.transform import names as names_module
    from etl.transform.names import name_data

    data = name_data(default_rules())
    words = ["Valerii", "Valeriy", "Valery", "Zaluzhnyi", "Zaluzhny", "Sergei", "Sergey", "Joe", "Joseph", "Đurović"]
    words += ["Mary Ann", "Jean-Luc", "O'Brien", "von der Leyen", ""]

    def keys(d):
        return [(d.fold(w), d.family_key(w), d.given_key(w)) for w in words]

    cold = keys(dataclasses.replace(data, fold_memo={}, given_memo={}))
    fresh = dataclasses.replace(data, fold_memo={}, given_memo={})
    for w in reversed(words):  # warm the memos in another order, given keys first
        fresh.given_key(w)
        fresh.fold(w)
    assert keys(fresh) == keys(fresh) == cold
    assert cold[0][2] == cold[2][2]  # Valerii, Valery: one given-name group
    assert any(fold != given for fold, _, given in cold)  # a memo shared by both kinds of key would show
    monkeypatch.setattr(names_module, "KEY_MEMO_MAX", 3)
    small = dataclasses.replace(data, fold_memo={}, given_memo={})
    assert keys(small) == cold
    assert len(small.fold_memo) <= 3 and len(small.given_memo) <= 3


def test_split_memo_equals_split_name() -> None:
    import dataclasses

    from etl.transform.names import name_data, split_name

    data = dataclasses.replace(name_data(default_rules()), split_memo={})
    full_names = [["Ursula", "von", "der", "Leyen"], ["Xi", "Jinping"], ["Martin", "Luther", "King", "Jr."]]
    full_names += [["George", "H.", "W.", "Bush"], ["Al-Assad"], ["Mark", "Milley"], ["Milley"], []]
    for words in full_names + full_names[::-1]:
        assert data.split(words) == split_name(words, data), words
    assert data.split(["Mark", "Milley"]) != data.split(["Milley"])  # keyed by every word


def span_texts() -> list[str]:
    """Varied texts for the span fast paths: fixtures, names with prefixes and elisions, and random strings."""
    import random

    texts = [p.text for name in fixture_names() for p in load_paragraphs(name)]
    texts += [
        "al-Assad met Mohammed bin Salman and Abu Bakr al-Baghdadi; d'Estaing, O'Brien and l’Oréal too.",
        "Ursula von der Leyen, Chief of General Staff Valery Gerasimov and U.S. officials in ash-Sham.",
        "Xi's envoy, the F-16 and V5 drones, anti-American, Kyiv-based, bin-Laden, el-Sisi, ud-Din, 'Hamrayev is'",
        "ÉMILE Zola. Şahin Özdemir (AP) — ŁÓDŹ, Mr. J.R.R. Tolkien Jr. said", "", "A", "al-", "d'", "x al-Q",
    ]
    alphabet = list("aAbBdDeElLuUiIsSzZnNhHtT") + ["É", "é", "’", "'", "-", " ", " ", "\u00a0", ",", ".", "1", "_"]
    alphabet += ["al-", "bin-", "ash-", "d'", "l’", "of ", "the ", "von ", "Mc", "St. "]
    rnd = random.Random(11)
    texts += ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 30))) for _ in range(30000)]
    return texts


def test_span_upper_equals_span_where_used() -> None:
    # _spans uses span_upper for a text without a _PREFIX_START: same matches as the full span regex there,
    # and a text where they differ always has a _PREFIX_START
    from etl.transform.mentions import _PREFIX_START

    lex = lexicon(default_rules())
    differ = 0
    for text in span_texts():
        full = [(m.start(), m.group()) for m in lex.span.finditer(text)]
        upper = [(m.start(), m.group()) for m in lex.span_upper.finditer(text)]
        if full != upper:
            differ += 1
            assert _PREFIX_START.search(text), repr(text)
    assert differ > 100  # the random texts do exercise prefixed spans


def test_paragraph_memo_equals_cold_over_all_fixtures() -> None:
    # a paragraph seen twice is memoised; from the third time its Runs are rebuilt from the memo.  find_mentions
    # changes its Runs (persons, a sentence opener dropped from a run...): the memo must not see that
    names = fixture_names()
    expected = {name: cold(load_paragraphs(name)) for name in names}
    clear_memos()
    lex = lexicon(default_rules())
    for round_ in range(4):
        for name in names if round_ % 2 else reversed(names):
            assert find_mentions(load_paragraphs(name), default_rules()) == expected[name], (round_, name)
        if round_ >= 1:
            assert lex.para_memo  # the later rounds do use the memo
    # the same paragraphs at other positions and in other articles, and paragraphs whose runs find_mentions
    # shortens ("Reportedly Milley": the sentence opener is dropped from the run)
    mixed = [p for name in names[:6] for p in load_paragraphs(name)]
    mixed += [para("Reportedly Milley said it. Gen. Mark Milley agreed.", 0), para("Visiting Kyiv Zelensky spoke.", 0)]
    mixed += [para("Reportedly Milley said it. Gen. Mark Milley agreed.", 0)]
    paras = [para(p.text, i) for i, p in enumerate(mixed[::-1])]
    want = cold(paras)
    assert find_mentions(paras, default_rules()) == want
    assert find_mentions(paras, default_rules()) == want
    assert find_mentions(paras[::2] + paras, default_rules()) == cold(paras[::2] + paras)


def test_paragraph_memo_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mentions, "PARA_MEMO_MAX", 3)
    monkeypatch.setattr(mentions, "PARA_SEEN_MAX", 4)
    lex = lexicon(default_rules())
    for name in fixture_names()[:4]:
        expected = cold(load_paragraphs(name))
        for _ in range(3):
            assert find_mentions(load_paragraphs(name), default_rules()) == expected, name
            assert len(lex.para_memo) <= 3 and len(lex.para_seen) <= 4


def test_word_tail_equals_the_letter_by_letter_form() -> None:
    # WORD_TAIL runs through letters with one loop; the letter-by-letter form it replaced gives the same spans
    import re

    from etl.transform.mentions import L, WORD_TAIL

    slow_tail = rf"(?:{L}|['’](?![sS]\b)(?={L})|-(?={L}))*(?![\d]|-\d)"
    lex = lexicon(default_rules())
    assert WORD_TAIL in lex.span.pattern and WORD_TAIL in lex.span_upper.pattern
    slow = [re.compile(rx.pattern.replace(WORD_TAIL, slow_tail)) for rx in (lex.span, lex.span_upper)]
    texts = span_texts() + ["Ab-c1 Ab1 O'Brien's A-1 B’s Jean-Luc-5 Ma'ruf d'Ab-1 X-Y-Z-9 É-é’é's"]
    for text in texts:
        for fast, ref in zip((lex.span, lex.span_upper), slow):
            assert [m.span() for m in fast.finditer(text)] == [m.span() for m in ref.finditer(text)], repr(text)


def test_is_titlecase_equals_the_word_by_word_loop() -> None:
    # _is_titlecase answers "no" from the first long lowercase word _LONG_LOWER_WORD finds: the same answer
    import random

    from etl.transform.mentions import _LONG_LOWER_WORD, _TITLECASE_WORD, _is_titlecase, _is_titlecase_words

    texts = span_texts()
    texts += ["Biden Says He Will Run Again", "Biden says he will run", "The Man With the Plan", "With From Into Over"]
    texts += ["x’abcd Efg Hij Klm", "1abcd Ab Cd Ef", "Ab-abcd Cd Ef Gh", "A 'abcd' B C D", "Ab_abcd Cd Ef Gh"]
    alphabet = ["abcd", "with", "Abcd", "AB", "é", "éabc", "x", "’", "'", "-", "_", "1", " ", " ", "."]
    alphabet += ["iPhone", "Ωmega"]
    rnd = random.Random(5)
    texts += [" ".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 9))) for _ in range(20000)]
    texts += ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 9))) for _ in range(20000)]
    fast_no = 0
    for text in texts:
        assert _is_titlecase(text) == _is_titlecase_words(text), repr(text)
        # every word the fast path reads is a word of the loop
        words = {(m.start(), m.end()) for m in _TITLECASE_WORD.finditer(text)}
        for m in _LONG_LOWER_WORD.finditer(text):
            assert (m.start(), m.end()) in words, repr(text)
            fast_no += 1
    assert fast_no > 1000
