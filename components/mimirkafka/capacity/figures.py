"""A number with its provenance: every figure the planner prints says which rule produced it, from which
source, and whether that source is a hard limit, a published rule of thumb, a shipped default, a
measurement here, a derivation, or the user's own input."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Kind(str, Enum):
    HARD = "hard limit"
    RULE_OF_THUMB = "rule of thumb"
    DEFAULT = "default"
    MEASURED = "measured"
    DERIVED = "derived"
    INPUT = "input"


@dataclass(frozen=True)
class Figure:
    value: float
    unit: str
    rule: str
    source: str
    kind: Kind

    def as_dict(self) -> dict[str, object]:
        return {
            "value": self.value,
            "unit": self.unit,
            "rule": self.rule,
            "source": self.source,
            "kind": self.kind.value,
        }


@dataclass(frozen=True)
class Constraint:
    """One limit the plan (or a stack) is held to: ``value`` must stay at or below ``limit``.

    ``hard`` constraints make a plan infeasible when exceeded (a quota, a broker refusing records); the
    others are published rules of thumb whose excess degrades performance or safety margins.
    """

    name: str
    value: float
    limit: float
    unit: str
    rule: str
    source: str
    kind: Kind
    #: The planner chose ``limit`` to meet this constraint, so it holds by construction and does not count
    #: when asking what binds first (``--check`` holds a stack's own numbers to it and counts it).
    planned: bool = False
    #: False for configuration rules (min ISR, broker spread) that are not a capacity someone grows into;
    #: they are checked and shown, but never "bind first".
    sizing: bool = True

    @property
    def utilisation(self) -> float:
        if self.limit <= 0:
            return float("inf") if self.value > 0 else 0.0
        return self.value / self.limit

    @property
    def ok(self) -> bool:
        return self.value <= self.limit

    @property
    def hard(self) -> bool:
        return self.kind is Kind.HARD

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "value": round(self.value, 3),
            "limit": round(self.limit, 3),
            "unit": self.unit,
            "utilisation": round(self.utilisation, 3) if self.limit > 0 else None,
            "ok": self.ok,
            "planned": self.planned,
            "sizing": self.sizing,
            "rule": self.rule,
            "source": self.source,
            "kind": self.kind.value,
        }
