"""transform(raw, rules, memory) -> Article: the order of the per-file stages.

repair (encoding, entities, invisible characters) → segment (lines, blocks, hard-wrapped
paragraphs) → classify (a label and a reason per segment, with corpus memory) → metadata (title,
date, credits, outlet) → mentions (people named in the kept paragraphs).

Captions are kept: body and heading segments become content paragraphs and caption segments become
paragraphs of kind ``caption`` (analysts include or exclude them with ``kind``); every other label
is a removed segment with its reason.  Positions count kept paragraphs from 0.

Importing the package is cheap: the stages (their compiled rules, ftfy, dateutil) are imported on
first use, so a nightly run with nothing to clean, or the writer process, never loads them.
"""

from __future__ import annotations

from collections.abc import Sequence

from typing import TYPE_CHECKING, Any

from etl.records import PARAGRAPH_LABELS, Article, LabeledSegment, Paragraph, RawDocument
from etl.rules import Rules
from etl.transform.memory import CorpusMemory

if TYPE_CHECKING:
    from etl.transform.metadata import extract_metadata

__all__ = ["transform", "clean_text", "paragraphs_of", "extract_metadata", "prepare_stages"]


def __getattr__(name: str) -> Any:
    """``etl.transform.extract_metadata``, imported on first use (PEP 562)."""
    if name == "extract_metadata":
        from etl.transform.metadata import extract_metadata

        return extract_metadata
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def clean_text(
    text: str, rules: Rules, memory: CorpusMemory | None = None
) -> tuple[str, tuple[LabeledSegment, ...], str | None]:
    """The cleaning stage without metadata: (repaired text, labeled segments, outlet)."""
    return _clean(text, rules, memory)[:3]


def _clean(
    text: str, rules: Rules, memory: CorpusMemory | None = None
) -> tuple[str, tuple[LabeledSegment, ...], str | None, tuple[str, ...]]:
    """:func:`clean_text`, and the segments' corpus-memory fingerprints (``Article.fingerprints``)."""
    # named so that the package's submodules (etl.transform.classify, .segment) stay its attributes
    from etl.transform.classify import classify_fingerprinted
    from etl.transform.credits import detect_outlet
    from etl.transform.repair import repair_text
    from etl.transform.segment import segment as segment_text

    repaired = repair_text(text)
    segments = segment_text(repaired, rules)
    outlet = None
    if memory:
        # per-outlet counts need the outlet before classifying (what metadata.detect_outlet does,
        # without wrapping every segment in a LabeledSegment first)
        outlet = detect_outlet([s.text for s in segments], rules)
    labeled, fingerprints = classify_fingerprinted(segments, rules, memory, outlet=outlet)
    return repaired, labeled, outlet, fingerprints


#: A small article that goes through every stage (headline, dateline, byline, credit, named people).
_SAMPLE = RawDocument(
    source_path="sample.txt",
    sha256="",
    size_bytes=0,
    mtime_ns=0,
    encoding="utf-8",
    text=(
        "Harbour works resume in the old port\n\n"
        "Updated: May 19, 2022, 17:52 UTC\n\n"
        "By Jane Doe, Reuters\n\n"
        "The mayor, John Smith, said on Tuesday that Gen. Anna Novak had approved the plan.\n\n"
        "(Reporting by Jane Doe; editing by Tom Brown)\n"
    ),
)


def prepare_stages(rules: Rules) -> None:
    """Import every stage and compile ``rules`` for them now, by cleaning a small sample article.

    The pipeline calls this before forking its worker pool: the workers inherit the compiled
    rules instead of each compiling them again.
    """
    transform(_SAMPLE, rules)


def paragraphs_of(labeled: Sequence[LabeledSegment]) -> tuple[Paragraph, ...]:
    """Kept segments (body, heading, caption) as paragraphs, positions 0-based over kept ones."""
    kept = [ls for ls in labeled if ls.label in PARAGRAPH_LABELS]
    return tuple(
        Paragraph(k, ls.label, ls.segment.text, ls.segment.line_start, ls.segment.line_end)
        for k, ls in enumerate(kept)
    )


def transform(raw: RawDocument, rules: Rules, memory: CorpusMemory | None = None) -> Article:
    """Everything learned about one document, ready to load."""
    from etl.transform.mentions import find_mentions
    from etl.transform.metadata import extract_metadata

    text, labeled, outlet, fingerprints = _clean(raw.text, rules, memory)
    metadata = extract_metadata(labeled, rules, outlet=outlet)
    paragraphs = paragraphs_of(labeled)
    people, mentions = find_mentions(paragraphs, rules, title=metadata.title)
    return Article(
        raw=raw,
        text=text,
        segments=labeled,
        metadata=metadata,
        paragraphs=paragraphs,
        people=tuple(people),
        mentions=tuple(mentions),
        rules_version=rules.version,
        fingerprints=fingerprints,  # == memory.segment_fingerprints of the segments' texts
    )
