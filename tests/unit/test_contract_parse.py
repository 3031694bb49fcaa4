"""Parsing Mimir configs and flags back into a contract: round trips, env expansion, Mimir's parse errors."""

from __future__ import annotations

import pytest
from mimirkafka.contract import (
    ContractError,
    KafkaFlavor,
    MskIamStatic,
    NoSasl,
    OAuthBearerStatic,
    PlainAuth,
    ScramAuth,
    config_from_flags,
    contract_from_flags,
    contract_from_mimir_config,
    render_mimir,
)
from mimirkafka.contract.parse import expand_env
from test_contract_cases import CASES, SENTINELS


def _same_contract_kwargs(name: str) -> dict[str, object]:
    c = CASES[name]()
    return {
        "flavor": c.flavor,
        "mimir_version": c.mimir_version,
        "kafka_version": c.kafka_version,
        "ingesters": c.ingesters,
        "topic": c.topic,
        "consumer_group_prefix": c.consumer_group_prefix,
    }


def _secrets(c: object) -> dict[str, object]:
    s = c.sasl  # type: ignore[attr-defined]
    return {
        k: getattr(s, k).value
        for k in ("password", "token", "access_key", "secret_key", "session_token")
        if getattr(s, k, None) is not None
    }


@pytest.mark.parametrize("name", sorted(CASES))
def test_yaml_round_trip(name: str) -> None:
    original = CASES[name]()
    r = render_mimir(original)
    parsed = contract_from_mimir_config(r.yaml(), SENTINELS, **_same_contract_kwargs(name))  # type: ignore[arg-type]
    again = render_mimir(parsed)
    assert again.config == r.config and again.flags == r.flags
    assert set(again.secret_env) == set(r.secret_env)
    assert _secrets(parsed) == _secrets(original)
    assert type(parsed.sasl) is type(original.sasl)
    assert parsed.tls.enabled == original.tls.enabled and parsed.tls.mutual == original.tls.mutual
    assert (parsed.addresses, parsed.topic.name, parsed.topic.partitions) == (
        original.addresses,
        original.topic.name,
        original.topic.partitions,
    )


@pytest.mark.parametrize("name", sorted(CASES))
def test_flags_round_trip(name: str) -> None:
    r = render_mimir(CASES[name]())
    for flags in (r.flags, r.k8s_args()):
        parsed = contract_from_flags(flags, SENTINELS, **_same_contract_kwargs(name))  # type: ignore[arg-type]
        assert render_mimir(parsed).config == r.config
        assert _secrets(parsed) == _secrets(CASES[name]())


def test_env_expansion_forms() -> None:
    env = {"A": "1"}
    assert expand_env("${A}", env) == "1"
    assert expand_env("${B:fallback}", env) == "fallback"
    assert expand_env("${B:-fallback}", env) == "fallback"
    assert expand_env("${A:-fallback}", env) == "1"
    assert expand_env("x${MISSING}y", env) == "xy"  # Mimir expands undefined variables to ""
    assert expand_env("$(A)", env) == "1"


def test_full_helm_style_config() -> None:
    text = """
target: all
multitenancy_enabled: false
ingest_storage:
  enabled: true
  kafka:
    address: b-1.msk:9096,b-2.msk:9096
    topic: mimir-ingest
    auto_create_topic_default_partitions: 100
    sasl_mechanism: SCRAM-SHA-512
    sasl_username: mimir
    sasl_password: ${KAFKA_SASL_PASSWORD:-unset}
    tls_enabled: true
distributor:
  remote_timeout: 5s
blocks_storage:
  backend: s3
"""
    c = contract_from_mimir_config(
        text, {"KAFKA_SASL_PASSWORD": "from-env"}, flavor=KafkaFlavor.MSK_PROVISIONED, kafka_version="3.9"
    )
    assert isinstance(c.sasl, ScramAuth) and c.sasl.sha == 512 and c.sasl.password.value == "from-env"
    assert c.addresses == ("b-1.msk:9096", "b-2.msk:9096") and c.topic.partitions == 100
    assert c.auto_create_topic_enabled is True  # Mimir's default when the key is absent
    assert c.tls.enabled and c.tls.ca is None
    assert contract_from_mimir_config(text, {}).sasl.password.value == "unset"  # type: ignore[union-attr]
    # Without env, references stay as written (nothing is resolved from this process by accident).
    assert contract_from_mimir_config(text).sasl.password.value == "${KAFKA_SASL_PASSWORD:-unset}"  # type: ignore[union-attr]


def test_defaults_mimir_applies_when_keys_are_missing() -> None:
    c = contract_from_mimir_config(
        {"ingest_storage": {"enabled": True, "kafka": {"address": "k:9092", "topic": "t"}}}
    )
    assert isinstance(c.sasl, NoSasl)
    assert c.remote_timeout == "2s"  # Mimir's binary default, so the doctor can flag it
    assert c.producer_max_record_size_bytes == 15_983_616
    assert c.use_compressed_bytes_as_fetch_max_bytes is None


def test_plain_variants() -> None:
    c = contract_from_mimir_config(
        {"ingest_storage": {"kafka": {"sasl_username": "u", "sasl_password": "p"}}}
    )
    assert isinstance(c.sasl, PlainAuth) and c.sasl.username == "u"


def test_oauth_and_iam_static_fields() -> None:
    c = contract_from_flags(
        [
            "-ingest-storage.kafka.sasl-mechanism",
            "OAUTHBEARER",
            "--ingest-storage.kafka.sasl-oauthbearer-token=tok",
            '-ingest-storage.kafka.sasl-oauthbearer-extensions={"a":"b"}',
            "-ingest-storage.kafka.tls-enabled",
            "-unrelated.flag=1",
        ]
    )
    assert isinstance(c.sasl, OAuthBearerStatic) and c.sasl.extensions == {"a": "b"} and c.tls.enabled
    iam = contract_from_mimir_config(
        {
            "ingest_storage": {
                "kafka": {
                    "sasl_mechanism": "AWS_MSK_IAM",
                    "sasl_msk_iam_access_key": "a",
                    "sasl_msk_iam_secret_key": "s",
                }
            }
        }
    )
    assert isinstance(iam.sasl, MskIamStatic) and iam.sasl.session_token is None


def test_unconventional_tls_paths_stay_explicit() -> None:
    c = contract_from_mimir_config(
        {
            "ingest_storage": {
                "kafka": {
                    "tls_enabled": True,
                    "tls_ca_path": "/certs/ca.pem",
                    "tls_cert_path": "/certs/user.crt",
                    "tls_key_path": "/certs/user.key",
                }
            }
        }
    )
    assert (c.tls.ca_path, c.tls.cert_path, c.tls.key_path) == (
        "/certs/ca.pem",
        "/certs/user.crt",
        "/certs/user.key",
    )
    assert c.tls.mutual and c.tls.client_key is not None and c.tls.client_key.secret


@pytest.mark.parametrize(
    ("kafka", "words"),
    [
        (
            {"sasl_mechanism": "SCRAM-SHA-1"},
            "the configured SASL mechanism is invalid, must be one of: PLAIN",
        ),
        (
            {
                "sasl_mechanism": "OAUTHBEARER",
                "sasl_oauthbearer_token": "t",
                "sasl_oauthbearer_file_path": "/f",
            },
            "exactly one of OAuth token, file path, or HTTP socket path",
        ),
        (
            {"sasl_mechanism": "AWS_MSK_IAM"},
            "exactly one of static credentials, file path, or HTTP socket path",
        ),
    ],
)
def test_parse_errors_use_mimirs_wording(kafka: dict[str, str], words: str) -> None:
    with pytest.raises(ContractError, match=words.replace("(", r"\(")):
        contract_from_mimir_config({"ingest_storage": {"kafka": kafka}})


def test_config_from_flags_types() -> None:
    tree = config_from_flags(
        ["-ingest-storage.enabled=true", "-ingest-storage.kafka.auto-create-topic-default-partitions=7"]
    )
    assert tree == {"ingest_storage": {"enabled": True, "kafka": {"auto_create_topic_default_partitions": 7}}}
