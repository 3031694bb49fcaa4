"""A real Kubernetes control plane on loopback, for the end-to-end tests of the Kubernetes side.

etcd, kube-apiserver, kube-controller-manager and kube-scheduler (Kubernetes 1.34, built from the Go
module proxy by ``scripts/toolchain``) plus kwok, which plays the kubelets: fake nodes that take pods
to Running/Ready and a StorageClass (``kwok-volume``, the default) whose claims kwok binds. Fresh
certificates every start; an admin kubeconfig is written for Pulumi's kubernetes provider.

No container runtime: pods never run a process. This proves the API (validation, defaulting,
immutable fields, CRD schemas, server-side apply diffs, namespace deletion, garbage collection) and
Pulumi's awaits, diffs and deletes, not traffic inside the cluster.

Standalone: ``python -m testbed.kubeapi --kubeconfig .local/kubeconfig`` runs until interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from testbed.host import free_ports, port_open, toolchain_env

#: Fake nodes, one per zone (the KRaft StatefulSet and Mimir spread over zones and hosts).
NODES = (("kwok-node-a", "zone-a"), ("kwok-node-b", "zone-b"), ("kwok-node-c", "zone-c"))
#: The service range the API server allocates ClusterIPs from; its first address is ``kubernetes``.
SERVICE_CIDR = "10.96.0.0/16"
KWOK_ANNOTATION = "kwok.x-k8s.io/node"


def toolchain_paths() -> dict[str, str]:
    """ETCD_BIN, KUBE_BIN_DIR, KWOK_DIR from the environment or ``scripts/toolchain --env``."""
    return toolchain_env(("ETCD_BIN", "KUBE_BIN_DIR", "KWOK_DIR"))


def _write_pki(d: Path) -> dict[str, Path]:
    """CA, API server serving certificate, admin client certificate (system:masters), SA key pair."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    from testbed.pki import TestCA, key_pem

    ca = TestCA("mimirkafka-test-kube-ca")
    kube_ip = ipaddress.IPv4Network(SERVICE_CIDR).network_address + 1
    server_sans = [
        x509.DNSName("localhost"),
        x509.DNSName("kubernetes"),
        x509.DNSName("kubernetes.default.svc"),
        x509.DNSName("kubernetes.default.svc.cluster.local"),
        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
        x509.IPAddress(kube_ip),
    ]

    def leaf(attrs: list[x509.NameAttribute], server: bool) -> tuple[bytes, bytes]:
        return ca.leaf(x509.Name(attrs), server=server, sans=server_sans if server else ())

    pem_key = key_pem
    server_cert, server_key = leaf([x509.NameAttribute(NameOID.COMMON_NAME, "kube-apiserver")], True)
    admin_cert, admin_key = leaf(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "system:masters"),
            x509.NameAttribute(NameOID.COMMON_NAME, "kubernetes-admin"),
        ],
        False,
    )
    sa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    files = {
        "ca": (d / "ca.crt", ca.pem),
        "server_cert": (d / "apiserver.crt", server_cert),
        "server_key": (d / "apiserver.key", server_key),
        "admin_cert": (d / "admin.crt", admin_cert),
        "admin_key": (d / "admin.key", admin_key),
        "sa_key": (d / "sa.key", pem_key(sa_key)),
        "sa_pub": (
            d / "sa.pub",
            sa_key.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            ),
        ),
    }
    for path, content in files.values():
        path.write_bytes(content)
        path.chmod(0o600)
    return {k: p for k, (p, _) in files.items()}


def _kubeconfig(server: str, pki: dict[str, Path]) -> str:
    # Paths, not embedded data: the files live as long as the control plane.
    doc = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {"name": "testbed", "cluster": {"server": server, "certificate-authority": str(pki["ca"])}}
        ],
        "users": [
            {
                "name": "admin",
                "user": {
                    "client-certificate": str(pki["admin_cert"]),
                    "client-key": str(pki["admin_key"]),
                },
            }
        ],
        "contexts": [{"name": "testbed", "context": {"cluster": "testbed", "user": "admin"}}],
        "current-context": "testbed",
    }
    return json.dumps(doc, indent=2)  # JSON is YAML; no dependency needed


class KubeError(RuntimeError):
    def __init__(self, status: int, body: str, what: str) -> None:
        super().__init__(f"{what}: HTTP {status}: {body[:500]}")
        self.status = status
        self.body = body


@dataclass(frozen=True)
class KubeInfo:
    """How to reach the control plane."""

    server: str
    kubeconfig: str
    ca_file: str
    cert_file: str
    key_file: str
    workdir: str
    version: str


class KubeClient:
    """The few REST calls the tests and the fixture need (no kubectl, no extra dependency)."""

    def __init__(self, info: KubeInfo) -> None:
        self.server = info.server
        self._ctx = ssl.create_default_context(cafile=info.ca_file)
        self._ctx.load_cert_chain(info.cert_file, info.key_file)

    def request(
        self, method: str, path: str, body: Any = None, content_type: str = "application/json"
    ) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.server + path, data=data, method=method)
        req.add_header("Accept", "application/json")
        if data is not None:
            req.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(req, context=self._ctx, timeout=30) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as exc:
            raise KubeError(exc.code, exc.read().decode(errors="replace"), f"{method} {path}") from None
        return json.loads(raw) if raw[:1] in (b"{", b"[") else raw.decode()

    def get(self, path: str) -> Any:
        return self.request("GET", path)

    def get_or_none(self, path: str) -> Any:
        try:
            return self.get(path)
        except KubeError as exc:
            if exc.status == 404:
                return None
            raise

    def create(self, path: str, obj: dict[str, Any]) -> Any:
        return self.request("POST", path, obj)

    def names(self, path: str) -> list[str]:
        return sorted(i["metadata"]["name"] for i in self.get(path)["items"])


class ControlPlane:
    """Owns the five processes. ``start()`` returns :class:`KubeInfo`; ``stop()`` ends them all and
    waits until their ports are free."""

    def __init__(self, workdir: Path | None = None, paths: dict[str, str] | None = None) -> None:
        self._own_workdir = workdir is None
        self.workdir = workdir or Path(tempfile.mkdtemp(prefix="mimirkafka-kube-"))
        self.paths = paths or toolchain_paths()
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.ports: dict[str, int] = {}
        self.info: KubeInfo | None = None
        self.timings: dict[str, float] = {}

    # -- processes -----------------------------------------------------------------------------

    def _spawn(self, name: str, argv: list[str]) -> None:
        log = (self.workdir / f"{name}.log").open("wb")
        # Own process group each, so stop() ends exactly what it started.
        self.procs[name] = subprocess.Popen(
            argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=self.workdir
        )

    def _check_alive(self) -> None:
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}:\n{self.log_tail(name)}")

    def log_tail(self, name: str, lines: int = 30) -> str:
        p = self.workdir / f"{name}.log"
        if not p.exists():
            return ""
        return f"--- {p}\n" + "\n".join(p.read_text(errors="replace").splitlines()[-lines:])

    def _binary(self, name: str) -> str:
        path = Path(self.paths["ETCD_BIN"]) if name == "etcd" else None
        if name == "kwok":
            path = Path(self.paths["KWOK_DIR"]) / "kwok"
        elif path is None:
            path = Path(self.paths["KUBE_BIN_DIR"]) / name
        if not path.is_file():
            raise RuntimeError(f"{path} missing: run scripts/toolchain (builds etcd, kube, kwok)")
        return str(path)

    def start(self, timeout: float = 180.0) -> KubeInfo:
        t0 = time.monotonic()
        deadline = t0 + timeout
        pki_dir = self.workdir / "pki"
        pki_dir.mkdir(parents=True, exist_ok=True)
        pki = _write_pki(pki_dir)
        names = ("etcd_client", "etcd_peer", "apiserver", "kcm", "scheduler", "kwok")
        self.ports = dict(zip(names, free_ports(len(names)), strict=True))
        server = f"https://127.0.0.1:{self.ports['apiserver']}"
        kubeconfig = self.workdir / "kubeconfig"
        kubeconfig.write_text(_kubeconfig(server, pki))
        kubeconfig.chmod(0o600)
        try:
            self._start_processes(pki, kubeconfig, deadline)
            info = KubeInfo(
                server=server,
                kubeconfig=str(kubeconfig),
                ca_file=str(pki["ca"]),
                cert_file=str(pki["admin_cert"]),
                key_file=str(pki["admin_key"]),
                workdir=str(self.workdir),
                version="",
            )
            client = KubeClient(info)
            self._wait(lambda: client.get("/readyz") == "ok", "kube-apiserver /readyz", deadline)
            self.timings["apiserver_ready"] = time.monotonic() - t0
            version = client.get("/version")["gitVersion"]
            info = KubeInfo(**{**info.__dict__, "version": version})
            self._seed(client, deadline)
        except BaseException:
            self.stop()
            raise
        self.info = info
        self.timings["ready"] = time.monotonic() - t0
        return info

    def _start_processes(self, pki: dict[str, Path], kubeconfig: Path, deadline: float) -> None:
        p = self.ports
        etcd_url = f"http://127.0.0.1:{p['etcd_client']}"
        peer_url = f"http://127.0.0.1:{p['etcd_peer']}"
        self._spawn(
            "etcd",
            [
                self._binary("etcd"),
                "--name=testbed",
                f"--data-dir={self.workdir / 'etcd'}",
                f"--listen-client-urls={etcd_url}",
                f"--advertise-client-urls={etcd_url}",
                f"--listen-peer-urls={peer_url}",
                f"--initial-advertise-peer-urls={peer_url}",
                f"--initial-cluster=testbed={peer_url}",
                "--unsafe-no-fsync=true",  # throw-away data; fsync only slows the tests down
                "--log-level=warn",
            ],
        )
        self._wait(lambda: port_open(p["etcd_client"]), "etcd", deadline)
        self._spawn(
            "kube-apiserver",
            [
                self._binary("kube-apiserver"),
                f"--etcd-servers={etcd_url}",
                "--bind-address=127.0.0.1",
                "--advertise-address=127.0.0.1",
                # The `kubernetes` Service cannot point at a loopback address; nothing here needs it.
                "--endpoint-reconciler-type=none",
                f"--secure-port={p['apiserver']}",
                f"--tls-cert-file={pki['server_cert']}",
                f"--tls-private-key-file={pki['server_key']}",
                f"--client-ca-file={pki['ca']}",
                f"--service-account-key-file={pki['sa_pub']}",
                f"--service-account-signing-key-file={pki['sa_key']}",
                "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                f"--service-cluster-ip-range={SERVICE_CIDR}",
                "--authorization-mode=Node,RBAC",
                "--allow-privileged=true",
                "--enable-priority-and-fairness=false",
                "--profiling=false",
                "--v=1",
            ],
        )
        self._wait(lambda: port_open(p["apiserver"]), "kube-apiserver port", deadline)
        common = [f"--kubeconfig={kubeconfig}", "--leader-elect=false", "--bind-address=127.0.0.1"]
        self._spawn(
            "kube-controller-manager",
            [
                self._binary("kube-controller-manager"),
                *common,
                f"--secure-port={p['kcm']}",
                f"--authentication-kubeconfig={kubeconfig}",
                f"--authorization-kubeconfig={kubeconfig}",
                f"--service-account-private-key-file={pki['sa_key']}",
                f"--root-ca-file={pki['ca']}",
                f"--service-cluster-ip-range={SERVICE_CIDR}",
                "--use-service-account-credentials=false",
                "--profiling=false",
                "--v=1",
            ],
        )
        self._spawn(
            "kube-scheduler",
            [
                self._binary("kube-scheduler"),
                *common,
                f"--secure-port={p['scheduler']}",
                f"--authentication-kubeconfig={kubeconfig}",
                f"--authorization-kubeconfig={kubeconfig}",
                "--profiling=false",
                "--v=1",
            ],
        )
        self._spawn(
            "kwok",
            [
                self._binary("kwok"),
                f"--kubeconfig={kubeconfig}",
                f"--config={Path(self.paths['KWOK_DIR']) / 'stages.yaml'}",
                f"--manage-nodes-with-annotation-selector={KWOK_ANNOTATION}=fake",
                f"--server-address=127.0.0.1:{p['kwok']}",
                "--node-ip=10.244.0.1",
                "--cidr=10.244.0.0/16",
            ],
        )

    def _seed(self, client: KubeClient, deadline: float) -> None:
        """Fake nodes, kwok's default StorageClass, and a usable ``default`` namespace."""
        sc_file = Path(self.paths["KWOK_DIR"]) / "storage-class.yaml"
        import yaml

        storage_class = yaml.safe_load(sc_file.read_text())
        sc_path = f"/apis/storage.k8s.io/v1/storageclasses/{storage_class['metadata']['name']}"
        if client.get_or_none(sc_path) is None:
            client.create("/apis/storage.k8s.io/v1/storageclasses", storage_class)
        for name, zone in NODES:
            client.create(
                "/api/v1/nodes",
                {
                    "apiVersion": "v1",
                    "kind": "Node",
                    "metadata": {
                        "name": name,
                        "annotations": {KWOK_ANNOTATION: "fake", "node.alpha.kubernetes.io/ttl": "0"},
                        "labels": {
                            "kubernetes.io/hostname": name,
                            "kubernetes.io/os": "linux",
                            "kubernetes.io/arch": "amd64",
                            "type": "kwok",
                            "topology.kubernetes.io/zone": zone,
                        },
                    },
                    "status": {
                        "allocatable": {"cpu": "32", "memory": "256Gi", "pods": "110"},
                        "capacity": {"cpu": "32", "memory": "256Gi", "pods": "110"},
                    },
                },
            )

        def nodes_ready() -> bool:
            self._check_alive()
            ready = 0
            for node in client.get("/api/v1/nodes")["items"]:
                conds = {c["type"]: c["status"] for c in node.get("status", {}).get("conditions", [])}
                ready += conds.get("Ready") == "True"
            return ready == len(NODES)

        self._wait(nodes_ready, "kwok nodes Ready", deadline)
        # Pods need the namespace's default ServiceAccount (created by the controller-manager).
        self._wait(
            lambda: client.get_or_none("/api/v1/namespaces/default/serviceaccounts/default") is not None,
            "default ServiceAccount",
            deadline,
        )

    def _wait(self, cond: Any, what: str, deadline: float) -> None:
        last: Exception | None = None
        while time.monotonic() < deadline:
            self._check_alive()
            try:
                if cond():
                    return
            except (OSError, KubeError, ssl.SSLError) as exc:
                last = exc
            time.sleep(0.25)
        tails = "\n".join(self.log_tail(n) for n in self.procs)
        raise TimeoutError(f"control plane: {what} not ready ({last!r})\n{tails}")

    def stop(self, timeout: float = 30.0) -> None:
        # Reverse start order: the clients first, etcd last.
        for name in reversed(list(self.procs)):
            proc = self.procs.pop(name)
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        end = time.monotonic() + timeout
        busy = [p for p in self.ports.values() if port_open(p)]
        while busy and time.monotonic() < end:
            time.sleep(0.2)
            busy = [p for p in busy if port_open(p)]
        if busy:
            raise RuntimeError(f"control plane stopped but ports {busy} are still open")
        if self._own_workdir and os.environ.get("MIMIRKAFKA_KEEP_KUBE_DIR") != "1":
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> KubeInfo:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kubeconfig", type=Path, help="also copy the admin kubeconfig here")
    args = ap.parse_args(argv)
    cp = ControlPlane()
    stop = False

    def on_signal(signum: int, frame: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    info = cp.start()
    try:
        if args.kubeconfig:
            args.kubeconfig.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(info.kubeconfig, args.kubeconfig)
        print(
            f"Kubernetes {info.version} at {info.server} (ready in {cp.timings['ready']:.1f}s); "
            f"kubeconfig {args.kubeconfig or info.kubeconfig}. Ctrl-C stops it.",
            flush=True,
        )
        while not stop:
            time.sleep(0.5)
    finally:
        cp.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
