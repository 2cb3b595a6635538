"""``etl explain FILE``: the file with each line's verdict and the reason for it.

An analyst who wonders why a paragraph is missing (or present) reads the whole file here, line by
line as numbered in ``removed_segments`` and ``paragraphs`` (0-based raw line numbers of the
repaired text), with the label the classifier gave and why.  Lines joined into one hard-wrapped
paragraph show the verdict on the first line and "+" on the following ones.
"""

from __future__ import annotations

from etl.records import CONTENT_LABELS, RawDocument
from etl.rules import Rules, default_rules
from etl.transform import clean_text
from etl.transform.memory import CorpusMemory
from etl.transform.metadata import extract_metadata


def _mark(label: str) -> str:
    """A one-character verdict: kept content, kept caption, or removed."""
    if label in CONTENT_LABELS:
        return "+"
    return "~" if label == "caption" else "-"


def explain(
    raw_or_text: RawDocument | str,
    rules: Rules | None = None,
    memory: CorpusMemory | None = None,
    width: int | None = None,
) -> str:
    """The file with one row per raw line: number, kept/removed mark, label, text, reason.

    ``width`` truncates the text column (None keeps it whole).  A header gives the metadata the
    article would get (title, published_at, outlet, credits) and a legend.
    """
    rules = rules or default_rules()
    text = raw_or_text.text if isinstance(raw_or_text, RawDocument) else raw_or_text
    repaired, labeled, outlet = clean_text(text, rules, memory)
    meta = extract_metadata(labeled, rules, outlet=outlet)
    lines = repaired.split("\n")
    verdict: dict[int, tuple[str, str, bool]] = {}
    for ls in labeled:
        seg = ls.segment
        for n in range(seg.line_start, seg.line_end + 1):
            verdict[n] = (ls.label, ls.reason, n == seg.line_start)

    credits = ", ".join(f"{c.name} ({c.role})" for c in meta.credits) or "-"
    out = [
        f"title:        {meta.title if meta.title is not None else '-'}",
        f"published_at: {meta.published_at or '-'}",
        f"outlet:       {meta.outlet or '-'}",
        f"credits:      {credits}",
        "legend: + kept as content, ~ kept as caption, - removed; '+' in the label column joins a "
        "hard-wrapped line to the paragraph above",
        "",
    ]
    digits = len(str(max(len(lines) - 1, 0)))
    for n, line in enumerate(lines):
        if n == len(lines) - 1 and not line:
            break  # the file's final newline
        shown = line.strip()
        if width is not None and len(shown) > width:
            shown = shown[: max(width - 1, 0)] + "…"
        if n not in verdict:
            out.append(f"{n:>{digits}}".rstrip() if not shown else f"{n:>{digits}}   {'':<11}  {shown}")
            continue
        label, reason, first = verdict[n]
        if first:
            out.append(f"{n:>{digits}} {_mark(label)} {label:<11}  {shown}  [{reason}]")
        else:
            out.append(f"{n:>{digits}} {_mark(label)} {'+':<11}  {shown}")
    return "\n".join(out) + "\n"
