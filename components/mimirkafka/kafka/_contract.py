"""The one door from the Kafka components into the contract: validate, check flavor, derive.

Components never re-derive limits, ACLs or configs themselves; they call :func:`requirements_for`,
which runs the contract's ``validate`` (raising ``ContractError`` before any resource exists) and
returns ``kafka_requirements(contract)``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from mimirkafka.contract import kafka_requirements, validate
from mimirkafka.contract.errors import ContractError, Problem
from mimirkafka.contract.model import (
    IngestStorageContract,
    KafkaFlavor,
    SaslMechanism,
    ScramAuth,
    SecretValue,
)


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
    "given_password",
    "mechanism_of",
    "requirements_for",
]
