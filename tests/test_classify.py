"""The line classifier: golden fixtures (data files) plus the mechanisms one by one.

Each golden fixture is ``tests/fixtures/cleaning/<name>.txt`` (a raw article written for these
tests, imitating one outlet's conventions) next to ``<name>.json`` (per raw line: label and text;
the expected title, published_at, credits and, where it matters, the number of paragraphs).  A new
case is two new files.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from etl.records import LABELS, RawDocument, Segment
from etl.rules import load_rules
from etl.transform import transform
from etl.transform.classify import classify
from etl.transform.segment import segment

FIXTURES = Path(__file__).parent / "fixtures" / "cleaning"
CASES = sorted(p.stem for p in FIXTURES.glob("*.json"))
RULES = load_rules()


def _raw(name: str) -> RawDocument:
    data = (FIXTURES / f"{name}.txt").read_bytes()
    return RawDocument(f"{name}.txt", "0" * 64, len(data), 0, "utf-8", data.decode("utf-8"))


def _expected(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def _labels_by_line(article) -> dict[int, tuple[str, str]]:
    out = {}
    for ls in article.segments:
        for n in range(ls.segment.line_start, ls.segment.line_end + 1):
            out[n] = (ls.label, ls.reason)
    return out


def label_text(text: str, rules=RULES, **kw) -> list[tuple[str, str, str]]:
    """(text, label, reason) per segment of ``text``."""
    return [(ls.segment.text, ls.label, ls.reason) for ls in classify(segment(text, rules), rules, **kw)]


def label_of(text: str, line: str, rules=RULES, **kw) -> str:
    for seg_text, label, _ in label_text(text, rules, **kw):
        if seg_text == line:
            return label
    raise AssertionError(f"{line!r} is not a segment")


# ----------------------------------------------------------------------------- golden fixtures


def test_there_are_enough_fixtures():
    assert len(CASES) >= 12
    for name in CASES:
        assert (FIXTURES / f"{name}.txt").exists()


@pytest.mark.parametrize("name", CASES)
def test_fixture_line_labels(name):
    expected = _expected(name)
    got = _labels_by_line(transform(_raw(name), RULES))
    wrong = [
        f"line {line['n']}: expected {line['label']}, got {got.get(line['n'], ('-', ''))} | {line['text'][:60]}"
        for line in expected["lines"]
        if got.get(line["n"], ("-",))[0] != line["label"]
    ]
    assert not wrong, "\n".join(wrong)
    assert all(line["label"] in LABELS for line in expected["lines"])


@pytest.mark.parametrize("name", CASES)
def test_fixture_title(name):
    assert transform(_raw(name), RULES).metadata.title == _expected(name)["title"]


@pytest.mark.parametrize("name", [n for n in CASES if "paragraphs" in _expected(n)])
def test_fixture_paragraph_count(name):
    """Hard-wrapped fixtures: the wrapped lines of a paragraph become one paragraph."""
    article = transform(_raw(name), RULES)
    content = [p for p in article.paragraphs if p.kind != "caption"]
    assert len(content) == _expected(name)["paragraphs"]


def test_fixture_per_label_accuracy(capsys):
    """Every label, over every fixture line, is right (prints the per-label table with -s)."""
    total, right = Counter(), Counter()
    for name in CASES:
        got = _labels_by_line(transform(_raw(name), RULES))
        for line in _expected(name)["lines"]:
            total[line["label"]] += 1
            right[line["label"]] += got.get(line["n"], ("-",))[0] == line["label"]
    with capsys.disabled():
        print("\nper-label accuracy on cleaning fixtures:")
        for label in LABELS:
            if total[label]:
                print(f"  {label:<12} {right[label]:>3}/{total[label]:<3} {right[label] / total[label]:.3f}")
    assert right == total


# ----------------------------------------------------------------------------- mechanisms

ARTICLE = """Harbour authority approves new ferry terminal

By Sam Reed

The harbour authority on Monday approved plans for a new ferry terminal that will double the number of daily crossings to the islands.

{middle}

The terminal is due to open in 2026 and will be built on land reclaimed from the old coal wharf.

Officials said the project would create about 200 jobs during construction.

{tail}
"""


def _article(middle: str = "Construction will be phased over three years, the authority said.", tail: str = "") -> str:
    return ARTICLE.format(middle=middle, tail=tail)


@pytest.mark.parametrize(
    "line",
    [
        "Join our WhatsApp channel for the latest updates",
        "Sign up for our weekly briefing",
        "Download the Harbour Gazette app",
        "Follow us on Threads and Bluesky",
        "Click here to read the full report",
        "Become a member and get unlimited access",
        "Support quality journalism: donate today",
        "Share this story on Facebook",
        "Advertisement",
        "Sponsored content",
        "Story continues below advertisement",
        "Photo of the day",
        "Listen to this article",
        "7 min read",
        "Did you enjoy this article?",
        "Most viewed",
        "Read more: Ferry fares frozen for a year",
        "Also read: Islanders demand better winter timetable",
        "FERRY OPERATOR FINED OVER SAFETY BREACHES, REGULATOR SAYS",
        "Jan Kowalski (",
        "We and our partners use cookies to personalise content and ads.",
    ],
)
def test_boilerplate_families_inside_an_article(line):
    assert label_of(_article(middle=line), line) == "boilerplate"


@pytest.mark.parametrize(
    "line",
    [
        # long sentences that merely mention promo words stay body
        "The company said in its newsletter that subscriptions rose by a third last year, driven by the app.",
        "Cookies and other tracking tools are at the heart of a privacy case the regulator opened in March.",
        "Follow-up inspections found that the crews had been trained, the report said.",
        # reported speech using the words of calls-to-action and banners
        "Thousands of people rushed to sign up for the scheme, officials said.",
        "She had wanted to become a member of parliament since she was a teenager.",
        "Ministers will join the debate on Tuesday, the Speaker said.",
        "Users were told to download the government's Diia app before the deadline.",
        "He urged residents to make a donation to the food bank.",
        "\u201cSomething went wrong,\u201d the harbour master said.",
        "If you agree to the deal, the sanctions end, she said.",
        "The report may not be published until Monday, the inspector said.",
        "Copyright law has changed little since 1988, lawyers say.",
        "Users can unsubscribe at any time, the company said.",
        "By using force, you risk escalation, he warned.",
        "The bakery gives free cookies to children who visit with their parents, and you can ask.",
        # short sentences inside a run of body are rescued by their neighbours
        "Nobody was hurt.",
        "\u201cNever again,\u201d she said.",
    ],
)
def test_body_lines_survive(line):
    assert label_of(_article(middle=line), line) == "body"


def test_long_sentence_at_the_tail_is_not_dropped_for_its_position():
    tail = "Islanders have long argued that the ageing ferries are unreliable in winter, and they welcomed the decision on Monday."
    assert label_of(_article(tail=tail), tail) == "body"


def test_short_unpunctuated_lines_at_the_tail_are_furniture():
    tail = "Harbour Weekly\nEvery Friday in your inbox\nSee all newsletters"
    labels = label_text(_article(tail=tail))
    assert [lab for text, lab, _ in labels if text in tail.split("\n")] == ["boilerplate"] * 3


def test_title_byline_and_head():
    labels = dict((t, lab) for t, lab, _ in label_text(_article()))
    assert labels["Harbour authority approves new ferry terminal"] == "title"
    assert labels["By Sam Reed"] == "byline"


_LEDE_WITHOUT_HEADLINE_WORDS = (
    "Teachers on the outer skerries start their week before dawn, when the last boat of the evening "
    "drops them at quays that have no shelter.\n\n"
    "Since the timetable was cut last autumn, head teachers say, three schools have gone without a "
    "science teacher for whole terms.\n"
)


@pytest.mark.parametrize(
    "head, title",
    [
        # nothing shares words with the lede: the line right above the date is the headline, not
        # the tagline printed first
        ("Clear thinking, plain words\nWhy the night ferry matters to island schools\n"
         "Published: March 3, 2025\n\n", "Why the night ferry matters to island schools"),
        # ... but an outlet's name printed over its byline is no headline
        ("Why the night ferry matters to island schools\nThe Fjord Review\nBy Anna Petrova\n\n",
         "Why the night ferry matters to island schools"),
    ],
)
def test_on_a_tie_the_headline_is_the_line_above_the_byline_or_date(head: str, title: str) -> None:
    labels = dict((t, lab) for t, lab, _ in label_text(head + _LEDE_WITHOUT_HEADLINE_WORDS))
    assert labels[title] == "title"


def test_no_title_when_the_file_starts_with_prose():
    text = _article().split("\n", 4)[4]  # drop title and byline
    assert "title" not in {lab for _, lab, _ in label_text(text)}


def test_title_repeated_on_the_next_line_is_a_duplicate():
    text = "Harbour authority approves new ferry terminal\n" + _article()
    labels = [(lab, reason) for _, lab, reason in label_text(text)]
    assert labels[0][0] == "title"
    assert labels[1] == ("duplicate", "repeat of the title (line 0)")


def test_lede_repeated_with_other_dashes_quotes_and_spaces_is_a_duplicate():
    lede = "PORTSMOUTH \u2014 The harbour authority\u2019s board on Monday approved plans for a new ferry terminal."
    again = "PORTSMOUTH - The harbour  authority's board on Monday approved plans for a new ferry terminal."
    text = _article(middle=f"{lede}\n\n{again}")
    assert label_of(text, lede) == "body"
    assert label_of(text, again) == "duplicate"


def test_subheading_picked_up_by_next_paragraph_vs_bare_related_headline():
    middle = (
        "Crossings to double by 2026\n\n"
        "Crossings to the islands will double once the terminal opens in 2026, the authority said.\n\n"
        "Police name victim of motorway crash near Leeds\n\n"
        "Local businesses welcomed the decision."
    )
    text = _article(middle=middle)
    assert label_of(text, "Crossings to double by 2026") == "heading"
    assert label_of(text, "Police name victim of motorway crash near Leeds") == "boilerplate"


def test_caption_before_a_photo_credit_and_present_tense_caption():
    middle = (
        "Workers survey the old coal wharf in Portsmouth on Monday, March 4, 2024.\n"
        "(Harbour Gazette Photo/Jo Lin)\n\n"
        "The harbour master walks along the quay\n\n"
        "Construction will be phased over three years, the authority said."
    )
    text = _article(middle=middle)
    assert label_of(text, "Workers survey the old coal wharf in Portsmouth on Monday, March 4, 2024.") == "caption"
    assert label_of(text, "(Harbour Gazette Photo/Jo Lin)") == "credit"
    assert label_of(text, "The harbour master walks along the quay") == "caption"


def test_end_of_article_marker_removes_the_bio_after_it():
    tail = (
        "About the author\n\n"
        "Sam Reed has reported on shipping and ports for the Gazette since 2015 and previously worked in Rotterdam."
    )
    labels = label_text(_article(tail=tail))
    assert labels[-1][1] == "boilerplate"
    assert "end-of-article" in labels[-1][2]


def test_end_marker_does_not_cut_an_article_that_goes_on():
    middle = (
        "Related coverage\n\nIslanders demand better winter timetable\n\n"
        "The authority said the new terminal would have room for two ferries at once, ending long queues in summer."
    )
    text = _article(middle=middle)
    assert label_of(text, "Officials said the project would create about 200 jobs during construction.") == "body"


def test_every_segment_gets_a_label_and_a_reason():
    for name in CASES:
        for ls in transform(_raw(name), RULES).segments:
            assert ls.label in LABELS
            assert ls.reason


def test_user_rules_extend_the_lexicon(tmp_path):
    line = "Psst: the crossword is back every Saturday in print and online, with a prize for the first entry."
    assert label_of(_article(middle=line), line) == "body"
    user = tmp_path / "my_rules.toml"
    user.write_text(
        "[cleaning.families.call_to_action]\npatterns = ['^psst\\b']\n", encoding="utf-8"
    )
    rules = load_rules(user)
    assert rules.version != RULES.version
    labels = label_text(_article(middle=line), rules)
    assert [(lab, reason) for text, lab, reason in labels if text == line] == [
        ("boilerplate", "call-to-action: 'Psst'")
    ]


def test_segments_built_by_hand():
    segs = (
        Segment(0, 0, 0, "Harbour authority approves new ferry terminal"),
        Segment(1, 2, 2, "The harbour authority on Monday approved plans for a new ferry terminal."),
    )
    out = classify(segs, RULES)
    assert [ls.label for ls in out] == ["title", "body"]
    assert out[1].segment is segs[1]


def test_empty_input():
    assert classify((), RULES) == ()


@pytest.mark.parametrize(
    "text",
    [
        "A paragraph of text that goes on.\n" * 40_000,  # looks hard-wrapped: one huge paragraph
        "Tags: harbour\n" * 20_000,  # thousands of end-of-article markers
        "\n\n".join(f"The harbour authority said on Monday that the terminal {i} would open." for i in range(8_000)),
        "word " * 200_000,  # one enormous line
        "\n\n".join(f"\u201cWe will rebuild the harbour wall number {i},\u201d she said." for i in range(8_000)),
    ],
    ids=["wrapped-identical", "markers", "shared-prefix", "one-line", "quotes"],
)
def test_degenerate_inputs_stay_fast(text):
    """Nightly input is not always sane: nothing in cleaning may be quadratic in the file."""
    import time

    started = time.process_time()
    article = transform(RawDocument("x.txt", "0" * 64, len(text), 0, "utf-8", text), RULES)
    assert time.process_time() - started < 20
    assert all(ls.label in LABELS for ls in article.segments)


def test_title_is_the_head_line_sharing_words_with_the_lede():
    text = "Home\nBusiness and Economy\nWorld Politics Today\n\n" + _article()
    labels = dict((t, lab) for t, lab, _ in label_text(text))
    assert labels["Harbour authority approves new ferry terminal"] == "title"
    assert labels["Business and Economy"] == labels["World Politics Today"] == "boilerplate"


def test_question_title_and_byline_with_date():
    text = (
        "Will the ferry run this winter?\n\nBy Sam Reed | 4 March 2024\n\n"
        "The harbour authority on Monday approved plans for a new ferry terminal that will double crossings.\n\n"
        "Officials said the project would create about 200 jobs during construction.\n"
    )
    labels = [(lab, reason) for _, lab, reason in label_text(text)]
    assert labels[0][0] == "title"
    assert labels[1] == ("byline", "byline with date")


def test_pull_quote_repeating_a_paragraph_is_a_duplicate():
    middle = (
        "Construction will be phased over three years, the authority said, and the old quay will stay open.\n\n"
        "\u201cthe old quay will stay open\u201d\n\n"
        "\u201cWe had to act fast,\u201d the harbour master said."
    )
    text = _article(middle=middle)
    assert label_of(text, "\u201cthe old quay will stay open\u201d") == "duplicate"
    assert label_of(text, "\u201cWe had to act fast,\u201d the harbour master said.") == "body"


def test_an_article_written_wholly_in_capitals_keeps_its_prose():
    """Only where the prose is mixed case is an ALL-CAPS sentence a headline or a label."""
    text = (
        "FERRY FARES TO RISE IN SPRING\n\n"
        "THE HARBOUR BOARD SAID ON MONDAY THAT FARES ON THE ISLAND ROUTES WILL RISE BY A TENTH IN APRIL.\n\n"
        "WHO WILL PAY THE MOST? COMMUTERS WITH SEASON TICKETS, THE BOARD SAID IN A STATEMENT.\n\n"
        "THE CHANGE STILL NEEDS THE APPROVAL OF THE COUNTY COUNCIL, WHICH MEETS NEXT WEEK.\n"
    )
    assert label_of(text, "THE CHANGE STILL NEEDS THE APPROVAL OF THE COUNTY COUNCIL, WHICH MEETS NEXT WEEK.") == "body"
    assert label_of(text, "WHO WILL PAY THE MOST? COMMUTERS WITH SEASON TICKETS, THE BOARD SAID IN A STATEMENT.") == "body"
