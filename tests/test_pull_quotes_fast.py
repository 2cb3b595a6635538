"""classify._pull_quotes skips quotes whose letters occur in no other segment; the labels equal
those of the plain neighbour scan it replaces."""

from __future__ import annotations

import random
from pathlib import Path

from etl.rules import load_rules
from etl.transform import classify as classify_module
from etl.transform.classify import _OPENING_QUOTES, _PULL_QUOTE_REACH, classify
from etl.transform.repair import repair_text
from etl.transform.segment import segment

RULES = load_rules()
ROOT = Path(__file__).parent


def _plain_pull_quotes(segments, feats, states, c):
    max_words = int(c.t["pull_quote_max_words"])
    min_letters = int(c.t["pull_quote_min_letters"])
    quotes = [
        i for i, (f, st) in enumerate(zip(feats, states))
        if st.label is None and f.n_words <= max_words and f.text[:1] in _OPENING_QUOTES
    ]
    for i in quotes:
        key = feats[i].letters
        if len(key) < min_letters:
            continue
        for j in range(max(i - _PULL_QUOTE_REACH, 0), min(i + _PULL_QUOTE_REACH + 1, len(feats))):
            f, st = feats[j], states[j]
            if j != i and st.label in (None, "body") and len(f.text) > len(feats[i].text) and key in f.letters:
                states[i].label, states[i].dup_of = "duplicate", j
                states[i].reason = f"pull quote repeating line {segments[j].line_start}"
                break


def _articles() -> list[str]:
    rng = random.Random(7)
    paragraphs = [
        "Construction will be phased over three years, the authority said, and the old quay will stay open.",
        "The harbour master said the work would start in spring and that ferries would keep running.",
        "Residents asked whether the fish market would move, and the council said it would not.",
        "\u201cWe had to act fast,\u201d the harbour master said.",
    ]
    quotes = [
        "\u201cthe old quay will stay open\u201d",
        "\u201cferries would keep running\u201d",
        "\u201cWe had to act fast\u201d",
        "\u201cthe fish market would move\u201d",
        "\u201cnothing like this appears anywhere else\u201d",
        "\"the work would start in spring\"",
    ]
    out = [(ROOT / "fixtures" / "cleaning" / name).read_text(encoding="utf-8") for name in sorted(p.name for p in (ROOT / "fixtures" / "cleaning").glob("*.txt"))]
    for _ in range(60):
        body = [rng.choice(paragraphs) for _ in range(rng.randint(2, 8))]
        for _ in range(rng.randint(1, 4)):
            body.insert(rng.randint(0, len(body)), rng.choice(quotes))
        out.append("Harbour works to start in spring\n\nBy Jane Doe\n\n" + "\n\n".join(body) + "\n")
    return out


def test_pull_quote_labels_equal_the_plain_scan(monkeypatch):
    texts = _articles()
    fast = [classify(segment(repair_text(t), RULES), RULES) for t in texts]
    monkeypatch.setattr(classify_module, "_pull_quotes", _plain_pull_quotes)
    plain = [classify(segment(repair_text(t), RULES), RULES) for t in texts]
    assert fast == plain
    assert sum(ls.reason.startswith("pull quote") for labeled in plain for ls in labeled) >= 20
