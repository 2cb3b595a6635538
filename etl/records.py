"""Plain data passed between the pipeline's stages.

Data flows one way: ``extract`` produces a :class:`RawDocument`, ``transform`` turns it into an
:class:`Article` (segments with labels, metadata, paragraphs, person mentions), and ``load`` writes
that article in one transaction.  Nothing here touches the database or the file system, so every
stage can be tested alone with values built by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from operator import attrgetter


_FIELD_VALUES: dict[type, Callable[[object], tuple]] = {}


def pickle_as_fields(self: object) -> tuple:
    """Pickle a record as (class, field values), rebuilt through ``__init__``.

    Every article crosses a process boundary (worker to writer) as a tree of about 80 of these
    records; this is about twice as fast as the default pickling of frozen slotted dataclasses,
    and reading the fields with one ``attrgetter`` per class a third faster again.
    """
    cls = type(self)
    values = _FIELD_VALUES.get(cls)
    if values is None:
        slots = cls.__slots__
        get = attrgetter(*slots)
        values = _FIELD_VALUES[cls] = get if len(slots) > 1 else (lambda record: (get(record),))
    return (cls, values(self))

#: Labels a raw segment can get.  Only ``body`` and ``heading`` become content paragraphs;
#: ``caption`` segments are kept as paragraphs of kind ``caption`` so analysts can include or
#: exclude them; every other label is recorded in ``removed_segments`` with its reason.
LABELS: tuple[str, ...] = (
    "body",
    "heading",
    "title",
    "dateline",
    "byline",
    "credit",
    "caption",
    "duplicate",
    "boilerplate",
)
CONTENT_LABELS: frozenset[str] = frozenset({"body", "heading"})
#: Segment labels stored as rows of ``paragraphs`` (their label becomes ``paragraphs.kind``).
PARAGRAPH_LABELS: frozenset[str] = frozenset({"body", "heading", "caption"})


@dataclass(frozen=True, slots=True)
class RawDocument:
    """One input file, read and decoded but not yet repaired."""

    __reduce__ = pickle_as_fields

    source_path: str  # relative to the input folder, "/"-separated
    sha256: str  # of the raw bytes
    size_bytes: int
    mtime_ns: int
    encoding: str  # the codec that decoded the bytes, e.g. "utf-8", "utf-16", "cp1252"
    text: str  # the decoded text, stored as articles.raw_text so any article can be re-cleaned


@dataclass(frozen=True, slots=True)
class Segment:
    """A unit of the repaired text that gets one label: a line, or hard-wrapped lines joined."""

    __reduce__ = pickle_as_fields

    index: int  # 0-based order among the article's segments
    line_start: int  # 0-based number of its first line in the repaired text
    line_end: int  # number of its last line (== line_start for a single line)
    text: str


@dataclass(frozen=True, slots=True)
class LabeledSegment:
    """A segment with the classifier's verdict and a short human-readable reason."""

    __reduce__ = pickle_as_fields

    segment: Segment
    label: str  # one of LABELS
    reason: str


@dataclass(frozen=True, slots=True)
class Credit:
    """A person or agency credited by a byline or a credit line."""

    __reduce__ = pickle_as_fields

    name: str
    role: str  # "author", "agency", "editor", "photographer", "reporter"
    line: int  # raw line the credit came from


@dataclass(frozen=True, slots=True)
class Metadata:
    """What the article says about itself."""

    __reduce__ = pickle_as_fields

    title: str | None = None
    published_at: str | None = None  # ISO 8601; UTC ("...Z" / "+00:00") when the zone is known
    dateline: str | None = None  # the raw dateline text the date was parsed from
    outlet: str | None = None
    credits: tuple[Credit, ...] = ()


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph as stored: content (``body``/``heading``) or a ``caption``."""

    __reduce__ = pickle_as_fields

    position: int  # 0-based order within the article
    kind: str  # "body", "heading" or "caption"
    text: str
    line_start: int
    line_end: int


@dataclass(frozen=True, slots=True)
class PersonRef:
    """One person as named within one article: the article-level resolution of its mentions."""

    __reduce__ = pickle_as_fields

    key: str  # unique within the article; mentions point to it
    name: str  # the most complete form the article uses, without titles, e.g. "Mark A. Milley"
    given: str | None  # given name(s), e.g. "Mark"; None when the article never gives it
    family: str | None  # family name, e.g. "Milley"; None for a person named by first name only


@dataclass(frozen=True, slots=True)
class Mention:
    """A reference to a person by name: ``paragraph.text[char_start:char_end] == surface``."""

    __reduce__ = pickle_as_fields

    paragraph: int  # Paragraph.position
    char_start: int
    char_end: int
    surface: str  # the name as written, without titles or a possessive 's
    person: str  # PersonRef.key


@dataclass(frozen=True, slots=True)
class Article:
    """Everything ``transform`` learned about one document, ready to load."""

    # pickles through _pickle_article (below)

    raw: RawDocument
    text: str  # the repaired text the segments' line numbers refer to
    segments: tuple[LabeledSegment, ...]
    metadata: Metadata
    paragraphs: tuple[Paragraph, ...]
    people: tuple[PersonRef, ...] = ()
    mentions: tuple[Mention, ...] = ()
    rules_version: str = ""
    fingerprints: tuple[str, ...] = field(default=())  # normalized line fingerprints (corpus memory)

    @property
    def removed(self) -> tuple[LabeledSegment, ...]:
        """Segments that are not stored as paragraphs, with their label and reason."""
        return tuple(s for s in self.segments if s.label not in PARAGRAPH_LABELS)

    @property
    def word_count(self) -> int:
        return sum(len(p.text.split()) for p in self.paragraphs if p.kind != "caption")


# ------------------------------------------------------------------------------ an article's pickle
#
# An article crosses from a pool worker to the writer pickled, and the writer (the run's bottleneck)
# unpickles it.  Rebuilt through ``__init__``, its ~80 frozen records cost the writer most of that:
# each is a Python call that sets its fields with ``object.__setattr__``.  So an article pickles as
# its records' field values in plain tuples, and :func:`_article` rebuilds the records in one call,
# with ``object.__new__`` and each slot's own setter (what ``__init__`` ends up doing, without the
# calls).  The rebuilt article equals the original, record for record and type for type.  The format
# is private to the pipeline (a pickle is read by the same code that wrote it); an article holding
# anything but the exact record types and tuples its annotations name pickles as its field values.

_new = object.__new__


def _slot_setters(cls: type) -> tuple:
    return tuple(cls.__dict__[name].__set__ for name in cls.__slots__)


_RAW = attrgetter(*RawDocument.__slots__)
_SEGMENT = attrgetter(*(f"segment.{name}" for name in Segment.__slots__), "label", "reason")
_CREDIT = attrgetter(*Credit.__slots__)
_PARAGRAPH = attrgetter(*Paragraph.__slots__)
_PERSON = attrgetter(*PersonRef.__slots__)
_MENTION = attrgetter(*Mention.__slots__)
_SET_RAW = _slot_setters(RawDocument)
_SET_SEGMENT = _slot_setters(Segment)
_SET_LABELED = _slot_setters(LabeledSegment)
_SET_METADATA = _slot_setters(Metadata)
_SET_CREDIT = _slot_setters(Credit)
_SET_PARAGRAPH = _slot_setters(Paragraph)
_SET_PERSON = _slot_setters(PersonRef)
_SET_MENTION = _slot_setters(Mention)
_SET_ARTICLE = _slot_setters(Article)
assert Segment.__slots__ == ("index", "line_start", "line_end", "text")
assert LabeledSegment.__slots__ == ("segment", "label", "reason")
assert Metadata.__slots__ == ("title", "published_at", "dateline", "outlet", "credits")
assert len(_SET_RAW) == 6 and len(_SET_CREDIT) == 3 and len(_SET_PARAGRAPH) == 5
assert len(_SET_PERSON) == 4 and len(_SET_MENTION) == 5 and len(_SET_ARTICLE) == 9


def _all(items: object, cls: type) -> bool:
    """``items`` is a tuple of exactly ``cls`` records (not a subclass, not a list)."""
    return type(items) is tuple and all(type(item) is cls for item in items)


def _pickle_article(self: Article) -> tuple:
    meta = self.metadata
    segments = self.segments
    if not (
        type(self.raw) is RawDocument
        and type(meta) is Metadata
        and _all(segments, LabeledSegment)
        and all(type(s.segment) is Segment for s in segments)
        and _all(meta.credits, Credit)
        and _all(self.paragraphs, Paragraph)
        and _all(self.people, PersonRef)
        and _all(self.mentions, Mention)
    ):
        return pickle_as_fields(self)
    return (
        _article,
        (
            _RAW(self.raw),
            self.text,
            tuple(map(_SEGMENT, segments)),
            (meta.title, meta.published_at, meta.dateline, meta.outlet),
            tuple(map(_CREDIT, meta.credits)),
            tuple(map(_PARAGRAPH, self.paragraphs)),
            tuple(map(_PERSON, self.people)),
            tuple(map(_MENTION, self.mentions)),
            self.rules_version,
            self.fingerprints,
        ),
    )


def _article(
    raw: tuple, text: str, segments: tuple, meta: tuple, credits: tuple, paragraphs: tuple, people: tuple,
    mentions: tuple, rules_version: str, fingerprints: tuple,
) -> Article:
    """The article :func:`_pickle_article` took apart (equal, with the same record types)."""
    new = _new
    s_index, s_start, s_end, s_text = _SET_SEGMENT
    l_segment, l_label, l_reason = _SET_LABELED
    labeled = []
    append = labeled.append
    for index, line_start, line_end, segment_text, label, reason in segments:
        seg = new(Segment)
        s_index(seg, index)
        s_start(seg, line_start)
        s_end(seg, line_end)
        s_text(seg, segment_text)
        item = new(LabeledSegment)
        l_segment(item, seg)
        l_label(item, label)
        l_reason(item, reason)
        append(item)
    c_name, c_role, c_line = _SET_CREDIT
    built = []
    append = built.append
    for name, role, line in credits:
        item = new(Credit)
        c_name(item, name)
        c_role(item, role)
        c_line(item, line)
        append(item)
    m_title, m_published, m_dateline, m_outlet, m_credits = _SET_METADATA
    metadata = new(Metadata)
    m_title(metadata, meta[0])
    m_published(metadata, meta[1])
    m_dateline(metadata, meta[2])
    m_outlet(metadata, meta[3])
    m_credits(metadata, tuple(built))
    p_position, p_kind, p_text, p_start, p_end = _SET_PARAGRAPH
    paras = []
    append = paras.append
    for position, kind, para_text, line_start, line_end in paragraphs:
        item = new(Paragraph)
        p_position(item, position)
        p_kind(item, kind)
        p_text(item, para_text)
        p_start(item, line_start)
        p_end(item, line_end)
        append(item)
    r_key, r_name, r_given, r_family = _SET_PERSON
    refs = []
    append = refs.append
    for key, name, given, family in people:
        item = new(PersonRef)
        r_key(item, key)
        r_name(item, name)
        r_given(item, given)
        r_family(item, family)
        append(item)
    n_paragraph, n_start, n_end, n_surface, n_person = _SET_MENTION
    found = []
    append = found.append
    for paragraph, char_start, char_end, surface, person in mentions:
        item = new(Mention)
        n_paragraph(item, paragraph)
        n_start(item, char_start)
        n_end(item, char_end)
        n_surface(item, surface)
        n_person(item, person)
        append(item)
    document = new(RawDocument)
    for setter, value in zip(_SET_RAW, raw):
        setter(document, value)
    article = new(Article)
    for setter, value in zip(_SET_ARTICLE, (
        document, text, tuple(labeled), metadata, tuple(paras), tuple(refs), tuple(found), rules_version, fingerprints,
    )):
        setter(article, value)
    return article


Article.__reduce__ = _pickle_article
