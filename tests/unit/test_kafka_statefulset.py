"""KraftStatefulSetKafka: the dev/CI broker gets the contract's limits, not the chart demo's defects."""

from __future__ import annotations

import dataclasses

import pytest
from mimirkafka.contract import TopicSettings, plaintext, render_mimir, scram_over_tls
from mimirkafka.contract.errors import ContractError
from mimirkafka.kafka import TopicProtection
from mimirkafka.kafka import statefulset_manifests as m
from mimirkafka.kafka.statefulset import KraftStatefulSetKafka, KraftStatefulSetKafkaArgs
from mocks import run_program


def _contract(rf: int = 3, isr: int = 2):
    c = plaintext(["mk.ns.svc.cluster.local:9092"])
    return dataclasses.replace(
        c, topic=TopicSettings(partitions=12, replication_factor=rf, min_insync_replicas=isr)
    )


def _run(contract, layout, **kw):
    args = KraftStatefulSetKafkaArgs(contract=contract, layout=layout, **kw)
    return run_program(lambda: KraftStatefulSetKafka("dev", args).endpoint.to_outputs())


def _env(run):
    sts = run.one("kubernetes:apps/v1:StatefulSet")
    return {e["name"]: e.get("value") for e in sts.get("spec.template.spec.containers")[0]["env"]}, sts


def test_three_nodes_message_size_rf_isr_retention_and_quorum():
    run = _run(_contract(), m.KraftLayout(name="mk", namespace="ns", replicas=3))
    env, sts = _env(run)
    assert env["KAFKA_MESSAGE_MAX_BYTES"] == "16000000"  # grafana/mimir#14651: the chart sets none
    assert env["KAFKA_REPLICA_FETCH_MAX_BYTES"] == "16000000"
    assert env["KAFKA_DEFAULT_REPLICATION_FACTOR"] == "3" and env["KAFKA_MIN_INSYNC_REPLICAS"] == "2"
    assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    assert env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == "3"
    assert env["CLUSTER_ID"] and "KAFKA_CLUSTER_ID" not in env
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"].count("@") == 3
    assert "mk-2.mk-headless.ns.svc.cluster.local:9093" in env["KAFKA_CONTROLLER_QUORUM_VOTERS"]
    spec = sts.inputs["spec"]
    assert spec["replicas"] == 3 and spec["podManagementPolicy"] == "Parallel"
    assert spec["template"]["spec"]["enableServiceLinks"] is False
    assert spec["persistentVolumeClaimRetentionPolicy"]["whenDeleted"] == "Retain"
    assert sts.protect is True
    names = {s.get("metadata.name") for s in run.of_type("kubernetes:core/v1:Service")}
    assert names == {"mk", "mk-headless"}
    headless = next(
        s for s in run.of_type("kubernetes:core/v1:Service") if s.get("metadata.name") == "mk-headless"
    )
    assert headless.get("spec.clusterIP") == "None" and headless.get("spec.publishNotReadyAddresses") is True
    assert run.one("kubernetes:policy/v1:PodDisruptionBudget").get("spec.maxUnavailable") == 1

    job = run.one("kubernetes:batch/v1:Job")
    script = job.get("spec.template.spec.containers")[0]["command"][2]
    assert "--create --if-not-exists --topic mimir-ingest --partitions 12 --replication-factor 3" in script
    assert "max.message.bytes=16000000" in script and "retention.ms=86400000" in script
    assert "--delete" not in script
    assert any("StatefulSet" in d for d in job.dependencies)

    out = run.exports
    mk = render_mimir(_contract()).config["ingest_storage"]["kafka"]
    assert out["bootstrap_brokers"] == "mk.ns.svc.cluster.local:9092" == mk["address"]
    assert out["mechanism"] is None and out["tls"] is False and "sasl_mechanism" not in mk


def test_single_node_needs_rf1_and_is_refused_otherwise():
    with pytest.raises(ContractError, match="replication_factor=3"):
        _run(_contract(), m.KraftLayout(replicas=1))
    run = _run(_contract(rf=1, isr=1), m.KraftLayout(replicas=1), protection=TopicProtection.ephemeral())
    env, sts = _env(run)
    assert (
        env["KAFKA_DEFAULT_REPLICATION_FACTOR"] == "1" and env["KAFKA_TRANSACTION_STATE_LOG_MIN_ISR"] == "1"
    )
    assert sts.protect is False


@pytest.mark.parametrize(
    ("contract", "layout", "match"),
    [
        (_contract(), m.KraftLayout(replicas=2), "1 or 3"),
        (_contract(), m.KraftLayout(name="kafka", replicas=3), "KAFKA_PORT"),
        (scram_over_tls(["x:9093"], "mimir", "pw"), m.KraftLayout(replicas=3), "plaintext"),
    ],
)
def test_refusals(contract, layout, match):
    with pytest.raises(ContractError, match=match):
        _run(contract, layout)


def test_env_name_rule_and_stable_cluster_id():
    assert m.env_name("message.max.bytes") == "KAFKA_MESSAGE_MAX_BYTES"
    assert m.env_name("a_b-c.d") == "KAFKA_A__B___C_D"
    a = m.cluster_id_for(m.KraftLayout(name="x", namespace="y"))
    assert a == m.cluster_id_for(m.KraftLayout(name="x", namespace="y")) and len(a) == 22
    assert a != m.cluster_id_for(m.KraftLayout(name="x", namespace="z"))
