"""Capacity planning for Mimir on Kafka: from a workload to ingesters, partitions, brokers and storage,
every figure with its rule, source and kind (docs/capacity.md). Pure: no Pulumi resources.

    from mimirkafka.capacity import Workload, plan
    p = plan(Workload(active_series=10_000_000, kafka="msk-standard"))
    p.cluster.brokers, p.cluster.partitions, p.binding.name
"""

from __future__ import annotations

from mimirkafka.capacity.figures import Constraint, Figure, Kind
from mimirkafka.capacity.measure import SeriesShape
from mimirkafka.capacity.plan import CapacityPlan, Cluster, check, plan
from mimirkafka.capacity.render import stack_values, to_dict, to_json, to_table, to_yaml
from mimirkafka.capacity.workload import KAFKA_KINDS, Workload, WorkloadError

__all__ = [
    "KAFKA_KINDS",
    "CapacityPlan",
    "Cluster",
    "Constraint",
    "Figure",
    "Kind",
    "SeriesShape",
    "Workload",
    "WorkloadError",
    "check",
    "plan",
    "stack_values",
    "to_dict",
    "to_json",
    "to_table",
    "to_yaml",
]
