"""Pure planning for Amazon MSK (provisioned Standard and Express): versions, auth, ports, configs.

No Pulumi resources here: :class:`~mimirkafka.kafka.msk.MskKafka` calls these before creating anything,
so every mistake is reported with the setting, the value and the fix. Facts: shared/reference/msk-aws.md
sections 1.2 (Express), 1.3 (versions), 1.4 (brokers/subnets), 3 (ports/outputs), 4 (SCRAM).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from mimirkafka.contract.flavors import FLAVORS
from mimirkafka.contract.model import IngestStorageContract, KafkaFlavor, NoSasl, SaslMechanism
from mimirkafka.kafka._contract import major_minor


class MskConfigError(ValueError):
    """An MSK setting MSK would reject (or that breaks the contract)."""


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


def is_express(contract: IngestStorageContract) -> bool:
    return contract.flavor is KafkaFlavor.MSK_EXPRESS


def msk_kafka_version(contract: IngestStorageContract, explicit: str | None = None) -> str:
    """MSK's ``kafka_version``: ``explicit`` if valid, else the KRaft build of the contract's version."""
    table = EXPRESS_VERSIONS if is_express(contract) else STANDARD_VERSIONS
    kind = "Express" if is_express(contract) else "Standard"
    offered = sorted(v for vs in table.values() for v in vs)
    if explicit is not None:
        if explicit not in offered:
            raise MskConfigError(
                f"kafka_version={explicit!r}: MSK {kind} brokers offer {offered}. Fix: pick one of them"
            )
        if major_minor(explicit) != major_minor(contract.kafka_version):
            raise MskConfigError(
                f"kafka_version={explicit!r}: the contract says Kafka {contract.kafka_version}, which "
                "decides Mimir's version floor. Fix: make both the same major.minor"
            )
        return explicit
    mm = major_minor(contract.kafka_version)
    if mm not in table:
        raise MskConfigError(
            f"kafka_version={contract.kafka_version!r}: MSK {kind} brokers offer Kafka {sorted(table)}. "
            f"Fix: set the contract's kafka_version to one of them"
        )
    return table[mm][0]


def primary_auth(contract: IngestStorageContract) -> MskAuth:
    """The MSK client path Mimir uses, from the contract's SASL/TLS settings."""
    if not contract.tls.enabled:
        raise MskConfigError(
            "tls.enabled=False: this package runs MSK with TLS-only encryption in transit. "
            "Fix: TlsConfig(enabled=True) (MSK certificates are publicly trusted; no CA needed)"
        )
    mech = contract.sasl.mechanism
    if mech is SaslMechanism.SCRAM_SHA_512:
        return MskAuth.SCRAM
    if mech is SaslMechanism.AWS_MSK_IAM:
        return MskAuth.IAM
    if isinstance(contract.sasl, NoSasl):
        return MskAuth.MTLS if contract.tls.mutual else MskAuth.TLS_UNAUTHENTICATED
    raise MskConfigError(
        f"sasl={mech.value if mech else None}: MSK offers SCRAM-SHA-512, AWS_MSK_IAM and mTLS. "
        "Fix: ScramAuth(sha=512), an MskIam* source, or a client certificate"
    )


def auth_methods(contract: IngestStorageContract, extra: Iterable[MskAuth | str] = ()) -> tuple[MskAuth, ...]:
    """Mimir's path first, then any extra paths asked for (e.g. IAM for admin tooling), deduplicated."""
    methods = [primary_auth(contract), *(MskAuth(e) for e in extra)]
    return tuple(dict.fromkeys(methods))


def check_mtls(methods: Sequence[MskAuth], ca_arns: Sequence[Any]) -> None:
    if MskAuth.MTLS in methods and not ca_arns:
        raise MskConfigError(
            "certificate_authority_arns=[]: mTLS needs the ACM Private CA that signs client certificates. "
            "Fix: pass its ARN in certificate_authority_arns"
        )


def check_brokers(
    contract: IngestStorageContract, broker_count: int, subnet_count: int, instance_type: str
) -> None:
    if subnet_count < 2:
        raise MskConfigError(f"subnet_ids: {subnet_count} given; MSK needs 2 or 3 subnets in distinct AZs")
    if broker_count % subnet_count:
        raise MskConfigError(
            f"broker_count={broker_count}: must be a multiple of the {subnet_count} subnets. "
            f"Fix: broker_count={subnet_count * max(1, round(broker_count / subnet_count))}"
        )
    if is_express(contract):
        if not instance_type.startswith("express."):
            raise MskConfigError(
                f"instance_type={instance_type!r}: flavor msk-express needs an express.* type. "
                "Fix: e.g. express.m7g.large"
            )
        if subnet_count != 3:
            raise MskConfigError(f"subnet_ids: Express brokers run in exactly 3 AZs; {subnet_count} given")
    elif not instance_type.startswith("kafka."):
        raise MskConfigError(
            f"instance_type={instance_type!r}: Standard brokers use kafka.* types. Fix: e.g. kafka.m7g.large"
        )
    if contract.topic.replication_factor > broker_count:
        raise MskConfigError(
            f"topic.replication_factor={contract.topic.replication_factor}: only {broker_count} brokers. "
            f"Fix: broker_count >= {contract.topic.replication_factor}"
        )


def server_properties(contract: IngestStorageContract, broker_config: dict[str, str]) -> str:
    """``server.properties`` text for ``aws.msk.Configuration``; Express keeps only settable keys."""
    if is_express(contract):
        refused = sorted(k for k in broker_config if k not in EXPRESS_SETTABLE)
        if refused:
            raise MskConfigError(
                f"broker config {refused}: MSK Express does not let a configuration set these. "
                "Fix: leave them to MSK's fixed values"
            )
    return "".join(f"{k}={v}\n" for k, v in sorted(broker_config.items()))


def security_group_ports(methods: Sequence[MskAuth], open_monitoring: bool) -> list[int]:
    """Only the ports of the enabled client paths (plus the exporters when open monitoring is on)."""
    ports = sorted({PORTS[m] for m in methods})
    if open_monitoring:
        ports += list(OPEN_MONITORING_PORTS)
    return ports


def check_clients(cidr_blocks: Sequence[str], security_group_ids: Sequence[Any], reach: str) -> None:
    """Refuses a security group that would let no client in (``reach`` names what they connect to)."""
    if not cidr_blocks and not security_group_ids:
        raise MskConfigError(
            f"client_cidr_blocks/client_security_group_ids: both empty, so no client could reach {reach}. "
            "Fix: give Mimir's node security group or CIDR"
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


@dataclass(frozen=True)
class ScramSecretName:
    """MSK only associates secrets named ``AmazonMSK_*``."""

    value: str

    @classmethod
    def for_user(cls, cluster_name: str, username: str, explicit: str | None = None) -> ScramSecretName:
        name = explicit or f"AmazonMSK_{cluster_name}_{username}"
        if not name.startswith("AmazonMSK_"):
            raise MskConfigError(
                f"scram_secret_name={name!r}: MSK only uses secrets whose name starts with 'AmazonMSK_'. "
                f"Fix: 'AmazonMSK_{name}'"
            )
        return cls(name)


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
