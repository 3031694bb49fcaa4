"""The doctor's checks as JUnit XML, so CI systems list them as tests (GitLab ``artifacts:reports:junit``,
GitHub test-report actions, Jenkins ``junit``).

One ``<testsuite>`` per doctor report, one ``<testcase>`` per check: ``fail`` -> ``<failure>`` (message
and fix), ``skip`` -> ``<skipped>``, ``warn`` -> a passing case whose ``<system-out>`` says why (or a
failure with ``warnings_fail=True``). Element and attribute names follow the JUnit report format as
Jenkins' xUnit plugin validates it (github.com/jenkinsci/xunit-plugin, commit 0c3752259ca1,
``src/main/resources/org/jenkinsci/plugins/xunit/types/model/xsd/junit-10.xsd``); tests validate the
output against ``tests/data/junit-report.xsd``.
"""

from __future__ import annotations

import socket
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path

from mimirkafka.doctor.report import Report, Status

SUITE_PREFIX = "mimirkafka doctor"
CLASSNAME = "mimirkafka.doctor"


def _text(result_message: str, fix: str) -> str:
    return result_message + (f"\nfix: {fix}" if fix else "")


def report_suite(
    report: Report,
    *,
    name: str | None = None,
    warnings_fail: bool = False,
    properties: Mapping[str, str] | None = None,
    timestamp: datetime | None = None,
) -> ET.Element:
    """One ``<testsuite>`` for ``report``."""
    failures = sum(
        1 for r in report.results if r.status is Status.FAIL or (warnings_fail and r.status is Status.WARN)
    )
    skipped = sum(1 for r in report.results if r.status is Status.SKIP)
    suite = ET.Element(
        "testsuite",
        {
            "name": name or f"{SUITE_PREFIX}: {report.target}",
            "tests": str(len(report.results)),
            "failures": str(failures),
            "errors": "0",
            "skipped": str(skipped),
            "time": f"{report.seconds:.3f}",
            "timestamp": (timestamp or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%S"),
            "hostname": socket.gethostname(),
        },
    )
    props = {"target": report.target, "status": report.status.value, **(properties or {})}
    p = ET.SubElement(suite, "properties")
    for key, value in props.items():
        ET.SubElement(p, "property", {"name": key, "value": value})
    for r in report.results:
        case = ET.SubElement(
            suite,
            "testcase",
            {"classname": CLASSNAME, "name": f"{r.id}: {r.title}", "time": f"{r.seconds:.3f}"},
        )
        if r.status is Status.FAIL or (warnings_fail and r.status is Status.WARN):
            el = ET.SubElement(case, "failure", {"type": r.status.value, "message": r.message})
            el.text = _text(r.message, r.fix)
        elif r.status is Status.SKIP:
            ET.SubElement(case, "skipped", {"message": r.message})
        elif r.status is Status.WARN:
            ET.SubElement(case, "system-out").text = "warning: " + _text(r.message, r.fix)
        elif r.message:
            ET.SubElement(case, "system-out").text = r.message
    return suite


def to_junit_xml(
    reports: Report | Iterable[Report],
    *,
    name: str = SUITE_PREFIX,
    warnings_fail: bool = False,
    properties: Mapping[str, str] | None = None,
) -> str:
    """A ``<testsuites>`` document with one suite per report (UTF-8, with the XML declaration)."""
    items = [reports] if isinstance(reports, Report) else list(reports)
    suites = [report_suite(r, warnings_fail=warnings_fail, properties=properties) for r in items]
    root = ET.Element(
        "testsuites",
        {
            "name": name,
            "tests": str(sum(int(s.get("tests", "0")) for s in suites)),
            "failures": str(sum(int(s.get("failures", "0")) for s in suites)),
            "errors": "0",
            "time": f"{sum(r.seconds for r in items):.3f}",
        },
    )
    root.extend(suites)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def write_junit(path: str | Path, reports: Report | Iterable[Report], **kw: object) -> Path:
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(to_junit_xml(reports, **kw), encoding="utf-8")  # type: ignore[arg-type]
    return out
