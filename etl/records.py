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

    __reduce__ = pickle_as_fields

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
