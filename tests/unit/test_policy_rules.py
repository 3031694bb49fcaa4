"""Each rule of the policy pack (policy/mimirkafka_policy) with a passing and a failing input.

The rules are plain functions over plain data, so these tests need no engine; tests/e2e/test_policy_engine.py
runs the same pack inside the real Pulumi engine.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "policy"))

from mimirkafka.contract import PRODUCER_BATCH_MAX_BYTES
from mimirkafka.contract.flavors import MSK_SERVERLESS_MAX_MESSAGE_BYTES
from mimirkafka_policy import catalog
from mimirkafka_policy import resource_rules as rr
from mimirkafka_policy.view import Res, Secret, Violation

UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def res(
    type_: str, props: dict[str, Any], name: str = "r", stack: str = "prod", protect: bool = False, **kw: Any
) -> Res:
    return Res(type_, props, f"urn:pulumi:{stack}::proj::{type_}::{name}", name, protect, **kw)


def run(rule: str, r: Res, cfg: dict[str, Any] | None = None) -> list[Violation]:
    return catalog.BY_NAME[rule].run_resource(r, cfg)


def run_stack(rule: str, rs: list[Res], cfg: dict[str, Any] | None = None) -> list[Violation]:
    return catalog.BY_NAME[rule].run_stack(rs, cfg)


def kafka_topic(
    size: str | None = "16000000",
    name: str = "mimir-ingest",
    partitions: int = 16,
    rf: int = 3,
    isr: str = "2",
    **kw: Any,
) -> Res:
    config = {"min.insync.replicas": isr} | ({"max.message.bytes": size} if size is not None else {})
    props = {"name": name, "partitions": partitions, "replicationFactor": rf, "config": config}
    return res("kafka:index/topic:Topic", props, name="topic", **kw)


# --- mimir-topic-accepts-batch -----------------------------------------------------------------------


def test_topic_batch_passes_at_mimirs_batch_size() -> None:
    assert run("mimir-topic-accepts-batch", kafka_topic(str(PRODUCER_BATCH_MAX_BYTES))) == []


def test_topic_batch_fails_at_1_mib_with_the_fix() -> None:
    [v] = run("mimir-topic-accepts-batch", kafka_topic("1048576"))
    assert "max.message.bytes=1048576 is smaller than Mimir's producer batch of up to 16000000" in v.message
    assert v.fix == 'set config["max.message.bytes"] = "16000000"'
    assert v.urn.endswith("::topic")


def test_topic_batch_fails_when_unset_on_apache_kafka() -> None:
    [v] = run("mimir-topic-accepts-batch", kafka_topic(None))
    assert "has no max.message.bytes" in v.message and "1048588" in v.message


def test_topic_batch_accepts_the_flavor_cap_and_ignores_other_topics() -> None:
    capped = str(MSK_SERVERLESS_MAX_MESSAGE_BYTES)
    assert run("mimir-topic-accepts-batch", kafka_topic(capped), {"flavor": "msk-serverless"}) == []
    assert run("mimir-topic-accepts-batch", kafka_topic(capped)) != []  # apache: the full batch
    assert run("mimir-topic-accepts-batch", kafka_topic("1048576", name="orders")) == []


def test_topic_batch_reads_strimzi_and_msk_topics() -> None:
    strimzi = res(
        "kubernetes:kafka.strimzi.io/v1:KafkaTopic",
        {
            "metadata": {"name": "mimir-ingest"},
            "spec": {"partitions": 3, "replicas": 3, "config": {"max.message.bytes": 1048576}},
        },
    )
    [v] = run("mimir-topic-accepts-batch", strimzi)
    assert 'spec.config["max.message.bytes"]' in v.fix
    msk = res(
        "aws:msk/topic:Topic",
        {
            "name": "mimir-ingest",
            "partitionCount": 3,
            "replicationFactor": 3,
            "configs": json.dumps({"max.message.bytes": "16000000"}),
        },
    )
    assert run("mimir-topic-accepts-batch", msk) == []


def test_topic_batch_skips_unknown_configs_in_a_preview() -> None:
    r = res("kafka:index/topic:Topic", {"name": "mimir-ingest", "config": UNKNOWN_STRING})
    assert run("mimir-topic-accepts-batch", r) == []


# --- kafka-broker-accepts-batch ---------------------------------------------------------------------


def test_msk_configuration_batch() -> None:
    good = res(
        "aws:msk/configuration:Configuration",
        {"serverProperties": "message.max.bytes=16000000\nreplica.fetch.max.bytes=16000000\n"},
    )
    assert run("kafka-broker-accepts-batch", good) == []
    bad = res(
        "aws:msk/configuration:Configuration", {"serverProperties": "auto.create.topics.enable=false\n"}
    )
    [v] = run("kafka-broker-accepts-batch", bad)
    assert "does not set message.max.bytes" in v.message and "message.max.bytes=16000000" in v.fix


def test_strimzi_kafka_and_apache_statefulset_batch() -> None:
    kafka = res(
        "kubernetes:kafka.strimzi.io/v1:Kafka",
        {"spec": {"kafka": {"config": {"message.max.bytes": 1000000}}}},
    )
    [v] = run("kafka-broker-accepts-batch", kafka)
    assert "message.max.bytes=1000000" in v.message
    sts = res(
        "kubernetes:apps/v1:StatefulSet",
        {
            "spec": {
                "template": {
                    "spec": {
                        "containers": [
                            {
                                "name": "kafka",
                                "image": "apache/kafka:4.1.1",
                                "env": [{"name": "KAFKA_MESSAGE_MAX_BYTES", "value": "16000000"}],
                            },
                            {"name": "exporter", "image": "danielqsj/kafka-exporter:latest"},
                        ]
                    }
                }
            }
        },
    )
    assert run("kafka-broker-accepts-batch", sts) == []
    sts_bad = res(
        "kubernetes:apps/v1:StatefulSet",
        {
            "spec": {
                "template": {
                    "spec": {"containers": [{"name": "kafka", "image": "apache/kafka:4.1.1", "env": []}]}
                }
            }
        },
    )
    [v] = run("kafka-broker-accepts-batch", sts_bad)
    assert "KAFKA_MESSAGE_MAX_BYTES" in v.fix


# --- mimir-topic-replication / mimir-topic-protected -----------------------------------------------------


def test_replication_uses_the_contract_rules_and_is_exempt_in_dev() -> None:
    assert run("mimir-topic-replication", kafka_topic(rf=3, isr="2")) == []
    [v] = run("mimir-topic-replication", kafka_topic(rf=1, isr="1"))
    assert "replication_factor=1" in v.message and "replication_factor=3" in v.fix
    [v] = run("mimir-topic-replication", kafka_topic(rf=3, isr="3"))
    assert "min_insync_replicas=3" in v.message and "min_insync_replicas=2" in v.fix
    assert run("mimir-topic-replication", kafka_topic(rf=1, isr="1", stack="dev")) == []
    # policy-config.json can take dev's exemption away
    assert run("mimir-topic-replication", kafka_topic(rf=1, isr="1", stack="dev"), {"exemptStacks": []}) != []


def test_topic_protection_outside_throwaway_stacks() -> None:
    assert run("mimir-topic-protected", kafka_topic(protect=True)) == []
    [v] = run("mimir-topic-protected", kafka_topic())
    assert "is not protected" in v.message and "protect=True" in v.fix
    assert run("mimir-topic-protected", kafka_topic(stack="local")) == []
    assert run("mimir-topic-protected", kafka_topic(stack="pr-12"), {"exemptStacks": ["pr-*"]}) == []


# --- MSK ------------------------------------------------------------------------------------------------

KEY = "arn:aws:kms:eu-west-1:123456789012:key/abcd"


def msk_cluster(
    client_broker: str = "TLS", key: str | None = KEY, version: str = "3.9.x.kraft", **auth: Any
) -> Res:
    enc: dict[str, Any] = {"encryptionInTransit": {"clientBroker": client_broker, "inCluster": True}}
    if key is not None:
        enc["encryptionAtRestKmsKeyArn"] = key
    props = {
        "kafkaVersion": version,
        "encryptionInfo": enc,
        "brokerNodeGroupInfo": {"instanceType": "kafka.m7g.large"},
        "clientAuthentication": {"sasl": {"scram": bool(auth.get("scram")), "iam": bool(auth.get("iam"))}},
    }
    if "config_urn" in auth:
        props["configurationInfo"] = {"arn": UNKNOWN_STRING, "revision": 1}
    return res(
        "aws:msk/cluster:Cluster",
        props,
        name="msk",
        property_dependencies={"configurationInfo": (auth["config_urn"],)} if "config_urn" in auth else {},
    )


def test_msk_encryption() -> None:
    assert run("msk-encryption", msk_cluster()) == []
    vs = run("msk-encryption", msk_cluster(client_broker="TLS_PLAINTEXT", key=None))
    assert [("clientBroker='TLS_PLAINTEXT'" in v.message, "AWS managed key" in v.message) for v in vs] == [
        (True, False),
        (False, True),
    ]
    [v] = run("msk-encryption", msk_cluster(key="alias/aws/kafka"))
    assert "aws.kms.Key" in v.fix


def test_msk_scram_secret_kms() -> None:
    good = res("aws:secretsmanager/secret:Secret", {"name": "AmazonMSK_mimir", "kmsKeyId": KEY})
    assert run("msk-scram-secret-kms", good) == []
    [v] = run("msk-scram-secret-kms", res("aws:secretsmanager/secret:Secret", {"name": "AmazonMSK_mimir"}))
    assert "customer managed KMS key" in v.message
    assert run("msk-scram-secret-kms", res("aws:secretsmanager/secret:Secret", {"name": "app-db"})) == []


def test_msk_versions_past_and_near_end_of_support() -> None:
    day = date(2026, 11, 29)
    assert rr.msk_version_supported(msk_cluster(version="3.9.x.kraft"), {}, day) == []
    [v] = rr.msk_version_supported(msk_cluster(version="3.6.0"), {}, day)
    assert "ended on 2026-06-01" in v.message and "supported version" in v.fix
    [v] = rr.msk_version_supported(msk_cluster(version="2.8.1"), {}, day)
    assert "has ended" in v.message
    conf = res(
        "aws:msk/configuration:Configuration", {"kafkaVersions": ["3.7.x.kraft"], "serverProperties": ""}
    )
    assert rr.msk_version_supported(conf, {}, day)[0].message.startswith(
        "aws:msk/configuration:Configuration 'r': kafkaVersions[0]='3.7.x.kraft'"
    )
    # near the end: advisory rule
    [v] = run("msk-kafka-version-ending", msk_cluster(version="3.7.x"), {"today": "2026-06-01"})
    assert "ends on 2026-09-01" in v.message
    assert rr.msk_version_ending(msk_cluster(version="3.9.x"), {}, day) == []
    assert run("msk-kafka-version-supported", msk_cluster(version="3.6.0"), {"today": "2026-01-01"}) == []


def test_msk_scram_association_stack_rule() -> None:
    secret = res("aws:secretsmanager/secret:Secret", {"name": "mimir-scram", "kmsKeyId": KEY}, name="s")
    assoc = res(
        "aws:msk/scramSecretAssociation:ScramSecretAssociation",
        {"clusterArn": UNKNOWN_STRING, "secretArnLists": [UNKNOWN_STRING]},
        name="a",
        property_dependencies={"secretArnLists": (secret.urn,)},
    )
    [v] = run_stack("msk-scram-secret-association", [secret, assoc])
    assert "AmazonMSK_" in v.message and "AmazonMSK_mimir-scram" in v.fix
    ok = res("aws:secretsmanager/secret:Secret", {"name": "AmazonMSK_mimir", "kmsKeyId": KEY}, name="s")
    assert run_stack("msk-scram-secret-association", [ok, assoc]) == []
    literal = res(
        "aws:msk/scramSecretAssociation:ScramSecretAssociation",
        {"secretArnLists": ["arn:aws:secretsmanager:eu-west-1:1:secret:mimir-AbC"]},
    )
    assert len(run_stack("msk-scram-secret-association", [literal])) == 1


def test_msk_scram_acl_default_deny() -> None:
    conf = res(
        "aws:msk/configuration:Configuration", {"serverProperties": "message.max.bytes=16000000\n"}, name="c"
    )
    cluster = msk_cluster(scram=True, config_urn=conf.urn)
    [v] = run_stack("msk-scram-acl-default-deny", [conf, cluster])
    assert "unset (MSK default: true)" in v.message and "allow.everyone.if.no.acl.found=false" in v.fix
    conf_ok = res(
        "aws:msk/configuration:Configuration",
        {"serverProperties": "allow.everyone.if.no.acl.found=false\n"},
        name="c",
    )
    assert run_stack("msk-scram-acl-default-deny", [conf_ok, cluster]) == []
    assert run_stack("msk-scram-acl-default-deny", [msk_cluster(iam=True)]) == []  # IAM only: no SCRAM
    [v] = run_stack("msk-scram-acl-default-deny", [msk_cluster(scram=True)])
    assert "has no configuration" in v.message


# --- IAM ------------------------------------------------------------------------------------------------


def test_iam_wildcards() -> None:
    ok = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "T",
                "Effect": "Allow",
                "Action": ["kafka-cluster:ReadData"],
                "Resource": ["arn:aws:kafka:eu-west-1:1:topic/c/u/mimir-ingest"],
            }
        ],
    }
    assert (
        run("iam-no-kafka-s3-wildcards", res("aws:iam/rolePolicy:RolePolicy", {"policy": json.dumps(ok)}))
        == []
    )
    bad = {"Statement": {"Sid": "All", "Effect": "Allow", "Action": "kafka-cluster:*", "Resource": "*"}}
    vs = run("iam-no-kafka-s3-wildcards", res("aws:iam/policy:Policy", {"policy": json.dumps(bad)}))
    assert any("kafka-cluster:*" in v.message for v in vs) and all("msk_iam_actions" in v.fix for v in vs)
    role = res(
        "aws:iam/role:Role",
        {
            "inlinePolicies": [
                {
                    "name": "s3",
                    "policy": json.dumps(
                        {"Statement": [{"Sid": "S3", "Action": ["s3:GetObject"], "Resource": "*"}]}
                    ),
                }
            ]
        },
    )
    [v] = run("iam-no-kafka-s3-wildcards", role)
    assert "inlinePolicies[0].policy" in v.message and "s3:GetObject on wildcard resource '*'" in v.message


# --- no-clear-credentials -----------------------------------------------------------------------------


def release(values: dict[str, Any], **kw: Any) -> Res:
    props = {"chart": "mimir-distributed", "name": "mimir", "values": values}
    return res("kubernetes:helm.sh/v3:Release", props, name="mimir", **kw)


def test_clear_password_in_helm_values_fails_a_var_reference_or_a_secret_passes() -> None:
    clear = {"mimir": {"structuredConfig": {"ingest_storage": {"kafka": {"sasl_password": "hunter2"}}}}}
    [v] = run("no-clear-credentials", release(clear))
    assert (
        "mimir.structuredConfig.ingest_storage.kafka.sasl_password holds a credential in clear" in v.message
    )
    assert "${MIMIR_KAFKA_SASL_PASSWORD}" in v.fix and "hunter2" not in str(v)
    ref = {
        "mimir": {
            "structuredConfig": {
                "ingest_storage": {"kafka": {"sasl_password": "${MIMIR_KAFKA_SASL_PASSWORD}"}}
            }
        }
    }
    assert run("no-clear-credentials", release(ref)) == []
    secret = {
        "mimir": {"structuredConfig": {"ingest_storage": {"kafka": {"sasl_password": Secret("hunter2")}}}}
    }
    assert run("no-clear-credentials", release(secret)) == []


def test_clear_credentials_in_configmaps_and_other_inputs() -> None:
    text = "ingest_storage:\n  kafka:\n    sasl_msk_iam_secret_key: abc123\n"
    [v] = run("no-clear-credentials", res("kubernetes:core/v1:ConfigMap", {"data": {"mimir.yaml": text}}))
    assert (
        "data.mimir.yaml -> ingest_storage.kafka.sasl_msk_iam_secret_key" in v.message and "Secret" in v.fix
    )
    pem = "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n"
    [v] = run("no-clear-credentials", res("kubernetes:core/v1:ConfigMap", {"data": {"tls.key": pem}}))
    assert "data.tls.key" in v.message
    [v] = run("no-clear-credentials", res("pulumi:providers:kafka", {"saslPassword": "admin-secret"}))
    assert "Pulumi secret" in v.fix
    assert run("no-clear-credentials", res("pulumi:providers:kafka", {"saslPassword": Secret("x")})) == []
    # where secrets belong, and names of Secrets, are fine
    assert (
        run("no-clear-credentials", res("kubernetes:core/v1:Secret", {"stringData": {"password": "x"}})) == []
    )
    assert run("no-clear-credentials", release({"minio": {"existingSecret": "minio-creds"}})) == []


# --- stack rules: the Mimir release against the Kafka side --------------------------------------------


def mimir_values(
    topic: str = "mimir-ingest", address: str = "kafka:9092", replicas: int = 3, zones: int = 3, **kafka: Any
) -> dict[str, Any]:
    k = {"address": address, "topic": topic, "auto_create_topic_enabled": False} | kafka
    values: dict[str, Any] = {
        "image": {"tag": "3.1.2"},
        "mimir": {
            "structuredConfig": {
                "ingest_storage": {"enabled": True, "kafka": k},
                "ruler": {"query_frontend": {"address": "dns:///mimir-ruler-query-frontend:9095"}},
            }
        },
        "ingester": {
            "replicas": replicas,
            "zoneAwareReplication": {
                "enabled": zones >= 3,
                "zones": [{"name": f"zone-{z}"} for z in "abc"[:zones]],
            },
        },
    }
    return values


def test_agreement_passes_when_both_sides_match() -> None:
    rs = [release(mimir_values(replicas=6)), kafka_topic(partitions=2)]
    assert run_stack("mimir-kafka-agreement", rs) == []


def test_agreement_partitions_below_ingesters_per_zone() -> None:
    [v] = run_stack("mimir-kafka-agreement", [release(mimir_values(replicas=12)), kafka_topic(partitions=2)])
    assert (
        "topic 'mimir-ingest' has 2 partitions but values.ingester runs 4 ingester(s) per zone" in v.message
    )
    assert "set topic.partitions to at least 4" in v.fix
    # without zone awareness every ingester is its own group
    [v] = run_stack(
        "mimir-kafka-agreement", [release(mimir_values(replicas=3, zones=1)), kafka_topic(partitions=2)]
    )
    assert "runs 3 ingester(s) per zone" in v.message


def test_agreement_record_size_and_topic_name() -> None:
    rs = [release(mimir_values()), kafka_topic("8388608")]
    [v] = run_stack("mimir-kafka-agreement", rs)
    assert (
        "producer_max_record_size_bytes=15983616 is larger than" in v.message
        and "max.message.bytes=8388608" in v.message
    )
    rs = [release(mimir_values(topic="mimir")), kafka_topic(name="mimir-ingest")]
    [v] = run_stack("mimir-kafka-agreement", rs)
    assert "topic='mimir' is not among the stack's topics ['mimir-ingest']" in v.message


def test_agreement_msk_port_mechanism_and_tls_come_from_the_contract() -> None:
    values = mimir_values(
        address="b-1.msk:9092",
        sasl_mechanism="SCRAM-SHA-512",
        sasl_username="mimir",
        sasl_password="${MIMIR_KAFKA_SASL_PASSWORD}",
    )
    vs = run_stack("mimir-kafka-agreement", [release(values), msk_cluster(iam=True)])
    text = "\n".join(str(v) for v in vs)
    assert "msk-provisioned offers SASL SCRAM-SHA-512 only over TLS" in text  # contract rule_flavor_tls
    assert "serves scram clients on port 9096" in text  # contract rule_flavor_port
    assert "clientAuthentication.sasl.scram is not true" in text  # the cluster does not enable SCRAM
    good = mimir_values(
        address="b-1.msk:9096",
        sasl_mechanism="SCRAM-SHA-512",
        sasl_username="mimir",
        sasl_password="${MIMIR_KAFKA_SASL_PASSWORD}",
        tls_enabled=True,
    )
    assert run_stack("mimir-kafka-agreement", [release(good), msk_cluster(scram=True)]) == []


def test_agreement_strimzi_listener() -> None:
    kafka = res(
        "kubernetes:kafka.strimzi.io/v1:Kafka",
        {
            "spec": {
                "kafka": {
                    "listeners": [
                        {
                            "name": "scram",
                            "port": 9093,
                            "type": "internal",
                            "tls": True,
                            "authentication": {"type": "scram-sha-512"},
                        }
                    ]
                }
            }
        },
        name="k",
    )
    values = mimir_values(address="mimir-kafka-bootstrap:9092")
    text = "\n".join(str(v) for v in run_stack("mimir-kafka-agreement", [release(values), kafka]))
    assert "has no listener on port 9092 (listeners: [9093])" in text
    values = mimir_values(address="mimir-kafka-bootstrap:9093")
    text = "\n".join(str(v) for v in run_stack("mimir-kafka-agreement", [release(values), kafka]))
    assert "tls_enabled=False but listener 'scram' on port 9093 has tls=True" in text
    assert "authenticates with scram-sha-512" in text


def test_ruler_remote_evaluation() -> None:
    assert run_stack("mimir-ruler-remote-evaluation", [release(mimir_values())]) == []
    values = mimir_values()
    del values["mimir"]["structuredConfig"]["ruler"]
    [v] = run_stack("mimir-ruler-remote-evaluation", [release(values)])
    assert (
        "requires ruler remote evaluation" in v.message
        and "remoteEvaluationDedicatedQueryPath: true" in v.fix
    )
    values["ruler"] = {"remoteEvaluationDedicatedQueryPath": True}
    assert run_stack("mimir-ruler-remote-evaluation", [release(values)]) == []


def test_credentials_scope() -> None:
    values = mimir_values(
        sasl_mechanism="SCRAM-SHA-512", sasl_username="mimir", sasl_password="${MIMIR_KAFKA_SASL_PASSWORD}"
    )
    scoped = {**values, "distributor": {"extraEnvFrom": [{"secretRef": {"name": "kafka-creds"}}]}}
    assert run_stack("mimir-kafka-credentials-scope", [release(scoped)]) == []
    leaky = {
        **values,
        "global": {"extraEnvFrom": [{"secretRef": {"name": "kafka-creds"}}]},
        "querier": {"extraEnv": [{"name": "MIMIR_KAFKA_SASL_PASSWORD", "value": "${X}"}]},
    }
    vs = run_stack("mimir-kafka-credentials-scope", [release(leaky)])
    assert [v.message.split(" gives ")[1].split(" Mimir")[0] for v in vs] == [
        "every pod of the chart",
        "the querier pods, which never talk to Kafka",
    ]
    # a global Secret from elsewhere is no leak when every Kafka component names the variables itself
    env = [{"name": "MIMIR_KAFKA_SASL_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "k", "key": "p"}}}]
    own = {**values, "global": {"extraEnvFrom": [{"secretRef": {"name": "s3-creds"}}]}}
    own |= {c: {"env": env} for c in ("distributor", "ingester", "ruler", "query_frontend")}
    assert run_stack("mimir-kafka-credentials-scope", [release(own)]) == []
    # a Secret of the stack that holds no Kafka variable is not a leak
    other = res(
        "kubernetes:core/v1:Secret", {"metadata": {"name": "kafka-creds"}, "stringData": {"OTHER": "x"}}
    )
    assert len(run_stack("mimir-kafka-credentials-scope", [release(leaky), other])) == 1


def test_config_disabled_and_levels() -> None:
    found = catalog.check_resources(
        [kafka_topic("1048576")], {"mimir-topic-accepts-batch": {"enforcementLevel": "disabled"}}
    )
    assert "mimir-topic-accepts-batch" not in found and "mimir-topic-protected" in found
    assert catalog.level_of("msk-scram-acl-default-deny") == "advisory"
    assert catalog.level_of("mimir-ruler-remote-evaluation") == "mandatory"
    assert catalog.level_of("mimir-topic-accepts-batch") == "mandatory"


@pytest.mark.parametrize("rule", catalog.RULES, ids=lambda r: r.name)
def test_every_rule_has_a_failing_case_in_this_file(rule: catalog.Rule) -> None:
    source = Path(__file__).read_text()
    assert f'"{rule.name}"' in source.replace(f'"{rule.name}": ', "")
