"""Every shipped stack, run under mocks: the Kafka side and the Mimir side agree, and nothing leaks.

Each ``stacks/Pulumi.<stack>.yaml`` is loaded into the real program (``mimirkafka.stack.deploy.run``). The
Helm values (the Release's ``values`` input, or the values file the render-only ``local`` stack writes)
must carry the address, port, mechanism, TLS, topic, partitions and a record size that the Kafka-side
resources (topic, user, listener) accept; every secret is a Pulumi secret; no secret value appears in
clear in any resource input; IAM policies grant no kafka/s3 action on a wildcard resource.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml
from mimirkafka.contract.model import PRODUCER_BATCH_MAX_BYTES
from mimirkafka.mimir.components import component_view
from mimirkafka.mimir.iam_policies import wildcard_resource_problems
from mimirkafka.stack import deploy as program
from mimirkafka.stack.config import StackConfigError
from mocks import ProgramRun, RecordedResource, run_program
from test_contract_cases import CA_PEM

REPO = Path(__file__).resolve().parents[2]
STACKS = sorted(p.name.split(".")[1] for p in (REPO / "stacks").glob("Pulumi.*.yaml"))
#: Secrets the tests set for stacks that need them; each must never appear in clear.
TEST_SECRETS = {
    "kafkaPassword": "s3cr3t-mimir-password-for-tests",
    "kafkaAdminPassword": "s3cr3t-admin-password-for-tests",
}
BROKER_ADMIN_PASSWORD = "s3cr3t-broker-admin-from-info-file"
#: A real (throw-away) certificate: contract validation loads PEM text given in clear.
FAKE_CA = CA_PEM
MOCK_PASSWORD = "mock-password-" + "x" * 24
#: Stacks whose brokers present a certificate from a private CA (the fixture broker, Strimzi).
PRIVATE_CA_STACKS = {"local", "staging"}


def broker_info_doc() -> dict[str, Any]:
    def lst(port: int, proto: str, mechs: list[str]) -> dict[str, Any]:
        return {"address": f"127.0.0.1:{port}", "security_protocol": proto, "mechanisms": mechs}

    return {
        "listeners": {
            "sasl_plain": lst(19092, "SASL_PLAINTEXT", ["PLAIN"]),
            "scram_sha_512": lst(19093, "SASL_PLAINTEXT", ["SCRAM-SHA-512"]),
            "sasl_ssl": lst(19094, "SASL_SSL", ["SCRAM-SHA-256", "SCRAM-SHA-512"]),
        },
        "admin_user": "admin",
        "admin_password": BROKER_ADMIN_PASSWORD,
        "ca_pem": FAKE_CA,
    }


def stack_config(stack: str) -> dict[str, str]:
    doc = yaml.safe_load((REPO / "stacks" / f"Pulumi.{stack}.yaml").read_text())
    config = {k: v if isinstance(v, str) else json.dumps(v) for k, v in doc["config"].items()}
    for key, value in TEST_SECRETS.items():
        config.setdefault(f"mimir-kafka:{key}", value)
    # The preflight talks to a live broker (there is none under mocks); tests/e2e runs it for real.
    if "mimir-kafka:kafkaPreflight" in config:
        config["mimir-kafka:kafkaPreflight"] = "false"
    return config


def run_stack(
    stack: str,
    root: Path,
    secret: bool = True,
    overrides: dict[str, str] | None = None,
    preview: bool = False,
) -> ProgramRun:
    (root / ".local").mkdir(exist_ok=True)
    (root / ".local" / "broker.json").write_text(json.dumps(broker_info_doc()))
    config = {**stack_config(stack), **{f"mimir-kafka:{k}": v for k, v in (overrides or {}).items()}}
    secret_keys = [f"mimir-kafka:{k}" for k in TEST_SECRETS] if secret else []

    def prog() -> dict[str, Any]:
        # As the CLI does: values set with --secret are listed as secret keys.
        pulumi.runtime.set_all_config(config, secret_keys)
        return program.run(root=root)

    return run_program(prog, config=config, project="mimir-kafka", stack=stack, preview=preview)


@pytest.fixture(scope="module", params=STACKS)
def stack_run(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, ProgramRun, Path]:
    root = tmp_path_factory.mktemp(request.param)
    return request.param, run_stack(request.param, root), root


def helm_values(run: ProgramRun, root: Path, stack: str) -> dict[str, Any]:
    releases = [
        r
        for r in run.of_type("kubernetes:helm.sh/v3:Release")
        if r.inputs.get("chart") == "mimir-distributed"
    ]
    if releases:
        assert len(releases) == 1
        return releases[0].inputs["values"]
    values_file = root / "rendered" / stack / "mimir-values.yaml"
    assert values_file.exists(), "render-only stack wrote no values file"
    return yaml.safe_load(values_file.read_text())


def kafka_topic(run: ProgramRun, topic: str) -> tuple[int, int]:
    """(partitions, max.message.bytes) of the topic as the Kafka side creates it."""
    for r in run.of_type("kafka:index/topic:Topic"):
        return int(r.inputs["partitions"]), int(r.inputs["config"]["max.message.bytes"])
    for r in run.of_type("aws:msk/topic:Topic"):
        cfg = r.inputs.get("configs") or r.inputs.get("config") or {}
        if isinstance(cfg, str):
            cfg = dict(line.split("=", 1) for line in cfg.splitlines() if "=" in line)
        return int(r.inputs.get("partitionCount") or r.inputs.get("partitions")), int(
            cfg.get("max.message.bytes", PRODUCER_BATCH_MAX_BYTES)
        )
    for r in run.resources:
        if r.type.startswith("kubernetes:kafka.strimzi.io") and r.type.endswith(":KafkaTopic"):
            spec = r.inputs["spec"]
            return int(spec["partitions"]), int(spec["config"]["max.message.bytes"])
    for r in run.of_type("kubernetes:batch/v1:Job"):
        script = " ".join(
            str(a)
            for c in r.inputs["spec"]["template"]["spec"]["containers"]
            for a in c.get("args", []) + c.get("command", [])
        )
        m = re.search(rf"--topic {re.escape(topic)} --partitions (\d+)", script)
        size = re.search(r"max\.message\.bytes=(\d+)", script)
        if m and size:
            return int(m.group(1)), int(size.group(1))
    raise AssertionError(f"no Kafka-side topic resource found among {sorted(set(run.types()))}")


def test_sides_agree(stack_run: tuple[str, ProgramRun, Path]) -> None:
    stack, run, root = stack_run
    out = run.exports
    values = helm_values(run, root, stack)
    # What the ingesters see: the shared config plus the Kafka-only flags of their component.
    kafka = component_view(values["mimir"]["structuredConfig"], values["ingester"].get("extraArgs", {}))
    assert values["kafka"]["enabled"] is False
    assert values["mimir"]["structuredConfig"]["ingest_storage"]["enabled"] is True
    # Address and port: Mimir connects exactly where the Kafka side says its listener is.
    assert kafka["address"] == out["kafkaBootstrap"]
    assert {a.rsplit(":", 1)[1] for a in kafka["address"].split(",")} == {str(out["kafkaPort"])}
    # Mechanism and TLS.
    assert kafka.get("sasl_mechanism", "none") == out["kafkaMechanism"]
    assert bool(kafka.get("tls_enabled", False)) == out["kafkaTls"]
    # Topic, partitions, message size.
    assert kafka["topic"] == out["kafkaTopic"]
    # Consumer groups: the ingester pods' names, which the ACLs/IAM and the doctor must cover.
    assert out["kafkaConsumerGroupPrefix"] == f"{values['fullnameOverride']}-ingester-"
    partitions, max_message = kafka_topic(run, out["kafkaTopic"])
    assert partitions == out["kafkaPartitions"] == kafka["auto_create_topic_default_partitions"]
    assert kafka["producer_max_record_size_bytes"] < max_message
    # TLS files: each path Mimir reads is mounted from a Secret; a private CA is always given.
    mounts = [m["mountPath"] for m in values["ingester"].get("extraVolumeMounts", [])]
    for key in ("tls_ca_path", "tls_cert_path", "tls_key_path"):
        if key in kafka:
            assert kafka[key].rsplit("/", 1)[0] in mounts, key
    if stack in PRIVATE_CA_STACKS:
        assert "tls_ca_path" in kafka
    # Ingesters: one partition per ingester index, instance IDs end in -<n>.
    per_zone = -(
        -values["ingester"]["replicas"]
        // max(1, len(values["ingester"]["zoneAwareReplication"].get("zones", [1])))
    )
    assert per_zone <= partitions


def test_mechanism_matches_kafka_user(stack_run: tuple[str, ProgramRun, Path]) -> None:
    stack, run, root = stack_run
    values = helm_values(run, root, stack)
    kafka = component_view(values["mimir"]["structuredConfig"], values["ingester"].get("extraArgs", {}))
    for cred in run.of_type("kafka:index/userScramCredential:UserScramCredential"):
        assert cred.inputs["scramMechanism"] == kafka["sasl_mechanism"]
        assert cred.inputs["username"] == kafka["sasl_username"]
        assert cred.is_secret("password")


def _secret_values(run: ProgramRun) -> list[str]:
    return [*TEST_SECRETS.values(), BROKER_ADMIN_PASSWORD, MOCK_PASSWORD]


def _leaves(value: Any, path: str = "") -> list[tuple[str, str]]:
    if isinstance(value, dict):
        return [x for k, v in value.items() for x in _leaves(v, f"{path}.{k}" if path else k)]
    if isinstance(value, list):
        return [x for i, v in enumerate(value) for x in _leaves(v, f"{path}[{i}]")]
    return [(path, value)] if isinstance(value, str) else []


def test_no_secret_in_clear(stack_run: tuple[str, ProgramRun, Path]) -> None:
    stack, run, root = stack_run
    secrets = _secret_values(run)
    r: RecordedResource
    for r in run.resources:
        for path, text in _leaves(r.inputs):
            if any(s in text for s in secrets):
                assert r.is_secret(path), f"{r.type} {r.name}: {path} holds a secret in clear"
    for r in run.of_type("kubernetes:core/v1:Secret"):
        for key in r.inputs.get("stringData") or {}:
            assert r.is_secret(f"stringData.{key}") or not any(
                s in r.inputs["stringData"][key] for s in secrets
            )
    # Files the render-only stack writes hold no secret either.
    for f in (root / "rendered").rglob("*") if (root / "rendered").exists() else []:
        if f.is_file():
            text = f.read_text()
            assert not any(s in text for s in secrets), f"{f} holds a secret"
    values = helm_values(run, root, stack)
    assert not any(s in json.dumps(values) for s in secrets)


def test_secret_outputs_are_secret(stack_run: tuple[str, ProgramRun, Path]) -> None:
    _, run, _ = stack_run
    if "kafkaMimirPassword" in run.exports:
        assert "kafkaMimirPassword" in run.secret_exports


def test_iam_policies_have_no_wildcards(stack_run: tuple[str, ProgramRun, Path]) -> None:
    _, run, _ = stack_run
    for r in run.of_type("aws:iam/rolePolicy:RolePolicy") + run.of_type("aws:iam/policy:Policy"):
        policy = json.loads(r.inputs["policy"])
        assert wildcard_resource_problems(policy) == [], r.name


def test_every_stack_is_shipped() -> None:
    assert set(STACKS) >= {"local", "dev", "staging", "prod", "prod-iam", "byo"}


def test_secret_set_in_clear_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StackConfigError, match="set it with `pulumi config set --secret"):
        run_stack("byo", tmp_path, secret=False)


def test_byo_confluent_cloud_fits_the_8_mib_cap_and_grants_the_service_account(tmp_path: Path) -> None:
    run = run_stack("byo", tmp_path)
    kafka = helm_values(run, tmp_path, "byo")["mimir"]["structuredConfig"]["ingest_storage"]["kafka"]
    partitions, max_message = kafka_topic(run, kafka["topic"])
    assert partitions == 32
    assert max_message == 8_388_608  # Confluent Cloud's cap, not Kafka's 16 MB batch size
    assert kafka["producer_max_record_size_bytes"] == 8_372_224  # the cap minus Mimir's 16 KiB overhead
    principals = {a.inputs["aclPrincipal"] for a in run.of_type("kafka:index/acl:Acl")}
    assert principals == {"User:sa-mimir01"}  # the service account, not the API key


@pytest.mark.parametrize("create_user", [True, False])
def test_preflight_waits_for_the_topic_the_acls_and_the_scram_user(tmp_path: Path, create_user: bool) -> None:
    # A preview: the checks need a live broker and a preview does not run them, but the preflight and
    # its dependencies are registered all the same.
    overrides = {"kafkaPreflight": "true", "kafkaCreateUser": str(create_user).lower()}
    run = run_stack("local", tmp_path, overrides=overrides, preview=True)
    preflight = run.one("mimirkafka:doctor:Preflight")
    waits_for = {urn.rsplit("::", 1)[1] for urn in preflight.dependencies}
    topic = run.one("kafka:index/topic:Topic").name
    acls = {a.name for a in run.of_type("kafka:index/acl:Acl")}
    scram = {c.name for c in run.of_type("kafka:index/userScramCredential:UserScramCredential")}
    assert acls and len(scram) == (1 if create_user else 0)
    # Exactly the concrete resources: not the ExistingKafka component, whose URN resolves too early.
    assert waits_for == {topic, *acls, *scram}
