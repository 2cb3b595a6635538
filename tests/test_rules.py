"""The rules loader: built-in TOML namespaces, user files merged on top, a version that tracks them."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.rules import RulesError, load_rules, merge


@pytest.mark.parametrize(
    ("base", "extra", "expected"),
    [
        ({"a": [1, 2]}, {"a": [2, 3]}, {"a": [1, 2, 3]}),  # lists are extended, without repeats
        ({"a": 1, "b": 2}, {"a": 5}, {"a": 5, "b": 2}),  # scalars are replaced
        ({"t": {"x": [1], "y": 1}}, {"t": {"x": [2]}}, {"t": {"x": [1, 2], "y": 1}}),  # tables merge
        ({"a": [1, 2]}, {"replace": {"a": [9]}}, {"a": [9]}),  # replace swaps a whole list
    ],
)
def test_merge(base: dict, extra: dict, expected: dict) -> None:
    assert merge(base, extra) == expected


def test_builtin_namespaces_load() -> None:
    rules = load_rules()
    for namespace in ("cleaning", "people", "dates", "credits", "outlets"):
        assert rules[namespace], f"{namespace}.toml is missing or empty"
    assert rules["nonexistent"] == {}


def test_user_file_extends_and_changes_the_version(tmp_path: Path) -> None:
    user = tmp_path / "mine.toml"
    user.write_text('[people]\norganisations = ["Acme Holdings"]\n', encoding="utf-8")
    builtin, custom = load_rules(), load_rules(user)
    assert "Acme Holdings" in custom["people"]["organisations"]
    assert set(builtin["people"]["organisations"]) < set(custom["people"]["organisations"])
    assert custom.version != builtin.version
    assert load_rules(user).version == custom.version  # stable for the same data
    assert hash(custom) == hash(load_rules(user))


def test_user_rules_change_the_cleaning(tmp_path: Path) -> None:
    from etl.transform import clean_text

    text = "Officials met on Monday to discuss the plan for the new bridge.\n\nZorblax quarterly digest\n"
    user = tmp_path / "mine.toml"
    user.write_text("[cleaning.families.promo]\npatterns = ['\\bzorblax quarterly\\b']\n", encoding="utf-8")
    _, labeled, _ = clean_text(text, load_rules(user))
    verdict = {ls.segment.text: (ls.label, ls.reason) for ls in labeled}
    assert verdict["Zorblax quarterly digest"][0] == "boilerplate"
    assert "promotion" in verdict["Zorblax quarterly digest"][1]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("this is = = not toml", "not valid TOML"),
        ('organisations = ["x"]\n', "must be a table"),
        ("[cleaning.memory]\nmin_other_articles = 0\n", "min_other_articles must be at least 1"),
    ],
)
def test_bad_user_file_is_a_clear_error(tmp_path: Path, content: str, message: str) -> None:
    user = tmp_path / "bad.toml"
    user.write_text(content, encoding="utf-8")
    with pytest.raises(RulesError, match=message):
        load_rules(user)
