"""Published per-broker and per-cluster limits of the Kafka offerings the planner sizes.

Values from the AWS pages and AWS's own sizing script, Google Cloud's and Strimzi's documentation; each
table names its source, a constant of :mod:`mimirkafka.capacity.sources` (``S.<NAME>``).
"""

from __future__ import annotations

from dataclasses import dataclass

from mimirkafka.capacity import sources as S


@dataclass(frozen=True)
class StandardBroker:
    """An MSK Standard broker size. Partitions count leader and follower replicas."""

    name: str
    #: Relative size (large = 1): on-demand prices scale with it inside a family, so it ranks cost.
    size_units: int
    recommended_partitions: int
    max_partitions: int
    #: EC2->EBS bandwidth and NIC bandwidth, MiB/s (AWS msk_sizing.py INSTANCE_SPECS).
    ebs_mibps: float
    nic_mibps: float
    #: Provisioned storage throughput ceiling, MiB/s; None when the size cannot provision it.
    provisioned_mibps: float | None


#: Partitions (S.MSK_BEST_PRACTICES; "recommended" is not enforced, "max" bounds update operations),
#: bandwidths (S.MSK_SIZING_SCRIPT, INSTANCE_SPECS) and provisioned throughput (S.MSK_STORAGE_THROUGHPUT).
STANDARD_BROKERS: dict[str, StandardBroker] = {
    b.name: b
    for b in (
        StandardBroker("kafka.m5.large", 1, 1000, 1500, 81, 96, None),
        StandardBroker("kafka.m5.xlarge", 2, 1000, 1500, 144, 160, None),
        StandardBroker("kafka.m5.2xlarge", 4, 2000, 3000, 250, 320, None),
        StandardBroker("kafka.m5.4xlarge", 8, 4000, 6000, 593.75, 640, 593),
        StandardBroker("kafka.m5.8xlarge", 16, 4000, 6000, 850, 1280, 850),
        StandardBroker("kafka.m5.12xlarge", 24, 4000, 6000, 1000, 1536, 1000),
        StandardBroker("kafka.m5.16xlarge", 32, 4000, 6000, 1000, 2560, 1000),
        StandardBroker("kafka.m5.24xlarge", 48, 4000, 4000, 1000, 3200, 1000),
        StandardBroker("kafka.m7g.large", 1, 1000, 1500, 78.75, 117, None),
        StandardBroker("kafka.m7g.xlarge", 2, 1000, 1500, 156.25, 234, None),
        StandardBroker("kafka.m7g.2xlarge", 4, 2000, 3000, 312.5, 469, 312.5),
        StandardBroker("kafka.m7g.4xlarge", 8, 4000, 6000, 625, 937, 625),
        StandardBroker("kafka.m7g.8xlarge", 16, 4000, 6000, 1000, 1875, 1000),
        StandardBroker("kafka.m7g.12xlarge", 24, 4000, 6000, 1000, 2812, 1000),
        StandardBroker("kafka.m7g.16xlarge", 32, 4000, 6000, 1000, 3750, 1000),
    )
}
#: The sizes the planner picks from when none is given: Graviton (m7g), AWS's current generation.
STANDARD_CANDIDATES = tuple(n for n in STANDARD_BROKERS if n.startswith("kafka.m7g."))

#: S.MSK_STORAGE_THROUGHPUT: a volume's default throughput ceiling without provisioning.
DEFAULT_VOLUME_MIBPS = 250.0
#: S.MSK_SIZING_SCRIPT: EBS traffic per MiB/s of client ingress, sized for one AZ down:
#: 1.5 ingress + 1.5 replication in + 0.5 lagging consumers + 3.0 rebalancing.
EBS_FACTOR = 6.5
#: S.MSK_SIZING_SCRIPT: NIC egress per MiB/s of ingress besides consumers: 2.2 replication out + 0.5
#: lagging + 3.0 rebalancing; each consumer group adds 1.5.
NIC_BASE_FACTOR = 5.7
NIC_PER_CONSUMER_GROUP = 1.5
#: S.MSK_WORKBOOK (MSK workbook defaults): plan Standard brokers for 50 % utilisation at peak, Express 75 %.
STANDARD_UTILISATION = 0.5
EXPRESS_UTILISATION = 0.75
#: S.MSK_LIMITS: storage per Standard broker, GiB.
MSK_MIN_VOLUME_GIB = 1
MSK_MAX_VOLUME_GIB = 16_384
#: S.MSK_AUTOEXPAND: target 10-80 %, 50-60 % recommended; S.MSK_WORKBOOK plans disks 50 % full.
DISK_TARGET_UTILISATION = 0.5
#: S.MSK_LIMITS: brokers per cluster (KRaft), adjustable quota.
MSK_BROKERS_PER_CLUSTER = 60


def standard_ingress_mibps(b: StandardBroker, consumer_groups: int, provisioned: bool) -> float:
    """Sustainable client ingress of one Standard broker at 100 % (AWS msk_sizing.py), MiB/s."""
    storage = (
        (b.provisioned_mibps or DEFAULT_VOLUME_MIBPS)
        if provisioned
        else min(b.ebs_mibps, DEFAULT_VOLUME_MIBPS)
    )
    return min(
        storage / EBS_FACTOR, b.nic_mibps / (consumer_groups * NIC_PER_CONSUMER_GROUP + NIC_BASE_FACTOR)
    )


@dataclass(frozen=True)
class ExpressBroker:
    name: str
    size_units: int
    #: MBps; above "sustained" performance degrades, at "max" MSK throttles.
    sustained_ingress: float
    max_ingress: float
    sustained_egress: float
    max_egress: float
    #: Partitions incl. replicas (always 3 on Express).
    recommended_partitions: int
    max_partitions: int


#: S.MSK_EXPRESS (MSK Express best practices) and the Express quotas of S.MSK_LIMITS.
EXPRESS_BROKERS: dict[str, ExpressBroker] = {
    b.name: b
    for b in (
        ExpressBroker("express.m7g.large", 1, 15.6, 23.4, 31.2, 58.5, 1000, 1500),
        ExpressBroker("express.m7g.xlarge", 2, 31.2, 46.8, 62.5, 117, 1000, 2000),
        ExpressBroker("express.m7g.2xlarge", 4, 62.5, 93.7, 125, 234.2, 2500, 4000),
        ExpressBroker("express.m7g.4xlarge", 8, 124.9, 187.5, 249.8, 468.7, 6000, 8000),
        ExpressBroker("express.m7g.8xlarge", 16, 250, 375, 500, 937.5, 12000, 16000),
        ExpressBroker("express.m7g.12xlarge", 24, 375, 562.5, 750, 1406.2, 16000, 24000),
        ExpressBroker("express.m7g.16xlarge", 32, 500, 750, 1000, 1875, 20000, 32000),
    )
}


@dataclass(frozen=True)
class ServerlessQuotas:
    """S.MSK_SERVERLESS_LIMITS: MSK Serverless per-cluster quotas (MBps as AWS writes them)."""

    max_ingress_mbps: float = 200
    max_egress_mbps: float = 400
    partition_ingress_mbps: float = 5
    partition_egress_mbps: float = 10
    partitions: int = 2400
    consumer_groups: int = 500
    max_message_bytes: int = 8_388_608
    #: Default retention.bytes per partition (-1 = unlimited can be set).
    default_retention_bytes_per_partition: int = 250 * 1024**3


SERVERLESS = ServerlessQuotas()

#: S.GCP_PLAN (Google Cloud "Plan cluster size"): MBps of write-equivalent traffic one vCPU carries, the start
#: utilisation and RAM per vCPU.
GCP_MBPS_PER_VCPU = 20.0
GCP_UTILISATION = 0.5
GCP_GIB_PER_VCPU = 4
#: S.STRIMZI_HEAP: the broker heap is 50 % of the memory limit, capped at 5 GB, when only memory is set.
STRIMZI_HEAP_FRACTION = 0.5
STRIMZI_HEAP_CAP_GB = 5

TABLE_SOURCES = {
    "standard-partitions": S.MSK_BEST_PRACTICES,
    "standard-throughput": S.MSK_SIZING_SCRIPT,
    "express": S.MSK_EXPRESS,
    "serverless": S.MSK_SERVERLESS_LIMITS,
    "self-managed": S.GCP_PLAN,
}
