"""Mimir renderings: golden files, flags agreeing with YAML, the settings table, and no secret leaks.

Regenerate the golden files after an intended change with
``UPDATE_GOLDEN=1 pytest tests/unit/test_contract_render.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml
from mimirkafka.contract import (
    SECRET_ENV_VARS,
    SETTINGS,
    ContractError,
    IngestStorageContract,
    MimirVersion,
    OAuthBearerSocket,
    PemMaterial,
    TlsConfig,
    config_from_flags,
    render_mimir,
)
from mimirkafka.contract.mimir_config import iter_leaves
from mimirkafka.contract.mimir_settings import BY_FLAG, BY_YAML
from test_contract_cases import ALL_SENTINELS, CASES, SENTINELS

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def _check_golden(path: Path, text: str) -> None:
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden file {path.name}; run with UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), f"{path.name} differs from the rendering"


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_yaml_and_flags(name: str) -> None:
    r = render_mimir(CASES[name]())
    _check_golden(GOLDEN / f"{name}.yaml", r.yaml())
    _check_golden(GOLDEN / f"{name}.flags", "\n".join(r.flags) + "\n")


@pytest.mark.parametrize("name", sorted(CASES))
def test_flags_and_yaml_describe_the_same_settings(name: str) -> None:
    r = render_mimir(CASES[name]())
    # Parsing the flags back through the table must give exactly the YAML tree, key by key and value by value.
    assert config_from_flags(r.flags) == yaml.safe_load(r.yaml()) == r.config
    # Same number of flags as YAML leaves: no setting rendered on one side only.
    assert len(r.flags) == len(iter_leaves(r.config))


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_rendered_setting_exists_in_the_targeted_mimir(name: str) -> None:
    c = CASES[name]()
    r = render_mimir(c)
    for path, _ in iter_leaves(r.config):
        setting = BY_YAML.get(path)
        assert setting is not None, f"{'.'.join(path)} is not a known Mimir setting"
        assert setting.available_in(c.mimir_version), f"{setting.flag} is not in Mimir {c.mimir_version}"
    for flag in r.flags:
        name_ = flag[1:].split("=", 1)[0]
        assert name_ in BY_FLAG and BY_FLAG[name_].available_in(c.mimir_version), flag


def test_settings_table_flag_names_follow_the_yaml_keys() -> None:
    """Mimir registers every ``ingest_storage.kafka`` key as ``-ingest-storage.kafka.<key with dashes>``."""
    kafka = [s for s in SETTINGS if s.yaml_path[:2] == ("ingest_storage", "kafka")]
    assert len(kafka) > 40
    for s in kafka:
        assert s.flag == "ingest-storage.kafka." + s.yaml_path[2].replace("_", "-")
    assert len(BY_FLAG) == len(SETTINGS) == len(BY_YAML), "duplicate flag or YAML path in the table"
    for var_key in SECRET_ENV_VARS:
        assert BY_YAML[("ingest_storage", "kafka", var_key)].secret


def test_mimir_30_gets_no_31_settings() -> None:
    r = render_mimir(CASES["mimir30_plain"]())
    kafka = r.config["ingest_storage"]["kafka"]
    assert "sasl_mechanism" not in kafka and "tls_enabled" not in kafka
    assert kafka["sasl_username"] == "mimir"
    assert kafka["sasl_password"] == "${MIMIR_KAFKA_SASL_PASSWORD}"


def test_deployment_settings_rendered() -> None:
    r = render_mimir(CASES["plaintext"]())
    assert r.config["ingest_storage"]["enabled"] is True
    assert r.config["distributor"] == {"remote_timeout": "5s"}
    assert r.config["ingester"]["push_grpc_method_enabled"] is False
    assert r.config["ingester"]["partition_ring"]["kvstore"] == {"store": "memberlist"}
    # auto-create partitions carry the topic's partition count, so a re-created topic covers the ingesters
    assert r.config["ingest_storage"]["kafka"]["auto_create_topic_default_partitions"] == 4


def test_warpstream_fetch_flag_is_derived_from_the_flavor() -> None:
    r = render_mimir(CASES["warpstream"]())
    assert r.config["ingest_storage"]["kafka"]["use_compressed_bytes_as_fetch_max_bytes"] is False
    assert "-ingest-storage.kafka.use-compressed-bytes-as-fetch-max-bytes=false" in r.flags
    assert (
        "use_compressed_bytes_as_fetch_max_bytes"
        not in render_mimir(CASES["plaintext"]()).config["ingest_storage"]["kafka"]
    )


def test_msk_serverless_record_size_fits_the_cap() -> None:
    kafka = render_mimir(CASES["msk_serverless"]()).config["ingest_storage"]["kafka"]
    assert kafka["producer_max_record_size_bytes"] == 8_388_608 - 16_384
    assert kafka["sasl_msk_iam_http_socket_path"] == "/var/run/mimir-msk-iam/credentials.sock"
    assert kafka["tls_enabled"] is True


def test_secret_env_and_tls_files() -> None:
    r = render_mimir(CASES["msk_iam_static"]())
    assert {k: v.value for k, v in r.secret_env.items()} == {k: v for k, v in SENTINELS.items() if "MSK" in k}
    m = render_mimir(CASES["mtls_strimzi"]())
    assert sorted(m.tls_files) == [
        "/etc/mimir/kafka-tls/ca.crt",
        "/etc/mimir/kafka-tls/tls.crt",
        "/etc/mimir/kafka-tls/tls.key",
    ]
    assert m.tls_files["/etc/mimir/kafka-tls/tls.key"].secret is True
    assert m.config["ingest_storage"]["kafka"]["tls_key_path"] == "/etc/mimir/kafka-tls/tls.key"
    assert m.secret_env == {}


def test_explicit_tls_paths_win_over_mount_dir() -> None:
    c = IngestStorageContract(
        addresses=("k:9093",),
        tls=TlsConfig(enabled=True, ca=PemMaterial(None), ca_path="/etc/strimzi/ca/ca.crt", mount_dir="/tls"),
    )
    r = render_mimir(c)
    assert r.config["ingest_storage"]["kafka"]["tls_ca_path"] == "/etc/strimzi/ca/ca.crt"
    assert list(r.tls_files) == ["/etc/strimzi/ca/ca.crt"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_no_secret_value_in_any_rendering(name: str) -> None:
    r = render_mimir(CASES[name]())
    outputs = [
        r.yaml(),
        "\n".join(r.flags),
        "\n".join(r.k8s_args()),
        repr(r.config),
        json.dumps(r.masked()),
        repr(r),
        str(r.tls_files),
    ]
    for text in outputs:
        for s in ALL_SENTINELS:
            assert s not in text
    for var in r.secret_env:
        assert f"${{{var}}}" in r.yaml()


def test_k8s_args_use_kubernetes_expansion() -> None:
    r = render_mimir(CASES["scram512_tls"]())
    assert "-ingest-storage.kafka.sasl-password=$(MIMIR_KAFKA_SASL_PASSWORD)" in r.k8s_args()
    assert "-ingest-storage.kafka.sasl-password=${MIMIR_KAFKA_SASL_PASSWORD}" in r.flags
    assert r.expand_env_required and not render_mimir(CASES["plaintext"]()).expand_env_required


def test_render_refuses_an_invalid_contract_before_rendering() -> None:
    bad = IngestStorageContract(
        addresses=("k:9092",), sasl=OAuthBearerSocket("relative.sock"), mimir_version=MimirVersion(3, 1, 2)
    )
    with pytest.raises(ContractError) as e:
        render_mimir(bad)
    assert e.value.settings() == ["sasl.socket_path"]
