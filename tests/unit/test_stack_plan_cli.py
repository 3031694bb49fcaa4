"""``mimirkafka plan -s <stack>`` for every shipped stack: golden output, secrets masked, exit codes.

Regenerate the golden files after a deliberate change:
``UPDATE_GOLDEN=1 pytest tests/unit/test_stack_plan_cli.py``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml
from mimirkafka.cli import main
from mimirkafka.stack import report
from test_stacks_programs import BROKER_ADMIN_PASSWORD, broker_info_doc

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "tests" / "unit" / "golden" / "plans"
STACKS = sorted(p.name.split(".")[1] for p in (REPO / "stacks").glob("Pulumi.*.yaml"))
#: What `pulumi config set --secret` leaves in a stack file: ciphertext the plan never decrypts.
SECURE = {"secure": "v1:Zm9vYmFy:c2VjcmV0LWNpcGhlcnRleHQ="}


def project(tmp_path: Path, secrets: tuple[str, ...] = ("kafkaPassword", "kafkaAdminPassword")) -> Path:
    (tmp_path / "stacks").mkdir()
    for path in (REPO / "stacks").glob("Pulumi.*.yaml"):
        doc = yaml.safe_load(path.read_text())
        for key in secrets:
            doc["config"].setdefault(f"mimir-kafka:{key}", SECURE)
        (tmp_path / "stacks" / path.name).write_text(yaml.safe_dump(doc))
    (tmp_path / ".local").mkdir()
    (tmp_path / ".local" / "broker.json").write_text(json.dumps(broker_info_doc()))
    return tmp_path


def plan_text(root: Path, stack: str, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    code = main(["plan", "-s", stack, "--root", str(root), *extra])
    out = capsys.readouterr().out
    return code, out.replace(str(root.resolve()), "<root>").replace(str(root), "<root>")


@pytest.mark.parametrize("stack", STACKS)
def test_plan_of_every_shipped_stack_matches_its_golden(
    stack: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = plan_text(project(tmp_path), stack, capsys)
    assert code in (report.OK, report.WARNINGS), out
    assert "problems:" not in out
    # No secret value, only references: the ciphertext, the broker's admin password never appear.
    assert SECURE["secure"] not in out and BROKER_ADMIN_PASSWORD not in out
    if "mechanism: SCRAM" in out or "mechanism: PLAIN" in out:
        assert "sasl_password: ${MIMIR_KAFKA_SASL_PASSWORD}" in out
    golden = GOLDEN / f"{stack}.txt"
    if os.environ.get("UPDATE_GOLDEN") == "1" or not golden.exists():
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(out)
    assert out == golden.read_text(), f"plan of {stack} changed; UPDATE_GOLDEN=1 to accept"


def test_problems_exit_2_and_name_the_keys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = plan_text(
        project(tmp_path), "prod", capsys, "--set", "topicPartition=8", "--set", "kafkaBrokers=4"
    )
    assert code == report.PROBLEMS
    assert "topicPartition='8': not a config key of this project. Fix: did you mean topicPartitions?" in out


def test_missing_secret_is_a_problem_not_a_crash(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = plan_text(project(tmp_path, secrets=()), "byo", capsys)
    assert code == report.PROBLEMS and "kafkaPassword=''" in out


def test_shrink_from_the_last_outputs_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outputs = tmp_path / "outputs.json"
    outputs.write_text(
        json.dumps(
            {"kafkaTopicState": {"name": "mimir-ingest", "partitions": 64, "cluster": "mimir/mimir-kafka"}}
        )
    )
    code, out = plan_text(project(tmp_path), "staging", capsys, "--stack-outputs", str(outputs))
    assert code == report.PROBLEMS
    assert "topicPartitions=32" in out and "64" in out


def test_unknown_stack_is_an_input_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "-s", "nope", "--root", str(project(tmp_path))]) == report.INPUT_ERROR


def test_deployer_policy_of_a_stack_comes_from_its_plan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path)
    assert main(["deployer-policy", "-s", "prod", "--root", str(root), "--account-id", "123456789012"]) == 0
    policy = json.loads(capsys.readouterr().out)
    sids = {st["Sid"]: st for st in policy["Statement"]}
    assert {"MskCluster", "ScramSecret", "MimirRole", "MimirBuckets"} <= set(sids)
    cluster = json.dumps(sids["MskCluster"]["Resource"])
    assert "arn:aws:kafka:eu-west-1:123456789012:cluster/mimir-prod/" in cluster
    assert "mimir-kafka-prod-" in json.dumps(sids["MimirBuckets"]["Resource"])
