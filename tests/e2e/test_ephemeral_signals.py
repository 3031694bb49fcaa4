"""A CI job cancelled during `up`: SIGTERM alone (the stack cleans itself up), and SIGTERM followed at
once by SIGKILL of the whole process group (a runner's hard stop: the stack is left, expired, and the
reaper removes it completely: topic, SCRAM user, ACLs, state)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from ephemeral_helpers import child, kafka_objects, make_bed, nothing_left, stacks_in_backend
from kafka import KafkaAdminClient
from mimirkafka.testing.reaper import reap
from pulumi_harness import PulumiSandbox

from testbed.devbroker import BrokerInfo

pytestmark = pytest.mark.e2e


def read_until(proc: subprocess.Popen[str], needle: str, timeout: float = 120) -> list[str]:
    """The child's output lines up to the first containing ``needle``."""
    assert proc.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip())
        if needle in line:
            return lines
    pytest.fail(f"no {needle!r} in the child's output:\n" + "\n".join(lines[-40:]))


def test_sigterm_during_up_destroys_and_removes_the_stack(
    sandbox: PulumiSandbox, broker: BrokerInfo, admin: KafkaAdminClient, tmp_path: Path
) -> None:
    bed = make_bed(sandbox, broker, tmp_path)
    proc = child(bed, "--id", "sigterm-1", "--no-doctor")
    read_until(proc, "creating")  # the engine is creating resources
    os.kill(proc.pid, signal.SIGTERM)  # the job's process only, as `kill <pid>` or a runner's first signal
    out, _ = proc.communicate(timeout=180)
    assert proc.returncode == 143, out[-3000:]
    assert "destroy" in out and "Traceback" not in out.split("[ephemeral] stack mkeph-sigterm-1: destroy")[-1]
    assert stacks_in_backend(bed.env) == []
    assert nothing_left(admin, "mkeph-sigterm-1-")


def test_hard_kill_during_up_leaves_a_stack_the_reaper_removes(
    sandbox: PulumiSandbox, broker: BrokerInfo, admin: KafkaAdminClient, tmp_path: Path
) -> None:
    bed = make_bed(sandbox, broker, tmp_path)
    proc = child(bed, "--id", "killed-1", "--no-doctor", "--ttl-seconds", "1")
    read_until(proc, "kafka:index:Topic kafka-topic creating")  # a Kafka resource is on its way
    time.sleep(1.0)
    os.killpg(proc.pid, signal.SIGTERM)  # the runner's cancel to the whole step ...
    os.killpg(proc.pid, signal.SIGKILL)  # ... and its hard stop right after: no time to clean up
    proc.communicate(timeout=30)
    assert stacks_in_backend(bed.env) == ["organization/mimir-kafka/mkeph-killed-1"], "nothing was left?"
    left = kafka_objects(admin, "mkeph-killed-1-")
    print(f"\n[e2e] left by the killed job: {json.dumps(left)}")
    assert any(left.values()), "the kill left no Kafka object: the reaper's Kafka sweep would not be shown"
    time.sleep(1.1)  # past the 1 s expiry

    dry = reap(bed.env, admin=admin)
    assert [e.name for e, _ in dry.due] == ["mkeph-killed-1"] and "expired" in dry.due[0][1]
    assert stacks_in_backend(bed.env) == ["organization/mimir-kafka/mkeph-killed-1"], "dry run destroyed"
    assert kafka_objects(admin, "mkeph-killed-1-") == left, "dry run deleted Kafka objects"

    t0 = time.monotonic()
    done = reap(bed.env, admin=admin, dry_run=False, out=print)
    print(done.render())
    print(f"[e2e] reap of a killed stack: {time.monotonic() - t0:.1f}s")
    assert done.ok and done.destroyed == ["mkeph-killed-1"], done.render()
    assert stacks_in_backend(bed.env) == []
    assert nothing_left(admin, "mkeph-killed-1-"), kafka_objects(admin, "mkeph-killed-1-")
    state = Path(bed.sandbox.backend_url.removeprefix("file://"))
    # `stack rm` deletes the checkpoint and the tags; the DIY backend keeps only its blob-metadata
    # sidecars (*.attrs) and the .bak copy, which no command reads as a stack.
    files = sorted(p.name for p in state.glob(".pulumi/stacks/**/mkeph-killed-1*"))
    print(f"[e2e] state files of the reaped stack: {files}")
    assert "mkeph-killed-1.json" not in files and "mkeph-killed-1.pulumi-tags" not in files, files
    assert not list(state.glob(".pulumi/locks/**/*.json")), "lock files left"


def test_ctrl_c_during_up_destroys_and_removes_the_stack(
    sandbox: PulumiSandbox, broker: BrokerInfo, admin: KafkaAdminClient, tmp_path: Path
) -> None:
    """Ctrl-C in a terminal: SIGINT to the whole foreground process group (Python and `pulumi`)."""
    bed = make_bed(sandbox, broker, tmp_path)
    proc = child(bed, "--id", "ctrlc-1", "--no-doctor")
    read_until(proc, "creating")
    os.killpg(proc.pid, signal.SIGINT)
    out, _ = proc.communicate(timeout=180)
    assert proc.returncode != 0 and "KeyboardInterrupt" in out, out[-3000:]
    assert "[ephemeral] stack mkeph-ctrlc-1: destroy" in out, out[-3000:]
    assert stacks_in_backend(bed.env) == []
    assert nothing_left(admin, "mkeph-ctrlc-1-")
