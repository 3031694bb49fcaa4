"""The doctor's inputs: Mimir YAML, -ingest-storage.* flags and stack outputs, with ${VAR} resolution."""

from __future__ import annotations

import json

import pytest
from mimirkafka.cli import main
from mimirkafka.contract.mimir_config import tls_paths
from mimirkafka.contract.model import OAuthBearerFile, PlainAuth, ScramAuth
from mimirkafka.doctor.inputs import (
    InputError,
    UnsetVariables,
    contract_kwargs,
    from_config_file,
    from_config_text,
    from_flags,
    from_stack_outputs,
    with_tls_dir,
)
from mimirkafka.doctor.report import ExitCode

YAML = """
ingest_storage:
  enabled: true
  kafka:
    address: ${KAFKA_ADDR}
    topic: mimir-ingest
    sasl_mechanism: SCRAM-SHA-512
    sasl_username: mimir
    sasl_password: ${MIMIR_KAFKA_SASL_PASSWORD}
    tls_enabled: true
    tls_ca_path: /etc/kafka/ca.pem
"""


def test_config_file_resolves_env_and_reports_nothing_undefined(tmp_path):
    path = tmp_path / "mimir.yaml"
    path.write_text(YAML)
    env = {"KAFKA_ADDR": "b1:9096,b2:9096", "MIMIR_KAFKA_SASL_PASSWORD": "s3cret"}
    loaded = from_config_file(str(path), env)
    c = loaded.contract
    assert c.addresses == ("b1:9096", "b2:9096")
    assert isinstance(c.sasl, ScramAuth) and c.sasl.sha == 512 and c.sasl.password.value == "s3cret"
    assert c.tls.enabled and c.tls.ca_path == "/etc/kafka/ca.pem"
    assert loaded.notes == () and loaded.source == str(path)


def test_unset_reference_is_an_input_error_naming_the_variable_and_the_setting():
    with pytest.raises(UnsetVariables) as err:
        from_config_text(YAML, {"KAFKA_ADDR": "b1:9096"})
    assert str(err.value) == (
        "`${MIMIR_KAFKA_SASL_PASSWORD}` (ingest_storage.kafka.sasl_password) is not set in the environment: "
        "export MIMIR_KAFKA_SASL_PASSWORD=... (the value Mimir gets from its Secret)"
    )
    with pytest.raises(UnsetVariables) as err:
        from_config_text(YAML, {})
    lines = str(err.value).splitlines()
    assert lines[0].startswith("`${KAFKA_ADDR}` (ingest_storage.kafka.address) is not set")
    assert lines[0].endswith("export KAFKA_ADDR=... (the value Mimir's environment sets)")
    assert lines[1].startswith("`${MIMIR_KAFKA_SASL_PASSWORD}` (ingest_storage.kafka.sasl_password)")
    # Defined as empty is the user's explicit choice: the contract then judges the value itself.
    loaded = from_config_text(YAML, {"KAFKA_ADDR": "b1:9096", "MIMIR_KAFKA_SASL_PASSWORD": ""})
    assert isinstance(loaded.contract.sasl, ScramAuth) and loaded.contract.sasl.password.value == ""


def test_unset_references_outside_the_settings_the_doctor_reads_are_notes():
    text = YAML + "blocks_storage:\n  s3:\n    secret_access_key: ${S3_SECRET}\n# old: ${IN_A_COMMENT}\n"
    env = {"KAFKA_ADDR": "b1:9096", "MIMIR_KAFKA_SASL_PASSWORD": "pw"}
    loaded = from_config_text(text, env)
    assert loaded.notes == (
        "${S3_SECRET} (blocks_storage.s3.secret_access_key) is not set; the doctor does not read it",
    )
    assert loaded.contract.sasl.password.value == "pw"  # type: ignore[union-attr]


def test_not_a_mimir_config_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no ingest_storage block"):
        from_config_text("server:\n  http_listen_port: 8080\n", {})
    with pytest.raises(InputError, match="not valid YAML"):
        from_config_text("ingest_storage: [unclosed", {})
    with pytest.raises(InputError, match="--config-file"):
        from_config_file(str(tmp_path / "missing.yaml"), {})


def test_invalid_mechanism_is_an_input_error_naming_the_setting():
    text = YAML.replace("SCRAM-SHA-512", "SCRAM-SHA-1")
    with pytest.raises(InputError, match="sasl_mechanism"):
        from_config_text(text, {"KAFKA_ADDR": "b:1", "MIMIR_KAFKA_SASL_PASSWORD": "pw"})


def test_flags_as_string_and_as_list_agree():
    flags = (
        "-ingest-storage.enabled=true -ingest-storage.kafka.address=k:9092 "
        "-ingest-storage.kafka.topic=ingest -ingest-storage.kafka.sasl-username=mimir "
        "-ingest-storage.kafka.sasl-password=${PW}"
    )
    a = from_flags(flags, {"PW": "pw"})
    b = from_flags(flags.split(), {"PW": "pw"})
    assert (a.contract.addresses, a.contract.topic, a.contract.tls) == (
        b.contract.addresses,
        b.contract.topic,
        b.contract.tls,
    )
    assert a.contract.sasl.password.value == b.contract.sasl.password.value  # type: ignore[union-attr]
    assert isinstance(a.contract.sasl, PlainAuth) and a.contract.sasl.password.value == "pw"
    assert a.contract.topic.name == "ingest" and a.contract.addresses == ("k:9092",)
    with pytest.raises(UnsetVariables, match=r"`\$\{PW\}` \(ingest_storage.kafka.sasl_password\)"):
        from_flags(flags, {})
    # Rendered container args use Kubernetes' $(VAR); unset, Mimir would get the literal text or "".
    with pytest.raises(UnsetVariables, match=r"export PW=\.\.\."):
        from_flags(flags.replace("${PW}", "$(PW)"), {})


def test_flags_value_with_dollar_brace_is_not_expanded_twice():
    flags = [
        "-ingest-storage.kafka.address=k:9092",
        "-ingest-storage.kafka.topic=t",
        "-ingest-storage.kafka.sasl-username=u",
        "-ingest-storage.kafka.sasl-password=${PW}",
    ]
    loaded = from_flags(flags, {"PW": "a${B}c", "B": "X"})
    assert loaded.contract.sasl.password.value == "a${B}c"  # type: ignore[union-attr]


def test_flags_without_ingest_storage_are_refused():
    with pytest.raises(InputError, match="no -ingest-storage"):
        from_flags("-target=all", {})


def test_stack_outputs_default_output_and_password_from_show_secrets():
    outputs = {
        "kafkaBootstrap": "b:9096",
        "kafkaMimirPassword": "pw-from-stack",
        "mimirIngestStorageConfig": {
            "enabled": True,
            "kafka": {
                "address": "b:9096",
                "topic": "mimir-ingest",
                "sasl_mechanism": "SCRAM-SHA-256",
                "sasl_username": "mimir",
                "sasl_password": "${MIMIR_KAFKA_SASL_PASSWORD}",
            },
        },
    }
    loaded = from_stack_outputs(json.dumps(outputs), {})
    assert loaded.source == "stack output mimirIngestStorageConfig"
    assert isinstance(loaded.contract.sasl, ScramAuth) and loaded.contract.sasl.sha == 256
    assert loaded.contract.sasl.password.value == "pw-from-stack"
    assert any("kafkaMimirPassword" in n for n in loaded.notes)


def test_stack_outputs_masked_secret_is_not_used_and_env_wins():
    outputs = {"kafkaMimirPassword": "[secret]", "cfg": YAML}
    with pytest.raises(UnsetVariables) as err:
        from_stack_outputs(json.dumps(outputs), {"KAFKA_ADDR": "x:1"}, output="cfg")
    assert "export MIMIR_KAFKA_SASL_PASSWORD=..." in str(err.value)
    assert "kafkaMimirPassword is masked: `pulumi stack output --json --show-secrets`" in str(err.value)
    env = {"KAFKA_ADDR": "x:1", "MIMIR_KAFKA_SASL_PASSWORD": "env-pw"}
    outputs["kafkaMimirPassword"] = "stack-pw"
    loaded = from_stack_outputs(json.dumps(outputs), env, output="cfg")
    assert loaded.contract.sasl.password.value == "env-pw"  # type: ignore[union-attr]


def test_stack_outputs_with_flag_list_and_errors():
    outputs = {
        "flags": [
            "-ingest-storage.kafka.address=k:1",
            "-ingest-storage.kafka.topic=t",
            "-ingest-storage.kafka.sasl-mechanism=OAUTHBEARER",
            "-ingest-storage.kafka.sasl-oauthbearer-file-path=/run/token.json",
        ]
    }
    loaded = from_stack_outputs(json.dumps(outputs), {})
    assert isinstance(loaded.contract.sasl, OAuthBearerFile)
    assert loaded.contract.sasl.path == "/run/token.json"
    with pytest.raises(InputError, match="no output 'nope'"):
        from_stack_outputs(json.dumps(outputs), {}, output="nope")
    with pytest.raises(InputError, match="not JSON"):
        from_stack_outputs("kafkaBootstrap = b:1", {})
    with pytest.raises(InputError, match="ingest_storage settings"):
        from_stack_outputs(json.dumps({"kafkaBootstrap": "b:1"}), {})


def test_contract_kwargs_carry_facts_the_config_lacks():
    kw = contract_kwargs("3.1.0", ingesters_per_zone=5)
    loaded = from_config_text(YAML, {"KAFKA_ADDR": "b:1", "MIMIR_KAFKA_SASL_PASSWORD": "pw"}, **kw)
    assert str(loaded.contract.mimir_version) == "3.1.0"
    assert loaded.contract.ingesters.per_zone == 5


def test_cli_exits_3_with_the_variable_to_export_before_any_check(tmp_path, monkeypatch, capsys):
    path = tmp_path / "mimir.yaml"
    path.write_text(
        "ingest_storage:\n  enabled: true\n  kafka:\n    address: 127.0.0.1:1\n    topic: mimir-ingest\n"
        "    sasl_mechanism: SCRAM-SHA-512\n    sasl_username: mimir\n    sasl_password: ${REV_PW}\n"
    )
    monkeypatch.delenv("REV_PW", raising=False)
    code = main(["doctor", "--config-file", str(path), "--timeout", "1"])
    out, err = capsys.readouterr()
    assert code == ExitCode.USAGE == 3
    assert err.strip() == (
        "mimirkafka doctor: `${REV_PW}` (ingest_storage.kafka.sasl_password) is not set in the environment: "
        "export REV_PW=... (the value Mimir gets from its Secret)"
    )
    assert out == ""  # no report: nothing was checked against an empty password
    assert "secret(<password>)" not in err  # not the contract's Python-API fix


def test_stack_outputs_carry_the_ingesters_group_prefix_and_a_flag_overrides_it():
    outputs = {
        "kafkaMimirPassword": "pw",
        "kafkaConsumerGroupPrefix": "metrics-ingester-",
        "mimirIngestStorageConfig": {
            "enabled": True,
            "kafka": {
                "address": "b:9092",
                "topic": "t",
                "sasl_mechanism": "PLAIN",
                "sasl_username": "m",
                "sasl_password": "${MIMIR_KAFKA_SASL_PASSWORD}",
            },
        },
    }
    loaded = from_stack_outputs(json.dumps(outputs), {})
    assert loaded.contract.consumer_group_prefix == "metrics-ingester-"
    flagged = from_stack_outputs(json.dumps(outputs), {}, **contract_kwargs(consumer_group_prefix="x-"))
    assert flagged.contract.consumer_group_prefix == "x-"


def test_tls_dir_moves_only_the_directory_of_mimirs_tls_files(tmp_path):
    loaded = from_config_text(YAML, {"KAFKA_ADDR": "b:9093", "MIMIR_KAFKA_SASL_PASSWORD": "pw"})
    moved = with_tls_dir(loaded.contract, str(tmp_path))
    assert tls_paths(loaded.contract) == {"ca": "/etc/kafka/ca.pem"}
    assert tls_paths(moved) == {"ca": str(tmp_path / "ca.pem")}
    assert moved.addresses == loaded.contract.addresses and moved.sasl == loaded.contract.sasl
