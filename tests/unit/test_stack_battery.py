"""The battery of wrong stack configurations (tests/unit/data/stack_battery.yaml).

Each case runs the real stack program (``mimirkafka.stack.deploy.run``) on a shipped stack with some
keys changed, under recording mocks that count every resource registration. The contract of issue 9:
every case is refused, with ZERO resources registered, and the message names the case's stack key,
its value and a fix — in stack keys, with no Python-API spelling (``ScramAuth(...)``, ``topic.name``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml
from mimirkafka.stack import deploy as program
from mimirkafka.stack import keys
from mimirkafka.stack.config import StackConfigError
from mocks import RecordingMocks, run_program
from test_stacks_programs import TEST_SECRETS, broker_info_doc, stack_config

REPO = Path(__file__).resolve().parents[2]
CASES: list[dict[str, Any]] = yaml.safe_load((REPO / "tests/unit/data/stack_battery.yaml").read_text())
STACKS = {p.name.split(".")[1] for p in (REPO / "stacks").glob("Pulumi.*.yaml")}
#: Python-API spellings that must never reach a stack user.
FOREIGN = re.compile(
    r"\b(ScramAuth|PlainAuth|NoSasl|TlsConfig|PemMaterial|KraftLayout|StrimziLayout|MskKafkaArgs|"
    r"ChartSettings|IngestStorageContract)\b|\b(topic|sasl|tls|ingesters|settings|admin)\.[a-z_]+\b"
)


def refuse(case: dict[str, Any], root: Path) -> tuple[StackConfigError, RecordingMocks]:
    stack = case["stack"]
    (root / ".local").mkdir(exist_ok=True)
    (root / ".local" / "broker.json").write_text(json.dumps(broker_info_doc()))
    (root / "stacks").mkdir(exist_ok=True)
    (root / "Pulumi.yaml").write_text((REPO / "Pulumi.yaml").read_text())
    config = stack_config(stack) if case.get("secrets", True) else _without_secrets(stack)
    for key, value in (case.get("set") or {}).items():
        full = f"mimir-kafka:{key}"
        if value is None:
            config.pop(full, None)
        else:
            config[full] = value if isinstance(value, str) else json.dumps(value)
    secret_keys = [f"mimir-kafka:{k}" for k in TEST_SECRETS] if case.get("secrets", True) else []
    for key in case.get("clear") or []:
        config[f"mimir-kafka:{key}"] = "in-clear"
        secret_keys = [k for k in secret_keys if k != f"mimir-kafka:{key}"]
    mocks = RecordingMocks()

    def prog() -> Any:
        pulumi.runtime.set_all_config(config, secret_keys)
        return program.run(root=root)

    with pytest.raises(StackConfigError) as err:
        run_program(prog, mocks=mocks, config=config, project="mimir-kafka", stack=stack)
    return err.value, mocks


def _without_secrets(stack: str) -> dict[str, str]:
    return {k: v for k, v in stack_config(stack).items() if k.split(":", 1)[1] not in TEST_SECRETS}


def test_the_battery_is_big_enough_and_covers_every_shipped_stack() -> None:
    assert len(CASES) >= 60
    assert {c["stack"] for c in CASES} == STACKS
    assert all(c["key"] in keys.KEYS_BY_NAME for c in CASES)


def _case_id(case: dict[str, Any]) -> str:
    return f"{case['stack']}:{','.join(case.get('set') or {}) or 'secrets'}"


def registrations(mocks: RecordingMocks) -> list[str]:
    """Every RegisterResource the program sent (components and providers included), but the stack."""
    return [f"{t}::{n}" for t, n in mocks.options if t != "pulumi:pulumi:Stack"]


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_refused_before_any_resource_in_stack_keys(case: dict[str, Any], tmp_path: Path) -> None:
    error, mocks = refuse(case, tmp_path)
    assert registrations(mocks) == [] and mocks.resources == [], f"registered: {registrations(mocks)}"
    text = str(error)
    assert isinstance(error, pulumi.RunError), "the engine would print a traceback"
    # The key itself, or (a typo, a key that only a related key can fix) named in the fix.
    named = [p for p in error.problems if p.setting == case["key"] or case["key"] in p.fix]
    assert named, f"no problem names {case['key']}:\n{text}"
    for problem in error.problems:
        assert problem.setting in keys.KEYS_BY_NAME or "did you mean" in problem.fix, problem
        assert problem.fix.strip(), problem
        assert not FOREIGN.search(f"{problem.message} {problem.fix}"), f"Python-API spelling: {problem}"
    assert "Fix: " in text
    if "fragment" in case:
        assert case["fragment"] in text


def test_registrations_are_counted(tmp_path: Path) -> None:
    """The counter the battery relies on sees components and providers, not only custom resources."""
    mocks = RecordingMocks()
    config = stack_config("dev")

    def prog() -> Any:
        pulumi.runtime.set_all_config(config, [f"mimir-kafka:{k}" for k in TEST_SECRETS])
        return program.run(root=tmp_path)

    run_program(prog, mocks=mocks, config=config, project="mimir-kafka", stack="dev")
    seen = registrations(mocks)
    assert any(t.startswith("mimirkafka:kafka:KraftStatefulSetKafka::") for t in seen)
    assert any(t.startswith("pulumi:providers:kubernetes::") for t in seen)


#: The topic guard on every kind: the stack's last ``kafkaTopicState`` (read through the engine's
#: ``readStackOutputs``) against the plan. (stack, deployed state, the key the refusal names)
SHRINKS = [
    ("dev", {"name": "mimir-ingest", "partitions": 64, "cluster": "kafka/mimir-kafka"}, "topicPartitions"),
    (
        "staging",
        {"name": "mimir-ingest", "partitions": 64, "cluster": "mimir/mimir-kafka"},
        "topicPartitions",
    ),
    ("prod", {"name": "mimir-ingest", "partitions": 128, "cluster": "mimir-prod"}, "topicPartitions"),
    ("prod-iam", {"name": "mimir-ingest", "partitions": 64, "cluster": "mimir-other"}, "kafkaClusterName"),
    ("byo", {"name": "mimir-ingest", "partitions": 64, "cluster": None}, "topicPartitions"),
    ("local", {"name": "mimir-ingest-old", "partitions": 3, "cluster": None}, "topicName"),
]


def test_kraft_volume_size_change_is_refused_not_a_silent_statefulset_replacement(tmp_path: Path) -> None:
    """The real API server showed it: a new kafkaVolumeSizeGib replaced the KRaft StatefulSet."""
    config = {**stack_config("dev"), "mimir-kafka:kafkaVolumeSizeGib": "20"}
    mocks = RecordingMocks()
    mocks.stack_outputs["*"] = {"kafkaVolumeSize": "10Gi"}

    def prog() -> Any:
        pulumi.runtime.set_all_config(config, [f"mimir-kafka:{k}" for k in TEST_SECRETS])
        return program.run(root=tmp_path)

    with pytest.raises(StackConfigError) as err:
        run_program(prog, mocks=mocks, config=config, project="mimir-kafka", stack="dev")
    assert registrations(mocks) == []
    [problem] = err.value.problems
    assert problem.setting == "kafkaVolumeSizeGib" and "10Gi" in problem.message
    assert "kafkaVolumeSizeGib" in problem.fix or "PersistentVolumeClaim" in problem.fix


@pytest.mark.parametrize(("stack", "state", "key"), SHRINKS, ids=[s[0] for s in SHRINKS])
def test_shrink_rename_or_move_refused_from_the_last_outputs(
    stack: str, state: dict[str, Any], key: str, tmp_path: Path
) -> None:
    config = stack_config(stack)
    (tmp_path / ".local").mkdir()
    (tmp_path / ".local" / "broker.json").write_text(json.dumps(broker_info_doc()))
    mocks = RecordingMocks()
    mocks.stack_outputs["*"] = {"kafkaTopicState": state}

    def prog() -> Any:
        pulumi.runtime.set_all_config(config, [f"mimir-kafka:{k}" for k in TEST_SECRETS])
        return program.run(root=tmp_path)

    with pytest.raises(StackConfigError) as err:
        run_program(prog, mocks=mocks, config=config, project="mimir-kafka", stack=stack)
    assert registrations(mocks) == []
    assert any(p.setting == key for p in err.value.problems), str(err.value)
    assert any(t == "pulumi:pulumi:readStackOutputs" for t, _ in mocks.calls)


def test_the_same_topic_state_passes(tmp_path: Path) -> None:
    """What the last update exported is accepted unchanged (the guard is not a blanket refusal)."""
    config = stack_config("staging")
    mocks = RecordingMocks()
    mocks.stack_outputs["*"] = {
        "kafkaTopicState": {"name": "mimir-ingest", "partitions": 32, "cluster": "mimir/mimir-kafka"}
    }

    def prog() -> Any:
        pulumi.runtime.set_all_config(config, [f"mimir-kafka:{k}" for k in TEST_SECRETS])
        return program.run(root=tmp_path)

    run = run_program(prog, mocks=mocks, config=config, project="mimir-kafka", stack="staging")
    assert run.exports["kafkaTopicState"] == {
        "name": "mimir-ingest",
        "partitions": 32,
        "cluster": "mimir/mimir-kafka",
    }


def test_expires_at_marks_every_kubernetes_object_and_aws_tagged_resource(tmp_path: Path) -> None:
    """``expiresAt`` (set by ephemeral stacks): a label on each Kubernetes object, a tag on AWS resources."""
    for stack, kind in (("dev", "kubernetes:"), ("prod", "aws:")):
        config = {**stack_config(stack), "mimir-kafka:expiresAt": "2026-11-30T03:00:00Z"}

        def prog(config: dict[str, str] = config) -> Any:
            pulumi.runtime.set_all_config(config, [f"mimir-kafka:{k}" for k in TEST_SECRETS])
            return program.run(root=tmp_path)

        run = run_program(prog, config=config, project="mimir-kafka", stack=stack)
        marked = [r for r in run.resources if r.type.startswith(kind)]
        if kind == "kubernetes:":
            objects = [r for r in marked if isinstance(r.inputs.get("metadata"), dict)]
            assert objects and all(
                r.inputs["metadata"]["labels"]["mimirkafka.io/expires-at"] == "20261130T030000Z"
                for r in objects
            )
        else:
            tagged = [r for r in marked if isinstance(r.inputs.get("tags"), dict)]
            assert tagged and all(r.inputs["tags"]["expires-at"] == "2026-11-30T03:00:00Z" for r in tagged)


def test_strimzi_operator_optional_and_mimir_render_only(tmp_path: Path) -> None:
    """strimziInstallOperator=false: no operator release; mimirRenderOnly: Mimir's values go to files
    while the Kafka side is still applied (not rendered)."""
    config = {
        **stack_config("staging"),
        "mimir-kafka:strimziInstallOperator": "false",
        "mimir-kafka:mimirRenderOnly": "true",
    }

    def prog() -> Any:
        pulumi.runtime.set_all_config(config, [f"mimir-kafka:{k}" for k in TEST_SECRETS])
        return program.run(root=tmp_path)

    run = run_program(prog, config=config, project="mimir-kafka", stack="staging")
    releases = [r.inputs.get("chart") for r in run.of_type("kubernetes:helm.sh/v3:Release")]
    assert releases == []  # neither the Strimzi operator nor Mimir is installed
    assert (tmp_path / "rendered" / "staging" / "mimir-values.yaml").exists()
    provider = run.one("pulumi:providers:kubernetes")
    assert not provider.inputs.get("renderYamlToDirectory")
    assert any(r.type == "kubernetes:kafka.strimzi.io/v1:Kafka" for r in run.resources)
