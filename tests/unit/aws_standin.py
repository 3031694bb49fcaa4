"""A local stand-in for the two AWS endpoints the MSK IAM sidecar calls (standard library only).

* STS ``AssumeRoleWithWebIdentity`` (``POST /``, form-encoded, unsigned) answering the XML AWS documents
  (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html:
  ``AssumeRoleWithWebIdentityResponse/AssumeRoleWithWebIdentityResult/Credentials`` with ``AccessKeyId``,
  ``SecretAccessKey``, ``SessionToken``, ``Expiration``);
* the EKS Pod Identity agent (``GET /v1/credentials`` with the token in ``Authorization``) answering the
  container-credentials JSON (``AccessKeyId``, ``SecretAccessKey``, ``Token``, ``AccountId``, ``Expiration``;
  https://docs.aws.amazon.com/eks/latest/userguide/pod-id-how-it-works.html).

Every issue gets new keys (``ASIA...<n>``) so a test can tell a refresh from a cached answer. ``mode``
switches
the answers: ``ok``, ``down`` (HTTP 503), ``malformed`` (``body`` is sent as is) or ``slow`` (``ok`` after a
delay, to make concurrent requests overlap).
"""

from __future__ import annotations

import datetime as dt
import http.server
import json
import threading
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"


class AwsStandIn:
    def __init__(self, clock: Callable[[], dt.datetime], lifetime: dt.timedelta, token: str) -> None:
        self.clock = clock
        self.lifetime = lifetime
        self.token = token
        self.mode = "ok"
        self.body = b""
        self.delay = 0.3
        self.issued: list[dict[str, str]] = []
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        standin = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = urllib.parse.parse_qs(self.rfile.read(length).decode())
                standin._serve(
                    self, "sts", {k: v[0] for k, v in form.items()}, self.headers.get("Authorization")
                )

            def do_GET(self) -> None:
                standin._serve(self, "pod-identity", {"path": self.path}, self.headers.get("Authorization"))

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> AwsStandIn:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _issue(self) -> dict[str, str]:
        with self._lock:
            n = len(self.issued) + 1
            creds = {
                "AccessKeyId": f"ASIASTANDIN{n:08d}",
                "SecretAccessKey": f"secret-{n}-wJalrXUtnFEMIK7MDENG",
                "SessionToken": f"session-token-{n}-FwoGZXIvYXdzEBY",
                "Expiration": (self.clock() + self.lifetime).strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
            self.issued.append(creds)
            return creds

    def _serve(self, handler: Any, kind: str, params: dict[str, str], auth: str | None) -> None:
        self.requests.append({"kind": kind, **params, "authorization": auth})
        if self.mode == "slow":
            time.sleep(self.delay)
        if self.mode == "down":
            return self._send(handler, 503, b"<Error>service unavailable</Error>", "text/xml")
        if self.mode == "malformed":
            return self._send(handler, 200, self.body, "text/plain")
        if kind == "sts":
            if (
                params.get("Action") != "AssumeRoleWithWebIdentity"
                or params.get("WebIdentityToken") != self.token
            ):
                # AWS answers 400 and echoes nothing secret; this stand-in echoes the token to prove that
                # the sidecar never logs a response body.
                return self._send(
                    handler, 400, f"<Error>bad token {params.get('WebIdentityToken')}</Error>".encode()
                )
            c = self._issue()
            xml = (
                f'<AssumeRoleWithWebIdentityResponse xmlns="{STS_NS}"><AssumeRoleWithWebIdentityResult>'
                f"<Credentials><AccessKeyId>{c['AccessKeyId']}</AccessKeyId>"
                f"<SecretAccessKey>{c['SecretAccessKey']}</SecretAccessKey>"
                f"<SessionToken>{c['SessionToken']}</SessionToken><Expiration>{c['Expiration']}</Expiration>"
                "</Credentials><SubjectFromWebIdentityToken>system:serviceaccount:mimir:mimir"
                "</SubjectFromWebIdentityToken></AssumeRoleWithWebIdentityResult>"
                "</AssumeRoleWithWebIdentityResponse>"
            )
            return self._send(handler, 200, xml.encode(), "text/xml")
        if auth != self.token:
            return self._send(handler, 401, b'{"message": "unauthorized"}')
        c = self._issue()
        body = {
            "AccessKeyId": c["AccessKeyId"],
            "SecretAccessKey": c["SecretAccessKey"],
            "Token": c["SessionToken"],
            "AccountId": "123456789012",
            "Expiration": c["Expiration"],
        }
        return self._send(handler, 200, json.dumps(body).encode())

    @staticmethod
    def _send(handler: Any, status: int, body: bytes, ctype: str = "application/json") -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", ctype)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
