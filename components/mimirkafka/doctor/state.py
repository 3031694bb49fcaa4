"""What the doctor's checks share: their options and what earlier checks learned for later ones.

Its own module so that the check modules (``checks``, ``write_test``) import it, not each other.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mimirkafka.contract.kafka_side import principal_for
from mimirkafka.contract.model import IngestStorageContract


@dataclass(frozen=True)
class DoctorOptions:
    #: Deadline of every network step, in seconds.
    timeout_s: float = 10.0
    #: Ingesters per zone the topic must cover; ``None`` uses ``contract.ingesters.per_zone``.
    ingesters_per_zone: int | None = None
    #: Produce and read back one record of Mimir's maximum record size (leaves that one record).
    write_test: bool = False
    #: Send the harmless oversized-batch probe (uploads ~16 MB per partition leader).
    size_probe: bool = True
    #: Called with one line before each step (the CLI prints it to stderr).
    progress: Callable[[str], None] | None = None


@dataclass
class CheckState:
    """What earlier checks learned, for the later ones."""

    contract: IngestStorageContract
    options: DoctorOptions
    ssl_ctx: ssl.SSLContext | None = None
    admin: Any = None
    reachable: list[str] = field(default_factory=list)
    topic: dict[str, Any] | None = None
    topic_ops: set[str] = field(default_factory=set)
    topic_configs: dict[str, str] | None = None
    broker_configs: dict[str, str] | None = None
    effective_max_bytes: int | None = None

    @property
    def topic_name(self) -> str:
        return self.contract.topic.name

    @property
    def principal(self) -> str:
        return principal_for(self.contract) or "Mimir's principal"

    @property
    def partitions(self) -> list[dict[str, Any]]:
        return list(self.topic["partitions"]) if self.topic else []

    @property
    def group(self) -> str:
        # Mimir's consumer group is the ingester instance ID, e.g. ingester-zone-a-0 (partition 0).
        return f"{self.contract.consumer_group_prefix}zone-a-0"
