"""Validation of an :class:`IngestStorageContract` before anything is created.

``validate(c)`` returns ``c`` unchanged or raises :class:`ContractError` listing *every* problem. Rules:
Mimir's own ``Validate()`` (its wording: ``grafana/mimir`` ``pkg/storage/ingest/config.go`` @001afd28,
``Config.Validate`` and ``KafkaConfig.Validate``, with dskit's TLS errors) plus the cross-system rules
that only show up when Kafka and Mimir meet (flavor mechanisms and limits, Mimir version features,
partitions vs ingesters, topic shrinking). ``warnings(c)`` lists risky but legal choices. Each rule is
one small function returning problems; :data:`RULES` lists them in order.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from typing import Any

from mimirkafka.contract.batch_fit import batch_fit_note
from mimirkafka.contract.errors import ContractError, Problem
from mimirkafka.contract.flavors import (
    CONFLUENT_CLOUD_MAX_MESSAGE_BYTES,
    FLAVORS,
    MSK_SERVERLESS_MAX_MESSAGE_BYTES,
    RECORD_OVERHEAD_BYTES,
    max_record_size_for,
)
from mimirkafka.contract.ingesters import partitions_needed
from mimirkafka.contract.mimir_settings import MIN_SUPPORTED, V3_1, V3_1_2, setting_for_yaml
from mimirkafka.contract.model import (
    MAX_PRODUCER_RECORD_SIZE_BYTES,
    MIN_PRODUCER_RECORD_SIZE_BYTES,
    ConsumerTuning,
    IngesterLayout,
    IngestStorageContract,
    KafkaFlavor,
    MimirVersion,
    MskIamFile,
    MskIamSocket,
    MskIamStatic,
    NoSasl,
    OAuthBearerFile,
    OAuthBearerSocket,
    OAuthBearerStatic,
    PartitionRingSettings,
    PemMaterial,
    PlainAuth,
    SaslMechanism,
    ScramAuth,
    SecretValue,
    TlsConfig,
    TopicSettings,
)

Rule = Callable[[IngestStorageContract], Iterator[Problem]]
SaslAuthTypes = (
    NoSasl,
    PlainAuth,
    ScramAuth,
    OAuthBearerStatic,
    OAuthBearerFile,
    OAuthBearerSocket,
    MskIamStatic,
    MskIamFile,
    MskIamSocket,
)

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
#: Kafka major.minor from which Mimir 3.1.0/3.1.1 fail to commit offsets (grafana/mimir#15319, #15745).
KAFKA_BROKEN_WITH_3_1_0 = (4, 2)
MAX_TOPIC_NAME = 249


def validate(c: IngestStorageContract) -> IngestStorageContract:
    """Returns ``c`` unchanged, or raises :class:`ContractError` listing every problem found."""
    found = problems(c)
    if found:
        raise ContractError(found)
    return c


def problems(c: IngestStorageContract) -> list[Problem]:
    """Every problem ``validate`` would raise, without raising (for the doctor and for reports).

    Wrong types are reported alone: the other rules cannot compare a ``"16"`` with a number.
    """
    wrong_types = list(rule_types(c))
    return wrong_types or [p for rule in RULES for p in rule(c)]


def warnings(c: IngestStorageContract) -> list[Problem]:
    """Legal but risky choices; components log them, the doctor prints them."""
    return [p for rule in WARNING_RULES for p in rule(c)]


# --- helpers ------------------------------------------------------------------------------------


def _blank_secret(s: SecretValue | None) -> bool:
    """True only when the secret is known to be empty. An unresolved ``pulumi.Output`` is not blank, and
    neither is ``SecretValue(None)``: that one is generated by the Kafka component."""
    return s is None or (isinstance(s.value, str) and s.value.strip() == "")


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


# --- types: what a config file or a REPL typo produces ---------------------------------------------

_INT_FIELDS = (
    ("topic.partitions", lambda c: c.topic.partitions),
    ("topic.replication_factor", lambda c: c.topic.replication_factor),
    ("topic.min_insync_replicas", lambda c: c.topic.min_insync_replicas),
    ("topic.retention_ms", lambda c: c.topic.retention_ms),
    ("ingesters.zones", lambda c: c.ingesters.zones),
    ("ingesters.per_zone", lambda c: c.ingesters.per_zone),
    ("producer_max_record_size_bytes", lambda c: c.producer_max_record_size_bytes),
    ("partition_ring.min_partition_owners_count", lambda c: c.partition_ring.min_partition_owners_count),
    ("consumer.fetch_concurrency_max", lambda c: c.consumer.fetch_concurrency_max),
    ("consumer.ingestion_concurrency_max", lambda c: c.consumer.ingestion_concurrency_max),
    ("consumer.max_buffered_bytes", lambda c: c.consumer.max_buffered_bytes),
)


_PARTS = (
    ("topic", TopicSettings, "TopicSettings(name=..., partitions=...)"),
    ("tls", TlsConfig, "TlsConfig(enabled=True, ...)"),
    ("ingesters", IngesterLayout, "IngesterLayout(zones=3, per_zone=...)"),
    ("partition_ring", PartitionRingSettings, "PartitionRingSettings()"),
    ("consumer", ConsumerTuning, "ConsumerTuning(fetch_concurrency_max=..., ...)"),
)


def rule_types(c: IngestStorageContract) -> Iterator[Problem]:
    wrong_parts = [(n, fix) for n, cls, fix in _PARTS if not isinstance(getattr(c, n), cls)]
    for name, fix in wrong_parts:
        yield Problem(name, getattr(c, name), "is not the expected settings object", f"pass {fix}")
    if wrong_parts:
        return
    for setting, get in _INT_FIELDS:
        v = get(c)
        if isinstance(v, bool) or not isinstance(v, int):
            yield Problem(
                setting, v, "must be an integer", f"write it without quotes, e.g. {setting.split('.')[-1]}=3"
            )
    d = c.topic.deployed_partitions
    if d is not None and (isinstance(d, bool) or not isinstance(d, int)):
        yield Problem(
            "topic.deployed_partitions", d, "must be an integer or None", "pass the count from state"
        )
    if not isinstance(c.flavor, KafkaFlavor):
        yield Problem(
            "flavor",
            c.flavor,
            "is not a known Kafka flavor",
            f"use one of: {', '.join(f.value for f in KafkaFlavor)}",
        )
    if not isinstance(c.mimir_version, MimirVersion):
        yield Problem(
            "mimir_version",
            c.mimir_version,
            "is not a Mimir release number (a chart or image tag such as 'latest' cannot be checked)",
            "set it like '3.1.2'",
        )
    if not isinstance(c.kafka_version, str):
        yield Problem("kafka_version", c.kafka_version, "must be a string", "write it like '4.1' (quoted)")
    if not isinstance(c.addresses, tuple) or not all(isinstance(a, str) for a in c.addresses):
        yield Problem(
            "addresses", c.addresses, "must be host:port strings", 'write e.g. ("kafka-0.kafka:9092",)'
        )
    yield from _field_types(c)
    yield from _secret_types(c)
    if isinstance(c.sasl, ScramAuth) and c.sasl.sha not in (256, 512):
        yield Problem(
            "sasl.sha",
            c.sasl.sha,
            "SCRAM exists as SCRAM-SHA-256 and SCRAM-SHA-512 only",
            "set sha=512 (or 256)",
        )
    if not isinstance(c.sasl, SaslAuthTypes):
        yield Problem(
            "sasl",
            type(c.sasl).__name__,
            "is not an authentication variant",
            "use NoSasl(), PlainAuth, ScramAuth, OAuthBearer*/MskIam* (Static, File or Socket)",
        )


def _is_output(v: object) -> bool:
    """A ``pulumi.Output``, recognised without importing pulumi: if the module is not loaded, no Output
    exists; otherwise ``isinstance``. The ``apply`` duck-typing fallback covers test doubles."""
    pulumi = sys.modules.get("pulumi")
    output_cls = getattr(pulumi, "Output", None) if pulumi is not None else None
    if isinstance(output_cls, type) and isinstance(v, output_cls):
        return True
    return callable(getattr(v, "apply", None)) and not isinstance(v, str | bytes)


def _text_fields(c: IngestStorageContract) -> list[tuple[str, Any, bool]]:
    """``(setting, value, optional)`` of every free-text field the rules call string methods on."""
    t, s = c.tls, c.sasl
    fields: list[tuple[str, Any, bool]] = [
        ("topic.name", c.topic.name, False),
        ("client_id", c.client_id, True),
        ("kafka_principal", c.kafka_principal, True),
        ("consumer_group_prefix", c.consumer_group_prefix, False),
        ("block_builder_consumer_group", c.block_builder_consumer_group, True),
        ("remote_timeout", c.remote_timeout, False),
        ("partition_ring.kvstore_store", c.partition_ring.kvstore_store, False),
        (
            "partition_ring.min_partition_owners_duration",
            c.partition_ring.min_partition_owners_duration,
            False,
        ),
        (
            "partition_ring.delete_inactive_partition_after",
            c.partition_ring.delete_inactive_partition_after,
            False,
        ),
        *((f"consumer.{name}", getattr(c.consumer, name), False) for name in CONSUMER_DURATIONS),
        ("tls.server_name", t.server_name, True),
        ("tls.min_version", t.min_version, True),
        ("tls.mount_dir", t.mount_dir, False),
        ("tls.ca_path", t.ca_path, True),
        ("tls.cert_path", t.cert_path, True),
        ("tls.key_path", t.key_path, True),
    ]
    if isinstance(s, PlainAuth | ScramAuth):
        fields.append(("sasl.username", s.username, False))
    elif isinstance(s, OAuthBearerStatic):
        fields.append(("sasl.zid", s.zid, True))
    elif isinstance(s, MskIamStatic):
        fields.append(("sasl.user_agent", s.user_agent, True))
    elif isinstance(s, OAuthBearerFile | MskIamFile):
        fields.append(("sasl.path", s.path, False))
    elif isinstance(s, OAuthBearerSocket | MskIamSocket):
        fields += [("sasl.socket_path", s.socket_path, False), ("sasl.timeout", s.timeout, False)]
    return fields


_BOOL_FIELDS = (
    ("enabled", lambda c: c.enabled, False),
    ("auto_create_topic_enabled", lambda c: c.auto_create_topic_enabled, False),
    ("use_compressed_bytes_as_fetch_max_bytes", lambda c: c.use_compressed_bytes_as_fetch_max_bytes, True),
    ("tls.enabled", lambda c: c.tls.enabled, False),
    ("tls.insecure_skip_verify", lambda c: c.tls.insecure_skip_verify, False),
)


def _field_types(c: IngestStorageContract) -> Iterator[Problem]:
    """Strings, booleans, the cipher list and PEM holders: what a YAML file or a REPL gets wrong."""
    if not isinstance(c.sasl, SaslAuthTypes):
        return  # reported by rule_types; the variant's fields are unknown
    for setting, v, optional in _text_fields(c):
        if not isinstance(v, str) and not (optional and v is None):
            yield Problem(
                setting,
                v,
                "must be a string" + (" or None" if optional else ""),
                f"write {setting} as quoted text" + (" or leave it unset" if optional else ""),
            )
    for setting, get, optional in _BOOL_FIELDS:
        v = get(c)
        if not isinstance(v, bool) and not (optional and v is None):
            yield Problem(
                setting, v, "must be True or False", f"write {setting}=True or False, without quotes"
            )
    if isinstance(c.sasl, OAuthBearerStatic):
        ext = c.sasl.extensions
        if not isinstance(ext, dict) or not all(isinstance(x, str) for kv in ext.items() for x in kv):
            yield Problem(
                "sasl.extensions",
                ext,
                "must map strings to strings",
                'write e.g. {"logicalCluster": "lkc-1"}',
            )
    suites = c.tls.cipher_suites
    if not isinstance(suites, tuple) or not all(isinstance(x, str) for x in suites):
        fix = "give a tuple or list of Go cipher suite names"
        if isinstance(suites, str):
            fix += f", e.g. cipher_suites={tuple(x.strip() for x in suites.split(',') if x.strip())!r}"
        yield Problem("tls.cipher_suites", suites, "must be a tuple or list of cipher suite names", fix)
    for name in ("ca", "client_cert", "client_key"):
        m = getattr(c.tls, name)
        if m is None:
            continue
        pem = m.pem if isinstance(m, PemMaterial) else None
        if isinstance(pem, SecretValue):
            pem = pem.value
        if not isinstance(m, PemMaterial) or not (pem is None or isinstance(pem, str) or _is_output(pem)):
            shown = f"<{type(pem).__name__}>" if isinstance(m, PemMaterial) else m
            yield Problem(
                f"tls.{name}",
                "***" if name == "client_key" else shown,
                "must hold PEM text (a str), a pulumi Output, or None for a file mounted out of band",
                f"pass tls.{name}=PemMaterial(<PEM text>) (decode bytes with .decode())",
            )


def _secret_fields(c: IngestStorageContract) -> list[tuple[str, Any]]:
    s = c.sasl
    if isinstance(s, PlainAuth | ScramAuth):
        return [("sasl.password", s.password)]
    if isinstance(s, OAuthBearerStatic):
        return [("sasl.token", s.token)]
    if isinstance(s, MskIamStatic):
        return [
            ("sasl.access_key", s.access_key),
            ("sasl.secret_key", s.secret_key),
            ("sasl.session_token", s.session_token),
        ]
    return []


def _secret_types(c: IngestStorageContract) -> Iterator[Problem]:
    """A secret must be a str or a pulumi Output; ``None`` inside means the Kafka side generates it."""
    for setting, held in _secret_fields(c):
        if held is None:
            continue  # an absent secret is rule_sasl_credentials' business
        v = held.value if isinstance(held, SecretValue) else held
        if v is None or isinstance(v, str) or _is_output(v):
            continue
        yield Problem(
            setting,
            "SecretValue(***)",
            f"holds a {type(v).__name__}, not a string or a pulumi Output (the value itself is not shown)",
            f"pass {setting} as a string, e.g. secret(str(...)), or as a pulumi secret Output",
        )


# --- Mimir's own Validate() (grafana/mimir pkg/storage/ingest/config.go @001afd28) -------------------


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
    # Host names are case-insensitive: "Kafka:9092" and "kafka:9092" are the same broker.
    first: dict[str, int] = {}
    for i, a in enumerate(c.addresses):
        first.setdefault(a.strip().lower(), i)
    unique = tuple(c.addresses[i] for i in sorted(first.values()))
    for i, a in enumerate(c.addresses):
        key = a.strip().lower()
        if first[key] != i:
            yield Problem(
                f"addresses[{i}]",
                a,
                f"repeats addresses[{first[key]}]",
                f"list each seed broker once: addresses={unique!r}",
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


def _pem_failure(text: str, want_key: bool) -> str | None:
    """Why ``text`` is not a PEM certificate chain (or private key), or ``None`` if it loads.

    The reasons are fixed phrases, never the library's message or the text: a key must not leak."""
    from cryptography import x509  # lazy: validation is imported by every component at start-up
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    data = text.strip().encode("utf-8", "replace")
    if b"-----BEGIN " not in data:
        if "\n" not in text.strip() and text.strip().startswith(("/", "./", "~")):
            return "looks like a file path, not PEM text"
        return "no '-----BEGIN ...-----' block found"
    has_key = b"PRIVATE KEY-----" in data
    if want_key:
        if not has_key:
            return "holds no PRIVATE KEY block (a certificate given as the key?)"
        try:
            load_pem_private_key(data, password=None)
        except TypeError:
            return "the key is encrypted; Mimir cannot read an encrypted key"
        except ValueError:
            return "the PRIVATE KEY block could not be decoded"
        except UnsupportedAlgorithm:
            return "the key type is not supported"
        return None
    if has_key:
        return "holds a PRIVATE KEY block; a private key does not belong here"
    if b"-----BEGIN CERTIFICATE-----" not in data:
        return "holds no CERTIFICATE block"
    try:
        x509.load_pem_x509_certificates(data)
    except ValueError:
        return "a CERTIFICATE block could not be decoded"
    return None


_PEM_FIELDS = (
    ("ca", False, "the CA certificate(s) that signed the brokers' certificates", "ca_path"),
    ("client_cert", False, "Mimir's client certificate", "cert_path"),
    ("client_key", True, "the private key of Mimir's client certificate", "key_path"),
)


def rule_tls_pem(c: IngestStorageContract) -> Iterator[Problem]:
    """PEM text given in clear is loaded with ``cryptography`` now, not discovered broken in the pods.
    Outputs are checked when they resolve (by the doctor), ``None`` means mounted out of band."""
    for name, want_key, what, path_field in _PEM_FIELDS:
        m = getattr(c.tls, name)
        pem = m.pem.value if m is not None and isinstance(m.pem, SecretValue) else getattr(m, "pem", None)
        if not isinstance(pem, str):
            continue
        reason = _pem_failure(pem, want_key)
        if reason is None:
            continue
        kind = "private key" if want_key else "certificate"
        one_line = "\n" not in pem.strip() and len(pem) <= 80 and "PRIVATE" not in pem
        shown = "***" if want_key else (pem if one_line else f"<{len(pem)} characters of text>")
        yield Problem(
            f"tls.{name}",
            shown,
            f"is not a PEM {kind}: {reason}",
            f"pass the PEM text of {what} (the file's content, not its path), or PemMaterial(None) with "
            f"tls.{path_field}=<path in the pods> for a file mounted out of band",
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


#: ConsumerTuning fields that are Go durations.
CONSUMER_DURATIONS = (
    "target_consumer_lag_at_startup",
    "max_consumer_lag_at_startup",
    "last_produced_offset_poll_interval",
    "consumer_group_offset_commit_interval",
    "query_ingesters_within",
)
#: ``max_buffered_bytes`` must stay below math.MaxInt32 (config.go @001afd28 Validate).
MAX_BUFFERED_BYTES_LIMIT = 2_147_483_647
_DURATION_PART = re.compile(r"([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def go_duration_seconds(text: str) -> float | None:
    """Seconds of a Go duration string, or None if it is not one."""
    if not isinstance(text, str) or not is_go_duration(text):
        return None
    return sum(float(n) * _UNIT_SECONDS[u] for n, u in _DURATION_PART.findall(text))


def rule_consumer_tuning(c: IngestStorageContract) -> Iterator[Problem]:
    """Mimir's own bounds (``KafkaConfig.Validate``, grafana/mimir pkg/storage/ingest/config.go @001afd28)."""
    t = c.consumer
    for name in CONSUMER_DURATIONS:
        yield from _duration(f"consumer.{name}", getattr(t, name))
    for name in ("fetch_concurrency_max", "ingestion_concurrency_max", "max_buffered_bytes"):
        low = 0
        value = getattr(t, name)
        if value < low:
            yield Problem(
                f"consumer.{name}",
                value,
                f"must be {low} or more (Mimir: 'must be greater than or equal to 0'; 0 disables it)",
                f"set consumer.{name} to {getattr(ConsumerTuning(), name)} (Mimir's default) or 0",
            )
    if t.max_buffered_bytes >= MAX_BUFFERED_BYTES_LIMIT:
        yield Problem(
            "consumer.max_buffered_bytes",
            t.max_buffered_bytes,
            f"Mimir requires it to be less than {MAX_BUFFERED_BYTES_LIMIT}",
            "set consumer.max_buffered_bytes to 1000000000 (Mimir's default) or less",
        )
    target = go_duration_seconds(t.target_consumer_lag_at_startup)
    most = go_duration_seconds(t.max_consumer_lag_at_startup)
    if target is not None and most is not None:
        if (target != 0) != (most != 0):
            yield Problem(
                "consumer.max_consumer_lag_at_startup",
                t.max_consumer_lag_at_startup,
                "the target and max consumer lag at startup must be either both 0 or both greater than 0 "
                "(Mimir's ErrInconsistentConsumerLagAtStartup)",
                "set both to 0 to skip waiting at startup, or both above 0 (defaults 2s and 15s)",
            )
        elif most < target:
            yield Problem(
                "consumer.max_consumer_lag_at_startup",
                t.max_consumer_lag_at_startup,
                f"must be greater than or equal to the target lag ({t.target_consumer_lag_at_startup})",
                f"set consumer.max_consumer_lag_at_startup to {t.target_consumer_lag_at_startup} or more",
            )
    for name in ("last_produced_offset_poll_interval", "consumer_group_offset_commit_interval"):
        # Both drive tickers (reader.go); a zero period is not a valid ticker interval.
        if go_duration_seconds(getattr(t, name)) == 0:
            yield Problem(
                f"consumer.{name}",
                getattr(t, name),
                "must be greater than 0 (it is the period of a ticker)",
                f"set consumer.{name} to {getattr(ConsumerTuning(), name)} (Grafana's jsonnet value)",
            )
    within = go_duration_seconds(t.query_ingesters_within)
    delete_after = go_duration_seconds(c.partition_ring.delete_inactive_partition_after)
    if within is not None and delete_after is not None and delete_after < within:
        yield Problem(
            "partition_ring.delete_inactive_partition_after",
            c.partition_ring.delete_inactive_partition_after,
            f"is shorter than consumer.query_ingesters_within ({t.query_ingesters_within}): an inactive "
            "partition would leave the ring while queriers still expect its ingesters to hold recent data "
            "(Grafana's jsonnet sets both to the same value)",
            f"set partition_ring.delete_inactive_partition_after to {t.query_ingesters_within}",
        )
    for name in ("fetch_concurrency_max", "ingestion_concurrency_max", "max_buffered_bytes"):
        value = getattr(t, name)
        setting = setting_for_yaml(("ingest_storage", "kafka", name))
        if setting is not None and value != setting.default and not setting.available_in(c.mimir_version):
            yield Problem(
                f"consumer.{name}",
                value,
                f"this package only renders it for Mimir {setting.since} or later "
                f"(target: {c.mimir_version})",
                f"leave consumer.{name} at {setting.default}, or set mimir_version to '3.1.3'",
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
    elif mm >= KAFKA_BROKEN_WITH_3_1_0 and V3_1 <= c.mimir_version < V3_1_2:
        # Exactly as the threads show it: 3.1.0/3.1.1 (and the 3.1 RCs) fail to commit offsets against the
        # newest brokers (#15319, reproduced by #15745 on Kafka 4.3.0 and fixed in 3.1.2 by capping the
        # protocol at 3.9); the reporter's 4.1 brokers worked, and 3.0.x is not shown affected.
        yield Problem(
            "mimir_version",
            str(c.mimir_version),
            f"Mimir {c.mimir_version} fails to commit consumed offsets against Kafka {c.kafka_version} "
            "brokers (UNKNOWN_TOPIC_ID, grafana/mimir#15319; fixed in 3.1.2 by capping the Kafka protocol "
            "at 3.9, #15745)",
            "set mimir_version to '3.1.3' (3.1.2 or later)",
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
    if lay.zones < 1 or lay.per_zone < 1:
        return
    # The ingesters the chart runs for this layout, and the partitions they own (contract/ingesters.py).
    need = partitions_needed(lay)
    if c.topic.partitions >= 1 and c.topic.partitions < need:
        yield Problem(
            "topic.partitions",
            c.topic.partitions,
            f"{lay.zones} zone(s) of {lay.per_zone} ingesters own partitions 0..{need - 1}; "
            f"ingesters {c.topic.partitions}..{need - 1} of each zone would own partitions that do not exist",
            f"set topic.partitions to at least {need} (more leaves room to scale ingesters up)",
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
    rule_tls_pem,
    rule_durations,
    rule_consumer_tuning,
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
            "Mimir's hard-coded 16,000,000-byte producer batch can exceed the 8 MiB cap under load; "
            + batch_fit_note(MSK_SERVERLESS_MAX_MESSAGE_BYTES),
            "prefer msk-provisioned for production",
        )
    if c.flavor is KafkaFlavor.CONFLUENT_CLOUD:
        yield Problem(
            "flavor",
            c.flavor.value,
            "Mimir's hard-coded 16,000,000-byte producer batch can exceed the 8 MiB cap of Basic, Standard "
            "and Enterprise clusters under load; " + batch_fit_note(CONFLUENT_CLOUD_MAX_MESSAGE_BYTES),
            "use a Dedicated cluster (flavor='confluent-cloud-dedicated') for production",
        )
    if c.sasl.mechanism is SaslMechanism.OAUTHBEARER and c.kafka_principal is None:
        yield Problem(
            "kafka_principal",
            None,
            "the OAUTHBEARER principal (the token's subject) is unknown, so no ACLs can be derived",
            "set kafka_principal='User:<token subject>'",
        )
    if (
        isinstance(c.sasl, PlainAuth | ScramAuth)
        and not FLAVORS[c.flavor].sasl_username_is_principal
        and c.kafka_principal is None
    ):
        yield Problem(
            "kafka_principal",
            None,
            f"on {c.flavor.value} the SASL username is an API key, not the principal ACLs name, so no ACLs "
            "can be derived",
            "set kafka_principal='User:sa-<id>' (the API key's service account)",
        )
    if c.tls.mutual and c.sasl.mechanism is None and c.kafka_principal is None:
        yield Problem(
            "kafka_principal",
            None,
            "the mTLS principal is unknown, so no ACLs can be derived",
            "set kafka_principal='User:CN=<certificate CN>' as the broker maps it",
        )


def warn_versions(c: IngestStorageContract) -> Iterator[Problem]:
    mm = kafka_major_minor(c.kafka_version) if isinstance(c.kafka_version, str) else None
    if mm is not None and (4, 0) <= mm < KAFKA_BROKEN_WITH_3_1_0 and V3_1 <= c.mimir_version < V3_1_2:
        yield Problem(
            "mimir_version",
            str(c.mimir_version),
            f"Mimir {c.mimir_version} with Kafka {c.kafka_version}: the grafana/mimir#15319 reporter ran 4.1 "
            "brokers without offset-commit failures, but 3.1.0/3.1.1 negotiate Kafka 4 protocol versions "
            "that 3.1.2 caps at 3.9 (#15745)",
            "prefer mimir_version '3.1.3'",
        )
    if c.ingesters.zones > 3:
        # grafana/mimir@00dc4b65:operations/mimir/ingest-storage.libsonnet
        yield Problem(
            "ingesters.zones",
            c.ingesters.zones,
            "Grafana's jsonnet for ingest storage supports 2 or 3 ingester zones "
            "(ingest-storage.libsonnet: 'ingest storage requires either 2 or 3 ingester zones')",
            "use 2 or 3 zones",
        )


WARNING_RULES: tuple[Rule, ...] = (
    warn_tls,
    warn_replication,
    warn_static_credentials,
    warn_flavor,
    warn_versions,
)
