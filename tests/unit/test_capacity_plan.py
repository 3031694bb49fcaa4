"""The planner, checked by hand against its sources (numbers worked out in the comments), at the edges of
the MSK Serverless and Express tables, and by properties that must hold for any workload."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mimirkafka.capacity.measure import SeriesShape
from mimirkafka.capacity.plan import Cluster, check, plan
from mimirkafka.capacity.workload import Workload, WorkloadError

GB = 1e9
GIB = 1024**3


def binding(p):
    b = p.binding
    assert b is not None
    return b


# --- worked examples against the Helm sizing plans (grafana/mimir@01a95f5: small.yaml / large.yaml) ---


def test_1m_series_matches_the_helm_small_plan() -> None:
    p = plan(Workload(1_000_000, kafka="msk-standard"))
    f = p.figures
    # small.yaml header: ~1M series at 15 s = ~66,000 samples/s.
    assert f["samples_per_s"].value == 66_667
    # small.yaml runs 3 ingesters = 1 per zone over 3 zones; ceil(1M / 1.5M) = 1.
    assert p.cluster.ingesters_per_zone == 1 and f["ingesters_total"].value == 3
    # 1M series per ingester: 1 core / 300k -> 3.33 cores (small.yaml requests 3.5 CPU);
    # 2.5 GB / 300k -> 8.33 GB, +50 % = 12.5 GB (small.yaml: 8 Gi request, 12 Gi = 12.9 GB limit);
    # 5 GB / 300k -> 16.7 GB, +50 % = 25 GB (small.yaml: 50 Gi PV).
    assert f["ingester_cpu"].value == pytest.approx(3.33, abs=0.01)
    assert 8 * GIB / GB <= f["ingester_memory_gb"].value <= 12 * GIB / GB
    assert f["ingester_memory_gb"].value == 12.5
    assert f["ingester_disk_gb"].value == 25.0 <= 50 * GIB / GB
    # Kafka: 66,667 samples/s x 48.7 B (measured with franz-go, v2, default shape) = 3.25 MB/s; 3 brokers
    # is the floor.
    assert f["produce_mbps"].value == pytest.approx(3.25, abs=0.01)
    assert p.cluster.brokers == 3 and p.cluster.instance_type == "kafka.m7g.large"
    # 3.247 MB/s x 86,400 s x RF 3 / 3 brokers = 261.3 GiB per broker, at 50 % -> 523 GiB.
    assert p.cluster.volume_gib == 523
    assert p.feasible


def test_10m_series_against_the_helm_large_plan() -> None:
    p = plan(Workload(10_000_000, kafka="msk-standard"))
    f = p.figures
    assert f["samples_per_s"].value == 666_667  # large.yaml: ~660,000 samples/s
    # ceil(10M / 1.5M) = 7 per zone = 21 ingesters of 1.43M series; large.yaml runs 27 of 1.11M series
    # (RF 3 over 27). In total cores: 21 x 4.76 = 100 vs large.yaml's 27 x 3.5 = 94.5 requested.
    assert p.cluster.ingesters_per_zone == 7
    total_cores = f["ingesters_total"].value * f["ingester_cpu"].value
    assert total_cores == pytest.approx(27 * 3.5, rel=0.07)
    # With large.yaml's own density (10M x 3 / 27 series per ingester) the planner gives its 27 ingesters,
    # and each one's memory without headroom, 9.26 GB, sits between its 8 Gi request and 12 Gi limit.
    helm = plan(Workload(10_000_000, series_per_ingester=math.ceil(30_000_000 / 27)))
    assert helm.figures["ingesters_total"].value == 27
    no_headroom = helm.figures["ingester_memory_gb"].value / 1.5
    assert 8 * GIB / GB <= no_headroom <= 12 * GIB / GB
    # Kafka by hand (AWS msk_sizing.py): m7g.large carries min(78.75 / 6.5, 117 / (3 x 1.5 + 5.7)) x 0.5
    # = 5.735 MiB/s; 666,667 x 48.7 B = 32.47 MB/s = 30.96 MiB/s needs 5.4 -> 6 brokers (6 size units).
    # m7g.xlarge carries min(156.25 / 6.5, 234 / 10.2) x 0.5 = 11.47 -> 2.7 -> 3 brokers (also 6 units):
    # the tie goes to fewer brokers, 3 x kafka.m7g.xlarge at 90 % of their ingress.
    assert (p.cluster.brokers, p.cluster.instance_type) == (3, "kafka.m7g.xlarge")
    assert binding(p).name == "ingress per kafka.m7g.xlarge broker at 50 % utilisation"
    assert binding(p).limit == pytest.approx(11.471, abs=0.001)
    assert binding(p).utilisation == pytest.approx(0.90, abs=0.005)
    # 32.47 MB/s x 86,400 x 3 / 3 = 2612.5 GiB per broker -> 5225 GiB at 50 %; growth x2 -> 10450 max.
    assert p.cluster.volume_gib == 5225 and f["autoscaling_max_gib"].value == 10450
    # Partitions: 7 today, reserved for 2x series = ceil(20M / 1.5M) = 14.
    assert p.cluster.partitions == 14


# --- MSK Serverless feasibility edges (limits.html#serverless-quota) ---


def serverless(**kw: object) -> Workload:
    base: dict[str, object] = dict(active_series=20_000_000, kafka="msk-serverless", bytes_per_sample=100.0)
    base.update(kw)
    return Workload(**base)  # type: ignore[arg-type]


def test_serverless_three_zones_cap_produce_at_133_mbps() -> None:
    # 3 zones read every record: produce x 3 <= 400 MBps egress, so produce <= 133.3 MBps.
    ok = plan(serverless(samples_per_second=1_333_333))  # 133.3333 MB/s -> 399.9999 MBps out
    assert ok.feasible
    egress = next(c for c in ok.constraints if c.name == "Serverless cluster egress")
    assert egress.value == pytest.approx(399.9999) and egress.ok
    over = plan(serverless(samples_per_second=1_340_000))  # 134 MB/s -> 402 MBps out
    assert not over.feasible and binding(over).name == "Serverless cluster egress"
    # Two zones read less: the same produce fits (268 MBps out) but 200 MBps in is still the cap.
    assert plan(serverless(samples_per_second=1_340_000, zones=2)).feasible
    assert not plan(serverless(samples_per_second=2_010_000, zones=2)).feasible


def test_serverless_partition_throughput_sets_the_ingesters() -> None:
    # 3 zones: each partition in use may take min(5 MBps in, 10 MBps out / 3) = 3.33 MBps of produce.
    p = plan(serverless(samples_per_second=1_000_000))  # 100 MB/s -> ceil(100 / 3.333) = 30 per zone
    assert p.cluster.ingesters_per_zone == 30
    per_partition = next(c for c in p.constraints if c.name == "Serverless egress per partition")
    assert per_partition.value == pytest.approx(10.0) and per_partition.ok


def test_serverless_consumer_groups_edge() -> None:
    # One consumer group per ingester: 166 per zone x 3 = 498 <= 500; 167 x 3 = 501 > 500.
    kw = dict(series_per_ingester=10_000, bytes_per_sample=1.0, growth=0.0)
    assert plan(serverless(active_series=1_660_000, **kw)).feasible
    p = plan(serverless(active_series=1_670_000, **kw))
    assert not p.feasible and binding(p).name == "Serverless consumer groups"


def test_serverless_partition_quota_edge() -> None:
    # 120 ingesters per zone today, room for +1900 %: 1.2M x 20 / 10k = 2400 partitions, the quota.
    kw = dict(active_series=1_200_000, series_per_ingester=10_000, bytes_per_sample=1.0)
    assert plan(serverless(growth=19.0, **kw)).cluster.partitions == 2400
    assert plan(serverless(growth=19.0, **kw)).feasible
    assert not plan(serverless(growth=19.01, **kw)).feasible


def test_serverless_full_batch_fit_depends_on_the_measured_ratio() -> None:
    # Record version 2 with 1000-series records: franz-go compresses them 65.2 / 32.1 = 2.03x, so a full
    # 16,000,000-byte batch is 7,877,361 bytes on the wire: it fits 8 MiB, at 94 % (1.91x is the edge).
    big_v2 = plan(serverless(bytes_per_sample=None, shape=SeriesShape(12, 24, 1000), record_version=2))
    fit = next(c for c in big_v2.constraints if c.name.startswith("full 16,000,000-byte batch"))
    assert fit.value == pytest.approx(7_877_361, abs=2) and fit.ok
    assert fit.utilisation == pytest.approx(0.939, abs=0.001)
    # Version 1 records compress 6.5x: 2.5 MB, a third of the cap.
    v1 = plan(serverless(bytes_per_sample=None, shape=SeriesShape(12, 24, 1000), record_version=1))
    fit1 = next(c for c in v1.constraints if c.name.startswith("full 16,000,000-byte batch"))
    assert fit1.utilisation == pytest.approx(16_000_000 / (421.6 / 64.9) / 8_388_608, abs=0.001)
    # A topic capped lower than the compressed batch refuses it: Confluent-like 4 MiB cap, plan infeasible.
    capped = plan(serverless(bytes_per_sample=None, kafka="existing", max_message_bytes=4 * 1024 * 1024))
    assert not capped.feasible and binding(capped).name.startswith("full 16,000,000-byte batch")
    # The plan lowers Mimir's record size to fit 8 MiB with Mimir's 16 KiB margin.
    assert v1.cluster.producer_max_record_size_bytes == 8_388_608 - 16_384


# --- MSK Express table boundaries (bestpractices-express.html) ---


def express(samples: int, **kw: object) -> Workload:
    base: dict[str, object] = dict(
        active_series=1_000_000,
        samples_per_second=samples,
        bytes_per_sample=100.0,
        kafka="msk-express",
        zones=2,
    )
    base.update(kw)
    return Workload(**base)  # type: ignore[arg-type]


def test_express_large_sustained_ingress_and_egress_boundaries() -> None:
    # 468,000 samples/s x 100 B = 46.8 MB/s = 3 x 15.6 (sustained ingress of express.m7g.large); 2 zones
    # read 93.6 MB/s = 3 x 31.2 (sustained egress). Exactly 3 brokers.
    at = plan(express(468_000, instance_type="express.m7g.large"))
    assert at.cluster.brokers == 3
    assert binding(at).utilisation == pytest.approx(1.0)
    # One more sample/s needs a 4th broker, rounded up to 6 (3 AZs).
    assert plan(express(468_001, instance_type="express.m7g.large")).cluster.brokers == 6
    # Left to choose, 6 x large (6 size units) ties with 3 x xlarge (6): the fewer brokers win.
    auto = plan(express(468_001))
    assert (auto.cluster.instance_type, auto.cluster.brokers) == ("express.m7g.xlarge", 3)


def test_express_partition_table_boundary() -> None:
    # express.m7g.large recommends 1000 partition replicas (3 per partition): 3 brokers hold 1000 partitions.
    kw = dict(series_per_ingester=10_000, growth=0.0, instance_type="express.m7g.large")
    assert plan(express(1000, active_series=10_000_000, **kw)).cluster.brokers == 3
    assert plan(express(1000, active_series=10_010_000, **kw)).cluster.brokers == 6


def test_check_flags_a_stack_over_the_express_max_quota() -> None:
    w = express(750_000, zones=2)  # 75 MB/s over 3 brokers = 25 MBps each > 23.4 max
    c = Cluster("msk-express", 2, 4, 8, 3, 2, 86_400_000, brokers=3, instance_type="express.m7g.large")
    p = check(w, c)
    failed = [x.name for x in p.constraints if x.hard and not x.ok]
    assert "ingress per express.m7g.large (max)" in failed and not p.feasible


# --- input errors ---


def test_bad_workload_lists_every_problem_by_field() -> None:
    with pytest.raises(WorkloadError) as e:
        plan(Workload(0, zones=5, kafka="msk", peak_factor=0.5))
    assert e.value.settings() == ["active_series", "peak_factor", "zones", "kafka"]
    with pytest.raises(WorkloadError) as e:
        plan(Workload(1_000_000, kafka="strimzi", instance_type="kafka.m7g.large"))
    assert e.value.settings() == ["instance_type"]


# --- properties ---

series = st.integers(min_value=10_000, max_value=200_000_000)
KINDS = ("msk-standard", "msk-express", "msk-serverless", "strimzi", "existing")


def _units(p) -> float:
    from mimirkafka.capacity.tables import EXPRESS_BROKERS, STANDARD_BROKERS

    c = p.cluster
    if c.brokers is None:
        return 0
    table = {**STANDARD_BROKERS, **EXPRESS_BROKERS}
    return c.brokers * (table[c.instance_type].size_units if c.instance_type else 1)


@settings(max_examples=40, deadline=None)
@given(a=series, b=series, kind=st.sampled_from(KINDS), zones=st.sampled_from((2, 3)))
def test_more_series_never_fewer_partitions_brokers_or_storage(a: int, b: int, kind: str, zones: int) -> None:
    small, large = sorted((a, b))
    p, q = plan(Workload(small, kafka=kind, zones=zones)), plan(Workload(large, kafka=kind, zones=zones))
    assert q.cluster.partitions >= p.cluster.partitions
    assert q.cluster.ingesters_per_zone >= p.cluster.ingesters_per_zone
    assert q.figures["storage_total_gib"].value >= p.figures["storage_total_gib"].value
    # The cheapest broker size may change with the load, so compare capacity (brokers x size units).
    assert _units(q) >= _units(p)
    for x in (p, q):
        assert x.cluster.partitions >= x.cluster.ingesters_per_zone
        if x.cluster.volume_gib is not None and x.cluster.brokers:
            data = x.figures["storage_total_gib"].value
            assert x.cluster.volume_gib * x.cluster.brokers >= data


@settings(max_examples=25, deadline=None)
@given(a=series, b=series)
def test_fixed_broker_size_never_gets_fewer_brokers(a: int, b: int) -> None:
    small, large = sorted((a, b))
    w = dict(kafka="msk-standard", instance_type="kafka.m7g.4xlarge")
    assert plan(Workload(large, **w)).cluster.brokers >= plan(Workload(small, **w)).cluster.brokers  # type: ignore[arg-type, operator]


def test_existing_kafka_with_an_8_mib_cap_lowers_the_record_size() -> None:
    p = plan(Workload(5_000_000, kafka="existing", max_message_bytes=8_388_608))
    assert p.feasible and p.cluster.producer_max_record_size_bytes == 8_388_608 - 16_384
    assert p.cluster.brokers is None  # an existing cluster's brokers are not the plan's to size
    assert p.figures["kafka_vcpus_total"].kind.value == "rule of thumb"
