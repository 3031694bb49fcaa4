"""Shared by tests/e2e/test_ephemeral_*.py: a copy of the committed `local` project pointed at the
session broker, a private state backend, and what a stack left in the backend and on the broker."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from admin_checks import acls_of
from kafka import KafkaAdminClient
from pulumi import automation as auto
from pulumi_harness import PulumiSandbox, copy_project, with_backend

from testbed.devbroker import BrokerInfo

REPO = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).with_name("ephemeral_child.py")


@dataclass(frozen=True)
class EphemeralBed:
    project: Path
    tls_dir: Path
    sandbox: PulumiSandbox

    @property
    def env(self) -> dict[str, str]:
        """The environment a CI job would have: the Pulumi sandbox (backend, passphrase, plugins)."""
        return {**os.environ, **self.sandbox.env}


def make_bed(sandbox: PulumiSandbox, broker: BrokerInfo, root: Path) -> EphemeralBed:
    proj = copy_project("local", root / "project")
    (proj / ".local").mkdir(exist_ok=True)
    (proj / ".local" / "broker.json").write_text(broker.to_json())
    # The doctor reads Mimir's TLS files from a local copy of the TLS Secret: only the CA here.
    tls = root / "tls"
    tls.mkdir()
    (tls / "ca.crt").write_text(broker.ca_pem)
    return EphemeralBed(proj, tls, with_backend(sandbox, root / "state"))


def stacks_in_backend(env: dict[str, str]) -> list[str]:
    """Fully qualified names of every stack in the backend (listed from outside any project)."""
    with tempfile.TemporaryDirectory() as cwd:
        out = auto.PulumiCommand().run(["stack", "ls", "--all", "--json"], cwd, env).stdout
    return [s["name"] for s in json.loads(out or "[]")]


def kafka_objects(admin: KafkaAdminClient, prefix: str) -> dict[str, list[str]]:
    """Topics, SCRAM users, ACLs (of the prefix's principals or on its resources), consumer groups."""
    topics = sorted(t for t in admin.list_topics() if t.startswith(prefix))
    users = sorted(u for u in admin.describe_user_scram_credentials() if u.startswith(prefix))
    acls = sorted(f"{p}: {a}" for u in users for p in [f"User:{u}"] for a in acls_of(admin, p))
    from kafka.admin import (
        ACLFilter,
        ACLOperation,
        ACLPermissionType,
        ACLResourcePatternType,
        ResourcePatternFilter,
        ResourceType,
    )

    flt = ACLFilter(
        principal=None,
        host="*",
        operation=ACLOperation.ANY,
        permission_type=ACLPermissionType.ANY,
        resource_pattern=ResourcePatternFilter(ResourceType.ANY, None, ACLResourcePatternType.ANY),
    )
    all_acls, _ = admin.describe_acls(flt)
    acls += sorted(
        f"{a.principal}: {a.resource_pattern.resource_name} {a.operation.name}"
        for a in all_acls
        if a.principal.startswith(f"User:{prefix}") or a.resource_pattern.resource_name.startswith(prefix)
    )
    groups = sorted(
        gid
        for g in admin.list_groups()
        if (gid := g["group_id"] if isinstance(g, dict) else g[0]).startswith(prefix)
    )
    return {"topics": topics, "users": users, "acls": sorted(set(acls)), "groups": groups}


def nothing_left(admin: KafkaAdminClient, prefix: str) -> bool:
    return not any(kafka_objects(admin, prefix).values())


def child(
    bed: EphemeralBed, *args: str, stdout: int | None = subprocess.PIPE, env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    """``ephemeral_child.py`` in its own process group (as a CI runner starts a job step)."""
    return subprocess.Popen(
        [sys.executable, str(CHILD), "--project", str(bed.project), "--tls-dir", str(bed.tls_dir), *args],
        cwd=str(REPO),
        env={**bed.env, **(env or {})},
        stdout=stdout,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
