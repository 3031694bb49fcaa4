"""The Kafka-protocol route: the ingest topic and Kafka ACLs on MSK without MSK's control-plane topic API.

Why a second route exists:

* AWS's topic APIs (CreateTopic/DescribeTopic/UpdateTopic, what ``aws.msk.Topic`` calls) "are not available
  for MSK Serverless clusters" and need Kafka >= 3.6.0 on a provisioned cluster
  (https://docs.aws.amazon.com/msk/latest/developerguide/msk-topic-operations-information.html, section
  "Requirements for using topic APIs"; read 2026-11-29 through the docs.amazonaws.cn/en_us mirror).
* MSK's control plane has no ACL API at all. MSK enables Kafka's authorizer and sets
  ``allow.everyone.if.no.acl.found=true`` by default, so a SCRAM user has every right until ACLs exist
  (https://docs.aws.amazon.com/msk/latest/developerguide/msk-acls.html).

Both are done here with Kafka's own admin protocol, by one of two routes (:class:`TopicRoute`):

``kafka-provider``
    pulumi-kafka from wherever ``pulumi up`` runs, authenticating with ``aws-iam`` (SigV4 with the
    deployer's AWS credentials). Needs a network path from that machine to the brokers' IAM port 9098.
``kubernetes-job``
    a Kubernetes Job in the target cluster (inside the VPC) running Kafka's own CLI tools with the
    aws-msk-iam-auth login module and the Job pod's IAM role (IRSA or Pod Identity). Needs only what
    Mimir already needs: the cluster's pods reach port 9098. See :mod:`mimirkafka.kafka.admin_job`.

On MSK the route authenticates with IAM, and "Apache Kafka ACLs have no effect on authorization for IAM
identities" (https://docs.aws.amazon.com/msk/latest/developerguide/iam-access-control.html), so applying
ACLs can never lock the route itself out. ACLs are applied in an order that keeps principals in use
working (:func:`acl_stages`): the ACLs of principals already in use (the admin's, other applications')
first, then Mimir's; ``allow.everyone.if.no.acl.found=false`` is only set on a cluster whose ACLs a
previous ``up`` already applied (:class:`AclEnforcement`, checked in :mod:`mimirkafka.kafka.msk_plan`).

Everything here but :func:`kafka_provider_route` is pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import pulumi
import pulumi_kafka as kafka

from mimirkafka.contract.kafka_side import AclRule
from mimirkafka.kafka.acl_spelling import ProviderAcl, to_provider_acls
from mimirkafka.kafka.protection import TopicProtection, merge_opts


class TopicRoute(str, Enum):
    """How the ingest topic (and, except for the control plane, the ACLs) reach the cluster."""

    #: ``aws.msk.Topic``: MSK's topic API. Provisioned only, Kafka >= 3.6.0, no network path, no ACLs.
    CONTROL_PLANE = "control-plane"
    #: pulumi-kafka over the Kafka protocol with IAM, from where ``pulumi up`` runs.
    KAFKA_PROVIDER = "kafka-provider"
    #: A Kubernetes Job inside the VPC, Kafka CLI tools with IAM, the Job pod's role.
    KUBERNETES_JOB = "kubernetes-job"

    @property
    def speaks_kafka(self) -> bool:
        return self is not TopicRoute.CONTROL_PLANE


class AclEnforcement(str, Enum):
    """Whether the cluster denies what no ACL allows (``allow.everyone.if.no.acl.found``)."""

    #: MSK's default ``true``: no ACLs are created, every authenticated SCRAM/mTLS user has every right.
    OFF = "off"
    #: Step one on a cluster in use: Mimir's and the admin's ACLs are created, the flag stays ``true``.
    STAGED = "staged"
    #: ``allow.everyone.if.no.acl.found=false``: only what an ACL allows.
    ENFORCED = "enforced"


#: Latest aws-msk-iam-auth release on Maven Central (maven-metadata.xml of
#: software.amazon.msk:aws-msk-iam-auth, <release>2.4.0</release>, read 2026-11-29); the "-all" jar
#: bundles its AWS SDK dependencies.
IAM_AUTH_VERSION = "2.4.0"
IAM_AUTH_JAR_URL = (
    "https://repo1.maven.org/maven2/software/amazon/msk/aws-msk-iam-auth/"
    f"{IAM_AUTH_VERSION}/aws-msk-iam-auth-{IAM_AUTH_VERSION}-all.jar"
)
#: The apache/kafka image the Job runs (Kafka's CLI tools under /opt/kafka/bin); 4.1.1 is the version of the
#: jars the test bed runs the same script with.
DEFAULT_JOB_IMAGE = "apache/kafka:4.1.1"


@dataclass(frozen=True)
class AdminRouteSettings:
    """How the Kafka-protocol routes reach the brokers and who they run as."""

    #: kafka-provider: the cluster's AWS region (SigV4 signs for it). Required with that route.
    aws_region: str | None = None
    #: kafka-provider: a role the provider assumes for the IAM connection (default: the deployer's
    #: credentials).
    aws_role_arn: str | None = None
    #: kafka-provider: a named AWS profile for the IAM connection.
    aws_profile: str | None = None
    #: kafka-provider: the Kafka protocol version the provider speaks.
    provider_kafka_version: str = "2.7.0"
    #: kafka-provider: seconds for admin, metadata and create waits.
    provider_timeout: int = 120
    #: kubernetes-job: the namespace and service account the Job runs as. The service account needs an IAM
    #: role (IRSA annotation or Pod Identity association) with the actions :func:`admin_iam_actions` lists.
    job_namespace: str | None = None
    job_service_account: str | None = None
    job_image: str = DEFAULT_JOB_IMAGE
    #: kubernetes-job: where the init container downloads aws-msk-iam-auth from (a mirror inside the VPC
    #: works as well); the apache/kafka image does not ship the IAM login module.
    iam_auth_jar_url: str = IAM_AUTH_JAR_URL
    #: kubernetes-job: seconds the Job may run before Kubernetes stops it.
    job_deadline_seconds: int = 600
    #: ACLs of principals already in use besides Mimir (the admin's SCRAM user, other applications). They
    #: are applied before Mimir's, so that Mimir's first ACL on a shared resource cannot lock them out.
    acls_in_use: tuple[AclRule, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class AdminPlan:
    """What the route applies, in order: the topic, then the ACL stages one after the other."""

    topic: str
    partitions: int
    replication_factor: int
    #: Topic configs (strings) the route sets at creation and keeps in place.
    topic_config: Mapping[str, str]
    #: ``stages[0]``: principals in use besides Mimir; ``stages[1]``: Mimir's own ACLs.
    stages: tuple[tuple[ProviderAcl, ...], ...]
    #: False on MSK Serverless, whose replication factor is fixed (the CLI then omits it).
    replication_factor_settable: bool = True

    @property
    def acls(self) -> tuple[ProviderAcl, ...]:
        return tuple(a for stage in self.stages for a in stage)


def acl_stages(mimir: Iterable[AclRule], in_use: Iterable[AclRule]) -> tuple[tuple[ProviderAcl, ...], ...]:
    """The ACLs in the order that locks out no principal in use.

    Kafka's authorizer falls back to ``allow.everyone.if.no.acl.found`` only for a resource that has no ACL at
    all: Mimir's first ACL on a topic or group prefix ends that fallback for everybody else. The ACLs of the
    other principals in use therefore come first (stage 0), Mimir's after them (stage 1). An ACL in both lists
    belongs to stage 0. Empty stages are dropped.
    """
    first = to_provider_acls(in_use)
    seen = set(first)
    second = [a for a in to_provider_acls(mimir) if a not in seen]
    return tuple(stage for stage in (tuple(first), tuple(second)) if stage)


def admin_plan(
    *,
    topic: str,
    partitions: int,
    replication_factor: int,
    topic_config: Mapping[str, str],
    mimir_acls: Iterable[AclRule] = (),
    acls_in_use: Iterable[AclRule] = (),
    replication_factor_settable: bool = True,
    creation_only_configs: Iterable[str] = (),
) -> AdminPlan:
    """The :class:`AdminPlan` for the contract's topic and ACLs (pure).

    ``creation_only_configs`` are left out of the configs the route alters after creation (MSK Serverless
    accepts ``cleanup.policy`` only at creation: https://docs.aws.amazon.com/msk/latest/developerguide/
    serverless-config.html; pulumi-kafka would send it on every update, Mongey/terraform-provider-kafka
    pull request #451). ``delete`` is Kafka's default, so leaving it out changes nothing.
    """
    dropped = set(creation_only_configs)
    return AdminPlan(
        topic=topic,
        partitions=partitions,
        replication_factor=replication_factor,
        topic_config={k: str(v) for k, v in sorted(topic_config.items()) if k not in dropped},
        stages=acl_stages(mimir_acls, acls_in_use),
        replication_factor_settable=replication_factor_settable,
    )


def msk_iam_provider_args(bootstrap: pulumi.Input[str], settings: AdminRouteSettings) -> dict[str, Any]:
    """``pulumi_kafka.Provider`` arguments for MSK's IAM listener (TLS, ``aws-iam``), pure but for Outputs.

    pulumi-kafka 3.13.0 (terraform-provider-kafka v0.13.1) names the mechanism ``aws-iam`` and takes the
    region in ``sasl_aws_region``; with neither keys nor a profile it uses the AWS SDK's default chain
    (the deployer's credentials).
    """
    args: dict[str, Any] = {
        "bootstrap_servers": pulumi.Output.from_input(bootstrap).apply(
            lambda s: [b for b in str(s).split(",") if b]
        ),
        # MSK's IAM listener is TLS with Amazon-trusted certificates: the system trust store verifies them.
        "tls_enabled": True,
        "skip_tls_verify": False,
        "sasl_mechanism": "aws-iam",
        "sasl_aws_region": settings.aws_region,
        "kafka_version": settings.provider_kafka_version,
        "timeout": settings.provider_timeout,
    }
    if settings.aws_role_arn:
        args["sasl_aws_role_arn"] = settings.aws_role_arn
    if settings.aws_profile:
        args["sasl_aws_profile"] = settings.aws_profile
    return args


#: IAM actions the route's identity needs on the cluster (``kafka-cluster:*``, iam-access-control.html action
#: table): Connect first; DescribeCluster/AlterCluster for DescribeAcls/CreateAcls; topic actions for
#: CreateTopics, DescribeConfigs, AlterConfigs and CreatePartitions. No DeleteTopic: the route never deletes.
ROUTE_CLUSTER_ACTIONS = ("kafka-cluster:Connect", "kafka-cluster:DescribeCluster")
ROUTE_ACL_ACTIONS = ("kafka-cluster:AlterCluster",)
ROUTE_TOPIC_ACTIONS = (
    "kafka-cluster:CreateTopic",
    "kafka-cluster:DescribeTopic",
    "kafka-cluster:AlterTopic",
    "kafka-cluster:DescribeTopicDynamicConfiguration",
    "kafka-cluster:AlterTopicDynamicConfiguration",
)


def admin_iam_actions(with_acls: bool) -> dict[str, list[str]]:
    """``{"cluster": [...], "topic": [...]}``: what the route's IAM identity must be allowed."""
    cluster = list(ROUTE_CLUSTER_ACTIONS) + (list(ROUTE_ACL_ACTIONS) if with_acls else [])
    return {"cluster": cluster, "topic": list(ROUTE_TOPIC_ACTIONS)}


def acl_resource_suffix(acl: ProviderAcl) -> str:
    """A stable Pulumi name suffix for one ACL: its principal and its slug (several principals share a
    resource here, so the slug alone would collide; found by the e2e run against the real engine)."""
    principal = acl.acl_principal.replace(":", "-").replace("=", "-").replace(",", "-").lower()
    return f"{principal}-{acl.slug()}"


@dataclass
class RouteResources:
    """What a route registered: the topic (or the Job standing for it) and the ACLs, by stage."""

    topic: pulumi.Resource
    acls: list[pulumi.Resource]
    #: The topic's name, known only once the topic exists (Mimir must not start before it does).
    topic_name: pulumi.Output[str]
    provider: kafka.Provider | None = None


def kafka_provider_route(
    name: str,
    *,
    plan: AdminPlan,
    provider_args: Mapping[str, Any],
    protection: TopicProtection,
    opts: pulumi.ResourceOptions,
    check_live_topic: bool = True,
) -> RouteResources:
    """The ``kafka-provider`` route: a pulumi-kafka provider, the topic and the ACLs in stage order.

    ``provider_args`` is :func:`msk_iam_provider_args` on MSK; tests point the same code at the local
    broker with a mechanism it offers. Each stage's ACLs depend on every ACL of the stage before, so the
    engine creates them in that order; within a stage they are created concurrently. With
    ``check_live_topic`` the live topic is read first (:mod:`mimirkafka.kafka.existing`) and a change that
    would make pulumi-kafka replace it (fewer partitions, another replication factor) fails the update
    before the Topic is registered.
    """
    from mimirkafka.kafka.existing import _checked_topic_shape

    provider = kafka.Provider(f"{name}-admin", opts=opts, **dict(provider_args))
    child = merge_opts(opts, pulumi.ResourceOptions(provider=provider))
    partitions: pulumi.Input[int] = plan.partitions
    replication_factor: pulumi.Input[int] = plan.replication_factor
    if check_live_topic:
        checked: pulumi.Output[tuple[int, int]] = pulumi.Output.from_input(
            _checked_topic_shape(
                plan.topic,
                plan.partitions,
                plan.replication_factor,
                False,
                pulumi.InvokeOptions(parent=opts.parent, provider=provider),
            )
        )
        partitions = checked.apply(lambda shape: shape[0])
        replication_factor = checked.apply(lambda shape: shape[1])
    topic = kafka.Topic(
        f"{name}-topic",
        name=plan.topic,
        partitions=partitions,
        replication_factor=replication_factor,
        config=dict(plan.topic_config),
        opts=merge_opts(child, protection.options()),
    )
    acls: list[pulumi.Resource] = []
    before: Sequence[pulumi.Resource] = [topic]
    for stage in plan.stages:
        created = [
            kafka.Acl(
                f"{name}-acl-{acl_resource_suffix(acl)}",
                **acl.kwargs(),
                opts=merge_opts(child, pulumi.ResourceOptions(depends_on=list(before))),
            )
            for acl in stage
        ]
        acls += created
        before = created
    return RouteResources(topic=topic, acls=acls, topic_name=topic.name, provider=provider)
