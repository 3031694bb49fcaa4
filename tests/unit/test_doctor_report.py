"""Report rendering and exit codes, and the CLI's usage errors (no broker needed)."""

from __future__ import annotations

import json
import socket

import pytest
from mimirkafka.cli import main
from mimirkafka.doctor.report import CheckResult, ExitCode, Report, Status


def _report(*statuses: Status) -> Report:
    r = Report(target="k:9092 topic t", seconds=1.25)
    for i, s in enumerate(statuses):
        r.add(CheckResult(f"c{i}", f"Check {i}", s, f"message {i}", "do this" if s is Status.FAIL else ""))
    return r


@pytest.mark.parametrize(
    ("statuses", "verdict", "code"),
    [
        ((Status.PASS, Status.PASS), Status.PASS, 0),
        ((Status.PASS, Status.WARN), Status.WARN, 1),
        ((Status.WARN, Status.FAIL, Status.SKIP), Status.FAIL, 2),
        ((Status.PASS, Status.SKIP), Status.PASS, 0),
    ],
)
def test_verdict_and_exit_code(statuses, verdict, code):
    r = _report(*statuses)
    assert r.status is verdict
    assert r.exit_code == code


def test_exit_codes_are_distinct():
    assert len({ExitCode.PASS, ExitCode.WARN, ExitCode.FAIL, ExitCode.USAGE}) == 4


def test_table_has_one_line_per_check_with_fix_and_summary():
    r = _report(Status.PASS, Status.FAIL)
    table = r.render_table()
    lines = table.splitlines()
    assert lines[0].split() == ["STATUS", "CHECK", "DETAIL"]
    assert any(line.startswith("PASS") and "Check 0" in line for line in lines)
    fail_at = next(i for i, line in enumerate(lines) if line.startswith("FAIL"))
    assert "message 1" in lines[fail_at] and "fix: do this" in lines[fail_at + 1]
    assert lines[-1] == "FAIL: 1 pass, 1 fail in 1.2s (k:9092 topic t)"


def test_long_messages_wrap_under_the_width():
    r = Report(target="t")
    r.add(CheckResult("x", "X", Status.WARN, "word " * 60, "fix " * 40))
    assert all(len(line) <= 110 for line in r.render_table().splitlines())


def test_json_report_is_machine_readable():
    data = json.loads(_report(Status.PASS, Status.WARN).to_json())
    assert data["status"] == "warn" and data["exit_code"] == 1
    assert [c["status"] for c in data["checks"]] == ["pass", "warn"]
    assert set(data["checks"][0]) == {"id", "title", "status", "message", "fix", "seconds"}


def test_failure_message_lists_failed_lines_with_fix():
    msg = _report(Status.PASS, Status.FAIL, Status.FAIL).failure_message()
    assert msg.count("Fix: do this") == 2 and "Check 0" not in msg


def test_cli_usage_errors_exit_3(capsys, tmp_path):
    assert main(["doctor"]) == ExitCode.USAGE
    assert "exactly one input" in capsys.readouterr().err
    assert main(["doctor", "--config-file", str(tmp_path / "nope.yaml")]) == ExitCode.USAGE
    with pytest.raises(SystemExit) as exc:
        main(["doctor", "--no-such-option"])
    assert exc.value.code == ExitCode.USAGE
    with pytest.raises(SystemExit) as exc:
        main(["doctor", "--config-file", "a", "--flags", "b"])
    assert exc.value.code == ExitCode.USAGE


def test_cli_unreachable_broker_fails_fast_with_exit_2(capsys):
    # A port nobody listens on: connection refused, so the failure is immediate and deterministic.
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    code = main(
        [
            "doctor",
            "--json",
            "--timeout",
            "2",
            "--",
            f"-ingest-storage.kafka.address=127.0.0.1:{port}",
            "-ingest-storage.kafka.topic=t",
            "-ingest-storage.enabled=true",
        ]
    )
    out = capsys.readouterr()
    assert code == ExitCode.FAIL
    checks = {c["id"]: c for c in json.loads(out.out)["checks"]}
    assert checks["reachable"]["status"] == "fail"
    assert f"127.0.0.1:{port}" in checks["reachable"]["message"]
    assert checks["auth"]["status"] == "skip"
    assert "[doctor] Brokers reachable" in out.err
