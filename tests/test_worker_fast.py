"""The workers' shortcuts return what the plain formulations they replace return.

- ``mentions._Article.lower_elsewhere`` answers most queries with a substring test and otherwise
  looks the casefolded word up among the article's words, against the definition (the set of the
  words starting with a lowercase letter);
- ``transform`` takes ``Article.fingerprints`` from the classifier's letters of each segment
  (``classify_fingerprinted``) instead of normalising every segment's text a second time
  (``memory.segment_fingerprints``).
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from etl.records import RawDocument
from etl.rules import load_rules
from etl.transform import clean_text, transform
from etl.transform.classify import classify, classify_fingerprinted, compiled
from etl.transform.memory import CorpusMemory, fingerprint, segment_fingerprints
from etl.transform.mentions import _TITLECASE_WORD, _Article
from etl.transform.repair import repair_text
from etl.transform.segment import segment

from tests.people_fixtures import fixture_names, load_paragraphs
from tests.rule_lines import fixture_lines

RULES = load_rules()

# letters in both cases (ASCII and not, "ß" and "İ" whose casefolding changes length), the
# characters a word may hold after its first letter, digits, spaces, line breaks
_WORD_CHARS = "aAbBwWéÉßİıﬁ’'-1_"
_TEXT = st.text(alphabet=st.sampled_from(_WORD_CHARS + " \n,.\u00a0"), max_size=40)


def lower_elsewhere_by_definition(texts: list[str], word: str) -> bool:
    """``_Article.lower_elsewhere`` as defined: the casefolded word is one of the article's words
    that start with a lowercase letter."""
    lower = {w for t in texts for w in _TITLECASE_WORD.findall(t) if w[0].islower()}
    return word.casefold() in lower


@settings(max_examples=3000, deadline=None)
@given(st.lists(_TEXT, min_size=1, max_size=4), st.text(alphabet=st.sampled_from(_WORD_CHARS), min_size=1, max_size=6))
def test_lower_elsewhere_equals_definition(texts: list[str], word: str) -> None:
    queries = [word, word.casefold(), word.title(), word.upper()]
    queries += [w for t in texts for w in _TITLECASE_WORD.findall(t)]  # the article's own words
    queries += [w.title() for w in queries]
    fast = _Article(texts)
    for q in queries:
        assert fast.lower_elsewhere(q) == lower_elsewhere_by_definition(texts, q), (texts, q)


def test_lower_elsewhere_on_people_fixtures() -> None:
    checked = hits = 0
    for name in fixture_names():
        texts = [p.text for p in load_paragraphs(name)]
        article = _Article(texts)
        words = {w for t in texts for w in _TITLECASE_WORD.findall(t)}
        for w in sorted(words | {w.title() for w in words} | {w.upper() for w in words}):
            expected = lower_elsewhere_by_definition(texts, w)
            assert article.lower_elsewhere(w) == expected, (name, w)
            checked += 1
            hits += expected
    assert checked > 1000 and 0 < hits < checked


def _documents() -> list[str]:
    """Whole documents: the fixtures' lines as one article each, and made-up damaged ones."""
    lines = fixture_lines(RULES)
    docs = ["\n\n".join(lines[i : i + 25]) for i in range(0, len(lines), 25)]
    docs.append("Caf\u00e9 Stra\u00dfe \u0130stanbul\n\n\u00c9T\u00c9 \u00e0 PARIS\n\nplain text here\n\n1 2 3")
    docs.append("\u041a\u0438\u0435\u0432 \u0441\u0435\u0433\u043e\u0434\u043d\u044f\n\nKyiv today\n\nab")
    return docs


def test_classify_fingerprints_equal_segment_fingerprints() -> None:
    c = compiled(RULES)
    for warm in (False, True):  # cold: every _Feat new; warm: from the segment cache
        if not warm:
            c.seg_cache.clear()
        for doc in _documents():
            segments = segment(repair_text(doc), RULES)
            texts = [s.text for s in segments]
            labeled, fps = classify_fingerprinted(segments, RULES)
            assert labeled == classify(segments, RULES)
            assert fps == segment_fingerprints(texts, RULES)
            assert list(fps) == [fingerprint(t) for t in texts]


def test_transform_fingerprints_with_memory() -> None:
    docs = _documents()
    # a memory that knows some of the lines, so classify's memory step computes fingerprints first
    fps = {fp for d in docs[:5] for fp in segment_fingerprints([s.text for s in segment(repair_text(d), RULES)], RULES)}
    memory = CorpusMemory.from_counts({fp: 50 for fp in fps if fp}, total_articles=60)
    for i, doc in enumerate(docs):
        raw = RawDocument(f"d{i}.txt", "", 0, 0, "utf-8", doc)
        article = transform(raw, RULES, memory)
        _, labeled, _ = clean_text(doc, RULES, memory)
        assert article.segments == labeled
        assert article.fingerprints == segment_fingerprints([ls.segment.text for ls in labeled], RULES)


def _raw_texts() -> list[str]:
    """The cleaning fixtures' raw inputs and the made-up documents."""
    from pathlib import Path

    folder = Path(__file__).parent / "fixtures" / "cleaning"
    return [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))] + _documents()


def test_segment_texts_equal_segments() -> None:
    from etl.transform.segment import segment_texts

    for doc in _raw_texts():
        repaired = repair_text(doc)
        assert segment_texts(repaired, RULES) == [s.text for s in segment(repaired, RULES)]


def test_document_lines_equal_definition() -> None:
    from etl.transform.credits import detect_outlet
    from etl.transform.memory import document_lines

    outlets = 0
    for doc in _raw_texts():
        texts = [s.text for s in segment(repair_text(doc), RULES)]
        expected = frozenset(fp for fp in segment_fingerprints(texts, RULES) if fp)
        outlet = detect_outlet(texts, RULES)
        assert document_lines(doc, RULES) == (expected, outlet)
        outlets += outlet is not None
    assert outlets > 0
