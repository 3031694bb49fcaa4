"""Typed stack configuration: every key of ``Pulumi.yaml``'s ``config:`` schema, parsed into dataclasses.

``KEYS`` is the one table of keys (type, default, description, example). ``Pulumi.yaml``'s schema and
``docs/stacks.md`` are checked against it by tests, and :func:`parse` turns a plain ``dict`` of
non-secret values into a :class:`StackConfig` with defaults applied and every value checked, so a typo
fails before any resource exists. Secret keys (passwords, tokens) are never parsed here: the program
reads them with ``Config.get_secret`` and they stay Pulumi secrets; :func:`parse` only learns which of
them are set (``secrets_set``) to check that what the stack needs is there.
"""

from __future__ import annotations

import datetime
import difflib
import json
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from mimirkafka.contract.errors import ContractError, Problem
from mimirkafka.contract.model import KafkaFlavor, MimirVersion
from mimirkafka.stack.keys import (  # noqa: F401  (re-exported: the key table is part of this API)
    ACL_ENFORCEMENTS,
    ADMIN_AUTH_MODES,
    AUTH_MODES,
    CLIENT_RACK_MODES,
    CONSUMER_KEYS,
    DEFAULT_FLAVOR,
    KAFKA_KINDS,
    KEYS,
    KEYS_BY_NAME,
    OBJECT_STORAGES,
    POD_IDENTITY_MODES,
    SECRET_KEYS,
    TOPIC_ROUTES,
    ConfigKey,
    pulumi_yaml_schema,
)


def show_value(value: Any) -> str:
    """A value as a stack file spells it: ``true``, ``16``, ``'mimir'``, ``["a", "b"]``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return json.dumps(list(value))
    return repr(value)


@dataclass(frozen=True)
class KeyProblem(Problem):
    """A problem on the stack path: ``setting`` is a stack key, the value is shown as the file spells it."""

    def __str__(self) -> str:
        return f"{self.setting}={show_value(self.value)}: {self.message}. Fix: {self.fix}"


class StackConfigError(ContractError):
    """The stack's config has problems; each :class:`Problem` names the stack key, the value and a fix
    that key can apply. Same base as the Python API's errors (:class:`ContractError`)."""

    def __init__(self, problems: Iterable[Problem], stack: str | None = None) -> None:
        self.problems = list(problems)
        self.stack = stack
        where = f"stack {stack!r}" if stack else "the stack config"
        lines = [f"{where} has {len(self.problems)} problem(s):"]
        lines += [f"  - {p}" for p in self.problems]
        ValueError.__init__(self, "\n".join(lines))


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
    msk_topic_route: str = ""
    msk_acl_enforcement: str = "off"
    msk_extra_auth: tuple[str, ...] = ()
    msk_admin_job_namespace: str = ""
    msk_admin_job_service_account: str = ""
    msk_autoscaling_max_gib: int = 0
    msk_autoscaling_target_percent: int = 60
    msk_throughput_mibps: int = 0
    #: ``kafkaVolumeSizeGib`` was set in the stack (Express refuses it instead of ignoring it).
    volume_size_set: bool = False


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
    ruler_query_path: bool = True
    client_rack: str = "zone-name"
    zone_racks: tuple[str, ...] = ()
    #: ``ConsumerTuning`` field -> value, as set (the contract checks Mimir's bounds).
    consumer: dict[str, Any] = field(default_factory=dict)
    delete_inactive_partition_after: str = "13h"


@dataclass(frozen=True)
class StackConfig:
    kafka: KafkaSettings
    topic: TopicConfig
    mimir: MimirSettings
    render_only: bool
    render_dir: str
    kube_context: str
    kubeconfig: str = ""
    mimir_render_only: bool = False
    strimzi_install_operator: bool = True
    secrets_set: frozenset[str] = field(default_factory=frozenset)
    #: Every non-secret key's value as set (coerced) or its default: what messages show a key's value as.
    values: Mapping[str, Any] = field(default_factory=dict)
    #: ``expiresAt`` as an aware UTC datetime, or ``None``.
    expires_at: datetime.datetime | None = None


def _coerce(key: ConfigKey, raw: Any) -> Any:
    """Pulumi config values arrive as strings (or JSON for arrays); plain Python values pass through.

    Raises :class:`_BadValue` (message, fix) when ``raw`` is not of the key's type."""
    if key.type == "string":
        if not isinstance(raw, str):
            raise _BadValue("must be a string", f"set {key.name} to a string, e.g. {key.example}")
        return raw
    if key.type == "boolean":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.lower() in ("true", "false"):
            return raw.lower() == "true"
        raise _BadValue("must be true or false", f"set {key.name} to true or false")
    if key.type == "integer":
        if isinstance(raw, bool):
            raise _BadValue("must be an integer", f"set {key.name} to a whole number, e.g. {key.example}")
        try:
            return int(raw)
        except (TypeError, ValueError):
            raise _BadValue(
                "must be an integer", f"set {key.name} to a whole number, e.g. {key.example}"
            ) from None
    try:
        value = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError:
        value = None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _BadValue(
            "must be a list of strings", f"set {key.name} to a YAML/JSON list of strings, e.g. {key.example}"
        )
    return tuple(value)


def _addresses(name: str, text: str) -> tuple[str, ...]:
    return tuple(a.strip() for a in text.split(",") if a.strip())


class _BadValue(Exception):
    def __init__(self, message: str, fix: str) -> None:
        super().__init__(message)
        self.message, self.fix = message, fix


class _Problems:
    """Collects every problem of a stack config (the parse never stops at the first one)."""

    def __init__(self) -> None:
        self.found: list[Problem] = []

    def add(self, key: str, value: Any, message: str, fix: str) -> None:
        self.found.append(KeyProblem(key, value, message, fix))

    def choice(self, key: str, value: str, choices: Collection[str], fallback: str) -> str:
        if value in choices:
            return value
        close = difflib.get_close_matches(value, list(choices), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        self.add(key, value, f"not one of {', '.join(choices)}{hint}", f"set {key} to one of them")
        return fallback


#: Kubernetes object names and namespaces: RFC 1123 labels (apimachinery validation.IsDNS1123Label,
#: k8s.io/apimachinery pkg/util/validation/validation.go: ``[a-z0-9]([-a-z0-9]*[a-z0-9])?``, <= 63).
_DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
#: Helm release names: lower-case RFC 1123 subdomain of at most 53 characters (helm/helm v3
#: pkg/chartutil/validate_name.go, ``errInvalidName``/``maxReleaseNameLen = 53``).
_HELM_RELEASE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
#: EBS-backed MSK broker storage per broker: 1 to 16384 GiB (AWS MSK API
#: ``BrokerEBSVolumeInfo.VolumeSizeGB``, https://docs.aws.amazon.com/msk/1.0/apireference/clusters.html).
MSK_VOLUME_GIB = (1, 16384)


def _k8s_name(p: _Problems, key: str, value: str, what: str) -> None:
    if len(value) > 63 or not _DNS1123_LABEL.match(value):
        fixed = re.sub(r"[^a-z0-9-]+", "-", value.lower()).strip("-")[:63] or "mimir"
        p.add(
            key,
            value,
            f"not a valid Kubernetes {what}: lower-case letters, digits and '-', starting and ending "
            "with a letter or digit, at most 63 characters",
            f"set {key} to e.g. {fixed!r}",
        )


def unknown_keys(raw: Mapping[str, Any]) -> list[Problem]:
    """A problem per key the project does not declare, with the closest declared key."""
    found: list[Problem] = []
    for name in sorted(set(raw) - set(KEYS_BY_NAME)):
        close = difflib.get_close_matches(name, list(KEYS_BY_NAME), n=1, cutoff=0.6)
        fix = (
            f"did you mean {close[0]}? rename the key to {close[0]}"
            if close
            else "remove it; the keys are listed in docs/stacks.md"
        )
        found.append(KeyProblem(name, raw[name], "not a config key of this project", fix))
    return found


def _values(raw: Mapping[str, Any], p: _Problems) -> dict[str, Any]:
    p.found.extend(unknown_keys(raw))
    out: dict[str, Any] = {}
    for key in KEYS:
        if key.secret:
            # Secrets never pass through here (the program reads them as Pulumi secrets); an empty
            # string is the schema default the CLI merges in and means "not set".
            if raw.get(key.name, "") != "":
                p.add(
                    key.name,
                    "***",
                    "is a secret and was given in clear",
                    f"set it with `pulumi config set --secret {key.name} ...`",
                )
            continue
        if key.name not in raw:
            out[key.name] = key.default
            continue
        try:
            out[key.name] = _coerce(key, raw[key.name])
        except _BadValue as bad:
            p.add(key.name, raw[key.name], bad.message, bad.fix)
            out[key.name] = key.default
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


def _check_principal(p: _Problems, v: Mapping[str, Any], kind: str, auth: str) -> None:
    principal = v["kafkaPrincipal"]
    if principal and not _PRINCIPAL.match(principal):
        p.add(
            "kafkaPrincipal",
            principal,
            "Kafka principals are written 'User:<name>'",
            f"set kafkaPrincipal to 'User:{principal}'",
        )
    if principal and kind != "existing":
        # The other kinds create Mimir's identity themselves (SCRAM user, IAM role), so they know it.
        p.add(
            "kafkaPrincipal",
            principal,
            f"only with kafkaKind=existing (kafkaKind={kind} creates Mimir's user and derives its principal)",
            "unset kafkaPrincipal",
        )
    if principal or not v["kafkaCreateAcls"] or kind != "existing":
        return
    if auth == "oauthbearer":
        p.add(
            "kafkaPrincipal",
            "",
            "with kafkaAuth=oauthbearer Mimir's principal is the token's subject, "
            "which the stack cannot read",
            "set kafkaPrincipal to 'User:<sub of the token>' (or kafkaCreateAcls=false)",
        )
    if auth == "none" and v["kafkaTlsClientCertFile"]:
        p.add(
            "kafkaPrincipal",
            "",
            "with mTLS Mimir's principal is its certificate's subject as the broker maps it",
            "set kafkaPrincipal, e.g. 'User:CN=mimir' (or kafkaCreateAcls=false)",
        )


def parse(raw: Mapping[str, Any], secrets_set: Collection[str] = ()) -> StackConfig:
    """Parses the non-secret stack config (``{"kafkaKind": "msk", ...}``) into a :class:`StackConfig`.

    Every problem is collected; :class:`StackConfigError` lists them all, each naming its key."""
    p = _Problems()
    v = _values(raw, p)
    kind = p.choice("kafkaKind", v["kafkaKind"], KAFKA_KINDS, "existing")
    flavor = DEFAULT_FLAVOR[kind]
    if v["kafkaFlavor"]:
        try:
            flavor = KafkaFlavor(v["kafkaFlavor"])
        except ValueError:
            p.choice("kafkaFlavor", v["kafkaFlavor"], [f.value for f in KafkaFlavor], "")
    auth = p.choice("kafkaAuth", v["kafkaAuth"], AUTH_MODES, "none")
    # Only an existing Kafka is administered over the Kafka protocol from where Pulumi runs.
    admin_given = v["kafkaAdminAuth"] or auth
    admin_auth = "none"
    if kind == "existing" and admin_given == "msk-iam":
        p.add(
            "kafkaAdminAuth",
            admin_given,
            "the admin connection cannot use AWS_MSK_IAM from stack config (no stack key carries the "
            "admin's AWS credentials and region)",
            "set kafkaAdminAuth to plain, scram-sha-256, scram-sha-512 or none, for an admin user "
            "the brokers accept",
        )
    elif kind == "existing":
        admin_auth = p.choice("kafkaAdminAuth", admin_given, ADMIN_AUTH_MODES, "none")
    bootstrap = _addresses("kafkaBootstrap", v["kafkaBootstrap"])
    if kind == "existing" and not bootstrap and not v["kafkaBrokerInfoFile"]:
        p.add(
            "kafkaBootstrap",
            "",
            "an existing Kafka needs its address",
            "set kafkaBootstrap to host:port[,host:port]",
        )
    for name in ("kafkaBootstrap", "kafkaAdminBootstrap"):
        for address in _addresses(name, v[name]):
            host, _, port = address.rpartition(":")
            if not host or not port.isdigit() or not 0 < int(port) < 65536:
                p.add(
                    name, v[name], f"{address!r} is not host:port", f"set {name} like 'kafka-0.example:9092'"
                )
    if kind.startswith("msk"):
        if not v["awsRegion"]:
            p.add("awsRegion", "", f"required with kafkaKind={kind}", "set awsRegion, e.g. eu-west-1")
        if not v["mskVpcId"]:
            p.add("mskVpcId", "", f"required with kafkaKind={kind}", "set mskVpcId to the VPC of the brokers")
        if not v["mskSubnetIds"]:
            p.add(
                "mskSubnetIds",
                [],
                f"required with kafkaKind={kind}",
                "set mskSubnetIds to 2-3 subnets in distinct AZs",
            )
    if kind == "msk-serverless" and auth != "msk-iam":
        p.add("kafkaAuth", auth, "MSK Serverless only supports IAM", "set kafkaAuth=msk-iam")
    storage = p.choice("objectStorage", v["objectStorage"], OBJECT_STORAGES, "filesystem")
    buckets = (v["s3BlocksBucket"], v["s3RulerBucket"], v["s3AlertmanagerBucket"])
    if storage == "s3":
        if not v["awsRegion"] and not kind.startswith("msk"):
            p.add("awsRegion", "", "required with objectStorage=s3", "set awsRegion, e.g. eu-west-1")
        if not v["s3CreateBuckets"] and not all(buckets):
            missing = [
                n
                for n, b in zip(
                    ("s3BlocksBucket", "s3RulerBucket", "s3AlertmanagerBucket"), buckets, strict=True
                )
                if not b
            ]
            for name in missing:
                p.add(
                    name,
                    "",
                    "required when s3CreateBuckets=false",
                    f"set {name} to the existing bucket's name",
                )
    pod_identity = p.choice("podIdentity", v["podIdentity"], POD_IDENTITY_MODES, "none")
    if pod_identity == "irsa":
        for name in ("eksOidcProviderArn", "eksOidcIssuerUrl"):
            if not v[name]:
                p.add(name, "", "required with podIdentity=irsa", f"set {name} from the EKS cluster")
    if pod_identity == "pod-identity" and not v["eksClusterName"]:
        p.add(
            "eksClusterName",
            "",
            "required with podIdentity=pod-identity",
            "set eksClusterName to the EKS cluster",
        )
    if auth == "msk-iam" and pod_identity == "none":
        p.add(
            "podIdentity",
            "none",
            "kafkaAuth=msk-iam needs pod credentials",
            "set podIdentity=irsa or pod-identity",
        )
    elif storage == "s3" and v["renderOnly"] is False and pod_identity == "none":
        p.add("podIdentity", "none", "S3 needs the pods' IAM role", "set podIdentity=irsa or pod-identity")
    if auth == "oauthbearer" and "kafkaOauthToken" not in secrets_set:
        p.add(
            "kafkaOauthToken",
            "",
            "required with kafkaAuth=oauthbearer",
            "set it with `pulumi config set --secret kafkaOauthToken ...`",
        )
    if auth == "plain" and "kafkaPassword" not in secrets_set:
        p.add(
            "kafkaPassword",
            "",
            "required with kafkaAuth=plain (PLAIN users are configured on the brokers, the stack cannot "
            "create one)",
            "set it with `pulumi config set --secret kafkaPassword ...`",
        )
    if (
        kind == "existing"
        and admin_auth in USERNAME_AUTH
        and "kafkaAdminPassword" not in secrets_set
        and not v["kafkaBrokerInfoFile"]
    ):
        p.add(
            "kafkaAdminPassword",
            "",
            f"required with kafkaAdminAuth={admin_auth}: Pulumi logs in as {v['kafkaAdminUsername']!r} "
            "to create the topic, user and ACLs",
            "set it with `pulumi config set --secret kafkaAdminPassword ...`",
        )
    _check_principal(p, v, kind, auth)
    if v["kafkaPreflight"] and kind != "existing":
        p.add(
            "kafkaPreflight",
            True,
            f"only with kafkaKind=existing (the brokers of kafkaKind={kind} are usually not reachable "
            "from where Pulumi runs)",
            "set kafkaPreflight=false and run `mimirkafka doctor` next to Mimir instead",
        )
    try:
        mimir_version = MimirVersion.parse(v["mimirVersion"])
    except ValueError:
        p.add(
            "mimirVersion", v["mimirVersion"], "not a Mimir release number", "set mimirVersion like '3.1.2'"
        )
        mimir_version = MimirVersion.parse(str(KEYS_BY_NAME["mimirVersion"].default))
    extra: Any = {}
    if v["mimirExtraValues"]:
        try:
            extra = yaml.safe_load(v["mimirExtraValues"])
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            p.add(
                "mimirExtraValues",
                v["mimirExtraValues"],
                f"not valid YAML{where}",
                "give a YAML mapping, e.g. '{querier: {replicas: 3}}'",
            )
            extra = {}
    if extra is None:
        extra = {}
    if not isinstance(extra, dict):
        p.add(
            "mimirExtraValues",
            v["mimirExtraValues"],
            "must be a YAML mapping of chart values",
            "give a YAML mapping, e.g. '{querier: {replicas: 3}}'",
        )
        extra = {}
    if kind == "strimzi" and v["kafkaNamespace"] != v["mimirNamespace"]:
        p.add(
            "kafkaNamespace",
            v["kafkaNamespace"],
            "with Strimzi, Mimir reads the operator-generated user and CA Secrets, which live in the "
            "Kafka namespace",
            "set kafkaNamespace and mimirNamespace to the same value "
            f"(mimirNamespace={v['mimirNamespace']!r})",
        )
    for name in (
        "kafkaBrokers",
        "topicPartitions",
        "topicReplicationFactor",
        "topicMinInsyncReplicas",
        "ingesterZones",
        "ingestersPerZone",
        "kafkaVolumeSizeGib",
        "topicRetentionMs",
    ):
        if v[name] < 1:
            p.add(
                name,
                v[name],
                "must be at least 1",
                f"set {name} to a positive number, e.g. {KEYS_BY_NAME[name].example}",
            )
            v[name] = KEYS_BY_NAME[name].default
    if kind == "msk" and not MSK_VOLUME_GIB[0] <= v["kafkaVolumeSizeGib"] <= MSK_VOLUME_GIB[1]:
        p.add(
            "kafkaVolumeSizeGib",
            v["kafkaVolumeSizeGib"],
            f"MSK broker storage is {MSK_VOLUME_GIB[0]} to {MSK_VOLUME_GIB[1]} GiB per broker",
            f"set kafkaVolumeSizeGib between {MSK_VOLUME_GIB[0]} and {MSK_VOLUME_GIB[1]}",
        )
    if v["ingesterZones"] > 3:
        p.add(
            "ingesterZones",
            v["ingesterZones"],
            "the mimir-distributed chart runs ingesters in 1, 2 or 3 zones",
            "set ingesterZones to 1, 2 or 3",
        )
        v["ingesterZones"] = 3
    _k8s_name(p, "mimirNamespace", v["mimirNamespace"], "namespace")
    if kind in ("kraft", "strimzi"):
        _k8s_name(p, "kafkaNamespace", v["kafkaNamespace"], "namespace")
        _k8s_name(p, "kafkaClusterName", v["kafkaClusterName"], "object name")
    _k8s_name(p, "mimirServiceAccount", v["mimirServiceAccount"], "service account name")
    release = v["mimirReleaseName"]
    if len(release) > 53 or not _HELM_RELEASE.match(release):
        suggestion = re.sub(r"[^a-z0-9-]+", "-", release.lower()).strip("-")[:53] or "mimir"
        p.add(
            "mimirReleaseName",
            release,
            "not a valid Helm release name: lower-case letters, digits, '-' and '.', at most 53 characters",
            f"set mimirReleaseName to e.g. {suggestion!r}",
        )
    route = v["mskTopicRoute"] and p.choice("mskTopicRoute", v["mskTopicRoute"], TOPIC_ROUTES, "")
    if kind == "msk-serverless" and not route:
        p.add(
            "mskTopicRoute",
            "",
            "MSK Serverless has no control-plane topic API (AWS: the topic APIs are not available for "
            "Serverless clusters)",
            "set mskTopicRoute to kafka-provider (pulumi up reaches the brokers on port 9098) or "
            "kubernetes-job (a Job in the cluster where Mimir runs)",
        )
    acl_enforcement = p.choice("mskAclEnforcement", v["mskAclEnforcement"], ACL_ENFORCEMENTS, "off")
    expires_at = None
    if v["expiresAt"]:
        try:
            expires_at = datetime.datetime.fromisoformat(v["expiresAt"].replace("Z", "+00:00"))
            if expires_at.tzinfo is None:
                raise ValueError("naive")
            expires_at = expires_at.astimezone(datetime.UTC)
        except ValueError:
            p.add(
                "expiresAt",
                v["expiresAt"],
                "not an ISO 8601 UTC time",
                "set expiresAt like 2026-11-30T03:00:00Z",
            )
            expires_at = None
    rack = p.choice("mimirClientRack", v["mimirClientRack"], CLIENT_RACK_MODES, "zone-name")
    racks = v["mimirIngesterZoneRacks"]
    if racks and len(racks) != v["ingesterZones"]:
        p.add(
            "mimirIngesterZoneRacks",
            list(racks),
            f"names {len(racks)} rack(s) for {v['ingesterZones']} ingester zone(s)",
            "give exactly one broker rack per zone (or none)",
        )
    if p.found:
        raise StackConfigError(p.found)

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
        msk_topic_route=route,
        msk_acl_enforcement=acl_enforcement,
        msk_extra_auth=v["mskExtraAuth"],
        msk_admin_job_namespace=v["mskAdminJobNamespace"],
        msk_admin_job_service_account=v["mskAdminJobServiceAccount"],
        msk_autoscaling_max_gib=v["mskStorageAutoscalingMaxGib"],
        msk_autoscaling_target_percent=v["mskStorageAutoscalingTargetPercent"],
        msk_throughput_mibps=v["mskProvisionedThroughputMibps"],
        volume_size_set="kafkaVolumeSizeGib" in raw,
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
        ruler_query_path=v["mimirRulerQueryPath"],
        client_rack=rack,
        zone_racks=v["mimirIngesterZoneRacks"],
        consumer={field_name: v[key] for key, field_name in CONSUMER_KEYS.items()},
        delete_inactive_partition_after=v["mimirDeleteInactivePartitionAfter"],
    )
    return StackConfig(
        kafka=kafka,
        topic=topic,
        mimir=mimir,
        render_only=v["renderOnly"],
        render_dir=v["renderDir"],
        kube_context=v["kubeContext"],
        kubeconfig=v["kubeconfig"],
        mimir_render_only=v["mimirRenderOnly"],
        strimzi_install_operator=v["strimziInstallOperator"],
        secrets_set=frozenset(secrets_set),
        values=v,
        expires_at=expires_at,
    )
