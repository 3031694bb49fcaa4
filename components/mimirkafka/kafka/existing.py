"""``ExistingKafka``: the topic, Mimir's SCRAM user and its ACLs on a cluster someone else runs.

Reached with the pulumi-kafka provider (Apache Kafka, Confluent, Redpanda, WarpStream, Strimzi with
an external listener...). The *admin* connection (who Pulumi connects as; it creates Mimir's user)
is separate from Mimir's contract (who Mimir connects as).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kafka as kafka
import pulumi_random as random

from mimirkafka.contract.errors import Problem
from mimirkafka.contract.kafka_side import KafkaRequirements
from mimirkafka.contract.model import IngestStorageContract, KafkaFlavor, SaslMechanism, ScramAuth
from mimirkafka.contract.validation import split_address
from mimirkafka.contract.validation import warnings as contract_warnings
from mimirkafka.kafka._contract import Problems, given_password, mechanism_of, requirements_for
from mimirkafka.kafka.acl_spelling import to_provider_acls
from mimirkafka.kafka.endpoint import (
    CaKind,
    CaSource,
    CredentialsKind,
    CredentialsSource,
    KafkaEndpoint,
    first_port,
)
from mimirkafka.kafka.protection import (
    DeployedTopic,
    LiveTopic,
    TopicProtection,
    check_contract_topic,
    check_live_topic,
    is_topic_missing_error,
    merge_opts,
    topic_state,
)

#: pulumi-kafka's own spellings of the SASL mechanisms (anything else is a provider error).
PROVIDER_MECHANISMS: dict[SaslMechanism, str] = {
    SaslMechanism.PLAIN: "plain",
    SaslMechanism.SCRAM_SHA_256: "scram-sha256",
    SaslMechanism.SCRAM_SHA_512: "scram-sha512",
    SaslMechanism.OAUTHBEARER: "oauthbearer",
    SaslMechanism.AWS_MSK_IAM: "aws-iam",
}

EXISTING_FLAVORS = (
    KafkaFlavor.APACHE,
    KafkaFlavor.CONFLUENT,
    KafkaFlavor.CONFLUENT_CLOUD,
    KafkaFlavor.CONFLUENT_CLOUD_DEDICATED,
    KafkaFlavor.REDPANDA,
    KafkaFlavor.WARPSTREAM,
    KafkaFlavor.STRIMZI,
    KafkaFlavor.MSK_PROVISIONED,
    KafkaFlavor.MSK_EXPRESS,
)


@dataclass
class AdminConnection:
    """How Pulumi's kafka provider connects (an admin principal, not Mimir's)."""

    #: ``host:port`` list reachable from where ``pulumi up`` runs (and every advertised broker address).
    bootstrap_servers: Sequence[str]
    #: SASL mechanism of the admin, ``None`` for no SASL.
    mechanism: SaslMechanism | None = None
    username: pulumi.Input[str] | None = None
    #: Wrapped in a Pulumi secret by the component.
    password: pulumi.Input[str] | None = None
    #: TLS to the brokers. Set explicitly: the provider's own default is TLS *on*.
    tls: bool = False
    #: PEM content or a file path (the provider accepts both).
    ca_cert: pulumi.Input[str] | None = None
    client_cert: pulumi.Input[str] | None = None
    #: Wrapped in a Pulumi secret by the component.
    client_key: pulumi.Input[str] | None = None
    skip_tls_verify: bool = False
    #: ``aws-iam`` only: the region of the MSK cluster.
    aws_region: str | None = None
    #: sarama protocol version the provider speaks (provider default ``2.7.0``).
    kafka_version: str | None = None
    #: Seconds for admin, metadata and create waits (provider default 120).
    timeout: int | None = None
    #: OAUTHBEARER client-credentials token endpoint.
    token_url: str | None = None


@dataclass
class ExistingKafkaArgs:
    #: The single source of truth for topic, limits, user and ACLs.
    contract: IngestStorageContract
    #: Used to build a ``pulumi_kafka.Provider``, unless ``opts.providers["kafka"]`` is given.
    admin: AdminConnection | None = None
    #: Create Mimir's SCRAM credential (only when the contract uses SCRAM).
    create_scram_user: bool = True
    #: Create the contract's least-privilege ACLs (needs an authorizer on the brokers).
    create_acls: bool = True
    #: Guard of the topic resource (protected by default; ``TopicProtection.ephemeral()`` for tests).
    protection: TopicProtection = field(default_factory=TopicProtection)
    #: The topic as deployed today (see ``mimirkafka.kafka.protection``).
    previous: DeployedTopic | None = None
    #: SCRAM iterations (>= 4096).
    scram_iterations: int = 4096
    #: Read the live topic from the cluster before touching it, and refuse a shrink or a replication
    #: factor change (see :func:`mimirkafka.kafka.protection.check_live_topic`). Leave it on.
    check_live_topic: bool = True
    #: Let a replication factor change through: only safe when every broker is Kafka >= 2.4, where
    #: pulumi-kafka reassigns replicas in place instead of recreating the topic.
    allow_replication_factor_change: bool = False


def provider_args(admin: AdminConnection) -> dict[str, Any]:
    """The ``pulumi_kafka.Provider`` keyword arguments for ``admin`` (pure; secrets wrapped)."""
    args: dict[str, Any] = {
        "bootstrap_servers": list(admin.bootstrap_servers),
        # The provider turns TLS on unless told otherwise, and KAFKA_ENABLE_TLS=false cannot turn it
        # off in the Python SDK: always say it.
        "tls_enabled": admin.tls,
        "skip_tls_verify": admin.skip_tls_verify,
    }
    if admin.mechanism is not None:
        args["sasl_mechanism"] = PROVIDER_MECHANISMS[admin.mechanism]
    if admin.username is not None:
        args["sasl_username"] = admin.username
    if admin.password is not None:
        args["sasl_password"] = pulumi.Output.secret(admin.password)
    if admin.ca_cert is not None:
        args["ca_cert"] = admin.ca_cert
    if admin.client_cert is not None:
        args["client_cert"] = admin.client_cert
    if admin.client_key is not None:
        args["client_key"] = pulumi.Output.secret(admin.client_key)
    if admin.mechanism is SaslMechanism.AWS_MSK_IAM:
        args["sasl_aws_region"] = admin.aws_region
    if admin.kafka_version is not None:
        args["kafka_version"] = admin.kafka_version
    if admin.timeout is not None:
        args["timeout"] = admin.timeout
    if admin.token_url is not None:
        args["sasl_token_url"] = admin.token_url
    return args


def admin_problems(admin: AdminConnection) -> list[Problem]:
    """What is wrong with the admin connection, before any provider is configured (pure)."""
    found: list[Problem] = []
    mechanism = admin.mechanism
    if mechanism is not None and not isinstance(mechanism, SaslMechanism):
        known = {m.value.lower(): m for m in SaslMechanism}
        hint = known.get(str(mechanism).lower().replace("_", "-"))
        fix = (
            f"set admin.mechanism=SaslMechanism.{hint.name}"
            if hint
            else (
                f"set admin.mechanism to one of {[f'SaslMechanism.{m.name}' for m in SaslMechanism]} or None"
            )
        )
        found.append(Problem("admin.mechanism", mechanism, "not a SaslMechanism", fix))
        mechanism = None
    servers = (
        [admin.bootstrap_servers] if isinstance(admin.bootstrap_servers, str) else admin.bootstrap_servers
    )
    if not servers or not all(isinstance(a, str) and split_address(a) for a in servers):
        found.append(
            Problem(
                "admin.bootstrap_servers",
                list(servers or []),
                "must be a non-empty list of host:port reachable from where pulumi runs",
                "set admin.bootstrap_servers=['kafka-0.example:9092', ...]",
            )
        )
    if mechanism in (SaslMechanism.PLAIN, SaslMechanism.SCRAM_SHA_256, SaslMechanism.SCRAM_SHA_512):
        for field_name in ("username", "password"):
            if getattr(admin, field_name) in (None, ""):
                found.append(
                    Problem(
                        f"admin.{field_name}",
                        None,
                        f"required with {mechanism.value}",
                        f"set admin.{field_name} for an admin user the brokers accept",
                    )
                )
    if mechanism is SaslMechanism.AWS_MSK_IAM and not admin.aws_region:
        found.append(
            Problem(
                "admin.aws_region",
                admin.aws_region,
                "required with AWS_MSK_IAM",
                "set admin.aws_region to the MSK cluster's region",
            )
        )
    return found


@dataclass(frozen=True)
class ExistingPlan:
    """Everything :class:`ExistingKafka` will create, computed without a resource."""

    requirements: KafkaRequirements
    #: Identity of the cluster (the admin bootstrap list), recorded in ``topic_state``.
    cluster_id: str | None
    #: The ACLs the component creates, in pulumi-kafka's spelling (empty with ``create_acls=False``).
    acls: tuple[Any, ...]
    warnings: tuple[Problem, ...]


def plan_existing(args: ExistingKafkaArgs, provider_given: bool = False) -> ExistingPlan:
    """The pure plan of :class:`ExistingKafka`; raises ``ContractError`` with every problem.

    ``provider_given``: a ``pulumi_kafka.Provider`` is passed through ``opts.providers`` (no ``admin``)."""
    c = args.contract
    problems = Problems()
    req = problems.run(lambda: requirements_for(c, "ExistingKafka", EXISTING_FLAVORS))
    if args.admin is None and not provider_given:
        problems.found.append(
            Problem(
                "admin",
                None,
                "missing",
                "give the admin connection, or pass a pulumi_kafka.Provider through opts.providers",
            )
        )
    if args.admin is not None:
        problems.found.extend(admin_problems(args.admin))
    problems.raise_if_any()
    assert req is not None
    cluster_id = ",".join(args.admin.bootstrap_servers) if args.admin else None
    problems.run(lambda: check_contract_topic(c, req.partitions, cluster_id, args.previous))
    acls = problems.run(lambda: tuple(to_provider_acls(req.acls)) if args.create_acls else ())
    problems.raise_if_any()
    return ExistingPlan(
        requirements=req,
        cluster_id=cluster_id,
        acls=acls or (),
        warnings=tuple(contract_warnings(c)),
    )


class ExistingKafka(pulumi.ComponentResource):
    """Topic, SCRAM user and ACLs for Mimir on an existing cluster. Outputs: see ``endpoint``."""

    endpoint: KafkaEndpoint
    bootstrap_brokers: pulumi.Output[str]
    topic_name: pulumi.Output[str]
    mimir_username: pulumi.Output[str] | None
    mimir_password: pulumi.Output[str] | None
    topic: kafka.Topic
    acls: list[kafka.Acl]
    #: Mimir's SCRAM user when this component creates it (``create_scram_user`` with SCRAM), else None.
    scram_credential: kafka.UserScramCredential | None

    def __init__(
        self, name: str, args: ExistingKafkaArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        provider_given = opts is not None and _has_kafka_provider(opts)
        # Plan first: no resource (not even this component) is registered while a problem exists.
        plan = self.plan = plan_existing(args, provider_given)
        super().__init__("mimirkafka:kafka:ExistingKafka", name, None, opts)
        c = args.contract
        req, cluster_id = plan.requirements, plan.cluster_id

        child = pulumi.ResourceOptions(parent=self)
        self.provider: kafka.Provider | None = None
        if args.admin is not None and not provider_given:
            self.provider = kafka.Provider(f"{name}-admin", opts=child, **provider_args(args.admin))
            child = pulumi.ResourceOptions(parent=self, providers={"kafka": self.provider})

        partitions: pulumi.Input[int] = req.partitions
        replication_factor: pulumi.Input[int] = req.replication_factor
        if args.check_live_topic:
            # The topic's partitions/RF inputs are the *result* of the live check, not plain ints: the
            # engine cannot register (hence diff, replace or delete) the Topic until the check has
            # passed, and a refusal rejects the input, so `pulumi preview`/`up` fail with the
            # refusal's message while the topic in Kafka and in state stay as they are. Creating the
            # Topic inside an apply instead would hide it from previews and from `depends_on`.
            invoke_opts = pulumi.InvokeOptions(parent=self, provider=self.provider)
            checked: pulumi.Output[tuple[int, int]] = pulumi.Output.from_input(
                _checked_topic_shape(
                    c.topic.name,
                    req.partitions,
                    req.replication_factor,
                    args.allow_replication_factor_change,
                    invoke_opts,
                )
            )
            partitions = checked.apply(lambda shape: shape[0])
            replication_factor = checked.apply(lambda shape: shape[1])

        self.topic = kafka.Topic(
            f"{name}-topic",
            name=c.topic.name,
            partitions=partitions,
            replication_factor=replication_factor,
            # Strings: numeric values cause refresh churn (pulumi/pulumi-kafka#419).
            config={k: str(v) for k, v in req.topic_config.items()},
            opts=merge_opts(child, args.protection.options()),
        )

        self.mimir_username = None
        self.mimir_password = None
        self.scram_credential = None
        user_deps: list[pulumi.Resource] = []
        if isinstance(c.sasl, ScramAuth) and args.create_scram_user:
            password = given_password(c)
            if password is None:
                generated = random.RandomPassword(
                    f"{name}-mimir-password",
                    length=32,
                    special=False,
                    opts=pulumi.ResourceOptions(parent=self),
                )
                password = generated.result
            self.mimir_password = pulumi.Output.secret(password)
            self.mimir_username = pulumi.Output.from_input(c.sasl.username)
            cred = self.scram_credential = kafka.UserScramCredential(
                f"{name}-mimir-scram",
                username=c.sasl.username,
                scram_mechanism=c.sasl.mechanism.value,
                password=self.mimir_password,
                scram_iterations=args.scram_iterations,
                opts=child,
            )
            user_deps.append(cred)
        elif isinstance(c.sasl, ScramAuth):
            self.mimir_username = pulumi.Output.from_input(c.sasl.username)
            given = given_password(c)
            self.mimir_password = None if given is None else pulumi.Output.secret(given)

        self.acls = []
        if args.create_acls:
            for acl in plan.acls:
                self.acls.append(
                    kafka.Acl(
                        f"{name}-acl-{acl.slug()}",
                        **acl.kwargs(),
                        opts=merge_opts(child, pulumi.ResourceOptions(depends_on=[self.topic, *user_deps])),
                    )
                )

        bootstrap = ",".join(c.addresses)
        tls = c.tls.enabled
        ca = CaSource(CaKind.PEM, pem=c.tls.ca.pem) if tls and c.tls.ca and c.tls.ca.pem else None
        self.endpoint = KafkaEndpoint(
            bootstrap_brokers=bootstrap,
            port=first_port(bootstrap),
            mechanism=mechanism_of(c),
            tls=tls,
            topic_name=self.topic.name,
            ca=ca or CaSource(CaKind.SYSTEM if tls else CaKind.NONE),
            credentials=_credentials(c, self.mimir_username, self.mimir_password),
            extra={"flavor": c.flavor.value},
        )
        self.bootstrap_brokers = pulumi.Output.from_input(bootstrap)
        self.topic_name = self.topic.name
        self.topic_state = topic_state(self.topic.name, req.partitions, cluster_id)
        self.register_outputs({**self.endpoint.to_outputs(), "topic_state": self.topic_state})


#: The invoke token ``pulumi_kafka.get_topic`` sends (a unit test keeps the two in step): pulumi-kafka's
#: provider, like the test bed's rebuild (``scripts/kafka-provider``), maps the ``kafka_topic`` data
#: source to this module-less token.
GET_TOPIC_TOKEN = "kafka:index:getTopic"


async def read_live_topic(name: str, opts: pulumi.InvokeOptions) -> tuple[bool, LiveTopic | None]:
    """``(known, topic)``: the topic as the cluster reports it, ``None`` if it does not exist.

    ``known`` is False when the answer is unknowable now: a preview whose provider configuration is
    not known yet (the invoke answers unknown). The real ``up`` runs the invoke again with a
    configured provider. Errors other than pulumi-kafka's "could not find topic" (authorization,
    SASL, network) propagate: they must fail the deployment rather than pass for a first deployment.

    Why ``invoke_async`` and not ``pulumi_kafka.get_topic_output``: the Output form registers its
    failure with the runtime, which fails the program at exit even when the error is caught here,
    so "not found" could not be turned into "first deployment". ``get_topic`` (the blocking form)
    cannot run inside the coroutine that gates the Topic. Same token, same result type.
    """
    try:
        found = await pulumi.runtime.invoke_async(
            GET_TOPIC_TOKEN, {"name": name}, opts=opts, typ=kafka.GetTopicResult
        )
    except Exception as error:  # the SDK raises a bare Exception carrying the provider's text
        if is_topic_missing_error(error, name):
            return True, None
        raise
    if found is None:
        return False, None
    return True, LiveTopic(
        name=name,
        partitions=int(pulumi.get(found, "partitions")),
        replication_factor=int(pulumi.get(found, "replication_factor")),
    )


async def _checked_topic_shape(
    name: str,
    partitions: int,
    replication_factor: int,
    allow_replication_factor_change: bool,
    opts: pulumi.InvokeOptions,
) -> tuple[int, int]:
    """``(partitions, replication_factor)`` for the Topic, once the live topic allows them."""
    known, live = await read_live_topic(name, opts)
    if known:
        check_live_topic(
            live,
            desired_partitions=partitions,
            desired_replication_factor=replication_factor,
            allow_replication_factor_change=allow_replication_factor_change,
        )
    return partitions, replication_factor


def _has_kafka_provider(opts: pulumi.ResourceOptions) -> bool:
    providers = opts.providers
    if isinstance(providers, dict):
        return "kafka" in providers
    return any(getattr(p, "package", None) == "kafka" for p in providers or [])


def _credentials(
    c: IngestStorageContract, username: pulumi.Output[str] | None, password: pulumi.Output[str] | None
) -> CredentialsSource:
    mech = mechanism_of(c)
    if mech in (SaslMechanism.SCRAM_SHA_256, SaslMechanism.SCRAM_SHA_512, SaslMechanism.PLAIN):
        if password is None:
            held = getattr(getattr(c.sasl, "password", None), "value", None)
            password = None if held is None else pulumi.Output.secret(held)
        return CredentialsSource(
            CredentialsKind.PASSWORD,
            username=username or getattr(c.sasl, "username", None),
            password=password,
        )
    if mech is SaslMechanism.OAUTHBEARER:
        return CredentialsSource(CredentialsKind.TOKEN)
    if mech is SaslMechanism.AWS_MSK_IAM:
        return CredentialsSource(CredentialsKind.IAM)
    if mech is None and c.tls.mutual:
        return CredentialsSource(CredentialsKind.CLIENT_CERT)
    return CredentialsSource(CredentialsKind.NONE)
