"""The control-plane fixture's pure parts: its certificates and kubeconfig (no binaries needed)."""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from testbed.kubeapi import SERVICE_CIDR, _kubeconfig, _write_pki, toolchain_paths


def test_pki_server_sans_and_admin_group(tmp_path: Path) -> None:
    pki = _write_pki(tmp_path)
    server = x509.load_pem_x509_certificate(pki["server_cert"].read_bytes())
    sans = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert {"localhost", "kubernetes.default.svc"} <= set(sans.get_values_for_type(x509.DNSName))
    ips = set(sans.get_values_for_type(x509.IPAddress))
    # The first address of the service range is the `kubernetes` Service's ClusterIP.
    assert ipaddress.ip_address("127.0.0.1") in ips
    assert ipaddress.IPv4Network(SERVICE_CIDR).network_address + 1 in ips
    admin = x509.load_pem_x509_certificate(pki["admin_cert"].read_bytes())
    orgs = [a.value for a in admin.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)]
    assert orgs == ["system:masters"]
    ca = x509.load_pem_x509_certificate(pki["ca"].read_bytes())
    assert server.issuer == ca.subject == admin.issuer
    for key in ("server_key", "admin_key", "sa_key"):
        assert pki[key].stat().st_mode & 0o077 == 0, f"{key} readable by others"


def test_kubeconfig_points_at_files(tmp_path: Path) -> None:
    pki = _write_pki(tmp_path)
    doc = json.loads(_kubeconfig("https://127.0.0.1:6443", pki))
    assert doc["current-context"] == "testbed"
    cluster = doc["clusters"][0]["cluster"]
    assert cluster == {"server": "https://127.0.0.1:6443", "certificate-authority": str(pki["ca"])}
    assert doc["users"][0]["user"]["client-key"] == str(pki["admin_key"])


def test_toolchain_paths_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ETCD_BIN", "/x/etcd")
    monkeypatch.setenv("KUBE_BIN_DIR", "/x/kube")
    monkeypatch.setenv("KWOK_DIR", "/x/kwok")
    assert toolchain_paths() == {"ETCD_BIN": "/x/etcd", "KUBE_BIN_DIR": "/x/kube", "KWOK_DIR": "/x/kwok"}
