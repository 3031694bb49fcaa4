"""``MimirIam``: the AWS role Mimir's pods assume, its buckets, and least-privilege policies.

Trust is IRSA (the cluster's OIDC provider, ``sub`` = ``system:serviceaccount:<ns>:<sa>``, ``aud`` =
``sts.amazonaws.com``) or an EKS Pod Identity association, pinned to the EKS cluster's ARN through the
``eks-cluster-arn`` session tag (see :func:`~mimirkafka.mimir.iam_policies.pod_identity_trust_policy`).
:func:`plan_mimir_iam` (pure) refuses incomplete args, every problem at once, before any resource.
Policies: S3 on Mimir's own three buckets
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

from mimirkafka.contract.errors import ContractError, Problem
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
    #: Pod Identity: the EKS cluster's ARN; default built from the name and the provider's account/region.
    eks_cluster_arn: pulumi.Input[str] | None = None


def plan_mimir_iam(args: MimirIamArgs) -> list[Problem]:
    """Every missing or contradicting input of ``args`` (pure); empty when the component can be built."""
    found: list[Problem] = []
    if args.trust == "irsa":
        for name in ("oidc_provider_arn", "oidc_issuer_url"):
            if not getattr(args, name):
                found.append(
                    Problem(
                        name,
                        None,
                        "trust=irsa needs the cluster's OIDC provider ARN and issuer URL",
                        f"set {name} (aws eks describe-cluster shows the issuer)",
                    )
                )
    elif args.trust == "pod-identity":
        if not args.eks_cluster_name:
            found.append(
                Problem(
                    "eks_cluster_name",
                    None,
                    "the Pod Identity association and its trust name the cluster",
                    "set eks_cluster_name",
                )
            )
    else:
        found.append(Problem("trust", args.trust, "unknown trust", "use 'irsa' or 'pod-identity'"))
    if args.contract.sasl.mechanism is SaslMechanism.AWS_MSK_IAM and args.msk_cluster_arn is None:
        found.append(
            Problem(
                "msk_cluster_arn",
                None,
                "the contract uses AWS_MSK_IAM; the role's kafka-cluster policy is scoped to the cluster",
                "pass the MSK component's cluster_arn",
            )
        )
    if not args.create_buckets and not args.existing_buckets:
        found.append(
            Problem(
                "existing_buckets",
                None,
                "create_buckets=False needs the three bucket names",
                "set existing_buckets=(blocks, ruler, alertmanager)",
            )
        )
    return found


class MimirIam(pulumi.ComponentResource):
    role_arn: pulumi.Output[str]
    bucket_names: tuple[pulumi.Output[str], pulumi.Output[str], pulumi.Output[str]]
    #: Annotations for Mimir's service account (IRSA), empty for Pod Identity.
    service_account_annotations: pulumi.Output[dict[str, str]]

    def __init__(self, name: str, args: MimirIamArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        found = plan_mimir_iam(args)
        if found:
            raise ContractError(found)
        super().__init__("mimirkafka:mimir:Iam", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        trust: pulumi.Input[str]
        if args.trust == "irsa":
            assert args.oidc_provider_arn and args.oidc_issuer_url
            trust = json.dumps(
                p.irsa_trust_policy(
                    args.oidc_provider_arn, args.oidc_issuer_url, args.namespace, args.service_account
                )
            )
        else:
            cluster_arn = args.eks_cluster_arn
            if cluster_arn is None:
                invoke = pulumi.InvokeOptions(parent=self)
                ident = aws.get_caller_identity_output(opts=invoke)
                region = aws.get_region_output(opts=invoke)
                part = aws.get_partition_output(opts=invoke)
                cluster = str(args.eks_cluster_name)
                cluster_arn = pulumi.Output.all(part.partition, region.region, ident.account_id).apply(
                    lambda v: p.eks_cluster_arn(v[0], v[1], v[2], cluster)
                )
            ns, sa = args.namespace, args.service_account
            trust = pulumi.Output.from_input(cluster_arn).apply(
                lambda arn: json.dumps(p.pod_identity_trust_policy(str(arn), ns, sa))
            )
        uses_msk_iam = args.contract.sasl.mechanism is SaslMechanism.AWS_MSK_IAM

        if args.create_buckets:
            buckets = [self._bucket(f"{name}-{kind}", f"{args.bucket_prefix}-{kind}") for kind in _KINDS]
            names = [b.bucket for b in buckets]
        else:
            assert args.existing_buckets
            names = [pulumi.Output.from_input(b) for b in args.existing_buckets]
        self.bucket_names = (names[0], names[1], names[2])

        self.role = aws.iam.Role(f"{name}-role", assume_role_policy=trust, opts=child)
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
