"""Strimzi custom resources (``kafka.strimzi.io/v1``) rendered from the contract, as plain dicts.

Pure functions: the :class:`~mimirkafka.kafka.strimzi.StrimziKafka` component turns them into
``CustomResource`` objects, and unit tests validate them against Strimzi 1.2.0's CRD schemas.
Strimzi 1.2.0 serves only ``v1`` for Kafka, KafkaNodePool, KafkaTopic and KafkaUser (checked in the
CRDs vendored at ``tests/data/strimzi-crds-1.2.0``), and is KRaft-only with node pools on by default.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from mimirkafka.contract.errors import ContractError
from mimirkafka.contract.model import IngestStorageContract, NoSasl, ScramAuth
from mimirkafka.kafka._contract import major_minor, problem_from_text
from mimirkafka.kafka.acl_spelling import to_strimzi_acls

API_VERSION = "kafka.strimzi.io/v1"
#: Kafka versions Strimzi 1.2.0 runs (kafka-versions.yaml), newest patch per major.minor.
STRIMZI_KAFKA_VERSIONS = {"4.2": "4.2.1", "4.3": "4.3.1"}
STRIMZI_OPERATOR_VERSION = "1.2.0"
#: Strimzi's own annotation-free readiness: pulumi-kubernetes waits for this condition.
WAIT_READY = {"pulumi.com/waitFor": "condition=Ready"}


class StrimziConfigError(ContractError):
    """The contract asks for something the Strimzi variant cannot render.

    Carries one :class:`Problem`, read from the ``setting=value: message. Fix: fix`` text."""

    def __init__(self, text: str) -> None:
        super().__init__([problem_from_text(text)])


@dataclass(frozen=True)
class StrimziLayout:
    cluster_name: str = "mimir-kafka"
    namespace: str = "kafka"
    #: Broker nodes; with ``dual_role`` the single pool is both broker and controller.
    brokers: int = 3
    controllers: int = 3
    dual_role: bool = False
    storage_size: str = "100Gi"
    storage_class: str | None = None
    #: Keep PVCs when a node pool shrinks or is deleted (data safety).
    delete_claim: bool = False
    listener_name: str = "mimir"
    listener_type: str = "internal"
    #: Explicit Strimzi Kafka version; default derived from ``contract.kafka_version``.
    kafka_version: str | None = None
    broker_resources: dict[str, Any] | None = None
    #: Principals with unlimited rights (e.g. an admin user), besides Strimzi's own operators.
    super_users: tuple[str, ...] = ()
    cluster_domain: str = "cluster.local"
    extra_labels: dict[str, str] = field(default_factory=dict)


def kafka_version_for(contract: IngestStorageContract, layout: StrimziLayout) -> str:
    if layout.kafka_version:
        return layout.kafka_version
    mm = major_minor(contract.kafka_version)
    if mm not in STRIMZI_KAFKA_VERSIONS:
        raise StrimziConfigError(
            f"kafka_version={contract.kafka_version!r}: Strimzi {STRIMZI_OPERATOR_VERSION} runs Kafka "
            f"{', '.join(STRIMZI_KAFKA_VERSIONS.values())}. Fix: set the contract's kafka_version to one of "
            f"{sorted(STRIMZI_KAFKA_VERSIONS)} (Mimir >= 3.1.2 supports Kafka 4.x brokers)"
        )
    return STRIMZI_KAFKA_VERSIONS[mm]


def listener_authentication(contract: IngestStorageContract) -> str | None:
    """The Strimzi listener ``authentication.type`` the contract's Mimir side speaks."""
    sasl = contract.sasl
    if isinstance(sasl, ScramAuth):
        if sasl.sha != 512:
            raise StrimziConfigError(
                "sasl.sha=256: Strimzi listeners offer SCRAM-SHA-512 only. Fix: ScramAuth(..., sha=512)"
            )
        return "scram-sha-512"
    if isinstance(sasl, NoSasl):
        if contract.tls.mutual:
            if not contract.tls.enabled:
                raise StrimziConfigError("tls.enabled=False with a client certificate. Fix: tls.enabled=True")
            return "tls"
        return None
    raise StrimziConfigError(
        f"sasl={type(sasl).__name__}: this component renders scram-sha-512 or tls (mTLS) listeners only. "
        "Fix: use ScramAuth(sha=512) or mTLS, or run Strimzi with a custom listener and ExistingKafka"
    )


def listener_port(contract: IngestStorageContract) -> int:
    """9093 for TLS listeners, 9092 for plain ones (Strimzi's own example ports)."""
    return 9093 if contract.tls.enabled else 9092


def bootstrap_address(contract: IngestStorageContract, layout: StrimziLayout) -> str:
    host = f"{layout.cluster_name}-kafka-bootstrap.{layout.namespace}.svc"
    return f"{host}:{listener_port(contract)}"


def k8s_name(topic: str) -> str:
    """A valid Kubernetes object name for a topic (KafkaTopic ``spec.topicName`` keeps the real one)."""
    name = re.sub(r"[^a-z0-9.-]", "-", topic.lower()).strip("-.")
    return name[:253] or "topic"


def _labels(layout: StrimziLayout) -> dict[str, str]:
    return {"strimzi.io/cluster": layout.cluster_name, **layout.extra_labels}


def _storage(layout: StrimziLayout) -> dict[str, Any]:
    volume: dict[str, Any] = {
        "id": 0,
        "type": "persistent-claim",
        "size": layout.storage_size,
        "deleteClaim": layout.delete_claim,
        "kraftMetadata": "shared",
    }
    if layout.storage_class:
        volume["class"] = layout.storage_class
    return {"type": "jbod", "volumes": [volume]}


def kafka_cr(contract: IngestStorageContract, requirements: Any, layout: StrimziLayout) -> dict[str, Any]:
    """The ``Kafka`` CR: listener, authorization and broker config from the contract."""
    brokers = layout.brokers
    if requirements.replication_factor > brokers:
        raise StrimziConfigError(
            f"topic.replication_factor={requirements.replication_factor}: only {brokers} broker(s). "
            f"Fix: brokers >= {requirements.replication_factor} or a lower replication factor"
        )
    auth = listener_authentication(contract)
    listener: dict[str, Any] = {
        "name": layout.listener_name,
        "port": listener_port(contract),
        "type": layout.listener_type,
        "tls": contract.tls.enabled,
    }
    if auth is not None:
        listener["authentication"] = {"type": auth}
    kafka: dict[str, Any] = {
        "version": kafka_version_for(contract, layout),
        "listeners": [listener],
        # Strimzi's forbidden prefixes (listeners, sasl., ssl., ...) never appear in broker_config.
        "config": {k: v for k, v in requirements.broker_config.items()},
    }
    if auth is not None:
        # Simple authorization makes the KafkaUser ACLs effective; without authentication every
        # client is ANONYMOUS and ACLs could only lock everyone out, so it is left off then.
        authz: dict[str, Any] = {"type": "simple"}
        if layout.super_users:
            authz["superUsers"] = list(layout.super_users)
        kafka["authorization"] = authz
    return {
        "apiVersion": API_VERSION,
        "kind": "Kafka",
        "metadata": {
            "name": layout.cluster_name,
            "namespace": layout.namespace,
            "annotations": dict(WAIT_READY),
        },
        "spec": {"kafka": kafka, "entityOperator": {"topicOperator": {}, "userOperator": {}}},
    }


def node_pools(layout: StrimziLayout) -> list[dict[str, Any]]:
    """KRaft ``KafkaNodePool`` CRs: one dual-role pool, or separate controller and broker pools."""
    pools: list[tuple[str, int, list[str]]]
    if layout.dual_role:
        pools = [("dual-role", layout.brokers, ["controller", "broker"])]
    else:
        pools = [("controller", layout.controllers, ["controller"]), ("broker", layout.brokers, ["broker"])]
    out = []
    for pool, replicas, roles in pools:
        spec: dict[str, Any] = {"replicas": replicas, "roles": roles, "storage": _storage(layout)}
        if layout.broker_resources and "broker" in roles:
            spec["resources"] = layout.broker_resources
        out.append(
            {
                "apiVersion": API_VERSION,
                "kind": "KafkaNodePool",
                "metadata": {"name": pool, "namespace": layout.namespace, "labels": _labels(layout)},
                "spec": spec,
            }
        )
    return out


def kafka_topic(contract: IngestStorageContract, requirements: Any, layout: StrimziLayout) -> dict[str, Any]:
    name = contract.topic.name
    spec: dict[str, Any] = {
        "partitions": requirements.partitions,
        "replicas": requirements.replication_factor,
        "config": {k: v for k, v in requirements.topic_config.items()},
    }
    if k8s_name(name) != name:
        spec["topicName"] = name
    return {
        "apiVersion": API_VERSION,
        "kind": "KafkaTopic",
        "metadata": {
            "name": k8s_name(name),
            "namespace": layout.namespace,
            "labels": _labels(layout),
            "annotations": dict(WAIT_READY),
        },
        "spec": spec,
    }


def user_name(contract: IngestStorageContract) -> str:
    """The KafkaUser name: the SCRAM username, or the certificate CN for mTLS."""
    sasl = contract.sasl
    if isinstance(sasl, ScramAuth):
        return sasl.username
    principal = contract.kafka_principal or "User:CN=mimir"
    m = re.search(r"CN=([^,]+)", principal)
    return m.group(1) if m else principal.split(":", 1)[-1]


def kafka_user(
    contract: IngestStorageContract,
    requirements: Any,
    layout: StrimziLayout,
    password_secret: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """The ``KafkaUser`` with least-privilege ACLs; ``password_secret`` = (Secret name, key) to reuse."""
    auth_type = listener_authentication(contract)
    if auth_type is None:
        raise StrimziConfigError("sasl=NoSasl without mTLS: there is no user to create")
    authentication: dict[str, Any] = {"type": auth_type}
    if password_secret is not None and auth_type == "scram-sha-512":
        authentication["password"] = {
            "valueFrom": {"secretKeyRef": {"name": password_secret[0], "key": password_secret[1]}}
        }
    return {
        "apiVersion": API_VERSION,
        "kind": "KafkaUser",
        "metadata": {
            "name": user_name(contract),
            "namespace": layout.namespace,
            "labels": _labels(layout),
            "annotations": dict(WAIT_READY),
        },
        "spec": {
            "authentication": authentication,
            "authorization": {"type": "simple", "acls": to_strimzi_acls(requirements.acls)},
        },
    }
