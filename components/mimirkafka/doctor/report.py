"""The doctor's verdict: one line per check (pass, warn, fail, skip) with the fix, and the exit code.

Plain data and rendering only, so the CLI, the Pulumi piece and the tests share one representation.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any


class Status(str, Enum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    #: Not run because an earlier check it depends on failed (e.g. no topic checks without a connection).
    SKIP = "skip"


class ExitCode:
    """Exit codes of ``mimirkafka doctor`` (documented in docs/doctor.md)."""

    PASS = 0
    #: Everything Mimir needs works, but something deserves attention (e.g. replication factor 1).
    WARN = 1
    #: Mimir would fail against this Kafka (or the doctor could not find out, e.g. unreachable brokers).
    FAIL = 2
    #: The doctor was called wrongly: bad arguments, unreadable or unparseable input.
    USAGE = 3


@dataclass(frozen=True)
class CheckResult:
    """One checklist line. ``fix`` says what to change; empty when there is nothing to do."""

    id: str
    title: str
    status: Status
    message: str
    fix: str = ""
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["status"] = self.status.value
        d["seconds"] = round(self.seconds, 3)
        return d


@dataclass
class Report:
    """All check results for one target (addresses + topic), in the order they ran."""

    target: str
    results: list[CheckResult] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, result: CheckResult) -> CheckResult:
        self.results.append(result)
        return result

    def get(self, check_id: str) -> CheckResult | None:
        return next((r for r in self.results if r.id == check_id), None)

    @property
    def status(self) -> Status:
        statuses = {r.status for r in self.results}
        # SKIP never decides the verdict: it follows a failed check (which decides) or has nothing to check.
        if Status.FAIL in statuses:
            return Status.FAIL
        if Status.WARN in statuses:
            return Status.WARN
        return Status.PASS

    @property
    def exit_code(self) -> int:
        return {Status.PASS: ExitCode.PASS, Status.WARN: ExitCode.WARN}.get(self.status, ExitCode.FAIL)

    def failures(self) -> list[CheckResult]:
        return [r for r in self.results if r.status is Status.FAIL]

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "status": self.status.value,
            "exit_code": self.exit_code,
            "seconds": round(self.seconds, 3),
            "checks": [r.to_dict() for r in self.results],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    def render_table(self) -> str:
        return render_table(self)

    def summary(self) -> str:
        counts = {s: sum(1 for r in self.results if r.status is s) for s in Status}
        parts = [f"{counts[s]} {s.value}" for s in Status if counts[s]]
        return f"{self.status.value.upper()}: {', '.join(parts)} in {self.seconds:.1f}s ({self.target})"

    def failure_message(self) -> str:
        """Every failed line with its fix, for an exception (the Pulumi piece raises this)."""
        lines = [f"Kafka preflight failed for {self.target}:"]
        for r in self.failures():
            lines.append(f"  - {r.title}: {r.message}" + (f" Fix: {r.fix}" if r.fix else ""))
        return "\n".join(lines)


_MARK = {Status.PASS: "PASS", Status.WARN: "WARN", Status.FAIL: "FAIL", Status.SKIP: "SKIP"}


def _wrap(text: str, width: int) -> list[str]:
    words, lines, line = text.split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}" if line else w
    if line:
        lines.append(line)
    return lines or [""]


def render_table(report: Report, width: int = 110) -> str:
    """A fixed-width table: status, check, detail (message, then ``fix:`` on its own lines)."""
    title_w = max([len("CHECK"), *(len(r.title) for r in report.results)])
    detail_w = max(30, width - title_w - 10)  # "STATUS" (6) and two 2-space gaps
    out = [f"{'STATUS':<6}  {'CHECK':<{title_w}}  DETAIL", f"{'-' * 6}  {'-' * title_w}  {'-' * detail_w}"]
    for r in report.results:
        detail = _wrap(r.message, detail_w)
        if r.fix:
            detail += _wrap(f"fix: {r.fix}", detail_w)
        first, *rest = detail
        out.append(f"{_MARK[r.status]:<6}  {r.title:<{title_w}}  {first}")
        out.extend(f"{'':<6}  {'':<{title_w}}  {line}" for line in rest)
    out.append("")
    out.append(report.summary())
    return "\n".join(out)
