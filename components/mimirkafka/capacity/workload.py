"""The workload the planner sizes for, checked before any arithmetic: every wrong field is a
:class:`~mimirkafka.contract.errors.Problem` naming the field, the value and the fix."""

from __future__ import annotations

from dataclasses import dataclass, field

from mimirkafka.capacity.measure import SeriesShape
from mimirkafka.capacity.tables import EXPRESS_BROKERS, STANDARD_BROKERS
from mimirkafka.contract.errors import ContractError, Problem

#: The Kafka offerings the planner knows how to size.
KAFKA_KINDS = ("msk-standard", "msk-express", "msk-serverless", "strimzi", "existing")
#: Offerings whose brokers the planner sizes from MSK's tables.
MSK_SIZED = ("msk-standard", "msk-express")


class WorkloadError(ContractError):
    """The workload cannot be planned; lists every problem."""


@dataclass(frozen=True)
class Workload:
    """What Mimir will ingest and onto which Kafka.

    ``growth`` is the room kept for more series, as a fraction (1.0 = twice today's series): partitions
    can only be added to a topic, never removed, and MSK storage only grows, so both are reserved for it.
    """

    active_series: int
    scrape_interval_s: float = 15.0
    #: Overrides ``active_series / scrape_interval_s`` (e.g. from cortex_distributor_received_samples).
    samples_per_second: float | None = None
    peak_factor: float = 1.0
    zones: int = 3
    retention_hours: float = 24.0
    growth: float = 1.0
    kafka: str = "msk-standard"
    #: MSK broker size; None = the cheapest size that fits (by size units).
    instance_type: str | None = None
    #: MSK Standard: provisioned storage throughput (4xlarge / m7g.2xlarge and up) instead of 250 MiB/s.
    provisioned_storage_throughput: bool = False
    #: Strimzi / existing: vCPUs per broker.
    broker_vcpus: int = 4
    #: Owned series per ingester (Grafana's jsonnet autoscaling target).
    series_per_ingester: int = 1_500_000
    shape: SeriesShape = field(default_factory=SeriesShape)
    record_version: int = 2
    #: On-Kafka (compressed) bytes per sample; overrides the measurement when set.
    bytes_per_sample: float | None = None
    #: A topic message cap below Mimir's 16,000,000-byte batch (Confluent Cloud: 8 MiB; Serverless: 8 MiB).
    max_message_bytes: int | None = None

    def validate(self) -> None:
        problems = workload_problems(self)
        if problems:
            raise WorkloadError(problems)


def workload_problems(w: Workload) -> list[Problem]:
    p: list[Problem] = []

    def need(ok: bool, setting: str, value: object, message: str, fix: str) -> None:
        if not ok:
            p.append(Problem(setting, value, message, fix))

    need(
        w.active_series >= 1, "active_series", w.active_series, "must be at least 1", "give the active series"
    )
    need(w.scrape_interval_s > 0, "scrape_interval_s", w.scrape_interval_s, "must be positive", "e.g. 15")
    need(
        w.samples_per_second is None or w.samples_per_second > 0,
        "samples_per_second",
        w.samples_per_second,
        "must be positive",
        "leave it unset to derive it from active_series / scrape_interval_s",
    )
    need(w.peak_factor >= 1, "peak_factor", w.peak_factor, "peak traffic is at least the average", "e.g. 1.5")
    # Grafana's jsonnet asserts "ingest storage requires either 2 or 3 ingester zones"; 1 zone (no zone
    # awareness) is what the chart and the dev stack run, so it is accepted with a warning by the planner.
    need(
        w.zones in (1, 2, 3),
        "zones",
        w.zones,
        "Mimir's ingest storage runs 2 or 3 zones (1 for dev)",
        "set 3",
    )
    need(w.retention_hours > 0, "retention_hours", w.retention_hours, "must be positive", "e.g. 24")
    need(
        w.growth >= 0,
        "growth",
        w.growth,
        "is a fraction of today's series, not below 0",
        "e.g. 1.0 (room to double)",
    )
    need(
        w.kafka in KAFKA_KINDS, "kafka", w.kafka, "unknown Kafka kind", f"use one of {', '.join(KAFKA_KINDS)}"
    )
    if w.instance_type is not None:
        table = (
            STANDARD_BROKERS
            if w.kafka == "msk-standard"
            else EXPRESS_BROKERS
            if w.kafka == "msk-express"
            else None
        )
        need(
            table is not None,
            "instance_type",
            w.instance_type,
            f"only MSK Standard and Express have instance types (kafka={w.kafka})",
            "unset instance_type",
        )
        if table is not None:
            need(
                w.instance_type in table,
                "instance_type",
                w.instance_type,
                f"not a {w.kafka} broker size the planner has figures for",
                f"use one of {', '.join(table)}",
            )
    need(w.broker_vcpus >= 1, "broker_vcpus", w.broker_vcpus, "must be at least 1", "e.g. 4")
    need(
        w.series_per_ingester >= 10_000,
        "series_per_ingester",
        w.series_per_ingester,
        "too small",
        "e.g. 1500000",
    )
    need(w.record_version in (0, 1, 2), "record_version", w.record_version, "Mimir writes 0, 1 or 2", "use 2")
    need(
        w.bytes_per_sample is None or w.bytes_per_sample > 0,
        "bytes_per_sample",
        w.bytes_per_sample,
        "must be positive",
        "leave it unset to use the measurement",
    )
    need(
        w.max_message_bytes is None or w.max_message_bytes >= 1_048_576,
        "max_message_bytes",
        w.max_message_bytes,
        "Mimir's smallest record size is 1 MiB",
        "give the topic's max.message.bytes cap",
    )
    return p
