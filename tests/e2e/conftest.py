"""Fixtures of the real test bed: the toolchain on PATH, ONE Kafka broker per session, admin clients."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the helpers next to this file, without a package

from kafka import KafkaAdminClient
from pulumi_harness import PulumiSandbox, make_sandbox

from testbed.devbroker import Broker, BrokerInfo
from testbed.kubeapi import ControlPlane, KubeInfo

REPO = Path(__file__).resolve().parents[2]


def toolchain_env() -> dict[str, str]:
    """The variables ``scripts/toolchain --env`` exports (PATH with pulumi + plugins, KAFKA_LIBS, ...)."""
    out = subprocess.run(
        [str(REPO / "scripts" / "toolchain"), "--env"], check=True, capture_output=True, text=True
    ).stdout
    env: dict[str, str] = {}
    for line in out.splitlines():
        if not line.startswith("export "):
            continue
        key, _, value = line[len("export ") :].partition("=")
        value = value.strip('"').replace("$PATH", os.environ.get("PATH", ""))
        env[key] = value
    return env


@pytest.fixture(scope="session", autouse=True)
def toolchain() -> Iterator[dict[str, str]]:
    env = toolchain_env()
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    yield env
    for key, old in saved.items():
        if old is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = old


@pytest.fixture(scope="session")
def broker(toolchain: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrokerInfo]:
    """One real KRaft broker for the whole session; stopped (process group killed) at the end."""
    if not Path(toolchain["KAFKA_LIBS"]).is_dir():
        pytest.fail("no Kafka jars: run scripts/toolchain (scripts/test does it)", pytrace=False)
    b = Broker(workdir=tmp_path_factory.mktemp("broker"), libs=Path(toolchain["KAFKA_LIBS"]))
    t0 = time.monotonic()
    info = b.start()
    sys.stderr.write(f"\n[e2e] Kafka broker ready in {time.monotonic() - t0:.1f}s\n")
    try:
        yield info
    finally:
        b.stop()
        assert b.proc is None


@pytest.fixture()
def admin(broker: BrokerInfo) -> Iterator[KafkaAdminClient]:
    client = KafkaAdminClient(**broker.admin_client_config(), request_timeout_ms=30000)
    try:
        yield client
    finally:
        client.close()


@pytest.fixture(scope="session")
def sandbox(toolchain: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> PulumiSandbox:
    """A private PULUMI_HOME (plugins at exact versions) and a file state backend for the session."""
    try:
        return make_sandbox(tmp_path_factory.mktemp("pulumi"), os.environ)
    except (FileNotFoundError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", "") or ""
        pytest.fail(f"Pulumi toolchain unusable ({exc}; {detail}); run scripts/toolchain", pytrace=False)


@pytest.fixture(scope="session")
def kube(toolchain: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[KubeInfo]:
    """A real Kubernetes control plane (etcd, kube-apiserver, controller-manager, scheduler, kwok) on
    loopback for the whole session; every process stopped and its port free at the end."""
    paths = {k: toolchain.get(k, "") for k in ("ETCD_BIN", "KUBE_BIN_DIR", "KWOK_DIR")}
    cp = ControlPlane(workdir=tmp_path_factory.mktemp("kube"), paths=paths)
    try:
        info = cp.start()
    except RuntimeError as exc:
        pytest.fail(f"control plane did not start: {exc}", pytrace=False)
    sys.stderr.write(
        f"\n[e2e] Kubernetes {info.version} ready in {cp.timings['ready']:.1f}s "
        f"(API server {cp.timings['apiserver_ready']:.1f}s)\n"
    )
    try:
        yield info
    finally:
        cp.stop()
        assert not cp.procs
