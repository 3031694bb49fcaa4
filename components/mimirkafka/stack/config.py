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
from typing import Any, Literal

import yaml

from mimirkafka.contract.model import KafkaFlavor, MimirVersion

KeyType = Literal["string", "integer", "boolean", "array"]


@dataclass(frozen=True)
class ConfigKey:
    name: str
    type: KeyType
    default: Any
    description: str
    example: str
    secret: bool = False


def _k(
    name: str, type_: KeyType, default: Any, description: str, example: str, secret: bool = False
) -> ConfigKey:
    return ConfigKey(name, type_, default, description, example, secret)


KAFKA_KINDS = ("existing", "kraft", "strimzi", "msk", "msk-serverless")
AUTH_MODES = ("none", "plain", "scram-sha-256", "scram-sha-512", "oauthbearer", "msk-iam")
OBJECT_STORAGES = ("s3", "minio", "filesystem")
POD_IDENTITY_MODES = ("none", "irsa", "pod-identity")
#: The flavor a kind implies when ``kafkaFlavor`` is empty.
DEFAULT_FLAVOR = {
    "existing": KafkaFlavor.APACHE,
    "kraft": KafkaFlavor.APACHE,
    "strimzi": KafkaFlavor.STRIMZI,
    "msk": KafkaFlavor.MSK_PROVISIONED,
    "msk-serverless": KafkaFlavor.MSK_SERVERLESS,
}

KEYS: tuple[ConfigKey, ...] = (
    # --- Kafka: which cluster and how Mimir reaches it ----------------------------------------------
    _k("kafkaKind", "string", "existing", f"Which Kafka to use: one of {', '.join(KAFKA_KINDS)}.", "msk"),
    _k(
        "kafkaFlavor",
        "string",
        "",
        "Kafka implementation (contract flavor); empty = implied by kafkaKind "
        f"({', '.join(f.value for f in KafkaFlavor)}).",
        "confluent",
    ),
    _k("kafkaVersion", "string", "4.1", "Major.minor of the brokers; Kafka 4.x needs Mimir >= 3.1.2.", "3.8"),
    _k(
        "kafkaBootstrap",
        "string",
        "",
        "existing: the comma-separated host:port list Mimir connects to.",
        "pkc-abc.eu-west-1.aws.confluent.cloud:9092",
    ),
    _k(
        "kafkaBrokerInfoFile",
        "string",
        "",
        "existing: read kafkaBootstrap, the admin connection and the CA "
        "from a broker-info JSON written by testbed.devbroker (the local stack's broker).",
        ".local/broker.json",
    ),
    _k(
        "kafkaBrokerListener",
        "string",
        "sasl_ssl",
        "With kafkaBrokerInfoFile: the listener Mimir uses.",
        "scram_sha_512",
    ),
    _k(
        "kafkaAuth",
        "string",
        "scram-sha-512",
        f"How Mimir authenticates: one of {', '.join(AUTH_MODES)}.",
        "msk-iam",
    ),
    _k("kafkaUsername", "string", "mimir", "SASL username of Mimir (PLAIN/SCRAM).", "mimir-prod"),
    _k(
        "kafkaPassword",
        "string",
        "",
        "Mimir's SASL password; unset = generated (random) and kept as a Pulumi secret.",
        "pulumi config set --secret kafkaPassword ...",
        secret=True,
    ),
    _k(
        "kafkaOauthToken",
        "string",
        "",
        "OAUTHBEARER static token for Mimir.",
        "pulumi config set --secret kafkaOauthToken ...",
        secret=True,
    ),
    _k(
        "kafkaPrincipal",
        "string",
        "",
        "existing: Mimir's Kafka principal, for its ACLs; empty = User:<kafkaUsername> with PLAIN/SCRAM. "
        "Required with OAUTHBEARER (User:<the token's sub>) and mTLS (the client certificate's subject "
        "as the broker's principal mapping names it).",
        "User:CN=mimir",
    ),
    _k("kafkaTls", "boolean", False, "TLS between Mimir and Kafka (forced on for MSK).", "true"),
    _k(
        "kafkaTlsCaFile",
        "string",
        "",
        "PEM file of the CA Mimir trusts; empty = system trust store.",
        "certs/kafka-ca.pem",
    ),
    _k("kafkaTlsClientCertFile", "string", "", "PEM client certificate for mTLS.", "certs/mimir.crt"),
    _k(
        "kafkaTlsClientKeyFile",
        "string",
        "",
        "PEM client key for mTLS (read as a secret).",
        "certs/mimir.key",
    ),
    _k(
        "kafkaTlsServerName",
        "string",
        "",
        "TLS server name to verify, if it differs from the address.",
        "kafka.internal",
    ),
    _k(
        "kafkaTlsInsecureSkipVerify",
        "boolean",
        False,
        "Skip certificate verification (never in prod).",
        "false",
    ),
    _k(
        "kafkaAdminBootstrap",
        "string",
        "",
        "existing: where Pulumi connects as admin; empty = kafkaBootstrap.",
        "localhost:9093",
    ),
    _k("kafkaAdminAuth", "string", "", "existing: admin mechanism; empty = kafkaAuth.", "plain"),
    _k("kafkaAdminTls", "boolean", False, "existing: TLS for the admin connection.", "true"),
    _k("kafkaAdminUsername", "string", "admin", "existing: admin SASL username.", "ops-admin"),
    _k(
        "kafkaAdminPassword",
        "string",
        "",
        "existing: admin SASL password.",
        "pulumi config set --secret kafkaAdminPassword ...",
        secret=True,
    ),
    _k("kafkaCreateUser", "boolean", True, "Create Mimir's SCRAM user on the Kafka side.", "false"),
    _k(
        "kafkaCreateAcls",
        "boolean",
        True,
        "Create Mimir's least-privilege ACLs (needs an authorizer).",
        "false",
    ),
    _k(
        "kafkaPreflight",
        "boolean",
        False,
        "existing: once the topic, user and ACLs exist, run the doctor's checks as Mimir (reach, TLS, "
        "authenticate, partitions, a 16 MB batch, produce/fetch/commit rights) and fail the update with "
        "every failed check and its fix. Needs the brokers reachable from where Pulumi runs.",
        "true",
    ),
    _k(
        "kafkaNamespace",
        "string",
        "kafka",
        "kraft/strimzi: Kubernetes namespace of the Kafka cluster.",
        "mimir",
    ),
    _k(
        "kafkaClusterName",
        "string",
        "mimir-kafka",
        "Name of the Kafka cluster (MSK, Strimzi, StatefulSet).",
        "mimir-prod",
    ),
    _k("kafkaBrokers", "integer", 3, "Number of brokers (kraft/strimzi/msk).", "6"),
    _k("kafkaVolumeSizeGib", "integer", 100, "Storage per broker in GiB (MSK EBS or PVC size).", "500"),
    _k("mskInstanceType", "string", "kafka.m7g.large", "msk: broker instance type.", "express.m7g.large"),
    _k(
        "mskSubnetIds",
        "array",
        [],
        "msk/msk-serverless: client subnets (distinct AZs).",
        '["subnet-a", "subnet-b", "subnet-c"]',
    ),
    _k("mskVpcId", "string", "", "msk/msk-serverless: VPC of the brokers.", "vpc-0abc"),
    _k(
        "mskSecurityGroupIds",
        "array",
        [],
        "msk/msk-serverless: security groups of Mimir's nodes, allowed to reach the brokers.",
        '["sg-123"]',
    ),
    # --- the ingest topic --------------------------------------------------------------------------
    _k("topicName", "string", "mimir-ingest", "The ingest topic.", "mimir-ingest-prod"),
    _k("topicPartitions", "integer", 16, "Partitions; must cover ingestersPerZone (size for growth).", "64"),
    _k("topicReplicationFactor", "integer", 3, "Replication factor of the topic.", "1"),
    _k("topicMinInsyncReplicas", "integer", 2, "min.insync.replicas of the topic.", "1"),
    _k("topicRetentionMs", "integer", 86_400_000, "retention.ms of the topic.", "172800000"),
    _k("topicProtect", "boolean", True, "Protect the topic from deletion by Pulumi.", "false"),
    _k(
        "autoCreateTopic",
        "boolean",
        False,
        "Let Mimir create the topic (the package creates it anyway).",
        "true",
    ),
    _k(
        "producerMaxRecordSizeBytes",
        "integer",
        15_983_616,
        "Mimir's producer_max_record_size_bytes.",
        "8372224",
    ),
    # --- Mimir ----------------------------------------------------------------------------------------
    _k("mimirVersion", "string", "3.1.2", "Mimir release (image tag); >= 3.1.2 with Kafka 4.x.", "3.1.2"),
    _k(
        "mimirChartVersion",
        "string",
        "6.1.0",
        "mimir-distributed chart version (6.1.0 ships Mimir 3.1.2).",
        "6.1.0",
    ),
    _k("mimirNamespace", "string", "mimir", "Kubernetes namespace of Mimir.", "observability"),
    _k("mimirReleaseName", "string", "mimir", "Helm release name (also the resource-name prefix).", "mimir"),
    _k(
        "mimirServiceAccount",
        "string",
        "mimir",
        "Service account of Mimir's pods (IRSA/Pod Identity).",
        "mimir",
    ),
    _k("ingesterZones", "integer", 3, "Ingester zones (3 = zone-aware; 1 = no zone awareness).", "1"),
    _k("ingestersPerZone", "integer", 1, "Ingesters per zone; each consumes one partition.", "4"),
    _k(
        "objectStorage",
        "string",
        "minio",
        f"Mimir's object storage: one of {', '.join(OBJECT_STORAGES)}.",
        "s3",
    ),
    _k("s3CreateBuckets", "boolean", True, "s3: create encrypted, versioned, private buckets.", "false"),
    _k(
        "s3BucketPrefix",
        "string",
        "",
        "s3: prefix of created bucket names; empty = <project>-<stack>.",
        "acme-mimir-prod",
    ),
    _k(
        "s3BlocksBucket",
        "string",
        "",
        "s3 without s3CreateBuckets: existing blocks bucket.",
        "acme-mimir-blocks",
    ),
    _k(
        "s3RulerBucket",
        "string",
        "",
        "s3 without s3CreateBuckets: existing ruler bucket.",
        "acme-mimir-ruler",
    ),
    _k(
        "s3AlertmanagerBucket",
        "string",
        "",
        "s3 without s3CreateBuckets: existing alertmanager bucket.",
        "acme-mimir-alertmanager",
    ),
    _k("awsRegion", "string", "", "AWS region of MSK, S3 and IAM (required for msk/s3).", "eu-west-1"),
    _k(
        "podIdentity",
        "string",
        "none",
        f"How pods get AWS credentials: one of {', '.join(POD_IDENTITY_MODES)}.",
        "irsa",
    ),
    _k("eksClusterName", "string", "", "pod-identity: EKS cluster of the association.", "prod-eks"),
    _k(
        "eksOidcProviderArn",
        "string",
        "",
        "irsa: ARN of the cluster's IAM OIDC provider.",
        "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC",
    ),
    _k(
        "eksOidcIssuerUrl",
        "string",
        "",
        "irsa: the cluster's OIDC issuer URL.",
        "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC",
    ),
    _k(
        "mskIamSocketPath",
        "string",
        "/var/run/msk-iam/credentials.sock",
        "msk-iam: unix socket the credentials sidecar serves to Mimir.",
        "/var/run/msk-iam/creds.sock",
    ),
    _k(
        "mimirExtraValues",
        "string",
        "",
        "Any other chart values (YAML mapping), deep-merged last.",
        "'{querier: {replicas: 3}}'",
    ),
    # --- where the Kubernetes side goes -----------------------------------------------------------------
    _k(
        "renderOnly",
        "boolean",
        False,
        "Write Kubernetes manifests and the Helm values to files instead of "
        "applying them (no cluster needed).",
        "true",
    ),
    _k(
        "renderDir",
        "string",
        "rendered",
        "render: output directory (relative to the project), one sub-directory per stack.",
        "out",
    ),
    _k("kubeContext", "string", "", "kubeconfig context to deploy to; empty = current context.", "kind-dev"),
)
KEYS_BY_NAME = {k.name: k for k in KEYS}
SECRET_KEYS = tuple(k.name for k in KEYS if k.secret)


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


def pulumi_yaml_schema() -> dict[str, Any]:
    """The ``config:`` block of ``Pulumi.yaml`` for :data:`KEYS` (checked by a unit test)."""
    out: dict[str, Any] = {}
    for k in KEYS:
        entry: dict[str, Any] = {"type": k.type, "description": k.description}
        if k.type == "array":
            entry["items"] = {"type": "string"}
        # Secret keys are optional, but the CLI treats a key without a default as required and refuses a
        # plain default for a ``secret: true`` key; so they are declared as strings with default "" (=
        # not set) and the program refuses a value that was not set with ``--secret``.
        entry["default"] = list(k.default) if k.type == "array" else k.default
        out[k.name] = entry
    return out
