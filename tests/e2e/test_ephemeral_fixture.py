"""A team's test suite using the pytest plugin's fixture (found through the `pytest11` entry point,
configured by ini keys and a command-line option) passes against a live stack, writes the doctor's
checks as JUnit XML that validates against the schema, and leaves nothing behind."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema
from ephemeral_helpers import make_bed, nothing_left, stacks_in_backend
from kafka import KafkaAdminClient
from pulumi_harness import PulumiSandbox

from testbed.devbroker import BrokerInfo

pytestmark = pytest.mark.e2e
XSD = Path(__file__).resolve().parents[1] / "data" / "junit-report.xsd"

SAMPLE = """
import json
import os
from pathlib import Path


def test_the_topic_is_the_ephemeral_one(mimirkafka_stack):
    assert mimirkafka_stack.output("kafkaTopic") == mimirkafka_stack.names.topic
    assert mimirkafka_stack.output("kafkaPartitions") == 3


def test_the_doctor_passed(mimirkafka_stack):
    assert mimirkafka_stack.report is not None
    assert not mimirkafka_stack.report.failures(), mimirkafka_stack.report.render_table()


def test_one_stack_per_session(mimirkafka_stack):
    Path(os.environ["SAMPLE_NAMES"]).write_text(json.dumps({
        "stack": mimirkafka_stack.name, "prefix": mimirkafka_stack.names.kafka_prefix,
        "checks": len(mimirkafka_stack.report.results),
    }))
"""


def test_sample_suite_with_the_fixture(
    sandbox: PulumiSandbox, broker: BrokerInfo, admin: KafkaAdminClient, tmp_path: Path
) -> None:
    bed = make_bed(sandbox, broker, tmp_path)
    suite = tmp_path / "team-suite"
    suite.mkdir()
    (suite / "test_sample.py").write_text(SAMPLE)
    junit = tmp_path / "reports" / "doctor.xml"
    (suite / "pytest.ini").write_text(
        "[pytest]\n"
        f"mimirkafka_project = {bed.project}\n"
        "mimirkafka_base_stack = local\n"
        f"mimirkafka_junit = {junit}\n"
        "mimirkafka_overrides =\n    topicRetentionMs=3600000\n"
    )
    names_file = tmp_path / "names.json"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            # `--opt=value`: when pytest looks for the rootdir and the ini file it takes a separate
            # path-like argument for a test path.
            f"--mimirkafka-tls-dir={bed.tls_dir}",
        ],
        cwd=suite,
        env={**bed.env, "SAMPLE_NAMES": str(names_file)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "3 passed" in run.stdout
    names = json.loads(names_file.read_text())

    # JUnit: valid, one testcase per doctor check, tagged with the stack.
    xmlschema.XMLSchema(str(XSD)).validate(str(junit))
    suite_el = ET.parse(junit).getroot().find("testsuite")
    assert suite_el is not None
    assert int(suite_el.get("tests", "0")) == names["checks"] == len(suite_el.findall("testcase"))
    assert suite_el.get("failures") == "0"
    props = {p.get("name"): p.get("value") for p in suite_el.iter("property")}
    assert props["stack"] == names["stack"]

    # Nothing left: no stack in the backend, no topic, user or ACL with the stack's prefix.
    assert stacks_in_backend(bed.env) == []
    assert nothing_left(admin, names["prefix"])
