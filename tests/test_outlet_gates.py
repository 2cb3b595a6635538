"""detect_outlet searches a self-reference pattern only in lines holding its required literal run
(gates.required_literal, casefolded): never a line the pattern matches without it."""

from __future__ import annotations

import random
import re
from pathlib import Path

from etl.rules import load_rules
from etl.transform import credits
from etl.transform.gates import required_literal
from etl.transform.repair import repair_text
from etl.transform.segment import segment

ROOT = Path(__file__).parent
RULES = load_rules()
C = credits._c(RULES)


def _lines() -> list[str]:
    paths = sorted((ROOT / "fixtures" / "cleaning").glob("*.txt")) + sorted((ROOT.parent / "seeds").glob("*.txt"))
    out = []
    for p in paths:
        out += [s.text.strip() for s in segment(repair_text(p.read_text(encoding="utf-8")), RULES)]
    rng = random.Random(5)
    phrases = [
        "Listen to Kyiv Independent articles", "Get the Harbour Gazette app", "Download the Daily Planet app",
        "Daily Planet app", "Subscribe to The Courier's newsletters", "Subscribe to Island News on YouTube",
        "Follow The Courier on Twitter", "© 2024 Harbour Gazette", "Copyright (c) Daily Planet",
        "Reuters, the news and media division of Thomson Reuters", "Sign up for Courier's daily newsletter",
        "LISTEN TO KYIV INDEPENDENT ARTICLES", "FOLLOW THE COURIER ON TWITTER", "Follow The Courıer on Twitter",
        "SUBSCRİBE TO THE COURIER ON YOUTUBE", "ſubscribe to The Courier on YouTube",
    ]
    base = [line for line in out if line]
    for _ in range(2000):
        a = rng.choice(base).split()
        cut = " ".join(a[: rng.randint(0, len(a))])
        out.append((cut + " " + rng.choice(phrases) + " " + " ".join(rng.choice(base).split()[:5])).strip()[:200])
    return [line for line in dict.fromkeys(out) if line and len(line) <= 200]


LINES = _lines()


def _brute(line: str):
    votes = []
    if "(" in line[:80]:
        m = C.wire_re.match(line)
        if m:
            name = credits._outlet_name(m.group("name"), C)
            if name:
                votes.append((name, C.wire_weight))
    if credits._hinted(line.lower(), credits._SELF_HINTS):
        probe = line.title() if line.isupper() else line
        for pat, weight in C.self_refs:
            for sm in pat.finditer(probe):
                name = credits._outlet_name(sm.group("name"), C)
                if name:
                    votes.append((name, weight))
    return tuple(votes)


def test_outlet_line_votes_equal_unfiltered_search():
    voted = 0
    for line in LINES:
        got = credits._outlet_line(line, C)[0]
        assert got == _brute(line), line
        voted += bool(got)
    assert voted > 100


def test_required_literal():
    assert required_literal(r"listen to (?P<n>\w+) articles", re.IGNORECASE) == "listen to "
    assert required_literal(r"a|bcd", 0) == ""
    assert required_literal(r"Sign Up(?: now)? FOR", re.IGNORECASE) == "sign up"
    # what IGNORECASE equates with an ASCII letter but casefolding does not: only "İ" and "ı"
    odd = [chr(c) for c in range(0x80, 0x110000) if re.fullmatch("[a-z]", chr(c), re.IGNORECASE)]
    assert [ch for ch in odd if ch.casefold() not in "abcdefghijklmnopqrstuvwxyz" or len(ch.casefold()) != 1] == ["İ", "ı"]
