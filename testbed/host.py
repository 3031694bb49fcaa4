"""What the test-bed fixtures need from this machine: free loopback ports and the toolchain's paths."""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Sequence
from pathlib import Path

TOOLCHAIN = Path(__file__).resolve().parents[1] / "scripts" / "toolchain"


def free_ports(n: int) -> list[int]:
    """``n`` distinct free loopback ports (all sockets stay open until every port is chosen)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def toolchain_env(keys: Sequence[str]) -> dict[str, str]:
    """The ``keys`` of ``scripts/toolchain --env`` (taken from the environment when all are set there)."""
    if all(os.environ.get(k) for k in keys):
        return {k: os.environ[k] for k in keys}
    out = subprocess.run([str(TOOLCHAIN), "--env"], check=True, capture_output=True, text=True).stdout
    found = {}
    for line in out.splitlines():
        key, _, value = line.removeprefix("export ").partition("=")
        if key in keys:
            found[key] = value.strip('"')
    missing = [k for k in keys if k not in found]
    if missing:
        raise RuntimeError(f"scripts/toolchain --env did not print {missing}; run scripts/toolchain first")
    return found
