"""The pytest plugin's fixture with the stack replaced by a recorder: one stack per session, options and
ini keys reach ephemeral_stack, a failed test throws into it (so keep-on-failure can keep the stack),
a passing session exits it cleanly, and the JUnit file is written. (tests/e2e/test_ephemeral_fixture.py
runs the same fixture against the real engine and broker.)"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mimirkafka.doctor.report import CheckResult, Report, Status
from mimirkafka.testing import stack as stack_module

pytest_plugins = ["pytester"]


class FakeStack:
    name = "mkeph-fake"

    def __init__(self) -> None:
        self.report = Report("t", [CheckResult("topic", "Topic", Status.PASS, "ok")])


def recorder(log: Path) -> Any:
    @contextlib.contextmanager
    def fake(project: Path, base: str, **kw: Any) -> Iterator[FakeStack]:
        entry: dict[str, Any] = {
            "project": str(project),
            "base": base,
            "overrides": kw["overrides"],
            "keep": kw["keep_on_failure"],
            "ttl": kw["ttl"].total_seconds(),
        }
        try:
            yield FakeStack()
            entry["exit"] = None
        except BaseException as exc:
            entry["exit"] = type(exc).__name__
            raise
        finally:
            with log.open("a") as f:
                f.write(json.dumps(entry) + "\n")

    return fake


@pytest.fixture()
def log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "calls.jsonl"
    monkeypatch.setattr(stack_module, "ephemeral_stack", recorder(path))
    return path


def test_failed_test_is_thrown_into_the_stack_context(pytester: pytest.Pytester, log: Path) -> None:
    pytester.makeini("[pytest]\nmimirkafka_base_stack = ci\nmimirkafka_overrides =\n    topicPartitions=6\n")
    pytester.makepyfile(
        "def test_a(mimirkafka_stack):\n    assert mimirkafka_stack.name == 'mkeph-fake'\n"
        "def test_b(mimirkafka_stack):\n    assert False\n"
    )
    result = pytester.runpytest_inprocess(
        "--mimirkafka-keep-on-failure",
        "--mimirkafka-override=kafkaAuth=plain",
        "--mimirkafka-ttl=90m",
        f"--mimirkafka-junit={pytester.path / 'doctor.xml'}",
    )
    result.assert_outcomes(passed=1, failed=1)
    (call,) = [json.loads(line) for line in log.read_text().splitlines()]  # one stack for the session
    assert call == {
        "project": str(pytester.path),
        "base": "ci",
        "keep": True,
        "ttl": 5400.0,
        "overrides": {"topicPartitions": "6", "kafkaAuth": "plain"},
        "exit": "TestsFailed",
    }
    assert 'name="topic: Topic"' in (pytester.path / "doctor.xml").read_text()


def test_passing_session_exits_cleanly(pytester: pytest.Pytester, log: Path) -> None:
    pytester.makepyfile("def test_a(mimirkafka_stack):\n    pass\n")
    pytester.runpytest_inprocess("--mimirkafka-project=infra").assert_outcomes(passed=1)
    (call,) = [json.loads(line) for line in log.read_text().splitlines()]
    assert call["exit"] is None and call["keep"] is False and call["base"] == "local"
    assert call["project"] == str(pytester.path / "infra")


def test_a_session_without_the_fixture_makes_no_stack(pytester: pytest.Pytester, log: Path) -> None:
    pytester.makepyfile("def test_a():\n    pass\n")
    pytester.runpytest_inprocess().assert_outcomes(passed=1)
    assert not log.exists()
