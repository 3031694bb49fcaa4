"""The deployer's least-privilege policy: derived from what the stack creates, scoped to its ARNs."""

from __future__ import annotations

import io
import json
import sys

import pytest
from mimirkafka.cli import main
from mimirkafka.contract import ContractError, KafkaFlavor, scram_over_tls
from mimirkafka.kafka.deployer_policy import (
    REASONS,
    DeployerPolicyInputs,
    deployer_policy,
    inputs_from_mapping,
    inputs_from_msk_args,
)
from mimirkafka.kafka.kafka_admin_route import AclEnforcement, AdminRouteSettings, TopicRoute
from mimirkafka.kafka.msk import MskKafkaArgs
from mimirkafka.kafka.msk_plan import StorageAutoscaling
from mimirkafka.mimir import iam_policies as p

ACCT, REGION = "123456789012", "eu-west-1"
CLUSTER = f"arn:aws:kafka:{REGION}:{ACCT}:cluster/mimir-prod/*"


def _by_sid(doc):
    return {s["Sid"]: s for s in doc["Statement"]}


def test_statements_follow_features_and_every_one_has_a_reason():
    small = _by_sid(
        deployer_policy(DeployerPolicyInputs(region=REGION, account_id=ACCT, cluster_name="mimir-prod"))
    )
    assert "ScramSecret" not in small and "StorageAutoscaling" not in small and "MimirRole" not in small
    full = deployer_policy(
        DeployerPolicyInputs(
            region=REGION,
            account_id=ACCT,
            cluster_name="mimir-prod",
            scram=True,
            broker_logs=True,
            storage_autoscaling=True,
            mimir_iam="pod-identity",
            eks_cluster_name="prod-eks",
            bucket_prefix="acme",
            topic_route="kafka-provider",
            acls=True,
        )
    )
    sids = [s["Sid"] for s in full["Statement"]]
    assert set(sids) <= set(REASONS) and len(sids) == len(set(sids))
    by = _by_sid(full)
    assert by["ScramSecret"]["Resource"] == [
        f"arn:aws:secretsmanager:{REGION}:{ACCT}:secret:AmazonMSK_mimir-prod_*"
    ]
    assert by["BrokerLogs"]["Resource"] == [f"arn:aws:logs:{REGION}:{ACCT}:log-group:/aws/msk/mimir-prod*"]
    assert by["MimirBuckets"]["Resource"] == [
        f"arn:aws:s3:::acme-{k}" for k in ("blocks", "ruler", "alertmanager")
    ]
    assert by["PodIdentityPassRole"]["Condition"] == {
        "StringEquals": {"iam:PassedToService": "pods.eks.amazonaws.com"}
    }
    route = by["TopicKafkaProtocol"]
    assert route["Resource"] == [CLUSTER, f"arn:aws:kafka:{REGION}:{ACCT}:topic/mimir-prod/*/mimir-ingest"]
    assert "kafka-cluster:AlterCluster" in route["Action"]  # CreateAcls
    assert "kafka-cluster:DeleteTopic" not in route["Action"]  # protected topic: never deleted


def test_wildcards_only_where_aws_assigns_the_id_or_has_no_resource_type():
    doc = deployer_policy(
        DeployerPolicyInputs(
            region=REGION,
            account_id=ACCT,
            cluster_name="mimir-prod",
            scram=True,
            storage_autoscaling=True,
            broker_logs=True,
        )
    )
    star = {s["Sid"] for s in doc["Statement"] if s["Resource"] == ["*"]}
    assert star == {
        "MskCreate",
        "MskPrerequisites",
        "SecurityGroup",
        "KmsCreate",
        "StorageAutoscaling",
        "BrokerLogDelivery",
    }
    # No service-wide action wildcards, and kafka actions only on the stack's own cluster where scoped.
    for st in doc["Statement"]:
        assert not any(a.endswith(":*") or a == "*" for a in st["Action"]), st["Sid"]
    assert (
        p.wildcard_resource_problems({"Statement": [s for s in doc["Statement"] if s["Sid"] not in star]})
        == []
    )


def test_control_plane_route_needs_the_data_plane_actions_too():
    by = _by_sid(deployer_policy(DeployerPolicyInputs(topic_route="control-plane", ephemeral_topic=True)))
    actions = by["TopicControlPlane"]["Action"]
    assert {
        "kafka:CreateTopic",
        "kafka-cluster:Connect",
        "kafka-cluster:CreateTopic",
        "kafka:DeleteTopic",
    } <= set(actions)


def test_serverless_has_no_configuration_kms_or_scram_and_gets_vpc_endpoints():
    by = _by_sid(
        deployer_policy(
            DeployerPolicyInputs(kafka_kind="msk-serverless", topic_route="kubernetes-job", scram=True)
        )
    )
    assert "ServerlessVpcEndpoints" in by and "MskConfiguration" not in by and "ScramSecret" not in by
    assert "TopicKafkaProtocol" not in by  # the Job's own role talks to Kafka, not the deployer
    assert by["MskCreate"]["Action"] == [
        "kafka:CreateClusterV2",
        "kafka:ListClusters",
        "kafka:ListClustersV2",
    ]


def test_inputs_from_component_args():
    c = scram_over_tls(["p:9096"], "mimir", None, flavor=KafkaFlavor.MSK_PROVISIONED, kafka_version="3.9")
    args = MskKafkaArgs(
        contract=c,
        vpc_id="v",
        subnet_ids=["a", "b", "c"],
        client_security_group_ids=["sg"],
        cluster_name="m",
        extra_auth=["iam"],
        topic_route=TopicRoute.KAFKA_PROVIDER,
        admin_route=AdminRouteSettings(aws_region=REGION),
        acl_enforcement=AclEnforcement.STAGED,
        storage_autoscaling=StorageAutoscaling(2000),
    )
    i = inputs_from_msk_args(args, region=REGION, account_id=ACCT)
    assert (i.cluster_name, i.scram, i.acls, i.storage_autoscaling, i.topic_route) == (
        "m",
        True,
        True,
        True,
        "kafka-provider",
    )


def test_unknown_inputs_are_problems():
    with pytest.raises(ContractError) as info:
        inputs_from_mapping({"kafka_kind": "kafka", "colour": "blue"})
    assert sorted(info.value.settings()) == ["colour", "kafka_kind"]


def test_cli_prints_the_policy(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("cluster_name: mimir-prod\nscram: true\n"))
    assert main(["deployer-policy", "--region", REGION, "--account-id", ACCT]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert _by_sid(doc)["MskCluster"]["Resource"] == [CLUSTER]
    monkeypatch.setattr(sys, "stdin", io.StringIO("colour: blue\n"))
    assert main(["deployer-policy"]) == 1
    assert "colour='blue': not a deployer-policy input" in capsys.readouterr().err


def test_components_export_their_deployer_policy_pinned_to_account_and_region():
    from mimirkafka.contract import msk_iam
    from mimirkafka.kafka.msk import MskKafka
    from mimirkafka.kafka.msk_serverless import (
        MskServerlessKafka,
        MskServerlessKafkaArgs,
        fit_contract_to_serverless,
    )
    from mocks import run_program

    c = scram_over_tls(["p:9096"], "mimir", None, flavor=KafkaFlavor.MSK_PROVISIONED, kafka_version="3.9")
    args = MskKafkaArgs(contract=c, vpc_id="v", subnet_ids=["a", "b", "c"], client_security_group_ids=["sg"])
    run = run_program(lambda: {"policy": MskKafka("mimir-prod", args).deployer_policy})
    by = _by_sid(run.exports["policy"])  # mocked invokes: account 123456789012, region eu-west-1
    assert by["MskCluster"]["Resource"] == [CLUSTER]
    assert "ScramSecret" in by and "TopicControlPlane" in by

    sl = MskServerlessKafkaArgs(
        contract=fit_contract_to_serverless(msk_iam("s:9098", socket_path="/run/x.sock")),
        vpc_id="v",
        subnet_ids=["a", "b"],
        client_security_group_ids=["sg"],
        topic_route=TopicRoute.KUBERNETES_JOB,
        admin_route=AdminRouteSettings(job_namespace="mimir", job_service_account="admin"),
    )
    run = run_program(lambda: {"policy": MskServerlessKafka("sls", sl).deployer_policy})
    assert "ServerlessVpcEndpoints" in _by_sid(run.exports["policy"])
