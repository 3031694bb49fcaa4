"""What a new user gets wrong: each mistake is a problem naming the setting, the value and the fix.

Regression tests for a review: mistyped fields crashed inside validation, ``mimir_version="latest"`` raised a
bare ValueError, and a cipher-suite string, repeated addresses, non-string secrets and broken PEM text were
accepted silently. Confluent Cloud's limits are covered at the end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from mimirkafka.contract import (
    ContractError,
    IngestStorageContract,
    KafkaFlavor,
    MimirVersion,
    MskIamStatic,
    OAuthBearerFile,
    OAuthBearerSocket,
    OAuthBearerStatic,
    PemMaterial,
    PlainAuth,
    Problem,
    ScramAuth,
    TlsConfig,
    TopicSettings,
    confluent_cloud,
    contract_from_mimir_config,
    kafka_requirements,
    mtls,
    plaintext,
    problems,
    scram_over_tls,
    secret,
    validate,
    warnings,
)
from mimirkafka.contract.flavors import FLAVORS
from test_contract_cases import CA_PEM, CERT_PEM, KEY_PEM, KEY_SENTINEL

TLS = TlsConfig(enabled=True)


def base(**kw: object) -> IngestStorageContract:
    return replace(IngestStorageContract(addresses=("kafka-0.kafka:9092",)), **kw)  # type: ignore[arg-type]


def only_problem(c: IngestStorageContract, setting: str) -> Problem:
    """``validate`` raises, and exactly one of its problems is about ``setting``; that one is returned."""
    with pytest.raises(ContractError) as e:
        validate(c)
    found = [p for p in e.value.problems if p.setting == setting]
    assert len(found) == 1, f"expected one problem for {setting!r} in:\n{e.value}"
    assert str(found[0]) in str(e.value)
    return found[0]


# --- 1. mistyped fields are problems, not AttributeErrors -----------------------------------------------


@pytest.mark.parametrize(
    ("build", "setting", "shown"),
    [
        (lambda: base(sasl=PlainAuth(None, secret("p")), tls=TLS), "sasl.username", "None"),  # type: ignore[arg-type]
        (lambda: base(sasl=ScramAuth(42, secret("p")), tls=TLS), "sasl.username", "42"),  # type: ignore[arg-type]
        (lambda: base(topic=TopicSettings(name=None)), "topic.name", "None"),  # type: ignore[arg-type]
        (lambda: base(topic=TopicSettings(name=7)), "topic.name", "7"),  # type: ignore[arg-type]
        (lambda: base(client_id=5), "client_id", "5"),
        (lambda: base(kafka_principal=["User:mimir"]), "kafka_principal", "['User:mimir']"),
        (lambda: base(consumer_group_prefix=None), "consumer_group_prefix", "None"),
        (lambda: base(remote_timeout=5), "remote_timeout", "5"),
        (lambda: base(sasl=OAuthBearerStatic(secret("t"), zid=1), tls=TLS), "sasl.zid", "1"),  # type: ignore[arg-type]
        (lambda: base(sasl=OAuthBearerFile(None), tls=TLS), "sasl.path", "None"),  # type: ignore[arg-type]
        (lambda: base(sasl=OAuthBearerSocket("/run/s.sock", timeout=10), tls=TLS), "sasl.timeout", "10"),  # type: ignore[arg-type]
        (lambda: base(tls=TlsConfig(enabled=True, server_name=1)), "tls.server_name", "1"),  # type: ignore[arg-type]
        (lambda: base(tls=TlsConfig(enabled=True, mount_dir=None)), "tls.mount_dir", "None"),  # type: ignore[arg-type]
        (lambda: base(tls=TlsConfig(enabled=True, ca_path=3)), "tls.ca_path", "3"),  # type: ignore[arg-type]
        (lambda: base(tls=TlsConfig(enabled="yes")), "tls.enabled", "'yes'"),  # type: ignore[arg-type]
        (lambda: base(addresses=("kafka:9092", None)), "addresses", "('kafka:9092', None)"),
        (lambda: base(addresses=9092), "addresses", "9092"),
    ],
)
def test_mistyped_field_is_a_problem(
    build: Callable[[], IngestStorageContract], setting: str, shown: str
) -> None:
    p = only_problem(build(), setting)
    assert "must be" in p.message
    assert str(p).startswith(f"{setting}={shown}: ")
    assert p.fix  # says what to write instead
    # Wrong types are reported alone: the other rules would crash comparing them.
    assert [x.setting for x in problems(build())] == [setting]


def test_plain_auth_username_none_is_the_reviewers_case() -> None:
    p = only_problem(base(sasl=PlainAuth(None, secret("p")), tls=TLS), "sasl.username")  # type: ignore[arg-type]
    assert str(p) == ("sasl.username=None: must be a string. Fix: write sasl.username as quoted text")


# --- 2. mimir_version="latest" ----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["latest", "3", "v3.x", ""])
def test_unparsable_mimir_version_is_a_problem(value: str) -> None:
    c = base(mimir_version=value)
    p = only_problem(c, "mimir_version")
    assert p.value == value and "is not a Mimir release number" in p.message
    assert p.fix == "set it like '3.1.2'"
    # The presets and the config parser go through the same path instead of raising ValueError.
    assert [x.setting for x in problems(plaintext(["k:9092"], mimir_version=value))] == ["mimir_version"]
    parsed = contract_from_mimir_config(
        "ingest_storage: {enabled: true, kafka: {address: k:9092, topic: t}}", mimir_version=value
    )
    assert [x.setting for x in problems(parsed)] == ["mimir_version"]


def test_direct_mimir_version_parse_still_raises() -> None:
    with pytest.raises(ValueError, match=r"set it like '3\.1\.2'"):
        MimirVersion.parse("latest")
    assert base(mimir_version="v3.1").mimir_version == MimirVersion(3, 1, 0)


# --- 3. accepted silently before ---------------------------------------------------------------------


def test_cipher_suites_as_a_plain_string_is_refused() -> None:
    c = base(tls=TlsConfig(enabled=True, cipher_suites="TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384"))  # type: ignore[arg-type]
    p = only_problem(c, "tls.cipher_suites")
    assert p.value == "TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384"
    assert "must be a tuple or list" in p.message
    assert "cipher_suites=('TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384')" in p.fix
    listed = base(tls=TlsConfig(enabled=True, cipher_suites=["TLS_AES_128_GCM_SHA256"]))  # type: ignore[arg-type]
    assert listed.tls.cipher_suites == ("TLS_AES_128_GCM_SHA256",) and problems(listed) == []


@pytest.mark.parametrize(
    ("addresses", "setting", "first"),
    [(("a:9092", "a:9092"), "addresses[1]", 0), (("a:9092", "b:9092", " B:9092"), "addresses[2]", 1)],
)
def test_duplicate_addresses_are_refused(addresses: tuple[str, ...], setting: str, first: int) -> None:
    p = only_problem(base(addresses=addresses), setting)
    assert p.value == addresses[int(setting[-2])].strip()
    assert p.message == f"repeats addresses[{first}]"
    assert p.fix.startswith("list each seed broker once: addresses=(")
    assert problems(base(addresses=("a:9092", "b:9092"))) == []


@pytest.mark.parametrize(
    ("build", "setting", "kind"),
    [
        (lambda: base(sasl=ScramAuth("u", 12345678), tls=TLS), "sasl.password", "int"),  # type: ignore[arg-type]
        (lambda: base(sasl=PlainAuth("u", b"bytes-pw"), tls=TLS), "sasl.password", "bytes"),  # type: ignore[arg-type]
        (lambda: base(sasl=OAuthBearerStatic(secret(["sentinel-list-tok"])), tls=TLS), "sasl.token", "list"),
        (
            lambda: base(sasl=MskIamStatic("AKIA", secret(3.5)), tls=TLS, flavor=KafkaFlavor.MSK_PROVISIONED),
            "sasl.secret_key",
            "float",
        ),
    ],
)
def test_non_string_secret_is_refused_without_showing_it(
    build: Callable[[], IngestStorageContract], setting: str, kind: str
) -> None:
    c = build()
    p = [x for x in problems(c) if x.setting == setting]
    assert len(p) == 1
    assert p[0].value == "SecretValue(***)"
    assert f"holds a {kind}, not a string or a pulumi Output" in p[0].message
    assert "as a string" in p[0].fix and "pulumi secret Output" in p[0].fix
    for leaked in ("12345678", "bytes-pw", "sentinel-list-tok", "3.5"):
        assert leaked not in str(p[0])


def test_output_and_generated_secrets_stay_valid() -> None:
    class FakeOutput:  # duck-typed like pulumi.Output: validation must not resolve it
        def apply(self, f: Callable[[str], object]) -> object:
            raise AssertionError("validation must not read an Output")

    assert problems(scram_over_tls(["k:9093"], "mimir", FakeOutput())) == []
    assert problems(scram_over_tls(["k:9093"], "mimir", secret(None))) == []


def test_a_real_pulumi_output_is_recognised() -> None:
    pulumi = pytest.importorskip("pulumi")
    out = pulumi.Output.secret("pw")
    assert problems(scram_over_tls(["k:9093"], "mimir", out)) == []


# --- 4. PEM text is loaded -----------------------------------------------------------------------------


def test_the_test_pems_are_valid() -> None:
    assert problems(mtls(["kafka:9093"], CA_PEM, CERT_PEM, KEY_PEM, principal="User:CN=mimir")) == []
    # A chain (several certificates) is a valid CA bundle.
    assert problems(scram_over_tls(["k:9093"], "m", secret("p"), CA_PEM + CERT_PEM)) == []


@pytest.mark.parametrize(
    ("tls", "setting", "reason"),
    [
        ({"ca": "-----BEGIN CERTIFICATE-----\n..."}, "tls.ca", "a CERTIFICATE block could not be decoded"),
        ({"ca": "/etc/ssl/certs/ca.crt"}, "tls.ca", "looks like a file path, not PEM text"),
        ({"ca": "not a pem"}, "tls.ca", "no '-----BEGIN ...-----' block found"),
        ({"ca": KEY_PEM}, "tls.ca", "holds a PRIVATE KEY block"),
        (
            {"client_cert": CA_PEM.replace("M", "x"), "client_key": KEY_PEM},
            "tls.client_cert",
            "could not be decoded",
        ),
        ({"client_cert": CERT_PEM, "client_key": CERT_PEM}, "tls.client_key", "holds no PRIVATE KEY block"),
        (
            {"client_cert": CERT_PEM, "client_key": KEY_PEM.replace("Vc7E", "!!!!")},
            "tls.client_key",
            "the PRIVATE KEY block could not be decoded",
        ),
    ],
)
def test_broken_pem_text_is_a_problem(tls: dict[str, str], setting: str, reason: str) -> None:
    c = base(tls=TlsConfig(enabled=True, **tls), kafka_principal="User:CN=mimir")  # type: ignore[arg-type]
    p = only_problem(c, setting)
    kind = "private key" if setting == "tls.client_key" else "certificate"
    assert p.message.startswith(f"is not a PEM {kind}: ") and reason in p.message
    assert "the file's content, not its path" in p.fix
    path_field = {"tls.ca": "ca_path", "tls.client_cert": "cert_path", "tls.client_key": "key_path"}[setting]
    assert f"tls.{path_field}=" in p.fix
    # The value names what was given without showing key material.
    text = str(p) + repr(p)
    assert KEY_SENTINEL not in text and "PRIVATE KEY-----\n" not in text
    if setting == "tls.client_key":
        assert p.value == "***"


def test_file_path_given_as_ca_is_shown() -> None:
    p = only_problem(base(tls=TlsConfig(enabled=True, ca="/etc/ssl/certs/ca.crt")), "tls.ca")
    assert str(p).startswith(
        "tls.ca='/etc/ssl/certs/ca.crt': is not a PEM certificate: looks like a file path"
    )


def test_encrypted_key_is_refused() -> None:
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_private_key(KEY_PEM.encode(), password=None)
    encrypted = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"pass"),
    ).decode()
    c = base(
        tls=TlsConfig(enabled=True, client_cert=CERT_PEM, client_key=encrypted), kafka_principal="User:x"
    )  # type: ignore[arg-type]
    p = only_problem(c, "tls.client_key")
    assert "encrypted" in p.message and p.value == "***"


def test_pem_outputs_and_out_of_band_files_are_not_parsed() -> None:
    class FakeOutput:
        def apply(self, f: Callable[[str], object]) -> object:
            raise AssertionError("validation must not read an Output")

    c = base(
        tls=TlsConfig(
            enabled=True,
            ca=PemMaterial(FakeOutput()),
            client_cert=PemMaterial(None),
            client_key=PemMaterial(None, secret=True),
            cert_path="/etc/strimzi/user/user.crt",
            key_path="/etc/strimzi/user/user.key",
        ),
        kafka_principal="User:CN=mimir",
    )
    assert problems(c) == []


def test_pem_of_a_wrong_type_is_a_problem() -> None:
    p = only_problem(base(tls=TlsConfig(enabled=True, ca=PemMaterial(CA_PEM.encode()))), "tls.ca")
    assert p.value == "<bytes>" and "must hold PEM text" in p.message and ".decode()" in p.fix


# --- 5. Confluent Cloud ------------------------------------------------------------------------------------


def _cc(**kw: object) -> IngestStorageContract:
    return confluent_cloud("pkc-1.eu-west-1.aws.confluent.cloud:9092", "KEY", secret("s"), **kw)  # type: ignore[arg-type]


def test_confluent_cloud_is_not_confluent_platform() -> None:
    cc, cp = FLAVORS[KafkaFlavor.CONFLUENT_CLOUD], FLAVORS[KafkaFlavor.CONFLUENT]
    assert cc.mechanisms == {PlainAuth("k", secret("s")).mechanism, OAuthBearerFile("/x").mechanism}
    assert cc.tls_required and not cc.broker_config_settable and not cc.unauthenticated
    assert cp.broker_config_settable and cp.max_message_bytes_cap is None
    assert cc.max_message_bytes_cap == 8_388_608
    assert FLAVORS[KafkaFlavor.CONFLUENT_CLOUD_DEDICATED].max_message_bytes_cap == 20_971_520


def test_confluent_cloud_record_size_must_fit_8_mib() -> None:
    c = replace(_cc(), producer_max_record_size_bytes=15_983_616)
    p = only_problem(c, "producer_max_record_size_bytes")
    assert p.value == 15_983_616 and "confluent-cloud rejects messages above 8388608 bytes" in p.message
    assert "producer_max_record_size_bytes=8372224" in p.fix
    assert problems(replace(c, producer_max_record_size_bytes=8_372_224)) == []


def test_confluent_cloud_preset_and_kafka_requirements_stay_under_the_cap() -> None:
    c = _cc(service_account="sa-1")
    assert c.producer_max_record_size_bytes == 8_372_224
    req = kafka_requirements(c)
    assert req.broker_config == {}
    assert req.topic_config["max.message.bytes"] == "8388608"
    assert "min.insync.replicas" not in req.topic_config
    assert req.principal == "User:sa-1" and {a.principal for a in req.acls} == {"User:sa-1"}
    assert any("8 MiB" in w for w in req.warnings)


def test_confluent_cloud_dedicated_takes_mimirs_full_batch() -> None:
    c = _cc(dedicated=True, service_account="sa-1")
    assert c.flavor is KafkaFlavor.CONFLUENT_CLOUD_DEDICATED
    assert c.producer_max_record_size_bytes == 15_983_616
    assert kafka_requirements(c).topic_config["max.message.bytes"] == "16000000"
    assert not [w for w in warnings(c) if w.setting == "flavor"]


@pytest.mark.parametrize(
    ("kw", "setting", "message", "fix"),
    [
        (
            {"tls": TlsConfig(enabled=False)},
            "tls.enabled",
            "accepts TLS connections only",
            "tls.enabled=True",
        ),
        (
            {"sasl": ScramAuth("k", secret("s"))},
            "sasl",
            "confluent-cloud does not offer SASL SCRAM-SHA-512",
            "OAUTHBEARER, PLAIN",
        ),
        (
            {"topic": TopicSettings(replication_factor=2, min_insync_replicas=1)},
            "topic.replication_factor",
            "creates every topic with replication factor 3",
            "topic.replication_factor=3",
        ),
    ],
)
def test_confluent_cloud_refusals(kw: dict[str, object], setting: str, message: str, fix: str) -> None:
    p = [x for x in problems(replace(_cc(), **kw)) if x.setting == setting]  # type: ignore[arg-type]
    assert p and message in p[0].message and fix in p[0].fix


def test_confluent_cloud_api_key_is_not_the_principal() -> None:
    c = _cc()
    assert kafka_requirements(c).principal is None and kafka_requirements(c).acls == []
    w = [x for x in warnings(c) if x.setting == "kafka_principal"]
    assert w and "API key" in w[0].message and "User:sa-" in w[0].fix
