"""The doctor's report as JUnit XML, validated against tests/data/junit-report.xsd (xmlschema)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema
from mimirkafka.doctor.report import CheckResult, Report, Status
from mimirkafka.testing.junit import to_junit_xml, write_junit

XSD = Path(__file__).resolve().parents[1] / "data" / "junit-report.xsd"


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(XSD))


def report() -> Report:
    r = Report("127.0.0.1:9093 topic t", seconds=1.25)
    r.add(CheckResult("reachable", "Brokers reachable", Status.PASS, "127.0.0.1:9093 in 1 ms", seconds=0.01))
    r.add(CheckResult("replication", "Replication / min ISR", Status.WARN, "RF 1", "use RF 3", 0.02))
    r.add(
        CheckResult(
            "max-message-bytes",
            "Max message size",
            Status.FAIL,
            "1048588 < 16000000",
            'set max.message.bytes=16000000 <&> "quoted"',
            0.3,
        )
    )
    r.add(CheckResult("produce", "Produce permission", Status.SKIP, "skipped: 'Topic' did not pass"))
    return r


def test_valid_against_the_schema_with_the_right_counts(schema: xmlschema.XMLSchema) -> None:
    xml = to_junit_xml(report(), properties={"stack": "mkeph-x"})
    schema.validate(xml)
    root = ET.fromstring(xml)
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("4", "1", "1")
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    fail = cases["max-message-bytes: Max message size"].find("failure")
    assert fail is not None and fail.text is not None and "fix: set max.message.bytes=16000000" in fail.text
    assert cases["produce: Produce permission"].find("skipped") is not None
    warn = cases["replication: Replication / min ISR"]
    assert warn.find("failure") is None and "warning: RF 1" in (warn.findtext("system-out") or "")
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props["stack"] == "mkeph-x" and props["status"] == "fail"


def test_warnings_can_fail(schema: xmlschema.XMLSchema) -> None:
    xml = to_junit_xml(report(), warnings_fail=True)
    schema.validate(xml)
    assert ET.fromstring(xml).get("failures") == "2"


def test_several_reports_are_several_suites(schema: xmlschema.XMLSchema, tmp_path: Path) -> None:
    path = write_junit(tmp_path / "out" / "doctor.xml", [report(), Report("other", seconds=0.0)])
    schema.validate(str(path))
    root = ET.parse(path).getroot()
    assert len(root.findall("testsuite")) == 2 and root.get("tests") == "4"


def test_the_schema_rejects_what_ci_would_misread(schema: xmlschema.XMLSchema) -> None:
    """Negative controls: the schema is not a rubber stamp."""
    good = to_junit_xml(report())
    assert schema.is_valid(good)
    no_name = good.replace(
        '<testcase classname="mimirkafka.doctor" name="reachable: Brokers reachable"',
        '<testcase classname="mimirkafka.doctor"',
    )
    assert no_name != good and not schema.is_valid(no_name)
    bad_count = good.replace('failures="1"', 'failures="one"', 1)
    assert bad_count != good and not schema.is_valid(bad_count)
    two_outcomes = good.replace("<skipped ", "<failure /><skipped ", 1)
    assert not schema.is_valid(two_outcomes)
