"""Rules that grow (patterns, lexicons, thresholds) live as data: the TOML files in this folder.

Each ``<name>.toml`` file becomes one namespace, ``rules["<name>"]``.  A user file given with
``etl run --rules my_rules.toml`` is merged on top: tables merge key by key, lists are *extended*
(so a user adds patterns without repeating ours) and scalars are replaced.  To replace a list
instead of extending it, give it under a ``replace`` table, e.g. ``[cleaning.replace]``.

The merged data is hashed into :attr:`Rules.version`; articles are stamped with it so that a change
of rules makes the next run re-clean the articles made by the old ones.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from etl import ALGORITHM_VERSION


class RulesError(ValueError):
    """A rules file cannot be read or has the wrong shape."""


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_thaw(v) for v in value]
    return value


def merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``extra`` into a copy of ``base``: tables recursively, lists extended, scalars replaced."""
    out = dict(base)
    replace = extra.get("replace", {})
    for key, value in extra.items():
        if key == "replace":
            continue
        old = out.get(key)
        if isinstance(old, dict) and isinstance(value, Mapping):
            out[key] = merge(old, value)
        elif isinstance(old, list) and isinstance(value, list):
            out[key] = old + [v for v in value if v not in old]
        else:
            out[key] = value
    for key, value in replace.items():
        out[key] = value
    return out


@dataclass(frozen=True)
class Rules:
    """The immutable, merged rule data.  Hashable, so compiled forms can be cached per instance."""

    data: Mapping[str, Any]
    version: str
    sources: tuple[str, ...] = field(default=())

    def __getitem__(self, namespace: str) -> Mapping[str, Any]:
        return self.data.get(namespace, MappingProxyType({}))

    def __hash__(self) -> int:
        return hash(self.version)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Rules) and other.version == self.version

    def to_dict(self) -> dict[str, Any]:
        return _thaw(self.data)


def _read_toml(path: Path | Any, label: str) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesError(f"cannot read rules file {label}: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"rules file {label} is not valid TOML: {exc}") from exc


def builtin_data() -> dict[str, Any]:
    data: dict[str, Any] = {}
    for entry in sorted(resources.files(__name__).iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".toml"):
            data[entry.name[: -len(".toml")]] = _read_toml(entry, entry.name)
    return data


def load_rules(user_file: str | Path | None = None) -> Rules:
    """The built-in rules, with ``user_file`` merged on top when given."""
    data = builtin_data()
    sources = ["builtin"]
    if user_file is not None:
        path = Path(user_file)
        extra = _read_toml(path, str(path))
        for namespace, table in extra.items():
            if not isinstance(table, dict):
                raise RulesError(
                    f"rules file {path}: top-level key {namespace!r} must be a table such as "
                    f"[{namespace}], one of: {', '.join(sorted(data))}"
                )
            data[namespace] = merge(data.get(namespace, {}), table)
        sources.append(str(path))
    _check(data)
    digest = hashlib.sha256(
        json.dumps([ALGORITHM_VERSION, data], sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()[:12]
    return Rules(data=_freeze(data), version=f"{ALGORITHM_VERSION}-{digest}", sources=tuple(sources))


def _check(data: Mapping[str, Any]) -> None:
    """Settings whose bad values would not fail by themselves but quietly do harm."""
    memory = data.get("cleaning", {}).get("memory", {})
    if int(memory.get("min_other_articles", 3)) < 1:
        # with 0, every line (even one found in no other article) would be recurring boilerplate;
        # the database's indexes of recurring lines (migration 0007) also rely on it being >= 1
        raise RulesError("[cleaning.memory] min_other_articles must be at least 1")


@cache
def default_rules() -> Rules:
    """The built-in rules, loaded once per process."""
    return load_rules(None)
