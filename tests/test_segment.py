"""Segmenting repaired text: blank-line blocks, one paragraph per line, hard-wrapped paragraphs."""

from __future__ import annotations

import textwrap

from etl.rules import load_rules
from etl.transform.segment import segment, wrap_width

RULES = load_rules()

PARAS = [
    "The city council voted seven to two on Monday night to approve a network of protected cycle "
    "lanes along the High Street, ending a consultation that drew thousands of responses.",
    "Supporters said the scheme would make the town centre safer for children cycling to school, "
    "while several shop owners warned that the loss of parking would drive customers away.",
    "Work is expected to begin in the spring and to take about eight months, the council said, "
    "with a temporary one-way system on Market Lane while the northern section is built.",
]


def spans(text: str) -> list[tuple[int, int, str]]:
    return [(s.line_start, s.line_end, s.text) for s in segment(text, RULES)]


def test_blank_line_blocks_keep_raw_line_numbers():
    text = "Title here\n\nFirst paragraph.\n\n\nSecond paragraph.\n"
    assert spans(text) == [(0, 0, "Title here"), (2, 2, "First paragraph."), (5, 5, "Second paragraph.")]
    assert [s.index for s in segment(text, RULES)] == [0, 1, 2]


def test_one_paragraph_per_line_is_never_joined():
    text = "\n".join(PARAS)
    assert spans(text) == [(i, i, p) for i, p in enumerate(PARAS)]


def test_hard_wrapped_paragraphs_are_joined_with_single_spaces():
    text = "\n\n".join(textwrap.fill(p, 70) for p in PARAS)
    got = spans(text)
    assert [t for _, _, t in got] == PARAS
    assert got[0][0] == 0 and got[0][1] > 0
    assert got[1][0] == got[0][1] + 2  # raw numbering counts the blank line


def test_hard_wrapped_paragraphs_without_blank_lines_split_where_the_line_is_short():
    text = "\n".join(textwrap.fill(p, 64) for p in PARAS)
    assert [t for _, _, t in spans(text)] == PARAS


def test_indented_first_lines_start_paragraphs():
    text = "\n".join(textwrap.fill(p, 66, initial_indent="    ") for p in PARAS)
    assert [t for _, _, t in spans(text)] == PARAS


def test_separate_items_are_not_joined_in_wrapped_text():
    head = "By:\nReuters\nUpdated: May 19, 2023, 17:52 UTC\n\n"
    caption = (
        "Officials walk along the harbour wall during an inspection visit on the\n"
        "(Gazette Photo/Jo Lin)\n\n"
    )
    text = head + caption + "\n\n".join(textwrap.fill(p, 72) for p in PARAS)
    got = [t for _, _, t in spans(text)]
    assert got[:4] == [
        "By:",
        "Reuters",
        "Updated: May 19, 2023, 17:52 UTC",
        "Officials walk along the harbour wall during an inspection visit on the",
    ]
    assert got[4] == "(Gazette Photo/Jo Lin)"
    assert got[5:] == PARAS


def test_short_furniture_lines_stay_apart():
    text = "Ukraine Weekly\nFresh daily newsletter covering the top headlines\nDaily at 9am EST\nShow more news"
    assert len(spans(text)) == 4


def test_hyphenated_line_end_joins_without_space():
    para = PARAS[0].replace("protected", "well-protected").replace("ending", "ending a long-running")
    for width in range(50, 80):
        lines = textwrap.wrap(para, width)
        if any(line.endswith("-") for line in lines[:-1]):
            break
    else:  # pragma: no cover
        raise AssertionError("no width breaks at a hyphen")
    text = "\n".join(lines) + "\n\n" + "\n\n".join(textwrap.fill(p, width) for p in PARAS[1:])
    assert spans(text)[0][2] == para


def test_blank_and_whitespace_only_lines_are_skipped():
    assert spans("  \n\t\nOnly line  \n \n") == [(2, 2, "Only line")]
    assert spans("") == []


def test_wrap_width_needs_regular_lengths():
    assert wrap_width([70, 68, 71, 69, 40, 72, 66], 120, 30, 16) == 72
    assert wrap_width([300, 250, 410, 90], 120, 30, 16) is None


def test_an_overfull_line_between_wrapped_paragraphs_is_its_own_segment():
    """A wrapper never writes a line longer than its width when it could have broken it: such a
    line (an ad slotted in) is neither joined to the paragraph above nor to the one below."""
    slot = "Sponsored: compare smart meters from leading suppliers and save on installation costs today"
    wrapped = [textwrap.wrap(p, 70) for p in PARAS]
    text = "\n".join(wrapped[0] + [slot] + wrapped[1] + [""] + wrapped[2]) + "\n"
    got = spans(text)
    assert [t for _, _, t in got] == [PARAS[0], slot, PARAS[1], PARAS[2]]
    assert got[1][:2] == (len(wrapped[0]), len(wrapped[0]))


def test_an_unbreakable_word_longer_than_the_width_still_joins():
    url = "https://example.org/" + "a" * 80
    lines = textwrap.wrap(PARAS[0], 70) + [url]
    text = "\n".join(lines + [""] + textwrap.wrap(PARAS[1], 70) + [""] + textwrap.wrap(PARAS[2], 70)) + "\n"
    assert spans(text)[0][2] == PARAS[0] + " " + url
