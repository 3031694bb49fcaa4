"""The facts the rules apply, taken from the mimirkafka contract (one source of truth, no second copy).

* batch limits: ``kafka_side.batch_limit_bytes`` of a contract of the flavor (Mimir's hard-coded
  16,000,000-byte producer batch, or the flavor's lower ``max.message.bytes`` cap);
* producer record size: ``model.MAX_PRODUCER_RECORD_SIZE_BYTES`` (Mimir's default and maximum);
* broker defaults, ports, mechanisms and TLS per flavor: ``flavors.FLAVORS``;
* MSK version lifecycle: ``flavors.msk_version_status`` (AWS's supported-versions table);
* Kafka-talking Mimir components: ``mimir.values.KAFKA_COMPONENTS``;
* secret-looking keys and ``${VAR}`` references: ``mimir.values.SECRET_KEY_NAME``,
  ``contract.mimir_config.ENV_REF`` and ``SECRET_ENV_VARS``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from mimirkafka.contract import FLAVORS, IngestStorageContract, KafkaFlavor
from mimirkafka.contract.flavors import MSK_VERSION_SUPPORT, msk_version_status
from mimirkafka.contract.kafka_side import batch_limit_bytes
from mimirkafka.contract.mimir_config import ENV_REF, SECRET_ENV_VARS
from mimirkafka.contract.model import MAX_PRODUCER_RECORD_SIZE_BYTES, PRODUCER_BATCH_MAX_BYTES
from mimirkafka.contract.validation import kafka_major_minor
from mimirkafka.mimir.values import CHART_NAME, KAFKA_COMPONENTS, SECRET_KEY_NAME

__all__ = [
    "CHART_NAME",
    "ENV_REF",
    "KAFKA_TALKING_COMPONENTS",
    "MAX_PRODUCER_RECORD_SIZE_BYTES",
    "PRODUCER_BATCH_MAX_BYTES",
    "SECRET_ENV_VARS",
    "SECRET_KEY_NAME",
    "broker_default_bytes",
    "flavor_named",
    "min_batch_bytes",
    "msk_support",
]

#: Chart value sections of the components that produce to or read from Kafka: the package's own list
#: (mimirkafka.mimir.components, with its sources), which includes the ruler's dedicated query-frontend.
KAFKA_TALKING_COMPONENTS: tuple[str, ...] = KAFKA_COMPONENTS


def flavor_named(name: str | None, default: KafkaFlavor = KafkaFlavor.APACHE) -> KafkaFlavor:
    """The contract's flavor for ``name`` (its value, e.g. ``msk-serverless``); ``default`` if empty."""
    if not name:
        return default
    for f in KafkaFlavor:
        if f.value == name:
            return f
    raise ValueError(f"unknown Kafka flavor {name!r}; one of {', '.join(f.value for f in KafkaFlavor)}")


def min_batch_bytes(flavor: KafkaFlavor) -> int:
    """The smallest ``max.message.bytes``/``message.max.bytes`` that takes Mimir's batches on ``flavor``:
    the contract's own derivation (16,000,000, or the flavor's cap where it is lower)."""
    return batch_limit_bytes(IngestStorageContract(addresses=("policy:9092",), flavor=flavor))


def broker_default_bytes(flavor: KafkaFlavor) -> int | None:
    """What a topic inherits when nobody sets the batch limit (Kafka: 1,048,588)."""
    return FLAVORS[flavor].default_max_message_bytes


def msk_support(kafka_version: str, today: date) -> tuple[str, str | None]:
    """``(status, end_of_support)`` of an MSK ``kafka_version`` string (``3.6.0``, ``3.9.x.kraft``).

    Status is the contract's ``msk_version_status`` ("supported", "ending", "ended", "unknown"), except
    that a version line older than the oldest in AWS's table is "ended": the table leaves those out
    because MSK no longer creates clusters on them (see ``MSK_VERSION_SUPPORT``'s source note).
    """
    mm = kafka_major_minor(kafka_version)
    if mm is None:
        return "unknown", None
    key = f"{mm[0]}.{mm[1]}"
    status, support = msk_version_status(key, today)
    if status == "unknown" and mm < min(_known_lines(MSK_VERSION_SUPPORT)):
        return "ended", None
    eos = support.end_of_support.isoformat() if support and support.end_of_support else None
    return status, eos


def _known_lines(keys: Iterable[str]) -> list[tuple[int, int]]:
    return [(int(a), int(b)) for a, b in (k.split(".") for k in keys)]


def is_env_ref(text: str) -> bool:
    """A ``${VAR}`` reference (Mimir expands it from the environment): not a secret in clear."""
    return bool(ENV_REF.fullmatch(text.strip()))


#: PEM blocks that are private keys (PKCS#1, PKCS#8, EC, encrypted PKCS#8).
PRIVATE_KEY_PEM = re.compile(r"-----BEGIN (?:[A-Z]+ )?(?:ENCRYPTED )?PRIVATE KEY-----")
