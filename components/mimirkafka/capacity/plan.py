"""From a workload to ingesters, partitions, brokers and storage: every figure with its rule and source,
every constraint with how close the plan comes to it.

The rules (derived by this package from the facts :mod:`mimirkafka.capacity.sources` cites):

1. samples/s = active series / scrape interval (Mimir planning page); peak = x peak factor.
2. On-Kafka bytes per sample: measured here (:mod:`.measure`), snappy-compressed as franz-go sends it.
3. Ingesters per zone = ceil(series / 1.5M owned series per ingester) (jsonnet autoscaling target); on MSK
   Serverless also enough partitions in use to keep each under 5 MBps in and 10 MBps out.
4. Partitions >= ingesters per zone (Mimir, hard), reserved for ``growth`` since they cannot be removed.
5. RF 3, min ISR 2 (fixed on Express/Serverless; MSK best practice; Grafana Tempo's starting point).
6. Produce = peak samples/s x bytes/sample; brokers write it x RF; consumers read it x zones (one
   consumer group per ingester, every zone reads every record).
7. Brokers: MSK Standard by AWS's sizing script, Express by its throughput/partition table, self-managed
   by Google's vCPU rule; rounded up to a multiple of 3 AZs.
8. Storage per broker = average produce x retention x RF / brokers, at 50 % disk utilisation; MSK
   auto-scaling up to the growth figure (max 16 TiB).
9. Ingester CPU / memory / disk from the planning page (per 300k in-memory series: 1 core, 2.5 GB, 5 GB),
   memory and disk with its 50 % headroom.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from mimirkafka.capacity import sources as S
from mimirkafka.capacity import tables as T
from mimirkafka.capacity.figures import Constraint, Figure, Kind
from mimirkafka.capacity.measure import SeriesShape
from mimirkafka.capacity.measured import MEASURED
from mimirkafka.capacity.workload import Workload
from mimirkafka.contract.batch_fit import full_batch_fit
from mimirkafka.contract.errors import Problem
from mimirkafka.contract.flavors import RECORD_OVERHEAD_BYTES
from mimirkafka.contract.model import MAX_PRODUCER_RECORD_SIZE_BYTES

MB = 1_000_000
MIB = 1024 * 1024
GIB = 1024**3
#: Planning page: 1 core, 2.5 GB memory, 5 GB disk per 300,000 in-memory series; 50 % extra memory/disk.
SERIES_PER_CORE = 300_000
GB_PER_300K = 2.5
DISK_GB_PER_300K = 5.0
HEADROOM = 1.5
#: AZs an MSK cluster (and a zone-aware Kafka) spreads brokers over; Express runs 3 AZs only.
AZS = 3
RF = 3
MIN_ISR = 2


@dataclass(frozen=True)
class Cluster:
    """The Kafka and ingester layout a plan proposes, or a stack declares (``--check``)."""

    kafka: str
    zones: int
    ingesters_per_zone: int
    partitions: int
    replication_factor: int
    min_insync_replicas: int
    retention_ms: int
    #: None where nobody sizes brokers (Serverless; an existing cluster the stack does not describe).
    brokers: int | None = None
    instance_type: str | None = None
    volume_gib: int | None = None
    broker_vcpus: int | None = None
    producer_max_record_size_bytes: int = MAX_PRODUCER_RECORD_SIZE_BYTES
    max_message_bytes: int | None = None


@dataclass(frozen=True)
class Load:
    """What the workload asks of Kafka, independent of the cluster."""

    samples_per_s: float
    peak_samples_per_s: float
    wire_bytes_per_sample: float
    record_bytes_per_sample: float
    #: Measured snappy ratio of the records (uncompressed / compressed), whatever bytes_per_sample says.
    compression_ratio: float
    #: Peak produce and average produce, bytes/s (compressed, before replication).
    produce_peak: float
    produce_avg: float
    #: Ingesters per zone the series need (and the throughput per partition, on Serverless).
    ingesters_needed: int
    #: Partitions to reserve for growth.
    partitions_for_growth: int
    figures: dict[str, Figure]


@dataclass(frozen=True)
class CapacityPlan:
    workload: Workload
    cluster: Cluster
    figures: dict[str, Figure]
    constraints: tuple[Constraint, ...]
    warnings: tuple[Problem, ...] = field(default=())

    @property
    def feasible(self) -> bool:
        """No hard limit is exceeded (rules of thumb may be)."""
        return all(c.ok for c in self.constraints if c.hard)

    @property
    def binding(self) -> Constraint | None:
        """The constraint that binds first: the one the plan comes closest to (or exceeds most), leaving out
        those the planner met by choosing the limit itself."""
        candidates = (c for c in self.constraints if c.sizing and not c.planned)
        return max(candidates, key=lambda c: c.utilisation, default=None)


def _fig(value: float, unit: str, rule: str, source: str, kind: Kind) -> Figure:
    return Figure(value, unit, rule, source, kind)


def roundup(n: float, multiple: int) -> int:
    return int(math.ceil(n / multiple) * multiple)


def _shape_text(shape: SeriesShape) -> str:
    return f"{shape.labels} labels, {shape.value_length}-char values, {shape.series_per_record} series/record"


# --- bytes per sample ------------------------------------------------------------------------------


def bytes_per_sample(shape: SeriesShape, record_version: int) -> tuple[float, float, Figure]:
    """(on-Kafka B/sample, uncompressed record B/sample, figure) for a series shape: the committed
    measurement when the shape is a table row, a live measurement when the compressor is installed, else
    the nearest row."""
    version = 1 if record_version == 0 else record_version  # v0 = v1's body without the 4-byte header
    key = (shape.labels, shape.value_length, shape.series_per_record, version)
    if key in MEASURED:
        _, record, _, wire = MEASURED[key]
        rule = f"measured: {_shape_text(shape)}, v{version}, franz-go snappy"
        return wire, record, _fig(wire, "B/sample", rule, S.MEASURED, Kind.MEASURED)
    try:
        from mimirkafka.capacity.measure import measure

        m = measure(shape, version)
    except ImportError:
        nearest = min(
            (k for k in MEASURED if k[3] == version),
            key=lambda k: (
                abs(math.log(k[0] / shape.labels))
                + abs(math.log(k[1] / shape.value_length))
                + abs(math.log(k[2] / shape.series_per_record))
            ),
        )
        _, record, _, wire = MEASURED[nearest]
        rule = f"nearest measured row {nearest} (install the `capacity` extra to measure this shape)"
        return wire, record, _fig(wire, "B/sample", rule, S.MEASURED, Kind.DERIVED)
    # Block snappy (cramjam) compresses these records 10-50 % less than franz-go does: conservative.
    rule = f"measured now: {_shape_text(shape)}, v{version}, block snappy (conservative vs franz-go)"
    return (
        m.wire_bytes_per_sample,
        m.record_bytes_per_sample,
        _fig(round(m.wire_bytes_per_sample, 1), "B/sample", rule, S.MEASURED, Kind.MEASURED),
    )


# --- the load ------------------------------------------------------------------------------------------


def load(w: Workload) -> Load:
    f: dict[str, Figure] = {}
    if w.samples_per_second is not None:
        samples = float(w.samples_per_second)
        f["samples_per_s"] = _fig(samples, "samples/s", "given", S.INPUT, Kind.INPUT)
    else:
        samples = w.active_series / w.scrape_interval_s
        f["samples_per_s"] = _fig(
            round(samples),
            "samples/s",
            f"{w.active_series:,} series / {w.scrape_interval_s:g} s",
            S.MIMIR_PLANNING,
            Kind.DERIVED,
        )
    peak = samples * w.peak_factor
    f["peak_samples_per_s"] = _fig(
        round(peak), "samples/s", f"samples/s x peak factor {w.peak_factor:g}", S.INPUT, Kind.DERIVED
    )
    wire, record, bps_fig = bytes_per_sample(w.shape, w.record_version)
    ratio = record / wire
    if w.bytes_per_sample is not None:
        wire = w.bytes_per_sample
        bps_fig = _fig(wire, "B/sample", "given", S.INPUT, Kind.INPUT)
    f["bytes_per_sample"] = bps_fig
    f["record_bytes_per_sample"] = _fig(
        round(record, 1),
        "B/sample",
        "uncompressed records (what the 16,000,000-byte batch cap counts)",
        S.MEASURED,
        Kind.MEASURED,
    )
    produce_peak = peak * wire
    produce_avg = samples * wire
    f["produce_mbps"] = _fig(
        round(produce_peak / MB, 2),
        "MB/s",
        "peak samples/s x B/sample (compressed)",
        S.MEASURED,
        Kind.DERIVED,
    )

    series_needed = math.ceil(w.active_series / w.series_per_ingester)
    f["ingesters_for_series"] = _fig(
        series_needed,
        "per zone",
        f"ceil({w.active_series:,} / {w.series_per_ingester:,} owned series per ingester)",
        S.JSONNET_AUTOSCALING,
        Kind.DEFAULT,
    )
    needed = max(1, series_needed)
    growth_needed = math.ceil(w.active_series * (1 + w.growth) / w.series_per_ingester)
    if w.kafka == "msk-serverless":
        # Each partition in use is written by everyone and read by one ingester per zone: its share of the
        # produce must stay under 5 MBps in and 10 MBps / zones out.
        per_partition = (
            min(T.SERVERLESS.partition_ingress_mbps, T.SERVERLESS.partition_egress_mbps / w.zones) * MB
        )
        tput_needed = math.ceil(produce_peak / per_partition)
        f["ingesters_for_partition_throughput"] = _fig(
            tput_needed,
            "per zone",
            f"ceil(produce / min(5 MBps in, 10 MBps out / {w.zones} zones) per partition)",
            S.MSK_SERVERLESS_LIMITS,
            Kind.HARD,
        )
        needed = max(needed, tput_needed)
        growth_needed = max(growth_needed, math.ceil(tput_needed * (1 + w.growth)))
    partitions = max(needed, growth_needed)
    return Load(samples, peak, wire, record, ratio, produce_peak, produce_avg, needed, partitions, f)


# --- the cluster --------------------------------------------------------------------------------------


def _storage_total_bytes(ld: Load, w: Workload, retention_ms: int, rf: int) -> float:
    return ld.produce_avg * retention_ms / 1000 * rf


def _standard_brokers(ld: Load, w: Workload, b: T.StandardBroker, partitions: int) -> int:
    per_broker = (
        T.standard_ingress_mibps(b, w.zones, w.provisioned_storage_throughput) * T.STANDARD_UTILISATION
    )
    tput = ld.produce_peak / MIB / per_broker
    parts = partitions * RF / b.recommended_partitions
    storage = (
        _storage_total_bytes(ld, w, _retention_ms(w), RF) * (1 + w.growth) / GIB / T.DISK_TARGET_UTILISATION
    )
    return roundup(max(AZS, tput, parts, storage / T.MSK_MAX_VOLUME_GIB), AZS)


def _express_brokers(ld: Load, w: Workload, b: T.ExpressBroker, partitions: int) -> int:
    produce = ld.produce_peak / MB
    return roundup(
        max(
            AZS,
            produce / b.sustained_ingress,
            produce * w.zones / b.sustained_egress,
            partitions * RF / b.recommended_partitions,
        ),
        AZS,
    )


def _self_managed_vcpus(ld: Load, w: Workload) -> float:
    """Google's rule: (write + read / 4) / 20 MBps per vCPU / 50 % utilisation."""
    produce = ld.produce_peak / MB
    write = produce * RF
    read = produce * w.zones + produce * (RF - 1)
    return (write + read / 4) / T.GCP_MBPS_PER_VCPU / T.GCP_UTILISATION


def _self_managed_partition_limit(vcpus: int) -> int:
    """Replicas per self-managed broker, as for the MSK m7g broker of as many vCPUs (large = 2 vCPUs)."""
    for name, cpus in (("kafka.m7g.large", 2), ("kafka.m7g.xlarge", 4), ("kafka.m7g.2xlarge", 8)):
        if vcpus <= cpus:
            return T.STANDARD_BROKERS[name].recommended_partitions
    return T.STANDARD_BROKERS["kafka.m7g.4xlarge"].recommended_partitions


def _retention_ms(w: Workload) -> int:
    return int(w.retention_hours * 3600 * 1000)


def _volume_gib(ld: Load, w: Workload, brokers: int, retention_ms: int) -> int:
    per_broker = _storage_total_bytes(ld, w, retention_ms, RF) / brokers / GIB
    return max(T.MSK_MIN_VOLUME_GIB, math.ceil(per_broker / T.DISK_TARGET_UTILISATION))


def choose_cluster(w: Workload, ld: Load) -> Cluster:
    partitions = ld.partitions_for_growth
    retention = _retention_ms(w)
    base = Cluster(
        kafka=w.kafka,
        zones=w.zones,
        ingesters_per_zone=ld.ingesters_needed,
        partitions=partitions,
        replication_factor=RF,
        min_insync_replicas=MIN_ISR,
        retention_ms=retention,
        max_message_bytes=w.max_message_bytes,
        # A record must fit the topic's cap with Mimir's 16 KiB batch margin (contract.flavors).
        producer_max_record_size_bytes=min(
            MAX_PRODUCER_RECORD_SIZE_BYTES,
            (w.max_message_bytes or MAX_PRODUCER_RECORD_SIZE_BYTES + RECORD_OVERHEAD_BYTES)
            - RECORD_OVERHEAD_BYTES,
        ),
    )
    if w.kafka == "msk-standard":
        names = (w.instance_type,) if w.instance_type else T.STANDARD_CANDIDATES
        options = [(n, _standard_brokers(ld, w, T.STANDARD_BROKERS[n], partitions)) for n in names]
        fitting = [o for o in options if o[1] <= T.MSK_BROKERS_PER_CLUSTER] or options
        name, brokers = min(fitting, key=lambda o: (o[1] * T.STANDARD_BROKERS[o[0]].size_units, o[1]))
        volume = _volume_gib(ld, w, brokers, retention)
        return replace(base, brokers=brokers, instance_type=name, volume_gib=volume)
    if w.kafka == "msk-express":
        names = (w.instance_type,) if w.instance_type else tuple(T.EXPRESS_BROKERS)
        options = [(n, _express_brokers(ld, w, T.EXPRESS_BROKERS[n], partitions)) for n in names]
        fitting = [o for o in options if o[1] <= T.MSK_BROKERS_PER_CLUSTER] or options
        name, brokers = min(fitting, key=lambda o: (o[1] * T.EXPRESS_BROKERS[o[0]].size_units, o[1]))
        return replace(base, brokers=brokers, instance_type=name)
    if w.kafka == "msk-serverless":
        cap = T.SERVERLESS.max_message_bytes
        return replace(
            base, max_message_bytes=cap, producer_max_record_size_bytes=cap - RECORD_OVERHEAD_BYTES
        )
    vcpus = _self_managed_vcpus(ld, w)
    limit = _self_managed_partition_limit(w.broker_vcpus)
    brokers = roundup(max(AZS, vcpus / w.broker_vcpus, partitions * RF / limit), AZS)
    if w.kafka == "existing":
        # An existing cluster's brokers are not ours to size: the plan states what it must carry.
        return replace(base, brokers=None, broker_vcpus=w.broker_vcpus)
    volume = _volume_gib(ld, w, brokers, retention)
    return replace(base, brokers=brokers, broker_vcpus=w.broker_vcpus, volume_gib=volume)


# --- constraints ----------------------------------------------------------------------------------------


#: Constraints the planner meets by setting their limit (partitions, ingesters, volume, min ISR).
_PLANNED = (
    "partitions cover ingesters per zone",
    "ingesters per zone hold the series",
    "partitions reserved for growth",
    "min.insync.replicas below RF",
    "data per broker at 50 % disk utilisation",
    "producer_max_record_size_bytes under the cap",
)


#: Configuration rules rather than capacities (see Constraint.sizing).
_CONFIG_RULES = ("min.insync.replicas below RF", "brokers a multiple of the AZs")


def constraints(w: Workload, ld: Load, c: Cluster, planning: bool = False) -> list[Constraint]:
    """Every limit ``c`` is held to under the load; used by the planner and by ``--check``."""
    out: list[Constraint] = []

    def add(name: str, value: float, limit: float, unit: str, rule: str, source: str, kind: Kind) -> None:
        planned = planning and name in _PLANNED
        out.append(
            Constraint(name, value, limit, unit, rule, source, kind, planned, name not in _CONFIG_RULES)
        )

    add(
        "partitions cover ingesters per zone",
        ld.ingesters_needed,
        c.partitions,
        "partitions",
        "each ingester of a zone consumes its own partition",
        S.KAFKA_BACKEND_DOC,
        Kind.HARD,
    )
    add(
        "ingesters per zone hold the series",
        ld.ingesters_needed,
        c.ingesters_per_zone,
        "ingesters",
        f"{w.series_per_ingester:,} owned series per ingester"
        + (" and Serverless per-partition throughput" if c.kafka == "msk-serverless" else ""),
        S.JSONNET_AUTOSCALING,
        Kind.RULE_OF_THUMB,
    )
    add(
        "partitions reserved for growth",
        ld.partitions_for_growth,
        c.partitions,
        "partitions",
        f"room for +{w.growth:.0%} series; a topic's partitions can be added but never removed",
        S.CONFLUENT_PARTITIONS,
        Kind.DERIVED,
    )
    add(
        "min.insync.replicas below RF",
        c.min_insync_replicas,
        c.replication_factor - 1,
        "replicas",
        "minISR <= RF - 1 so one replica can be down while acks=all writes go on",
        S.MSK_BEST_PRACTICES,
        Kind.RULE_OF_THUMB,
    )
    produce_mb = ld.produce_peak / MB
    storage_total = _storage_total_bytes(ld, w, c.retention_ms, c.replication_factor)

    if c.kafka == "msk-standard" and c.brokers and c.instance_type in T.STANDARD_BROKERS:
        b = T.STANDARD_BROKERS[c.instance_type]
        cap = T.standard_ingress_mibps(b, c.zones, w.provisioned_storage_throughput)
        per_broker = ld.produce_peak / MIB / c.brokers
        add(
            f"ingress per {b.name} broker at 50 % utilisation",
            per_broker,
            cap * T.STANDARD_UTILISATION,
            "MiB/s",
            f"min(storage MiB/s / {T.EBS_FACTOR}, NIC / ({c.zones} groups x 1.5 + 5.7)) x 0.5",
            S.MSK_SIZING_SCRIPT,
            Kind.RULE_OF_THUMB,
        )
        replicas = c.partitions * c.replication_factor / c.brokers
        add(
            f"partition replicas per {b.name} broker (recommended)",
            replicas,
            b.recommended_partitions,
            "replicas",
            "MSK Standard best practice",
            S.MSK_BEST_PRACTICES,
            Kind.RULE_OF_THUMB,
        )
        add(
            f"partition replicas per {b.name} broker (max for updates)",
            replicas,
            b.max_partitions,
            "replicas",
            "above it MSK refuses configuration, version and broker-type updates",
            S.MSK_BEST_PRACTICES,
            Kind.HARD,
        )
    if c.kafka == "msk-express" and c.brokers and c.instance_type in T.EXPRESS_BROKERS:
        e = T.EXPRESS_BROKERS[c.instance_type]
        per_in = produce_mb / c.brokers
        per_out = produce_mb * c.zones / c.brokers
        replicas = c.partitions * 3 / c.brokers
        add(
            f"ingress per {e.name} (sustained)",
            per_in,
            e.sustained_ingress,
            "MBps",
            "above it performance degrades",
            S.MSK_EXPRESS,
            Kind.RULE_OF_THUMB,
        )
        add(
            f"ingress per {e.name} (max)",
            per_in,
            e.max_ingress,
            "MBps",
            "MSK throttles at the quota",
            S.MSK_EXPRESS,
            Kind.HARD,
        )
        add(
            f"egress per {e.name} (sustained)",
            per_out,
            e.sustained_egress,
            "MBps",
            f"every one of {c.zones} zones reads every record",
            S.MSK_EXPRESS,
            Kind.RULE_OF_THUMB,
        )
        add(
            f"egress per {e.name} (max)",
            per_out,
            e.max_egress,
            "MBps",
            "MSK throttles at the quota",
            S.MSK_EXPRESS,
            Kind.HARD,
        )
        add(
            f"partition replicas per {e.name} (recommended)",
            replicas,
            e.recommended_partitions,
            "replicas",
            "Express partitions count 3 replicas",
            S.MSK_EXPRESS,
            Kind.RULE_OF_THUMB,
        )
        add(
            f"partition replicas per {e.name} (max)",
            replicas,
            e.max_partitions,
            "replicas",
            "Express quota",
            S.MSK_EXPRESS,
            Kind.HARD,
        )
    if c.kafka in ("msk-standard", "msk-express") and c.brokers:
        add(
            "brokers per MSK cluster",
            c.brokers,
            T.MSK_BROKERS_PER_CLUSTER,
            "brokers",
            "KRaft quota (adjustable)",
            S.MSK_LIMITS,
            Kind.HARD,
        )
        add(
            "brokers a multiple of the AZs",
            c.brokers % AZS,
            0,
            "left over",
            "spread evenly over 3 AZs",
            S.MSK_BEST_PRACTICES,
            Kind.RULE_OF_THUMB,
        )
    if c.kafka == "msk-serverless":
        q = T.SERVERLESS
        per_partition = produce_mb / max(c.ingesters_per_zone, 1)
        add(
            "Serverless cluster ingress",
            produce_mb,
            q.max_ingress_mbps,
            "MBps",
            "throttled above",
            S.MSK_SERVERLESS_LIMITS,
            Kind.HARD,
        )
        add(
            "Serverless cluster egress",
            produce_mb * c.zones,
            q.max_egress_mbps,
            "MBps",
            f"{c.zones} zones read every record: produce <= {q.max_egress_mbps / c.zones:.0f} MBps",
            S.MSK_SERVERLESS_LIMITS,
            Kind.HARD,
        )
        add(
            "Serverless ingress per partition",
            per_partition,
            q.partition_ingress_mbps,
            "MBps",
            "produce / partitions in use (= ingesters per zone)",
            S.MSK_SERVERLESS_LIMITS,
            Kind.HARD,
        )
        add(
            "Serverless egress per partition",
            per_partition * c.zones,
            q.partition_egress_mbps,
            "MBps",
            f"{c.zones} zones read each partition",
            S.MSK_SERVERLESS_LIMITS,
            Kind.HARD,
        )
        add(
            "Serverless partitions",
            c.partitions,
            q.partitions,
            "partitions",
            "per-cluster quota (non-compacted)",
            S.MSK_SERVERLESS_LIMITS,
            Kind.HARD,
        )
        add(
            "Serverless consumer groups",
            c.ingesters_per_zone * c.zones,
            q.consumer_groups,
            "groups",
            "one consumer group per ingester",
            S.MSK_SERVERLESS_LIMITS,
            Kind.HARD,
        )
    message_cap = c.max_message_bytes
    if message_cap is not None:
        ratio = ld.compression_ratio
        fit = full_batch_fit(message_cap, ratio)
        add(
            "full 16,000,000-byte batch, compressed, fits max.message.bytes",
            fit.compressed_bytes,
            message_cap,
            "bytes",
            f"Mimir batches up to 16,000,000 B before compression; at the measured {ratio:.2f}x it is "
            f"{fit.compressed_bytes:,} B (needs >= {fit.min_ratio:.2f}x)",
            S.MIMIR_WRITER_CLIENT,
            Kind.HARD,
        )
        add(
            "producer_max_record_size_bytes under the cap",
            c.producer_max_record_size_bytes + RECORD_OVERHEAD_BYTES,
            message_cap,
            "bytes",
            "a record larger than max.message.bytes is refused",
            S.MIMIR_CONFIG,
            Kind.HARD,
        )
    if c.kafka in ("strimzi", "existing"):
        vcpus = _self_managed_vcpus(ld, w)
        limit = _self_managed_partition_limit(c.broker_vcpus or w.broker_vcpus)
        if c.brokers:
            add(
                "broker vCPUs (write + read/4 at 20 MBps/vCPU, 50 %)",
                vcpus,
                c.brokers * (c.broker_vcpus or w.broker_vcpus),
                "vCPU",
                "Google Cloud's Kafka sizing rule",
                S.GCP_PLAN,
                Kind.RULE_OF_THUMB,
            )
            add(
                "partition replicas per broker",
                c.partitions * c.replication_factor / c.brokers,
                limit,
                "replicas",
                "as the MSK m7g broker of as many vCPUs",
                S.MSK_BEST_PRACTICES,
                Kind.DERIVED,
            )
    if c.brokers and c.volume_gib is not None:
        per_broker = storage_total / c.brokers / GIB
        add(
            "data per broker fits its volume",
            per_broker,
            c.volume_gib,
            "GiB",
            "avg produce x retention x RF / brokers; a full disk stops the broker",
            S.MSK_SIZING_SCRIPT,
            Kind.HARD,
        )
        add(
            "data per broker at 50 % disk utilisation",
            per_broker / T.DISK_TARGET_UTILISATION,
            c.volume_gib,
            "GiB",
            "plan disks half full (MSK workbook; auto-scaling target 50-60 %)",
            S.MSK_WORKBOOK,
            Kind.RULE_OF_THUMB,
        )
        if c.kafka == "msk-standard":
            add(
                "volume per MSK broker",
                c.volume_gib,
                T.MSK_MAX_VOLUME_GIB,
                "GiB",
                "1..16,384 GiB per broker",
                S.MSK_LIMITS,
                Kind.HARD,
            )
    return out


# --- figures --------------------------------------------------------------------------------------------


def _cluster_figures(w: Workload, ld: Load, c: Cluster) -> dict[str, Figure]:
    f: dict[str, Figure] = {}
    f["ingesters_per_zone"] = _fig(
        c.ingesters_per_zone,
        "ingesters",
        "max of the ingester rules above",
        S.JSONNET_AUTOSCALING,
        Kind.DERIVED,
    )
    f["ingester_zones"] = _fig(
        c.zones, "zones", "given (Mimir ingest storage: 2 or 3)", S.JSONNET_INGEST, Kind.INPUT
    )
    f["ingesters_total"] = _fig(
        c.ingesters_per_zone * c.zones, "ingesters", "per zone x zones", S.INGEST_ARCH_DOC, Kind.DERIVED
    )
    f["partitions"] = _fig(
        c.partitions,
        "partitions",
        f">= ingesters per zone, reserved for +{w.growth:.0%} series (partitions are never removed)",
        S.KAFKA_BACKEND_DOC,
        Kind.DERIVED,
    )
    f["replication_factor"] = _fig(
        c.replication_factor,
        "replicas",
        "RF 3 for 3 AZs (fixed on Express/Serverless)",
        S.MSK_BEST_PRACTICES,
        Kind.RULE_OF_THUMB,
    )
    f["min_insync_replicas"] = _fig(
        c.min_insync_replicas,
        "replicas",
        "minISR = RF - 1 (fixed on Express/Serverless)",
        S.TEMPO_KAFKA,
        Kind.RULE_OF_THUMB,
    )
    f["retention_hours"] = _fig(
        c.retention_ms / 3_600_000,
        "h",
        "given; the chart's bundled Kafka keeps 24 h",
        S.HELM_KAFKA_RETENTION,
        Kind.INPUT,
    )
    produce = ld.produce_peak / MB
    f["broker_write_mbps"] = _fig(
        round(produce * c.replication_factor, 2), "MB/s", "produce x RF", S.GCP_PLAN, Kind.DERIVED
    )
    f["replication_mbps"] = _fig(
        round(produce * (c.replication_factor - 1), 2), "MB/s", "produce x (RF - 1)", S.GCP_PLAN, Kind.DERIVED
    )
    f["consume_mbps"] = _fig(
        round(produce * c.zones, 2),
        "MB/s",
        "produce x zones (each zone reads every record)",
        S.INGEST_ARCH_DOC,
        Kind.DERIVED,
    )
    storage_total = _storage_total_bytes(ld, w, c.retention_ms, c.replication_factor)
    f["storage_total_gib"] = _fig(
        round(storage_total / GIB, 1),
        "GiB",
        "avg produce x retention x RF",
        S.MSK_SIZING_SCRIPT,
        Kind.DERIVED,
    )
    if c.brokers:
        f["brokers"] = _fig(c.brokers, "brokers", _broker_rule(c), _broker_source(c), Kind.DERIVED)
    if c.instance_type:
        f["instance_type"] = _fig(
            0,
            c.instance_type,
            "cheapest size (brokers x size units) that fits",
            _broker_source(c),
            Kind.DERIVED,
        )
    if c.volume_gib is not None and c.brokers:
        f["volume_gib"] = _fig(
            c.volume_gib, "GiB/broker", "data per broker / 0.5 disk utilisation", S.MSK_WORKBOOK, Kind.DERIVED
        )
        grown = storage_total * (1 + w.growth) / c.brokers / GIB / T.DISK_TARGET_UTILISATION
        if c.kafka == "msk-standard":
            f["autoscaling_target_pct"] = _fig(
                50,
                "%",
                "MSK storage auto-scaling target (50-60 % recommended)",
                S.MSK_AUTOEXPAND,
                Kind.RULE_OF_THUMB,
            )
            f["autoscaling_max_gib"] = _fig(
                min(T.MSK_MAX_VOLUME_GIB, math.ceil(grown)),
                "GiB/broker",
                f"volume for +{w.growth:.0%} series, at most 16,384",
                S.MSK_AUTOEXPAND,
                Kind.DERIVED,
            )
    if c.kafka in ("strimzi", "existing"):
        vcpus = _self_managed_vcpus(ld, w)
        f["kafka_vcpus_total"] = _fig(
            round(vcpus, 1), "vCPU", "(write + read / 4) / 20 MBps / 0.5", S.GCP_PLAN, Kind.RULE_OF_THUMB
        )
        f["kafka_memory_per_broker_gib"] = _fig(
            w.broker_vcpus * T.GCP_GIB_PER_VCPU, "GiB", "4 GiB per vCPU", S.GCP_PLAN, Kind.RULE_OF_THUMB
        )
        f["kafka_heap_per_broker_gb"] = _fig(
            min(T.STRIMZI_HEAP_CAP_GB, w.broker_vcpus * T.GCP_GIB_PER_VCPU * T.STRIMZI_HEAP_FRACTION),
            "GB",
            "Strimzi default heap: 50 % of the memory limit, at most 5 GB; the rest is page cache",
            S.STRIMZI_HEAP,
            Kind.DEFAULT,
        )
    if c.kafka == "msk-serverless":
        f["producer_max_record_size_bytes"] = _fig(
            c.producer_max_record_size_bytes,
            "bytes",
            "8 MiB cap - 16 KiB batch overhead",
            S.MSK_SERVERLESS_LIMITS,
            Kind.HARD,
        )
    owned = w.active_series / c.ingesters_per_zone
    f["series_per_ingester"] = _fig(
        round(owned), "series", "active series / ingesters per zone", S.INGEST_ARCH_DOC, Kind.DERIVED
    )
    f["in_memory_series_total"] = _fig(
        w.active_series * c.zones,
        "series",
        "active series x zones (every zone holds every series)",
        S.INGEST_ARCH_DOC,
        Kind.DERIVED,
    )
    f["ingester_cpu"] = _fig(
        round(owned / SERIES_PER_CORE, 2),
        "cores",
        "1 core per 300k in-memory series",
        S.MIMIR_PLANNING,
        Kind.RULE_OF_THUMB,
    )
    f["ingester_memory_gb"] = _fig(
        round(owned / SERIES_PER_CORE * GB_PER_300K * HEADROOM, 1),
        "GB",
        "2.5 GB per 300k series, +50 % headroom",
        S.MIMIR_PLANNING,
        Kind.RULE_OF_THUMB,
    )
    f["ingester_disk_gb"] = _fig(
        round(owned / SERIES_PER_CORE * DISK_GB_PER_300K * HEADROOM, 1),
        "GB",
        "5 GB per 300k series, +50 % headroom",
        S.MIMIR_PLANNING,
        Kind.RULE_OF_THUMB,
    )
    return f


def _broker_rule(c: Cluster) -> str:
    return {
        "msk-standard": "max(3, ingress / per-broker ingress, replicas / recommended, storage / 16 TiB), x3",
        "msk-express": "max(3, ingress / sustained, egress / sustained, replicas / recommended), x3",
        "strimzi": "max(3, vCPUs / vCPUs per broker, replicas / per-broker limit), x3",
    }.get(c.kafka, "")


def _broker_source(c: Cluster) -> str:
    return {"msk-standard": S.MSK_SIZING_SCRIPT, "msk-express": S.MSK_EXPRESS}.get(c.kafka, S.GCP_PLAN)


def _warnings(w: Workload, c: Cluster, ld: Load) -> list[Problem]:
    out: list[Problem] = []
    if c.kafka == "msk-serverless":
        per_partition = ld.produce_avg / max(c.ingesters_per_zone, 1) * c.retention_ms / 1000
        limit = T.SERVERLESS.default_retention_bytes_per_partition
        if per_partition > limit:
            # Serverless' default retention.bytes (250 GiB per partition) deletes by size first.
            out.append(
                Problem(
                    "retention_hours",
                    w.retention_hours,
                    f"each partition would hold {per_partition / GIB:,.0f} GiB, above MSK Serverless'"
                    " default retention.bytes of 250 GiB, which then deletes records before retention.ms",
                    "set the topic's retention.bytes to -1 (unlimited) or shorten the retention",
                )
            )
    if w.zones == 1:
        out.append(
            Problem(
                "zones",
                1,
                "one zone has no replica of the in-memory series (Grafana runs 2 or 3)",
                "use 3 in production",
            )
        )
    if w.kafka == "msk-serverless":
        out.append(
            Problem(
                "kafka",
                w.kafka,
                "MSK Serverless caps messages at 8 MiB while Mimir batches up to 16,000,000 bytes "
                "(see the batch constraint)",
                "prefer msk-standard or msk-express above a few MB/s",
            )
        )
    return out


def plan(w: Workload) -> CapacityPlan:
    """Sizes ``w``; raises :class:`~.workload.WorkloadError` with every problem of the input."""
    w.validate()
    ld = load(w)
    c = choose_cluster(w, ld)
    figures = {**ld.figures, **_cluster_figures(w, ld, c)}
    return CapacityPlan(
        w, c, figures, tuple(constraints(w, ld, c, planning=True)), tuple(_warnings(w, c, ld))
    )


def check(w: Workload, c: Cluster) -> CapacityPlan:
    """Holds a given cluster (a stack's) to the workload: the same constraints, the stack's numbers."""
    w.validate()
    ld = load(w)
    figures = {**ld.figures, **_cluster_figures(w, ld, c)}
    for name in _STACK_FIGURES:
        if name in figures:
            f = figures[name]
            figures[name] = Figure(f.value, f.unit, "the stack's value", "stack file", Kind.INPUT)
    return CapacityPlan(w, c, figures, tuple(constraints(w, ld, c)), tuple(_warnings(w, c, ld)))


#: Figures a checked stack declares itself (the others are computed from the workload as in a plan).
_STACK_FIGURES = (
    "ingesters_per_zone",
    "ingester_zones",
    "partitions",
    "replication_factor",
    "min_insync_replicas",
    "retention_hours",
    "brokers",
    "instance_type",
    "volume_gib",
)
