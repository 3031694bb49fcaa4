"""The one door from the Kafka components into the contract: validate, check flavor, derive.

Components never re-derive limits, ACLs or configs themselves; they call :func:`requirements_for`,
which runs the contract's ``validate`` (raising ``ContractError`` before any resource exists) and
returns ``kafka_requirements(contract)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from mimirkafka.contract import kafka_requirements, validate
from mimirkafka.contract.errors import ContractError, Problem, unique
from mimirkafka.contract.model import (
    IngestStorageContract,
    KafkaFlavor,
    SaslMechanism,
    ScramAuth,
    SecretValue,
)

T = TypeVar("T")


def major_minor(kafka_version: str) -> str:
    """``"4.1"`` for ``"4.1.0"`` (or ``"4.1"``): the key of the version tables (MSK, Strimzi, images)."""
    return ".".join(kafka_version.split(".")[:2])


def requirements_for(contract: IngestStorageContract, component: str, flavors: Iterable[KafkaFlavor]) -> Any:
    """Validates ``contract`` for ``component`` and returns its ``KafkaRequirements``."""
    allowed = tuple(flavors)
    if contract.flavor not in allowed:
        raise ContractError(
            [
                Problem(
                    "flavor",
                    contract.flavor.value,
                    f"{component} deploys {', '.join(f.value for f in allowed)} only",
                    f"set flavor to one of {[f.value for f in allowed]} or use the component for "
                    f"{contract.flavor.value}",
                )
            ]
        )
    validate(contract)
    return kafka_requirements(contract)


def problem_from_text(text: str) -> Problem:
    """A :class:`Problem` from a message written ``setting=value: what is wrong. Fix: what to do``
    (the form every component's check uses), so such checks join the one error base."""
    head, _, fix = text.partition(" Fix: ")
    where, _, message = head.partition(": ")
    setting, _, value = where.partition("=")
    if not message or " " in setting:
        return Problem("contract", "", head.rstrip("."), fix or "see the component's documentation")
    shown: object = value
    if value.isdigit():
        shown = int(value)
    elif len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        shown = value[1:-1]
    return Problem(setting, shown, message.rstrip("."), fix or "see the component's documentation")


class Problems:
    """Collects the problems of several checks, each of which may raise; raises them all at once."""

    def __init__(self) -> None:
        self.found: list[Problem] = []
        self._errors: list[ContractError] = []

    def run(self, check: Callable[[], T]) -> T | None:
        """``check()``; its :class:`ContractError` problems (or a ``ValueError`` message in the
        ``setting=value: message. Fix: fix`` form) are collected and ``None`` is returned."""
        try:
            return check()
        except ContractError as e:
            self._errors.append(e)
            self.found.extend(e.problems)
        except ValueError as e:
            self.found.append(problem_from_text(str(e)))
        return None

    def raise_if_any(self) -> None:
        if not self.found:
            return
        if len(self._errors) == 1 and self._errors[0].problems == self.found:
            raise self._errors[0]  # one check failed alone: keep its type (e.g. TopicReplacementRefused)
        raise ContractError(unique(self.found))


def given_password(contract: IngestStorageContract) -> Any | None:
    """The SCRAM password the contract already holds (str or Output), or ``None`` to generate one."""
    sasl = contract.sasl
    if isinstance(sasl, ScramAuth) and isinstance(sasl.password, SecretValue):
        return sasl.password.value
    return None


def mechanism_of(contract: IngestStorageContract) -> SaslMechanism | None:
    return contract.sasl.mechanism


__all__ = [
    "ContractError",
    "Problem",
    "Problems",
    "given_password",
    "mechanism_of",
    "requirements_for",
]
