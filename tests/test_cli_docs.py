"""Every CLI command is documented: named in README.md or docs/*.md, and its --help shows an example."""

from __future__ import annotations

from collections.abc import Iterator

import click
import pytest
from click.testing import CliRunner

from etl.cli import cli
from tests.conftest import REPO


def commands(group: click.Group = cli, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every command path, e.g. ("run",), ("db",), ("db", "upgrade")."""
    for name, command in sorted(group.commands.items()):
        path = (*prefix, name)
        yield path
        if isinstance(command, click.Group):
            yield from commands(command, path)


def documentation() -> str:
    texts = [(REPO / "README.md").read_text(encoding="utf-8")]
    texts += [p.read_text(encoding="utf-8") for p in sorted((REPO / "docs").glob("*.md"))]
    return "\n".join(texts)


COMMANDS = list(commands())


def test_the_commands_are_found() -> None:
    assert {("run",), ("stats",), ("export",), ("db", "upgrade")} <= set(COMMANDS)


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_command_is_named_in_the_docs(path: tuple[str, ...]) -> None:
    assert f"etl {' '.join(path)}" in documentation(), (
        f"`etl {' '.join(path)}` is not mentioned in README.md or docs/*.md: document it"
    )


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_command_help_has_an_example(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output, f"etl {' '.join(path)} --help shows no example"
    assert f"etl {' '.join(path)}" in result.output.split("Example", 1)[1]
