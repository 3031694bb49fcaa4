"""Pure planning for Amazon MSK (provisioned Standard and Express): versions, auth, ports, storage, ACLs.

No Pulumi resources here: :func:`plan_msk` is what :class:`~mimirkafka.kafka.msk.MskKafka` calls before it
registers anything (and what a stack plan calls on its own); it collects *every* problem of the args and
raises one :class:`MskConfigError`, or returns a frozen :class:`MskPlan`. Facts and their AWS sources are
cited where they are encoded; the older ones come from the AWS MSK developer guide
(https://docs.aws.amazon.com/msk/latest/developerguide/): Express brokers from msk-broker-types-express,
msk-configuration-express-read-write and msk-configuration-express-read-only; brokers and subnets from
msk-create-cluster and limits (brokers a multiple of the subnet count: pulumi-aws 7.51.1
``pulumi_aws/msk/cluster.py`` ClusterArgs); ports from port-info; outputs from pulumi-aws 7.51.1
``pulumi_aws/msk/cluster.py``; SCRAM from msk-password.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

from mimirkafka.contract.errors import ContractError, Problem
from mimirkafka.contract.flavors import (
    FLAVORS,
    MSK_RECOMMENDED_VERSION,
    MSK_VERSION_SUPPORT,
    msk_version_status,
)
from mimirkafka.contract.kafka_side import KafkaRequirements
from mimirkafka.contract.model import IngestStorageContract, KafkaFlavor, NoSasl, SaslMechanism
from mimirkafka.kafka._contract import major_minor, requirements_for
from mimirkafka.kafka.kafka_admin_route import (
    AclEnforcement,
    AdminPlan,
    AdminRouteSettings,
    TopicRoute,
    admin_plan,
)

if TYPE_CHECKING:
    from mimirkafka.kafka.msk import MskKafkaArgs


class MskConfigError(ContractError):
    """Every MSK setting of the args that MSK would reject or that breaks the contract (one Problem each)."""


class MskAuth(str, Enum):
    """MSK client paths; each has its own listener port and bootstrap output."""

    SCRAM = "scram"
    IAM = "iam"
    #: mTLS with an ACM Private CA.
    MTLS = "mtls"
    #: TLS without client authentication (still port 9094).
    TLS_UNAUTHENTICATED = "tls"


#: The contract's port path (``FlavorTraits.ports``) of each MSK client path.
_PORT_PATHS = {
    MskAuth.SCRAM: "scram",
    MskAuth.IAM: "iam",
    MskAuth.MTLS: "tls",
    MskAuth.TLS_UNAUTHENTICATED: "tls",
}
#: In-VPC client ports, from the contract's table of MSK ports.
PORTS = {m: FLAVORS[KafkaFlavor.MSK_PROVISIONED].client_port(path) for m, path in _PORT_PATHS.items()}
#: The ``aws.msk.Cluster`` output holding the bootstrap list for each path.
BOOTSTRAP_OUTPUT = {
    MskAuth.SCRAM: "bootstrap_brokers_sasl_scram",
    MskAuth.IAM: "bootstrap_brokers_sasl_iam",
    MskAuth.MTLS: "bootstrap_brokers_tls",
    MskAuth.TLS_UNAUTHENTICATED: "bootstrap_brokers_tls",
}
OPEN_MONITORING_PORTS = (11001, 11002)

#: Exact ``kafka_version`` strings MSK accepts (CDK cluster-version.ts), by major.minor.
STANDARD_VERSIONS: dict[str, tuple[str, ...]] = {
    "3.6": ("3.6.0",),
    "3.7": ("3.7.x.kraft", "3.7.x"),
    "3.8": ("3.8.x.kraft", "3.8.x"),
    "3.9": ("3.9.x.kraft", "3.9.x"),
    "4.0": ("4.0.x.kraft",),
    "4.1": ("4.1.x.kraft",),
}
#: Express: 3.6, 3.8, 3.9 (KRaft from 3.9) and 4.2.x.kraft, which only Express offers.
EXPRESS_VERSIONS: dict[str, tuple[str, ...]] = {
    "3.6": ("3.6.0",),
    "3.8": ("3.8.x",),
    "3.9": ("3.9.x.kraft", "3.9.x"),
    "4.2": ("4.2.x.kraft",),
}
#: Broker properties an Express configuration may set (msk-configuration-express-read-write).
EXPRESS_SETTABLE = frozenset(
    {
        "allow.everyone.if.no.acl.found",
        "auto.create.topics.enable",
        "compression.type",
        "connections.max.idle.ms",
        "delete.topic.enable",
        "group.initial.rebalance.delay.ms",
        "group.max.session.timeout.ms",
        "leader.imbalance.per.broker.percentage",
        "log.cleanup.policy",
        "log.message.timestamp.after.max.ms",
        "log.message.timestamp.before.max.ms",
        "log.message.timestamp.type",
        "log.retention.bytes",
        "log.retention.ms",
        "max.connections.per.ip",
        "max.incremental.fetch.session.cache.slots",
        "message.max.bytes",
        "num.partitions",
        "offsets.retention.minutes",
        "replica.fetch.max.bytes",
        "replica.selector.class",
        "socket.receive.buffer.bytes",
        "socket.send.buffer.bytes",
        "socket.request.max.bytes",
        "transaction.max.timeout.ms",
        "transactional.id.expiration.ms",
    }
)


#: EBS volume per Standard broker: 1 GiB to 16384 GiB ("Maximum storage per broker: 16384 GiB", AWS "Amazon
#: MSK quota", https://docs.aws.amazon.com/msk/latest/developerguide/limits.html; "up to 16 TiB per broker",
#: msk-autoexpand-details.html).
VOLUME_MIN_GIB = 1
VOLUME_MAX_GIB = 16_384
DEFAULT_VOLUME_GIB = 1000
#: Storage auto scaling target: "between 10% and 80% of the current storage capacity. We recommend ... between
#: 50% and 60%" (https://docs.aws.amazon.com/msk/latest/developerguide/msk-autoexpand-details.html).
AUTOSCALING_TARGET_MIN = 10.0
AUTOSCALING_TARGET_MAX = 80.0
#: Provisioned storage throughput: volumes of 10 GiB or more, brokers kafka.m5.4xlarge / kafka.m7g.2xlarge or
#: larger, 250 MiB/s minimum and default, per-size maximum in MiB/s (AWS "Manage storage throughput for
#: Standard brokers", https://docs.aws.amazon.com/msk/latest/developerguide/msk-provision-throughput-management.html).
THROUGHPUT_MIN_VOLUME_GIB = 10
THROUGHPUT_MIN_MIBPS = 250
THROUGHPUT_MAX_MIBPS: dict[str, float] = {
    "kafka.m5.4xlarge": 593,
    "kafka.m5.8xlarge": 850,
    "kafka.m5.12xlarge": 1000,
    "kafka.m5.16xlarge": 1000,
    "kafka.m5.24xlarge": 1000,
    "kafka.m7g.2xlarge": 312.5,
    "kafka.m7g.4xlarge": 625,
    "kafka.m7g.8xlarge": 1000,
    "kafka.m7g.12xlarge": 1000,
    "kafka.m7g.16xlarge": 1000,
}


@dataclass(frozen=True)
class StorageAutoscaling:
    """Application Auto Scaling of the brokers' EBS volumes (Standard brokers only)."""

    #: Largest volume per broker auto scaling may reach (GiB, at most 16384).
    max_volume_size_gib: int
    #: ``KafkaBrokerStorageUtilization`` percentage that triggers a scale-out (10-80; AWS recommends 50-60).
    target_utilization_percent: float = 60.0
    #: Role Application Auto Scaling uses; ``None``: its service-linked role.
    role_arn: str | None = None


@dataclass(frozen=True)
class MskPlan:
    """Everything :class:`~mimirkafka.kafka.msk.MskKafka` creates, decided before its first resource."""

    cluster_name: str
    express: bool
    kafka_version: str
    methods: tuple[MskAuth, ...]
    primary: MskAuth
    server_properties: str
    ports: tuple[int, ...]
    #: ``None`` on Express (MSK manages its storage).
    volume_size_gib: int | None
    autoscaling: StorageAutoscaling | None
    provisioned_throughput_mibps: float | None
    scram_secret_name: str | None
    topic_route: TopicRoute
    acl_enforcement: AclEnforcement
    #: The topic and ACLs for a Kafka-protocol route; ``None`` with the control plane.
    admin: AdminPlan | None
    requirements: KafkaRequirements
    warnings: tuple[Problem, ...] = field(default_factory=tuple)
    #: The contract's own warnings (``kafka_requirements(c).warnings``), already worded.
    contract_warnings: tuple[str, ...] = ()


def _problem_of(setting: str, value: object, message: str, fix: str) -> Problem:
    return Problem(setting, value, message, fix)


def is_express(contract: IngestStorageContract) -> bool:
    return contract.flavor is KafkaFlavor.MSK_EXPRESS


def version_problems(
    contract: IngestStorageContract, explicit: str | None, *, today: dt.date, existing: bool
) -> tuple[str | None, list[Problem], list[Problem]]:
    """``(kafka_version, problems, warnings)``: MSK's exact version string and its support status.

    A version past MSK's end of support is refused for a new cluster ("MSK will phase out support for newly
    created clusters that use Kafka versions with published end of support dates", version-support.html) and
    only warned about for a cluster that exists (AWS upgrades those automatically). Within six months of the
    end of support it is a warning.
    """
    table = EXPRESS_VERSIONS if is_express(contract) else STANDARD_VERSIONS
    kind = "Express" if is_express(contract) else "Standard"
    offered = sorted(v for vs in table.values() for v in vs)
    problems: list[Problem] = []
    notes: list[Problem] = []
    mm = major_minor(contract.kafka_version)
    version: str | None = None
    if explicit is not None:
        if explicit not in offered:
            problems.append(
                _problem_of(
                    "kafka_version", explicit, f"MSK {kind} brokers offer {offered}", "pick one of them"
                )
            )
        elif major_minor(explicit) != mm:
            problems.append(
                _problem_of(
                    "kafka_version",
                    explicit,
                    f"the contract says Kafka {contract.kafka_version}, which decides Mimir's version floor",
                    "make both the same major.minor",
                )
            )
        else:
            version = explicit
    elif mm not in table:
        problems.append(
            _problem_of(
                "contract.kafka_version",
                contract.kafka_version,
                f"MSK {kind} brokers offer Kafka {sorted(table)}",
                f"set the contract's kafka_version to one of them (AWS recommends {MSK_RECOMMENDED_VERSION})",
            )
        )
    else:
        version = table[mm][0]
    status, support = msk_version_status(mm, today)
    if support is not None and support.end_of_support is not None and status in ("ended", "ending"):
        current = sorted(k for k, s in MSK_VERSION_SUPPORT.items() if s.end_of_support is None and k in table)
        eos = support.end_of_support.isoformat()
        fix = f"set the contract's kafka_version to a supported version: {current} (AWS recommends " + (
            f"{MSK_RECOMMENDED_VERSION})"
        )
        if status == "ended" and not existing:
            problems.append(
                _problem_of(
                    "contract.kafka_version",
                    contract.kafka_version,
                    f"MSK ended support for Kafka {support.version} on {eos} and phases out new "
                    "clusters on it",
                    fix,
                )
            )
        elif status == "ended":
            notes.append(
                _problem_of(
                    "contract.kafka_version",
                    contract.kafka_version,
                    f"MSK ended support for Kafka {support.version} on {eos}; AWS may upgrade this cluster "
                    "at any time without notice",
                    fix,
                )
            )
        else:
            notes.append(
                _problem_of(
                    "contract.kafka_version",
                    contract.kafka_version,
                    f"MSK ends support for Kafka {support.version} on {eos} (within six months)",
                    fix,
                )
            )
    return version, problems, notes


def msk_kafka_version(contract: IngestStorageContract, explicit: str | None = None) -> str:
    """MSK's ``kafka_version``: ``explicit`` if valid, else the KRaft build of the contract's version
    (support dates are :func:`version_problems`'s job)."""
    version, problems, _ = version_problems(contract, explicit, today=dt.date.min, existing=True)
    if problems:
        raise MskConfigError(problems)
    assert version is not None
    return version


def primary_auth(contract: IngestStorageContract) -> MskAuth:
    """The MSK client path Mimir uses, from the contract's SASL/TLS settings."""
    found = primary_auth_problems(contract)
    if found:
        raise MskConfigError(found)
    return _primary(contract)


def _primary(contract: IngestStorageContract) -> MskAuth:
    mech = contract.sasl.mechanism
    if mech is SaslMechanism.SCRAM_SHA_512:
        return MskAuth.SCRAM
    if mech is SaslMechanism.AWS_MSK_IAM:
        return MskAuth.IAM
    return MskAuth.MTLS if contract.tls.mutual else MskAuth.TLS_UNAUTHENTICATED


def primary_auth_problems(contract: IngestStorageContract) -> list[Problem]:
    found = []
    if not contract.tls.enabled:
        found.append(
            _problem_of(
                "contract.tls.enabled",
                False,
                "this package runs MSK with TLS-only encryption in transit",
                "TlsConfig(enabled=True) (MSK certificates are publicly trusted; no CA needed)",
            )
        )
    mech = contract.sasl.mechanism
    if mech not in (SaslMechanism.SCRAM_SHA_512, SaslMechanism.AWS_MSK_IAM) and not isinstance(
        contract.sasl, NoSasl
    ):
        found.append(
            _problem_of(
                "contract.sasl",
                mech.value if mech else None,
                "MSK offers SCRAM-SHA-512, AWS_MSK_IAM and mTLS",
                "ScramAuth(sha=512), an MskIam* source, or a client certificate",
            )
        )
    return found


def mtls_problems(methods: Sequence[MskAuth], ca_arns: Sequence[Any]) -> list[Problem]:
    if MskAuth.MTLS in methods and not ca_arns:
        return [
            _problem_of(
                "certificate_authority_arns",
                [],
                "mTLS needs the ACM Private CA that signs client certificates",
                "pass its ARN in certificate_authority_arns",
            )
        ]
    return []


def broker_problems(
    contract: IngestStorageContract, broker_count: int, subnet_count: int, instance_type: str
) -> list[Problem]:
    found = []
    if subnet_count < 2:
        found.append(
            _problem_of("subnet_ids", subnet_count, "MSK needs 2 or 3 subnets in distinct AZs", "give 2 or 3")
        )
    elif broker_count % subnet_count:
        found.append(
            _problem_of(
                "broker_count",
                broker_count,
                f"must be a multiple of the {subnet_count} subnets",
                f"broker_count={subnet_count * max(1, round(broker_count / subnet_count))}",
            )
        )
    if is_express(contract):
        if not instance_type.startswith("express."):
            found.append(
                _problem_of(
                    "instance_type",
                    instance_type,
                    "flavor msk-express needs an express.* type",
                    "e.g. express.m7g.large",
                )
            )
        if subnet_count != 3:
            found.append(
                _problem_of(
                    "subnet_ids", subnet_count, "Express brokers run in exactly 3 AZs", "give 3 subnets"
                )
            )
    elif not instance_type.startswith("kafka."):
        found.append(
            _problem_of(
                "instance_type", instance_type, "Standard brokers use kafka.* types", "e.g. kafka.m7g.large"
            )
        )
    if contract.topic.replication_factor > broker_count:
        found.append(
            _problem_of(
                "contract.topic.replication_factor",
                contract.topic.replication_factor,
                f"only {broker_count} brokers",
                f"broker_count >= {contract.topic.replication_factor}",
            )
        )
    return found


def server_properties_problems(
    contract: IngestStorageContract, broker_config: dict[str, str]
) -> list[Problem]:
    if not is_express(contract):
        return []
    refused = sorted(k for k in broker_config if k not in EXPRESS_SETTABLE)
    if refused:
        return [
            _problem_of(
                "broker config",
                refused,
                "MSK Express does not let a configuration set these",
                "leave them to MSK's fixed values",
            )
        ]
    return []


def security_group_ports(methods: Sequence[MskAuth], open_monitoring: bool) -> list[int]:
    """Only the ports of the enabled client paths (plus the exporters when open monitoring is on)."""
    ports = sorted({PORTS[m] for m in methods})
    if open_monitoring:
        ports += list(OPEN_MONITORING_PORTS)
    return ports


def client_problems(
    cidr_blocks: Sequence[str], security_group_ids: Sequence[Any], reach: str
) -> list[Problem]:
    """Refuses a security group that would let no client in (``reach`` names what they connect to)."""
    if not cidr_blocks and not security_group_ids:
        return [
            _problem_of(
                "client_cidr_blocks/client_security_group_ids",
                [],
                f"both empty, so no client could reach {reach}",
                "give Mimir's node security group or CIDR",
            )
        ]
    return []


def storage_problems(
    *,
    express: bool,
    instance_type: str,
    volume_size_gib: int | None,
    autoscaling: StorageAutoscaling | None,
    throughput_mibps: float | None,
) -> list[Problem]:
    """Volume bounds, auto scaling and provisioned throughput; Express refuses every storage input."""
    found: list[Problem] = []
    if express:
        express_fix = "remove it: Express brokers have no EBS volume to size (MSK scales their storage)"
        for setting, value in (
            ("volume_size_gib", volume_size_gib),
            ("storage_autoscaling", autoscaling),
            ("provisioned_throughput_mibps", throughput_mibps),
        ):
            if value is not None:
                found.append(
                    _problem_of(setting, value, "MSK Express manages broker storage itself", express_fix)
                )
        return found
    size = DEFAULT_VOLUME_GIB if volume_size_gib is None else volume_size_gib
    if not VOLUME_MIN_GIB <= size <= VOLUME_MAX_GIB:
        found.append(
            _problem_of(
                "volume_size_gib",
                size,
                f"MSK allows {VOLUME_MIN_GIB} to {VOLUME_MAX_GIB} GiB per broker",
                f"set a size between {VOLUME_MIN_GIB} and {VOLUME_MAX_GIB}",
            )
        )
    if autoscaling is not None:
        if not size < autoscaling.max_volume_size_gib <= VOLUME_MAX_GIB:
            found.append(
                _problem_of(
                    "storage_autoscaling.max_volume_size_gib",
                    autoscaling.max_volume_size_gib,
                    f"must be above volume_size_gib ({size}) and at most {VOLUME_MAX_GIB} GiB per broker",
                    f"set it between {size + 1} and {VOLUME_MAX_GIB}",
                )
            )
        target = autoscaling.target_utilization_percent
        if not AUTOSCALING_TARGET_MIN <= target <= AUTOSCALING_TARGET_MAX:
            found.append(
                _problem_of(
                    "storage_autoscaling.target_utilization_percent",
                    target,
                    "MSK accepts a storage utilization target between 10% and 80%",
                    "set it between 10 and 80 (AWS recommends 50 to 60)",
                )
            )
    if throughput_mibps is not None:
        cap = THROUGHPUT_MAX_MIBPS.get(instance_type)
        if cap is None:
            found.append(
                _problem_of(
                    "provisioned_throughput_mibps",
                    throughput_mibps,
                    f"instance_type {instance_type!r} cannot provision storage throughput "
                    "(kafka.m5.4xlarge or "
                    "kafka.m7g.2xlarge and larger can)",
                    "remove it, or choose one of " + ", ".join(sorted(THROUGHPUT_MAX_MIBPS)),
                )
            )
        elif not THROUGHPUT_MIN_MIBPS <= throughput_mibps <= cap:
            found.append(
                _problem_of(
                    "provisioned_throughput_mibps",
                    throughput_mibps,
                    f"{instance_type} accepts {THROUGHPUT_MIN_MIBPS} to {cap} MiB/s",
                    f"set it between {THROUGHPUT_MIN_MIBPS} and {cap}",
                )
            )
        if size < THROUGHPUT_MIN_VOLUME_GIB:
            found.append(
                _problem_of(
                    "volume_size_gib",
                    size,
                    f"provisioned throughput needs volumes of {THROUGHPUT_MIN_VOLUME_GIB} GiB or more",
                    f"volume_size_gib >= {THROUGHPUT_MIN_VOLUME_GIB}",
                )
            )
    return found


def route_problems(
    *,
    route: TopicRoute | None,
    serverless: bool,
    methods: Sequence[MskAuth],
    settings: AdminRouteSettings,
    acl_enforcement: AclEnforcement,
    deployed_acl_enforcement: AclEnforcement | None,
    existing: bool,
) -> list[Problem]:
    """Impossible combinations of topic route, ACL enforcement and the cluster's auth paths."""
    found: list[Problem] = []
    if route is None:
        return [
            _problem_of(
                "topic_route",
                None,
                'MSK Serverless has no control-plane topic API (AWS: the topic APIs "are not available for '
                'MSK Serverless clusters")',
                "set topic_route=TopicRoute.KAFKA_PROVIDER (pulumi up must reach the brokers on port 9098) "
                "or "
                "TopicRoute.KUBERNETES_JOB (a Job in the cluster where Mimir runs)",
            )
        ]
    if route is TopicRoute.CONTROL_PLANE and serverless:
        found.append(
            _problem_of(
                "topic_route",
                route.value,
                'AWS\'s topic APIs "are not available for MSK Serverless clusters" (msk-topic-operations-'
                "information.html); aws.msk.Topic would fail at pulumi up",
                "use kafka-provider or kubernetes-job",
            )
        )
    if route is TopicRoute.CONTROL_PLANE and acl_enforcement is not AclEnforcement.OFF:
        found.append(
            _problem_of(
                "acl_enforcement",
                acl_enforcement.value,
                "MSK's control plane has no ACL API, so topic_route=control-plane cannot create Mimir's "
                "ACLs; "
                "allow.everyone.if.no.acl.found=false without them would lock every SCRAM user out",
                "set topic_route to kafka-provider or kubernetes-job (with 'iam' in extra_auth), or "
                "acl_enforcement=off",
            )
        )
    if route.speaks_kafka and MskAuth.IAM not in methods:
        found.append(
            _problem_of(
                "topic_route",
                route.value,
                "the Kafka-protocol routes authenticate with IAM (the only identity MSK's Kafka ACLs cannot "
                "lock out), and the cluster has no IAM listener",
                "add 'iam' to extra_auth",
            )
        )
    if route is TopicRoute.KAFKA_PROVIDER and not settings.aws_region:
        found.append(
            _problem_of(
                "admin_route.aws_region",
                None,
                "the kafka-provider route signs its IAM login for the cluster's region",
                "set admin_route=AdminRouteSettings(aws_region='<region of the cluster>')",
            )
        )
    if route is TopicRoute.KUBERNETES_JOB:
        for setting in ("job_namespace", "job_service_account"):
            if not getattr(settings, setting):
                found.append(
                    _problem_of(
                        f"admin_route.{setting}",
                        None,
                        "the kubernetes-job route runs a Job in that namespace, as that service account "
                        "(which "
                        "needs an IAM role allowed the route's kafka-cluster actions)",
                        f"set admin_route=AdminRouteSettings({setting}=...)",
                    )
                )
    has_acl_principals = MskAuth.SCRAM in methods or MskAuth.MTLS in methods
    if acl_enforcement is not AclEnforcement.OFF and not has_acl_principals:
        found.append(
            _problem_of(
                "acl_enforcement",
                acl_enforcement.value,
                "Kafka ACLs do not apply to IAM identities (iam-access-control.html) and the cluster has no "
                "SCRAM or mTLS clients",
                "leave acl_enforcement=off; IAM policies govern IAM clients",
            )
        )
    if (
        acl_enforcement is AclEnforcement.ENFORCED
        and existing
        and deployed_acl_enforcement not in (AclEnforcement.STAGED, AclEnforcement.ENFORCED)
    ):
        found.append(
            _problem_of(
                "acl_enforcement",
                acl_enforcement.value,
                "this cluster exists and its ACLs were never applied: switching "
                "allow.everyone.if.no.acl.found "
                "to false now would deny every SCRAM user its rights before the ACLs exist",
                "run one pulumi up with acl_enforcement=staged (ACLs created, nothing denied yet), then set "
                "enforced with deployed_acl_enforcement=staged (the acl_enforcement output of that run)",
            )
        )
    return found


def _existing(args: MskKafkaArgs) -> bool:
    return args.previous is not None or args.contract.topic.deployed_partitions is not None


def plan_msk(args: MskKafkaArgs, today: dt.date | None = None) -> MskPlan:
    """Every decision of ``MskKafka`` from its args, or one :class:`MskConfigError` listing every problem.

    Pure: no Pulumi resources, no calls. ``today`` (default: the current UTC date) decides the version's
    support status.
    """
    from mimirkafka.kafka.protection import TopicReplacementRefused, check_contract_topic

    c = args.contract
    today = today or dt.datetime.now(dt.UTC).date()
    # Contract problems first: they are raised on their own (ContractError), as every component does.
    req = requirements_for(c, "MskKafka", (KafkaFlavor.MSK_PROVISIONED, KafkaFlavor.MSK_EXPRESS))
    problems: list[Problem] = []
    warnings: list[Problem] = []
    express = is_express(c)
    cluster_name = args.cluster_name or "msk"
    existing = _existing(args)

    version, found, notes = version_problems(c, args.kafka_version, today=today, existing=existing)
    problems += found
    warnings += notes
    problems += primary_auth_problems(c)
    methods: tuple[MskAuth, ...] = ()
    bad_extra = [e for e in args.extra_auth if e not in {m.value for m in MskAuth}]
    if bad_extra:
        problems.append(
            _problem_of(
                "extra_auth", list(args.extra_auth), "unknown client paths", "use scram, iam, mtls, tls"
            )
        )
    if not primary_auth_problems(c):
        methods = tuple(
            dict.fromkeys([_primary(c), *(MskAuth(e) for e in args.extra_auth if e not in bad_extra)])
        )
    problems += mtls_problems(methods, args.certificate_authority_arns)
    problems += broker_problems(c, args.broker_count, len(args.subnet_ids), args.instance_type)
    problems += client_problems(args.client_cidr_blocks, args.client_security_group_ids, "the brokers")
    problems += storage_problems(
        express=express,
        instance_type=args.instance_type,
        volume_size_gib=args.volume_size_gib,
        autoscaling=args.storage_autoscaling,
        throughput_mibps=args.provisioned_throughput_mibps,
    )
    settings = args.admin_route
    problems += route_problems(
        route=args.topic_route,
        serverless=False,
        methods=methods,
        settings=settings,
        acl_enforcement=args.acl_enforcement,
        deployed_acl_enforcement=args.deployed_acl_enforcement,
        existing=existing,
    )
    broker_config = dict(req.broker_config)
    if args.acl_enforcement is AclEnforcement.ENFORCED:
        # MSK's default is true (msk-default-configuration); false makes the authorizer deny what no
        # ACL allows.
        broker_config["allow.everyone.if.no.acl.found"] = "false"
    problems += server_properties_problems(c, broker_config)
    scram_name: str | None = None
    if c.sasl.mechanism is SaslMechanism.SCRAM_SHA_512:
        username = getattr(c.sasl, "username", "")
        name = args.scram_secret_name or f"AmazonMSK_{cluster_name}_{username}"
        if not name.startswith("AmazonMSK_"):
            problems.append(
                _problem_of(
                    "scram_secret_name",
                    name,
                    "MSK only uses secrets whose name starts with 'AmazonMSK_'",
                    f"'AmazonMSK_{name}'",
                )
            )
        scram_name = name
    if express and args.broker_logs is not None:
        warnings.append(
            _problem_of(
                "broker_logs",
                "set",
                "CreateCluster rejected broker logs for Express types until AWS added them in February 2026 "
                "(terraform-aws-modules/terraform-aws-msk-kafka-cluster#47, #68)",
                "keep them if the live API accepts them",
            )
        )
    try:
        check_contract_topic(c, req.partitions, cluster_name, args.previous)
    except TopicReplacementRefused as refused:
        problems += refused.problems
    if problems:
        raise MskConfigError(problems)
    assert version is not None
    route = args.topic_route or TopicRoute.CONTROL_PLANE
    admin: AdminPlan | None = None
    if route.speaks_kafka:
        with_acls = args.acl_enforcement is not AclEnforcement.OFF
        admin = admin_plan(
            topic=req.topic,
            partitions=req.partitions,
            replication_factor=req.replication_factor,
            topic_config=req.topic_config,
            mimir_acls=req.acls if with_acls else (),
            acls_in_use=settings.acls_in_use if with_acls else (),
        )
    if args.acl_enforcement is AclEnforcement.OFF and MskAuth.SCRAM in methods:
        warnings.append(
            _problem_of(
                "acl_enforcement",
                "off",
                "MSK's default allow.everyone.if.no.acl.found=true gives every SCRAM user every right",
                "set acl_enforcement=staged, then enforced, with a Kafka-protocol topic_route",
            )
        )
    primary = methods[0]
    return MskPlan(
        cluster_name=cluster_name,
        express=express,
        kafka_version=version,
        methods=methods,
        primary=primary,
        server_properties="".join(f"{k}={v}\n" for k, v in sorted(broker_config.items())),
        ports=tuple(security_group_ports(methods, args.open_monitoring)),
        volume_size_gib=None if express else (args.volume_size_gib or DEFAULT_VOLUME_GIB),
        autoscaling=args.storage_autoscaling,
        provisioned_throughput_mibps=args.provisioned_throughput_mibps,
        scram_secret_name=scram_name,
        topic_route=route,
        acl_enforcement=args.acl_enforcement,
        admin=admin,
        requirements=req,
        warnings=tuple(warnings),
        contract_warnings=tuple(req.warnings),
    )


def client_ingress(
    ports: Sequence[int], cidr_blocks: Sequence[str], security_group_ids: Sequence[Any]
) -> list[dict[str, Any]]:
    """Security group ingress rules: each port open to the client CIDRs and/or security groups."""
    ingress: list[dict[str, Any]] = []
    for port in ports:
        rule: dict[str, Any] = {"protocol": "tcp", "from_port": port, "to_port": port}
        if cidr_blocks:
            ingress.append({**rule, "cidr_blocks": list(cidr_blocks)})
        if security_group_ids:
            ingress.append({**rule, "security_groups": list(security_group_ids)})
    return ingress


def client_authentication(methods: Sequence[MskAuth], ca_arns: Sequence[Any]) -> dict[str, Any]:
    """``aws.msk.Cluster(client_authentication=...)`` as a dict of plain values."""
    out: dict[str, Any] = {
        "sasl": {"scram": MskAuth.SCRAM in methods, "iam": MskAuth.IAM in methods},
        "unauthenticated": MskAuth.TLS_UNAUTHENTICATED in methods,
    }
    if MskAuth.MTLS in methods:
        out["tls"] = {"certificate_authority_arns": list(ca_arns)}
    return out


def storage_info(plan: MskPlan) -> dict[str, Any] | None:
    """``broker_node_group_info.storage_info`` (``None`` on Express)."""
    if plan.volume_size_gib is None:
        return None
    ebs: dict[str, Any] = {"volume_size": plan.volume_size_gib}
    if plan.provisioned_throughput_mibps is not None:
        ebs["provisioned_throughput"] = {
            "enabled": True,
            "volume_throughput": plan.provisioned_throughput_mibps,
        }
    return {"ebs_storage_info": ebs}


def scram_secret_policy(secret_arn: str) -> dict[str, Any]:
    """The resource policy MSK would attach itself; declared so Pulumi sees no drift."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AWSKafkaResourcePolicy",
                "Effect": "Allow",
                "Principal": {"Service": "kafka.amazonaws.com"},
                "Action": "secretsmanager:getSecretValue",
                "Resource": secret_arn,
            }
        ],
    }
