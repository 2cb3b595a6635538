"""An article's fast pickle (records._pickle_article / _article) gives what pickling it as its
records' field values gives: equal records of the same types, all the way down."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl import records
from etl.records import (
    Article, Credit, LabeledSegment, Mention, Metadata, Paragraph, PersonRef, RawDocument, Segment,
)
from etl.rules import load_rules
from etl.transform import transform

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def _shape(value: object) -> object:
    """``value`` as nested (type, contents): equal shapes mean equal values of the same types."""
    slots = getattr(type(value), "__slots__", None)
    if slots is not None and hasattr(type(value), "__dataclass_fields__"):
        return (type(value), tuple(_shape(getattr(value, name)) for name in slots))
    if type(value) in (tuple, list):
        return (type(value), tuple(_shape(item) for item in value))
    return (type(value), value)


def _plain_copy(article: Article) -> Article:
    """The article as it comes back pickled as its field values, through ``__init__`` (the plain way)."""
    class Plain(pickle.Pickler):
        def reducer_override(self, obj: object) -> object:
            if type(obj) is Article:
                return records.pickle_as_fields(obj)
            return NotImplemented

    import io

    buffer = io.BytesIO()
    Plain(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(article)
    return pickle.loads(buffer.getvalue())


def _check(article: Article, fast: bool = True) -> None:
    assert (records._pickle_article(article)[0] is records._article) is fast
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        copy = pickle.loads(pickle.dumps(article, protocol=protocol))
        assert copy == article
        assert _shape(copy) == _shape(article) == _shape(_plain_copy(article))


def test_seed_articles_survive_the_fast_pickle() -> None:
    rules = load_rules()
    for seed in sorted(SEEDS.glob("*.txt")):
        article = transform(RawDocument(seed.name, "0" * 64, 1, 2, "utf-8", seed.read_text()), rules)
        assert article.mentions and article.segments and article.paragraphs
        _check(article)


_TEXT = st.text(max_size=20)
_OPT = st.none() | _TEXT
_INT = st.integers(min_value=-(2**70), max_value=2**70)
_SEGMENTS = st.builds(LabeledSegment, st.builds(Segment, _INT, _INT, _INT, _TEXT), _TEXT, _TEXT)
_ARTICLES = st.builds(
    Article,
    st.builds(RawDocument, _TEXT, _TEXT, _INT, _INT, _TEXT, _TEXT),
    _TEXT,
    st.lists(_SEGMENTS, max_size=6).map(tuple),
    st.builds(
        Metadata, _OPT, _OPT, _OPT, _OPT, st.lists(st.builds(Credit, _TEXT, _TEXT, _INT), max_size=3).map(tuple)
    ),
    st.lists(st.builds(Paragraph, _INT, _TEXT, _TEXT, _INT, _INT), max_size=4).map(tuple),
    st.lists(st.builds(PersonRef, _TEXT, _TEXT, _OPT, _OPT), max_size=4).map(tuple),
    st.lists(st.builds(Mention, _INT, _INT, _INT, _TEXT, _TEXT), max_size=4).map(tuple),
    _TEXT,
    st.lists(_TEXT, max_size=6).map(tuple),
)


@settings(max_examples=300, deadline=None)
@given(_ARTICLES)
def test_any_article_survives_the_fast_pickle(article: Article) -> None:
    _check(article)


@pytest.mark.parametrize(
    "change",
    [
        lambda a: {"segments": list(a.segments)},
        lambda a: {"paragraphs": list(a.paragraphs)},
        lambda a: {"people": list(a.people)},
        lambda a: {"mentions": list(a.mentions)},
        lambda a: {"metadata": Metadata(a.metadata.title, credits=list(a.metadata.credits))},
        lambda a: {"segments": (LabeledSegment(None, "body", "r"), *a.segments)},  # not a Segment
    ],
)
def test_articles_of_other_shapes_pickle_as_their_fields(change) -> None:  # noqa: ANN001
    """A list where a tuple is expected, or another type where a record is: the plain pickle, which keeps them."""
    seed = sorted(SEEDS.glob("*.txt"))[0]
    article = transform(RawDocument(seed.name, "0" * 64, 1, 2, "utf-8", seed.read_text()), load_rules())
    import dataclasses

    _check(dataclasses.replace(article, **change(article)), fast=False)
