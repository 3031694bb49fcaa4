"""Stack config: Pulumi.yaml's schema, the docs and the parser all describe the same keys."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from mimirkafka import stack_config as sc

REPO = Path(__file__).resolve().parents[2]


def test_pulumi_yaml_schema_matches_keys() -> None:
    project = yaml.safe_load((REPO / "Pulumi.yaml").read_text())
    assert project["stackConfigDir"] == "stacks"
    assert project["runtime"] == {"name": "python", "options": {"toolchain": "pip", "virtualenv": ".venv"}}
    assert project["config"] == sc.pulumi_yaml_schema()
    for name, entry in project["config"].items():
        assert entry["description"] and "default" in entry, name


@pytest.mark.parametrize("doc_path", ["docs/stacks.md", "README.md"])
def test_every_key_is_documented_with_default_and_example(doc_path: str) -> None:
    doc = (REPO / doc_path).read_text()
    for key in sc.KEYS:
        row = next((line for line in doc.splitlines() if line.startswith(f"| `{key.name}` ")), None)
        assert row is not None, f"{doc_path} has no row for {key.name}"
        assert key.example.strip("'") in row.replace("\\|", "|"), key.name


def test_stack_files_use_only_declared_keys() -> None:
    for path in (REPO / "stacks").glob("Pulumi.*.yaml"):
        config = yaml.safe_load(path.read_text())["config"]
        raw = {k.split(":", 1)[1]: v for k, v in config.items() if k.startswith("mimir-kafka:")}
        assert set(raw) <= set(sc.KEYS_BY_NAME), path.name
        # Secrets may only appear encrypted (``secure:``), as `pulumi config set --secret` writes them.
        for key in sc.SECRET_KEYS:
            if key in raw:
                assert isinstance(raw.pop(key), dict), f"{path.name}: {key} in clear"
        sc.parse(raw, secrets_set={"kafkaPassword"})


def test_defaults() -> None:
    cfg = sc.parse({"kafkaBootstrap": "k:9092"})
    assert cfg.kafka.kind == "existing" and cfg.kafka.auth == "scram-sha-512"
    assert cfg.topic.name == "mimir-ingest" and cfg.topic.partitions == 16
    assert str(cfg.mimir.version) == "3.1.2" and cfg.mimir.chart_version == "6.1.0"


def test_strings_from_the_cli_are_coerced() -> None:
    cfg = sc.parse({"kafkaBootstrap": "a:1, b:2", "topicPartitions": "32", "kafkaTls": "true"})
    assert cfg.kafka.bootstrap == ("a:1", "b:2") and cfg.topic.partitions == 32 and cfg.kafka.tls is True


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ({"kafkaKind": "zookeeper"}, "kafkaKind='zookeeper'"),
        ({"kafkaBootstrap": "k:1", "topicPartitions": "many"}, "topicPartitions='many': must be an integer"),
        ({"kafkaBootstrap": "k:1", "kafkaTls": "yes"}, "kafkaTls='yes': must be true or false"),
        ({}, "kafkaBootstrap=''"),
        ({"kafkaKind": "msk"}, "awsRegion"),
        (
            {
                "kafkaKind": "msk-serverless",
                "awsRegion": "eu-west-1",
                "mskVpcId": "v",
                "mskSubnetIds": '["s"]',
            },
            "MSK Serverless only supports IAM",
        ),
        ({"kafkaBootstrap": "k:1", "kafkaAuth": "msk-iam"}, "podIdentity='none'"),
        ({"kafkaBootstrap": "k:1", "typo": "x"}, "unknown config key(s) ['typo']"),
        ({"kafkaBootstrap": "k:1", "kafkaPassword": "clear"}, "is a secret"),
        ({"kafkaKind": "strimzi", "kafkaNamespace": "kafka"}, "same value"),
        ({"kafkaBootstrap": "k:1", "mimirExtraValues": "[1, 2]"}, "must be a YAML mapping"),
    ],
)
def test_errors_name_the_key_and_the_fix(raw: dict[str, str], fragment: str) -> None:
    with pytest.raises(sc.StackConfigError, match=None) as err:
        sc.parse(raw)
    assert fragment in str(err.value)
