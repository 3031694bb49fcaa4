"""Helm values of the ``mimir-distributed`` chart, derived from the contract (plain Python, no Pulumi).

Inputs are the contract's rendering (``mimir.structuredConfig``, the names of the ``${VAR}`` secret
variables, the TLS files Mimir reads) plus deployment choices (release, namespace, object storage,
where each secret lives). The output is a plain ``dict`` that never contains a secret value: secrets
reach the pods through ``global.extraEnvFrom`` / ``global.extraEnv`` ``secretKeyRef`` and Secret
volumes, and the config only holds ``${VAR}`` references (the chart runs every Mimir container with
``-config.expand-env=true``; see ``templates/ingester/ingester-statefulset.yaml``).

Chart value keys were checked against ``grafana/mimir`` ``operations/helm/charts/mimir-distributed``
(``global.extraEnv``, ``global.extraEnvFrom``, ``global.extraVolumes``, ``global.extraVolumeMounts``,
``<component>.extraContainers``, ``ingester.zoneAwareReplication``, ``kafka.enabled``).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from mimirkafka.contract.mimir_config import ENV_REF
from mimirkafka.contract.mimir_settings import setting_for_yaml
from mimirkafka.contract.model import IngesterLayout, MimirVersion, SecretValue
from mimirkafka.mimir.extra_values import KeyPath, dotted, merge_extra_values

CHART_NAME = "mimir-distributed"
CHART_REPO = "https://grafana.github.io/helm-charts"
#: mimir-distributed 6.1.0 ships Mimir 3.1.2 (appVersion), the first release that works with Kafka 4.x.
CHART_VERSION = "6.1.0"
IMAGE_REPOSITORY = "grafana/mimir"
#: The credentials sidecar's image, pinned to an exact Python + Alpine release (a moving tag like
#: ``3.12-alpine`` would change the sidecar under a running deployment). The script needs only the
#: standard library. Override with ``MskIamSidecar.image`` (a registry mirror, a digest).
MSK_IAM_SIDECAR_IMAGE = "docker.io/library/python:3.12.12-alpine3.21"
#: Mimir's partition ID is the trailing number of the ingester instance ID (``-([0-9]+)$``).
INSTANCE_ID_PATTERN = re.compile(r"-([0-9]+)$")
#: Components that talk to Kafka: distributors and rulers produce, ingesters consume, query-frontends
#: read the last produced offsets for strong read consistency.
KAFKA_COMPONENTS = ("distributor", "ingester", "ruler", "query_frontend")
ZONE_NAMES = tuple(f"zone-{c}" for c in "abcdefghij")


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
    #: Secret (in ``namespace``) whose keys are exactly the ``${VAR}`` names; mounted with ``extraEnvFrom``.
    env_secret_name: str | None = None
    #: ``${VAR}`` name -> key of an existing Secret (e.g. the Strimzi KafkaUser Secret's ``password``).
    env_secret_refs: Mapping[str, SecretKeyRef] = field(default_factory=dict)
    #: In-pod TLS file path -> where its content comes from (a key of a Secret in ``namespace``).
    tls_files: Mapping[str, SecretKeyRef] = field(default_factory=dict)
    msk_iam_sidecar: MskIamSidecar | None = None
    #: Any other chart value, merged last (the escape hatch): it may add keys and append list entries,
    #: never change a value derived from the contract or from the settings above (see extra_values.py).
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


def zone_names(layout: IngesterLayout) -> list[str]:
    if not 1 <= layout.zones <= len(ZONE_NAMES):
        raise ValueError(f"ingesters.zones={layout.zones}: must be between 1 and {len(ZONE_NAMES)}")
    return list(ZONE_NAMES[: layout.zones])


def zone_aware(layout: IngesterLayout) -> bool:
    """The chart refuses zone awareness with fewer than 3 zones, so 1 or 2 zones run without it."""
    return layout.zones >= 3


def ingester_instance_ids(settings: ChartSettings, layout: IngesterLayout) -> list[str]:
    """Pod names = ingester instance IDs; each ends in ``-<n>``, which Mimir maps to partition ``n``."""
    prefix = f"{fullname(settings)}-ingester"
    if zone_aware(layout):
        return [f"{prefix}-{zone}-{i}" for zone in zone_names(layout) for i in range(layout.per_zone)]
    return [f"{prefix}-{i}" for i in range(layout.zones * layout.per_zone)]


def consumer_group_prefix(settings: ChartSettings) -> str:
    """Ingesters use their instance ID as consumer group, so ACLs/IAM must cover this prefix."""
    return f"{fullname(settings)}-ingester-"


def check_consumer_group_prefix(contract_prefix: str, settings: ChartSettings) -> None:
    """Refuses a contract whose group prefix misses the chart's ingesters: the Kafka side's ACLs (and
    MSK IAM group ARNs) come from the contract, the group names from the release name."""
    want = consumer_group_prefix(settings)
    if contract_prefix != want:
        raise ValueError(
            f"consumer_group_prefix={contract_prefix!r}: the chart's ingesters (release "
            f"{settings.release_name!r}) commit offsets as groups named like {want}zone-a-0, which this "
            f"prefix does not cover, so the Kafka ACLs/IAM would refuse them. Fix: build the contract "
            f"with consumer_group_prefix={want!r}"
        )


def partition_of(instance_id: str) -> int:
    m = INSTANCE_ID_PATTERN.search(instance_id)
    if not m:
        raise ValueError(f"ingester instance ID {instance_id!r} does not end in -<n>; Mimir would not start")
    return int(m.group(1))


def object_storage_config(storage: ObjectStorage) -> dict[str, Any]:
    """The ``blocks_storage``/``ruler_storage``/``alertmanager_storage`` part of Mimir's config."""
    if storage.backend == "s3":
        missing = [
            name
            for name, value in (
                ("region", storage.region),
                ("blocks_bucket", storage.blocks_bucket),
                ("ruler_bucket", storage.ruler_bucket),
                ("alertmanager_bucket", storage.alertmanager_bucket),
            )
            if not value
        ]
        if missing:
            raise ValueError(
                f"object storage s3: {', '.join(missing)} not set; give bucket names and a region"
            )
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
        if not directory or not filename:
            raise ValueError(f"TLS file path {path!r} must be absolute, like /etc/mimir/kafka-tls/ca.crt")
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


def _msk_iam_sidecar(sidecar: MskIamSidecar) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]]:
    """(container, pod volumes, main-container mount) for the credentials sidecar."""
    _, _, name_tag = sidecar.image.rpartition("/")
    tag = name_tag.partition(":")[2]
    if "@" not in sidecar.image and tag in ("", "latest"):
        raise ValueError(
            f"msk_iam_sidecar.image={sidecar.image!r}: a moving image tag; pin an exact tag or digest, "
            f"like {MSK_IAM_SIDECAR_IMAGE!r}"
        )
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


def assert_no_secret_values(tree: Any, path: str = "values") -> None:
    """Refuses a values tree holding a :class:`SecretValue` (a secret would land in the Helm release)."""
    if isinstance(tree, SecretValue):
        raise ValueError(
            f"{path}: a secret value would be written into the Helm values; use a ${{VAR}} reference"
        )
    if isinstance(tree, Mapping):
        for k, v in tree.items():
            assert_no_secret_values(v, f"{path}.{k}")
    elif isinstance(tree, Sequence) and not isinstance(tree, str | bytes):
        for i, v in enumerate(tree):
            assert_no_secret_values(v, f"{path}[{i}]")


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
        "set ingesters.zones in the contract (stack: ingesterZones); 3 or more zones are zone-aware",
    ),
    (
        ("global", "extraEnvFrom"),
        "credentials come from ChartSettings.env_secret_name / env_secret_refs; to add variables append "
        "an entry for another Secret/ConfigMap, or an entry with a new name to global.extraEnv",
    ),
    (
        ("global", "extraEnv"),
        "credentials come from ChartSettings.env_secret_refs; append an env var with a new name",
    ),
    (
        ("global", "extraVolumes"),
        "TLS files come from the contract's tls / ChartSettings.tls_files; append a volume with a new name",
    ),
    (
        ("global", "extraVolumeMounts"),
        "TLS files come from the contract's tls / ChartSettings.tls_files; append a mount at a new mountPath",
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
    *(
        ((*STRUCTURED_CONFIG, section), "set ChartSettings.object_storage")
        for section in ("common", "blocks_storage", "ruler_storage", "alertmanager_storage")
    ),
)


def fix_for(path: KeyPath) -> str:
    """The setting to change instead of the chart value at ``path``."""
    kafka = (*STRUCTURED_CONFIG, "ingest_storage", "kafka")
    if path[: len(kafka)] == kafka and len(path) > len(kafka):
        for prefix, fix in KAFKA_KEY_FIELDS:
            if path[len(kafka)].startswith(prefix):
                return f"set {fix}"
        if path[len(kafka)] in CONTRACT_FIELD_NAMED_KEYS:
            return f"set the contract's {path[len(kafka)]}"
    if len(path) > 1 and path[1] == "extraContainers":
        return "set ChartSettings.msk_iam_sidecar; append other containers with a new name"
    matches = [(prefix, fix) for prefix, fix in FIXES if path[: len(prefix)] == prefix]
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


def assert_no_clear_secrets(values: Mapping[str, Any], known_secrets: Sequence[str] = ()) -> None:
    """Refuses final values holding a secret in clear: a :class:`SecretValue`, one of the contract's
    secret values (``known_secrets``, the ones available as plain strings), or a clear string under a
    secret-looking key of Mimir's config (those must be ``${VAR}`` references)."""
    assert_no_secret_values(values)

    def walk(tree: Any, path: KeyPath) -> None:
        if isinstance(tree, Mapping):
            for k, sub in tree.items():
                walk(sub, (*path, str(k)))
        elif isinstance(tree, Sequence) and not isinstance(tree, str | bytes):
            for i, sub in enumerate(tree):
                walk(sub, (*path[:-1], f"{path[-1]}[{i}]") if path else (f"[{i}]",))
        elif isinstance(tree, str):
            where = f"values.{dotted(path)}"
            if _holds_secret(tree, known_secrets):
                raise ValueError(
                    f"{where}: holds a secret of the contract in clear (Helm values are stored in clear); "
                    "Fix: leave it to the contract, which passes it as a ${VAR} reference from a Secret"
                )
            config_path = path[len(STRUCTURED_CONFIG) :]
            in_config = path[: len(STRUCTURED_CONFIG)] == STRUCTURED_CONFIG
            known = setting_for_yaml(config_path) if in_config else None
            secret_key = in_config and (
                (known is not None and known.secret) or bool(SECRET_KEY_NAME.search(path[-1]))
            )
            if secret_key and tree and not ENV_REF.fullmatch(tree):
                raise ValueError(
                    f"{where}: a secret setting with a value in clear (Helm values are stored in clear); "
                    "Fix: write a ${VAR} reference and provide VAR from a Secret (global.extraEnv "
                    "valueFrom.secretKeyRef), or set it in the contract"
                )

    walk(values, ())


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
    values that are plain strings, refused anywhere in the final values.
    """
    unresolved = [
        n for n in secret_env_names if n not in settings.env_secret_refs and not settings.env_secret_name
    ]
    if unresolved:
        raise ValueError(
            f"secret variables {unresolved} are referenced by the Mimir config but no Secret provides them; "
            "set env_secret_name or env_secret_refs"
        )
    assert_no_secret_values(structured_config, "mimir.structuredConfig")
    image_tag = str(mimir_version)
    if settings.image_tag is not None and settings.image_tag != image_tag:
        raise ValueError(
            f"image_tag={settings.image_tag!r}: the contract was validated for Mimir {image_tag}, whose "
            f"image tag is {image_tag!r}. Fix: set mimir_version in the contract (stack: mimirVersion)"
        )

    config = deep_merge(structured_config, object_storage_config(settings.object_storage))
    replicas = layout.zones * layout.per_zone
    global_values: dict[str, Any] = {}
    if settings.env_secret_name and any(n not in settings.env_secret_refs for n in secret_env_names):
        global_values["extraEnvFrom"] = [{"secretRef": {"name": settings.env_secret_name}}]
    if settings.env_secret_refs:
        global_values["extraEnv"] = [
            {"name": var, "valueFrom": {"secretKeyRef": {"name": ref.secret_name, "key": ref.key}}}
            for var, ref in sorted(settings.env_secret_refs.items())
        ]
    volumes, mounts = _tls_volume(settings)

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
        "ingester": {
            "replicas": replicas,
            "zoneAwareReplication": {"enabled": zone_aware(layout)},
        },
    }
    if zone_aware(layout):
        values["ingester"]["zoneAwareReplication"]["zones"] = [{"name": z} for z in zone_names(layout)]

    if settings.msk_iam_sidecar is not None:
        container, sidecar_volumes, socket_mount = _msk_iam_sidecar(settings.msk_iam_sidecar)
        volumes += sidecar_volumes
        mounts.append(socket_mount)
        for component in KAFKA_COMPONENTS:
            values.setdefault(component, {})["extraContainers"] = [container]
    if volumes:
        global_values["extraVolumes"] = volumes
        global_values["extraVolumeMounts"] = mounts
    if global_values:
        values["global"] = global_values

    def show(path: KeyPath, given: Any) -> str:
        # The error must not carry a secret the user mistakenly typed into the escape hatch.
        text = repr(given)
        if SECRET_KEY_NAME.search(path[-1].split("[")[0]) or _holds_secret(text, known_secrets):
            return "<redacted>"
        return text

    values = merge_extra_values(values, settings.extra_values, fix_for, _sealed, show)
    assert_no_clear_secrets(values, known_secrets)
    return values


def endpoints(settings: ChartSettings) -> dict[str, str]:
    """In-cluster URLs of the chart's gateway (enabled by default since chart 6.0)."""
    base = f"http://{fullname(settings)}-gateway.{settings.namespace}.svc"
    return {
        "remote_write": f"{base}/api/v1/push",
        "prometheus_query": f"{base}/prometheus",
        "alertmanager": f"{base}/alertmanager",
    }
