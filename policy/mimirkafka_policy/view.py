"""A plain view of a resource as the policy engine hands it over, and the helpers rules share.

Property values are plain Python (dicts, lists, str, numbers) with two markers:

* :class:`Secret` wraps a value the program marked as a Pulumi secret (the engine sends secrets to
  analyzers with their marker; pulumi-policy 1.21 drops the marker in ``Analyze``, so
  :mod:`mimirkafka_policy.pack` deserializes the properties itself);
* an *unknown* value (not computed yet during a preview) is pulumi-policy's sentinel string; rules test
  it with :func:`is_unknown` and skip what they cannot judge yet instead of guessing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# pulumi-policy 1.21.0 ``proxy.py``: the strings the engine's unknown values deserialize to.
UNKNOWN_SENTINELS = frozenset(
    {
        "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",  # bool
        "3eeb2bf0-c639-47a8-9e75-3b44932eb421",  # number
        "04da6b54-80e4-46f7-96ec-b56ff0331ba9",  # string
        "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",  # array
        "030794c1-ac77-496b-92df-f27374a8bd58",  # asset
        "e48ece36-62e2-4504-bad9-02848725956a",  # archive
        "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",  # object
    }
)


@dataclass(frozen=True)
class Secret:
    """A value the program gave as a Pulumi secret (encrypted in state, masked in output)."""

    value: Any = field(repr=False)

    def __repr__(self) -> str:
        return "Secret(***)"


def is_unknown(value: Any) -> bool:
    return isinstance(value, str) and value in UNKNOWN_SENTINELS


def reveal(value: Any) -> Any:
    """The value without its secret marker (rules compare sizes and names, never print secrets)."""
    while isinstance(value, Secret):
        value = value.value
    return value


def contains_unknown(value: Any) -> bool:
    value = reveal(value)
    if is_unknown(value):
        return True
    if isinstance(value, Mapping):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(contains_unknown(v) for v in value)
    return False


def get(props: Any, path: str, default: Any = None) -> Any:
    """``props["a"]["b"][0]`` for ``"a.b.0"``; ``default`` where a part is missing (secrets see-through)."""
    value: Any = props
    for part in path.split("."):
        value = reveal(value)
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return default
    return value


def as_int(value: Any) -> int | None:
    """An integer from a number or a numeric string (providers take configs as strings); else None."""
    value = reveal(value)
    if isinstance(value, bool) or value is None or is_unknown(value):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def parse_properties(text: str) -> dict[str, str]:
    """``key=value`` lines (Kafka's server.properties, MSK ``serverProperties``); comments skipped."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", "!")) or "=" not in line:
            continue
        key, value = line.split("=", 1)
        out[key.strip()] = value.strip()
    return out


def config_map(value: Any) -> dict[str, Any] | None:
    """A topic's configs given as a mapping, a JSON object text or ``key=value`` lines; None if unknown."""
    value = reveal(value)
    if value is None:
        return {}
    if is_unknown(value):
        return None
    if isinstance(value, Mapping):
        return {str(k): reveal(v) for k, v in value.items()}
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return parse_properties(value)
        if isinstance(parsed, Mapping):
            return {str(k): v for k, v in parsed.items()}
    return {}


@dataclass(frozen=True)
class Res:
    """One resource: type token, properties (inputs during a preview), URN, name and options."""

    type: str
    props: Mapping[str, Any]
    urn: str = ""
    name: str = ""
    protect: bool = False
    #: URNs of the resources each property depends on (stack rules follow them, e.g. secretArnLists).
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    dependencies: tuple[str, ...] = ()
    parent: str = ""
    #: Inputs of the resource's provider (e.g. pulumi-kafka's ``bootstrapServers``), if known.
    provider_props: Mapping[str, Any] = field(default_factory=dict)

    @property
    def stack(self) -> str:
        """The stack name, from ``urn:pulumi:<stack>::<project>::<type>::<name>`` ('' if no URN)."""
        if not self.urn.startswith("urn:pulumi:"):
            return ""
        return self.urn[len("urn:pulumi:") :].split("::", 1)[0]

    def label(self) -> str:
        return f"{self.type} {self.name!r}" if self.name else self.type


@dataclass(frozen=True)
class Violation:
    """What is wrong and how to fix it; ``urn`` points the engine's report at the resource."""

    message: str
    fix: str
    urn: str = ""

    def __str__(self) -> str:
        return f"{self.message}. Fix: {self.fix}"
