"""Which ingesters run and which partition each one owns (plain Python, the one place that names them).

Mimir derives an ingester's partition from the trailing number of its instance ID
(``-ingester.ring.instance-id``, ``-([0-9]+)$``), and with an empty ``-ingest-storage.kafka.consumer-group``
the consumer group is the instance ID itself (grafana/mimir ``pkg/storage/ingest/config.go`` @001afd28,
``GetConsumerGroup``: "When empty (recommended), Mimir uses the ingester instance ID").

The mimir-distributed chart names ingester pods (= instance IDs) like this
(``templates/ingester/ingester-statefulset.yaml`` and ``values.yaml`` @063371ec):

- zone-aware replication on: one StatefulSet per zone, ``<fullname>-ingester-<zone>``, each with
  ``ceil(ingester.replicas / zones)`` pods ``-0 .. -(n-1)``; so every zone owns partitions ``0 .. n-1``;
- zone-aware replication off: one StatefulSet ``<fullname>-ingester`` with ``ingester.replicas`` pods,
  each owning its own partition.

One zone runs without zone awareness (nothing to be aware of); two or more zones run zone-aware, which the
chart accepts with ingest storage from 6.1.0 (grafana/mimir#14449; 6.0.x needs 3 zones).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mimirkafka.contract.model import IngesterLayout

#: The chart's default zone names (``ingester.zoneAwareReplication.zones[].name`` in values.yaml @063371ec
#: lists zone-a, zone-b, zone-c); further zones continue the alphabet.
DEFAULT_ZONE_NAMES = tuple(f"zone-{c}" for c in "abcdefghij")
#: Mimir's partition ID is the trailing number of the ingester instance ID.
INSTANCE_ID_PATTERN = re.compile(r"-([0-9]+)$")
#: Kubernetes label values and StatefulSet name parts: lower-case DNS labels.
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


@dataclass(frozen=True)
class IngesterInstance:
    """One ingester pod: its instance ID (= pod name = consumer group), zone (None when not zone-aware)
    and the partition it consumes."""

    instance_id: str
    zone: str | None
    partition: int


def zone_aware(layout: IngesterLayout) -> bool:
    """Two or more zones run with the chart's zone-aware replication; one zone without it."""
    return layout.zones >= 2


def ingester_group_prefix(fullname: str) -> str:
    """The prefix every ingester instance ID (and so every ingester consumer group) starts with."""
    return f"{fullname}-ingester-"


def ingester_instances(
    fullname: str, layout: IngesterLayout, zone_names: tuple[str, ...] | None = None
) -> tuple[IngesterInstance, ...]:
    """Every ingester the chart runs for ``layout``, in zone then ordinal order.

    ``zone_names`` replaces the chart's ``zone-a, zone-b, ...`` (e.g. zones named after the brokers'
    racks); it must have exactly ``layout.zones`` entries.
    """
    prefix = ingester_group_prefix(fullname)
    if not zone_aware(layout):
        return tuple(IngesterInstance(f"{prefix}{i}", None, i) for i in range(layout.zones * layout.per_zone))
    names = zone_names if zone_names is not None else DEFAULT_ZONE_NAMES[: layout.zones]
    return tuple(
        IngesterInstance(f"{prefix}{zone}-{i}", zone, i) for zone in names for i in range(layout.per_zone)
    )


def partitions_needed(layout: IngesterLayout) -> int:
    """The fewest partitions for which every ingester of ``layout`` owns a partition that exists."""
    owned = [i.partition for i in ingester_instances("x", layout)]
    return max(owned) + 1 if owned else 0


def partition_of(instance_id: str) -> int | None:
    """The partition Mimir derives from an instance ID, or None when it has no trailing ``-<n>``."""
    m = INSTANCE_ID_PATTERN.search(instance_id)
    return int(m.group(1)) if m else None


def valid_zone_name(name: str) -> bool:
    """The chart uses zone names in StatefulSet names and labels (Kubernetes naming restrictions)."""
    return isinstance(name, str) and len(name) <= 40 and bool(_DNS_LABEL.match(name))
