"""Typed stack configuration: every key of ``Pulumi.yaml``'s ``config:`` schema, parsed into dataclasses.

``KEYS`` is the one table of keys (type, default, description, example). ``Pulumi.yaml``'s schema and
``docs/stacks.md`` are checked against it by tests, and :func:`parse` turns a plain ``dict`` of
non-secret values into a :class:`StackConfig` with defaults applied and every value checked, so a typo
fails before any resource exists. Secret keys (passwords, tokens) are never parsed here: the program
reads them with ``Config.get_secret`` and they stay Pulumi secrets; :func:`parse` only learns which of
them are set (``secrets_set``) to check that what the stack needs is there.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from mimirkafka.contract.model import KafkaFlavor, MimirVersion
from mimirkafka.stack.keys import (  # noqa: F401  (re-exported: the key table is part of this API)
    AUTH_MODES,
    DEFAULT_FLAVOR,
    KAFKA_KINDS,
    KEYS,
    KEYS_BY_NAME,
    OBJECT_STORAGES,
    POD_IDENTITY_MODES,
    SECRET_KEYS,
    ConfigKey,
    pulumi_yaml_schema,
)


class StackConfigError(ValueError):
    """A stack config value is wrong; the message names the key, the value and the fix."""


@dataclass(frozen=True)
class KafkaSettings:
    kind: str
    flavor: KafkaFlavor
    version: str
    bootstrap: tuple[str, ...]
    broker_info_file: str
    broker_listener: str
    auth: str
    username: str
    #: ``kafkaPrincipal`` as set; "" = derived (see :func:`effective_principal`).
    principal: str
    tls: bool
    tls_ca_file: str
    tls_client_cert_file: str
    tls_client_key_file: str
    tls_server_name: str
    tls_insecure_skip_verify: bool
    admin_bootstrap: tuple[str, ...]
    admin_auth: str
    admin_tls: bool
    admin_username: str
    create_user: bool
    create_acls: bool
    preflight: bool
    namespace: str
    cluster_name: str
    brokers: int
    volume_size_gib: int
    msk_instance_type: str
    msk_vpc_id: str
    msk_subnet_ids: tuple[str, ...]
    msk_security_group_ids: tuple[str, ...]


@dataclass(frozen=True)
class TopicConfig:
    name: str
    partitions: int
    replication_factor: int
    min_insync_replicas: int
    retention_ms: int
    protect: bool
    auto_create: bool
    producer_max_record_size_bytes: int


@dataclass(frozen=True)
class MimirSettings:
    version: MimirVersion
    chart_version: str
    namespace: str
    release_name: str
    service_account: str
    ingester_zones: int
    ingesters_per_zone: int
    object_storage: str
    s3_create_buckets: bool
    s3_bucket_prefix: str
    s3_buckets: tuple[str, str, str]
    aws_region: str
    pod_identity: str
    eks_cluster_name: str
    eks_oidc_provider_arn: str
    eks_oidc_issuer_url: str
    msk_iam_socket_path: str
    extra_values: dict[str, Any]


@dataclass(frozen=True)
class StackConfig:
    kafka: KafkaSettings
    topic: TopicConfig
    mimir: MimirSettings
    render_only: bool
    render_dir: str
    kube_context: str
    secrets_set: frozenset[str] = field(default_factory=frozenset)


def _coerce(key: ConfigKey, raw: Any) -> Any:
    """Pulumi config values arrive as strings (or JSON for arrays); plain Python values pass through."""
    if key.type == "string":
        if not isinstance(raw, str):
            raise StackConfigError(f"{key.name}={raw!r}: must be a string; e.g. {key.example}")
        return raw
    if key.type == "boolean":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.lower() in ("true", "false"):
            return raw.lower() == "true"
        raise StackConfigError(f"{key.name}={raw!r}: must be true or false")
    if key.type == "integer":
        if isinstance(raw, bool):
            raise StackConfigError(f"{key.name}={raw!r}: must be an integer; e.g. {key.example}")
        try:
            return int(raw)
        except (TypeError, ValueError):
            raise StackConfigError(f"{key.name}={raw!r}: must be an integer; e.g. {key.example}") from None
    value = json.loads(raw) if isinstance(raw, str) else raw
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise StackConfigError(f"{key.name}={raw!r}: must be a list of strings; e.g. {key.example}")
    return tuple(value)


def _choice(name: str, value: str, choices: Collection[str]) -> str:
    if value not in choices:
        raise StackConfigError(
            f"{name}={value!r}: not one of {', '.join(choices)}; set {name} to one of them"
        )
    return value


def _addresses(name: str, text: str) -> tuple[str, ...]:
    return tuple(a.strip() for a in text.split(",") if a.strip())


def values_with_defaults(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Every non-secret key with its value (coerced) or default; unknown keys are refused."""
    unknown = sorted(set(raw) - set(KEYS_BY_NAME))
    if unknown:
        raise StackConfigError(
            f"unknown config key(s) {unknown}; the keys are declared in Pulumi.yaml (see docs/stacks.md)"
        )
    out: dict[str, Any] = {}
    for key in KEYS:
        if key.secret:
            # Secrets never pass through here (the program reads them as Pulumi secrets); an empty
            # string is the schema default the CLI merges in and means "not set".
            if raw.get(key.name, "") != "":
                raise StackConfigError(
                    f"{key.name}: is a secret; set it with `pulumi config set --secret {key.name}`"
                )
            continue
        out[key.name] = _coerce(key, raw[key.name]) if key.name in raw else key.default
    return out


#: Mechanisms whose username is the Kafka principal (``User:<username>``).
USERNAME_AUTH = ("plain", "scram-sha-256", "scram-sha-512")
_PRINCIPAL = re.compile(r"^User:\S.*$")


def effective_principal(k: KafkaSettings) -> str:
    """Mimir's principal as the ACLs name it: ``kafkaPrincipal``, else ``User:<username>`` for
    PLAIN/SCRAM, else "" (unknown, or IAM)."""
    if k.principal:
        return k.principal
    return f"User:{k.username}" if k.auth in USERNAME_AUTH else ""


def _check_principal(v: Mapping[str, Any], kind: str, auth: str) -> None:
    principal = v["kafkaPrincipal"]
    if principal and not _PRINCIPAL.match(principal):
        raise StackConfigError(
            f"kafkaPrincipal={principal!r}: Kafka principals are written 'User:<name>'; "
            f"set kafkaPrincipal to 'User:{principal}'"
        )
    if principal and kind != "existing":
        # The other kinds create Mimir's identity themselves (SCRAM user, IAM role), so they know it.
        raise StackConfigError(
            f"kafkaPrincipal={principal!r}: only with kafkaKind=existing (kafkaKind={kind} creates "
            "Mimir's user and derives its principal); unset kafkaPrincipal"
        )
    if principal or not v["kafkaCreateAcls"] or kind != "existing":
        return
    if auth == "oauthbearer":
        raise StackConfigError(
            "kafkaPrincipal='': with kafkaAuth=oauthbearer Mimir's principal is the token's subject, "
            "which the stack cannot read; set kafkaPrincipal to 'User:<sub of the token>' "
            "(or kafkaCreateAcls=false)"
        )
    if auth == "none" and v["kafkaTlsClientCertFile"]:
        raise StackConfigError(
            "kafkaPrincipal='': with mTLS Mimir's principal is its certificate's subject as the broker "
            "maps it; set kafkaPrincipal, e.g. 'User:CN=mimir' (or kafkaCreateAcls=false)"
        )


def parse(raw: Mapping[str, Any], secrets_set: Collection[str] = ()) -> StackConfig:
    """Parses the non-secret stack config (``{"kafkaKind": "msk", ...}``) into a :class:`StackConfig`."""
    v = values_with_defaults(raw)
    kind = _choice("kafkaKind", v["kafkaKind"], KAFKA_KINDS)
    try:
        flavor = KafkaFlavor(v["kafkaFlavor"]) if v["kafkaFlavor"] else DEFAULT_FLAVOR[kind]
    except ValueError:
        raise StackConfigError(
            f"kafkaFlavor={v['kafkaFlavor']!r}: unknown; use one of {[f.value for f in KafkaFlavor]}"
        ) from None
    auth = _choice("kafkaAuth", v["kafkaAuth"], AUTH_MODES)
    admin_auth = _choice("kafkaAdminAuth", v["kafkaAdminAuth"] or auth, AUTH_MODES)
    bootstrap = _addresses("kafkaBootstrap", v["kafkaBootstrap"])
    if kind == "existing" and not bootstrap and not v["kafkaBrokerInfoFile"]:
        raise StackConfigError(
            "kafkaBootstrap='': an existing Kafka needs its address; "
            "set kafkaBootstrap to host:port[,host:port]"
        )
    if kind.startswith("msk"):
        if not v["awsRegion"]:
            raise StackConfigError(f"awsRegion='': required with kafkaKind={kind}; set it, e.g. eu-west-1")
        if not v["mskVpcId"]:
            raise StackConfigError(
                f"mskVpcId='': required with kafkaKind={kind}; give the VPC of the brokers"
            )
        if not v["mskSubnetIds"]:
            raise StackConfigError(
                f"mskSubnetIds=[]: required with kafkaKind={kind}; give 2-3 subnets in distinct AZs"
            )
    if kind == "msk-serverless" and auth != "msk-iam":
        raise StackConfigError(f"kafkaAuth={auth!r}: MSK Serverless only supports IAM; set kafkaAuth=msk-iam")
    storage = _choice("objectStorage", v["objectStorage"], OBJECT_STORAGES)
    buckets = (v["s3BlocksBucket"], v["s3RulerBucket"], v["s3AlertmanagerBucket"])
    if storage == "s3":
        if not v["awsRegion"]:
            raise StackConfigError("awsRegion='': required with objectStorage=s3; set it, e.g. eu-west-1")
        if not v["s3CreateBuckets"] and not all(buckets):
            raise StackConfigError(
                "s3BlocksBucket/s3RulerBucket/s3AlertmanagerBucket: all three are required when "
                "s3CreateBuckets=false; name the existing buckets"
            )
    pod_identity = _choice("podIdentity", v["podIdentity"], POD_IDENTITY_MODES)
    if pod_identity == "irsa" and not (v["eksOidcProviderArn"] and v["eksOidcIssuerUrl"]):
        raise StackConfigError(
            "eksOidcProviderArn/eksOidcIssuerUrl: required with podIdentity=irsa; "
            "take them from the EKS cluster"
        )
    if pod_identity == "pod-identity" and not v["eksClusterName"]:
        raise StackConfigError(
            "eksClusterName='': required with podIdentity=pod-identity; name the EKS cluster"
        )
    if auth == "msk-iam" and pod_identity == "none":
        raise StackConfigError(
            "podIdentity='none': kafkaAuth=msk-iam needs pod credentials; "
            "set podIdentity=irsa or pod-identity"
        )
    if (storage == "s3" or auth == "msk-iam") and v["renderOnly"] is False and pod_identity == "none":
        raise StackConfigError(
            "podIdentity='none': S3 needs the pods' IAM role; set podIdentity=irsa or pod-identity"
        )
    if auth == "oauthbearer" and "kafkaOauthToken" not in secrets_set:
        raise StackConfigError("kafkaOauthToken: required with kafkaAuth=oauthbearer; set it with --secret")
    _check_principal(v, kind, auth)
    if v["kafkaPreflight"] and kind != "existing":
        raise StackConfigError(
            f"kafkaPreflight=true: only with kafkaKind=existing (the brokers of kafkaKind={kind} are "
            "usually not reachable from where Pulumi runs); set kafkaPreflight=false and run "
            "`mimirkafka doctor` next to Mimir instead"
        )
    try:
        mimir_version = MimirVersion.parse(v["mimirVersion"])
    except ValueError:
        raise StackConfigError(
            f"mimirVersion={v['mimirVersion']!r}: not a Mimir release number; set it like '3.1.2'"
        ) from None
    try:
        extra = yaml.safe_load(v["mimirExtraValues"]) if v["mimirExtraValues"] else {}
    except yaml.YAMLError as e:
        raise StackConfigError(f"mimirExtraValues: not valid YAML ({e}); give a YAML mapping") from None
    if not isinstance(extra, dict):
        raise StackConfigError(f"mimirExtraValues={v['mimirExtraValues']!r}: must be a YAML mapping")
    if kind == "strimzi" and v["kafkaNamespace"] != v["mimirNamespace"]:
        raise StackConfigError(
            f"kafkaNamespace={v['kafkaNamespace']!r}: with Strimzi, Mimir reads the operator-generated "
            "user and CA Secrets, which live in the Kafka namespace; "
            "set kafkaNamespace and mimirNamespace to the same value"
        )
    for name in (
        "kafkaBrokers",
        "topicPartitions",
        "topicReplicationFactor",
        "ingesterZones",
        "ingestersPerZone",
    ):
        if v[name] < 1:
            raise StackConfigError(f"{name}={v[name]}: must be at least 1")

    kafka = KafkaSettings(
        kind=kind,
        flavor=flavor,
        version=v["kafkaVersion"],
        bootstrap=bootstrap,
        broker_info_file=v["kafkaBrokerInfoFile"],
        broker_listener=v["kafkaBrokerListener"],
        auth=auth,
        username=v["kafkaUsername"],
        principal=v["kafkaPrincipal"],
        tls=v["kafkaTls"] or kind.startswith("msk"),
        tls_ca_file=v["kafkaTlsCaFile"],
        tls_client_cert_file=v["kafkaTlsClientCertFile"],
        tls_client_key_file=v["kafkaTlsClientKeyFile"],
        tls_server_name=v["kafkaTlsServerName"],
        tls_insecure_skip_verify=v["kafkaTlsInsecureSkipVerify"],
        admin_bootstrap=_addresses("kafkaAdminBootstrap", v["kafkaAdminBootstrap"]) or bootstrap,
        admin_auth=admin_auth,
        admin_tls=v["kafkaAdminTls"],
        admin_username=v["kafkaAdminUsername"],
        create_user=v["kafkaCreateUser"],
        create_acls=v["kafkaCreateAcls"],
        preflight=v["kafkaPreflight"],
        namespace=v["kafkaNamespace"],
        cluster_name=v["kafkaClusterName"],
        brokers=v["kafkaBrokers"],
        volume_size_gib=v["kafkaVolumeSizeGib"],
        msk_instance_type=v["mskInstanceType"],
        msk_vpc_id=v["mskVpcId"],
        msk_subnet_ids=v["mskSubnetIds"],
        msk_security_group_ids=v["mskSecurityGroupIds"],
    )
    topic = TopicConfig(
        name=v["topicName"],
        partitions=v["topicPartitions"],
        replication_factor=v["topicReplicationFactor"],
        min_insync_replicas=v["topicMinInsyncReplicas"],
        retention_ms=v["topicRetentionMs"],
        protect=v["topicProtect"],
        auto_create=v["autoCreateTopic"],
        producer_max_record_size_bytes=v["producerMaxRecordSizeBytes"],
    )
    mimir = MimirSettings(
        version=mimir_version,
        chart_version=v["mimirChartVersion"],
        namespace=v["mimirNamespace"],
        release_name=v["mimirReleaseName"],
        service_account=v["mimirServiceAccount"],
        ingester_zones=v["ingesterZones"],
        ingesters_per_zone=v["ingestersPerZone"],
        object_storage=storage,
        s3_create_buckets=v["s3CreateBuckets"],
        s3_bucket_prefix=v["s3BucketPrefix"],
        s3_buckets=buckets,
        aws_region=v["awsRegion"],
        pod_identity=pod_identity,
        eks_cluster_name=v["eksClusterName"],
        eks_oidc_provider_arn=v["eksOidcProviderArn"],
        eks_oidc_issuer_url=v["eksOidcIssuerUrl"],
        msk_iam_socket_path=v["mskIamSocketPath"],
        extra_values=extra,
    )
    return StackConfig(
        kafka=kafka,
        topic=topic,
        mimir=mimir,
        render_only=v["renderOnly"],
        render_dir=v["renderDir"],
        kube_context=v["kubeContext"],
        secrets_set=frozenset(secrets_set),
    )
