"""Connect to Kafka the way Mimir would, from an :class:`IngestStorageContract`.

Same seed addresses, same SASL mechanism and credential source, same TLS rules as Mimir's Go client:
a configured CA *replaces* the system roots, the server name overrides SNI and verification, the
minimum version defaults to TLS 1.2, ``insecure_skip_verify`` turns verification off.
"""

from __future__ import annotations

import os
import socket
import ssl
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from mimirkafka.contract.mimir_config import tls_paths
from mimirkafka.contract.model import (
    IngestStorageContract,
    MskIamFile,
    MskIamSocket,
    MskIamStatic,
    NoSasl,
    OAuthBearerFile,
    OAuthBearerSocket,
    OAuthBearerStatic,
    PemMaterial,
    PlainAuth,
    ScramAuth,
    SecretValue,
)
from mimirkafka.doctor import credentials, sasl

_TLS_VERSIONS = {
    "VersionTLS10": ssl.TLSVersion.TLSv1,
    "VersionTLS11": ssl.TLSVersion.TLSv1_1,
    "VersionTLS12": ssl.TLSVersion.TLSv1_2,
    "VersionTLS13": ssl.TLSVersion.TLSv1_3,
}


class ConnectionSetupError(ValueError):
    """The contract cannot be turned into a client (unreadable TLS file, bad min version, ...)."""


class _ServerNameContext(ssl.SSLContext):
    """An SSLContext that uses ``tls_server_name`` instead of the dialled host, like Go's ServerName."""

    server_name: str | None = None

    def wrap_socket(self, sock: Any, *args: Any, **kwargs: Any) -> Any:
        if self.server_name:
            kwargs["server_hostname"] = self.server_name
        return super().wrap_socket(sock, *args, **kwargs)


def split_address(address: str, default_port: int = 9092) -> tuple[str, int]:
    host, sep, port = address.strip().rpartition(":")
    if not sep:
        return address.strip(), default_port
    return host.strip("[]"), int(port)


@dataclass(frozen=True)
class _TlsFiles:
    ca: str | None
    cert: str | None
    key: str | None


def _pem_text(m: PemMaterial | None) -> str | None:
    if m is None or m.pem is None:
        return None
    pem = m.pem.value if isinstance(m.pem, SecretValue) else m.pem
    if not isinstance(pem, str):
        raise ConnectionSetupError(
            "TLS PEM content is not a plain string (a pulumi.Output?); resolve it first"
        )
    return pem


@contextmanager
def _tls_files(contract: IngestStorageContract) -> Iterator[_TlsFiles]:
    """Paths of the CA, cert and key: PEM content held by the contract (written to a private temp dir,
    because ``ssl`` loads client keys only from files), else the paths Mimir's config names."""
    tls, paths = contract.tls, tls_paths(contract)
    with tempfile.TemporaryDirectory(prefix="mimirkafka-doctor-tls-") as tmp:

        def resolve(name: str, material: PemMaterial | None) -> str | None:
            pem = _pem_text(material)
            if pem is None:
                return paths.get(name)
            p = os.path.join(tmp, name + ".pem")
            fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(pem)
            return p

        yield _TlsFiles(
            ca=resolve("ca", tls.ca),
            cert=resolve("client_cert", tls.client_cert),
            key=resolve("client_key", tls.client_key),
        )


def ssl_context(contract: IngestStorageContract) -> ssl.SSLContext:
    """The client TLS context Mimir's settings describe. Raises :class:`ConnectionSetupError` with the
    setting to fix when a file cannot be read or a value is unknown."""
    tls = contract.tls
    ctx = _ServerNameContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.server_name = tls.server_name or None
    if tls.min_version:
        if tls.min_version not in _TLS_VERSIONS:
            raise ConnectionSetupError(
                f"tls_min_version={tls.min_version!r} is unknown; use one of {', '.join(_TLS_VERSIONS)}"
            )
        ctx.minimum_version = _TLS_VERSIONS[tls.min_version]
    else:
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2  # Go's client default
    with _tls_files(contract) as files:
        if (files.cert is None) != (files.key is None):
            missing = "tls_key_path" if files.key is None else "tls_cert_path"
            raise ConnectionSetupError(f"{missing} is not set: a client certificate needs both cert and key")
        try:
            if files.ca:
                ctx.load_verify_locations(cafile=files.ca)
            else:
                ctx.load_default_certs(ssl.Purpose.SERVER_AUTH)
        except (OSError, ssl.SSLError) as exc:
            raise ConnectionSetupError(f"tls_ca_path={files.ca!r}: cannot load the CA: {exc}") from exc
        if files.cert and files.key:
            try:
                ctx.load_cert_chain(certfile=files.cert, keyfile=files.key)
            except (OSError, ssl.SSLError) as exc:
                raise ConnectionSetupError(
                    f"tls_cert_path={files.cert!r}/tls_key_path={files.key!r}: cannot load the client "
                    f"certificate: {exc}"
                ) from exc
    if tls.insecure_skip_verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return ctx


def security_protocol(contract: IngestStorageContract) -> str:
    has_sasl = not isinstance(contract.sasl, NoSasl)
    if contract.tls.enabled:
        return "SASL_SSL" if has_sasl else "SSL"
    return "SASL_PLAINTEXT" if has_sasl else "PLAINTEXT"


def _secret_text(value: SecretValue | None, setting: str) -> str:
    raw = value.value if isinstance(value, SecretValue) else value
    if not isinstance(raw, str):
        raise ConnectionSetupError(f"{setting} is not a plain string (a pulumi.Output?); resolve it first")
    return raw


def client_config(contract: IngestStorageContract, timeout_s: float) -> dict[str, Any]:
    """kafka-python keyword arguments for a client that authenticates like Mimir does."""
    sasl.install()
    timeout_ms = max(1000, int(timeout_s * 1000))
    cfg: dict[str, Any] = {
        "bootstrap_servers": list(contract.addresses),
        "client_id": contract.client_id or "mimirkafka-doctor",
        "security_protocol": security_protocol(contract),
        "request_timeout_ms": timeout_ms,
        "bootstrap_timeout_ms": timeout_ms,
        "reconnect_backoff_max_ms": 1000,
    }
    if contract.tls.enabled:
        cfg["ssl_context"] = ssl_context(contract)
    auth = contract.sasl
    if isinstance(auth, NoSasl):
        return cfg
    cfg["sasl_mechanism"] = auth.mechanism.value if auth.mechanism is not None else None
    if isinstance(auth, PlainAuth | ScramAuth):
        cfg["sasl_plain_username"] = auth.username
        cfg["sasl_plain_password"] = _secret_text(auth.password, "sasl_password")
    elif isinstance(auth, OAuthBearerStatic | OAuthBearerFile | OAuthBearerSocket):
        oauth_auth = auth
        cfg["sasl_oauth_token_provider"] = sasl.OAuthTokenSource(lambda: credentials.oauth_token(oauth_auth))
    elif isinstance(auth, MskIamStatic | MskIamFile | MskIamSocket):
        iam_auth = auth
        cfg["sasl_oauth_token_provider"] = sasl.AwsCredentialSource(
            lambda: credentials.aws_credentials(iam_auth)
        )
    return cfg


def tcp_connect(address: str, timeout_s: float) -> float:
    """Opens and closes a TCP connection; returns the seconds it took. Raises ``OSError``."""
    import time

    host, port = split_address(address)
    t0 = time.monotonic()
    with socket.create_connection((host, port), timeout=timeout_s):
        return time.monotonic() - t0


def tls_handshake(address: str, ctx: ssl.SSLContext, timeout_s: float) -> str:
    """A TLS handshake with the broker; returns the negotiated version.

    Raises ``ssl.SSLError`` or ``OSError``."""
    host, port = split_address(address)
    with (
        socket.create_connection((host, port), timeout=timeout_s) as raw,
        ctx.wrap_socket(raw, server_hostname=host) as tls_sock,
    ):
        return tls_sock.version() or "TLS"
