"""The Mimir side of a 2-zone layout against the real broker, from the rendered Helm values only.

The values come from ``plan_mimir`` (pure) for a 2-zone, 2-per-zone contract; franz-check (franz-go, set
up like Mimir's writer and reader) runs with what the ingesters get (shared config + their own flags and
the credentials Secret's variable), produces Mimir's largest record to every partition and commits as
every ingester instance ID the values imply (``<release>-ingester-zone-{a,b}-{0,1}``). Each ID's partition
(its trailing number) must exist. Negative control: a component that does not talk to Kafka (querier)
gets no credentials in the values, so the same check with its view cannot even connect.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import yaml
from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from mimir_side import component_kafka, franz_check, ingester_ids_from_values
from mimirkafka.contract.ingesters import partition_of
from mimirkafka.contract.mimir_config import SECRET_ENV_VARS
from mimirkafka.contract.model import (
    IngesterLayout,
    IngestStorageContract,
    PlainAuth,
    SecretValue,
    TopicSettings,
)
from mimirkafka.mimir import values as v
from mimirkafka.mimir.plan import MimirDeploymentArgs, plan_mimir

from testbed.devbroker import BrokerInfo

pytestmark = pytest.mark.e2e

PER_ZONE = 2


def test_two_zones_commit_as_every_ingester_the_values_imply(
    broker: BrokerInfo, admin: KafkaAdminClient, tmp_path: Path
) -> None:
    topic = f"mimir-2z-{uuid.uuid4().hex[:8]}"
    # Mimir's records need the 16,000,000-byte batch cap; the fixture broker keeps Kafka's 1 MiB default.
    admin.create_topics([NewTopic(topic, PER_ZONE, 1, topic_configs={"max.message.bytes": "16000000"})])
    contract = IngestStorageContract(
        addresses=(broker.address("sasl_plain"),),
        topic=TopicSettings(name=topic, partitions=PER_ZONE, replication_factor=1, min_insync_replicas=1),
        sasl=PlainAuth(broker.admin_user, SecretValue(broker.admin_password)),
        ingesters=IngesterLayout(zones=2, per_zone=PER_ZONE),
        consumer_group_prefix="mimir-ingester-",
        mimir_version="3.1.3",  # type: ignore[arg-type]
        kafka_version="4.1",
    )
    plan = plan_mimir(MimirDeploymentArgs(contract, settings=v.ChartSettings(env_secret_name="unused")))
    values_file = tmp_path / "mimir-values.yaml"
    values_file.write_text(yaml.safe_dump(plan.values))
    values = yaml.safe_load(values_file.read_text())

    ids = ingester_ids_from_values(values)
    assert ids == [f"mimir-ingester-zone-{z}-{i}" for z in "ab" for i in range(PER_ZONE)]
    owned = {i: partition_of(i) for i in ids}
    assert all(p is not None and p < PER_ZONE for p in owned.values()), owned

    env = {SECRET_ENV_VARS["sasl_password"]: broker.admin_password}
    fc = franz_check(values_file, env, {}, expect_partitions=PER_ZONE)
    assert fc.ok, (fc.report, fc.stderr)
    assert sorted(fc.report["committed"]) == sorted(ids), fc.report
    # Read back as the broker holds it: every ingester's group has an offset for the partition it owns.
    offsets = admin.list_group_offsets(list(owned))
    for group, partition in owned.items():
        committed = {tp.partition: meta.offset for tp, meta in offsets[group].items() if tp.topic == topic}
        assert committed.get(partition, -1) >= 1, (group, committed)

    # The querier loads the same shared config but gets neither the mechanism nor the username, and no
    # Secret: its ${VAR} expands to "" as Mimir expands an unset variable, so SASL is off in that pod
    # (PLAIN with no username nor password) and the broker's SASL listener does not let it in.
    querier = component_kafka(values, "querier")
    assert "sasl_mechanism" not in querier and "sasl_username" not in querier
    assert "querier" not in values  # no env, volume or Secret reference for it
    no_secret = {SECRET_ENV_VARS["sasl_password"]: ""}
    fc = franz_check(values_file, no_secret, {}, instance_ids=[], component="querier", timeout_s=30)
    assert not fc.ok and fc.stage == "metadata", fc.report
