"""Loading the people golden fixtures (tests/fixtures/people/NAME.txt + NAME.json) and scoring them."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

from etl.records import Paragraph

PEOPLE = Path(__file__).resolve().parent / "fixtures" / "people"


def fixture_names() -> list[str]:
    return sorted(p.stem for p in PEOPLE.glob("*.txt"))


def load_paragraphs(name: str) -> list[Paragraph]:
    text = (PEOPLE / f"{name}.txt").read_text(encoding="utf-8")
    out = []
    for i, para in enumerate(p for p in text.split("\n\n") if p.strip()):
        para = para.strip("\n")
        kind = "body"
        if para.startswith("## "):
            kind, para = "heading", para[3:]
        elif para.startswith("[caption] "):
            kind, para = "caption", para[len("[caption] "):]
        out.append(Paragraph(position=i, kind=kind, text=para, line_start=i, line_end=i))
    return out


def expected(name: str) -> list[tuple[int, int, str, str]]:
    data = json.loads((PEOPLE / f"{name}.json").read_text(encoding="utf-8"))
    return [tuple(m) for m in data["mentions"]]


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def bcubed(pairs: list[tuple[str, object]]) -> float:
    """B-cubed F1 of (gold person, system person) pairs, one per matched mention."""
    by_sys, by_gold = defaultdict(Counter), defaultdict(Counter)
    for g, s in pairs:
        by_sys[s][g] += 1
        by_gold[g][s] += 1
    n = len(pairs)
    if not n:
        return 1.0
    p = sum(by_sys[s][g] / sum(by_sys[s].values()) for g, s in pairs) / n
    r = sum(by_gold[g][s] / sum(by_gold[g].values()) for g, s in pairs) / n
    return 2 * p * r / (p + r)
