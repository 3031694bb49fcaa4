"""One test per validation rule: the problem names the setting, says what is wrong and what to set."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from mimirkafka.contract import (
    ConsumerTuning,
    ContractError,
    IngesterLayout,
    IngestStorageContract,
    KafkaFlavor,
    MimirVersion,
    MskIamFile,
    MskIamSocket,
    MskIamStatic,
    OAuthBearerFile,
    OAuthBearerSocket,
    OAuthBearerStatic,
    PartitionRingSettings,
    PemMaterial,
    PlainAuth,
    Problem,
    ScramAuth,
    TlsConfig,
    TopicSettings,
    check_topic_change,
    msk_iam,
    problems,
    refuse_topic_change,
    scram_over_tls,
    secret,
    validate,
    warnings,
)
from mimirkafka.contract.validation import RULES, WARNING_RULES
from test_contract_cases import CA_PEM, CASES, CERT_PEM, KEY_PEM, KEY_SENTINEL, SENTINELS

TLS = TlsConfig(enabled=True)


def base(**kw: object) -> IngestStorageContract:
    return replace(IngestStorageContract(addresses=("kafka-0.kafka:9092",)), **kw)  # type: ignore[arg-type]


def topic(**kw: object) -> TopicSettings:
    return replace(TopicSettings(), **kw)  # type: ignore[arg-type]


# (rule id, contract, setting, words of the message, words of the fix)
CASES_BAD: list[tuple[str, Callable[[], IngestStorageContract], str, str, str]] = [
    # --- Mimir's own Validate(), in its wording ---
    (
        "no-address",
        lambda: base(addresses=()),
        "addresses",
        "the Kafka address has not been configured",
        'addresses=("broker-1:9092"',
    ),
    (
        "no-topic",
        lambda: base(topic=topic(name="")),
        "topic.name",
        "the Kafka topic has not been configured",
        'topic.name="mimir-ingest"',
    ),
    (
        "record-size-low",
        lambda: base(producer_max_record_size_bytes=1000),
        "producer_max_record_size_bytes",
        "the configured producer max record size bytes must be a value between 1048576 and 15983616",
        "15983616",
    ),
    (
        "record-size-high",
        lambda: base(producer_max_record_size_bytes=16_000_000),
        "producer_max_record_size_bytes",
        "must be a value between 1048576 and 15983616",
        "default 15983616",
    ),
    (
        "auto-create-partitions",
        lambda: base(auto_create_topic_enabled=True, topic=topic(partitions=0)),
        "topic.partitions",
        "auto-create-topic-default-partitions must be -1 or greater than 0",
        "at least 1",
    ),
    (
        "zero-partitions",
        lambda: base(topic=topic(partitions=0)),
        "topic.partitions",
        "a Kafka topic needs at least one partition",
        "at least 1",
    ),
    (
        "plain-no-user",
        lambda: base(sasl=PlainAuth("", secret("x")), tls=TLS),
        "sasl.username",
        "the SASL username and password must be both configured to enable SASL authentication",
        "sasl.username",
    ),
    (
        "scram-no-password",
        lambda: base(sasl=ScramAuth("mimir", secret("")), tls=TLS),
        "sasl.password",
        "the SASL username and password must be both configured",
        "sasl.password=secret(",
    ),
    (
        "oauth-empty-token",
        lambda: base(sasl=OAuthBearerStatic(secret("")), tls=TLS),
        "sasl.token",
        "exactly one of OAuth token, file path, or HTTP socket path must be configured to enable SASL "
        "OAUTHBEARER",
        "OAuthBearerFile",
    ),
    (
        "iam-no-credentials",
        lambda: base(sasl=MskIamStatic(secret(""), secret("")), tls=TLS),
        "sasl.access_key",
        "exactly one of static credentials, file path, or HTTP socket path must be configured to enable SASL "
        "AWS_MSK_IAM",
        "MskIamSocket",
    ),
    (
        "iam-half-static",
        lambda: base(sasl=MskIamStatic(secret("AKIA"), secret("")), tls=TLS),
        "sasl.secret_key",
        "both access key and secret key must be configured for static AWS_MSK_IAM credentials",
        "set sasl.secret_key",
    ),
    (
        "cert-without-key",
        lambda: base(tls=TlsConfig(enabled=True, client_cert=PemMaterial("c"))),
        "tls.client_key",
        "certificate given but no key configured",
        "tls.client_key=PemMaterial(",
    ),
    (
        "key-without-cert",
        lambda: base(tls=TlsConfig(enabled=True, client_key=PemMaterial("k", True))),
        "tls.client_cert",
        "key given but no certificate configured",
        "tls.client_cert=PemMaterial(",
    ),
    (
        "tls-min-version",
        lambda: base(tls=TlsConfig(enabled=True, min_version="TLS1.2")),
        "tls.min_version",
        "unknown minimum TLS version",
        "VersionTLS12",
    ),
    # --- input shape ---
    ("address-url", lambda: base(addresses=("kafka://k:9092",)), "addresses[0]", "not a URL", "'k:9092'"),
    (
        "address-comma",
        lambda: base(addresses=("a:9092,b:9092",)),
        "addresses[0]",
        "several addresses",
        "('a:9092', 'b:9092')",
    ),
    (
        "address-no-port",
        lambda: base(addresses=("kafka",)),
        "addresses[0]",
        "not a host:port",
        "kafka-0.kafka:9092",
    ),
    (
        "address-bad-port",
        lambda: base(addresses=("kafka:99999",)),
        "addresses[0]",
        "between 1 and 65535",
        ":9092",
    ),
    (
        "topic-chars",
        lambda: base(topic=topic(name="mimir ingest!")),
        "topic.name",
        "only ASCII letters, digits, '.', '_' and '-'",
        "'mimir-ingest-'",
    ),
    ("topic-dot", lambda: base(topic=topic(name="..")), "topic.name", "'.' and '..'", "mimir-ingest"),
    (
        "topic-long",
        lambda: base(topic=topic(name="t" * 250)),
        "topic.name",
        "at most 249 characters",
        "249 characters or fewer",
    ),
    (
        "cipher-suite",
        lambda: base(tls=TlsConfig(enabled=True, cipher_suites=("AES128-SHA",))),
        "tls.cipher_suites",
        "is not a Go cipher suite name",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    ),
    (
        "mount-dir-relative",
        lambda: base(tls=TlsConfig(enabled=True, mount_dir="tls")),
        "tls.mount_dir",
        "must be an absolute path",
        "absolute path",
    ),
    (
        "tls-setting-while-off",
        lambda: base(tls=TlsConfig(enabled=False, server_name="k")),
        "tls.server_name",
        "Mimir ignores the tls_* settings unless tls_enabled is true",
        "tls.enabled=True",
    ),
    (
        "oauth-file-relative",
        lambda: base(sasl=OAuthBearerFile("token.json"), tls=TLS),
        "sasl.path",
        "must be an absolute path inside the Mimir pods",
        "absolute path",
    ),
    (
        "iam-socket-relative",
        lambda: base(sasl=MskIamSocket("run/creds.sock"), tls=TLS),
        "sasl.socket_path",
        "must be an absolute path",
        "absolute path",
    ),
    (
        "iam-file-relative",
        lambda: base(sasl=MskIamFile("creds.json"), tls=TLS),
        "sasl.path",
        "must be an absolute path",
        "absolute path",
    ),
    (
        "socket-timeout",
        lambda: base(sasl=OAuthBearerSocket("/run/t.sock", timeout="10"), tls=TLS),
        "sasl.timeout",
        "is not a Go duration",
        '"5s"',
    ),
    (
        "remote-timeout",
        lambda: base(remote_timeout="5 seconds"),
        "remote_timeout",
        "is not a Go duration",
        '"5s"',
    ),
    (
        "ring-store",
        lambda: base(partition_ring=PartitionRingSettings(kvstore_store="redis")),
        "partition_ring.kvstore_store",
        "is not a dskit KV store",
        "memberlist",
    ),
    (
        "ring-owners",
        lambda: base(partition_ring=PartitionRingSettings(min_partition_owners_count=-1)),
        "partition_ring.min_partition_owners_count",
        "must be 0 or more",
        "1",
    ),
    ("client-id", lambda: base(client_id="mimir prod"), "client_id", "[a-zA-Z0-9._-=,]", "'mimir-prod'"),
    ("disabled", lambda: base(enabled=False), "enabled", "ingest storage architecture", "enabled=True"),
    # --- Mimir version ---
    (
        "mimir-too-old",
        lambda: base(mimir_version=MimirVersion(2, 14, 0), kafka_version="3.9"),
        "mimir_version",
        "experimental before Mimir 3.0",
        "3.0.0 or later",
    ),
    (
        "scram-in-30",
        lambda: base(
            mimir_version=MimirVersion(3, 0, 6), kafka_version="3.9", sasl=ScramAuth("m", secret("p"))
        ),
        "sasl",
        "has only SASL PLAIN; SCRAM-SHA-512 arrived in Mimir 3.1.0",
        "'3.1.2' or later",
    ),
    (
        "tls-in-30",
        lambda: base(mimir_version=MimirVersion(3, 0, 0), kafka_version="3.9", tls=TLS),
        "tls.enabled",
        "cannot connect to Kafka over TLS",
        "'3.1.2' or later",
    ),
    (
        "addresses-in-30",
        lambda: base(
            mimir_version=MimirVersion(3, 0, 0), kafka_version="3.9", addresses=("a:9092", "b:9092")
        ),
        "addresses",
        "accepts a single seed address",
        "keep one address ('a:9092')",
    ),
    (
        "kafka4-old-mimir",
        lambda: base(mimir_version=MimirVersion(3, 1, 1), kafka_version="4.2"),
        "mimir_version",
        "Mimir 3.1.1 fails to commit consumed offsets against Kafka 4.2 brokers",
        "(3.1.2 or later)",
    ),
    (
        "kafka-version-garbage",
        lambda: base(kafka_version="latest"),
        "kafka_version",
        "is not a Kafka version",
        "'4.1'",
    ),
    # --- flavor ---
    (
        "msk-scram-256",
        lambda: base(
            flavor=KafkaFlavor.MSK_PROVISIONED,
            addresses=("b-1:9096",),
            tls=TLS,
            kafka_version="3.9",
            sasl=ScramAuth("m", secret("p"), 256),
        ),
        "sasl",
        "msk-provisioned does not offer SASL SCRAM-SHA-256",
        "sha=512",
    ),
    (
        "strimzi-plain",
        lambda: base(flavor=KafkaFlavor.STRIMZI, sasl=PlainAuth("m", secret("p"))),
        "sasl",
        "strimzi does not offer SASL PLAIN",
        "SCRAM-SHA-512",
    ),
    (
        "iam-on-apache",
        lambda: base(sasl=MskIamSocket("/run/s.sock"), tls=TLS),
        "sasl",
        "apache does not offer SASL AWS_MSK_IAM",
        "use one of",
    ),
    (
        "serverless-unauthenticated",
        lambda: base(
            flavor=KafkaFlavor.MSK_SERVERLESS,
            addresses=("b:9098",),
            tls=TLS,
            producer_max_record_size_bytes=8_372_224,
        ),
        "sasl",
        "does not accept unauthenticated clients",
        "AWS_MSK_IAM",
    ),
    (
        "serverless-mtls",
        lambda: replace(
            msk_iam(["b:9098"], socket_path="/run/s.sock", serverless=True),
            tls=TlsConfig(enabled=True, client_cert=PemMaterial("c"), client_key=PemMaterial("k", True)),
        ),
        "tls.client_cert",
        "does not authenticate clients with certificates",
        "drop tls.client_cert",
    ),
    (
        "iam-without-tls",
        lambda: replace(msk_iam(["b:9098"], socket_path="/run/s.sock"), tls=TlsConfig()),
        "tls.enabled",
        "AWS_MSK_IAM brokers listen with TLS only",
        "tls.enabled=True",
    ),
    (
        "msk-scram-without-tls",
        lambda: replace(
            scram_over_tls(["b:9096"], "m", "p", flavor=KafkaFlavor.MSK_EXPRESS, kafka_version="3.9"),
            tls=TlsConfig(),
        ),
        "tls.enabled",
        "offers SASL SCRAM-SHA-512 only over TLS",
        "tls.enabled=True",
    ),
    (
        "mtls-without-tls",
        lambda: base(tls=TlsConfig(client_cert=PemMaterial("c"), client_key=PemMaterial("k"))),
        "tls.enabled",
        "a client certificate is only sent over TLS",
        "tls.enabled=True",
    ),
    (
        "msk-iam-wrong-port",
        lambda: msk_iam(["b-1.msk:9096"], socket_path="/run/s.sock"),
        "addresses[0]",
        "msk-provisioned serves iam clients on port 9098/9198/20098, not 9096",
        "b-1.msk:9098 (the cluster's bootstrap_brokers_sasl_iam output)",
    ),
    (
        "msk-scram-wrong-port",
        lambda: scram_over_tls(
            ["b-1.msk:9092"], "m", "p", flavor=KafkaFlavor.MSK_PROVISIONED, kafka_version="3.9"
        ),
        "addresses[0]",
        "serves scram clients on port 9096/9196/20096, not 9092",
        "b-1.msk:9096",
    ),
    (
        "serverless-record-size",
        lambda: replace(
            msk_iam(["b:9098"], socket_path="/run/s.sock", serverless=True),
            producer_max_record_size_bytes=15_983_616,
        ),
        "producer_max_record_size_bytes",
        "msk-serverless rejects messages above 8388608 bytes",
        "producer_max_record_size_bytes=8372224",
    ),
    (
        "warpstream-compressed",
        lambda: base(flavor=KafkaFlavor.WARPSTREAM, use_compressed_bytes_as_fetch_max_bytes=True),
        "use_compressed_bytes_as_fetch_max_bytes",
        "counts Fetch MaxBytes in uncompressed bytes",
        "use_compressed_bytes_as_fetch_max_bytes=False",
    ),
    (
        "express-rf",
        lambda: replace(
            msk_iam(["b:9098"], socket_path="/run/s.sock", express=True),
            topic=topic(replication_factor=2, min_insync_replicas=1),
        ),
        "topic.replication_factor",
        "msk-express creates every topic with replication factor 3",
        "topic.replication_factor=3",
    ),
    (
        "express-min-isr",
        lambda: replace(
            msk_iam(["b:9098"], socket_path="/run/s.sock", express=True), topic=topic(min_insync_replicas=3)
        ),
        "topic.min_insync_replicas",
        "msk-express fixes min.insync.replicas at 2",
        "topic.min_insync_replicas=2",
    ),
    # --- topic and ingesters ---
    (
        "partitions-below-ingesters",
        lambda: base(topic=topic(partitions=2), ingesters=IngesterLayout(3, 5)),
        "topic.partitions",
        "3 zone(s) of 5 ingesters own partitions 0..4",
        "at least 5",
    ),
    (
        "consumer-lag-inconsistent",
        lambda: base(consumer=ConsumerTuning(target_consumer_lag_at_startup="0s")),
        "consumer.max_consumer_lag_at_startup",
        "both 0 or both greater than 0",
        "set both to 0",
    ),
    (
        "consumer-max-buffered-bytes",
        lambda: base(consumer=ConsumerTuning(max_buffered_bytes=2_147_483_647)),
        "consumer.max_buffered_bytes",
        "less than 2147483647",
        "1000000000",
    ),
    (
        "consumer-negative-fetch-concurrency",
        lambda: base(consumer=ConsumerTuning(fetch_concurrency_max=-1)),
        "consumer.fetch_concurrency_max",
        "must be 0 or more",
        "Mimir's default",
    ),
    (
        "consumer-max-lag-below-target",
        lambda: base(consumer=ConsumerTuning(target_consumer_lag_at_startup="20s")),
        "consumer.max_consumer_lag_at_startup",
        "greater than or equal to the target lag (20s)",
        "20s or more",
    ),
    (
        "consumer-zero-commit-interval",
        lambda: base(consumer=ConsumerTuning(consumer_group_offset_commit_interval="0s")),
        "consumer.consumer_group_offset_commit_interval",
        "must be greater than 0",
        "5s",
    ),
    (
        "delete-inactive-before-query-window",
        lambda: base(partition_ring=PartitionRingSettings(delete_inactive_partition_after="2h")),
        "partition_ring.delete_inactive_partition_after",
        "shorter than consumer.query_ingesters_within (13h)",
        "to 13h",
    ),
    (
        "consumer-setting-unknown-to-mimir-30",
        lambda: base(
            mimir_version=MimirVersion(3, 0, 4), consumer=ConsumerTuning(ingestion_concurrency_max=4)
        ),
        "consumer.ingestion_concurrency_max",
        "only renders it for Mimir 3.1.0 or later",
        "leave consumer.ingestion_concurrency_max at 8",
    ),
    (
        "zones",
        lambda: base(ingesters=IngesterLayout(0, 1)),
        "ingesters.zones",
        "at least one ingester zone",
        "ingesters.zones",
    ),
    (
        "per-zone",
        lambda: base(ingesters=IngesterLayout(3, 0)),
        "ingesters.per_zone",
        "at least one ingester per zone",
        "1 or more",
    ),
    (
        "shrink",
        lambda: base(topic=topic(partitions=8, deployed_partitions=16)),
        "topic.partitions",
        "Kafka cannot shrink a topic, so the provider would delete and recreate it",
        "topic.partitions to 16 or more",
    ),
    (
        "rf-zero",
        lambda: base(topic=topic(replication_factor=0, min_insync_replicas=1)),
        "topic.replication_factor",
        "must be at least 1",
        "replication_factor=3",
    ),
    (
        "min-isr-zero",
        lambda: base(topic=topic(min_insync_replicas=0)),
        "topic.min_insync_replicas",
        "must be at least 1",
        "min_insync_replicas=2",
    ),
    (
        "min-isr-above-rf",
        lambda: base(topic=topic(replication_factor=2, min_insync_replicas=3)),
        "topic.min_insync_replicas",
        "exceeds topic.replication_factor=2; Mimir produces with acks=all",
        "min_insync_replicas=1",
    ),
    (
        "retention",
        lambda: base(topic=topic(retention_ms=0)),
        "topic.retention_ms",
        "must be positive, or -1 for unlimited",
        "86400000",
    ),
    # --- rendering safety and ACLs ---
    (
        "dollar",
        lambda: base(sasl=ScramAuth("mi$mir", secret("p")), tls=TLS),
        "sasl.username",
        "-config.expand-env would treat as an environment variable",
        "remove the '$'",
    ),
    (
        "group-prefix",
        lambda: base(consumer_group_prefix=""),
        "consumer_group_prefix",
        "would grant Read on every consumer group",
        "'mimir-ingester-zone-'",
    ),
    (
        "duplicate-address",
        lambda: base(addresses=("a:9092", "b:9092", "A:9092")),
        "addresses[2]",
        "repeats addresses[0]",
        "addresses=('a:9092', 'b:9092')",
    ),
    (
        "pem-ca-not-parsed",
        lambda: base(tls=TlsConfig(enabled=True, ca="-----BEGIN CERTIFICATE-----\nnot base64\n")),
        "tls.ca",
        "is not a PEM certificate: a CERTIFICATE block could not be decoded",
        "the file's content, not its path",
    ),
    (
        "principal",
        lambda: base(kafka_principal="CN=mimir"),
        "kafka_principal",
        "'<type>:<name>'",
        "'User:CN=mimir'",
    ),
]


@pytest.mark.parametrize(
    ("rule", "build", "setting", "message", "fix"), CASES_BAD, ids=[c[0] for c in CASES_BAD]
)
def test_rule_names_setting_message_and_fix(
    rule: str, build: Callable[[], IngestStorageContract], setting: str, message: str, fix: str
) -> None:
    c = build()
    with pytest.raises(ContractError) as e:
        validate(c)
    matching = [p for p in e.value.problems if p.setting == setting and message in p.message]
    assert matching, f"{rule}: no problem for {setting!r} with {message!r} in:\n{e.value}"
    assert fix in matching[0].fix, f"{rule}: fix {matching[0].fix!r} lacks {fix!r}"
    line = str(matching[0])
    assert line.startswith(f"{setting}=") and "Fix: " in line
    assert line in str(e.value)


def test_every_rule_has_a_test() -> None:
    covered = {
        rule.__name__
        for rule in RULES
        for _, build, setting, message, _ in CASES_BAD
        if any(p.setting == setting and message in p.message for p in rule(build()))
    }
    assert covered == {r.__name__ for r in RULES}


def test_all_problems_reported_at_once() -> None:
    c = base(addresses=(), topic=topic(name="", partitions=0), remote_timeout="x", enabled=False)
    with pytest.raises(ContractError) as e:
        validate(c)
    assert {"enabled", "addresses", "topic.name", "topic.partitions", "remote_timeout"} <= set(
        e.value.settings()
    )
    assert str(e.value).count("\n") == len(e.value.problems)


def test_valid_contract_is_returned_unchanged() -> None:
    c = CASES["scram512_tls"]()
    assert validate(c) is c


def test_problem_format_and_secret_masking() -> None:
    p = Problem("sasl.password", secret("hunter2"), "bad", "set it")
    assert str(p) == "sasl.password=SecretValue(***): bad. Fix: set it"
    c = base(
        sasl=PlainAuth("", secret(SENTINELS["MIMIR_KAFKA_SASL_PASSWORD"])),
        tls=TlsConfig(enabled=False, client_key=PemMaterial("SENTINEL-private-key-31337", True)),
    )
    with pytest.raises(ContractError) as e:
        validate(c)
    assert SENTINELS["MIMIR_KAFKA_SASL_PASSWORD"] not in str(e.value)
    assert "SENTINEL-private-key-31337" not in str(e.value) + repr(e.value.problems)


def test_check_topic_change() -> None:
    assert check_topic_change(16, 16, "mimir-ingest", "mimir-ingest") == []
    assert check_topic_change(16, 32, "mimir-ingest", "mimir-ingest") == []
    assert check_topic_change(None, 4, None, "mimir-ingest") == []
    found = check_topic_change(16, 8, "mimir-ingest", "ingest")
    assert [p.setting for p in found] == ["topic.name", "topic.partitions"]
    assert (
        "Kafka cannot rename a topic" in found[0].message and "keep topic.name='mimir-ingest'" in found[0].fix
    )
    with pytest.raises(ContractError, match="cannot shrink"):
        refuse_topic_change(16, 8, "t", "t")


def test_unknown_secret_output_is_not_blank() -> None:
    class FakeOutput:  # stands in for a pulumi.Output: not a str, not known at plan time
        def apply(self, f: Callable[[str], object]) -> object:
            return f("")

    assert problems(scram_over_tls(["k:9093"], "mimir", FakeOutput())) == []


@pytest.mark.parametrize(
    ("build", "setting", "words"),
    [
        (
            lambda: base(tls=TlsConfig(enabled=True, insecure_skip_verify=True, ca=PemMaterial(CA_PEM))),
            "tls.insecure_skip_verify",
            "never used",
        ),
        (
            lambda: base(tls=TlsConfig(enabled=True, insecure_skip_verify=True)),
            "tls.insecure_skip_verify",
            "not verified",
        ),
        (lambda: base(sasl=PlainAuth("m", secret("p"))), "tls.enabled", "password in clear text"),
        (
            lambda: base(topic=topic(replication_factor=1, min_insync_replicas=1)),
            "topic.replication_factor",
            "one broker loss",
        ),
        (
            lambda: base(topic=topic(replication_factor=3, min_insync_replicas=3)),
            "topic.min_insync_replicas",
            "blocks every Mimir write",
        ),
        (lambda: base(topic=topic(retention_ms=600_000)), "topic.retention_ms", "longer than the retention"),
        (lambda: base(sasl=OAuthBearerStatic(secret("t")), tls=TLS), "sasl", "needs a restart"),
        (lambda: base(sasl=OAuthBearerFile("/run/t.json"), tls=TLS), "kafka_principal", "token's subject"),
        (lambda: msk_iam(["b:9098"], socket_path="/run/s.sock", serverless=True), "flavor", "8 MiB"),
        (
            lambda: base(
                tls=TlsConfig(
                    enabled=True, client_cert=PemMaterial(CERT_PEM), client_key=PemMaterial(KEY_PEM)
                )
            ),
            "kafka_principal",
            "no ACLs can be derived",
        ),
    ],
)
def test_warnings(build: Callable[[], IngestStorageContract], setting: str, words: str) -> None:
    c = build()
    validate(c)  # warnings never block
    assert any(w.setting == setting and words in w.message for w in warnings(c)), warnings(c)


def test_warning_rules_quiet_on_the_recommended_setup() -> None:
    assert warnings(CASES["scram512_tls"]()) == []
    assert len(WARNING_RULES) == 5


@pytest.mark.parametrize(
    ("kw", "setting", "words"),
    [
        ({"topic": TopicSettings(partitions="16")}, "topic.partitions", "must be an integer"),  # type: ignore[arg-type]
        ({"flavor": "kafka"}, "flavor", "is not a known Kafka flavor"),
        ({"sasl": ScramAuth("m", secret("p"), sha=384)}, "sasl.sha", "SCRAM-SHA-256 and SCRAM-SHA-512 only"),  # type: ignore[arg-type]
        ({"sasl": "SCRAM-SHA-512"}, "sasl", "is not an authentication variant"),
        ({"kafka_version": 4.1}, "kafka_version", "must be a string"),
        ({"topic": None}, "topic", "is not the expected settings object"),
        ({"tls": True}, "tls", "is not the expected settings object"),
        ({"ingesters": IngesterLayout(3, True)}, "ingesters.per_zone", "must be an integer"),
    ],
)
def test_wrong_types_are_reported_alone(kw: dict[str, object], setting: str, words: str) -> None:
    found = problems(base(**kw))
    assert [(p.setting, words in p.message) for p in found] == [(setting, True)]


def test_friendly_inputs_are_normalised() -> None:
    c = IngestStorageContract(
        addresses="b-1:9096, b-2:9096",  # type: ignore[arg-type]
        flavor="msk-provisioned",  # type: ignore[arg-type]
        mimir_version="3.1.2",  # type: ignore[arg-type]
        kafka_version="3.9",
        sasl=ScramAuth("mimir", "plain-str-password"),  # type: ignore[arg-type]
        tls=TlsConfig(
            enabled=True, client_cert=CERT_PEM, client_key=KEY_PEM, cipher_suites=["TLS_AES_128_GCM_SHA256"]
        ),  # type: ignore[arg-type]
    )
    assert c.addresses == ("b-1:9096", "b-2:9096") and c.flavor is KafkaFlavor.MSK_PROVISIONED
    assert IngestStorageContract(addresses=[" k:9092 "]).addresses == ("k:9092",)  # type: ignore[arg-type]
    assert IngestStorageContract(addresses=None).addresses == ()  # type: ignore[arg-type]
    assert c.mimir_version == MimirVersion(3, 1, 2)
    assert "plain-str-password" not in repr(c) and c.sasl.password.value == "plain-str-password"  # type: ignore[union-attr]
    assert c.tls.client_key == PemMaterial(KEY_PEM, secret=True) and KEY_SENTINEL not in repr(c.tls)
    assert c.tls.cipher_suites == ("TLS_AES_128_GCM_SHA256",)
    assert validate(c) is c
