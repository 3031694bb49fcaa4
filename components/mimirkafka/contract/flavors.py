"""What each Kafka flavor offers and accepts: mechanisms, limits, settable configs, ports and quirks.

Sources:

* MSK provisioned, Express and Serverless: the AWS MSK developer guide
  (https://docs.aws.amazon.com/msk/latest/developerguide/), pages msk-configuration-properties,
  msk-configuration-express-read-write, msk-configuration-express-read-only, serverless-config, port-info
  and msk-password (SCRAM-SHA-512 only, TLS turned on, ``AmazonMSK_`` secrets with a customer KMS key).
* Strimzi: ``strimzi/strimzi-kafka-operator`` @1.2.0, the listener ``authentication.type`` enum of
  ``packaging/install/cluster-operator/040-Crd-kafka.yaml`` (``tls``, ``scram-sha-512``, ``custom``) and
  ``KafkaClusterSpec.FORBIDDEN_PREFIXES``.
* Apache Kafka: the broker configuration reference (kafka.apache.org/documentation/#brokerconfigs,
  ``message.max.bytes``); Mimir's 16000000 from ``grafana/mimir``
  ``docs/sources/mimir/configure/configure-kafka-backend.md`` and grafana/mimir#14821.
* Redpanda: ``redpanda-data/redpanda`` ``src/v/config/configuration.cc`` (``kafka_batch_max_bytes``) and
  docs.redpanda.com topic-properties (``max.message.bytes``).
* Confluent Platform: https://docs.confluent.io/operator/current/co-configure-misc.html (configOverrides)
  and co-configure-overview.html (replication defaults).
* WarpStream: Mimir's configure-kafka-backend.md (``use-compressed-bytes-as-fetch-max-bytes=false``) and
  WarpStream's "Enable Agent Authentication" page (SASL/PLAIN and SASL/SCRAM-SHA-512, TLS and mTLS on the
  Kafka port).

The Confluent Cloud traits are from memory of Confluent's documentation, not read from an upstream page here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from mimirkafka.contract.model import MAX_PRODUCER_RECORD_SIZE_BYTES, KafkaFlavor, SaslMechanism

M = SaslMechanism

#: Apache Kafka's broker default for ``message.max.bytes`` (1 MiB + 12 bytes of log overhead).
KAFKA_DEFAULT_MESSAGE_MAX_BYTES = 1_048_588
#: MSK Serverless caps a topic's ``max.message.bytes`` at 8 MiB.
MSK_SERVERLESS_MAX_MESSAGE_BYTES = 8_388_608
#: Confluent Cloud's cap on a topic's ``max.message.bytes`` on Basic, Standard and Enterprise clusters, and on
#: Dedicated ones. FROM MEMORY of Confluent's "Kafka cluster types" / topic-config docs, not read upstream
#: and not verified offline: check Confluent's current limits if a topic config update is refused.
CONFLUENT_CLOUD_MAX_MESSAGE_BYTES = 8_388_608
CONFLUENT_CLOUD_DEDICATED_MAX_MESSAGE_BYTES = 20_971_520
#: Room kept below a flavor's message cap for record-batch overhead; Mimir keeps the same 16 KiB
#: between its producer batch cap and its largest record.
RECORD_OVERHEAD_BYTES = 16_384

#: Topic configs Apache Kafka accepts that this package sets.
_ALL_TOPIC_CONFIGS = frozenset({"max.message.bytes", "min.insync.replicas", "retention.ms", "cleanup.policy"})


@dataclass(frozen=True)
class FlavorTraits:
    flavor: KafkaFlavor
    #: SASL mechanisms the flavor can offer to clients.
    mechanisms: frozenset[SaslMechanism]
    #: Client certificate authentication (mTLS) is possible.
    mtls: bool = True
    #: Clients may connect with neither SASL nor mTLS.
    unauthenticated: bool = True
    #: TLS is mandatory for every client connection.
    tls_required: bool = False
    #: SASL with a username and password is only offered over TLS (MSK turns TLS on with SCRAM).
    sasl_requires_tls: bool = False
    #: The package may set broker (cluster-wide) configs; otherwise only topic configs.
    broker_config_settable: bool = True
    #: Topic configs the flavor lets a client set (others are locked or ignored).
    topic_configs: frozenset[str] = _ALL_TOPIC_CONFIGS
    #: Broker property that caps a record batch, if it differs from Kafka's ``message.max.bytes``.
    broker_batch_property: str = "message.max.bytes"
    #: The broker's default for the batch cap (what a client gets if nobody raises it).
    default_max_message_bytes: int | None = KAFKA_DEFAULT_MESSAGE_MAX_BYTES
    #: A hard upper bound on a topic's ``max.message.bytes`` that cannot be raised.
    max_message_bytes_cap: int | None = None
    #: The flavor fixes these; a contract asking for something else is refused.
    fixed_replication_factor: int | None = None
    fixed_min_insync_replicas: int | None = None
    #: Fetch MaxBytes counts uncompressed bytes: Mimir must set use_compressed_bytes_as_fetch_max_bytes=false.
    fetch_max_bytes_uncompressed: bool = False
    #: A SASL PLAIN/SCRAM username is the Kafka principal (``User:<username>``) that ACLs name. Not on
    #: Confluent Cloud: the username is an API key, ACLs name its service account (``User:sa-...``).
    sasl_username_is_principal: bool = True
    #: Fixed listener ports by client path: "plaintext", "tls" (incl. mTLS), "scram", "iam".
    ports: dict[str, frozenset[int]] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def offers(self, mechanism: SaslMechanism | None) -> bool:
        return self.unauthenticated if mechanism is None else mechanism in self.mechanisms

    def port_path(self, mechanism: SaslMechanism | None, tls: bool) -> str:
        """Which of :attr:`ports` a client with this mechanism and TLS setting must use."""
        if mechanism is M.AWS_MSK_IAM:
            return "iam"
        if mechanism in (M.SCRAM_SHA_256, M.SCRAM_SHA_512):
            return "scram"
        return "tls" if tls else "plaintext"

    def client_port(self, path: str) -> int:
        """The in-VPC listener port of ``path``: the lowest the flavor lists (public and IPv6 are higher)."""
        return min(self.ports[path])


# MSK in-VPC / public / IPv6 ports (AWS MSK developer guide, port-info.html).
_MSK_PORTS = {
    "plaintext": frozenset({9092, 20092}),
    "tls": frozenset({9094, 9194, 20094}),
    "scram": frozenset({9096, 9196, 20096}),
    "iam": frozenset({9098, 9198, 20098}),
}


def _confluent_cloud(flavor: KafkaFlavor, cap: int, notes: tuple[str, ...]) -> FlavorTraits:
    """Both Confluent Cloud cluster kinds: same mechanisms and rules, different message cap."""
    return FlavorTraits(
        flavor,
        frozenset({M.PLAIN, M.OAUTHBEARER}),
        mtls=False,
        unauthenticated=False,
        tls_required=True,
        sasl_requires_tls=True,
        broker_config_settable=False,
        topic_configs=frozenset({"max.message.bytes", "retention.ms", "cleanup.policy"}),
        # Confluent Cloud's default max.message.bytes (2 MiB + 12 bytes), from memory.
        default_max_message_bytes=2_097_164,
        max_message_bytes_cap=cap,
        fixed_replication_factor=3,
        fixed_min_insync_replicas=2,
        sasl_username_is_principal=False,
        notes=notes,
    )


FLAVORS: dict[KafkaFlavor, FlavorTraits] = {
    KafkaFlavor.APACHE: FlavorTraits(
        KafkaFlavor.APACHE,
        frozenset({M.PLAIN, M.SCRAM_SHA_256, M.SCRAM_SHA_512, M.OAUTHBEARER}),
        notes=("message.max.bytes defaults to 1048588; Mimir needs 16000000 (grafana/mimir#14821).",),
    ),
    KafkaFlavor.CONFLUENT: FlavorTraits(
        KafkaFlavor.CONFLUENT,
        frozenset({M.PLAIN, M.SCRAM_SHA_256, M.SCRAM_SHA_512, M.OAUTHBEARER}),
        notes=(
            "CFK: put broker configs in spec.configOverrides.server as key=value lines.",
            "CFK computes default.replication.factor and min.insync.replicas from the broker count.",
        ),
    ),
    # Confluent Cloud (from memory, see CONFLUENT_CLOUD_MAX_MESSAGE_BYTES): SASL PLAIN with an API key and
    # secret, or OAUTHBEARER, always over TLS with public CA roots; no SCRAM, no unauthenticated clients, and
    # only topic configs are settable. Topics are replicated 3 ways with min.insync.replicas 2. mTLS is not
    # modelled (at most a Dedicated-cluster option, unverified), so it is refused.
    KafkaFlavor.CONFLUENT_CLOUD: _confluent_cloud(
        KafkaFlavor.CONFLUENT_CLOUD,
        CONFLUENT_CLOUD_MAX_MESSAGE_BYTES,
        (
            "SASL PLAIN (API key and secret) or OAUTHBEARER over TLS; only topic configs can be set.",
            "Basic/Standard/Enterprise cap max.message.bytes at 8 MiB; Mimir's hard-coded 16,000,000-byte "
            "producer batch may exceed it under load. Dedicated clusters (confluent-cloud-dedicated) allow "
            "20 MiB.",
            "These limits are from memory of Confluent's docs, not verified here.",
        ),
    ),
    KafkaFlavor.CONFLUENT_CLOUD_DEDICATED: _confluent_cloud(
        KafkaFlavor.CONFLUENT_CLOUD_DEDICATED,
        CONFLUENT_CLOUD_DEDICATED_MAX_MESSAGE_BYTES,
        (
            "SASL PLAIN (API key and secret) or OAUTHBEARER over TLS; only topic configs can be set.",
            "Dedicated clusters allow max.message.bytes up to 20 MiB (from memory, not verified here): the "
            "topic is raised to Mimir's 16,000,000-byte batch cap.",
        ),
    ),
    KafkaFlavor.MSK_PROVISIONED: FlavorTraits(
        KafkaFlavor.MSK_PROVISIONED,
        frozenset({M.SCRAM_SHA_512, M.AWS_MSK_IAM}),
        sasl_requires_tls=True,
        ports=_MSK_PORTS,
        notes=(
            "MSK SCRAM is SCRAM-SHA-512 only, on TLS port 9096; secrets "
            "named AmazonMSK_* with a customer KMS key.",
            "Broker configs go through aws.msk.Configuration(server_properties=...).",
        ),
    ),
    KafkaFlavor.MSK_EXPRESS: FlavorTraits(
        KafkaFlavor.MSK_EXPRESS,
        frozenset({M.SCRAM_SHA_512, M.AWS_MSK_IAM}),
        sasl_requires_tls=True,
        # min.insync.replicas is protected at topic level on Express.
        topic_configs=frozenset({"max.message.bytes", "retention.ms", "cleanup.policy"}),
        fixed_replication_factor=3,
        fixed_min_insync_replicas=2,
        ports=_MSK_PORTS,
        notes=(
            "Express fixes default.replication.factor=3, min.insync.replicas=2; only a subset of broker "
            "configs is settable (message.max.bytes and replica.fetch.max.bytes are).",
            "auto.create.topics.enable defaults to false on Express.",
        ),
    ),
    KafkaFlavor.MSK_SERVERLESS: FlavorTraits(
        KafkaFlavor.MSK_SERVERLESS,
        frozenset({M.AWS_MSK_IAM}),
        mtls=False,
        unauthenticated=False,
        tls_required=True,
        broker_config_settable=False,
        topic_configs=frozenset({"max.message.bytes", "retention.ms", "cleanup.policy"}),
        max_message_bytes_cap=MSK_SERVERLESS_MAX_MESSAGE_BYTES,
        # Serverless replicates every partition 3 ways (inference: the replication factor is not settable).
        fixed_replication_factor=3,
        fixed_min_insync_replicas=2,
        ports={"iam": frozenset({9098})},
        notes=(
            "IAM only, port 9098; broker configs are fixed; "
            "max.message.bytes can be raised to 8 MiB at most.",
            "Mimir's producer batch cap (16,000,000 bytes) is hard-coded, so batches of several records may "
            "still exceed 8 MiB under load and be rejected (MESSAGE_TOO_LARGE); prefer MSK provisioned.",
            "Partition quota per cluster is small (120 in the 2023 guide, 2400 reported now).",
        ),
    ),
    KafkaFlavor.STRIMZI: FlavorTraits(
        KafkaFlavor.STRIMZI,
        # scram-sha-512 and tls listener types; OAUTHBEARER through a `custom` listener.
        frozenset({M.SCRAM_SHA_512, M.OAUTHBEARER}),
        notes=(
            "Broker configs go in Kafka.spec.kafka.config; sasl.*, ssl.*, listeners are forbidden there.",
            "KafkaTopic.spec.partitions cannot be decreased after creation.",
        ),
    ),
    KafkaFlavor.REDPANDA: FlavorTraits(
        KafkaFlavor.REDPANDA,
        frozenset({M.PLAIN, M.SCRAM_SHA_256, M.SCRAM_SHA_512, M.OAUTHBEARER}),
        broker_batch_property="kafka_batch_max_bytes",
        default_max_message_bytes=1_048_576,
        # Redpanda replicates with Raft; min.insync.replicas is not a Redpanda topic property.
        topic_configs=frozenset({"max.message.bytes", "retention.ms", "cleanup.policy"}),
        notes=(
            "Cluster property kafka_batch_max_bytes (default 1 MiB, no restart) caps batches; topic override "
            "max.message.bytes. Set it with `rpk cluster config set` or Helm config.tunable.",
            "PLAIN needs Redpanda 24.3 or later; OAUTHBEARER is an Enterprise feature.",
        ),
    ),
    KafkaFlavor.WARPSTREAM: FlavorTraits(
        KafkaFlavor.WARPSTREAM,
        frozenset({M.PLAIN, M.SCRAM_SHA_512}),
        broker_config_settable=False,
        topic_configs=frozenset({"retention.ms"}),
        # Reported default message.max.bytes is 64,000,000 (grafana/mimir#14821): no size change needed.
        default_max_message_bytes=64_000_000,
        fetch_max_bytes_uncompressed=True,
        notes=(
            "Mimir must run with -ingest-storage.kafka.use-compressed-bytes-as-fetch-max-bytes=false.",
            "Agents are stateless; the replication factor is accepted "
            "but data durability is object storage's.",
        ),
    ),
}


def traits(flavor: KafkaFlavor) -> FlavorTraits:
    return FLAVORS[flavor]


def max_record_size_for(flavor: KafkaFlavor) -> int | None:
    """The largest ``producer_max_record_size_bytes`` the flavor accepts, or ``None`` if Mimir's max fits."""
    cap = FLAVORS[flavor].max_message_bytes_cap
    if cap is None or cap - RECORD_OVERHEAD_BYTES >= MAX_PRODUCER_RECORD_SIZE_BYTES:
        return None
    return cap - RECORD_OVERHEAD_BYTES


# --- MSK version lifecycle -------------------------------------------------------------------------


@dataclass(frozen=True)
class MskVersionSupport:
    """One Apache Kafka version line as Amazon MSK offers it."""

    #: MSK's ``kafka_version`` family (``3.9.x``; the exact strings, with ``.kraft``, are in msk_plan).
    version: str
    #: MSK release date (``None``: not found).
    released: date | None
    #: MSK's end of support date; ``None`` while AWS publishes none.
    end_of_support: date | None
    #: Where the date comes from, when it is not the AWS table.
    note: str = ""


#: The date MSK_VERSION_SUPPORT was read from its sources.
MSK_VERSION_TABLE_READ = date(2026, 11, 29)
#: Amazon MSK's supported Apache Kafka versions, by major.minor. Source: AWS, "Supported Apache Kafka
#: versions", https://docs.aws.amazon.com/msk/latest/developerguide/supported-kafka-versions.html (English
#: page
#: as mirrored at https://docs.amazonaws.cn/en_us/msk/latest/developerguide/supported-kafka-versions.html),
#: read 2026-11-29: 3.6.0 released 2023-11-16, end of support 2026-06-01; 3.7.x 2024-05-29; 3.8.x 2025-02-20
#: (the "Recommended" version); 3.9.x 2025-04-21; 4.0.x 2025-05-16. The 3.7 end of support (2026-09-01) and
#: the 4.1.x release (2025-10-15) are from https://endoflife.date/amazon-msk (read the same day; the stored
#: AWS page shows "--" for 3.7 and ends before 4.1). Versions whose support ended before 3.6 are left out:
#: MSK does not create clusters on them. 4.2.x is offered on Express brokers only (aws/aws-cdk
#: packages/@aws-cdk/aws-msk-alpha/lib/cluster-version.ts, V4_2_X_KRAFT); no date was found for it.
MSK_VERSION_SUPPORT: dict[str, MskVersionSupport] = {
    "3.6": MskVersionSupport("3.6.0", date(2023, 11, 16), date(2026, 6, 1)),
    "3.7": MskVersionSupport(
        "3.7.x", date(2024, 5, 29), date(2026, 9, 1), note="end of support from endoflife.date/amazon-msk"
    ),
    "3.8": MskVersionSupport("3.8.x", date(2025, 2, 20), None),
    "3.9": MskVersionSupport("3.9.x", date(2025, 4, 21), None),
    "4.0": MskVersionSupport("4.0.x", date(2025, 5, 16), None),
    "4.1": MskVersionSupport("4.1.x", date(2025, 10, 15), None, note="release date from endoflife.date"),
    "4.2": MskVersionSupport("4.2.x", None, None, note="Express only; no release date found"),
}
#: AWS marks 3.8.x "Recommended" in the same table.
MSK_RECOMMENDED_VERSION = "3.8"
#: New clusters are warned this long before their version's end of support.
MSK_END_OF_SUPPORT_WARNING_DAYS = 183


def msk_version_status(major_minor: str, today: date) -> tuple[str, MskVersionSupport | None]:
    """``("unknown"|"supported"|"ending"|"ended", support)`` of an MSK Kafka version line on ``today``.

    "ending" is within :data:`MSK_END_OF_SUPPORT_WARNING_DAYS` (six months) of the end of support; "ended"
    is on or after it (AWS: "MSK will phase out support for newly created clusters that use Kafka versions
    with published end of support dates",
    https://docs.aws.amazon.com/msk/latest/developerguide/version-support.html).
    """
    support = MSK_VERSION_SUPPORT.get(major_minor)
    if support is None:
        return "unknown", None
    eos = support.end_of_support
    if eos is None:
        return "supported", support
    if today >= eos:
        return "ended", support
    if (eos - today).days <= MSK_END_OF_SUPPORT_WARNING_DAYS:
        return "ending", support
    return "supported", support
