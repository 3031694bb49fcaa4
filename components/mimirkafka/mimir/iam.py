"""``MimirIam``: the AWS role Mimir's pods assume, its buckets, and least-privilege policies.

Trust is IRSA (the cluster's OIDC provider, ``sub`` = ``system:serviceaccount:<ns>:<sa>``, ``aud`` =
``sts.amazonaws.com``) or an EKS Pod Identity association. Policies: S3 on Mimir's own three buckets
(created encrypted, versioned and private, or taken as existing) and, with ``AWS_MSK_IAM``, the
``kafka-cluster:*`` actions the contract derives, scoped to the cluster, topic and group ARNs. The
policy documents come from :mod:`mimirkafka.mimir.iam_policies` (pure, unit-tested).

Mimir's ``AWS_MSK_IAM`` cannot use these role credentials directly (no SDK default chain in Mimir
3.1, grafana/mimir#15724): the chart values add the credentials sidecar of
:mod:`mimirkafka.mimir.msk_iam_credentials`, which serves them on a unix socket.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

import pulumi
import pulumi_aws as aws

from mimirkafka.contract.kafka_side import msk_iam_actions, msk_iam_resource_names
from mimirkafka.contract.model import IngestStorageContract, SaslMechanism
from mimirkafka.mimir import iam_policies as p


@dataclass
class MimirIamArgs:
    contract: IngestStorageContract
    namespace: str
    service_account: str
    trust: Literal["irsa", "pod-identity"]
    #: Create the three buckets (names ``<prefix>-blocks|ruler|alertmanager``) or use ``existing_buckets``.
    create_buckets: bool = True
    bucket_prefix: str = "mimir"
    existing_buckets: tuple[str, str, str] | None = None
    #: With ``AWS_MSK_IAM``: the MSK cluster ARN (an Output of the Kafka component).
    msk_cluster_arn: pulumi.Input[str] | None = None
    oidc_provider_arn: str | None = None
    oidc_issuer_url: str | None = None
    eks_cluster_name: str | None = None


class MimirIam(pulumi.ComponentResource):
    role_arn: pulumi.Output[str]
    bucket_names: tuple[pulumi.Output[str], pulumi.Output[str], pulumi.Output[str]]
    #: Annotations for Mimir's service account (IRSA), empty for Pod Identity.
    service_account_annotations: pulumi.Output[dict[str, str]]

    def __init__(self, name: str, args: MimirIamArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("mimirkafka:mimir:Iam", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        if args.trust == "irsa":
            if not (args.oidc_provider_arn and args.oidc_issuer_url):
                raise ValueError("MimirIamArgs: trust=irsa needs oidc_provider_arn and oidc_issuer_url")
            trust = p.irsa_trust_policy(
                args.oidc_provider_arn, args.oidc_issuer_url, args.namespace, args.service_account
            )
        else:
            if not args.eks_cluster_name:
                raise ValueError("MimirIamArgs: trust=pod-identity needs eks_cluster_name")
            trust = p.pod_identity_trust_policy(None, args.namespace, args.service_account)
        uses_msk_iam = args.contract.sasl.mechanism is SaslMechanism.AWS_MSK_IAM
        if uses_msk_iam and args.msk_cluster_arn is None:
            raise ValueError("MimirIamArgs: the contract uses AWS_MSK_IAM; give msk_cluster_arn")

        if args.create_buckets:
            buckets = [self._bucket(f"{name}-{kind}", f"{args.bucket_prefix}-{kind}") for kind in _KINDS]
            names = [b.bucket for b in buckets]
        else:
            if not args.existing_buckets:
                raise ValueError("MimirIamArgs: create_buckets=False needs existing_buckets")
            names = [pulumi.Output.from_input(b) for b in args.existing_buckets]
        self.bucket_names = (names[0], names[1], names[2])

        self.role = aws.iam.Role(f"{name}-role", assume_role_policy=json.dumps(trust), opts=child)
        aws.iam.RolePolicy(
            f"{name}-s3",
            role=self.role.id,
            policy=pulumi.Output.all(*names).apply(lambda ns: json.dumps(p.s3_policy(list(ns)))),
            opts=child,
        )
        if uses_msk_iam:
            actions, resources = msk_iam_actions(args.contract), msk_iam_resource_names(args.contract)
            aws.iam.RolePolicy(
                f"{name}-msk",
                role=self.role.id,
                policy=pulumi.Output.from_input(args.msk_cluster_arn).apply(
                    lambda arn: json.dumps(p.msk_iam_policy(str(arn), actions, resources))
                ),
                opts=child,
            )
        if args.trust == "pod-identity":
            aws.eks.PodIdentityAssociation(
                f"{name}-pod-identity",
                cluster_name=args.eks_cluster_name,
                namespace=args.namespace,
                service_account=args.service_account,
                role_arn=self.role.arn,
                opts=child,
            )
            self.service_account_annotations = pulumi.Output.from_input({})
        else:
            self.service_account_annotations = self.role.arn.apply(
                lambda a: {"eks.amazonaws.com/role-arn": a}
            )
        self.role_arn = self.role.arn
        self.register_outputs({"role_arn": self.role_arn, "bucket_names": list(names)})

    def _bucket(self, name: str, bucket: str) -> aws.s3.Bucket:
        child = pulumi.ResourceOptions(parent=self)
        b = aws.s3.Bucket(name, bucket=bucket, opts=pulumi.ResourceOptions(parent=self, protect=True))
        aws.s3.BucketPublicAccessBlock(
            f"{name}-private",
            bucket=b.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        aws.s3.BucketVersioning(
            f"{name}-versioning", bucket=b.id, versioning_configuration={"status": "Enabled"}, opts=child
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-sse",
            bucket=b.id,
            rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}],
            opts=child,
        )
        return b


_KINDS = ("blocks", "ruler", "alertmanager")
