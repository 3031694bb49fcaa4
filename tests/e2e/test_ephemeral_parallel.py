"""Two ephemeral stacks of the same project and base stack, up at the same time against one broker
and one state backend (two CI jobs of one pipeline), do not collide; both clean up."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from admin_checks import acls_of, expected_acls
from ephemeral_helpers import child, make_bed, nothing_left, stacks_in_backend
from kafka import KafkaAdminClient
from pulumi_harness import PulumiSandbox

from testbed.devbroker import BrokerInfo

pytestmark = pytest.mark.e2e


def test_two_stacks_at_once_do_not_collide(
    sandbox: PulumiSandbox, broker: BrokerInfo, admin: KafkaAdminClient, tmp_path: Path
) -> None:
    bed = make_bed(sandbox, broker, tmp_path)
    release = tmp_path / "release"
    reports = [tmp_path / "a.json", tmp_path / "b.json"]
    # Same CI job id for both (a matrix of one GitHub run): the random tail must tell them apart.
    env = {"GITHUB_RUN_ID": "4242", "GITHUB_RUN_ATTEMPT": "1"}
    logs = [open(tmp_path / f"{r.stem}.log", "w") for r in reports]  # noqa: SIM115
    t0 = time.monotonic()
    procs = []
    for report, log in zip(reports, logs, strict=True):
        p = child(bed, "--report", str(report), "--hold-until", str(release), stdout=log.fileno(), env=env)
        procs.append(p)
    try:
        deadline = time.monotonic() + 240
        while not all(r.exists() for r in reports):
            assert time.monotonic() < deadline, "the stacks did not come up"
            assert all(p.poll() is None for p in procs), [Path(f.name).read_text()[-3000:] for f in logs]
            time.sleep(0.5)
        print(f"\n[e2e] two stacks up at once after {time.monotonic() - t0:.1f}s")
        a, b = (json.loads(r.read_text()) for r in reports)
        assert a["stack"].startswith("mkeph-gh-4242-1-") and b["stack"].startswith("mkeph-gh-4242-1-")
        assert len({a["stack"], b["stack"]}) == 2
        assert len({a["topic"], b["topic"]}) == 2 and len({a["user"], b["user"]}) == 2
        # Both live at once, each with its own topic and exactly its own ACLs.
        topics = admin.list_topics()
        for s in (a, b):
            assert s["output_topic"] == s["topic"] and s["topic"] in topics
            assert s["doctor"] in ("pass", "warn"), s["doctor_failures"]
            group_prefix = f"{s['stack']}-ingester-"
            assert acls_of(admin, f"User:{s['user']}") == expected_acls(s["topic"], group_prefix)
        assert sorted(stacks_in_backend(bed.env)) == sorted(
            f"organization/mimir-kafka/{s['stack']}" for s in (a, b)
        )
    finally:
        release.write_text("go")
        for p in procs:
            p.wait(timeout=240)
        for log in logs:
            log.close()
    assert [p.returncode for p in procs] == [0, 0], [Path(f.name).read_text()[-3000:] for f in logs]
    for r in reports:
        assert json.loads(Path(f"{r}.done").read_text())["removed"]
    assert stacks_in_backend(bed.env) == []
    for s in (a, b):
        assert nothing_left(admin, s["prefix"])
