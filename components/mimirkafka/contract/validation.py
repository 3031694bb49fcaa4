"""Validation of an :class:`IngestStorageContract` before anything is created.

``validate(c)`` returns ``c`` unchanged or raises :class:`ContractError` listing *every* problem. Rules:
Mimir's own ``Validate()`` (its wording, shared/reference/mimir-ingest-storage.md section 1.8) plus the
cross-system rules that only show up when Kafka and Mimir meet (flavor mechanisms and limits, Mimir
version features, partitions vs ingesters, topic shrinking). ``warnings(c)`` lists risky but legal
choices. Each rule is one small function returning problems; :data:`RULES` lists them in order.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from mimirkafka.contract.errors import ContractError, Problem
from mimirkafka.contract.flavors import FLAVORS, RECORD_OVERHEAD_BYTES, max_record_size_for
from mimirkafka.contract.mimir_settings import MIN_SUPPORTED, V3_1, V3_1_2
from mimirkafka.contract.model import (
    MAX_PRODUCER_RECORD_SIZE_BYTES,
    MIN_PRODUCER_RECORD_SIZE_BYTES,
    IngestStorageContract,
    KafkaFlavor,
    MskIamFile,
    MskIamSocket,
    MskIamStatic,
    OAuthBearerFile,
    OAuthBearerSocket,
    OAuthBearerStatic,
    PlainAuth,
    SaslMechanism,
    ScramAuth,
    SecretValue,
)

Rule = Callable[[IngestStorageContract], Iterator[Problem]]

#: dskit's accepted ``tls_min_version`` values.
TLS_VERSIONS = ("VersionTLS10", "VersionTLS11", "VersionTLS12", "VersionTLS13")
#: Go's ``tls.CipherSuites()`` plus ``tls.InsecureCipherSuites()`` names, which dskit accepts.
GO_CIPHER_SUITES = frozenset(
    {
        "TLS_AES_128_GCM_SHA256",
        "TLS_AES_256_GCM_SHA384",
        "TLS_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
        "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
        "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_RSA_WITH_RC4_128_SHA",
        "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
        "TLS_RSA_WITH_AES_128_CBC_SHA",
        "TLS_RSA_WITH_AES_256_CBC_SHA",
        "TLS_RSA_WITH_AES_128_CBC_SHA256",
        "TLS_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA",
        "TLS_ECDHE_RSA_WITH_RC4_128_SHA",
        "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
    }
)
KV_STORES = ("memberlist", "consul", "etcd", "inmemory", "multi")

_GO_DURATION = re.compile(r"^(0|([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)$")
_HOST_PORT = re.compile(r"^(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(?P<port>[0-9]{1,5})$")
_TOPIC_CHARS = re.compile(r"^[A-Za-z0-9._-]+$")
_KAFKA_VERSION = re.compile(r"^v?(\d+)\.(\d+)")
#: Jsonnet's check on ``-ingest-storage.kafka.client-id`` (operations/mimir/ingest-storage.libsonnet).
_CLIENT_ID = re.compile(r"^[A-Za-z0-9._\-=,]{1,255}$")
MAX_TOPIC_NAME = 249


def validate(c: IngestStorageContract) -> IngestStorageContract:
    """Returns ``c`` unchanged, or raises :class:`ContractError` listing every problem found."""
    problems = [p for rule in RULES for p in rule(c)]
    if problems:
        raise ContractError(problems)
    return c


def problems(c: IngestStorageContract) -> list[Problem]:
    """Every problem ``validate`` would raise, without raising (for the doctor and for reports)."""
    return [p for rule in RULES for p in rule(c)]


def warnings(c: IngestStorageContract) -> list[Problem]:
    """Legal but risky choices; components log them, the doctor prints them."""
    return [p for rule in WARNING_RULES for p in rule(c)]


# --- helpers ------------------------------------------------------------------------------------


def _blank_secret(s: SecretValue | None) -> bool:
    """True only when the secret is known to be empty; an unresolved ``pulumi.Output`` is not blank."""
    return s is None or s.value is None or (isinstance(s.value, str) and s.value.strip() == "")


def is_go_duration(text: str) -> bool:
    return bool(_GO_DURATION.match(text))


def kafka_major_minor(text: str) -> tuple[int, int] | None:
    m = _KAFKA_VERSION.match(text.strip())
    return (int(m.group(1)), int(m.group(2))) if m else None


def split_address(address: str) -> tuple[str, int] | None:
    m = _HOST_PORT.match(address.strip())
    if not m:
        return None
    port = int(m.group("port"))
    return (m.group("host"), port) if 0 < port < 65536 else None


def _duration(setting: str, value: str) -> Iterator[Problem]:
    if not isinstance(value, str) or not is_go_duration(value):
        yield Problem(setting, value, "is not a Go duration", 'write it like "5s", "500ms" or "1m30s"')


def _absolute(setting: str, path: str, what: str) -> Iterator[Problem]:
    if not path or not path.startswith("/"):
        yield Problem(
            setting,
            path,
            f"{what} must be an absolute path inside the Mimir pods",
            f'set an absolute path such as "/var/run/mimir-kafka/{setting.rsplit(".", 1)[-1]}"',
        )


# --- Mimir's own Validate() (section 1.8) ----------------------------------------------------------


def rule_enabled(c: IngestStorageContract) -> Iterator[Problem]:
    if not c.enabled:
        yield Problem(
            "enabled",
            c.enabled,
            "this package deploys the ingest storage architecture; with enabled=False Mimir skips its Kafka "
            "checks and the ingesters still need push gRPC",
            "set enabled=True (use Mimir's classic-architecture values outside this package otherwise)",
        )


def rule_addresses(c: IngestStorageContract) -> Iterator[Problem]:
    if not c.addresses or all(not a.strip() for a in c.addresses):
        yield Problem(
            "addresses",
            c.addresses,
            "the Kafka address has not been configured",
            'set addresses=("broker-1:9092", ...) to at least one seed broker host:port',
        )
        return
    for i, a in enumerate(c.addresses):
        setting = f"addresses[{i}]"
        if "://" in a:
            yield Problem(
                setting, a, "Mimir expects host:port, not a URL", f"drop the scheme: {a.split('://', 1)[1]!r}"
            )
        elif "," in a:
            yield Problem(
                setting,
                a,
                "one entry holds several addresses",
                f"give each address as its own element: {tuple(x.strip() for x in a.split(','))!r}",
            )
        elif split_address(a) is None:
            yield Problem(
                setting,
                a,
                "is not a host:port address with a port between 1 and 65535",
                'write it like "kafka-0.kafka:9092" or "[fd00::1]:9092"',
            )


def rule_topic_name(c: IngestStorageContract) -> Iterator[Problem]:
    name = c.topic.name
    if not name:
        yield Problem(
            "topic.name", name, "the Kafka topic has not been configured", 'set topic.name="mimir-ingest"'
        )
    elif name in (".", ".."):
        yield Problem(
            "topic.name", name, "Kafka forbids the topic names '.' and '..'", 'use e.g. "mimir-ingest"'
        )
    elif len(name) > MAX_TOPIC_NAME:
        yield Problem(
            "topic.name",
            name,
            f"Kafka topic names are at most {MAX_TOPIC_NAME} characters long",
            f"shorten it to {MAX_TOPIC_NAME} characters or fewer",
        )
    elif not _TOPIC_CHARS.match(name):
        legal = re.sub(r"[^A-Za-z0-9._-]", "-", name)
        yield Problem(
            "topic.name",
            name,
            "Kafka topic names may contain only ASCII letters, digits, '.', '_' and '-'",
            f"use {legal!r}",
        )


def rule_record_size(c: IngestStorageContract) -> Iterator[Problem]:
    v = c.producer_max_record_size_bytes
    if not MIN_PRODUCER_RECORD_SIZE_BYTES <= v <= MAX_PRODUCER_RECORD_SIZE_BYTES:
        yield Problem(
            "producer_max_record_size_bytes",
            v,
            f"the configured producer max record size bytes must be a value between "
            f"{MIN_PRODUCER_RECORD_SIZE_BYTES} and {MAX_PRODUCER_RECORD_SIZE_BYTES}",
            f"leave it at the default {MAX_PRODUCER_RECORD_SIZE_BYTES} unless the flavor needs less",
        )


def rule_partitions(c: IngestStorageContract) -> Iterator[Problem]:
    p = c.topic.partitions
    if p < 1:
        if c.auto_create_topic_enabled:
            msg = (
                "ingest-storage.kafka.auto-create-topic-default-partitions must be -1 or greater than 0 when "
                "ingest-storage.kafka.auto-create-topic-default-partitions=true"
            )
        else:
            msg = "a Kafka topic needs at least one partition"
        yield Problem(
            "topic.partitions",
            p,
            msg,
            f"set topic.partitions to at least {max(1, c.ingesters.per_zone)} (ingesters per zone)",
        )


def rule_sasl_credentials(c: IngestStorageContract) -> Iterator[Problem]:
    s = c.sasl
    if isinstance(s, PlainAuth | ScramAuth):
        msg = "the SASL username and password must be both configured to enable SASL authentication"
        if not s.username.strip():
            yield Problem(
                "sasl.username", s.username, msg, "set sasl.username to the Kafka user Mimir logs in as"
            )
        if _blank_secret(s.password):
            yield Problem(
                "sasl.password",
                s.password,
                msg,
                "set sasl.password=secret(<password>) (a pulumi secret Output is fine)",
            )
    elif isinstance(s, OAuthBearerStatic) and _blank_secret(s.token):
        yield Problem(
            "sasl.token",
            s.token,
            "exactly one of OAuth token, file path, or HTTP socket path must be configured to enable SASL "
            "OAUTHBEARER authentication",
            "set sasl.token=secret(<token>), or use "
            "OAuthBearerFile(path=...) / OAuthBearerSocket(socket_path=...)",
        )
    elif isinstance(s, MskIamStatic):
        ak, sk = _blank_secret(s.access_key), _blank_secret(s.secret_key)
        if ak and sk:
            yield Problem(
                "sasl.access_key",
                s.access_key,
                "exactly one of static credentials, file path, or HTTP socket path must be configured to "
                "enable SASL AWS_MSK_IAM authentication",
                "set sasl.access_key and sasl.secret_key, or use MskIamSocket/MskIamFile (IRSA and Pod "
                "Identity need a credential helper: Mimir has no default "
                "credential chain, grafana/mimir#15724)",
            )
        elif ak or sk:
            setting = "sasl.access_key" if ak else "sasl.secret_key"
            yield Problem(
                setting,
                "***" if not ak else s.access_key,
                "both access key and secret key must be configured for static AWS_MSK_IAM credentials",
                f"set {setting} as well",
            )


def rule_sasl_paths(c: IngestStorageContract) -> Iterator[Problem]:
    s = c.sasl
    if isinstance(s, OAuthBearerFile | MskIamFile):
        yield from _absolute("sasl.path", s.path, "the credentials file")
    elif isinstance(s, OAuthBearerSocket | MskIamSocket):
        yield from _absolute("sasl.socket_path", s.socket_path, "the unix socket")
        yield from _duration("sasl.timeout", s.timeout)


def rule_tls_pair(c: IngestStorageContract) -> Iterator[Problem]:
    t = c.tls
    if t.client_cert is not None and t.client_key is None:
        yield Problem(
            "tls.client_key",
            None,
            "certificate given but no key configured",
            "set tls.client_key=PemMaterial(<key PEM>, secret=True) next to tls.client_cert",
        )
    if t.client_key is not None and t.client_cert is None:
        yield Problem(
            "tls.client_cert",
            None,
            "key given but no certificate configured",
            "set tls.client_cert=PemMaterial(<certificate PEM>) next to tls.client_key",
        )


def rule_tls_options(c: IngestStorageContract) -> Iterator[Problem]:
    t = c.tls
    if t.min_version is not None and t.min_version not in TLS_VERSIONS:
        yield Problem(
            "tls.min_version",
            t.min_version,
            "unknown minimum TLS version",
            f"use one of {', '.join(TLS_VERSIONS)} (e.g. 'VersionTLS12')",
        )
    for suite in t.cipher_suites:
        if suite not in GO_CIPHER_SUITES:
            yield Problem(
                "tls.cipher_suites",
                suite,
                "is not a Go cipher suite name",
                "use names from Go's crypto/tls such as 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', "
                "or leave cipher_suites empty for Go's defaults",
            )
    yield from _absolute("tls.mount_dir", t.mount_dir, "the TLS mount directory")
    for name in ("ca_path", "cert_path", "key_path"):
        path = getattr(t, name)
        if path is not None:
            yield from _absolute(f"tls.{name}", path, "the TLS file")
    if not t.enabled:
        configured = [
            n
            for n in ("ca", "client_cert", "client_key", "server_name", "min_version")
            if getattr(t, n) is not None
        ] + (["cipher_suites"] if t.cipher_suites else [])
        configured += ["insecure_skip_verify"] if t.insecure_skip_verify else []
        for n in configured:
            yield Problem(
                f"tls.{n}",
                "***" if n == "client_key" else getattr(t, n),
                "Mimir ignores the tls_* settings unless tls_enabled is true",
                "set tls.enabled=True, or remove the setting",
            )


def rule_durations(c: IngestStorageContract) -> Iterator[Problem]:
    yield from _duration("remote_timeout", c.remote_timeout)
    r = c.partition_ring
    yield from _duration("partition_ring.min_partition_owners_duration", r.min_partition_owners_duration)
    yield from _duration("partition_ring.delete_inactive_partition_after", r.delete_inactive_partition_after)
    if r.min_partition_owners_count < 0:
        yield Problem(
            "partition_ring.min_partition_owners_count",
            r.min_partition_owners_count,
            "must be 0 or more",
            "set it to 1 (Mimir's default)",
        )
    if r.kvstore_store not in KV_STORES:
        yield Problem(
            "partition_ring.kvstore_store",
            r.kvstore_store,
            "is not a dskit KV store",
            f"use one of {', '.join(KV_STORES)} (Helm uses memberlist)",
        )


def rule_client_id(c: IngestStorageContract) -> Iterator[Problem]:
    if c.client_id is not None and not _CLIENT_ID.match(c.client_id):
        yield Problem(
            "client_id",
            c.client_id,
            "Kafka client IDs for Mimir must be 1-255 characters from [a-zA-Z0-9._-=,] "
            "(Mimir's Jsonnet check)",
            f"use {re.sub(r'[^A-Za-z0-9._=,-]', '-', c.client_id)[:255]!r} or leave client_id=None",
        )


# --- cross-system rules ------------------------------------------------------------------------------


def rule_mimir_version(c: IngestStorageContract) -> Iterator[Problem]:
    v = c.mimir_version
    if v < MIN_SUPPORTED:
        yield Problem(
            "mimir_version",
            str(v),
            "ingest storage is experimental before Mimir 3.0",
            f"target Mimir {MIN_SUPPORTED} or later (3.1.2 recommended)",
        )
        return
    mech = c.sasl.mechanism
    if mech is not None and mech is not SaslMechanism.PLAIN and v < V3_1:
        yield Problem(
            "sasl",
            mech.value,
            f"Mimir {v} has only SASL PLAIN; {mech.value} arrived in Mimir 3.1.0",
            "set mimir_version to '3.1.2' or later (and deploy that image)",
        )
    if c.tls.enabled and v < V3_1:
        yield Problem(
            "tls.enabled",
            True,
            f"Mimir {v} cannot connect to Kafka over TLS (the tls_* settings arrived in 3.1.0; "
            "grafana/mimir#13987)",
            "set mimir_version to '3.1.2' or later, or use a plaintext listener",
        )
    if len(c.addresses) > 1 and v < V3_1:
        yield Problem(
            "addresses",
            c.addresses,
            f"Mimir {v} accepts a single seed address; comma-separated lists arrived in 3.1.0",
            f"keep one address ({c.addresses[0]!r}) or target Mimir 3.1.2 or later",
        )


def rule_kafka_version(c: IngestStorageContract) -> Iterator[Problem]:
    mm = kafka_major_minor(c.kafka_version)
    if mm is None:
        yield Problem(
            "kafka_version",
            c.kafka_version,
            "is not a Kafka version",
            "write the brokers' major.minor, e.g. '3.9' or '4.1'",
        )
    elif mm[0] >= 4 and c.mimir_version < V3_1_2:
        yield Problem(
            "mimir_version",
            str(c.mimir_version),
            f"Mimir before 3.1.2 fails to commit offsets against Kafka {c.kafka_version} brokers "
            "(UNKNOWN_TOPIC_ID, grafana/mimir#15319)",
            "set mimir_version to '3.1.2' or later, or run Kafka 3.x brokers",
        )


def rule_flavor_mechanism(c: IngestStorageContract) -> Iterator[Problem]:
    t = FLAVORS[c.flavor]
    mech = c.sasl.mechanism
    offered = ", ".join(sorted(m.value for m in t.mechanisms))
    if mech is None and not c.tls.mutual and not t.unauthenticated:
        yield Problem(
            "sasl",
            "none",
            f"{c.flavor.value} does not accept unauthenticated clients",
            f"configure one of: {offered}",
        )
    elif mech is not None and not t.offers(mech):
        fix = f"use one of: {offered}" + (" or mTLS" if t.mtls else "")
        if (
            c.flavor in (KafkaFlavor.MSK_PROVISIONED, KafkaFlavor.MSK_EXPRESS)
            and mech is SaslMechanism.SCRAM_SHA_256
        ):
            fix = "use ScramAuth(..., sha=512): MSK SCRAM is SCRAM-SHA-512 only"
        yield Problem("sasl", mech.value, f"{c.flavor.value} does not offer SASL {mech.value}", fix)
    if c.tls.mutual and not t.mtls:
        yield Problem(
            "tls.client_cert",
            "PemMaterial(...)",
            f"{c.flavor.value} does not authenticate clients with certificates",
            f"drop tls.client_cert/tls.client_key and use one of: {offered}",
        )


def rule_flavor_tls(c: IngestStorageContract) -> Iterator[Problem]:
    t = FLAVORS[c.flavor]
    mech = c.sasl.mechanism
    if c.tls.enabled:
        return
    if mech is SaslMechanism.AWS_MSK_IAM:
        yield Problem(
            "tls.enabled",
            False,
            "AWS_MSK_IAM brokers listen with TLS only (port 9098)",
            "set tls.enabled=True (the system CA roots verify MSK's certificates)",
        )
    elif t.tls_required:
        yield Problem(
            "tls.enabled", False, f"{c.flavor.value} accepts TLS connections only", "set tls.enabled=True"
        )
    elif t.sasl_requires_tls and mech is not None:
        yield Problem(
            "tls.enabled",
            False,
            f"{c.flavor.value} offers SASL {mech.value} only over TLS",
            "set tls.enabled=True",
        )
    if c.tls.mutual:
        yield Problem(
            "tls.enabled", False, "a client certificate is only sent over TLS", "set tls.enabled=True"
        )


def rule_flavor_port(c: IngestStorageContract) -> Iterator[Problem]:
    t = FLAVORS[c.flavor]
    if not t.ports:
        return
    path = t.port_path(c.sasl.mechanism, c.tls.enabled)
    allowed = t.ports.get(path)
    for i, a in enumerate(c.addresses):
        hp = split_address(a)
        if hp is None:
            continue
        if allowed is None:
            yield Problem(
                f"addresses[{i}]",
                a,
                f"{c.flavor.value} has no {path} listener",
                "use the bootstrap brokers output that matches the authentication",
            )
        elif hp[1] not in allowed:
            ports = "/".join(str(p) for p in sorted(allowed))
            yield Problem(
                f"addresses[{i}]",
                a,
                f"{c.flavor.value} serves {path} clients on port {ports}, not {hp[1]}",
                f"use {hp[0]}:{min(allowed)} (the cluster's bootstrap_brokers_{_msk_output(path)} output)",
            )


def _msk_output(path: str) -> str:
    return {"plaintext": "", "tls": "tls", "scram": "sasl_scram", "iam": "sasl_iam"}[
        path
    ].strip() or "plaintext"


def rule_partitions_cover_ingesters(c: IngestStorageContract) -> Iterator[Problem]:
    lay = c.ingesters
    if lay.zones < 1:
        yield Problem(
            "ingesters.zones",
            lay.zones,
            "needs at least one ingester zone",
            "set ingesters.zones to 3 (zone-aware) or 1",
        )
    if lay.per_zone < 1:
        yield Problem(
            "ingesters.per_zone",
            lay.per_zone,
            "needs at least one ingester per zone",
            "set ingesters.per_zone to 1 or more",
        )
    if c.topic.partitions >= 1 and c.topic.partitions < lay.per_zone:
        yield Problem(
            "topic.partitions",
            c.topic.partitions,
            "the number of partitions must be at least the number of "
            f"ingesters in one zone ({lay.per_zone}); "
            f"ingesters {c.topic.partitions}..{lay.per_zone - 1} of each zone would own no partition",
            f"set topic.partitions to at least {lay.per_zone} (more leaves room to scale ingesters up)",
        )


def rule_no_shrink(c: IngestStorageContract) -> Iterator[Problem]:
    d = c.topic.deployed_partitions
    if d is not None:
        yield from check_topic_change(d, c.topic.partitions, c.topic.name, c.topic.name)


def check_topic_change(
    old_partitions: int | None, new_partitions: int, old_name: str | None, new_name: str
) -> list[Problem]:
    """Problems with changing a deployed topic (``old_*``) into the requested one; ``[]`` if safe.

    Kafka cannot decrease partitions and cannot rename a topic; the provider would delete the topic and
    create a new one, losing every record not yet consumed. Components call this with the values from
    state before creating anything.
    """
    found: list[Problem] = []
    if old_name is not None and old_name != new_name:
        found.append(
            Problem(
                "topic.name",
                new_name,
                f"the deployed topic is {old_name!r}; Kafka cannot rename a "
                "topic, so the provider would delete it "
                "and create a new one, losing the records ingesters have not consumed yet",
                f"keep topic.name={old_name!r}, or create the new topic "
                "alongside and migrate Mimir deliberately",
            )
        )
    if old_partitions is not None and new_partitions < old_partitions:
        found.append(
            Problem(
                "topic.partitions",
                new_partitions,
                f"the deployed topic has {old_partitions} partitions; Kafka "
                "cannot shrink a topic, so the provider "
                "would delete and recreate it, losing the records ingesters have not consumed yet",
                f"set topic.partitions to {old_partitions} or more",
            )
        )
    return found


def refuse_topic_change(
    old_partitions: int | None, new_partitions: int, old_name: str | None, new_name: str
) -> None:
    """Raises :class:`ContractError` if :func:`check_topic_change` finds anything."""
    found = check_topic_change(old_partitions, new_partitions, old_name, new_name)
    if found:
        raise ContractError(found)


def rule_replication(c: IngestStorageContract) -> Iterator[Problem]:
    t = c.topic
    fl = FLAVORS[c.flavor]
    if t.replication_factor < 1:
        yield Problem(
            "topic.replication_factor",
            t.replication_factor,
            "must be at least 1",
            "set topic.replication_factor=3 (1 only for a single-broker test cluster)",
        )
    if t.min_insync_replicas < 1:
        yield Problem(
            "topic.min_insync_replicas",
            t.min_insync_replicas,
            "must be at least 1",
            f"set topic.min_insync_replicas={max(1, t.replication_factor - 1)}",
        )
    elif t.replication_factor >= 1 and t.min_insync_replicas > t.replication_factor:
        yield Problem(
            "topic.min_insync_replicas",
            t.min_insync_replicas,
            f"exceeds topic.replication_factor={t.replication_factor}; "
            "Mimir produces with acks=all, so every "
            "write would fail with NOT_ENOUGH_REPLICAS",
            f"set topic.min_insync_replicas={max(1, t.replication_factor - 1)}",
        )
    if fl.fixed_replication_factor is not None and t.replication_factor != fl.fixed_replication_factor:
        yield Problem(
            "topic.replication_factor",
            t.replication_factor,
            f"{c.flavor.value} creates every topic with replication factor {fl.fixed_replication_factor}",
            f"set topic.replication_factor={fl.fixed_replication_factor}",
        )
    if fl.fixed_min_insync_replicas is not None and t.min_insync_replicas != fl.fixed_min_insync_replicas:
        yield Problem(
            "topic.min_insync_replicas",
            t.min_insync_replicas,
            f"{c.flavor.value} fixes min.insync.replicas at {fl.fixed_min_insync_replicas}",
            f"set topic.min_insync_replicas={fl.fixed_min_insync_replicas}",
        )
    if t.retention_ms == 0 or t.retention_ms < -1:
        yield Problem(
            "topic.retention_ms",
            t.retention_ms,
            "must be positive, or -1 for unlimited",
            "set topic.retention_ms to at least the longest ingester outage you must survive, "
            "e.g. 86400000 (24h)",
        )


def rule_flavor_record_size(c: IngestStorageContract) -> Iterator[Problem]:
    limit = max_record_size_for(c.flavor)
    cap = FLAVORS[c.flavor].max_message_bytes_cap
    if limit is not None and cap is not None and c.producer_max_record_size_bytes > limit:
        yield Problem(
            "producer_max_record_size_bytes",
            c.producer_max_record_size_bytes,
            f"{c.flavor.value} rejects messages above {cap} bytes (max.message.bytes cap)",
            f"set producer_max_record_size_bytes={limit} ({cap} minus {RECORD_OVERHEAD_BYTES} bytes of batch "
            "overhead) or less",
        )


def rule_fetch_bytes(c: IngestStorageContract) -> Iterator[Problem]:
    if FLAVORS[c.flavor].fetch_max_bytes_uncompressed and c.use_compressed_bytes_as_fetch_max_bytes is True:
        yield Problem(
            "use_compressed_bytes_as_fetch_max_bytes",
            True,
            f"{c.flavor.value} counts Fetch MaxBytes in uncompressed "
            "bytes; with true the ingesters under-fetch "
            "and fall behind",
            "set use_compressed_bytes_as_fetch_max_bytes=False (or leave it None: the flavor default)",
        )


def rule_expand_env_safe(c: IngestStorageContract) -> Iterator[Problem]:
    """Mimir runs with -config.expand-env=true: a ``$`` in a clear-text value would be expanded."""
    values: list[tuple[str, Any]] = [
        ("topic.name", c.topic.name),
        ("client_id", c.client_id),
        ("tls.server_name", c.tls.server_name),
    ]
    s = c.sasl
    if isinstance(s, PlainAuth | ScramAuth):
        values.append(("sasl.username", s.username))
    elif isinstance(s, OAuthBearerStatic):
        values.append(("sasl.zid", s.zid))
        values += [(f"sasl.extensions[{k!r}]", v) for k, v in s.extensions.items()]
    elif isinstance(s, MskIamStatic):
        values.append(("sasl.user_agent", s.user_agent))
    elif isinstance(s, OAuthBearerFile | MskIamFile):
        values.append(("sasl.path", s.path))
    elif isinstance(s, OAuthBearerSocket | MskIamSocket):
        values.append(("sasl.socket_path", s.socket_path))
    for setting, v in values:
        if isinstance(v, str) and "$" in v:
            yield Problem(
                setting,
                v,
                "contains '$', which Mimir's -config.expand-env would treat as an environment variable",
                "remove the '$' from the value",
            )


def rule_group_prefix(c: IngestStorageContract) -> Iterator[Problem]:
    if not c.consumer_group_prefix.strip():
        yield Problem(
            "consumer_group_prefix",
            c.consumer_group_prefix,
            "an empty prefix would grant Read on every consumer group of the cluster",
            "set it to the start of the ingester instance IDs, e.g. 'mimir-ingester-zone-'",
        )


def rule_principal(c: IngestStorageContract) -> Iterator[Problem]:
    p = c.kafka_principal
    if p is not None and not re.match(r"^User:.+", p):
        yield Problem("kafka_principal", p, "Kafka principals are written '<type>:<name>'", f"use 'User:{p}'")


RULES: tuple[Rule, ...] = (
    rule_enabled,
    rule_addresses,
    rule_topic_name,
    rule_partitions,
    rule_record_size,
    rule_sasl_credentials,
    rule_sasl_paths,
    rule_tls_pair,
    rule_tls_options,
    rule_durations,
    rule_client_id,
    rule_mimir_version,
    rule_kafka_version,
    rule_flavor_mechanism,
    rule_flavor_tls,
    rule_flavor_port,
    rule_partitions_cover_ingesters,
    rule_no_shrink,
    rule_replication,
    rule_flavor_record_size,
    rule_fetch_bytes,
    rule_expand_env_safe,
    rule_group_prefix,
    rule_principal,
)


# --- warnings ----------------------------------------------------------------------------------------


def warn_tls(c: IngestStorageContract) -> Iterator[Problem]:
    t = c.tls
    if t.enabled and t.insecure_skip_verify:
        if t.ca is not None:
            yield Problem(
                "tls.insecure_skip_verify",
                True,
                "the configured tls.ca is never used to verify the brokers",
                "set tls.insecure_skip_verify=False",
            )
        else:
            yield Problem(
                "tls.insecure_skip_verify",
                True,
                "broker certificates are not verified (testing only)",
                "set tls.insecure_skip_verify=False and tls.ca to the brokers' CA",
            )
    if isinstance(c.sasl, PlainAuth) and not t.enabled:
        yield Problem(
            "tls.enabled",
            False,
            "SASL PLAIN sends the password in clear text",
            "set tls.enabled=True or use SCRAM",
        )


def warn_replication(c: IngestStorageContract) -> Iterator[Problem]:
    t = c.topic
    if t.replication_factor == 1:
        yield Problem(
            "topic.replication_factor",
            1,
            "one broker loss loses unconsumed writes",
            "use replication_factor=3, min_insync_replicas=2 outside tests",
        )
    elif t.replication_factor > 1 and t.min_insync_replicas == t.replication_factor:
        yield Problem(
            "topic.min_insync_replicas",
            t.min_insync_replicas,
            "any single broker outage blocks every Mimir write (acks=all)",
            f"set topic.min_insync_replicas={t.replication_factor - 1}",
        )
    if 0 < t.retention_ms < 3_600_000:
        yield Problem(
            "topic.retention_ms",
            t.retention_ms,
            "an ingester down longer than the retention loses data it has not consumed",
            "keep at least a few hours, e.g. 21600000 (6h)",
        )


def warn_static_credentials(c: IngestStorageContract) -> Iterator[Problem]:
    if isinstance(c.sasl, OAuthBearerStatic | MskIamStatic):
        yield Problem(
            "sasl",
            type(c.sasl).__name__,
            "static credentials are read once; rotating them needs a restart of every Mimir component",
            "prefer the file or socket variant for short-lived credentials",
        )


def warn_flavor(c: IngestStorageContract) -> Iterator[Problem]:
    if c.flavor is KafkaFlavor.MSK_SERVERLESS:
        yield Problem(
            "flavor",
            c.flavor.value,
            "Mimir's hard-coded 16,000,000-byte producer batch can exceed the 8 MiB cap under load",
            "prefer msk-provisioned for production",
        )
    if c.tls.mutual and c.sasl.mechanism is None and c.kafka_principal is None:
        yield Problem(
            "kafka_principal",
            None,
            "the mTLS principal is unknown, so no ACLs can be derived",
            "set kafka_principal='User:CN=<certificate CN>' as the broker maps it",
        )


WARNING_RULES: tuple[Rule, ...] = (warn_tls, warn_replication, warn_static_credentials, warn_flavor)
