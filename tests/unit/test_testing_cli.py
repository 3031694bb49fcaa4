"""`mimirkafka ephemeral reap`: arguments, refusals, the Kafka admin connection; the pytest plugin's
option parsing; the lazy package (importing the plugin must not import Pulumi)."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest
from mimirkafka.cli import main
from mimirkafka.testing.cli import PASSWORD_ENV, admin_config
from mimirkafka.testing.pytest_plugin import parse_overrides


def test_help_lists_reap(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["ephemeral", "reap", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "--older-than" in out and "--yes" in out and "dry run" in out


def test_bad_duration_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ephemeral", "reap", "--older-than", "six hours"]) == 3
    assert "6h" in capsys.readouterr().err


def test_sasl_sweep_needs_user_mechanism_and_password_from_the_environment(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    rc = main(["ephemeral", "reap", "--kafka-bootstrap", "k:9093", "--kafka-security-protocol", "SASL_SSL"])
    assert rc == 3 and "--kafka-sasl-mechanism" in capsys.readouterr().err
    rc = main(
        [
            "ephemeral",
            "reap",
            "--kafka-bootstrap",
            "k:9093",
            "--kafka-security-protocol",
            "SASL_SSL",
            "--kafka-sasl-mechanism",
            "SCRAM-SHA-512",
            "--kafka-username",
            "admin",
        ]
    )
    assert rc == 3 and PASSWORD_ENV in capsys.readouterr().err


def test_admin_config() -> None:
    ns = argparse.Namespace(
        kafka_bootstrap="a:9093, b:9093",
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_mechanism="SCRAM-SHA-512",
        kafka_username="admin",
        kafka_ca_file="/ca.pem",
    )
    cfg = admin_config(ns, {PASSWORD_ENV: "pw"})
    assert cfg["bootstrap_servers"] == ["a:9093", "b:9093"]
    assert (cfg["sasl_mechanism"], cfg["sasl_plain_username"], cfg["sasl_plain_password"]) == (
        "SCRAM-SHA-512",
        "admin",
        "pw",
    )
    assert cfg["ssl_cafile"] == "/ca.pem"


def test_plugin_overrides() -> None:
    assert parse_overrides(["topicPartitions=6", " kafkaAuth = plain "]) == {
        "topicPartitions": "6",
        "kafkaAuth": "plain",
    }
    with pytest.raises(pytest.UsageError, match="KEY=VALUE"):
        parse_overrides(["topicPartitions"])


def test_importing_the_plugin_does_not_import_pulumi() -> None:
    code = "import sys, mimirkafka.testing.pytest_plugin; print('pulumi' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert out.strip() == "False"
