"""Kafka-side requirements per flavor: the broker/topic accept Mimir's batches, ACLs are least privilege."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, replace
from pathlib import Path

import pytest
from mimirkafka.contract import (
    FLAVORS,
    PRODUCER_BATCH_MAX_BYTES,
    AclRule,
    ContractError,
    KafkaFlavor,
    SaslMechanism,
    kafka_requirements,
    msk_iam_actions,
    msk_iam_resource_names,
)
from test_contract_cases import CASES

GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_kafka_requirements(name: str) -> None:
    req = kafka_requirements(CASES[name]())
    text = json.dumps(asdict(req), indent=2, sort_keys=True, default=str) + "\n"
    path = GOLDEN / f"{name}.kafka.json"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(CASES))
def test_kafka_accepts_mimirs_largest_batch(name: str) -> None:
    c = CASES[name]()
    req = kafka_requirements(c)
    traits = FLAVORS[c.flavor]
    cap = traits.max_message_bytes_cap
    # Mimir's whole batch, or as much as the flavor's cap allows (MSK Serverless, Confluent Cloud: 8 MiB).
    needed = PRODUCER_BATCH_MAX_BYTES if cap is None else min(cap, PRODUCER_BATCH_MAX_BYTES)
    limit = req.broker_config.get(traits.broker_batch_property) or req.topic_config.get("max.message.bytes")
    if limit is None:  # the flavor's own default must then be large enough (WarpStream: 64 MB)
        assert (traits.default_max_message_bytes or 0) >= PRODUCER_BATCH_MAX_BYTES
    else:
        assert int(limit) >= needed
        assert cap is None or int(limit) <= cap, "a value above the cap would be refused by the cluster"
    # and the record Mimir writes fits under that limit
    assert c.producer_max_record_size_bytes < int(limit or traits.default_max_message_bytes or 0)
    assert all(isinstance(v, str) for v in {**req.broker_config, **req.topic_config}.values())


def test_apache_broker_and_topic_config() -> None:
    req = kafka_requirements(CASES["scram512_tls"]())
    assert req.broker_config == {
        "message.max.bytes": "16000000",
        "replica.fetch.max.bytes": "16000000",
        "auto.create.topics.enable": "false",
        "default.replication.factor": "3",
        "min.insync.replicas": "2",
    }
    assert req.topic_config == {
        "max.message.bytes": "16000000",
        "min.insync.replicas": "2",
        "retention.ms": "86400000",
        "cleanup.policy": "delete",
    }
    assert (req.partitions, req.replication_factor, req.topic) == (32, 3, "mimir-ingest")
    assert req.mechanism is SaslMechanism.SCRAM_SHA_512 and req.tls and not req.mtls
    assert req.username == "mimir" and req.principal == "User:mimir"


def test_scram_acls_are_least_privilege() -> None:
    acls = kafka_requirements(CASES["scram512_tls"]()).acls
    p = "User:mimir"
    assert acls == [
        AclRule("Topic", "Literal", "mimir-ingest", "Write", p),
        AclRule("Topic", "Literal", "mimir-ingest", "Read", p),
        AclRule("Topic", "Literal", "mimir-ingest", "Describe", p),
        AclRule("Group", "Prefixed", "ingester-", "Read", p),
        AclRule("Group", "Prefixed", "ingester-", "Describe", p),
    ]


def test_auto_create_adds_topic_and_cluster_create() -> None:
    req = kafka_requirements(CASES["redpanda_scram256"]())
    ops = {(a.resource_type, a.operation) for a in req.acls}
    assert ("Topic", "Create") in ops and ("Cluster", "Create") in ops
    cluster = [a for a in req.acls if a.resource_type == "Cluster"]
    assert [a.resource_name for a in cluster] == ["kafka-cluster"]


def test_mtls_principal_and_block_builder_group() -> None:
    req = kafka_requirements(CASES["mtls_strimzi"]())
    assert req.mtls and req.mechanism is None and req.principal == "User:CN=mimir"
    groups = {(a.pattern_type, a.resource_name) for a in req.acls if a.resource_type == "Group"}
    assert groups == {("Prefixed", "ingester-"), ("Literal", "block-builder")}


def test_msk_iam_has_no_kafka_acls_but_iam_actions() -> None:
    c = CASES["msk_iam_static"]()
    req = kafka_requirements(c)
    assert req.acls == [] and req.principal is None and req.mechanism is SaslMechanism.AWS_MSK_IAM
    actions = msk_iam_actions(c)
    assert actions["cluster"] == ["kafka-cluster:Connect", "kafka-cluster:DescribeCluster"]
    assert {"kafka-cluster:WriteData", "kafka-cluster:ReadData", "kafka-cluster:DescribeTopic"} <= set(
        actions["topic"]
    )
    assert "kafka-cluster:CreateTopic" not in actions["topic"]
    assert "kafka-cluster:WriteDataIdempotently" not in [a for acts in actions.values() for a in acts]
    assert actions["group"] == ["kafka-cluster:DescribeGroup", "kafka-cluster:AlterGroup"]
    assert "kafka-cluster:CreateTopic" in msk_iam_actions(replace(c, auto_create_topic_enabled=True))["topic"]
    assert msk_iam_resource_names(c) == {"topic": ["mimir-ingest"], "group": ["ingester-*"]}


def test_msk_serverless_topic_only_and_capped() -> None:
    req = kafka_requirements(CASES["msk_serverless"]())
    assert req.broker_config == {}
    assert req.topic_config == {
        "max.message.bytes": "8388608",
        "retention.ms": "86400000",
        "cleanup.policy": "delete",
    }
    assert req.min_message_bytes == 8_388_608
    assert any("8 MiB" in w for w in req.warnings)


def test_msk_express_omits_fixed_settings() -> None:
    req = kafka_requirements(CASES["no_sasl_msk_tls"]())
    assert "default.replication.factor" not in req.broker_config
    assert "min.insync.replicas" not in req.broker_config and "min.insync.replicas" not in req.topic_config
    assert req.broker_config["message.max.bytes"] == "16000000"


def test_redpanda_uses_its_cluster_properties() -> None:
    req = kafka_requirements(CASES["redpanda_scram256"]())
    assert req.broker_config == {
        "kafka_batch_max_bytes": "16000000",
        "auto_create_topics_enabled": "true",
        "default_topic_replications": "3",
    }
    assert "min.insync.replicas" not in req.topic_config
    assert req.mechanism is SaslMechanism.SCRAM_SHA_256


def test_warpstream_sets_nothing_cluster_wide() -> None:
    req = kafka_requirements(CASES["warpstream"]())
    assert req.broker_config == {} and req.topic_config == {"retention.ms": "86400000"}
    assert req.principal == "User:ccun_mimir"


def test_requirements_refuse_an_invalid_contract() -> None:
    with pytest.raises(ContractError, match="SCRAM-SHA-256"):
        kafka_requirements(replace(CASES["msk_scram"](), sasl=replace(CASES["msk_scram"]().sasl, sha=256)))


def test_flavor_table_matches_the_references() -> None:
    assert FLAVORS[KafkaFlavor.MSK_SERVERLESS].mechanisms == {SaslMechanism.AWS_MSK_IAM}
    assert FLAVORS[KafkaFlavor.MSK_PROVISIONED].ports["iam"] >= {9098}
    assert FLAVORS[KafkaFlavor.MSK_PROVISIONED].ports["scram"] >= {9096}
    assert FLAVORS[KafkaFlavor.MSK_PROVISIONED].ports["tls"] >= {9094}
    for f in (KafkaFlavor.MSK_PROVISIONED, KafkaFlavor.MSK_EXPRESS):
        assert SaslMechanism.SCRAM_SHA_256 not in FLAVORS[f].mechanisms
        assert SaslMechanism.PLAIN not in FLAVORS[f].mechanisms
    assert FLAVORS[KafkaFlavor.WARPSTREAM].fetch_max_bytes_uncompressed
    assert set(FLAVORS) == set(KafkaFlavor)
