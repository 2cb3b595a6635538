"""Corpus memory: fingerprints, the recurrence rule on OTHER articles, and its use by classify."""

from __future__ import annotations

from etl.rules import load_rules
from etl.transform.classify import classify
from etl.transform.memory import CorpusMemory, fingerprint, is_recurring
from etl.transform.segment import segment

RULES = load_rules()

ARTICLE = """Harbour authority approves new ferry terminal

The harbour authority on Monday approved plans for a new ferry terminal that will double the number of daily crossings to the islands.

The terminal is due to open in 2026 and will be built on land reclaimed from the old coal wharf.

Officials said the project would create about 200 jobs during construction.

Harbour Gazette Evening Edition

Gazette Extra
"""


def labels(text: str, memory: CorpusMemory | None, outlet: str | None = None) -> dict[str, tuple[str, str]]:
    return {ls.segment.text: (ls.label, ls.reason) for ls in classify(segment(text, RULES), RULES, memory, outlet)}


def test_fingerprint_ignores_case_digits_punctuation_and_spacing():
    assert fingerprint("Daily at 9am EST") == fingerprint("daily at 10AM  est.")
    assert fingerprint("Rail fares won\u2019t rise \u2014 yet") == fingerprint("Rail fares won't rise - yet")
    assert fingerprint("Daily at 9am EST") != fingerprint("Weekly at 9am EST")
    assert len(fingerprint("Daily at 9am EST")) == 16
    assert fingerprint("3 / 4") == ""  # no letters to speak of


def test_rule_counts_other_articles():
    assert not is_recurring(2, False, RULES)
    assert is_recurring(3, False, RULES)
    # sentence-like lines need many articles AND a large share of them (syndicated copy recurs)
    assert not is_recurring(50, True, RULES)  # total unknown
    assert not is_recurring(12, True, RULES, total_other_articles=1000)
    assert is_recurring(12, True, RULES, total_other_articles=20)


def test_counts_as_stored_include_self_and_threshold_says_so():
    fp = fingerprint("Gazette Extra")
    memory = CorpusMemory.from_counts({fp: 4}, total_articles=10)
    assert memory.others(fp) == (3, 9)
    assert CorpusMemory.threshold(RULES) == 4
    assert memory.verdict(fp, False, RULES) == 3
    assert CorpusMemory.from_counts({fp: 3}).verdict(fp, False, RULES) is None


def test_per_outlet_counts_are_a_second_scope():
    fp = fingerprint("Gazette Extra")
    memory = CorpusMemory.from_counts(
        {fp: 2}, total_articles=100, outlet_counts={"Harbour Gazette": {fp: 9}}, outlet_totals={"Harbour Gazette": 9}
    )
    assert memory.others(fp) == (1, 99)
    assert memory.others(fp, "Harbour Gazette") == (8, 8)
    assert memory.others(fp, "Other Paper") == (0, 0)  # an outlet the memory has no counts for
    assert memory.verdict(fp, True, RULES, "Harbour Gazette") is None  # 8 others: fewer than 10
    assert CorpusMemory.outlet_threshold(RULES) == 11


#: An outlet's furniture sentence no rule knows: in every one of its articles, in a small share of the corpus.
SELF_DESCRIPTION = "Our island desk files these reports each weekday from the quay, the ferries and the markets."


def outlet_memory(in_outlet: int, outlet_total: int, corpus_total: int = 400) -> CorpusMemory:
    fp = fingerprint(SELF_DESCRIPTION)
    return CorpusMemory.from_counts(
        {fp: in_outlet},
        total_articles=corpus_total,
        outlet_counts={"Harbour Gazette": {fp: in_outlet}},
        outlet_totals={"Harbour Gazette": outlet_total},
    )


def test_an_outlets_furniture_sentence_is_learnt_within_the_outlet():
    text = ARTICLE.replace("Gazette Extra\n", SELF_DESCRIPTION + "\n")
    memory = outlet_memory(in_outlet=30, outlet_total=30)
    # 29 of 399 others in the corpus: under the share a sentence needs there
    assert labels(text, memory)[SELF_DESCRIPTION][0] == "body"
    assert labels(text, memory, "Harbour Gazette")[SELF_DESCRIPTION] == (
        "boilerplate", "seen in 29 other articles of Harbour Gazette"
    )
    # another outlet's article with the same sentence (a quote of it) is judged by its own outlet
    assert labels(text, memory, "Island Times")[SELF_DESCRIPTION][0] == "body"


def test_within_the_outlet_a_sentence_still_needs_many_articles_and_a_share():
    text = ARTICLE.replace("Gazette Extra\n", SELF_DESCRIPTION + "\n")
    assert labels(text, outlet_memory(10, 10), "Harbour Gazette")[SELF_DESCRIPTION][0] == "body"  # 9 others
    assert labels(text, outlet_memory(11, 11), "Harbour Gazette")[SELF_DESCRIPTION][0] == "boilerplate"
    # syndicated copy: 20 of the outlet's 300 articles
    assert labels(text, outlet_memory(20, 300), "Harbour Gazette")[SELF_DESCRIPTION][0] == "body"


def test_within_the_outlet_copies_of_one_story_keep_their_lines():
    """The lede guard holds in the outlet's scope too: the story recurs there, not the line."""
    lede = ARTICLE.split("\n\n")[1]
    text = ARTICLE.replace("Gazette Extra\n", SELF_DESCRIPTION + "\n")
    memory = outlet_memory(30, 30)
    copies = CorpusMemory.from_counts(
        memory.counts, memory.total_articles,
        {"Harbour Gazette": {**memory.outlet_counts["Harbour Gazette"], fingerprint(lede): 30}},
        memory.outlet_totals,
    )
    assert labels(text, copies, "Harbour Gazette")[SELF_DESCRIPTION][0] == "body"


def test_empty_memory_is_falsy_and_changes_nothing():
    assert not CorpusMemory()
    assert labels(ARTICLE, CorpusMemory()) == labels(ARTICLE, None)


def test_classify_removes_a_recurring_line_no_rule_knows():
    line = "The terminal is due to open in 2026 and will be built on land reclaimed from the old coal wharf."
    counts = {fingerprint("Harbour Gazette Evening Edition"): 12, fingerprint(line): 12}
    got = labels(ARTICLE.replace("Gazette Extra\n", ""), CorpusMemory.from_counts(counts, total_articles=500))
    assert got["Harbour Gazette Evening Edition"] == ("boilerplate", "seen in 11 other articles")
    # the same sentence in 12 of 500 articles is syndicated copy, not furniture
    assert got[line][0] == "body"


def test_recurring_line_inside_the_article_is_removed_too():
    text = ARTICLE.replace(
        "Officials said", "Gazette Extra\n\nOfficials said"
    )
    memory = CorpusMemory.from_counts({fingerprint("Gazette Extra"): 7})
    assert labels(text, memory)["Gazette Extra"] == ("boilerplate", "seen in 6 other articles")


def test_copies_of_one_story_keep_their_lines():
    """When the lede recurs as often as a line, the story recurs, not the line: keep it."""
    lede = "The harbour authority on Monday approved plans for a new ferry terminal that will double the number of daily crossings to the islands."
    title = "Harbour authority approves new ferry terminal"
    counts = {fingerprint(lede): 5, fingerprint(title): 5, fingerprint("Gazette Extra"): 40}
    got = labels(ARTICLE, CorpusMemory.from_counts(counts, total_articles=60))
    assert got[title][0] == "title"
    assert got["Gazette Extra"] == ("boilerplate", "seen in 39 other articles")


def test_structural_labels_are_not_overridden_by_memory():
    text = "By Sam Reed\n\n" + ARTICLE
    memory = CorpusMemory.from_counts({fingerprint("By Sam Reed"): 300})
    assert labels(text, memory)["By Sam Reed"][0] == "byline"


def test_transform_fingerprints_feed_the_memory_classify_reads():
    """Counting Article.fingerprints the way the loader does makes the shared line recur."""
    from collections import Counter

    from etl.records import RawDocument
    from etl.transform import transform

    def raw(i: int, text: str) -> RawDocument:
        return RawDocument(f"a{i}.txt", f"{i:064d}", len(text), 0, "utf-8", text)

    furniture = "Harbour Gazette \u2014 Evening Edition"
    stories = [
        ARTICLE.replace("ferry terminal", f"{kind} terminal").replace("Harbour Gazette Evening Edition", furniture)
        for kind in ("cargo", "cruise", "fishing", "container", "coach")
    ]
    counts: Counter[str] = Counter()
    for i, text in enumerate(stories[:4]):
        counts.update({fp for fp in transform(raw(i, text), RULES).fingerprints if fp})
    memory = CorpusMemory.from_counts(counts, total_articles=4)
    article = transform(raw(9, stories[4]), RULES, memory)
    verdicts = {ls.segment.text: (ls.label, ls.reason) for ls in article.segments}
    assert verdicts[furniture] == ("boilerplate", "seen in 3 other articles")
    assert len(article.fingerprints) == len(article.segments)


def test_a_line_naming_the_outlet_is_not_judged_within_it():
    """A wire lede names the agency that detect_outlet then assigns the article to: within that
    outlet the lede is in a large share of the articles by construction.  Only the corpus judges it."""
    wire = ("HARBOURTON (Harbour Gazette) - The harbour authority approved plans on Monday for a new "
            "ferry terminal on the old coal wharf.")
    text = ARTICLE.replace("Gazette Extra\n", wire + "\n")
    fp = fingerprint(wire)
    memory = CorpusMemory.from_counts(
        {fp: 30}, total_articles=400, outlet_counts={"Harbour Gazette": {fp: 30}},
        outlet_totals={"Harbour Gazette": 40},
    )
    assert labels(text, memory, "Harbour Gazette")[wire][0] == "body"
    furniture = wire.replace("(Harbour Gazette)", "(our desk)")
    memory = CorpusMemory.from_counts(
        {fingerprint(furniture): 30}, total_articles=400,
        outlet_counts={"Harbour Gazette": {fingerprint(furniture): 30}}, outlet_totals={"Harbour Gazette": 40},
    )
    assert labels(ARTICLE.replace("Gazette Extra\n", furniture + "\n"), memory, "Harbour Gazette")[furniture][0] == (
        "boilerplate"
    )


def test_the_outlet_snapshot_holds_only_lines_that_can_be_recurring_there():
    matters = CorpusMemory.matters_in_outlet
    assert matters(11, 11, RULES)  # 10 others of 10
    assert not matters(10, 10, RULES)  # 9 others: too few for a sentence
    assert not matters(11, 100, RULES)  # 10 of 99 others: under the share
    assert matters(31, 101, RULES)  # 30 of 100
    assert not matters(30, 101, RULES)
    assert not matters(11, 0, RULES)  # no live article of the outlet left


def test_outlet_snapshot_keeps_the_lines_that_matter_per_outlet():
    from etl.transform.memory import outlet_snapshot

    rows = [("Gazette", "a", 11), ("Gazette", "b", 11), ("Times", "a", 11)]
    assert outlet_snapshot(rows, {"Gazette": 11, "Times": 100}, RULES) == {"Gazette": {"a": 11, "b": 11}}
