"""MskKafka and MskServerlessKafka under mocks: configs, auth paths, ports, KMS, SCRAM secret, topic."""

from __future__ import annotations

import dataclasses
import json

import pytest
from mimirkafka.contract import (
    ContractError,
    KafkaFlavor,
    PemMaterial,
    TlsConfig,
    msk_iam,
    render_mimir,
    scram_over_tls,
)
from mimirkafka.kafka import msk_plan as plan
from mimirkafka.kafka.endpoint import first_port
from mimirkafka.kafka.kafka_admin_route import AdminRouteSettings, TopicRoute
from mimirkafka.kafka.msk import MskBrokerLogs, MskKafka, MskKafkaArgs
from mimirkafka.kafka.msk_serverless import (
    MskServerlessKafka,
    MskServerlessKafkaArgs,
    fit_contract_to_serverless,
    serverless_problems,
)
from mocks import msk_brokers, run_program
from test_contract_cases import CERT_PEM, KEY_PEM

SUBNETS = ["subnet-a", "subnet-b", "subnet-c"]


def _scram(**kw):
    return scram_over_tls(
        ["placeholder:9096"], "mimir", None, flavor=KafkaFlavor.MSK_PROVISIONED, kafka_version="3.9", **kw
    )


def _iam(**kw):
    return msk_iam("placeholder:9098", socket_path="/run/msk-iam/creds.sock", **kw)


def _mtls():
    c = _iam()
    from mimirkafka.contract import NoSasl

    return dataclasses.replace(
        c,
        addresses=("placeholder:9094",),
        sasl=NoSasl(),
        tls=TlsConfig(
            enabled=True, client_cert=PemMaterial(CERT_PEM), client_key=PemMaterial(KEY_PEM, secret=True)
        ),
        kafka_principal="User:CN=mimir",
    )


def _run(contract, **kw):
    kw.setdefault("client_security_group_ids", ["sg-mimir"])
    args = MskKafkaArgs(contract=contract, vpc_id="vpc-1", subnet_ids=SUBNETS, cluster_name="mimir", **kw)
    return run_program(lambda: MskKafka("msk", args).endpoint.to_outputs())


def _sg_ports(run):
    sg = run.one("aws:ec2/securityGroup:SecurityGroup")
    return sorted({r["fromPort"] for r in sg.inputs["ingress"]})


def test_scram_cluster_configuration_secret_and_topic():
    c = _scram()
    run = _run(c)
    cfg = run.one("aws:msk/configuration:Configuration")
    props = dict(line.split("=", 1) for line in cfg.inputs["serverProperties"].splitlines())
    assert props["message.max.bytes"] == "16000000" and props["replica.fetch.max.bytes"] == "16000000"
    assert props["auto.create.topics.enable"] == "false"
    assert props["default.replication.factor"] == "3" and props["min.insync.replicas"] == "2"
    assert cfg.inputs["kafkaVersions"] == ["3.9.x.kraft"]

    cluster = run.one("aws:msk/cluster:Cluster")
    assert cluster.inputs["kafkaVersion"] == "3.9.x.kraft" and cluster.inputs["numberOfBrokerNodes"] == 3
    enc = cluster.inputs["encryptionInfo"]
    assert enc["encryptionInTransit"] == {"clientBroker": "TLS", "inCluster": True}
    key = run.one("aws:kms/key:Key")
    assert enc["encryptionAtRestKmsKeyArn"] == key.outputs["arn"] and key.inputs["enableKeyRotation"] is True
    auth = cluster.inputs["clientAuthentication"]
    assert auth["sasl"] == {"scram": True, "iam": False} and auth["unauthenticated"] is False
    assert cluster.inputs["configurationInfo"]["arn"] == cfg.outputs["arn"]
    assert cluster.inputs["brokerNodeGroupInfo"]["storageInfo"]["ebsStorageInfo"]["volumeSize"] == 1000

    secret = run.one("aws:secretsmanager/secret:Secret")
    assert secret.inputs["name"] == "AmazonMSK_mimir_mimir"
    assert secret.inputs["kmsKeyId"] == key.outputs["arn"]  # customer-managed key, required by MSK
    version = run.one("aws:secretsmanager/secretVersion:SecretVersion")
    assert version.is_secret("secretString")
    body = json.loads(version.inputs["secretString"])
    assert body["username"] == "mimir" and len(body["password"]) >= 24
    policy = json.loads(run.one("aws:secretsmanager/secretPolicy:SecretPolicy").inputs["policy"])
    assert policy["Statement"][0]["Principal"] == {"Service": "kafka.amazonaws.com"}
    assoc = run.one("aws:msk/scramSecretAssociation:ScramSecretAssociation")
    assert assoc.inputs["secretArnLists"] == [secret.outputs["arn"]]
    assert assoc.inputs["clusterArn"] == cluster.outputs["arn"]
    # Waits for the secret's value and its policy, not only for the secret.
    assert {d.rsplit("::", 1)[1] for d in assoc.dependencies} >= {
        "msk-scram-secret-value",
        "msk-scram-secret-policy",
    }

    topic = run.one("aws:msk/topic:Topic")
    assert topic.inputs["name"] == "mimir-ingest" and topic.inputs["partitionCount"] == 16
    assert topic.inputs["replicationFactor"] == 3
    assert json.loads(topic.inputs["configs"])["max.message.bytes"] == "16000000"
    assert topic.protect is True

    assert _sg_ports(run) == [9096]
    out = run.exports
    assert out["bootstrap_brokers"] == msk_brokers(9096) and out["port"] == 9096
    assert out["mechanism"] == "SCRAM-SHA-512" and out["tls"] is True and out["ca_source"] == "system"
    assert "mimir_password" in run.secret_exports and out["mimir_password"] == body["password"]
    # Black box: Mimir's side of the same contract, pointed at this output, uses the same path.
    mk = render_mimir(dataclasses.replace(c, addresses=tuple(out["bootstrap_brokers"].split(","))))
    k = mk.config["ingest_storage"]["kafka"]
    assert first_port(k["address"] if isinstance(k["address"], str) else k["address"][0]) == out["port"]
    assert k["sasl_mechanism"] == out["mechanism"] and k["tls_enabled"] is True
    assert k["sasl_username"] == body["username"]


def test_iam_with_extra_scram_and_open_monitoring_ports():
    run = _run(_iam(), extra_auth=["scram"], open_monitoring=True)
    auth = run.one("aws:msk/cluster:Cluster").inputs["clientAuthentication"]
    assert auth["sasl"] == {"scram": True, "iam": True}
    assert _sg_ports(run) == [9096, 9098, 11001, 11002]
    assert run.exports["bootstrap_brokers"] == msk_brokers(9098)
    assert run.exports["credentials_source"] == "iam"
    assert not run.of_type("aws:secretsmanager/secret:Secret")  # Mimir is not a SCRAM user here


def test_mtls_needs_ca_and_uses_tls_port():
    with pytest.raises(plan.MskConfigError, match="certificate_authority_arns"):
        _run(_mtls())
    run = _run(_mtls(), certificate_authority_arns=["arn:aws:acm-pca:eu-west-1:1:certificate-authority/x"])
    auth = run.one("aws:msk/cluster:Cluster").inputs["clientAuthentication"]
    assert auth["tls"]["certificateAuthorityArns"] == ["arn:aws:acm-pca:eu-west-1:1:certificate-authority/x"]
    assert _sg_ports(run) == [9094] and run.exports["bootstrap_brokers"] == msk_brokers(9094)


def test_express_subset_and_no_storage_and_logs():
    c = _iam(express=True)
    run = _run(c, instance_type="express.m7g.large", broker_logs=MskBrokerLogs(retention_days=7))
    props = run.one("aws:msk/configuration:Configuration").inputs["serverProperties"]
    keys = {line.split("=", 1)[0] for line in props.splitlines()}
    assert keys <= plan.EXPRESS_SETTABLE and "message.max.bytes" in keys
    assert "default.replication.factor" not in keys and "min.insync.replicas" not in keys
    cluster = run.one("aws:msk/cluster:Cluster")
    assert "storageInfo" not in cluster.inputs["brokerNodeGroupInfo"]
    assert cluster.inputs["kafkaVersion"] == "3.9.x.kraft"
    assert run.one("aws:cloudwatch/logGroup:LogGroup").inputs["retentionInDays"] == 7
    assert "min.insync.replicas" not in json.loads(run.one("aws:msk/topic:Topic").inputs["configs"])


def test_own_kms_key_is_used_and_none_created():
    run = _run(_scram(), kms_key_arn="arn:aws:kms:eu-west-1:1:key/mine")
    assert not run.of_type("aws:kms/key:Key")
    assert (
        run.one("aws:secretsmanager/secret:Secret").inputs["kmsKeyId"] == "arn:aws:kms:eu-west-1:1:key/mine"
    )


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"broker_count": 4}, "multiple"),
        ({"instance_type": "express.m7g.large"}, "Standard"),
        ({"kafka_version": "9.9.x"}, "offer"),
        ({"scram_secret_name": "mimir-scram"}, "AmazonMSK_"),
        ({"client_security_group_ids": []}, "no client"),
    ],
)
def test_refusals_before_any_resource(kw, match):
    with pytest.raises(plan.MskConfigError, match=match):
        _run(_scram(), **kw)


def test_plan_versions_and_tls_only():
    assert plan.msk_kafka_version(_scram()) == "3.9.x.kraft"
    assert plan.msk_kafka_version(dataclasses.replace(_scram(), kafka_version="4.1")) == "4.1.x.kraft"
    with pytest.raises(plan.MskConfigError, match="offer"):
        plan.msk_kafka_version(dataclasses.replace(_scram(), kafka_version="4.2"))  # Express only
    with pytest.raises(plan.MskConfigError, match="TLS"):
        plan.primary_auth(dataclasses.replace(_scram(), tls=TlsConfig(enabled=False)))


# --- Serverless --------------------------------------------------------------------------------


def test_fit_contract_lowers_record_size_and_mimir_renders_it():
    c = fit_contract_to_serverless(_iam())
    assert c.flavor is KafkaFlavor.MSK_SERVERLESS
    assert c.producer_max_record_size_bytes <= 8_388_608 - 16_384
    assert render_mimir(c).config["ingest_storage"]["kafka"]["producer_max_record_size_bytes"] == (
        c.producer_max_record_size_bytes
    )
    assert serverless_problems(c) == []


def test_serverless_iam_only_cluster_topic_and_endpoint():
    c = fit_contract_to_serverless(_iam())
    args = MskServerlessKafkaArgs(
        contract=c,
        vpc_id="vpc-1",
        subnet_ids=SUBNETS,
        client_security_group_ids=["sg"],
        topic_route=TopicRoute.KAFKA_PROVIDER,
        admin_route=AdminRouteSettings(aws_region="eu-west-1"),
    )
    run = run_program(lambda: MskServerlessKafka("sl", args).endpoint.to_outputs())
    cluster = run.one("aws:msk/serverlessCluster:ServerlessCluster")
    assert cluster.inputs["clientAuthentication"] == {"sasl": {"iam": {"enabled": True}}}
    assert cluster.inputs["vpcConfigs"][0]["subnetIds"] == SUBNETS
    assert not run.of_type("aws:msk/topic:Topic")  # no control-plane topic API on Serverless
    topic = run.one("kafka:index/topic:Topic")
    configs = topic.inputs["config"]
    assert int(configs["max.message.bytes"]) <= 8_388_608
    assert int(configs["max.message.bytes"]) >= c.producer_max_record_size_bytes
    assert set(configs) <= {"max.message.bytes", "retention.ms"}
    assert topic.protect is True
    assert not run.of_type("aws:msk/configuration:Configuration")
    assert _sg_ports(run) == [9098]
    assert run.exports["port"] == 9098 and run.exports["mechanism"] == "AWS_MSK_IAM"


def test_serverless_refuses_what_it_cannot_do():
    scram = dataclasses.replace(_scram(), flavor=KafkaFlavor.MSK_SERVERLESS)
    found = {p.setting for p in serverless_problems(scram, extra_auth=["scram"])}
    assert {"sasl", "extra_auth", "producer_max_record_size_bytes"} <= found
    args = MskServerlessKafkaArgs(
        contract=scram, vpc_id="v", subnet_ids=SUBNETS, client_cidr_blocks=["10.0.0.0/8"]
    )
    with pytest.raises(ContractError, match="IAM only"):
        run_program(lambda: MskServerlessKafka("sl", args))
