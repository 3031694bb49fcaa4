"""Problems found in a contract, and the error that lists all of them at once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One wrong setting: where (as the user writes it), the value, what is wrong, and what to set instead.

    ``value`` is shown with ``repr``; secrets are :class:`~mimirkafka.contract.model.SecretValue`
    (masked repr) or already replaced by ``"***"`` by the rule, so a Problem never prints a secret.
    """

    setting: str
    value: object
    message: str
    fix: str

    def __str__(self) -> str:
        return f"{self.setting}={self.value!r}: {self.message}. Fix: {self.fix}"


def unique(problems: Iterable[Problem]) -> list[Problem]:
    """``problems`` without repeats (two checks may find the same thing), in their first order."""
    return list({str(p): p for p in problems}.values())


class ContractError(ValueError):
    """Raised before any resource exists; lists every problem of the contract, one per line."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        lines = [f"the ingest-storage contract has {len(self.problems)} problem(s):"]
        lines += [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))

    def settings(self) -> list[str]:
        """The names of the offending settings, in order (handy in tests and doctor output)."""
        return [p.setting for p in self.problems]
