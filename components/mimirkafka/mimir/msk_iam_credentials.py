"""Credentials sidecar for Mimir's ``AWS_MSK_IAM``: serves the pod's role credentials on a unix socket.

Why: Mimir 3.1's ``AWS_MSK_IAM`` does not use the AWS SDK default chain (grafana/mimir#15724); it takes
static keys, a JSON file or an HTTP-over-unix-socket source. This script, run as a sidecar from the
stock Python image (standard library only), resolves credentials the way the SDK would for EKS:

- EKS Pod Identity: ``AWS_CONTAINER_CREDENTIALS_FULL_URI`` + ``AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE``
  (JSON ``AccessKeyId``/``SecretAccessKey``/``Token``/``Expiration``);
- IRSA: ``AWS_ROLE_ARN`` + ``AWS_WEB_IDENTITY_TOKEN_FILE``, exchanged with the (unsigned) STS
  ``AssumeRoleWithWebIdentity`` call;

and answers ``GET /`` with ``{"AccessKey", "SecretKey", "SessionToken"}``, the shape Mimir reads on
every (re)authentication. Credentials are cached until five minutes before they expire. Nothing is
logged but errors without values. The Pulumi component ships this file in a ConfigMap.
"""

from __future__ import annotations

import datetime as dt
import http.server
import json
import os
import socketserver
import sys
import threading
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from typing import Any

REFRESH_BEFORE = dt.timedelta(minutes=5)
_STS_NS = {"sts": "https://sts.amazonaws.com/doc/2011-06-15/"}


def parse_expiration(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def from_container_response(body: dict[str, Any]) -> dict[str, str]:
    """Maps the container-credentials JSON (Pod Identity) to Mimir's shape, plus ``Expiration``."""
    return {
        "AccessKey": body["AccessKeyId"],
        "SecretKey": body["SecretAccessKey"],
        "SessionToken": body.get("Token") or body.get("SessionToken") or "",
        "Expiration": body["Expiration"],
    }


def from_sts_xml(text: str) -> dict[str, str]:
    """Maps an ``AssumeRoleWithWebIdentityResponse`` (IRSA) to Mimir's shape, plus ``Expiration``."""
    root = ET.fromstring(text)
    creds = root.find(".//sts:Credentials", _STS_NS)
    if creds is None:
        raise ValueError("STS response has no Credentials element")

    def field(name: str) -> str:
        el = creds.find(f"sts:{name}", _STS_NS)
        if el is None or not el.text:
            raise ValueError(f"STS response has no {name}")
        return el.text

    return {
        "AccessKey": field("AccessKeyId"),
        "SecretKey": field("SecretAccessKey"),
        "SessionToken": field("SessionToken"),
        "Expiration": field("Expiration"),
    }


def mimir_json(creds: dict[str, str]) -> bytes:
    return json.dumps(
        {k: creds[k] for k in ("AccessKey", "SecretKey", "SessionToken") if creds.get(k)}
    ).encode()


def needs_refresh(creds: dict[str, str] | None, now: dt.datetime) -> bool:
    return creds is None or parse_expiration(creds["Expiration"]) - now <= REFRESH_BEFORE


def fetch(env: dict[str, str]) -> dict[str, str]:
    """Resolves fresh credentials from the pod's environment (Pod Identity first, then IRSA)."""
    if env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI"):
        with open(env["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"], encoding="utf-8") as f:
            token = f.read().strip()
        req = urllib.request.Request(
            env["AWS_CONTAINER_CREDENTIALS_FULL_URI"], headers={"Authorization": token}
        )
        with urllib.request.urlopen(req, timeout=5) as resp:
            return from_container_response(json.load(resp))
    if env.get("AWS_ROLE_ARN") and env.get("AWS_WEB_IDENTITY_TOKEN_FILE"):
        with open(env["AWS_WEB_IDENTITY_TOKEN_FILE"], encoding="utf-8") as f:
            token = f.read().strip()
        region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1"
        query = urllib.parse.urlencode(
            {
                "Action": "AssumeRoleWithWebIdentity",
                "Version": "2011-06-15",
                "RoleArn": env["AWS_ROLE_ARN"],
                "RoleSessionName": env.get("AWS_ROLE_SESSION_NAME") or "mimir-msk-iam",
                "WebIdentityToken": token,
            }
        )
        with urllib.request.urlopen(f"https://sts.{region}.amazonaws.com/?{query}", timeout=5) as resp:
            return from_sts_xml(resp.read().decode())
    raise RuntimeError(
        "no pod credentials: neither EKS Pod Identity (AWS_CONTAINER_CREDENTIALS_FULL_URI) nor IRSA "
        "(AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE) is configured for this service account"
    )


class CredentialCache:
    def __init__(self, env: dict[str, str]) -> None:
        self._env = env
        self._creds: dict[str, str] | None = None
        self._lock = threading.Lock()

    def get(self) -> bytes:
        with self._lock:
            if needs_refresh(self._creds, dt.datetime.now(dt.UTC)):
                self._creds = fetch(self._env)
            assert self._creds is not None
            return mimir_json(self._creds)


class _UnixHTTPServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


def serve(socket_path: str, cache: CredentialCache) -> None:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            try:
                body = cache.get()
            except Exception as exc:  # report the kind of failure, never a credential
                self.send_error(503, type(exc).__name__)
                sys.stderr.write(f"msk-iam-credentials: {type(exc).__name__}: {exc}\n")
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def address_string(self) -> str:  # unix sockets have no peer address
            return "unix"

        def log_message(self, format: str, *args: Any) -> None:
            return

    if os.path.exists(socket_path):
        os.unlink(socket_path)
    with _UnixHTTPServer(socket_path, Handler) as server:
        os.chmod(socket_path, 0o660)
        server.serve_forever()


if __name__ == "__main__":
    serve(
        os.environ.get("MSK_IAM_SOCKET_PATH", "/var/run/msk-iam/credentials.sock"),
        CredentialCache(dict(os.environ)),
    )
