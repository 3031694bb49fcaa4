"""The least-privilege IAM policy of the identity that runs ``pulumi up`` (pure).

:func:`deployer_policy` derives it from what a stack creates (:class:`DeployerPolicyInputs`: which Kafka,
which topic route, SCRAM, KMS key, logs, storage auto scaling, Mimir's role and buckets).
Actions are granted on the
stack's own ARNs where the resource's name is known before it exists (cluster and configuration names,
``AmazonMSK_<cluster>_*`` secrets, ``/aws/msk/<cluster>`` log group, the buckets, the role name prefix); ``*``
only where AWS assigns the identifier at creation (``CreateCluster``, ``CreateKey``) or the action has no
resource type (EC2 ``Describe*``, Application Auto Scaling). :data:`REASONS` says why each statement is there.

Sources (read 2026-11-29):

* AWS managed policy AmazonMSKFullAccess v7 (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/
  AmazonMSKFullAccess.html): the EC2, KMS, CloudWatch Logs and service-linked-role permissions MSK checks on
  the caller when it creates a cluster.
* MSK topic APIs need the caller's ``kafka-cluster:*`` rights on the cluster and topic
  (https://docs.aws.amazon.com/msk/latest/developerguide/msk-topic-operations-information.html,
  "IAM permissions for topic operations APIs").
* ``kafka-cluster:*`` actions and ARN formats: https://docs.aws.amazon.com/msk/latest/developerguide/
  iam-access-control.html.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, Literal

from mimirkafka.contract.errors import ContractError, Problem
from mimirkafka.kafka.kafka_admin_route import admin_iam_actions

if TYPE_CHECKING:
    from mimirkafka.kafka.msk import MskKafkaArgs
    from mimirkafka.kafka.msk_serverless import MskServerlessKafkaArgs


@dataclass(frozen=True)
class DeployerPolicyInputs:
    """What a stack creates, as far as the deployer's permissions are concerned."""

    kafka_kind: Literal["msk", "msk-serverless", "none"] = "msk"
    partition: str = "aws"
    #: ``*`` when not known: the policy then works in every region/account (less tight).
    region: str = "*"
    account_id: str = "*"
    cluster_name: str = "mimir"
    topic_name: str = "mimir-ingest"
    topic_route: Literal["control-plane", "kafka-provider", "kubernetes-job"] = "control-plane"
    #: Kafka ACLs applied over the route (acl_enforcement staged or enforced).
    acls: bool = False
    #: ``pulumi destroy`` may delete the topic (TopicProtection.ephemeral()).
    ephemeral_topic: bool = False
    scram: bool = False
    create_kms_key: bool = True
    broker_logs: bool = False
    storage_autoscaling: bool = False
    mimir_iam: Literal["none", "irsa", "pod-identity"] = "none"
    #: Pulumi names the role ``<resource name>-<random suffix>``: the policy allows ``<prefix>*``.
    role_name_prefix: str = "mimir-iam-role"
    #: Mimir's buckets are created as ``<prefix>-blocks|ruler|alertmanager``; ``None``: not created here.
    bucket_prefix: str | None = None
    eks_cluster_name: str | None = None


#: Why each statement exists (the docs list them; ``mimirkafka deployer-policy --explain`` prints them).
REASONS: dict[str, str] = {
    "MskCreate": "CreateCluster/CreateClusterV2/CreateConfiguration: MSK assigns the ARN's UUID at "
    "creation, so "
    "no ARN can name the cluster before it exists",
    "MskCluster": "read, update (configuration, storage, version, security), tag and delete the stack's "
    "cluster; associate the SCRAM secret",
    "MskConfiguration": "the broker configuration derived from the contract (one per version and properties)",
    "MskPrerequisites": "what MSK checks on the caller when creating a cluster (AmazonMSKFullAccess): "
    "subnets, "
    "VPCs, security groups, route tables, endpoints, the KMS key; no resource-level permissions exist "
    "for these",
    "MskServiceLinkedRole": "MSK's service-linked role AWSServiceRoleForKafka, created on the first cluster",
    "ServerlessVpcEndpoints": "MSK Serverless creates VPC endpoints in the client subnets",
    "SecurityGroup": "the cluster's security group and its client-only ingress rules",
    "TopicControlPlane": "aws.msk.Topic: MSK's topic API, which checks the caller's kafka-cluster "
    "rights on the "
    "cluster and topic",
    "TopicKafkaProtocol": "the kafka-provider route: pulumi-kafka logs in with IAM and creates the "
    "topic (and "
    "ACLs) over the Kafka protocol",
    "KmsCreate": "the customer-managed key for encryption at rest and the SCRAM secret (its ARN is "
    "assigned at "
    "creation)",
    "KmsKey": "manage and use the stack's keys (rotation, policy, grants MSK creates for encryption at rest)",
    "ScramSecret": "Mimir's SCRAM user: an AmazonMSK_<cluster>_* secret with its resource policy",
    "BrokerLogs": "the /aws/msk/<cluster> log group",
    "BrokerLogDelivery": "MSK's log delivery to CloudWatch Logs (AmazonMSKFullAccess)",
    "StorageAutoscaling": "Application Auto Scaling target and policy on the brokers' volumes (no "
    "resource-level "
    "permissions before the target exists)",
    "StorageAutoscalingRole": "Application Auto Scaling's service-linked role for MSK",
    "MimirRole": "the role Mimir's pods assume and its inline policies",
    "PodIdentity": "the EKS Pod Identity association of Mimir's service account",
    "PodIdentityPassRole": "handing Mimir's role to EKS Pod Identity",
    "MimirBuckets": "Mimir's three buckets: create, private, versioned, encrypted, read back by Pulumi",
}


def _statement(sid: str, actions: list[str], resources: list[str], **extra: Any) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": sorted(set(actions)), "Resource": resources, **extra}


def deployer_policy(inputs: DeployerPolicyInputs) -> dict[str, Any]:
    """The IAM policy document (``{"Version", "Statement"}``) for deploying the stack ``inputs`` describes."""
    i = inputs
    p, r, a = i.partition, i.region, i.account_id
    kafka = f"arn:{p}:kafka:{r}:{a}"
    cluster = f"{kafka}:cluster/{i.cluster_name}/*"
    topic = f"{kafka}:topic/{i.cluster_name}/*/{i.topic_name}"
    st: list[dict[str, Any]] = []
    if i.kafka_kind != "none":
        serverless = i.kafka_kind == "msk-serverless"
        creates = ["kafka:CreateClusterV2"] + (
            [] if serverless else ["kafka:CreateCluster", "kafka:CreateConfiguration"]
        )
        st.append(_statement("MskCreate", [*creates, "kafka:ListClusters", "kafka:ListClustersV2"], ["*"]))
        cluster_actions = [
            "kafka:DescribeCluster",
            "kafka:DescribeClusterV2",
            "kafka:DescribeClusterOperation",
            "kafka:DescribeClusterOperationV2",
            "kafka:GetBootstrapBrokers",
            "kafka:DeleteCluster",
            "kafka:TagResource",
            "kafka:UntagResource",
            "kafka:ListTagsForResource",
        ]
        if not serverless:
            cluster_actions += [
                "kafka:UpdateClusterConfiguration",
                "kafka:UpdateBrokerStorage",
                "kafka:UpdateBrokerCount",
                "kafka:UpdateBrokerType",
                "kafka:UpdateClusterKafkaVersion",
                "kafka:UpdateSecurity",
                "kafka:UpdateMonitoring",
                "kafka:UpdateStorage",
                "kafka:ListScramSecrets",
                "kafka:BatchAssociateScramSecret",
                "kafka:BatchDisassociateScramSecret",
                "kafka:ListNodes",
            ]
        st.append(_statement("MskCluster", cluster_actions, [cluster]))
        if not serverless:
            st.append(
                _statement(
                    "MskConfiguration",
                    [
                        "kafka:DescribeConfiguration",
                        "kafka:DescribeConfigurationRevision",
                        "kafka:UpdateConfiguration",
                        "kafka:DeleteConfiguration",
                    ],
                    [f"{kafka}:configuration/{i.cluster_name}-*/*"],
                )
            )
        st.append(
            _statement(
                "MskPrerequisites",
                [
                    "ec2:DescribeSubnets",
                    "ec2:DescribeVpcs",
                    "ec2:DescribeSecurityGroups",
                    "ec2:DescribeRouteTables",
                    "ec2:DescribeVpcEndpoints",
                    "ec2:DescribeVpcAttribute",
                    "kms:DescribeKey",
                    "kms:CreateGrant",
                ],
                ["*"],
            )
        )
        st.append(
            _statement(
                "MskServiceLinkedRole",
                ["iam:CreateServiceLinkedRole"],
                [f"arn:{p}:iam::{a}:role/aws-service-role/kafka.amazonaws.com/AWSServiceRoleForKafka*"],
                Condition={"StringLike": {"iam:AWSServiceName": "kafka.amazonaws.com"}},
            )
        )
        if serverless:
            st.append(
                _statement(
                    "ServerlessVpcEndpoints",
                    ["ec2:CreateVpcEndpoint"],
                    [
                        f"arn:{p}:ec2:{r}:{a}:vpc/*",
                        f"arn:{p}:ec2:{r}:{a}:subnet/*",
                        f"arn:{p}:ec2:{r}:{a}:security-group/*",
                        f"arn:{p}:ec2:{r}:{a}:vpc-endpoint/*",
                    ],
                )
            )
        st.append(
            _statement(
                "SecurityGroup",
                [
                    "ec2:CreateSecurityGroup",
                    "ec2:DeleteSecurityGroup",
                    "ec2:AuthorizeSecurityGroupIngress",
                    "ec2:AuthorizeSecurityGroupEgress",
                    "ec2:RevokeSecurityGroupIngress",
                    "ec2:RevokeSecurityGroupEgress",
                    "ec2:CreateTags",
                    "ec2:DescribeSecurityGroupRules",
                    "ec2:DescribeNetworkInterfaces",
                ],
                ["*"],
            )
        )
        route_actions = admin_iam_actions(with_acls=i.acls)
        data_plane_cluster = route_actions["cluster"]
        data_plane_topic = route_actions["topic"] + (
            ["kafka-cluster:DeleteTopic"] if i.ephemeral_topic else []
        )
        if i.topic_route == "control-plane":
            control = ["kafka:CreateTopic", "kafka:DescribeTopic", "kafka:UpdateTopic", "kafka:ListTopics"]
            control += ["kafka:DeleteTopic"] if i.ephemeral_topic else []
            st.append(
                _statement(
                    "TopicControlPlane",
                    control + data_plane_cluster + data_plane_topic,
                    [cluster, topic],
                )
            )
        elif i.topic_route == "kafka-provider":
            st.append(
                _statement("TopicKafkaProtocol", data_plane_cluster + data_plane_topic, [cluster, topic])
            )
        if i.create_kms_key and not serverless:
            st.append(_statement("KmsCreate", ["kms:CreateKey"], ["*"]))
            st.append(
                _statement(
                    "KmsKey",
                    [
                        "kms:DescribeKey",
                        "kms:EnableKeyRotation",
                        "kms:GetKeyRotationStatus",
                        "kms:GetKeyPolicy",
                        "kms:PutKeyPolicy",
                        "kms:ListResourceTags",
                        "kms:TagResource",
                        "kms:ScheduleKeyDeletion",
                        "kms:CreateGrant",
                        "kms:Encrypt",
                        "kms:Decrypt",
                        "kms:GenerateDataKey",
                    ],
                    [f"arn:{p}:kms:{r}:{a}:key/*"],
                )
            )
        if i.scram and not serverless:
            st.append(
                _statement(
                    "ScramSecret",
                    [
                        "secretsmanager:CreateSecret",
                        "secretsmanager:DeleteSecret",
                        "secretsmanager:DescribeSecret",
                        "secretsmanager:GetSecretValue",
                        "secretsmanager:PutSecretValue",
                        "secretsmanager:UpdateSecret",
                        "secretsmanager:TagResource",
                        "secretsmanager:GetResourcePolicy",
                        "secretsmanager:PutResourcePolicy",
                        "secretsmanager:DeleteResourcePolicy",
                    ],
                    [f"arn:{p}:secretsmanager:{r}:{a}:secret:AmazonMSK_{i.cluster_name}_*"],
                )
            )
        if i.broker_logs and not serverless:
            st.append(
                _statement(
                    "BrokerLogs",
                    [
                        "logs:CreateLogGroup",
                        "logs:DeleteLogGroup",
                        "logs:PutRetentionPolicy",
                        "logs:TagResource",
                        "logs:ListTagsForResource",
                    ],
                    [f"arn:{p}:logs:{r}:{a}:log-group:/aws/msk/{i.cluster_name}*"],
                )
            )
            st.append(
                _statement(
                    "BrokerLogDelivery",
                    [
                        "logs:CreateLogDelivery",
                        "logs:GetLogDelivery",
                        "logs:UpdateLogDelivery",
                        "logs:DeleteLogDelivery",
                        "logs:ListLogDeliveries",
                        "logs:PutResourcePolicy",
                        "logs:DescribeResourcePolicies",
                        "logs:DescribeLogGroups",
                    ],
                    ["*"],
                )
            )
        if i.storage_autoscaling and not serverless:
            st.append(
                _statement(
                    "StorageAutoscaling",
                    [
                        "application-autoscaling:RegisterScalableTarget",
                        "application-autoscaling:DeregisterScalableTarget",
                        "application-autoscaling:DescribeScalableTargets",
                        "application-autoscaling:PutScalingPolicy",
                        "application-autoscaling:DeleteScalingPolicy",
                        "application-autoscaling:DescribeScalingPolicies",
                        "application-autoscaling:TagResource",
                        "application-autoscaling:ListTagsForResource",
                    ],
                    ["*"],
                )
            )
            # AWSServiceRoleForApplicationAutoScaling_KafkaCluster, principal
            # kafka.application-autoscaling.amazonaws.com: https://docs.aws.amazon.com/autoscaling/
            # application/userguide/services-that-can-integrate-msk.html
            st.append(
                _statement(
                    "StorageAutoscalingRole",
                    ["iam:CreateServiceLinkedRole"],
                    [f"arn:{p}:iam::{a}:role/aws-service-role/kafka.application-autoscaling.amazonaws.com/*"],
                    Condition={
                        "StringLike": {"iam:AWSServiceName": "kafka.application-autoscaling.amazonaws.com"}
                    },
                )
            )
    if i.mimir_iam != "none":
        role = f"arn:{p}:iam::{a}:role/{i.role_name_prefix}*"
        st.append(
            _statement(
                "MimirRole",
                [
                    "iam:CreateRole",
                    "iam:DeleteRole",
                    "iam:GetRole",
                    "iam:TagRole",
                    "iam:UpdateAssumeRolePolicy",
                    "iam:PutRolePolicy",
                    "iam:GetRolePolicy",
                    "iam:DeleteRolePolicy",
                    "iam:ListRolePolicies",
                    "iam:ListAttachedRolePolicies",
                    "iam:ListInstanceProfilesForRole",
                ],
                [role],
            )
        )
        if i.mimir_iam == "pod-identity":
            eks = i.eks_cluster_name or "*"
            st.append(
                _statement(
                    "PodIdentity",
                    [
                        "eks:CreatePodIdentityAssociation",
                        "eks:DescribePodIdentityAssociation",
                        "eks:UpdatePodIdentityAssociation",
                        "eks:DeletePodIdentityAssociation",
                        "eks:TagResource",
                    ],
                    [
                        f"arn:{p}:eks:{r}:{a}:cluster/{eks}",
                        f"arn:{p}:eks:{r}:{a}:podidentityassociation/{eks}/*",
                    ],
                )
            )
            st.append(
                _statement(
                    "PodIdentityPassRole",
                    ["iam:PassRole"],
                    [role],
                    Condition={"StringEquals": {"iam:PassedToService": "pods.eks.amazonaws.com"}},
                )
            )
    if i.bucket_prefix:
        st.append(
            _statement(
                "MimirBuckets",
                [
                    "s3:CreateBucket",
                    "s3:DeleteBucket",
                    "s3:ListBucket",
                    "s3:GetBucket*",
                    "s3:PutBucketVersioning",
                    "s3:PutBucketPublicAccessBlock",
                    "s3:PutBucketTagging",
                    "s3:PutEncryptionConfiguration",
                    "s3:GetEncryptionConfiguration",
                    "s3:GetLifecycleConfiguration",
                    "s3:GetReplicationConfiguration",
                    "s3:GetAccelerateConfiguration",
                ],
                [f"arn:{p}:s3:::{i.bucket_prefix}-{kind}" for kind in ("blocks", "ruler", "alertmanager")],
            )
        )
    return {"Version": "2012-10-17", "Statement": st}


def inputs_from_mapping(raw: Mapping[str, Any]) -> DeployerPolicyInputs:
    """A JSON/YAML description (keys = the field names) as inputs; unknown keys, bad values: Problems."""
    known = {f.name for f in fields(DeployerPolicyInputs)}
    problems = [
        Problem(k, raw[k], "not a deployer-policy input", f"use one of {sorted(known)}")
        for k in raw
        if k not in known
    ]
    choices = {
        "kafka_kind": ("msk", "msk-serverless", "none"),
        "topic_route": ("control-plane", "kafka-provider", "kubernetes-job"),
        "mimir_iam": ("none", "irsa", "pod-identity"),
    }
    for key, allowed in choices.items():
        if key in raw and raw[key] not in allowed:
            problems.append(Problem(key, raw[key], "not one of the choices", f"use one of {list(allowed)}"))
    if problems:
        raise ContractError(problems)
    return DeployerPolicyInputs(**{k: v for k, v in raw.items() if k in known})


def inputs_from_msk_args(
    args: MskKafkaArgs | MskServerlessKafkaArgs,
    *,
    region: str = "*",
    account_id: str = "*",
    partition: str = "aws",
) -> DeployerPolicyInputs:
    """The inputs of a stack whose Kafka is ``MskKafka``/``MskServerlessKafka`` with ``args``."""
    from mimirkafka.contract.model import SaslMechanism
    from mimirkafka.kafka.kafka_admin_route import AclEnforcement, TopicRoute
    from mimirkafka.kafka.msk import MskKafkaArgs

    provisioned = isinstance(args, MskKafkaArgs)
    route = args.topic_route or TopicRoute.KAFKA_PROVIDER
    return DeployerPolicyInputs(
        kafka_kind="msk" if provisioned else "msk-serverless",
        partition=partition,
        region=region,
        account_id=account_id,
        cluster_name=args.cluster_name or "msk",
        topic_name=args.contract.topic.name,
        topic_route=route.value,
        acls=provisioned and args.acl_enforcement is not AclEnforcement.OFF,  # type: ignore[union-attr]
        ephemeral_topic=not args.protection.protect and not args.protection.retain_on_delete,
        scram=args.contract.sasl.mechanism is SaslMechanism.SCRAM_SHA_512,
        create_kms_key=provisioned and args.kms_key_arn is None,  # type: ignore[union-attr]
        broker_logs=provisioned and args.broker_logs is not None,  # type: ignore[union-attr]
        storage_autoscaling=provisioned and args.storage_autoscaling is not None,  # type: ignore[union-attr]
    )
