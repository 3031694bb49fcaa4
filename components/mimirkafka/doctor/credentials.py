"""Where Mimir gets OAUTHBEARER tokens and AWS_MSK_IAM keys: static values, a JSON file, or a unix socket.

Mirrors Mimir's behaviour: the file and the socket are read anew on every (re-)authentication, the socket
answers ``GET /`` with the same JSON as the file, and its request has a timeout (default 10s).
"""

from __future__ import annotations

import http.client
import json
import socket
from dataclasses import dataclass, field
from typing import Any

from mimirkafka.contract.model import (
    MskIamFile,
    MskIamSocket,
    MskIamStatic,
    OAuthBearerFile,
    OAuthBearerSocket,
    OAuthBearerStatic,
    SecretValue,
)
from mimirkafka.contract.validation import go_duration_seconds


class CredentialError(RuntimeError):
    """The credential source could not be read or did not hold what Mimir expects."""


def parse_duration(text: str) -> float:
    """Seconds of a Go duration like ``10s``, ``500ms``, ``1m30s`` (the contract's parser)."""
    seconds = go_duration_seconds(text.strip()) if text.strip() not in ("", "0") else 0.0
    if seconds is None:
        raise ValueError(f"{text!r} is not a duration; write it like '10s' or '500ms'")
    return seconds


class _UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, socket_path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self._socket_path = socket_path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self._socket_path)
        self.sock = sock


def get_json_over_unix_socket(socket_path: str, timeout: float) -> dict[str, Any]:
    """``GET /`` on an HTTP server listening on a unix socket; the 200 body must be a JSON object."""
    conn = _UnixHTTPConnection(socket_path, timeout)
    try:
        conn.request("GET", "/")
        resp = conn.getresponse()
        body = resp.read()
    except (OSError, http.client.HTTPException) as exc:
        raise CredentialError(f"GET / on unix socket {socket_path} failed: {exc}") from exc
    finally:
        conn.close()
    if resp.status != 200:
        raise CredentialError(f"GET / on unix socket {socket_path} answered HTTP {resp.status}, not 200")
    return _json_object(body, f"the answer of unix socket {socket_path}")


def read_json_file(path: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as f:
            body = f.read()
    except OSError as exc:
        raise CredentialError(f"cannot read {path}: {exc.strerror}") from exc
    return _json_object(body, path)


def _json_object(body: bytes, where: str) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise CredentialError(f"{where} is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise CredentialError(f"{where} must hold a JSON object, not {type(data).__name__}")
    return data


def _plain(value: SecretValue | str | None) -> str | None:
    """The clear text of a secret; only ever handed to the Kafka client, never printed."""
    raw = value.value if isinstance(value, SecretValue) else value
    if raw is None or isinstance(raw, str):
        return raw
    raise CredentialError(
        "a secret is not a plain string (a pulumi.Output?); resolve it first, e.g. inside an apply()"
    )


@dataclass(frozen=True)
class OAuthToken:
    token: str
    zid: str | None = None
    extensions: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AwsCredentials:
    access_key: str
    secret_key: str
    session_token: str | None = None
    user_agent: str | None = None


def oauth_token(auth: OAuthBearerStatic | OAuthBearerFile | OAuthBearerSocket) -> OAuthToken:
    if isinstance(auth, OAuthBearerStatic):
        data: dict[str, Any] = {
            "token": _plain(auth.token) or "",
            "zid": auth.zid,
            "extensions": dict(auth.extensions),
        }
        where = "sasl_oauthbearer_token"
    elif isinstance(auth, OAuthBearerFile):
        data, where = read_json_file(auth.path), auth.path
    else:
        data = get_json_over_unix_socket(auth.socket_path, parse_duration(auth.timeout))
        where = f"unix socket {auth.socket_path}"
    token = data.get("token")
    if not isinstance(token, str) or not token:
        raise CredentialError(f"{where}: no OAuth token (the JSON key 'token' is required)")
    ext = data.get("extensions") or {}
    if not isinstance(ext, dict):
        raise CredentialError(f"{where}: 'extensions' must be an object of strings")
    return OAuthToken(token, data.get("zid") or None, {str(k): str(v) for k, v in ext.items()})


def aws_credentials(auth: MskIamStatic | MskIamFile | MskIamSocket) -> AwsCredentials:
    if isinstance(auth, MskIamStatic):
        data: dict[str, Any] = {
            "AccessKey": _plain(auth.access_key),
            "SecretKey": _plain(auth.secret_key),
            "SessionToken": _plain(auth.session_token),
            "UserAgent": auth.user_agent,
        }
        where = "sasl_msk_iam_access_key/secret_key"
    elif isinstance(auth, MskIamFile):
        data, where = read_json_file(auth.path), auth.path
    else:
        data = get_json_over_unix_socket(auth.socket_path, parse_duration(auth.timeout))
        where = f"unix socket {auth.socket_path}"
    access, secret_key = data.get("AccessKey"), data.get("SecretKey")
    if not access or not secret_key:
        raise CredentialError(f"{where}: both 'AccessKey' and 'SecretKey' are required")
    return AwsCredentials(
        str(access), str(secret_key), data.get("SessionToken") or None, data.get("UserAgent")
    )
