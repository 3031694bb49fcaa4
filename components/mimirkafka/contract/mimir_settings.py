"""Mimir's known settings that the contract renders or parses, with the release that introduced each.

Built from ``grafana/mimir`` ``pkg/storage/ingest/config.go`` (commit ``001afd28``), ``grafana/dskit``
``crypto/tls/tls.go`` (the TLS client flags) and ``grafana/mimir`` ``CHANGELOG.md`` (commit ``00135b60``: the
release that added each flag); the settings outside ``ingest_storage`` from ``pkg/distributor/distributor.go``
and ``pkg/ingester/ingester_partition_ring.go``. ``since=None`` marks a flag that exists only on ``main``
(unreleased): the renderer never emits those.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mimirkafka.contract.model import MimirVersion

SettingType = Literal["string", "int", "float", "boolean", "duration", "list", "secret", "map"]

V2_0 = MimirVersion(2, 0, 0)
V2_14 = MimirVersion(2, 14, 0)
V2_15 = MimirVersion(2, 15, 0)
V3_0 = MimirVersion(3, 0, 0)
V3_1 = MimirVersion(3, 1, 0)
#: First release that caps the Kafka protocol at v3.9.0 (PR #15745), fixing the offset-commit failures of
#: 3.1.0/3.1.1 against Kafka 4.2+ brokers (issue #15319).
V3_1_2 = MimirVersion(3, 1, 2)
#: The newest release-3.1 patch ("[release-3.1] Prepare release 3.1.3", grafana/mimir#16082).
V3_1_3 = MimirVersion(3, 1, 3)
#: Oldest Mimir this package targets: ingest storage became stable in 3.0.
MIN_SUPPORTED = V3_0
#: Newest release the table was checked against (3.1.3 is a patch release of the 3.1 line; 3.2.0 exists,
#: grafana/mimir#16003, but its config.go was not read, so it is not claimed here).
NEWEST_RELEASE = V3_1_3


@dataclass(frozen=True)
class MimirSetting:
    """One Mimir setting: its CLI flag (no leading ``-``) and its YAML path, two names of one value."""

    flag: str
    yaml_path: tuple[str, ...]
    type: SettingType
    default: object
    #: The release that introduced the setting; ``None`` = only on ``main`` (unreleased).
    since: MimirVersion | None
    secret: bool = False
    #: For ``list`` settings that were a single string before: the release that accepts a list.
    list_since: MimirVersion | None = None

    @property
    def yaml_key(self) -> str:
        return ".".join(self.yaml_path)

    def available_in(self, version: MimirVersion) -> bool:
        return self.since is not None and self.since <= version


def _k(
    flag: str,
    key: str,
    type_: SettingType,
    default: object,
    since: MimirVersion | None,
    secret: bool = False,
    list_since: MimirVersion | None = None,
) -> MimirSetting:
    """A setting of the ``ingest_storage.kafka`` block (SASL and TLS structs are inlined there)."""
    return MimirSetting(
        f"ingest-storage.kafka.{flag}",
        ("ingest_storage", "kafka", key),
        type_,
        default,
        since,
        secret,
        list_since,
    )


SETTINGS: tuple[MimirSetting, ...] = (
    # --- top level (config.go Config) --------------------------------------------------------------
    MimirSetting("ingest-storage.enabled", ("ingest_storage", "enabled"), "boolean", False, V2_14),
    MimirSetting(
        "ingest-storage.write-logs-fsync-before-kafka-commit-concurrency",
        ("ingest_storage", "write_logs_fsync_before_kafka_commit_concurrency"),
        "int",
        4,
        V3_0,
    ),
    # --- connection and client (config.go KafkaConfig) ---------------------------------------------
    _k("backend", "backend", "string", "kafka", None),
    _k("address", "address", "list", "", V2_14, list_since=V3_1),
    _k("topic", "topic", "string", "", V2_14),
    _k("client-id", "client_id", "string", "", V2_14),
    _k("client-rack", "client_rack", "string", "", V3_1),
    _k("dial-timeout", "dial_timeout", "duration", "2s", V2_14),
    _k("write-timeout", "write_timeout", "duration", "10s", V2_14),
    _k("write-timeout-overhead", "write_timeout_overhead", "duration", "2s", None),
    # --- consumer side (config.go KafkaConfig) -----------------------------------------------------
    _k("consumer-group", "consumer_group", "string", "", V2_14),
    _k(
        "consumer-group-offset-commit-interval",
        "consumer_group_offset_commit_interval",
        "duration",
        "1s",
        V2_14,
    ),
    _k("last-produced-offset-poll-interval", "last_produced_offset_poll_interval", "duration", "1s", V2_14),
    _k("last-produced-offset-retry-timeout", "last_produced_offset_retry_timeout", "duration", "10s", V2_14),
    _k(
        "consume-from-position-at-startup", "consume_from_position_at_startup", "string", "last-offset", V2_14
    ),
    _k("consume-from-timestamp-at-startup", "consume_from_timestamp_at_startup", "int", 0, V2_14),
    _k("target-consumer-lag-at-startup", "target_consumer_lag_at_startup", "duration", "2s", V2_14),
    _k("max-consumer-lag-at-startup", "max_consumer_lag_at_startup", "duration", "15s", V2_14),
    _k("fetch-max-wait", "fetch_max_wait", "duration", "5s", V3_0),
    _k("fetch-concurrency-max", "fetch_concurrency_max", "int", 12, V2_15),
    _k(
        "use-compressed-bytes-as-fetch-max-bytes",
        "use_compressed_bytes_as_fetch_max_bytes",
        "boolean",
        True,
        V2_15,
    ),
    _k("max-buffered-bytes", "max_buffered_bytes", "int", 1_000_000_000, V2_15),
    # Default from main @001afd28 config.go (8; grafana/mimir CHANGELOG.md ## 3.1.0 changed the defaults of
    # the ingestion path, grafana/mimir#15072). The release that introduced it was not read, so the table
    # claims it only from 3.1.0 on: the contract refuses a non-default value for older targets.
    _k("ingestion-concurrency-max", "ingestion_concurrency_max", "int", 8, V3_1),
    # --- producer side (config.go KafkaConfig; record size bounds in writer.go) ----------------------
    _k("auto-create-topic-enabled", "auto_create_topic_enabled", "boolean", True, V2_14),
    _k("auto-create-topic-default-partitions", "auto_create_topic_default_partitions", "int", -1, V2_14),
    _k("producer-max-record-size-bytes", "producer_max_record_size_bytes", "int", 15_983_616, V2_14),
    _k("producer-max-buffered-bytes", "producer_max_buffered_bytes", "int", 1_073_741_824, V2_15),
    _k("producer-compression", "producer_compression", "string", "", None),
    # --- SASL (config.go KafkaAuthConfig, inlined) -------------------------------------------------
    _k("sasl-mechanism", "sasl_mechanism", "string", "PLAIN", V3_1),
    _k("sasl-username", "sasl_username", "string", "", V2_15),
    _k("sasl-password", "sasl_password", "secret", "", V2_15, secret=True),
    _k("sasl-oauthbearer-token", "sasl_oauthbearer_token", "secret", "", V3_1, secret=True),
    _k("sasl-oauthbearer-zid", "sasl_oauthbearer_zid", "string", "", V3_1),
    _k("sasl-oauthbearer-extensions", "sasl_oauthbearer_extensions", "map", {}, V3_1),
    _k("sasl-oauthbearer-file-path", "sasl_oauthbearer_file_path", "string", "", V3_1),
    _k("sasl-oauthbearer-http-socket-path", "sasl_oauthbearer_http_socket_path", "string", "", V3_1),
    _k(
        "sasl-oauthbearer-http-socket-timeout",
        "sasl_oauthbearer_http_socket_timeout",
        "duration",
        "10s",
        V3_1,
    ),
    _k("sasl-msk-iam-access-key", "sasl_msk_iam_access_key", "secret", "", V3_1, secret=True),
    _k("sasl-msk-iam-secret-key", "sasl_msk_iam_secret_key", "secret", "", V3_1, secret=True),
    _k("sasl-msk-iam-session-token", "sasl_msk_iam_session_token", "secret", "", V3_1, secret=True),
    _k("sasl-msk-iam-user-agent", "sasl_msk_iam_user_agent", "string", "", V3_1),
    _k("sasl-msk-iam-file-path", "sasl_msk_iam_file_path", "string", "", V3_1),
    _k("sasl-msk-iam-http-socket-path", "sasl_msk_iam_http_socket_path", "string", "", V3_1),
    _k("sasl-msk-iam-http-socket-timeout", "sasl_msk_iam_http_socket_timeout", "duration", "10s", V3_1),
    # --- TLS (dskit crypto/tls/tls.go ClientConfig, prefix with its trailing dot trimmed) ----------
    _k("tls-enabled", "tls_enabled", "boolean", False, V3_1),
    _k("tls-cert-path", "tls_cert_path", "string", "", V3_1),
    _k("tls-key-path", "tls_key_path", "string", "", V3_1),
    _k("tls-ca-path", "tls_ca_path", "string", "", V3_1),
    _k("tls-server-name", "tls_server_name", "string", "", V3_1),
    _k("tls-insecure-skip-verify", "tls_insecure_skip_verify", "boolean", False, V3_1),
    _k("tls-cipher-suites", "tls_cipher_suites", "string", "", V3_1),
    _k("tls-min-version", "tls_min_version", "string", "", V3_1),
    # --- other settings an ingest-storage deployment needs (distributor.go, ingester_partition_ring.go)
    MimirSetting("distributor.remote-timeout", ("distributor", "remote_timeout"), "duration", "2s", V2_0),
    MimirSetting(
        "ingester.push-grpc-method-enabled", ("ingester", "push_grpc_method_enabled"), "boolean", True, V2_14
    ),
    MimirSetting(
        "ingester.partition-ring.store",
        ("ingester", "partition_ring", "kvstore", "store"),
        "string",
        "memberlist",
        V2_14,
    ),
    MimirSetting(
        "ingester.partition-ring.prefix",
        ("ingester", "partition_ring", "kvstore", "prefix"),
        "string",
        "collectors/",
        V2_14,
    ),
    MimirSetting(
        "ingester.partition-ring.min-partition-owners-count",
        ("ingester", "partition_ring", "min_partition_owners_count"),
        "int",
        1,
        V2_14,
    ),
    MimirSetting(
        "ingester.partition-ring.min-partition-owners-duration",
        ("ingester", "partition_ring", "min_partition_owners_duration"),
        "duration",
        "10s",
        V2_14,
    ),
    MimirSetting(
        "ingester.partition-ring.delete-inactive-partition-after",
        ("ingester", "partition_ring", "delete_inactive_partition_after"),
        "duration",
        "13h",
        V2_14,
    ),
    # operations/mimir/ingest-storage.libsonnet @00dc4b65: "The default -querier.query-ingesters-within in
    # Mimir is 13 hours"; the jsonnet sets delete-inactive-partition-after to the same value.
    MimirSetting(
        "querier.query-ingesters-within",
        ("querier", "query_ingesters_within"),
        "duration",
        "13h",
        V2_0,
    ),
)

BY_FLAG: dict[str, MimirSetting] = {s.flag: s for s in SETTINGS}
BY_YAML: dict[tuple[str, ...], MimirSetting] = {s.yaml_path: s for s in SETTINGS}


def setting_for_flag(flag: str) -> MimirSetting | None:
    """Looks a flag up by name, with or without its leading ``-``/``--``."""
    return BY_FLAG.get(flag.lstrip("-"))


def setting_for_yaml(path: tuple[str, ...] | str) -> MimirSetting | None:
    key = tuple(path.split(".")) if isinstance(path, str) else path
    return BY_YAML.get(key)
