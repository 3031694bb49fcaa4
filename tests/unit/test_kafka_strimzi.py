"""StrimziKafka: CRs valid against Strimzi 1.2.0's CRD schemas, listener/auth/ACLs from the contract."""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

import jsonschema
import pytest
import yaml
from mimirkafka.contract import (
    ContractError,
    KafkaFlavor,
    kafka_requirements,
    mtls,
    plaintext,
    render_mimir,
    scram_over_tls,
)
from mimirkafka.kafka import strimzi_manifests as m
from mimirkafka.kafka.strimzi import StrimziKafka, StrimziKafkaArgs, StrimziOperatorInstall
from mocks import run_program

CRDS = Path(__file__).resolve().parents[1] / "data" / "strimzi-crds-1.2.0"
CR = "kubernetes:kafka.strimzi.io/v1:"
LAYOUT = m.StrimziLayout(cluster_name="mk", namespace="kafka")


@functools.cache
def _validator(kind: str) -> jsonschema.Draft7Validator:
    files = {
        "Kafka": "040-Crd-kafka.yaml",
        "KafkaTopic": "043-Crd-kafkatopic.yaml",
        "KafkaUser": "044-Crd-kafkauser.yaml",
        "KafkaNodePool": "045-Crd-kafkanodepool.yaml",
    }
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    crd = yaml.load((CRDS / files[kind]).read_text(), Loader=loader)
    (version,) = [v for v in crd["spec"]["versions"] if v["served"]]
    assert version["name"] == "v1"
    # Build the validator once: jsonschema.validate() re-checks the (large) schema on every call.
    return jsonschema.Draft7Validator(version["schema"]["openAPIV3Schema"])


def _strimzi(contract):
    return dataclasses.replace(contract, flavor=KafkaFlavor.STRIMZI, kafka_version="4.3")


def _scram():
    return _strimzi(scram_over_tls(["mk-kafka-bootstrap.kafka.svc:9093"], "mimir", None))


def _run(contract, **kw):
    holder = {}

    def prog():
        holder["k"] = StrimziKafka("s", StrimziKafkaArgs(contract=contract, layout=LAYOUT, **kw))
        return holder["k"].endpoint.to_outputs()

    return run_program(prog), holder["k"]


@pytest.mark.parametrize(
    "contract", [_scram(), _strimzi(mtls(["x:9093"], None, None, None, principal="User:CN=mimir"))]
)
def test_rendered_crs_validate_against_strimzi_crds(contract):
    req = kafka_requirements(contract)
    docs = [
        m.kafka_cr(contract, req, LAYOUT),
        m.kafka_topic(contract, req, LAYOUT),
        m.kafka_user(contract, req, LAYOUT),
    ]
    docs += m.node_pools(LAYOUT)
    for doc in docs:
        assert doc["apiVersion"] == "kafka.strimzi.io/v1"
        _validator(doc["kind"]).validate(doc)
    # The check can fail: a listener without the required ``tls`` flag is rejected.
    broken = m.kafka_cr(contract, req, LAYOUT)
    del broken["spec"]["kafka"]["listeners"][0]["tls"]
    assert not _validator("Kafka").is_valid(broken)


def test_scram_listener_authorization_topic_and_user():
    c = _scram()
    run, k = _run(c)
    kafka = run.one(CR + "Kafka")
    listener = kafka.get("spec.kafka.listeners")[0]
    assert listener == {
        "name": "mimir",
        "port": 9093,
        "type": "internal",
        "tls": True,
        "authentication": {"type": "scram-sha-512"},
    }
    assert kafka.get("spec.kafka.authorization")["type"] == "simple"
    cfg = kafka.get("spec.kafka.config")
    assert cfg["message.max.bytes"] == "16000000" and cfg["replica.fetch.max.bytes"] == "16000000"
    assert cfg["auto.create.topics.enable"] == "false"
    assert cfg["default.replication.factor"] == "3" and cfg["min.insync.replicas"] == "2"
    assert not any(key.startswith(("listeners", "sasl.", "ssl.", "authorizer.")) for key in cfg)
    assert kafka.get("spec.kafka.version") == "4.3.1"
    assert kafka.get("spec.entityOperator") == {"topicOperator": {}, "userOperator": {}}

    pools = {p.get("metadata.name"): p for p in run.of_type(CR + "KafkaNodePool")}
    assert pools["controller"].get("spec.roles") == ["controller"]
    assert pools["broker"].get("spec.roles") == ["broker"] and pools["broker"].get("spec.replicas") == 3
    assert all(p.get("metadata.labels")["strimzi.io/cluster"] == "mk" for p in pools.values())
    assert pools["broker"].get("spec.storage")["volumes"][0]["deleteClaim"] is False

    topic = run.one(CR + "KafkaTopic")
    assert topic.get("spec.partitions") == 16 and topic.get("spec.replicas") == 3
    assert topic.get("spec.config")["max.message.bytes"] == "16000000"
    assert topic.protect is True

    user = run.one(CR + "KafkaUser")
    assert user.get("metadata.name") == "mimir"
    assert user.get("spec.authentication") == {"type": "scram-sha-512"}
    acls = user.get("spec.authorization.acls")
    assert {
        "resource": {"type": "topic", "name": "mimir-ingest", "patternType": "literal"},
        "operations": ["Write", "Read", "Describe"],
        "type": "allow",
        "host": "*",
    } in acls
    assert {
        "resource": {"type": "group", "name": "ingester-", "patternType": "prefix"},
        "operations": ["Read", "Describe"],
        "type": "allow",
        "host": "*",
    } in acls
    assert len(acls) == 2

    out = run.exports
    assert out["bootstrap_brokers"] == "mk-kafka-bootstrap.kafka.svc:9093"
    assert out["ca_source"] == "secret" and out["ca_secret_name"] == "mk-cluster-ca-cert"
    assert out["ca_secret_key"] == "ca.crt"
    assert out["credentials_source"] == "secret"
    assert out["password_secret_name"] == "mimir" and out["password_secret_key"] == "password"
    assert k.user_secret_name == "mimir"
    # Mimir's side of the same contract speaks what the listener offers.
    mk = render_mimir(c).config["ingest_storage"]["kafka"]
    assert mk["sasl_mechanism"] == "SCRAM-SHA-512" and mk["tls_enabled"] is True
    assert mk["address"].endswith(":9093") and out["port"] == 9093


def test_given_password_goes_into_a_secret_the_user_references():
    c = _strimzi(scram_over_tls(["x:9093"], "mimir", "s3cret"))
    run, _ = _run(c)
    sec = run.one("kubernetes:core/v1:Secret")
    assert sec.is_secret("stringData.password") and sec.inputs["stringData"]["password"] == "s3cret"
    auth = run.one(CR + "KafkaUser").get("spec.authentication")
    assert auth["password"]["valueFrom"]["secretKeyRef"] == {"name": "mimir-password", "key": "password"}


def test_mtls_user_and_cert_refs():
    c = _strimzi(mtls(["x:9093"], None, None, None, principal="User:CN=mimir"))
    run, _ = _run(c)
    assert run.one(CR + "Kafka").get("spec.kafka.listeners")[0]["authentication"] == {"type": "tls"}
    assert run.one(CR + "KafkaUser").get("spec.authentication") == {"type": "tls"}
    assert run.exports["credentials_source"] == "client-cert"


def test_plaintext_listener_has_no_auth_and_no_user():
    c = _strimzi(plaintext(["x:9092"]))
    run, _ = _run(c)
    listener = run.one(CR + "Kafka").get("spec.kafka.listeners")[0]
    assert listener["port"] == 9092 and listener["tls"] is False and "authentication" not in listener
    assert not run.of_type(CR + "KafkaUser")
    assert run.exports["ca_source"] == "none"


def test_operator_install_by_reference_and_crs_wait_for_it():
    run, _ = _run(_scram(), operator=StrimziOperatorInstall(namespace="strimzi"))
    rel = run.one("kubernetes:helm.sh/v3:Release")
    assert rel.inputs["chart"] == "oci://quay.io/strimzi-helm/strimzi-kafka-operator"
    assert rel.inputs["version"] == "1.2.0"
    assert rel.inputs["values"]["watchNamespaces"] == ["kafka"]
    kafka = run.one(CR + "Kafka")
    assert any("Release" in d for d in kafka.dependencies)


def test_refusals_before_resources():
    with pytest.raises(ContractError, match="SCRAM-SHA-256"):
        _run(_strimzi(scram_over_tls(["x:9093"], "mimir", "pw", sha=256)))
    with pytest.raises(ContractError, match=r"Strimzi 1\.2\.0 runs"):
        _run(dataclasses.replace(_scram(), kafka_version="3.9"))
    with pytest.raises(ContractError, match="brokers"):
        run_program(
            lambda: StrimziKafka(
                "s", StrimziKafkaArgs(contract=_scram(), layout=m.StrimziLayout(brokers=1, dual_role=True))
            )
        )


def test_k8s_name_keeps_real_topic_name():
    c = _strimzi(plaintext(["x:9092"], topic="Mimir_Ingest"))
    doc = m.kafka_topic(c, kafka_requirements(c), LAYOUT)
    assert doc["metadata"]["name"] == "mimir-ingest" and doc["spec"]["topicName"] == "Mimir_Ingest"
