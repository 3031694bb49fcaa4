"""kafka-python client settings for one listener and one identity, written as plain dicts.

Kept apart from the broker so that the Mimir-side check can build its client from a *parsed Mimir
config* (mechanism, TLS files, credentials) and nothing else.
"""

from __future__ import annotations

import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kafka.net.sasl.oauth import AbstractTokenProvider


class StaticToken(AbstractTokenProvider):
    """Hands kafka-python one fixed OAUTHBEARER token (like Mimir's static token variant)."""

    def __init__(self, token: str, extensions: dict[str, str] | None = None) -> None:
        super().__init__()
        self._token = token
        self._extensions = extensions or {}

    def token(self) -> str:
        return self._token

    def extensions(self) -> dict[str, str]:
        return dict(self._extensions)


@dataclass(frozen=True)
class ClientIdentity:
    """How to authenticate: a SASL mechanism with credentials or token, and/or TLS material (PEM)."""

    mechanism: str | None = None
    username: str | None = None
    password: str | None = None
    token: str | None = None
    tls: bool = False
    ca_pem: str | None = None
    cert_pem: str | None = None
    key_pem: str | None = None
    insecure_skip_verify: bool = False
    server_name: str | None = None


def _pem_file(directory: Path, name: str, pem: str) -> str:
    path = directory / name
    path.write_text(pem)
    path.chmod(0o600)
    return str(path)


def client_config(bootstrap: str | list[str], ident: ClientIdentity) -> dict[str, Any]:
    """kafka-python keyword arguments (``bootstrap_servers``, ``security_protocol``, ``sasl_*``, TLS)."""
    cfg: dict[str, Any] = {"bootstrap_servers": bootstrap}
    if ident.mechanism:
        cfg["security_protocol"] = "SASL_SSL" if ident.tls else "SASL_PLAINTEXT"
        cfg["sasl_mechanism"] = ident.mechanism
        if ident.mechanism == "OAUTHBEARER":
            cfg["sasl_oauth_token_provider"] = StaticToken(ident.token or "")
        else:
            cfg["sasl_plain_username"] = ident.username
            cfg["sasl_plain_password"] = ident.password
    else:
        cfg["security_protocol"] = "SSL" if ident.tls else "PLAINTEXT"
    if ident.tls:
        ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
        if ident.ca_pem:
            ctx.load_verify_locations(cadata=ident.ca_pem)
        if ident.insecure_skip_verify:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        if ident.cert_pem and ident.key_pem:
            # ssl only loads client keys from files; they live for the duration of the load only.
            with tempfile.TemporaryDirectory(prefix="mimirkafka-client-") as tmp:
                d = Path(tmp)
                ctx.load_cert_chain(
                    _pem_file(d, "cert.pem", ident.cert_pem), _pem_file(d, "key.pem", ident.key_pem)
                )
        cfg["ssl_context"] = ctx
        cfg["ssl_check_hostname"] = not ident.insecure_skip_verify
    return cfg
