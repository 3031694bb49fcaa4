"""IAM policy documents for Mimir's pods (plain Python, no Pulumi): trust and least-privilege access.

Sources:

* ``kafka-cluster`` resource ARN formats (``cluster/``, ``topic/``, ``group/`` + name/uuid): AWS MSK developer
  guide, kafka-actions.html ("Semantics of IAM authorization policy actions and resources"). The actions
  themselves come from the contract, ``mimirkafka.contract.kafka_side.msk_iam_actions``.
* IRSA trust policy: ``awsdocs/amazon-eks-user-guide`` @14550e83
  ``latest/ug/manage-access/aws-access/associate-service-account-role.adoc``
  (``sts:AssumeRoleWithWebIdentity``, ``<issuer>:sub`` and ``<issuer>:aud`` StringEquals).
* Pod Identity trust policy: https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html
  (``pods.eks.amazonaws.com``, ``sts:AssumeRole`` + ``sts:TagSession``, ``aws:RequestTag/...`` conditions).
* S3 actions: Mimir publishes no IAM policy; these follow Grafana Tempo's "Amazon S3 permissions" page
  (https://grafana.com/docs/tempo/latest/configuration/hosted-storage/s3/: ListBucket, Get/Put/DeleteObject,
  Get/PutObjectTagging), plus GetBucketLocation and the multipart-upload actions, which no upstream Mimir
  page lists.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

VERSION = "2012-10-17"

S3_BUCKET_ACTIONS = ("s3:ListBucket", "s3:GetBucketLocation")
S3_OBJECT_ACTIONS = (
    "s3:GetObject",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:AbortMultipartUpload",
    "s3:ListMultipartUploadParts",
    "s3:GetObjectTagging",
    "s3:PutObjectTagging",
)
_CLUSTER_ARN = re.compile(
    r"^arn:(?P<partition>[\w-]+):kafka:(?P<region>[\w-]+):(?P<account>\d{12}):cluster/(?P<rest>[^/]+/[^/]+)$"
)


@dataclass(frozen=True)
class MskArns:
    """Resource ARNs derived from one MSK cluster ARN (``.../cluster/<name>/<uuid>``)."""

    cluster: str
    topic_base: str
    group_base: str

    @classmethod
    def from_cluster_arn(cls, cluster_arn: str) -> MskArns:
        m = _CLUSTER_ARN.match(cluster_arn)
        if not m:
            raise ValueError(
                f"MSK cluster ARN {cluster_arn!r} is not "
                "arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>"
            )
        prefix = f"arn:{m['partition']}:kafka:{m['region']}:{m['account']}"
        return cls(
            cluster=cluster_arn,
            topic_base=f"{prefix}:topic/{m['rest']}",
            group_base=f"{prefix}:group/{m['rest']}",
        )

    def topic(self, name: str) -> str:
        return f"{self.topic_base}/{name}"

    def group(self, name_or_prefix: str) -> str:
        return f"{self.group_base}/{name_or_prefix}"


def statement(sid: str, actions: Iterable[str], resources: Iterable[str], **extra: Any) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": sorted(actions), "Resource": sorted(resources), **extra}


def document(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": VERSION, "Statement": list(statements)}


def irsa_trust_policy(
    oidc_provider_arn: str, issuer_url: str, namespace: str, service_account: str
) -> dict[str, Any]:
    """Trust for IRSA: only ``system:serviceaccount:<ns>:<sa>`` with audience ``sts.amazonaws.com``."""
    issuer = re.sub(r"^https://", "", issuer_url).rstrip("/")
    if not issuer or not oidc_provider_arn.endswith(f"oidc-provider/{issuer}"):
        raise ValueError(
            f"eksOidcProviderArn {oidc_provider_arn!r} does not belong to issuer {issuer_url!r}; "
            "pass the provider ARN of the cluster's OIDC issuer"
        )
    return document(
        {
            "Sid": "MimirServiceAccount",
            "Effect": "Allow",
            "Principal": {"Federated": oidc_provider_arn},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "StringEquals": {
                    f"{issuer}:sub": f"system:serviceaccount:{namespace}:{service_account}",
                    f"{issuer}:aud": "sts.amazonaws.com",
                }
            },
        }
    )


def eks_cluster_arn(partition: str, region: str, account_id: str, cluster_name: str) -> str:
    """``arn:<partition>:eks:<region>:<account>:cluster/<name>``, the ARN EKS gives a cluster."""
    return f"arn:{partition}:eks:{region}:{account_id}:cluster/{cluster_name}"


def pod_identity_trust_policy(
    cluster_arn: str | None, namespace: str, service_account: str
) -> dict[str, Any]:
    """Trust for EKS Pod Identity, narrowed by the session tags the agent sets.

    EKS Pod Identity tags the AssumeRole request with ``eks-cluster-arn``, ``eks-cluster-name``,
    ``kubernetes-namespace``, ``kubernetes-service-account``, ``kubernetes-pod-name`` and
    ``kubernetes-pod-uid``, and those tags may be used as condition keys "to restrict which service accounts,
    namespaces, and clusters can use this role" (AWS, "Create IAM role with trust policy required by EKS Pod
    Identity", https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html, and its source
    awsdocs/amazon-eks-user-guide pull request #1047, latest/ug/manage-access/aws-access/pod-id-role.adoc;
    read 2026-11-29). With ``cluster_arn`` the role is pinned to that one cluster: the same namespace and
    service account on another cluster of the account cannot assume it. (The page documents the request
    tags, not ``aws:SourceAccount``/``aws:SourceArn``, so those are not used: a condition on a key the
    request does not carry would deny every pod.)
    """
    conditions: dict[str, str] = {
        "aws:RequestTag/kubernetes-namespace": namespace,
        "aws:RequestTag/kubernetes-service-account": service_account,
    }
    if cluster_arn:
        conditions["aws:RequestTag/eks-cluster-arn"] = cluster_arn
    return document(
        {
            "Sid": "MimirPodIdentity",
            "Effect": "Allow",
            "Principal": {"Service": "pods.eks.amazonaws.com"},
            "Action": ["sts:AssumeRole", "sts:TagSession"],
            "Condition": {"StringEquals": conditions},
        }
    )


def s3_policy(
    bucket_names: Sequence[str], partition: str = "aws", kms_key_arn: str | None = None
) -> dict[str, Any]:
    """Read/write on Mimir's own buckets only."""
    if not bucket_names:
        raise ValueError("s3 policy: no bucket names given")
    buckets = [f"arn:{partition}:s3:::{b}" for b in bucket_names]
    statements = [
        statement("MimirBuckets", S3_BUCKET_ACTIONS, buckets),
        statement("MimirObjects", S3_OBJECT_ACTIONS, [f"{b}/*" for b in buckets]),
    ]
    if kms_key_arn:
        statements.append(
            statement("MimirBucketKey", ("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"), [kms_key_arn])
        )
    return document(*statements)


def msk_iam_policy(
    cluster_arn: str, actions: Mapping[str, Sequence[str]], resource_names: Mapping[str, Sequence[str]]
) -> dict[str, Any]:
    """``kafka-cluster:*`` for Mimir's producers and consumers, scoped to one cluster, topic and groups.

    ``actions`` and ``resource_names`` come from the contract (``msk_iam_actions(c)`` and
    ``msk_iam_resource_names(c)``), so the policy grants exactly what the rendered Mimir config uses.
    """
    arns = MskArns.from_cluster_arn(cluster_arn)
    topics = list(resource_names.get("topic", []))
    groups = list(resource_names.get("group", []))
    if not topics or any(not t or t == "*" for t in topics):
        raise ValueError(f"msk iam policy: topic names {topics!r} must be explicit (no empty name, no '*')")
    if not groups or any(not g or g == "*" for g in groups):
        raise ValueError(f"msk iam policy: consumer groups {groups!r} must be named or prefixed, never '*'")
    return document(
        statement("MimirCluster", actions["cluster"], [arns.cluster]),
        statement("MimirTopic", actions["topic"], [arns.topic(t) for t in topics]),
        statement("MimirGroups", actions["group"], [arns.group(g) for g in groups]),
    )


def wildcard_resource_problems(policy: Mapping[str, Any]) -> list[str]:
    """Statements that grant a kafka/s3 action on ``*`` or on a whole service (``arn:aws:s3:::*``)."""
    problems = []
    for st in policy.get("Statement", []):
        actions = st.get("Action", [])
        actions = [actions] if isinstance(actions, str) else list(actions)
        resources = st.get("Resource", [])
        resources = [resources] if isinstance(resources, str) else list(resources)
        for action in actions:
            if action in ("*", "s3:*", "kafka-cluster:*", "kafka:*"):
                problems.append(f"{st.get('Sid')}: action {action!r} is a service-wide wildcard")
            if not action.startswith(("s3:", "kafka-cluster:", "kafka:")):
                continue
            for res in resources:
                if res == "*" or re.fullmatch(
                    r"arn:[\w-]+:(s3:::|kafka:[^:]*:[^:]*:(cluster|topic|group)/)\*", res
                ):
                    problems.append(f"{st.get('Sid')}: {action} on wildcard resource {res!r}")
    return problems
