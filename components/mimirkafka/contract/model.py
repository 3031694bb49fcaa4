"""The ingest-storage contract: one typed model of Mimir's Kafka settings.

Everything else in the package is derived from an :class:`IngestStorageContract`: the Kafka side
(broker and topic limits, listener, users, ACLs, IAM) and the Mimir side (YAML config, CLI flags,
Helm values, secret references, TLS mounts). Plain Python only: no Pulumi resources are created
here, so the model can be built, validated and rendered in a unit test or a REPL.

Secret values (passwords, tokens, keys) are held in :class:`SecretValue`, whose ``value`` may be a
``str`` or a ``pulumi.Output``; the renderers never read it, they emit ``${ENV_VAR}`` references.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Literal

#: Mimir's hard-coded producer batch cap (``producerBatchMaxBytes`` in ``writer_client.go``).
PRODUCER_BATCH_MAX_BYTES = 16_000_000
#: Default and maximum of ``-ingest-storage.kafka.producer-max-record-size-bytes`` (16,000,000 - 16 KiB).
MAX_PRODUCER_RECORD_SIZE_BYTES = 15_983_616
#: Minimum of ``-ingest-storage.kafka.producer-max-record-size-bytes``.
MIN_PRODUCER_RECORD_SIZE_BYTES = 1_048_576


class KafkaFlavor(str, Enum):
    """Which Kafka implementation Mimir talks to; decides limits, mechanisms and quirks."""

    APACHE = "apache"
    CONFLUENT = "confluent"
    MSK_PROVISIONED = "msk-provisioned"
    MSK_EXPRESS = "msk-express"
    MSK_SERVERLESS = "msk-serverless"
    #: Confluent Cloud Basic, Standard or Enterprise clusters (8 MiB message cap); Confluent Platform
    #: (self-managed, CFK) is ``CONFLUENT``.
    CONFLUENT_CLOUD = "confluent-cloud"
    #: Confluent Cloud Dedicated clusters, whose message cap (20 MiB) is above Mimir's batch cap.
    CONFLUENT_CLOUD_DEDICATED = "confluent-cloud-dedicated"
    STRIMZI = "strimzi"
    REDPANDA = "redpanda"
    WARPSTREAM = "warpstream"


class SaslMechanism(str, Enum):
    PLAIN = "PLAIN"
    SCRAM_SHA_256 = "SCRAM-SHA-256"
    SCRAM_SHA_512 = "SCRAM-SHA-512"
    OAUTHBEARER = "OAUTHBEARER"
    AWS_MSK_IAM = "AWS_MSK_IAM"


@dataclass(frozen=True, order=True)
class MimirVersion:
    """A Mimir release, e.g. ``MimirVersion.parse("3.1.2")``."""

    major: int
    minor: int
    patch: int = 0

    @classmethod
    def parse(cls, text: str) -> MimirVersion:
        pattern = r"(?:mimir-)?v?(\d+)\.(\d+)(?:\.(\d+))?"
        m = re.fullmatch(pattern, text.strip()) if isinstance(text, str) else None
        if not m:
            raise ValueError(f"mimir_version: {text!r} is not a Mimir release number; set it like '3.1.2'")
        return cls(int(m.group(1)), int(m.group(2)), int(m.group(3) or 0))

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


class SecretValue:
    """A secret held by the contract but never rendered.

    ``value`` may be a plain ``str`` (tests, REPL) or a ``pulumi.Output`` (components mark it secret).
    ``None`` means "not known yet: the Kafka component generates it" (e.g. a SCRAM password created by
    the Strimzi User Operator); validation accepts it, an empty string it refuses.
    ``repr``/``str`` never show it, so it cannot leak through logs or exception messages.
    """

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        return "SecretValue(***)"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SecretValue) and other.value is self.value

    def __hash__(self) -> int:
        return id(self.value)

    @classmethod
    def to_generate(cls) -> SecretValue:
        """A secret the Kafka side generates (``value`` is ``None`` until then)."""
        return cls(None)

    @property
    def is_generated(self) -> bool:
        return self.value is None


def secret(value: Any) -> SecretValue:
    """Wraps ``value`` unless it already is a :class:`SecretValue`."""
    return value if isinstance(value, SecretValue) else SecretValue(value)


def _wrap_secrets(obj: Any, *names: str) -> None:
    """A plain str or Output given for a secret field is wrapped, so it is masked from then on."""
    for name in names:
        value = getattr(obj, name)
        if value is not None and not isinstance(value, SecretValue):
            object.__setattr__(obj, name, SecretValue(value))


# --- Authentication: a closed set of variants -------------------------------------------------


@dataclass(frozen=True)
class NoSasl:
    """No SASL (Mimir's PLAIN with empty username and password). TLS may still be on."""

    @property
    def mechanism(self) -> None:
        return None


@dataclass(frozen=True)
class PlainAuth:
    username: str
    password: SecretValue

    mechanism: Literal[SaslMechanism.PLAIN] = field(default=SaslMechanism.PLAIN, init=False)

    def __post_init__(self) -> None:
        _wrap_secrets(self, "password")


@dataclass(frozen=True)
class ScramAuth:
    username: str
    password: SecretValue
    sha: Literal[256, 512] = 512

    def __post_init__(self) -> None:
        _wrap_secrets(self, "password")

    @property
    def mechanism(self) -> SaslMechanism:
        return SaslMechanism.SCRAM_SHA_512 if self.sha == 512 else SaslMechanism.SCRAM_SHA_256


@dataclass(frozen=True)
class OAuthBearerStatic:
    """A static token; refreshing it needs a restart of every Mimir component."""

    token: SecretValue
    zid: str | None = None
    extensions: dict[str, str] = field(default_factory=dict)

    mechanism: Literal[SaslMechanism.OAUTHBEARER] = field(default=SaslMechanism.OAUTHBEARER, init=False)

    def __post_init__(self) -> None:
        _wrap_secrets(self, "token")


@dataclass(frozen=True)
class OAuthBearerFile:
    """A JSON file ``{"token", "zid"?, "extensions"?}`` re-read on every re-authentication."""

    path: str

    mechanism: Literal[SaslMechanism.OAUTHBEARER] = field(default=SaslMechanism.OAUTHBEARER, init=False)


@dataclass(frozen=True)
class OAuthBearerSocket:
    """A unix socket answering ``GET /`` with the same JSON as the file variant."""

    socket_path: str
    timeout: str = "10s"

    mechanism: Literal[SaslMechanism.OAUTHBEARER] = field(default=SaslMechanism.OAUTHBEARER, init=False)


@dataclass(frozen=True)
class MskIamStatic:
    access_key: SecretValue
    secret_key: SecretValue
    session_token: SecretValue | None = None
    user_agent: str | None = None

    mechanism: Literal[SaslMechanism.AWS_MSK_IAM] = field(default=SaslMechanism.AWS_MSK_IAM, init=False)

    def __post_init__(self) -> None:
        _wrap_secrets(self, "access_key", "secret_key", "session_token")


@dataclass(frozen=True)
class MskIamFile:
    """A JSON file ``{"AccessKey", "SecretKey", "SessionToken"?, "UserAgent"?}``."""

    path: str

    mechanism: Literal[SaslMechanism.AWS_MSK_IAM] = field(default=SaslMechanism.AWS_MSK_IAM, init=False)


@dataclass(frozen=True)
class MskIamSocket:
    socket_path: str
    timeout: str = "10s"

    mechanism: Literal[SaslMechanism.AWS_MSK_IAM] = field(default=SaslMechanism.AWS_MSK_IAM, init=False)


SaslAuth = (
    NoSasl
    | PlainAuth
    | ScramAuth
    | OAuthBearerStatic
    | OAuthBearerFile
    | OAuthBearerSocket
    | MskIamStatic
    | MskIamFile
    | MskIamSocket
)


@dataclass(frozen=True)
class PemMaterial:
    """PEM content for a TLS file Mimir reads. ``pem`` may be ``None`` when the file is provided
    out of band (e.g. a Strimzi-generated Secret); ``secret`` marks content that must be a Secret."""

    #: Never shown by ``repr``: a private key must not leak through logs or exception messages.
    pem: Any = field(default=None, repr=False)
    secret: bool = False


@dataclass(frozen=True)
class TlsConfig:
    """Mimir's ``tls_*`` settings. Paths are where Mimir finds the files inside its pods."""

    enabled: bool = False
    ca: PemMaterial | None = None
    client_cert: PemMaterial | None = None
    client_key: PemMaterial | None = None
    server_name: str | None = None
    insecure_skip_verify: bool = False
    min_version: str | None = None
    cipher_suites: tuple[str, ...] = ()
    mount_dir: str = "/etc/mimir/kafka-tls"
    #: Explicit in-pod paths; ``None`` means ``<mount_dir>/ca.crt``, ``tls.crt``, ``tls.key``. Set them when
    #: the files are mounted out of band (e.g. a Strimzi user Secret) or parsed from an existing config.
    ca_path: str | None = None
    cert_path: str | None = None
    key_path: str | None = None

    def __post_init__(self) -> None:
        # PEM text given directly is wrapped; a client key is always secret material.
        for name in ("ca", "client_cert", "client_key"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, PemMaterial):
                object.__setattr__(self, name, PemMaterial(value, secret=name == "client_key"))
        # A list is normalised to a tuple; a plain string is left as is for validation to refuse: a single
        # "TLS_A,TLS_B" string is ambiguous with a typo'd one-element tuple ("TLS_A" without the comma).
        if isinstance(self.cipher_suites, list):
            object.__setattr__(self, "cipher_suites", tuple(self.cipher_suites))

    @property
    def mutual(self) -> bool:
        return self.client_cert is not None or self.client_key is not None


@dataclass(frozen=True)
class IngesterLayout:
    """Zone-aware ingesters: the topic's partitions must cover ``per_zone`` (one partition each)."""

    zones: int = 3
    per_zone: int = 1


@dataclass(frozen=True)
class PartitionRingSettings:
    """``ingester.partition_ring.*``: when a PENDING partition becomes ACTIVE, and where the ring lives."""

    kvstore_store: str = "memberlist"
    min_partition_owners_count: int = 1
    min_partition_owners_duration: str = "10s"
    delete_inactive_partition_after: str = "13h"


@dataclass(frozen=True)
class ConsumerTuning:
    """The consumer-side settings operators tune, with Mimir's bounds (``validation.rule_consumer_tuning``).

    Defaults are Mimir's own (grafana/mimir ``pkg/storage/ingest/config.go`` @001afd28, the 3.1 defaults;
    fetch concurrency and buffered bytes changed in 3.1.0, #15072) except where Grafana's jsonnet for ingest
    storage recommends otherwise (``operations/mimir/ingest-storage.libsonnet`` @00dc4b65, on ingesters and
    query-frontends): ``last_produced_offset_poll_interval`` 500ms ("improve latency of strong consistency
    reads") and ``consumer_group_offset_commit_interval`` 5s ("reduce the OffsetCommit pressure"). The
    rendering writes a key only when it differs from Mimir's default, and the Helm values pass each one
    only to the components that use it (``mimirkafka.mimir.components``).
    """

    #: ``-ingest-storage.kafka.fetch-concurrency-max`` (ingesters; >= 0, 0 disables concurrent fetching).
    fetch_concurrency_max: int = 12
    #: ``-ingest-storage.kafka.ingestion-concurrency-max`` (ingesters; >= 0, 0 disables).
    ingestion_concurrency_max: int = 8
    #: ``-ingest-storage.kafka.max-buffered-bytes`` (ingesters; 0 disables, must stay below 2^31-1).
    max_buffered_bytes: int = 1_000_000_000
    #: ``-ingest-storage.kafka.target-consumer-lag-at-startup`` (ingesters; both lags 0, or both > 0).
    target_consumer_lag_at_startup: str = "2s"
    #: ``-ingest-storage.kafka.max-consumer-lag-at-startup`` (ingesters; >= the target lag).
    max_consumer_lag_at_startup: str = "15s"
    #: ``-ingest-storage.kafka.last-produced-offset-poll-interval`` (ingesters and query-frontends).
    last_produced_offset_poll_interval: str = "500ms"
    #: ``-ingest-storage.kafka.consumer-group-offset-commit-interval`` (ingesters).
    consumer_group_offset_commit_interval: str = "5s"
    #: ``-querier.query-ingesters-within``: how far back queriers ask ingesters. The jsonnet ties
    #: ``partition_ring.delete_inactive_partition_after`` to it; a shorter deletion delay is refused.
    query_ingesters_within: str = "13h"


@dataclass(frozen=True)
class TopicSettings:
    """The ingest topic as the Kafka side must create it."""

    name: str = "mimir-ingest"
    partitions: int = 16
    replication_factor: int = 3
    min_insync_replicas: int = 2
    retention_ms: int = 24 * 3600 * 1000
    #: Partitions of the topic as deployed today (from state); shrinking is refused.
    deployed_partitions: int | None = None


@dataclass(frozen=True)
class IngestStorageContract:
    """Everything both sides must agree on. Build it, call :func:`validate`, then derive."""

    addresses: tuple[str, ...]
    topic: TopicSettings = field(default_factory=TopicSettings)
    flavor: KafkaFlavor = KafkaFlavor.APACHE
    mimir_version: MimirVersion = field(default_factory=lambda: MimirVersion(3, 1, 2))
    #: Major.minor of the Kafka brokers, e.g. "4.1"; decides the Mimir version floor.
    kafka_version: str = "4.1"
    sasl: SaslAuth = field(default_factory=NoSasl)
    tls: TlsConfig = field(default_factory=TlsConfig)
    ingesters: IngesterLayout = field(default_factory=IngesterLayout)
    enabled: bool = True
    auto_create_topic_enabled: bool = False
    remote_timeout: str = "5s"
    producer_max_record_size_bytes: int = MAX_PRODUCER_RECORD_SIZE_BYTES
    use_compressed_bytes_as_fetch_max_bytes: bool | None = None
    client_id: str | None = None
    #: Prefix of the consumer groups Mimir uses (the ingester instance IDs), for ACLs.
    consumer_group_prefix: str = "ingester-"
    #: The Kafka principal Mimir authenticates as, when it cannot be derived from a SASL username
    #: (mTLS: ``User:CN=mimir`` as the broker's principal builder maps the certificate; OAUTHBEARER: the
    #: token's subject). Used for ACLs; ``None`` with SASL PLAIN/SCRAM means ``User:<username>``.
    kafka_principal: str | None = None
    #: Consumer group of the block-builder (Mimir default ``block-builder``), or ``None`` when none runs.
    block_builder_consumer_group: str | None = None
    partition_ring: PartitionRingSettings = field(default_factory=PartitionRingSettings)
    #: Consumer-side tuning (fetch/ingestion concurrency, startup lag, offset polling and commits).
    consumer: ConsumerTuning = field(default_factory=ConsumerTuning)

    def __post_init__(self) -> None:
        # Friendly inputs (config files, the REPL) are normalised once, so every derivation sees one shape:
        # "a:9092,b:9092" or a list become a tuple, "3.1.2" a MimirVersion, "msk-provisioned" a KafkaFlavor.
        # Anything else is left untouched for validation to report as a Problem: building a contract never
        # raises, so every mistake shows up in one ContractError.
        if self.addresses is None:
            object.__setattr__(self, "addresses", ())
        elif isinstance(self.addresses, str):
            split = tuple(a.strip() for a in self.addresses.split(",") if a.strip())
            object.__setattr__(self, "addresses", split)
        elif isinstance(self.addresses, list | tuple):
            stripped = tuple(a.strip() if isinstance(a, str) else a for a in self.addresses)
            object.__setattr__(self, "addresses", stripped)
        if isinstance(self.mimir_version, str):
            # A wrong one ("latest") stays a str: validation's type rule reports it with the fix.
            with contextlib.suppress(ValueError):
                object.__setattr__(self, "mimir_version", MimirVersion.parse(self.mimir_version))
        if isinstance(self.flavor, str) and not isinstance(self.flavor, KafkaFlavor):
            flavors = {f.value: f for f in KafkaFlavor}
            if self.flavor in flavors:
                object.__setattr__(self, "flavor", flavors[self.flavor])
