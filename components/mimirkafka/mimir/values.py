"""Helm values of the ``mimir-distributed`` chart, derived from the contract (plain Python, no Pulumi).

Inputs are the contract's rendering (``mimir.structuredConfig``, the names of the ``${VAR}`` secret
variables, the TLS files Mimir reads) plus deployment choices (release, namespace, object storage,
where each secret lives, ruler query path, client rack). The output is a plain ``dict`` that never
contains a secret value.

Credentials, TLS material and the MSK IAM sidecar go to the components that talk to Kafka only
(``components.KAFKA_COMPONENTS``: ``<component>.extraEnvFrom`` / ``.env`` / ``.extraVolumes`` /
``.extraVolumeMounts`` / ``.extraContainers``), never to ``global.*`` (whose scope includes memcached,
the gateway and smoke tests). The shared ``structuredConfig`` keeps every ingest-storage key except the
ones that switch SASL and TLS on, which the Kafka components get as flags (``<component>.extraArgs``), so
every other component still passes Mimir's config validation (``components.split_kafka_block``).

Chart value keys were checked against grafana/mimir ``operations/helm/charts/mimir-distributed``
@063371ec (chart main right after 6.0.6, released as 6.1.0): ``values.yaml`` (``<component>.env``,
``extraEnvFrom``, ``extraVolumes``, ``extraVolumeMounts``, ``extraContainers``, ``extraArgs``;
``ingester.zoneAwareReplication.{enabled,zones[],autoIngestStorageClientRack}``;
``ruler.remoteEvaluationDedicatedQueryPath``; ``kafka.enabled``) and the ingester and
ruler-query-frontend templates.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from mimirkafka.contract.errors import ContractError, Problem
from mimirkafka.contract.ingesters import (
    DEFAULT_ZONE_NAMES,
    IngesterInstance,
    ingester_group_prefix,
    ingester_instances,
    valid_zone_name,
    zone_aware,
)
from mimirkafka.contract.ingesters import partition_of as _partition_of
from mimirkafka.contract.mimir_config import ENV_REF
from mimirkafka.contract.mimir_settings import setting_for_yaml
from mimirkafka.contract.model import IngesterLayout, MimirVersion, SecretValue
from mimirkafka.mimir import compat
from mimirkafka.mimir.components import KAFKA_COMPONENTS as _KAFKA_COMPONENTS
from mimirkafka.mimir.components import kafka_components, split_kafka_block
from mimirkafka.mimir.extra_values import ExtraValuesError, KeyPath, dotted, merge_extra_values
from mimirkafka.mimir.sealed import check_env_and_volumes, check_extra_args, check_structured_config

CHART_NAME = "mimir-distributed"
CHART_REPO = "https://grafana.github.io/helm-charts"
#: The chart line with 2-zone ingest storage (#14449) and the per-zone client rack (#14654); see compat.py.
CHART_VERSION = str(compat.DEFAULT_CHART)
IMAGE_REPOSITORY = "grafana/mimir"
#: The credentials sidecar's image, pinned to an exact Python + Alpine release (a moving tag like
#: ``3.12-alpine`` would change the sidecar under a running deployment). The script needs only the
#: standard library. Override with ``MskIamSidecar.image`` (a registry mirror, a digest).
MSK_IAM_SIDECAR_IMAGE = "docker.io/library/python:3.12.12-alpine3.21"
#: Values sections of every chart component that can talk to Kafka (see components.py for sources).
KAFKA_COMPONENTS = tuple(c.values_key for c in _KAFKA_COMPONENTS)
ZONE_NAMES = DEFAULT_ZONE_NAMES
#: The chart's per-zone defaults (values.yaml @063371ec ``ingester.zoneAwareReplication.zones[]``); a zone
#: list given to the chart replaces its defaults wholesale, so every entry restates them.
CHART_ZONE_DEFAULTS: dict[str, Any] = {
    "nodeSelector": None,
    "extraAffinity": {},
    "storageClass": None,
    "noDownscale": False,
    "downscaleLeader": None,
    "prepareDownscale": True,
}


@dataclass(frozen=True)
class SecretKeyRef:
    """A key of a Kubernetes Secret that lives in Mimir's namespace (ours or operator-generated)."""

    secret_name: str
    key: str


@dataclass(frozen=True)
class ObjectStorage:
    """Where Mimir keeps blocks, rules and alertmanager state.

    ``s3``: three buckets (Mimir refuses a shared bucket+prefix between blocks and ruler/alertmanager);
    credentials come from the pod's IAM role (IRSA / Pod Identity), never from values.
    ``minio``: the chart's bundled MinIO, for development clusters only.
    ``filesystem``: a local directory per pod; only meaningful with a single replica of each component.
    """

    backend: Literal["s3", "minio", "filesystem"] = "minio"
    region: str | None = None
    blocks_bucket: str | None = None
    ruler_bucket: str | None = None
    alertmanager_bucket: str | None = None
    filesystem_dir: str = "/data/mimir-objects"


@dataclass(frozen=True)
class MskIamSidecar:
    """A credentials sidecar for ``AWS_MSK_IAM``: Mimir cannot use the AWS SDK default chain (IRSA/Pod
    Identity), so a sidecar resolves the pod's role credentials and serves them on a unix socket in the
    JSON shape Mimir reads (``sasl_msk_iam_http_socket_path``)."""

    socket_path: str
    image: str = MSK_IAM_SIDECAR_IMAGE
    script_config_map: str = "mimir-msk-iam-credentials"
    script_key: str = "msk_iam_credentials.py"
    region: str | None = None


@dataclass(frozen=True)
class ClientRack:
    """How the ingesters tell Kafka their rack (``-ingest-storage.kafka.client-rack``), so they fetch from
    a replica in their own zone (KIP-392) instead of the partition leader across zones.

    The chart passes each ingester zone's *name* as its rack (``autoIngestStorageClientRack``, on by
    default since 6.1.0, #14654). The default names ``zone-a``... never equal a broker rack: MSK's
    ``broker.rack`` is the AZ ID (``use1-az1``), Strimzi's is the node's zone label
    (``topology.kubernetes.io/zone``, e.g. ``us-east-1a``). So either name the zones after the racks
    (``zone_racks``), or turn the chart's rack off (``ClientRack.off()``). Both choices are reported in the
    plan's warnings.
    """

    #: ``"zone-name"``: the chart's per-zone rack; ``"off"``: no client rack at all.
    mode: Literal["zone-name", "off"] = "zone-name"
    #: One rack per ingester zone, in zone order; the zones take these names (they become part of the pod
    #: names, so they must be DNS labels). With one zone the ingester gets it as its client rack flag.
    zone_racks: tuple[str, ...] = ()
    #: Node label each zone's pods are pinned to with the zone's rack as value, e.g.
    #: ``topology.kubernetes.io/zone`` for Strimzi racks; ``None`` leaves scheduling to the cluster.
    node_label: str | None = None

    @classmethod
    def off(cls) -> ClientRack:
        return cls(mode="off")


@dataclass(frozen=True)
class ChartSettings:
    """Deployment choices that are not part of the ingest-storage contract."""

    release_name: str = "mimir"
    namespace: str = "mimir"
    chart_version: str = CHART_VERSION
    #: Registry/repository of the Mimir image (e.g. a mirror); the tag is the contract's mimir_version.
    image_repository: str = IMAGE_REPOSITORY
    #: ``None``: the contract's ``mimir_version``. Anything else must name that same release.
    image_tag: str | None = None
    service_account_name: str = "mimir"
    service_account_annotations: Mapping[str, str] = field(default_factory=dict)
    object_storage: ObjectStorage = field(default_factory=ObjectStorage)
    #: Secret (in ``namespace``) whose keys are exactly the ``${VAR}`` names; mounted with ``extraEnvFrom``
    #: on the Kafka components only.
    env_secret_name: str | None = None
    #: ``${VAR}`` name -> key of an existing Secret (e.g. the Strimzi KafkaUser Secret's ``password``).
    env_secret_refs: Mapping[str, SecretKeyRef] = field(default_factory=dict)
    #: In-pod TLS file path -> where its content comes from (a key of a Secret in ``namespace``).
    tls_files: Mapping[str, SecretKeyRef] = field(default_factory=dict)
    msk_iam_sidecar: MskIamSidecar | None = None
    #: Ruler remote evaluation through the chart's dedicated query path
    #: (``ruler.remoteEvaluationDedicatedQueryPath``: ruler-query-frontend, -scheduler, -querier). Grafana's
    #: jsonnet refuses ingest storage without remote evaluation ("ingest storage requires ruler remote
    #: evaluation", ingest-storage.libsonnet @00dc4b65); turning it off is reported as a warning.
    ruler_query_path: bool = True
    #: The ingesters' Kafka rack per zone (see :class:`ClientRack`).
    client_rack: ClientRack = field(default_factory=ClientRack)
    #: Kafka client ID per Kafka component (values section -> ID), e.g. ``{"ingester": "ingester"}``,
    #: passed as that component's ``-ingest-storage.kafka.client-id`` (Grafana's jsonnet sets one per
    #: component, ``mimirKafkaClientID``, ingest-storage.libsonnet @00dc4b65); others keep the contract's.
    component_client_ids: Mapping[str, str] = field(default_factory=dict)
    #: Any other chart value, merged last (the escape hatch): it may add keys and append list entries,
    #: never change a value derived from the contract or from the settings above (see extra_values.py,
    #: sealed.py).
    extra_values: Mapping[str, Any] = field(default_factory=dict)


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Returns ``base`` with ``override`` merged in: dicts merge recursively, anything else is replaced."""
    out: dict[str, Any] = copy.deepcopy(dict(base))
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def fullname(settings: ChartSettings) -> str:
    """The chart's resource-name prefix; pinned with ``fullnameOverride`` so names are predictable."""
    return settings.release_name


def zone_names(layout: IngesterLayout, settings: ChartSettings | None = None) -> list[str]:
    """The ingester zones: the client rack's names when given, else the chart's ``zone-a, zone-b, ...``."""
    racks = settings.client_rack.zone_racks if settings is not None else ()
    if racks and len(racks) == layout.zones:
        return list(racks)
    return list(ZONE_NAMES[: max(0, min(layout.zones, len(ZONE_NAMES)))])


def ingesters(settings: ChartSettings, layout: IngesterLayout) -> tuple[IngesterInstance, ...]:
    """Every ingester pod the chart runs (instance ID, zone, partition): contract/ingesters.py."""
    names = tuple(zone_names(layout, settings)) if zone_aware(layout) else None
    return ingester_instances(fullname(settings), layout, names)


def ingester_instance_ids(settings: ChartSettings, layout: IngesterLayout) -> list[str]:
    """Pod names = ingester instance IDs; each ends in ``-<n>``, which Mimir maps to partition ``n``."""
    return [i.instance_id for i in ingesters(settings, layout)]


def consumer_group_prefix(settings: ChartSettings) -> str:
    """Ingesters use their instance ID as consumer group, so ACLs/IAM must cover this prefix."""
    return ingester_group_prefix(fullname(settings))


def consumer_group_problems(
    contract_prefix: str, settings: ChartSettings, layout: IngesterLayout
) -> list[Problem]:
    """The contract's group prefix must cover every ingester instance ID the chart runs: the Kafka side's
    ACLs (and MSK IAM group ARNs) come from the contract, the group names from the release and zones."""
    ids = ingester_instance_ids(settings, layout)
    missed = [i for i in ids if not i.startswith(contract_prefix)]
    if not missed:
        return []
    return [
        Problem(
            "consumer_group_prefix",
            contract_prefix,
            f"the chart's ingesters (release {settings.release_name!r}) commit offsets as groups named like "
            f"{missed[0]}, which this prefix does not cover, so the Kafka ACLs/IAM would refuse them",
            f"build the contract with consumer_group_prefix={consumer_group_prefix(settings)!r}",
        )
    ]


def check_consumer_group_prefix(contract_prefix: str, settings: ChartSettings) -> None:
    """Raises :class:`ContractError` when :func:`consumer_group_problems` finds any (3 zones of 1)."""
    found = consumer_group_problems(contract_prefix, settings, IngesterLayout())
    if found:
        raise ContractError(found)


def partition_of(instance_id: str) -> int:
    n = _partition_of(instance_id)
    if n is None:
        raise ValueError(f"ingester instance ID {instance_id!r} does not end in -<n>; Mimir would not start")
    return n


def object_storage_problems(storage: ObjectStorage) -> list[Problem]:
    if storage.backend not in ("s3", "minio", "filesystem"):
        return [
            Problem(
                "settings.object_storage.backend",
                storage.backend,
                "is not a supported object storage",
                "use 's3', 'minio' or 'filesystem'",
            )
        ]
    if storage.backend != "s3":
        return []
    missing = [
        name
        for name in ("region", "blocks_bucket", "ruler_bucket", "alertmanager_bucket")
        if not getattr(storage, name)
    ]
    if not missing:
        return []
    return [
        Problem(
            f"settings.object_storage.{missing[0]}",
            None,
            f"object storage s3: {', '.join(missing)} not set",
            "give bucket names and a region (Mimir refuses one bucket shared by blocks and "
            "ruler/alertmanager)",
        )
    ]


def object_storage_config(storage: ObjectStorage) -> dict[str, Any]:
    """The ``blocks_storage``/``ruler_storage``/``alertmanager_storage`` part of Mimir's config."""
    found = object_storage_problems(storage)
    if found:
        raise ContractError(found)
    if storage.backend == "s3":
        s3 = {"endpoint": f"s3.{storage.region}.amazonaws.com", "region": storage.region}
        return {
            "common": {"storage": {"backend": "s3", "s3": s3}},
            "blocks_storage": {"backend": "s3", "s3": {"bucket_name": storage.blocks_bucket}},
            "ruler_storage": {"backend": "s3", "s3": {"bucket_name": storage.ruler_bucket}},
            "alertmanager_storage": {"backend": "s3", "s3": {"bucket_name": storage.alertmanager_bucket}},
        }
    if storage.backend == "filesystem":
        root = storage.filesystem_dir.rstrip("/")
        return {
            "blocks_storage": {"backend": "filesystem", "filesystem": {"dir": f"{root}/blocks"}},
            "ruler_storage": {"backend": "filesystem", "filesystem": {"dir": f"{root}/ruler"}},
            "alertmanager_storage": {"backend": "filesystem", "filesystem": {"dir": f"{root}/alertmanager"}},
        }
    # minio: the chart's default config already points every store at its bundled MinIO.
    return {}


def _tls_volume(settings: ChartSettings) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One projected volume per TLS mount directory, built from Secret keys (nothing inline)."""
    by_dir: dict[str, list[tuple[str, SecretKeyRef]]] = {}
    for path, ref in sorted(settings.tls_files.items()):
        directory, _, filename = path.rpartition("/")
        by_dir.setdefault(directory, []).append((filename, ref))
    volumes: list[dict[str, Any]] = []
    mounts: list[dict[str, Any]] = []
    for i, (directory, files) in enumerate(sorted(by_dir.items())):
        name = "kafka-tls" if i == 0 else f"kafka-tls-{i}"
        sources: dict[str, list[dict[str, str]]] = {}
        for filename, ref in files:
            sources.setdefault(ref.secret_name, []).append({"key": ref.key, "path": filename})
        volumes.append(
            {
                "name": name,
                "projected": {
                    "sources": [
                        {"secret": {"name": secret_name, "items": items}}
                        for secret_name, items in sorted(sources.items())
                    ]
                },
            }
        )
        mounts.append({"name": name, "mountPath": directory, "readOnly": True})
    return volumes, mounts


def _tls_problems(settings: ChartSettings) -> list[Problem]:
    return [
        Problem(
            "settings.tls_files",
            path,
            "a TLS file path must be absolute",
            "use a path like /etc/mimir/kafka-tls/ca.crt (the contract's tls.mount_dir)",
        )
        for path in sorted(settings.tls_files)
        if not path.rpartition("/")[0] or not path.rpartition("/")[2]
    ]


def _sidecar_problems(sidecar: MskIamSidecar) -> list[Problem]:
    _, _, name_tag = sidecar.image.rpartition("/")
    tag = name_tag.partition(":")[2]
    if "@" not in sidecar.image and tag in ("", "latest"):
        return [
            Problem(
                "settings.msk_iam_sidecar.image",
                sidecar.image,
                "a moving image tag would change the sidecar under a running deployment",
                f"pin an exact tag or digest, like {MSK_IAM_SIDECAR_IMAGE!r}",
            )
        ]
    return []


def _msk_iam_sidecar(sidecar: MskIamSidecar) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]]:
    """(container, pod volumes, main-container mount) for the credentials sidecar."""
    socket_dir = sidecar.socket_path.rpartition("/")[0] or "/"
    env = [{"name": "MSK_IAM_SOCKET_PATH", "value": sidecar.socket_path}]
    if sidecar.region:
        env.append({"name": "AWS_REGION", "value": sidecar.region})
    container = {
        "name": "msk-iam-credentials",
        "image": sidecar.image,
        "command": ["python3", f"/opt/msk-iam/{sidecar.script_key}"],
        "env": env,
        "volumeMounts": [
            {"name": "msk-iam-socket", "mountPath": socket_dir},
            {"name": "msk-iam-script", "mountPath": "/opt/msk-iam", "readOnly": True},
        ],
        "resources": {"requests": {"cpu": "10m", "memory": "32Mi"}, "limits": {"memory": "64Mi"}},
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
            # Same uid/gid as the chart's Mimir containers, so Mimir can connect to the socket.
            "runAsUser": 10001,
            "runAsGroup": 10001,
            "capabilities": {"drop": ["ALL"]},
        },
    }
    volumes = [
        {"name": "msk-iam-socket", "emptyDir": {"medium": "Memory"}},
        {"name": "msk-iam-script", "configMap": {"name": sidecar.script_config_map}},
    ]
    mount = {"name": "msk-iam-socket", "mountPath": socket_dir}
    return container, volumes, mount


def _secret_value_problems(tree: Any, path: str) -> list[Problem]:
    if isinstance(tree, SecretValue):
        return [
            Problem(
                path,
                tree,
                "a secret value would be written into the Helm values",
                "use a ${VAR} reference provided from a Secret",
            )
        ]
    out: list[Problem] = []
    if isinstance(tree, Mapping):
        for k, v in tree.items():
            out += _secret_value_problems(v, f"{path}.{k}")
    elif isinstance(tree, Sequence) and not isinstance(tree, str | bytes):
        for i, v in enumerate(tree):
            out += _secret_value_problems(v, f"{path}[{i}]")
    return out


#: Sections of Mimir's config the contract owns entirely: a key it does not render there is left at
#: Mimir's default on purpose, so the escape hatch may not add one (it would bypass the Kafka side).
SEALED_CONFIG_SECTIONS = ("ingest_storage",)
STRUCTURED_CONFIG: KeyPath = ("mimir", "structuredConfig")
#: Names of Mimir config keys that hold a secret; in the config they may only be ``${VAR}`` references.
SECRET_KEY_NAME = re.compile(r"(password|secret|token|access_key|account_key|api_key)$", re.IGNORECASE)
#: Contract field that sets each ``ingest_storage.kafka`` key the rendering writes (by key prefix).
KAFKA_KEY_FIELDS = (
    ("address", "the contract's addresses (stack: kafkaBootstrap)"),
    ("topic", "the contract's topic.name"),
    ("auto_create_topic_default_partitions", "the contract's topic.partitions"),
    ("sasl_", "the contract's sasl (secrets as a SecretValue; Mimir reads them from ${VAR})"),
    ("tls_", "the contract's tls"),
    ("client_rack", "settings.client_rack"),
)
#: ``ingest_storage.kafka`` keys set by the contract field of the same name.
CONTRACT_FIELD_NAMED_KEYS = frozenset(
    {
        "client_id",
        "auto_create_topic_enabled",
        "producer_max_record_size_bytes",
        "use_compressed_bytes_as_fetch_max_bytes",
    }
)
#: Where to change each value the component derives (longest matching key-path prefix wins).
FIXES: tuple[tuple[KeyPath, str], ...] = (
    (("image", "tag"), "set mimir_version in the contract (stack: mimirVersion); the image follows it"),
    (("image", "repository"), "set ChartSettings.image_repository"),
    (("kafka",), "none: Kafka is external (the contract's addresses); the chart's own Kafka stays off"),
    (("fullnameOverride",), "set ChartSettings.release_name (stack: mimirReleaseName)"),
    (("minio",), "set ChartSettings.object_storage.backend"),
    (("serviceAccount",), "set ChartSettings.service_account_name / service_account_annotations"),
    (
        ("ingester", "replicas"),
        "set ingesters (zones, per_zone) in the contract (stack: ingesterZones, ingestersPerZone)",
    ),
    (
        ("ingester", "zoneAwareReplication"),
        "set ingesters.zones in the contract (stack: ingesterZones); 2 or more zones are zone-aware",
    ),
    (
        ("ingester", "zoneAwareReplication", "zones"),
        "set ingesters.zones in the contract and settings.client_rack (zone_racks, node_label) for names "
        "and node pinning",
    ),
    (("ingester", "zoneAwareReplication", "autoIngestStorageClientRack"), "set settings.client_rack"),
    (("ruler", "remoteEvaluationDedicatedQueryPath"), "set ChartSettings.ruler_query_path"),
    (
        ("global", "extraEnvFrom"),
        "credentials reach the Kafka components from ChartSettings.env_secret_name / env_secret_refs; "
        "append an entry for another Secret/ConfigMap",
    ),
    (
        ("global", "extraEnv"),
        "credentials reach the Kafka components from ChartSettings.env_secret_refs; append an env var "
        "with a new name",
    ),
    (
        (*STRUCTURED_CONFIG, "ingest_storage"),
        "set the matching field of the contract; a Kafka setting it lacks belongs in IngestStorageContract",
    ),
    ((*STRUCTURED_CONFIG, "ingest_storage", "enabled"), "set the contract's enabled"),
    ((*STRUCTURED_CONFIG, "distributor", "remote_timeout"), "set the contract's remote_timeout"),
    (
        (*STRUCTURED_CONFIG, "ingester", "push_grpc_method_enabled"),
        "none: ingesters take data from Kafka only, a gRPC push would bypass the log",
    ),
    ((*STRUCTURED_CONFIG, "ingester", "partition_ring"), "set the contract's partition_ring"),
    ((*STRUCTURED_CONFIG, "querier", "query_ingesters_within"), "set the contract's consumer"),
    *(
        ((*STRUCTURED_CONFIG, section), "set ChartSettings.object_storage")
        for section in ("common", "blocks_storage", "ruler_storage", "alertmanager_storage")
    ),
)
_COMPONENT_LIST_FIXES = {
    "extraContainers": "set ChartSettings.msk_iam_sidecar; append other containers with a new name",
    "extraArgs": "set the contract field behind the flag (consumer tuning, sasl, tls); add flags of your own",
    "extraEnvFrom": "credentials come from ChartSettings.env_secret_name; append an entry for another Secret",
    "env": "credentials come from ChartSettings.env_secret_refs; append an env var with a new name",
    "extraVolumes": "TLS files come from the contract's tls / ChartSettings.tls_files; append a volume "
    "with a new name",
    "extraVolumeMounts": "TLS files come from the contract's tls / ChartSettings.tls_files; append a mount "
    "at a new mountPath",
}


def fix_for(path: KeyPath) -> str:
    """The setting to change instead of the chart value at ``path``."""
    kafka = (*STRUCTURED_CONFIG, "ingest_storage", "kafka")
    if path[: len(kafka)] == kafka and len(path) > len(kafka):
        key = path[len(kafka)]
        for prefix, fix in KAFKA_KEY_FIELDS:
            if key.startswith(prefix):
                return f"set {fix}"
        if key in CONTRACT_FIELD_NAMED_KEYS:
            return f"set the contract's {key}"
        if setting_for_yaml(("ingest_storage", "kafka", key)) is not None:
            return "set the contract's consumer (ConsumerTuning) or the matching contract field"
    if len(path) > 1:
        base = path[1].split("[")[0]
        if base in _COMPONENT_LIST_FIXES and path[0] != "global":
            return _COMPONENT_LIST_FIXES[base]
    bare = tuple(part.split("[")[0] for part in path)
    matches = [(prefix, fix) for prefix, fix in FIXES if bare[: len(prefix)] == prefix]
    if matches:
        return max(matches, key=lambda m: len(m[0]))[1]
    return (
        "this value is derived by the component: change the ChartSettings field or contract field behind it"
    )


def _sealed(path: KeyPath) -> bool:
    config = path[len(STRUCTURED_CONFIG) :]
    return (
        path[: len(STRUCTURED_CONFIG)] == STRUCTURED_CONFIG
        and bool(config)
        and (config[0] in SEALED_CONFIG_SECTIONS)
    )


def _holds_secret(text: str, known_secrets: Sequence[str]) -> bool:
    # Short secrets only on equality, so "ab" does not flag every string containing it.
    return any(s == text or (len(s) >= 8 and s in text) for s in known_secrets if s)


def clear_secret_problems(values: Mapping[str, Any], known_secrets: Sequence[str] = ()) -> list[Problem]:
    """Final values holding a secret in clear: a :class:`SecretValue`, one of the contract's secret values
    (``known_secrets``, the ones available as plain strings), or a clear string under a secret-looking key
    of Mimir's config (those must be ``${VAR}`` references)."""
    found = _secret_value_problems(values, "values")

    def walk(tree: Any, path: KeyPath) -> None:
        if isinstance(tree, Mapping):
            for k, sub in tree.items():
                walk(sub, (*path, str(k)))
        elif isinstance(tree, Sequence) and not isinstance(tree, str | bytes):
            for i, sub in enumerate(tree):
                walk(sub, (*path[:-1], f"{path[-1]}[{i}]") if path else (f"[{i}]",))
        elif isinstance(tree, str):
            where = f"settings.extra_values.{dotted(path)}"
            if _holds_secret(tree, known_secrets):
                found.append(
                    Problem(
                        where,
                        "<redacted>",
                        "holds a secret of the contract in clear (Helm values are stored in clear)",
                        "leave it to the contract, which passes it as a ${VAR} reference from a Secret",
                    )
                )
                return
            config_path = path[len(STRUCTURED_CONFIG) :]
            in_config = path[: len(STRUCTURED_CONFIG)] == STRUCTURED_CONFIG
            known = setting_for_yaml(config_path) if in_config else None
            secret_key = in_config and (
                (known is not None and known.secret) or bool(SECRET_KEY_NAME.search(path[-1]))
            )
            if secret_key and tree and not ENV_REF.fullmatch(tree):
                found.append(
                    Problem(
                        where,
                        "<redacted>",
                        "a secret setting with a value in clear (Helm values are stored in clear)",
                        "write a ${VAR} reference and provide VAR from a Secret (<component>.env "
                        "valueFrom.secretKeyRef), or set it in the contract",
                    )
                )

    walk(values, ())
    return found


def _zone_entries(layout: IngesterLayout, settings: ChartSettings) -> list[dict[str, Any]]:
    """The chart's zone list for ``layout``, each entry restating the chart's per-zone defaults."""
    label = settings.client_rack.node_label
    entries = []
    for name in zone_names(layout, settings):
        entry = {"name": name, **copy.deepcopy(CHART_ZONE_DEFAULTS)}
        if label and settings.client_rack.zone_racks:
            entry["nodeSelector"] = {label: name}
        entries.append(entry)
    return entries


def layout_problems(layout: IngesterLayout, settings: ChartSettings) -> list[Problem]:
    """Zone names and client racks the chart cannot render, or that contradict the layout."""
    found: list[Problem] = []
    rack = settings.client_rack
    if rack.mode not in ("zone-name", "off"):
        found.append(
            Problem(
                "settings.client_rack.mode",
                rack.mode,
                "is not a client rack mode",
                "use 'zone-name' or 'off'",
            )
        )
    if layout.zones > len(ZONE_NAMES) and not rack.zone_racks:
        found.append(
            Problem(
                "ingesters.zones",
                layout.zones,
                f"this package names at most {len(ZONE_NAMES)} zones",
                "use 2 or 3 zones (Grafana's jsonnet supports 2 or 3 with ingest storage)",
            )
        )
    if rack.zone_racks:
        if rack.mode == "off":
            found.append(
                Problem(
                    "settings.client_rack.zone_racks",
                    rack.zone_racks,
                    "racks are given but the client rack is off",
                    "drop zone_racks, or use ClientRack(zone_racks=...) (mode 'zone-name')",
                )
            )
        if len(rack.zone_racks) != layout.zones:
            found.append(
                Problem(
                    "settings.client_rack.zone_racks",
                    rack.zone_racks,
                    f"gives {len(rack.zone_racks)} rack(s) for {layout.zones} ingester zone(s)",
                    f"give exactly one rack per zone ({layout.zones})",
                )
            )
        for i, name in enumerate(rack.zone_racks):
            if not valid_zone_name(name):
                found.append(
                    Problem(
                        f"settings.client_rack.zone_racks[{i}]",
                        name,
                        "the chart uses zone names in StatefulSet names and labels: it must be a lower-case "
                        "DNS label of at most 40 characters",
                        "use the rack ID as the brokers report it, e.g. 'use1-az1' (MSK) or 'us-east-1a'",
                    )
                )
        if len(set(rack.zone_racks)) != len(rack.zone_racks):
            found.append(
                Problem(
                    "settings.client_rack.zone_racks",
                    rack.zone_racks,
                    "two zones share a rack: their StatefulSets would have the same name",
                    "give each zone its own rack",
                )
            )
    return found


#: Mimir's jsonnet check on a Kafka client ID (ingest-storage.libsonnet @00dc4b65 mimirKafkaClientID).
_CLIENT_ID = re.compile(r"^[A-Za-z0-9._\-=,]{1,255}$")


def client_id_problems(settings: ChartSettings) -> list[Problem]:
    found: list[Problem] = []
    components = kafka_components(settings.ruler_query_path)
    for component, client_id in sorted(settings.component_client_ids.items()):
        where = f"settings.component_client_ids.{component}"
        if component not in components:
            found.append(
                Problem(
                    where,
                    client_id,
                    "is not a chart component that talks to Kafka in this deployment",
                    f"use one of {', '.join(components)}",
                )
            )
        elif not isinstance(client_id, str) or not _CLIENT_ID.match(client_id):
            found.append(
                Problem(
                    where,
                    client_id,
                    "Kafka client IDs for Mimir must be 1-255 characters from [a-zA-Z0-9._-=,] "
                    "(Mimir's jsonnet check)",
                    "use e.g. 'component=ingester'",
                )
            )
    return found


def client_rack_warnings(layout: IngesterLayout, settings: ChartSettings) -> list[Problem]:
    rack = settings.client_rack
    if rack.mode == "off":
        return [
            Problem(
                "settings.client_rack",
                "off",
                "the chart's zone-name client rack is off: ingesters fetch from partition leaders in any "
                "zone (cross-zone traffic), no rack-aware fetching",
                "give the brokers' racks per zone with ClientRack(zone_racks=(...)) to fetch in-zone",
            )
        ]
    if not rack.zone_racks and zone_aware(layout):
        names = ", ".join(zone_names(layout, settings))
        return [
            Problem(
                "settings.client_rack",
                "zone-name",
                f"the chart sends each zone's name ({names}) as -ingest-storage.kafka.client-rack; it never "
                "matches a broker rack (MSK: AZ IDs like use1-az1; Strimzi: the node's zone label), so "
                "rack-aware fetching does not engage",
                "set ClientRack(zone_racks=(...)) to the brokers' racks, or ClientRack.off()",
            )
        ]
    return []


def _component_wiring(
    settings: ChartSettings, secret_env_names: Sequence[str]
) -> tuple[dict[str, Any], list[Problem]]:
    """The env, volumes and sidecar every Kafka component gets (one dict, applied to each component)."""
    found: list[Problem] = []
    wiring: dict[str, Any] = {}
    if settings.env_secret_name and any(n not in settings.env_secret_refs for n in secret_env_names):
        wiring["extraEnvFrom"] = [{"secretRef": {"name": settings.env_secret_name}}]
    if settings.env_secret_refs:
        wiring["env"] = [
            {"name": var, "valueFrom": {"secretKeyRef": {"name": ref.secret_name, "key": ref.key}}}
            for var, ref in sorted(settings.env_secret_refs.items())
        ]
    found += _tls_problems(settings)
    volumes, mounts = _tls_volume(settings) if not found else ([], [])
    if settings.msk_iam_sidecar is not None:
        found += _sidecar_problems(settings.msk_iam_sidecar)
        container, sidecar_volumes, socket_mount = _msk_iam_sidecar(settings.msk_iam_sidecar)
        volumes += sidecar_volumes
        mounts.append(socket_mount)
        wiring["extraContainers"] = [container]
    if volumes:
        wiring["extraVolumes"] = volumes
        wiring["extraVolumeMounts"] = mounts
    return wiring, found


def kafka_secret_names(settings: ChartSettings) -> list[str]:
    """Secrets holding Kafka credentials or TLS keys, referenced by the Kafka components only."""
    names = {ref.secret_name for ref in settings.env_secret_refs.values()}
    names |= {ref.secret_name for ref in settings.tls_files.values()}
    if settings.env_secret_name:
        names.add(settings.env_secret_name)
    return sorted(names)


def values_and_problems(
    structured_config: Mapping[str, Any],
    secret_env_names: Sequence[str],
    layout: IngesterLayout,
    settings: ChartSettings,
    *,
    mimir_version: MimirVersion,
    known_secrets: Sequence[str] = (),
) -> tuple[dict[str, Any], list[Problem]]:
    """The chart values and every problem found building them (the values are only usable without)."""
    found: list[Problem] = []
    unresolved = [
        n for n in secret_env_names if n not in settings.env_secret_refs and not settings.env_secret_name
    ]
    if unresolved:
        found.append(
            Problem(
                "settings.env_secret_name",
                None,
                f"secret variables {unresolved} are referenced by the Mimir config but no Secret provides "
                "them",
                "set env_secret_name or env_secret_refs",
            )
        )
    found += _secret_value_problems(structured_config, "mimir.structuredConfig")
    image_tag = str(mimir_version)
    if settings.image_tag is not None and settings.image_tag != image_tag:
        found.append(
            Problem(
                "settings.image_tag",
                settings.image_tag,
                f"the contract was validated for Mimir {image_tag}, whose image tag is {image_tag!r}",
                "set mimir_version in the contract (stack: mimirVersion)",
            )
        )
    found += object_storage_problems(settings.object_storage)
    found += layout_problems(layout, settings)
    found += client_id_problems(settings)
    found += compat.check_chart_and_mimir(
        settings.chart_version,
        mimir_version,
        layout.zones,
        client_rack_injected=settings.client_rack.mode == "zone-name" and zone_aware(layout),
    )
    if found:
        return {}, found

    components = kafka_components(settings.ruler_query_path)
    shared, component_args = split_kafka_block(structured_config, components)
    config = deep_merge(shared, object_storage_config(settings.object_storage))
    wiring, wiring_problems = _component_wiring(settings, secret_env_names)
    found += wiring_problems

    values: dict[str, Any] = {
        "fullnameOverride": fullname(settings),
        "image": {"repository": settings.image_repository, "tag": image_tag},
        # External Kafka: the chart's demo broker must not run (it is not the architecture switch).
        "kafka": {"enabled": False},
        "minio": {"enabled": settings.object_storage.backend == "minio"},
        "serviceAccount": {
            "create": True,
            "name": settings.service_account_name,
            "annotations": dict(settings.service_account_annotations),
        },
        "mimir": {"structuredConfig": config},
        "ruler": {"remoteEvaluationDedicatedQueryPath": settings.ruler_query_path},
        "ingester": {
            "replicas": layout.zones * layout.per_zone,
            "zoneAwareReplication": {"enabled": zone_aware(layout)},
        },
    }
    zar = values["ingester"]["zoneAwareReplication"]
    if zone_aware(layout):
        zar["zones"] = _zone_entries(layout, settings)
        zar["autoIngestStorageClientRack"] = settings.client_rack.mode == "zone-name"
    elif settings.client_rack.mode == "zone-name" and len(settings.client_rack.zone_racks) == 1:
        # One zone: the chart injects no rack, so the single rack is the ingesters' own flag.
        component_args.setdefault("ingester", {})["ingest-storage.kafka.client-rack"] = (
            settings.client_rack.zone_racks[0]
        )
    for component, client_id in settings.component_client_ids.items():
        component_args.setdefault(component, {})["ingest-storage.kafka.client-id"] = client_id
    for component in components:
        section = values.setdefault(component, {})
        section.update(copy.deepcopy(wiring))
        if component_args.get(component):
            section["extraArgs"] = dict(sorted(component_args[component].items()))

    extra = settings.extra_values
    found += check_extra_args(extra)
    found += check_structured_config(extra)
    found += check_env_and_volumes(extra, secret_env_names, kafka_secret_names(settings))

    def show(path: KeyPath, given: Any) -> str:
        # The error must not carry a secret the user mistakenly typed into the escape hatch.
        text = repr(given)
        if SECRET_KEY_NAME.search(path[-1].split("[")[0]) or _holds_secret(text, known_secrets):
            return "<redacted>"
        return text

    merge_errors: list[ExtraValuesError] = []
    values = merge_extra_values(values, extra, fix_for, _sealed, show, errors=merge_errors)
    # A sealed flag the component also derives is reported once (by the sealed check).
    reported = {p.setting for p in found}
    found += [e.problem for e in merge_errors if e.problem.setting not in reported]
    found += clear_secret_problems(values, known_secrets)
    return values, found


def build_values(
    structured_config: Mapping[str, Any],
    secret_env_names: Sequence[str],
    layout: IngesterLayout,
    settings: ChartSettings,
    *,
    mimir_version: MimirVersion,
    known_secrets: Sequence[str] = (),
) -> dict[str, Any]:
    """The chart values for ``settings`` and the contract's rendered Mimir config.

    ``secret_env_names`` are the ``${VAR}`` names the rendered config references; every one must be
    provided either by ``settings.env_secret_name`` (a Secret with exactly those keys) or by
    ``settings.env_secret_refs`` (keys of existing Secrets), else Mimir would expand it to "".
    ``mimir_version`` is the contract's (the image tag); ``known_secrets`` are the contract's secret
    values that are plain strings, refused anywhere in the final values. Raises :class:`ContractError`
    listing every problem.
    """
    values, found = values_and_problems(
        structured_config,
        secret_env_names,
        layout,
        settings,
        mimir_version=mimir_version,
        known_secrets=known_secrets,
    )
    if found:
        raise ContractError(found)
    return values


def endpoints(settings: ChartSettings) -> dict[str, str]:
    """In-cluster URLs of the chart's gateway (enabled by default since chart 6.0)."""
    base = f"http://{fullname(settings)}-gateway.{settings.namespace}.svc"
    return {
        "remote_write": f"{base}/api/v1/push",
        "prometheus_query": f"{base}/prometheus",
        "alertmanager": f"{base}/alertmanager",
    }
