"""What an article says about itself, read off its labeled segments.

The classifier has already decided which segment is the title, which are datelines, bylines and
credit lines; this module only reads them: the title text, the publication date (via
``dates.parse_dateline``), the people and agencies credited (via ``credits.parse_credits``) and the
outlet (via ``credits.detect_outlet``).  A file without a headline has no title and a file without a
dateline has no date: nothing is guessed from body text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from etl.records import Credit, LabeledSegment, Metadata
from etl.rules import Rules
from etl.transform import credits
from etl.transform.credits import parse_credits
from etl.transform.segment import dateline_iso

_SPACES = re.compile(r"\s+")
#: Datelines that state a later revision; the first publication date is preferred over them.
_REVISION = re.compile(r"\b(?:updated?|last\s+(?:modified|updated)|modified|edited|revised)\b", re.IGNORECASE)


def _published(datelines: Sequence[LabeledSegment], rules: Rules) -> tuple[str | None, str | None]:
    """(ISO date, raw dateline) from the first dateline that is not a revision, else the first."""
    ordered = sorted(datelines, key=lambda s: bool(_REVISION.search(s.segment.text)))
    for seg in ordered:
        iso = dateline_iso(seg.segment.text, rules)
        if iso:
            return iso, seg.segment.text
    return None, None


def _credits(labeled: Sequence[LabeledSegment], rules: Rules) -> tuple[Credit, ...]:
    """Credits from bylines (consecutive byline segments read together, so "By:" + "Reuters" is one
    byline) and from credit lines, without repeats."""
    groups: list[tuple[str, int]] = []
    prev_byline = -2
    for k, ls in enumerate(labeled):
        if ls.label == "byline":
            if prev_byline == k - 1 and groups:
                text, line = groups[-1]
                groups[-1] = (f"{text} {ls.segment.text}", line)
            else:
                groups.append((ls.segment.text, ls.segment.line_start))
            prev_byline = k
        elif ls.label == "credit":
            groups.append((ls.segment.text, ls.segment.line_start))
    out: list[Credit] = []
    seen: set[tuple[str, str]] = set()
    for text, line in groups:
        for credit in parse_credits(_SPACES.sub(" ", text).strip(), line, rules):
            key = (credit.name.casefold(), credit.role)
            if key not in seen:
                seen.add(key)
                out.append(credit)
    return tuple(out)


def detect_outlet(labeled: Sequence[LabeledSegment], rules: Rules | None = None) -> str | None:
    """The outlet the text names (credits.detect_outlet over every segment), or None."""
    return credits.detect_outlet([ls.segment.text for ls in labeled], rules)


def extract_metadata(
    labeled: Sequence[LabeledSegment], rules: Rules, outlet: str | None = None
) -> Metadata:
    """Title, publication date, credits and outlet of one article.

    ``outlet`` may be passed when the caller already detected it (transform does, for corpus
    memory); otherwise it is detected here.
    """
    title = next((ls.segment.text for ls in labeled if ls.label == "title"), None)
    if title is not None:
        title = _SPACES.sub(" ", title).strip() or None
    published_at, dateline = _published([ls for ls in labeled if ls.label == "dateline"], rules)
    return Metadata(
        title=title,
        published_at=published_at,
        dateline=dateline,
        outlet=outlet if outlet is not None else detect_outlet(labeled, rules),
        credits=_credits(labeled, rules),
    )
