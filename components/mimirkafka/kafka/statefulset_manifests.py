"""Plain ``apache/kafka`` KRaft StatefulSet manifests for dev/CI (pure functions, plain dicts).

Fixes the defects of mimir-distributed's built-in Kafka (grafana/mimir @063371ec
operations/helm/charts/mimir-distributed/templates/kafka/kafka-statefulset.yaml and values.yaml ``kafka:``;
grafana/mimir#14651):

* ``message.max.bytes``/``replica.fetch.max.bytes`` come from the contract (the chart sets none, so
  Kafka's ~1 MiB default rejects Mimir's 16 MB batches);
* topic replication factor and ``min.insync.replicas`` come from the contract and are checked
  against the node count (the chart leaves RF at 1);
* ``CLUSTER_ID`` (what the image's scripts read) is set, not ``KAFKA_CLUSTER_ID``;
* the client Service is not named ``kafka`` and service links are off, so Kubernetes does not
  inject ``KAFKA_PORT=tcp://...`` that the image would turn into a broken ``port`` property;
* the topic is created by a Job with the contract's partitions and configs, instead of relying on
  auto-creation with broker defaults.
"""

from __future__ import annotations

import base64
import hashlib
import shlex
import uuid
from dataclasses import dataclass
from typing import Any

from mimirkafka.contract.errors import ContractError
from mimirkafka.contract.model import IngestStorageContract
from mimirkafka.kafka._contract import major_minor, problem_from_text

#: apache/kafka image tag per Kafka major.minor (override with ``KraftLayout.image``).
KAFKA_IMAGE_TAGS = {"4.0": "4.0.0", "4.1": "4.1.0", "4.2": "4.2.0", "4.3": "4.3.1"}
CLIENT_PORT = 9092
CONTROLLER_PORT = 9093
DATA_DIR = "/var/lib/kafka/data"
#: apache/kafka runs as ``appuser`` (uid/gid 1000 in the Alpine-based image).
APP_UID = 1000


class KraftConfigError(ContractError):
    """The contract asks for something the dev StatefulSet cannot provide.

    Carries one :class:`Problem`, read from the ``setting=value: message. Fix: fix`` text."""

    def __init__(self, text: str) -> None:
        super().__init__([problem_from_text(text)])


@dataclass(frozen=True)
class KraftLayout:
    #: Object name prefix; never ``kafka`` (service-link env ``KAFKA_PORT`` breaks the image).
    name: str = "mimir-kafka"
    namespace: str = "default"
    #: 1 (dev) or 3 (CI with real replication).
    replicas: int = 1
    image: str | None = None
    storage_size: str = "10Gi"
    storage_class: str | None = None
    cluster_domain: str = "cluster.local"
    resources: dict[str, Any] | None = None
    #: Explicit KRaft cluster id (22-char base64url UUID); default derived from namespace/name.
    cluster_id: str | None = None


def env_name(prop: str) -> str:
    """apache/kafka's property-to-env rule: ``_``->``__``, ``-``->``___``, ``.``->``_``, prefix ``KAFKA_``."""
    return "KAFKA_" + prop.replace("_", "__").replace("-", "___").replace(".", "_").upper()


def cluster_id_for(layout: KraftLayout) -> str:
    """A stable KRaft cluster id: re-running the program must not reformat storage."""
    if layout.cluster_id:
        return layout.cluster_id
    u = uuid.uuid5(uuid.NAMESPACE_URL, f"mimirkafka:{layout.namespace}/{layout.name}")
    return base64.urlsafe_b64encode(u.bytes).decode().rstrip("=")


def image_for(contract: IngestStorageContract, layout: KraftLayout) -> str:
    if layout.image:
        return layout.image
    mm = major_minor(contract.kafka_version)
    if mm not in KAFKA_IMAGE_TAGS:
        raise KraftConfigError(
            f"kafka_version={contract.kafka_version!r}: no apache/kafka KRaft image known for it. Fix: set "
            f"kafka_version to one of {sorted(KAFKA_IMAGE_TAGS)} or KraftLayout.image explicitly"
        )
    return f"apache/kafka:{KAFKA_IMAGE_TAGS[mm]}"


def headless_name(layout: KraftLayout) -> str:
    return f"{layout.name}-headless"


def _fqdn(layout: KraftLayout, host: str) -> str:
    # No trailing dot: Kafka fails to resolve names ending in "." (mimir chart comment).
    return f"{host}.{layout.namespace}.svc.{layout.cluster_domain.rstrip('.')}"


def bootstrap_address(layout: KraftLayout) -> str:
    return f"{_fqdn(layout, layout.name)}:{CLIENT_PORT}"


def check_supported(contract: IngestStorageContract, requirements: Any, layout: KraftLayout) -> None:
    if layout.replicas not in (1, 3):
        raise KraftConfigError(
            f"replicas={layout.replicas}: the dev StatefulSet runs 1 or 3 nodes. Fix: 1 or 3"
        )
    if layout.name == "kafka":
        raise KraftConfigError(
            "name='kafka': a Service named kafka injects KAFKA_PORT=tcp://... into pods, which apache/kafka "
            "turns into an invalid 'port' property. Fix: another name, e.g. 'mimir-kafka'"
        )
    if contract.sasl.mechanism is not None or contract.tls.enabled:
        raise KraftConfigError(
            "sasl/tls: the KRaft StatefulSet is a plaintext dev/CI broker. Fix: NoSasl() and TlsConfig() in "
            "the contract, or use StrimziKafka for SCRAM/TLS"
        )
    if requirements.replication_factor > layout.replicas:
        raise KraftConfigError(
            f"topic.replication_factor={requirements.replication_factor}: only {layout.replicas} node(s). "
            f"Fix: replicas=3, or topic replication_factor={layout.replicas} and min_insync_replicas=1 "
            "for one node"
        )


def broker_env(
    contract: IngestStorageContract, requirements: Any, layout: KraftLayout
) -> list[dict[str, Any]]:
    n = layout.replicas
    headless = headless_name(layout)
    voters = ",".join(
        f"{i}@{_fqdn(layout, f'{layout.name}-{i}.{headless}')}:{CONTROLLER_PORT}" for i in range(n)
    )
    props: dict[str, str] = {
        "process.roles": "broker,controller",
        "listeners": f"PLAINTEXT://:{CLIENT_PORT},CONTROLLER://:{CONTROLLER_PORT}",
        "advertised.listeners": f"PLAINTEXT://{_fqdn(layout, f'$(_POD_NAME).{headless}')}:{CLIENT_PORT}",
        "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "controller.quorum.voters": voters,
        # A subdirectory: a fresh volume's lost+found would otherwise confuse Kafka's log dir scan.
        "log.dirs": f"{DATA_DIR}/logs",
        # Internal topics: without these the offsets topic is never created on 1 node and ingesters
        # cannot commit offsets.
        "offsets.topic.replication.factor": str(min(3, n)),
        "transaction.state.log.replication.factor": str(min(3, n)),
        "transaction.state.log.min.isr": str(min(2, n)),
        "share.coordinator.state.topic.replication.factor": str(min(3, n)),
        "share.coordinator.state.topic.min.isr": str(min(2, n)),
        "group.initial.rebalance.delay.ms": "0",
    }
    # The contract's broker config (message sizes, default RF, min ISR, retention, auto-create) wins.
    props.update({k: str(v) for k, v in requirements.broker_config.items()})
    env: list[dict[str, Any]] = [
        # Sorted first so $(_POD_NAME) is defined before the listeners that use it.
        {"name": "_POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
        {
            "name": "KAFKA_NODE_ID",
            "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['apps.kubernetes.io/pod-index']"}},
        },
        # The image's scripts read CLUSTER_ID (not KAFKA_CLUSTER_ID) to format KRaft storage.
        {"name": "CLUSTER_ID", "value": cluster_id_for(layout)},
    ]
    env += [{"name": env_name(k), "value": v} for k, v in props.items()]
    return env


def _labels(layout: KraftLayout) -> dict[str, str]:
    return {"app.kubernetes.io/name": "kafka", "app.kubernetes.io/instance": layout.name}


def statefulset(contract: IngestStorageContract, requirements: Any, layout: KraftLayout) -> dict[str, Any]:
    labels = _labels(layout)
    container: dict[str, Any] = {
        "name": "kafka",
        "image": image_for(contract, layout),
        "env": broker_env(contract, requirements, layout),
        "ports": [
            {"name": "kafka", "containerPort": CLIENT_PORT},
            {"name": "controller", "containerPort": CONTROLLER_PORT},
        ],
        "readinessProbe": {"tcpSocket": {"port": CLIENT_PORT}, "periodSeconds": 5, "failureThreshold": 24},
        "volumeMounts": [
            {"name": "data", "mountPath": DATA_DIR},
            # The image's configure script writes server.properties here; with a read-only root
            # filesystem it needs a writable emptyDir (as the mimir chart does).
            {"name": "config", "mountPath": "/opt/kafka/config"},
            {"name": "tmp", "mountPath": "/tmp"},
        ],
        "securityContext": {
            "readOnlyRootFilesystem": True,
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
        },
    }
    if layout.resources:
        container["resources"] = layout.resources
    pvc_spec: dict[str, Any] = {
        "accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": layout.storage_size}},
    }
    if layout.storage_class:
        pvc_spec["storageClassName"] = layout.storage_class
    return {
        "metadata": {"name": layout.name, "namespace": layout.namespace, "labels": labels},
        "spec": {
            "serviceName": headless_name(layout),
            "replicas": layout.replicas,
            # All nodes must start together to form the KRaft quorum.
            "podManagementPolicy": "Parallel",
            "selector": {"matchLabels": labels},
            # Keep the data when the StatefulSet is deleted or scaled down.
            "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "enableServiceLinks": False,
                    "securityContext": {
                        "runAsNonRoot": True,
                        "runAsUser": APP_UID,
                        "runAsGroup": APP_UID,
                        "fsGroup": APP_UID,
                        "seccompProfile": {"type": "RuntimeDefault"},
                    },
                    "containers": [container],
                    "volumes": [{"name": "config", "emptyDir": {}}, {"name": "tmp", "emptyDir": {}}],
                },
            },
            "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": pvc_spec}],
        },
    }


def services(layout: KraftLayout) -> list[dict[str, Any]]:
    labels = _labels(layout)
    headless = {
        "metadata": {"name": headless_name(layout), "namespace": layout.namespace, "labels": labels},
        "spec": {
            "clusterIP": "None",
            # Controllers must find each other before any pod is Ready.
            "publishNotReadyAddresses": True,
            "selector": labels,
            "ports": [
                {"name": "kafka", "port": CLIENT_PORT},
                {"name": "controller", "port": CONTROLLER_PORT},
            ],
        },
    }
    client = {
        "metadata": {"name": layout.name, "namespace": layout.namespace, "labels": labels},
        "spec": {
            "selector": labels,
            "ports": [{"name": "kafka", "port": CLIENT_PORT, "targetPort": CLIENT_PORT}],
        },
    }
    return [headless, client]


def pdb(layout: KraftLayout) -> dict[str, Any]:
    return {
        "metadata": {"name": layout.name, "namespace": layout.namespace, "labels": _labels(layout)},
        "spec": {"maxUnavailable": 1, "selector": {"matchLabels": _labels(layout)}},
    }


def topic_script(contract: IngestStorageContract, requirements: Any, layout: KraftLayout) -> str:
    """Idempotent: create if missing, grow partitions if fewer, (re)apply topic configs. Never deletes."""
    b = shlex.quote(bootstrap_address(layout))
    t = shlex.quote(contract.topic.name)
    p = int(requirements.partitions)
    rf = int(requirements.replication_factor)
    cfg_flags = " ".join(f"--config {shlex.quote(f'{k}={v}')}" for k, v in requirements.topic_config.items())
    cfg_list = shlex.quote(",".join(f"{k}={v}" for k, v in requirements.topic_config.items()))
    bin_ = "/opt/kafka/bin"
    lines = [
        "set -eu",
        f"until {bin_}/kafka-topics.sh --bootstrap-server {b} --list >/dev/null 2>&1; do sleep 5; done",
        f"{bin_}/kafka-topics.sh --bootstrap-server {b} --create --if-not-exists --topic {t} "
        f"--partitions {p} --replication-factor {rf} {cfg_flags}".rstrip(),
        f"have=$({bin_}/kafka-topics.sh --bootstrap-server {b} --describe --topic {t} "
        "| grep -c 'Partition: ')",
        f'if [ "$have" -lt {p} ]; then {bin_}/kafka-topics.sh --bootstrap-server {b} --alter --topic {t} '
        f"--partitions {p}; fi",
    ]
    if requirements.topic_config:
        lines.append(
            f"{bin_}/kafka-configs.sh --bootstrap-server {b} --alter --entity-type topics --entity-name {t} "
            f"--add-config {cfg_list}"
        )
    return "\n".join(lines)


def topic_job(contract: IngestStorageContract, requirements: Any, layout: KraftLayout) -> dict[str, Any]:
    script = topic_script(contract, requirements, layout)
    # Jobs are immutable: a new spec gets a new name (the old Job is replaced; the topic is not).
    digest = hashlib.sha256(script.encode()).hexdigest()[:8]
    return {
        "metadata": {
            "name": f"{layout.name}-topic-{digest}",
            "namespace": layout.namespace,
            "labels": _labels(layout),
        },
        "spec": {
            "backoffLimit": 10,
            "template": {
                "metadata": {"labels": {"app.kubernetes.io/instance": f"{layout.name}-topic"}},
                "spec": {
                    "restartPolicy": "OnFailure",
                    "enableServiceLinks": False,
                    "securityContext": {"runAsNonRoot": True, "runAsUser": APP_UID, "runAsGroup": APP_UID},
                    "containers": [
                        {
                            "name": "create-topic",
                            "image": image_for(contract, layout),
                            "command": ["/bin/sh", "-c", script],
                        }
                    ],
                },
            },
        },
    }
