"""Representative contracts shared by the contract tests, with distinctive secret sentinels.

Each sentinel is a string that must never appear in a rendering, log line or error message.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from mimirkafka.contract import (
    IngesterLayout,
    IngestStorageContract,
    KafkaFlavor,
    MimirVersion,
    MskIamSocket,
    MskIamStatic,
    NoSasl,
    OAuthBearerFile,
    OAuthBearerStatic,
    PemMaterial,
    PlainAuth,
    SaslMechanism,
    TlsConfig,
    TopicSettings,
    confluent_cloud,
    msk_iam,
    mtls,
    plaintext,
    problems,
    scram_over_tls,
    secret,
)

SENTINELS = {
    "MIMIR_KAFKA_SASL_PASSWORD": "SENTINEL-pw-7f3a9c",
    "MIMIR_KAFKA_SASL_OAUTHBEARER_TOKEN": "SENTINEL-token-e41b07",
    "MIMIR_KAFKA_SASL_MSK_IAM_ACCESS_KEY": "SENTINEL-AKIA-55d2",
    "MIMIR_KAFKA_SASL_MSK_IAM_SECRET_KEY": "SENTINEL-secret-key-9b1e",
    "MIMIR_KAFKA_SASL_MSK_IAM_SESSION_TOKEN": "SENTINEL-session-c0ffee",
}
# Real PEM material (validation loads it with `cryptography`): a throw-away EC P-256 test CA, a client
# certificate CN=mimir it signed, and that certificate's key. Generated once for these tests; never used
# anywhere else.
CA_PEM = (
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBJTCBzKADAgECAgEBMAoGCCqGSM49BAMCMBIxEDAOBgNVBAMMB3Rlc3QtY2Ew\n"
    "HhcNMjUwMTAxMDAwMDAwWhcNMzUwMTAxMDAwMDAwWjASMRAwDgYDVQQDDAd0ZXN0\n"
    "LWNhMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEfwpzK8jZwTPlvjfx8TumvLlP\n"
    "kxcjWFHxy/PqlUnk1F6jNTvUgYMd427+y35VvsNOUOyZ9G6KCKQTo+BV28r5jKMT\n"
    "MBEwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNIADBFAiAdurWcpR7TeD7w\n"
    "+WIxJ9VrcnsHhHKy7DwEsuKSpleLmQIhAP2u2cP7kOVsrRn7Q+pmSS4LFwM0PsQL\n"
    "q4fORL+4re9G\n"
    "-----END CERTIFICATE-----\n"
)
CERT_PEM = (
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBDjCBtaADAgECAgECMAoGCCqGSM49BAMCMBIxEDAOBgNVBAMMB3Rlc3QtY2Ew\n"
    "HhcNMjUwMTAxMDAwMDAwWhcNMzUwMTAxMDAwMDAwWjAQMQ4wDAYDVQQDDAVtaW1p\n"
    "cjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABIbu5z6LhDkHM818ZjyJS3BpDYLC\n"
    "Cuav+VcinnBii4bVO41nKSeQVrdlhXI9bc8o7sdo5Uopeoy1cTcJw6gywjEwCgYI\n"
    "KoZIzj0EAwIDSAAwRQIhAPwiPxiqLvGMy56iWzWy7aiuVOBUbTGVDMbhnqwWNTLO\n"
    "AiBLHwUBlBoGxoBc0ZtuChCMkQ562v1oXoJkWyt0p92mPA==\n"
    "-----END CERTIFICATE-----\n"
)
KEY_PEM = (
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgG3K1/hYvVKpxEuUZ\n"
    "Vc7Edv6ocSeH7t+SutNCXkrCLz+hRANCAASG7uc+i4Q5BzPNfGY8iUtwaQ2Cwgrm\n"
    "r/lXIp5wYouG1TuNZyknkFa3ZYVyPW3PKO7HaOVKKXqMtXE3CcOoMsIx\n"
    "-----END PRIVATE KEY-----\n"
)
#: The private scalar's part of KEY_PEM's base64: it must never appear in any output.
KEY_SENTINEL = "BAQQgG3K1/hYvVKpxEuUZ"
assert KEY_SENTINEL in KEY_PEM
ALL_SENTINELS = (*SENTINELS.values(), KEY_SENTINEL)


def _pw() -> object:
    return secret(SENTINELS["MIMIR_KAFKA_SASL_PASSWORD"])


CASES: dict[str, Callable[[], IngestStorageContract]] = {
    "plaintext": lambda: plaintext(["kafka-0.kafka:9092"], partitions=4, ingesters=IngesterLayout(3, 2)),
    "scram512_tls": lambda: scram_over_tls(
        ["b-0.kafka:9093", "b-1.kafka:9093", "b-2.kafka:9093"], "mimir", _pw(), CA_PEM, partitions=32
    ),
    "mtls_strimzi": lambda: IngestStorageContract(
        addresses=("mimir-kafka-bootstrap.kafka.svc:9093",),
        flavor=KafkaFlavor.STRIMZI,
        tls=TlsConfig(
            enabled=True,
            ca=PemMaterial(CA_PEM),
            client_cert=PemMaterial(CERT_PEM),
            client_key=PemMaterial(KEY_PEM, secret=True),
            server_name="mimir-kafka-bootstrap.kafka.svc",
            min_version="VersionTLS12",
            cipher_suites=("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
        ),
        kafka_principal="User:CN=mimir",
        block_builder_consumer_group="block-builder",
    ),
    "mtls_preset": lambda: mtls(["kafka:9093"], CA_PEM, CERT_PEM, KEY_PEM, principal="User:CN=mimir"),
    "oauthbearer_file": lambda: IngestStorageContract(
        addresses=("pkc-1.confluent.cloud:9092",),
        flavor=KafkaFlavor.CONFLUENT,
        sasl=OAuthBearerFile("/var/run/secrets/mimir/oauth.json"),
        tls=TlsConfig(enabled=True),
        kafka_principal="User:mimir-sa",
        client_id="mimir",
    ),
    "oauthbearer_static": lambda: IngestStorageContract(
        addresses=("kafka:9094",),
        sasl=OAuthBearerStatic(
            secret(SENTINELS["MIMIR_KAFKA_SASL_OAUTHBEARER_TOKEN"]),
            zid="mimir",
            extensions={"logicalCluster": "lkc-1"},
        ),
        tls=TlsConfig(enabled=True, ca=PemMaterial(CA_PEM)),
    ),
    "msk_iam_static": lambda: msk_iam(
        "b-1.msk.eu-west-1.amazonaws.com:9098,b-2.msk.eu-west-1.amazonaws.com:9098",
        access_key=SENTINELS["MIMIR_KAFKA_SASL_MSK_IAM_ACCESS_KEY"],
        secret_key=SENTINELS["MIMIR_KAFKA_SASL_MSK_IAM_SECRET_KEY"],
        session_token=SENTINELS["MIMIR_KAFKA_SASL_MSK_IAM_SESSION_TOKEN"],
    ),
    "msk_iam_user_agent": lambda: IngestStorageContract(
        addresses=("b-1.msk:9098",),
        flavor=KafkaFlavor.MSK_PROVISIONED,
        kafka_version="3.9",
        sasl=MskIamStatic(
            secret(SENTINELS["MIMIR_KAFKA_SASL_MSK_IAM_ACCESS_KEY"]),
            secret(SENTINELS["MIMIR_KAFKA_SASL_MSK_IAM_SECRET_KEY"]),
            user_agent="mimir-ingest",
        ),
        tls=TlsConfig(enabled=True),
    ),
    "msk_serverless": lambda: msk_iam(
        ["boot-abc.c1.kafka-serverless.eu-west-1.amazonaws.com:9098"],
        socket_path="/var/run/mimir-msk-iam/credentials.sock",
        serverless=True,
        partitions=8,
    ),
    "msk_scram": lambda: scram_over_tls(
        ["b-1.msk:9096", "b-2.msk:9096"],
        "mimir",
        _pw(),
        flavor=KafkaFlavor.MSK_PROVISIONED,
        kafka_version="3.9",
    ),
    "warpstream": lambda: IngestStorageContract(
        addresses=("warpstream-agent.warpstream.svc:9092",),
        flavor=KafkaFlavor.WARPSTREAM,
        sasl=PlainAuth("ccun_mimir", _pw()),
        tls=TlsConfig(enabled=True),
        topic=TopicSettings(partitions=64, replication_factor=3, min_insync_replicas=2),
    ),
    "redpanda_scram256": lambda: scram_over_tls(
        ["redpanda-0.redpanda:9093"],
        "mimir",
        _pw(),
        CA_PEM,
        sha=256,
        flavor=KafkaFlavor.REDPANDA,
        auto_create_topic_enabled=True,
    ),
    "mimir30_plain": lambda: IngestStorageContract(
        addresses=("kafka:9092",),
        mimir_version=MimirVersion.parse("3.0.1"),
        kafka_version="3.9",
        sasl=PlainAuth("mimir", _pw()),
        topic=TopicSettings(replication_factor=1, min_insync_replicas=1),
    ),
    "no_sasl_msk_tls": lambda: IngestStorageContract(
        addresses=("b-1.msk:9094",),
        flavor=KafkaFlavor.MSK_EXPRESS,
        kafka_version="3.9",
        sasl=NoSasl(),
        tls=TlsConfig(enabled=True),
    ),
    # Confluent Cloud Standard with an API key: PLAIN over TLS, record size lowered under the 8 MiB cap.
    "confluent_cloud": lambda: confluent_cloud(
        "pkc-12345.eu-west-1.aws.confluent.cloud:9092",
        "ABCDEFGHIJKLMNOP",
        _pw(),
        service_account="sa-abc123",
        partitions=32,
    ),
    "confluent_cloud_dedicated_oauth": lambda: IngestStorageContract(
        addresses=("lkc-abc12-dom.eu-west-1.aws.confluent.cloud:9092",),
        flavor=KafkaFlavor.CONFLUENT_CLOUD_DEDICATED,
        sasl=OAuthBearerFile("/var/run/secrets/mimir/oauth.json"),
        tls=TlsConfig(enabled=True),
        kafka_principal="User:sa-abc123",
    ),
}

# A SCRAM password generated by the Kafka component (SecretValue(None)) is a valid contract too.
GENERATED_PASSWORD = lambda: scram_over_tls(["k:9093"], "mimir", secret(None))  # noqa: E731


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_case_is_a_valid_contract(name: str) -> None:
    assert problems(CASES[name]()) == []


def test_generated_password_is_valid_and_empty_password_is_not() -> None:
    assert problems(GENERATED_PASSWORD()) == []
    assert [p.setting for p in problems(scram_over_tls(["k:9093"], "mimir", ""))] == ["sasl.password"]


def test_cases_cover_every_mechanism_and_flavor() -> None:
    contracts = [f() for f in CASES.values()]
    assert {c.flavor for c in contracts} == set(KafkaFlavor)
    assert {c.sasl.mechanism for c in contracts} == {None, *SaslMechanism}
    assert any(isinstance(c.sasl, MskIamSocket) for c in contracts)
