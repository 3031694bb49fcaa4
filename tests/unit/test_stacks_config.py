"""Stack config: Pulumi.yaml's schema, the docs and the parser all describe the same keys."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import pytest
import yaml
from mimirkafka.stack import config as sc
from mimirkafka.stack import keys

REPO = Path(__file__).resolve().parents[2]


def parse(raw: dict[str, str], secrets_set: Collection[str] = ()) -> sc.StackConfig:
    """``sc.parse`` as for a stack whose admin password was set (an existing Kafka needs one)."""
    return sc.parse(raw, {"kafkaAdminPassword", *secrets_set})


def test_pulumi_yaml_schema_matches_keys() -> None:
    project = yaml.safe_load((REPO / "Pulumi.yaml").read_text())
    assert project["stackConfigDir"] == "stacks"
    assert project["runtime"] == {"name": "python", "options": {"toolchain": "pip", "virtualenv": ".venv"}}
    assert project["config"] == sc.pulumi_yaml_schema()
    for name, entry in project["config"].items():
        assert entry["description"] and "default" in entry, name


def test_generated_copies_are_up_to_date() -> None:
    """Pulumi.yaml's schema and both key tables are exactly what ``keys --write`` generates."""
    assert keys.pulumi_yaml((REPO / "Pulumi.yaml").read_text()) == (REPO / "Pulumi.yaml").read_text()
    for name in keys.TABLE_FILES:
        doc = (REPO / name).read_text()
        assert keys.with_table(doc) == doc, f"{name}: run python -m mimirkafka.stack.keys --write"


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
        present = {"kafkaPassword"}
        for key in sc.SECRET_KEYS:
            if key in raw:
                assert isinstance(raw.pop(key), dict), f"{path.name}: {key} in clear"
                present.add(key)
        sc.parse(raw, secrets_set=present | {"kafkaAdminPassword"})


def test_defaults() -> None:
    cfg = parse({"kafkaBootstrap": "k:9092"})
    assert cfg.kafka.kind == "existing" and cfg.kafka.auth == "scram-sha-512"
    assert cfg.topic.name == "mimir-ingest" and cfg.topic.partitions == 16
    assert str(cfg.mimir.version) == "3.1.3" and cfg.mimir.chart_version == "6.1.0"


def test_strings_from_the_cli_are_coerced() -> None:
    cfg = parse({"kafkaBootstrap": "a:1, b:2", "topicPartitions": "32", "kafkaTls": "true"})
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
        ({"kafkaBootstrap": "k:1", "typo": "x"}, "typo='x': not a config key of this project"),
        ({"kafkaBootstrap": "k:1", "topicPartition": "64"}, "did you mean topicPartitions?"),
        ({"kafkaBootstrap": "k:1", "kafkaPassword": "clear"}, "is a secret"),
        ({"kafkaKind": "strimzi", "kafkaNamespace": "kafka"}, "same value"),
        ({"kafkaBootstrap": "k:1", "mimirExtraValues": "[1, 2]"}, "must be a YAML mapping"),
    ],
)
def test_errors_name_the_key_and_the_fix(raw: dict[str, str], fragment: str) -> None:
    with pytest.raises(sc.StackConfigError, match=None) as err:
        parse(raw)
    assert fragment in str(err.value)


_MTLS = {
    "kafkaAuth": "none",
    "kafkaTls": "true",
    "kafkaTlsClientCertFile": "c.crt",
    "kafkaTlsClientKeyFile": "c.key",
}


@pytest.mark.parametrize(
    ("raw", "secrets", "fragments"),
    [
        # Not 'User:<name>': the fix spells the corrected value.
        (
            {"kafkaBootstrap": "k:1", "kafkaPrincipal": "mimir"},
            (),
            ("kafkaPrincipal='mimir'", "'User:<name>'", "set kafkaPrincipal to 'User:mimir'"),
        ),
        (
            {"kafkaBootstrap": "k:1", "kafkaPrincipal": "User:"},
            (),
            ("kafkaPrincipal='User:'", "set kafkaPrincipal to"),
        ),
        # The other kinds create Mimir's identity, so a principal from the stack would contradict it.
        (
            {"kafkaKind": "strimzi", "kafkaPrincipal": "User:mimir"},
            (),
            ("kafkaPrincipal='User:mimir'", "only with kafkaKind=existing", "kafkaKind=strimzi", "unset"),
        ),
        # ACLs for a principal the stack cannot know.
        (
            {"kafkaBootstrap": "k:1", "kafkaAuth": "oauthbearer"},
            ("kafkaOauthToken",),
            ("kafkaPrincipal=''", "kafkaAuth=oauthbearer", "set kafkaPrincipal", "kafkaCreateAcls=false"),
        ),
        (
            {"kafkaBootstrap": "k:1", **_MTLS},
            (),
            ("kafkaPrincipal=''", "mTLS", "'User:CN=mimir'", "kafkaCreateAcls=false"),
        ),
        (
            {"kafkaKind": "strimzi", "kafkaPreflight": "true"},
            (),
            (
                "kafkaPreflight=true",
                "only with kafkaKind=existing",
                "kafkaKind=strimzi",
                "kafkaPreflight=false",
            ),
        ),
    ],
)
def test_principal_and_preflight_errors(
    raw: dict[str, str], secrets: tuple[str, ...], fragments: tuple[str, ...]
) -> None:
    with pytest.raises(sc.StackConfigError) as err:
        parse(raw, secrets_set=secrets)
    for fragment in fragments:
        assert fragment in str(err.value)


def test_principal_defaults_to_the_sasl_username() -> None:
    for auth in sc.USERNAME_AUTH:
        cfg = parse(
            {"kafkaBootstrap": "k:1", "kafkaAuth": auth, "kafkaUsername": "mimir-prod"}, {"kafkaPassword"}
        )
        assert cfg.kafka.principal == ""
        assert sc.effective_principal(cfg.kafka) == "User:mimir-prod"


def test_explicit_principal_wins_and_unknown_ones_stay_empty() -> None:
    oauth = parse(
        {"kafkaBootstrap": "k:1", "kafkaAuth": "oauthbearer", "kafkaPrincipal": "User:svc-mimir"},
        secrets_set={"kafkaOauthToken"},
    )
    assert sc.effective_principal(oauth.kafka) == "User:svc-mimir"
    mtls = parse({"kafkaBootstrap": "k:1", **_MTLS, "kafkaPrincipal": "User:CN=mimir,O=acme"})
    assert sc.effective_principal(mtls.kafka) == "User:CN=mimir,O=acme"
    # Without ACLs the principal is not needed, so it may stay unknown.
    no_acls = parse({"kafkaBootstrap": "k:1", **_MTLS, "kafkaCreateAcls": "false"})
    assert sc.effective_principal(no_acls.kafka) == ""


def test_preflight_is_accepted_for_existing() -> None:
    assert parse({"kafkaBootstrap": "k:1", "kafkaPreflight": "true"}).kafka.preflight is True
    assert parse({"kafkaBootstrap": "k:1"}).kafka.preflight is False
