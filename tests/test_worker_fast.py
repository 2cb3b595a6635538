"""The workers' shortcuts return what the plain formulations they replace return.

- ``mentions._Article.lower_elsewhere`` answers most queries with a substring test and otherwise
  looks the casefolded word up among the article's words, against the definition (the set of the
  words starting with a lowercase letter);
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from etl.rules import load_rules
from etl.transform.mentions import _TITLECASE_WORD, _Article

from tests.people_fixtures import fixture_names, load_paragraphs

RULES = load_rules()

# letters in both cases (ASCII and not, "ß" and "İ" whose casefolding changes length), the
# characters a word may hold after its first letter, digits, spaces, line breaks
_WORD_CHARS = "aAbBwWéÉßİıﬁ’'-1_"
_TEXT = st.text(alphabet=st.sampled_from(_WORD_CHARS + " \n,.\u00a0"), max_size=40)


@settings(max_examples=3000, deadline=None)
@given(st.lists(_TEXT, min_size=1, max_size=4), st.text(alphabet=st.sampled_from(_WORD_CHARS), min_size=1, max_size=6))
def test_lower_elsewhere_equals_definition(texts: list[str], word: str) -> None:
    queries = [word, word.casefold(), word.title(), word.upper()]
    queries += [w for t in texts for w in _TITLECASE_WORD.findall(t)]  # the article's own words
    queries += [w.title() for w in queries]
    fast = _Article(texts)
    for q in queries:
        assert fast.lower_elsewhere(q) == _Article(texts).lower_elsewhere_slow(q), (texts, q)


def test_lower_elsewhere_on_people_fixtures() -> None:
    checked = hits = 0
    for name in fixture_names():
        texts = [p.text for p in load_paragraphs(name)]
        article = _Article(texts)
        words = {w for t in texts for w in _TITLECASE_WORD.findall(t)}
        for w in sorted(words | {w.title() for w in words} | {w.upper() for w in words}):
            expected = article.lower_elsewhere_slow(w)
            assert article.lower_elsewhere(w) == expected, (name, w)
            checked += 1
            hits += expected
    assert checked > 1000 and 0 < hits < checked
