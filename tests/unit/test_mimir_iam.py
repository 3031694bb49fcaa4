"""IAM for Mimir's pods: trust scoped to the service account, S3 and MSK scoped to named resources."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from mimirkafka.contract.kafka_side import msk_iam_actions, msk_iam_resource_names
from mimirkafka.contract.model import (
    IngestStorageContract,
    KafkaFlavor,
    MskIamSocket,
    TlsConfig,
    TopicSettings,
)
from mimirkafka.mimir import iam_policies as p
from mimirkafka.mimir import msk_iam_credentials as cred
from mimirkafka.mimir.iam import MimirIam, MimirIamArgs
from mocks import run_program

CLUSTER = "arn:aws:kafka:eu-west-1:123456789012:cluster/mimir-prod/uuid-1"
ISSUER = "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC"
OIDC_ARN = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"


def iam_contract(auto_create: bool = False) -> IngestStorageContract:
    return IngestStorageContract(
        addresses=("b-1.mimir:9098",),
        flavor=KafkaFlavor.MSK_PROVISIONED,
        kafka_version="3.9",
        topic=TopicSettings(name="mimir-ingest"),
        sasl=MskIamSocket("/var/run/msk-iam/credentials.sock"),
        tls=TlsConfig(enabled=True),
        auto_create_topic_enabled=auto_create,
        consumer_group_prefix="mimir-ingester-",
    )


def test_irsa_trust_is_scoped_to_the_service_account() -> None:
    doc = p.irsa_trust_policy(OIDC_ARN, ISSUER, "mimir", "mimir")
    (st,) = doc["Statement"]
    assert st["Principal"] == {"Federated": OIDC_ARN}
    assert st["Action"] == "sts:AssumeRoleWithWebIdentity"
    cond = st["Condition"]["StringEquals"]
    assert cond["oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub"] == "system:serviceaccount:mimir:mimir"
    assert cond["oidc.eks.eu-west-1.amazonaws.com/id/ABC:aud"] == "sts.amazonaws.com"


def test_irsa_refuses_a_provider_of_another_issuer() -> None:
    with pytest.raises(ValueError, match="does not belong to issuer"):
        p.irsa_trust_policy(OIDC_ARN, "https://oidc.eks.us-east-1.amazonaws.com/id/OTHER", "mimir", "mimir")


def test_pod_identity_trust() -> None:
    (st,) = p.pod_identity_trust_policy(None, "mimir", "mimir")["Statement"]
    assert st["Principal"] == {"Service": "pods.eks.amazonaws.com"}
    assert set(st["Action"]) == {"sts:AssumeRole", "sts:TagSession"}
    assert st["Condition"]["StringEquals"]["aws:RequestTag/kubernetes-service-account"] == "mimir"


def test_msk_policy_names_cluster_topic_and_group_prefix() -> None:
    c = iam_contract()
    doc = p.msk_iam_policy(CLUSTER, msk_iam_actions(c), msk_iam_resource_names(c))
    by_sid = {s["Sid"]: s for s in doc["Statement"]}
    assert by_sid["MimirCluster"]["Resource"] == [CLUSTER]
    assert by_sid["MimirTopic"]["Resource"] == [
        "arn:aws:kafka:eu-west-1:123456789012:topic/mimir-prod/uuid-1/mimir-ingest"
    ]
    assert by_sid["MimirGroups"]["Resource"] == [
        "arn:aws:kafka:eu-west-1:123456789012:group/mimir-prod/uuid-1/mimir-ingester-*"
    ]
    assert "kafka-cluster:CreateTopic" not in by_sid["MimirTopic"]["Action"]
    assert "kafka-cluster:WriteDataIdempotently" not in json.dumps(doc)
    assert p.wildcard_resource_problems(doc) == []


def test_msk_policy_allows_create_topic_only_with_auto_create() -> None:
    c = iam_contract(auto_create=True)
    doc = p.msk_iam_policy(CLUSTER, msk_iam_actions(c), msk_iam_resource_names(c))
    assert (
        "kafka-cluster:CreateTopic" in next(s for s in doc["Statement"] if s["Sid"] == "MimirTopic")["Action"]
    )


def test_msk_policy_refuses_wildcard_groups() -> None:
    c = iam_contract()
    with pytest.raises(ValueError, match="never '\\*'"):
        p.msk_iam_policy(CLUSTER, msk_iam_actions(c), {"topic": ["mimir-ingest"], "group": ["*"]})


def test_s3_policy_only_on_own_buckets() -> None:
    doc = p.s3_policy(["a-blocks", "a-ruler"])
    resources = [r for s in doc["Statement"] for r in s["Resource"]]
    assert set(resources) == {
        "arn:aws:s3:::a-blocks",
        "arn:aws:s3:::a-ruler",
        "arn:aws:s3:::a-blocks/*",
        "arn:aws:s3:::a-ruler/*",
    }
    assert p.wildcard_resource_problems(doc) == []


def test_wildcard_checker_catches_star() -> None:
    bad = p.document(
        p.statement("X", ["s3:GetObject"], ["*"]), p.statement("Y", ["kafka-cluster:*"], [CLUSTER])
    )
    assert len(p.wildcard_resource_problems(bad)) == 2


def test_component_creates_private_encrypted_buckets_and_scoped_policies() -> None:
    def prog() -> dict:
        iam = MimirIam(
            "iam",
            MimirIamArgs(
                contract=iam_contract(),
                namespace="mimir",
                service_account="mimir",
                trust="irsa",
                bucket_prefix="acme",
                msk_cluster_arn=CLUSTER,
                oidc_provider_arn=OIDC_ARN,
                oidc_issuer_url=ISSUER,
            ),
        )
        return {"annotations": iam.service_account_annotations, "role": iam.role_arn}

    run = run_program(prog)
    assert len(run.of_type("aws:s3/bucket:Bucket")) == 3
    assert len(run.of_type("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")) == 3
    assert all(
        r.inputs["blockPublicAcls"] and r.inputs["restrictPublicBuckets"]
        for r in run.of_type("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    )
    assert len(run.of_type("aws:s3/bucketVersioning:BucketVersioning")) == 3
    assert (
        len(
            run.of_type(
                "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
            )
        )
        == 3
    )
    policies = run.of_type("aws:iam/rolePolicy:RolePolicy")
    assert {r.name for r in policies} == {"iam-s3", "iam-msk"}
    for r in policies:
        assert p.wildcard_resource_problems(json.loads(r.inputs["policy"])) == []
    assert run.exports["annotations"] == {"eks.amazonaws.com/role-arn": run.exports["role"]}


def test_sidecar_maps_sts_and_container_credentials() -> None:
    xml = (
        '<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
        "<AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>AK</AccessKeyId>"
        "<SecretAccessKey>SK</SecretAccessKey><SessionToken>TOK</SessionToken>"
        "<Expiration>2030-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleWithWebIdentityResult>"
        "</AssumeRoleWithWebIdentityResponse>"
    )
    creds = cred.from_sts_xml(xml)
    assert json.loads(cred.mimir_json(creds)) == {"AccessKey": "AK", "SecretKey": "SK", "SessionToken": "TOK"}
    pod = cred.from_container_response(
        {"AccessKeyId": "A", "SecretAccessKey": "S", "Token": "T", "Expiration": "2030-01-01T00:00:00Z"}
    )
    assert json.loads(cred.mimir_json(pod)) == {"AccessKey": "A", "SecretKey": "S", "SessionToken": "T"}
    now = dt.datetime(2029, 12, 31, 23, 50, tzinfo=dt.UTC)
    assert not cred.needs_refresh(pod, now)
    assert cred.needs_refresh(pod, now + dt.timedelta(minutes=6))
    assert cred.needs_refresh(None, now)


def test_sidecar_without_pod_credentials_explains() -> None:
    with pytest.raises(RuntimeError, match="IRSA"):
        cred.fetch({})


def test_pod_identity_trust_is_pinned_to_the_eks_cluster() -> None:
    arn = p.eks_cluster_arn("aws", "eu-west-1", "123456789012", "prod-eks")
    assert arn == "arn:aws:eks:eu-west-1:123456789012:cluster/prod-eks"
    (st,) = p.pod_identity_trust_policy(arn, "mimir", "mimir")["Statement"]
    assert st["Condition"]["StringEquals"]["aws:RequestTag/eks-cluster-arn"] == arn


def test_component_pod_identity_trust_names_the_cluster_from_account_and_region() -> None:
    def prog() -> dict:
        iam = MimirIam(
            "iam",
            MimirIamArgs(
                contract=iam_contract(),
                namespace="mimir",
                service_account="mimir",
                trust="pod-identity",
                msk_cluster_arn=CLUSTER,
                eks_cluster_name="prod-eks",
            ),
        )
        return {"role": iam.role_arn}

    run = run_program(prog)
    trust = json.loads(run.one("aws:iam/role:Role").inputs["assumeRolePolicy"])
    cond = trust["Statement"][0]["Condition"]["StringEquals"]
    # Account and region from the provider (mocked invokes: 123456789012, eu-west-1).
    assert cond["aws:RequestTag/eks-cluster-arn"] == "arn:aws:eks:eu-west-1:123456789012:cluster/prod-eks"
    assert cond["aws:RequestTag/kubernetes-namespace"] == "mimir"
    assoc = run.one("aws:eks/podIdentityAssociation:PodIdentityAssociation")
    assert assoc.inputs["clusterName"] == "prod-eks" and assoc.inputs["serviceAccount"] == "mimir"


def test_incomplete_iam_args_are_refused_before_any_resource() -> None:
    from mimirkafka.contract.errors import ContractError
    from mocks import RecordingMocks

    mocks = RecordingMocks()
    args = MimirIamArgs(
        contract=iam_contract(),
        namespace="mimir",
        service_account="mimir",
        trust="pod-identity",
        create_buckets=False,
    )
    with pytest.raises(ContractError) as info:
        run_program(lambda: MimirIam("iam", args), mocks=mocks)
    assert info.value.settings() == ["eks_cluster_name", "msk_cluster_arn", "existing_buckets"]
    assert mocks.resources == []
