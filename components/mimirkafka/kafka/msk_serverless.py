"""``MskServerlessKafka``: an MSK Serverless cluster for Mimir (IAM only, 8 MiB message cap).

Serverless fixes the broker configs, offers only AWS_MSK_IAM on port 9098 and caps a topic's
``max.message.bytes`` at 8 MiB. Mimir's default record size (15,983,616 bytes) does not fit, so
:func:`fit_contract_to_serverless` lowers ``producer_max_record_size_bytes`` in the contract, and the
*same* adjusted contract must be given to the Mimir component. Mimir's producer batch cap
(16,000,000 bytes) is hard-coded, so batches of several small records can still exceed 8 MiB under
load; prefer MSK provisioned for production.

The topic cannot use MSK's control plane: AWS's topic APIs "are not available for MSK Serverless clusters"
(https://docs.aws.amazon.com/msk/latest/developerguide/msk-topic-operations-information.html). It is created
over the Kafka protocol with IAM, by the ``topic_route`` the args name (kafka-provider from where ``pulumi
up`` runs, or kubernetes-job inside the VPC; :mod:`mimirkafka.kafka.kafka_admin_route`). There is no default:
which network path exists is the user's to say. :func:`plan_msk_serverless` decides everything first.
AWS resources are tested under Pulumi mocks only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from mimirkafka.contract.errors import ContractError, Problem
from mimirkafka.contract.flavors import FLAVORS, max_record_size_for
from mimirkafka.contract.model import IngestStorageContract, KafkaFlavor, SaslMechanism
from mimirkafka.kafka import msk_plan as plan
from mimirkafka.kafka._contract import requirements_for
from mimirkafka.kafka.endpoint import CaKind, CaSource, CredentialsKind, CredentialsSource, KafkaEndpoint
from mimirkafka.kafka.kafka_admin_route import (
    AclEnforcement,
    AdminPlan,
    AdminRouteSettings,
    TopicRoute,
    admin_plan,
)
from mimirkafka.kafka.msk_resources import (
    client_security_group,
    kafka_deployer_policy,
    log_warnings,
    managed_tags,
    route_topic,
)
from mimirkafka.kafka.protection import (
    DeployedTopic,
    TopicProtection,
    TopicReplacementRefused,
    check_contract_topic,
    merge_opts,
    topic_state,
)

#: Topic configs MSK Serverless takes only when the topic is created (serverless-config.html).
SERVERLESS_CREATION_ONLY_CONFIGS = ("cleanup.policy",)

IAM_PORT = FLAVORS[KafkaFlavor.MSK_SERVERLESS].client_port("iam")
_CAP = FLAVORS[KafkaFlavor.MSK_SERVERLESS].max_message_bytes_cap


def fit_contract_to_serverless(c: IngestStorageContract) -> IngestStorageContract:
    """The contract with Serverless' limits carried back into it (pure).

    Sets the flavor, turns TLS on (Serverless is TLS-only) and lowers the producer record size to the
    8 MiB cap minus record overhead. Everything else is left for :func:`serverless_problems` to judge.
    """
    flavor = KafkaFlavor.MSK_SERVERLESS
    limit = max_record_size_for(flavor)
    assert limit is not None
    tls = c.tls if c.tls.enabled else dataclasses.replace(c.tls, enabled=True)
    return dataclasses.replace(
        c,
        flavor=flavor,
        tls=tls,
        producer_max_record_size_bytes=min(c.producer_max_record_size_bytes, limit),
    )


def serverless_problems(c: IngestStorageContract, extra_auth: Sequence[str] = ()) -> list[Problem]:
    """Everything in ``c`` that MSK Serverless cannot do, with the fix for each."""
    found: list[Problem] = []
    if c.sasl.mechanism is not SaslMechanism.AWS_MSK_IAM:
        found.append(
            Problem(
                "sasl",
                c.sasl.mechanism.value if c.sasl.mechanism else None,
                "MSK Serverless authenticates clients with IAM only (no SCRAM, no mTLS, no unauthenticated)",
                "use an MskIam* source (e.g. presets.msk_iam(..., serverless=True)) or MskKafka for SCRAM",
            )
        )
    if c.tls.mutual:
        found.append(
            Problem("tls.client_cert", "***", "Serverless has no mTLS", "remove the client certificate")
        )
    if extra_auth:
        found.append(
            Problem("extra_auth", list(extra_auth), "Serverless offers IAM only", "remove extra_auth")
        )
    limit = max_record_size_for(KafkaFlavor.MSK_SERVERLESS)
    if limit is not None and c.producer_max_record_size_bytes > limit:
        found.append(
            Problem(
                "producer_max_record_size_bytes",
                c.producer_max_record_size_bytes,
                f"topics on Serverless accept at most {_CAP} bytes per batch",
                f"set it to {limit} or less (fit_contract_to_serverless(c) does it)",
            )
        )
    if c.auto_create_topic_enabled:
        found.append(
            Problem(
                "auto_create_topic_enabled",
                True,
                "the topic is created here with its limits; broker-side auto-creation would use defaults",
                "set auto_create_topic_enabled=False",
            )
        )
    return found


@dataclass
class MskServerlessKafkaArgs:
    #: Give the result of :func:`fit_contract_to_serverless` (and the same to the Mimir component).
    contract: IngestStorageContract
    vpc_id: pulumi.Input[str]
    subnet_ids: Sequence[pulumi.Input[str]]
    client_cidr_blocks: Sequence[str] = ()
    client_security_group_ids: Sequence[pulumi.Input[str]] = ()
    cluster_name: str | None = None
    #: Serverless cannot offer other paths; anything here is refused with a clear error.
    extra_auth: Sequence[str] = ()
    protection: TopicProtection = field(default_factory=TopicProtection)
    previous: DeployedTopic | None = None
    tags: dict[str, str] = field(default_factory=dict)
    #: kafka-provider or kubernetes-job (required: Serverless has no control-plane topic API).
    topic_route: TopicRoute | None = None
    #: Region (kafka-provider) or namespace and service account (kubernetes-job) of the route.
    admin_route: AdminRouteSettings = field(default_factory=AdminRouteSettings)
    #: Log the plan's warnings on the component; False when the caller shows them (the stack does).
    log_warnings: bool = True


@dataclass(frozen=True)
class MskServerlessPlan:
    """Everything :class:`MskServerlessKafka` creates, decided before its first resource."""

    cluster_name: str
    topic_route: TopicRoute
    admin: AdminPlan
    warnings: tuple[Problem, ...] = ()
    contract_warnings: tuple[str, ...] = ()


def plan_msk_serverless(args: MskServerlessKafkaArgs) -> MskServerlessPlan:
    """Every decision of ``MskServerlessKafka``, or one :class:`ContractError` listing every problem
    (pure)."""
    c = args.contract
    found = serverless_problems(c, args.extra_auth) if c.flavor is KafkaFlavor.MSK_SERVERLESS else []
    if found:
        raise ContractError(found)
    req = requirements_for(c, "MskServerlessKafka", (KafkaFlavor.MSK_SERVERLESS,))
    if req.broker_config:
        found.append(
            Problem("broker_config", req.broker_config, "Serverless broker configs are fixed", "none")
        )
    found += plan.client_problems(args.client_cidr_blocks, args.client_security_group_ids, f"port {IAM_PORT}")
    found += plan.route_problems(
        route=args.topic_route,
        serverless=True,
        methods=(plan.MskAuth.IAM,),
        settings=args.admin_route,
        acl_enforcement=AclEnforcement.OFF,
        deployed_acl_enforcement=None,
        existing=False,
    )
    cluster_name = args.cluster_name or "msk-serverless"
    try:
        check_contract_topic(c, req.partitions, cluster_name, args.previous)
    except TopicReplacementRefused as refused:
        found += refused.problems
    if found:
        raise ContractError(found)
    assert args.topic_route is not None
    admin = admin_plan(
        topic=req.topic,
        partitions=req.partitions,
        replication_factor=req.replication_factor,
        topic_config=req.topic_config,
        # Serverless fixes the replication factor (3); the Job leaves it out, the provider sends the same 3.
        replication_factor_settable=False,
        creation_only_configs=SERVERLESS_CREATION_ONLY_CONFIGS,
    )
    return MskServerlessPlan(cluster_name, args.topic_route, admin, (), tuple(req.warnings))


class MskServerlessKafka(pulumi.ComponentResource):
    endpoint: KafkaEndpoint
    bootstrap_brokers: pulumi.Output[str]
    topic_name: pulumi.Output[str]
    cluster_arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: MskServerlessKafkaArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        p = plan_msk_serverless(args if args.cluster_name else dataclasses.replace(args, cluster_name=name))
        super().__init__("mimirkafka:kafka:MskServerlessKafka", name, None, opts)
        self.plan = p
        c = args.contract
        cluster_name = p.cluster_name
        if args.log_warnings:
            log_warnings(p.warnings, self, p.contract_warnings)
        child = pulumi.ResourceOptions(parent=self)
        tags = managed_tags(args.tags)
        self.security_group = client_security_group(
            name,
            vpc_id=args.vpc_id,
            ports=[IAM_PORT],
            cidr_blocks=args.client_cidr_blocks,
            security_group_ids=args.client_security_group_ids,
            description=f"MSK Serverless {cluster_name}: IAM port {IAM_PORT}",
            tags=tags,
            opts=child,
        )
        self.cluster = aws.msk.ServerlessCluster(
            f"{name}-cluster",
            cluster_name=cluster_name,
            client_authentication={"sasl": {"iam": {"enabled": True}}},
            vpc_configs=[
                {"subnet_ids": list(args.subnet_ids), "security_group_ids": [self.security_group.id]}
            ],
            tags=tags,
            opts=child,
        )
        routed = route_topic(
            name,
            route=p.topic_route,
            plan=p.admin,
            iam_bootstrap=self.cluster.bootstrap_brokers_sasl_iam,
            settings=args.admin_route,
            protection=args.protection,
            opts=merge_opts(child, pulumi.ResourceOptions(depends_on=[self.cluster])),
        )
        self.topic, self.acls = routed.topic, routed.acls
        self.scram_credential = None
        self.bootstrap_brokers = self.cluster.bootstrap_brokers_sasl_iam
        self.cluster_arn = self.cluster.arn
        self.topic_name = routed.topic_name
        self.endpoint = KafkaEndpoint(
            bootstrap_brokers=self.bootstrap_brokers,
            port=IAM_PORT,
            mechanism=SaslMechanism.AWS_MSK_IAM,
            tls=True,
            topic_name=self.topic_name,
            ca=CaSource(CaKind.SYSTEM),
            credentials=CredentialsSource(CredentialsKind.IAM),
            extra={
                "flavor": c.flavor.value,
                "cluster_arn": self.cluster.arn,
                "topic_route": p.topic_route.value,
            },
        )
        self.topic_state = topic_state(self.topic_name, p.admin.partitions, cluster_name)
        #: The IAM policy ``pulumi up`` of this component needs (Kafka side; see docs/kafka.md).
        self.deployer_policy = kafka_deployer_policy(
            args if args.cluster_name else dataclasses.replace(args, cluster_name=name), self
        )
        self.register_outputs(
            {
                **self.endpoint.to_outputs(),
                "topic_state": self.topic_state,
                "topic_route": p.topic_route.value,
                "deployer_policy": self.deployer_policy,
            }
        )
