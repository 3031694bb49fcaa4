"""MSK version lifecycle and storage (pure plan, plus the autoscaling resources under Pulumi mocks)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from mimirkafka.contract import KafkaFlavor, msk_iam, scram_over_tls
from mimirkafka.contract.flavors import MSK_VERSION_SUPPORT, msk_version_status
from mimirkafka.kafka import msk_plan as plan
from mimirkafka.kafka.msk import MskKafka, MskKafkaArgs
from mimirkafka.kafka.msk_plan import StorageAutoscaling
from mimirkafka.kafka.protection import DeployedTopic
from mocks import RecordingMocks, run_program

TODAY = dt.date(2026, 11, 29)
SUBNETS = ["subnet-a", "subnet-b", "subnet-c"]


def _args(version: str = "3.9", express: bool = False, **kw):
    if express:
        c = msk_iam("placeholder:9098", socket_path="/run/msk-iam/creds.sock", express=True)
        c = dataclasses.replace(c, kafka_version=version)
        kw.setdefault("instance_type", "express.m7g.large")
    else:
        c = scram_over_tls(
            ["p:9096"], "mimir", None, flavor=KafkaFlavor.MSK_PROVISIONED, kafka_version=version
        )
    kw.setdefault("client_security_group_ids", ["sg"])
    return MskKafkaArgs(contract=c, vpc_id="vpc", subnet_ids=SUBNETS, cluster_name="mimir", **kw)


def test_table_dates_are_the_ones_read_from_aws():
    assert MSK_VERSION_SUPPORT["3.6"].end_of_support == dt.date(2026, 6, 1)
    assert MSK_VERSION_SUPPORT["3.8"].end_of_support is None


@pytest.mark.parametrize(
    ("mm", "today", "status"),
    [
        ("3.6", dt.date(2026, 6, 1), "ended"),  # on the day itself
        ("3.6", dt.date(2026, 5, 31), "ending"),
        ("3.6", dt.date(2025, 11, 1), "supported"),  # 212 days before: outside the 183-day window
        ("3.7", dt.date(2026, 2, 1), "supported"),
        ("3.7", dt.date(2026, 3, 5), "ending"),
        ("3.9", TODAY, "supported"),
        ("9.9", TODAY, "unknown"),
    ],
)
def test_version_status(mm, today, status):
    assert msk_version_status(mm, today)[0] == status


def test_new_cluster_past_end_of_support_is_refused_with_the_supported_versions():
    with pytest.raises(plan.MskConfigError) as info:
        plan.plan_msk(_args("3.6"), today=TODAY)
    (p,) = info.value.problems
    assert p.setting == "contract.kafka_version" and "2026-06-01" in p.message
    assert "'3.8'" in p.fix and "'3.9'" in p.fix and "3.6" not in p.fix.split(":")[1].split("(")[0]


def test_existing_cluster_past_end_of_support_is_a_warning_only():
    p = plan.plan_msk(_args("3.7", previous=DeployedTopic("mimir-ingest", 16, "mimir")), today=TODAY)
    assert any("ended support" in w.message and "2026-09-01" in w.message for w in p.warnings)


def test_within_six_months_warns():
    p = plan.plan_msk(_args("3.7"), today=dt.date(2026, 4, 1))
    assert any("ends support" in w.message for w in p.warnings)
    assert p.kafka_version == "3.7.x.kraft"


def test_current_version_has_no_version_warning():
    p = plan.plan_msk(_args("4.1"), today=TODAY)
    assert p.kafka_version == "4.1.x.kraft"
    assert not [w for w in p.warnings if w.setting == "contract.kafka_version"]


@pytest.mark.parametrize(
    "kw",
    [
        {"volume_size_gib": 500},
        {"storage_autoscaling": StorageAutoscaling(2000)},
        {"provisioned_throughput_mibps": 300},
    ],
)
def test_express_refuses_storage_inputs_by_name(kw):
    with pytest.raises(plan.MskConfigError, match="Express manages broker storage") as info:
        plan.plan_msk(_args(express=True, **kw), today=TODAY)
    assert info.value.settings() == list(kw)


@pytest.mark.parametrize(
    ("kw", "settings"),
    [
        ({"volume_size_gib": 0}, ["volume_size_gib"]),
        ({"volume_size_gib": 16_385}, ["volume_size_gib"]),
        ({"storage_autoscaling": StorageAutoscaling(900)}, ["storage_autoscaling.max_volume_size_gib"]),
        ({"storage_autoscaling": StorageAutoscaling(20_000)}, ["storage_autoscaling.max_volume_size_gib"]),
        (
            {"storage_autoscaling": StorageAutoscaling(2000, target_utilization_percent=90)},
            ["storage_autoscaling.target_utilization_percent"],
        ),
        ({"provisioned_throughput_mibps": 300}, ["provisioned_throughput_mibps"]),  # m7g.large cannot
        (
            {"instance_type": "kafka.m7g.2xlarge", "provisioned_throughput_mibps": 400},  # cap 312.5
            ["provisioned_throughput_mibps"],
        ),
    ],
)
def test_storage_bounds(kw, settings):
    with pytest.raises(plan.MskConfigError) as info:
        plan.plan_msk(_args(**kw), today=TODAY)
    assert info.value.settings() == settings


def test_every_problem_is_reported_at_once():
    args = _args("3.6", volume_size_gib=0, broker_count=4, client_security_group_ids=[])
    with pytest.raises(plan.MskConfigError) as info:
        plan.plan_msk(args, today=TODAY)
    assert set(info.value.settings()) == {
        "contract.kafka_version",
        "volume_size_gib",
        "broker_count",
        "client_cidr_blocks/client_security_group_ids",
    }


def test_autoscaling_and_throughput_resources():
    args = _args(
        instance_type="kafka.m7g.4xlarge",
        volume_size_gib=1000,
        storage_autoscaling=StorageAutoscaling(4000, 55),
        provisioned_throughput_mibps=500,
    )
    run = run_program(lambda: MskKafka("msk", args).endpoint.to_outputs())
    cluster = run.one("aws:msk/cluster:Cluster")
    ebs = cluster.inputs["brokerNodeGroupInfo"]["storageInfo"]["ebsStorageInfo"]
    assert ebs["volumeSize"] == 1000
    assert ebs["provisionedThroughput"] == {"enabled": True, "volumeThroughput": 500}
    assert "brokerNodeGroupInfo.storageInfo.ebsStorageInfo.volumeSize" in cluster.ignore_changes
    target = run.one("aws:appautoscaling/target:Target")
    assert target.inputs["serviceNamespace"] == "kafka"
    assert target.inputs["scalableDimension"] == "kafka:broker-storage:VolumeSize"
    assert target.inputs["resourceId"] == cluster.outputs["arn"]
    assert target.inputs["maxCapacity"] == 4000 and target.inputs["minCapacity"] == 1
    policy = run.one("aws:appautoscaling/policy:Policy")
    cfg = policy.inputs["targetTrackingScalingPolicyConfiguration"]
    assert policy.inputs["policyType"] == "TargetTrackingScaling"
    assert cfg["predefinedMetricSpecification"] == {"predefinedMetricType": "KafkaBrokerStorageUtilization"}
    assert cfg["targetValue"] == 55


def test_refused_version_registers_nothing():
    mocks = RecordingMocks()
    with pytest.raises(plan.MskConfigError):
        run_program(lambda: MskKafka("msk", _args("3.6")), mocks=mocks)
    assert mocks.resources == []
