"""ExistingKafka under mocks: provider spellings, topic, SCRAM user, ACLs, secrets, protection."""

from __future__ import annotations

import dataclasses

import pytest
from mimirkafka.contract import (
    ContractError,
    KafkaFlavor,
    SaslMechanism,
    kafka_requirements,
    mtls,
    plaintext,
    render_mimir,
    scram_over_tls,
)
from mimirkafka.kafka import TopicProtection, TopicReplacementRefused
from mimirkafka.kafka.endpoint import first_port
from mimirkafka.kafka.existing import (
    AdminConnection,
    ExistingKafka,
    ExistingKafkaArgs,
    admin_problems,
    provider_args,
)
from mimirkafka.kafka.protection import DeployedTopic
from mocks import run_program
from test_contract_cases import CA_PEM, CERT_PEM, KEY_PEM

TOPIC = "kafka:index/topic:Topic"
ACL = "kafka:index/acl:Acl"
SCRAM = "kafka:index/userScramCredential:UserScramCredential"
PROVIDER = "pulumi:providers:kafka"


def _run(contract, admin=None, **kw):
    admin = admin or AdminConnection(["broker:9092"], tls=False)
    holder = {}

    def prog():
        k = ExistingKafka("k", ExistingKafkaArgs(contract=contract, admin=admin, **kw))
        holder["k"] = k
        return k.endpoint.to_outputs()

    return run_program(prog), holder["k"]


def _acl_set(run):
    return {
        (
            a.inputs["aclResourceType"],
            a.inputs["resourcePatternTypeFilter"],
            a.inputs["aclResourceName"],
            a.inputs["aclOperation"],
            a.inputs["aclPrincipal"],
            a.inputs["aclPermissionType"],
            a.inputs["aclHost"],
        )
        for a in run.of_type(ACL)
    }


def test_scram_sha512_topic_user_acls_and_secrets():
    c = scram_over_tls(["broker-0.example:9093"], "mimir", None)
    run, _ = _run(
        c,
        AdminConnection(["broker-0.example:9093"], SaslMechanism.SCRAM_SHA_512, "admin", "adm-pw", tls=True),
    )

    prov = run.one(PROVIDER)
    # Provider config arrives JSON-encoded; the spelling is pulumi-kafka's, not Mimir's.
    assert prov.inputs["saslMechanism"] == "scram-sha512"
    assert prov.inputs["tlsEnabled"] == "true"
    assert prov.is_secret("saslPassword")

    topic = run.one(TOPIC)
    assert topic.inputs["name"] == "mimir-ingest"
    assert topic.inputs["partitions"] == 16
    assert topic.inputs["replicationFactor"] == 3
    assert topic.inputs["config"]["max.message.bytes"] == "16000000"
    assert topic.inputs["config"]["min.insync.replicas"] == "2"
    assert topic.inputs["config"]["retention.ms"] == str(24 * 3600 * 1000)
    assert topic.protect is True and topic.provider and "k-admin" in topic.provider

    user = run.one(SCRAM)
    assert user.inputs["username"] == "mimir"
    assert user.inputs["scramMechanism"] == "SCRAM-SHA-512"
    assert user.inputs["scramIterations"] >= 4096
    assert user.is_secret("password") and user.inputs["password"]

    assert _acl_set(run) == {
        ("Topic", "Literal", "mimir-ingest", "Write", "User:mimir", "Allow", "*"),
        ("Topic", "Literal", "mimir-ingest", "Read", "User:mimir", "Allow", "*"),
        ("Topic", "Literal", "mimir-ingest", "Describe", "User:mimir", "Allow", "*"),
        ("Group", "Prefixed", "ingester-", "Read", "User:mimir", "Allow", "*"),
        ("Group", "Prefixed", "ingester-", "Describe", "User:mimir", "Allow", "*"),
    }
    # No cluster-wide rights without auto-create.
    assert not any(a.inputs["aclResourceType"] == "Cluster" for a in run.of_type(ACL))

    out = run.exports
    assert out["mechanism"] == "SCRAM-SHA-512" and out["tls"] is True and out["port"] == 9093
    assert out["mimir_username"] == "mimir"
    assert "mimir_password" in run.secret_exports
    # The password Mimir gets is the one the SCRAM credential was created with.
    assert out["mimir_password"] == user.inputs["password"]


def test_kafka_side_equals_rendered_mimir_side():
    c = scram_over_tls(["broker-0.example:9093", "broker-1.example:9093"], "mimir", "given-pw", sha=256)
    run, _ = _run(c, AdminConnection(["broker-0.example:9093"], tls=True))
    kafka = render_mimir(c).config["ingest_storage"]["kafka"]
    out = run.exports
    assert out["bootstrap_brokers"] == ",".join(c.addresses)
    assert first_port(out["bootstrap_brokers"]) == first_port(
        kafka["address"] if isinstance(kafka["address"], str) else kafka["address"][0]
    )
    assert out["mechanism"] == kafka["sasl_mechanism"] == run.one(SCRAM).inputs["scramMechanism"]
    assert out["tls"] == kafka["tls_enabled"]
    assert out["topic_name"] == kafka["topic"] == run.one(TOPIC).inputs["name"]
    assert kafka["sasl_username"] == run.one(SCRAM).inputs["username"]
    # The contract's own password is used, not a generated one.
    assert run.one(SCRAM).inputs["password"] == "given-pw"
    assert not run.of_type("random:index/randomPassword:RandomPassword")
    # The topic accepts Mimir's largest batch.
    assert (
        int(run.one(TOPIC).inputs["config"]["max.message.bytes"]) >= kafka_requirements(c).min_message_bytes
    )


def test_plaintext_no_user_no_acls_and_tls_explicitly_off():
    c = plaintext(["kafka.local:9092"])
    run, _ = _run(c)
    assert run.one(PROVIDER).inputs["tlsEnabled"] == "false"
    assert not run.of_type(SCRAM)
    assert not run.of_type(ACL)  # no principal to grant to
    assert run.exports["credentials_source"] == "none" and run.exports["ca_source"] == "none"


def test_mtls_acls_use_certificate_principal_and_admin_cert_is_secret():
    c = mtls(["b:9094"], CA_PEM, CERT_PEM, KEY_PEM, principal="User:CN=mimir")  # validation loads them
    admin = AdminConnection(
        ["b:9094"], tls=True, ca_cert="CA-PEM", client_cert="ADMIN-CERT", client_key="ADMIN-KEY"
    )
    run, _ = _run(c, admin)
    prov = run.one(PROVIDER)
    assert prov.is_secret("clientKey") and prov.inputs["caCert"] == "CA-PEM"
    assert {a[4] for a in _acl_set(run)} == {"User:CN=mimir"}
    assert not run.of_type(SCRAM)
    assert run.exports["credentials_source"] == "client-cert"
    assert run.exports["ca_source"] == "pem"


def test_auto_create_grants_cluster_create():
    c = dataclasses.replace(scram_over_tls(["b:9093"], "mimir", "pw"), auto_create_topic_enabled=True)
    run, _ = _run(c, AdminConnection(["b:9093"], tls=True))
    acls = _acl_set(run)
    assert ("Cluster", "Literal", "kafka-cluster", "Create", "User:mimir", "Allow", "*") in acls
    assert ("Topic", "Literal", "mimir-ingest", "Create", "User:mimir", "Allow", "*") in acls


@pytest.mark.parametrize(
    ("mech", "spelling"),
    [
        (SaslMechanism.PLAIN, "plain"),
        (SaslMechanism.SCRAM_SHA_256, "scram-sha256"),
        (SaslMechanism.SCRAM_SHA_512, "scram-sha512"),
        (SaslMechanism.OAUTHBEARER, "oauthbearer"),
    ],
)
def test_provider_mechanism_spellings(mech, spelling):
    args = provider_args(AdminConnection(["b:9092"], mech, "u", "p", tls=False))
    assert args["sasl_mechanism"] == spelling
    assert args["tls_enabled"] is False


def test_iam_admin_needs_region():
    [problem] = admin_problems(AdminConnection(["b:9098"], SaslMechanism.AWS_MSK_IAM, tls=True))
    assert problem.setting == "admin.aws_region" and "region" in problem.fix
    assert (
        provider_args(
            AdminConnection(["b:9098"], SaslMechanism.AWS_MSK_IAM, tls=True, aws_region="eu-west-1")
        )["sasl_mechanism"]
        == "aws-iam"
    )


def test_ephemeral_protection_lets_destroy_clean_up():
    run, _ = _run(plaintext(["b:9092"]), protection=TopicProtection.ephemeral())
    topic = run.one(TOPIC)
    assert topic.protect is False and topic.retain_on_delete is False


def test_shrinking_partitions_refused_before_any_resource():
    c = scram_over_tls(["b:9093"], "mimir", "pw")
    with pytest.raises(TopicReplacementRefused, match="partitions") as err:
        _run(c, AdminConnection(["b:9093"], tls=True), previous=DeployedTopic("mimir-ingest", 32, "b:9093"))
    assert isinstance(err.value, ContractError)


def test_rename_and_other_cluster_refused():
    c = plaintext(["b:9092"], topic="mimir-ingest-v2")
    with pytest.raises(TopicReplacementRefused) as err:
        _run(c, previous=DeployedTopic("mimir-ingest", 16, "other:9092"))
    assert set(err.value.settings()) == {"topic.name", "cluster"}


def test_wrong_flavor_refused():
    c = dataclasses.replace(plaintext(["b:9092"]), flavor=KafkaFlavor.MSK_SERVERLESS)
    with pytest.raises(ContractError):
        _run(c)


def test_confluent_cloud_topic_fits_the_8_mib_cap_and_acls_name_the_service_account():
    from mimirkafka.contract import confluent_cloud

    c = confluent_cloud(
        "pkc-abc12.eu-west-1.aws.confluent.cloud:9092", "APIKEY123", "api-secret", service_account="sa-x1y2"
    )
    admin = AdminConnection(
        ["pkc-abc12.eu-west-1.aws.confluent.cloud:9092"],
        SaslMechanism.PLAIN,
        "ADMINKEY",
        "admin-secret",
        tls=True,
    )
    run, _ = _run(c, admin)
    topic = run.one(TOPIC)
    assert topic.inputs["config"]["max.message.bytes"] == "8388608"
    assert c.producer_max_record_size_bytes <= 8_388_608 - 16_384  # Mimir's batches fit the cap
    assert not run.of_type(SCRAM)  # API keys are made in Confluent Cloud, not with SCRAM
    assert {a[4] for a in _acl_set(run)} == {"User:sa-x1y2"}  # not the API key
    assert run.one(PROVIDER).is_secret("saslPassword")
