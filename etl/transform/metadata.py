"""What an article says about itself, read off its labeled segments.

The classifier has already decided which segment is the title, which are datelines, bylines and
credit lines; this module only reads them: the title text, the publication date (via
``dates.parse_dateline``), the people and agencies credited (via ``credits.parse_credits``) and the
outlet (via ``credits.detect_outlet``).  A file without a headline has no title and a file without a
dateline has no date: nothing is guessed from body text.
"""

from __future__ import annotations

from collections.abc import Sequence
from etl.records import Credit, LabeledSegment, Metadata
from etl.rules import Rules
from etl.transform import remembered_re as re  # ``re``, its compiled patterns remembered (rules cache)
from etl.transform import credits
from etl.transform.credits import parse_credits
from etl.transform.classify import meta_parts
from etl.transform.segment import dateline_iso

_SPACES = re.compile(r"\s+")
_SITE_SUFFIX = re.compile(r"\s+\|\s+[^|]{1,40}$")
_SEPARATED = re.compile(r"\s[|•·–—-]\s")
_DATELINE_MAX_CHARS = 120
#: Datelines that state a later revision; the first publication date is preferred over them.
_REVISION = re.compile(r"\b(?:updated?|last\s+(?:modified|updated)|modified|edited|revised)\b", re.IGNORECASE)


def _published(datelines: Sequence[LabeledSegment], rules: Rules) -> tuple[str | None, str | None]:
    """(ISO date, raw dateline) from the first dateline that is not a revision, else the first."""
    # a line may string several dates or a byline and a date together: look at its parts too
    candidates = [
        part
        for seg in datelines
        for part in ([seg.segment.text] + (meta_parts(seg.segment.text) if _SEPARATED.search(seg.segment.text) else []))
    ]
    for text in sorted(candidates, key=lambda t: bool(_REVISION.search(t))):
        if len(text) <= _DATELINE_MAX_CHARS:
            iso = dateline_iso(text, rules)
            if iso:
                return iso, text
    return None, None


def _credits(labeled: Sequence[LabeledSegment], rules: Rules) -> tuple[Credit, ...]:
    """Credits from bylines (consecutive byline segments read together, so "By:" + "Reuters" is one
    byline) and from credit lines, without repeats."""
    groups: list[tuple[str, int]] = []
    prev_byline = -2
    for k, ls in enumerate(labeled):
        if ls.label == "byline":
            text = ls.segment.text
            if _SEPARATED.search(text):  # leave the dates out of the names
                text = " | ".join(p for p in meta_parts(text) if dateline_iso(p, rules) is None)
            if prev_byline == k - 1 and groups:
                joined, line = groups[-1]
                groups[-1] = (f"{joined} {text}", line)
            else:
                groups.append((text, ls.segment.line_start))
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
        title = _SPACES.sub(" ", title).strip()
        # "Ferry fares to rise | The Island Courier": the page title's site suffix is not the headline
        suffix = _SITE_SUFFIX.search(title)
        if suffix and len(title[: suffix.start()].split()) >= 3:
            title = title[: suffix.start()]
        title = title or None
    published_at, dateline = _published([ls for ls in labeled if ls.label == "dateline"], rules)
    if published_at is None:  # a date on a byline line ("By Jane Doe | May 3, 2023")
        published_at, dateline = _published([ls for ls in labeled if ls.label == "byline"], rules)
    return Metadata(
        title=title,
        published_at=published_at,
        dateline=dateline,
        outlet=outlet if outlet is not None else detect_outlet(labeled, rules),
        credits=_credits(labeled, rules),
    )
