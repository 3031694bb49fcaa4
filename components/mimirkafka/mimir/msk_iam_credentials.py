"""Credentials sidecar for Mimir's ``AWS_MSK_IAM``: serves the pod's role credentials on a unix socket.

Why: Mimir 3.1's ``AWS_MSK_IAM`` does not use the AWS SDK default chain (grafana/mimir#15724); it takes
static keys, a JSON file or an HTTP-over-unix-socket source. This script, run as a sidecar from the
stock Python image (standard library only), resolves credentials the way the SDK would for EKS:

- EKS Pod Identity: ``AWS_CONTAINER_CREDENTIALS_FULL_URI`` + ``AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE``
  (``GET`` with the token as ``Authorization``; JSON ``AccessKeyId``/``SecretAccessKey``/``Token``/
  ``Expiration``);
- IRSA: ``AWS_ROLE_ARN`` + ``AWS_WEB_IDENTITY_TOKEN_FILE``, exchanged with the unsigned STS
  ``AssumeRoleWithWebIdentity`` call (``POST`` form, XML ``...Result/Credentials``); the endpoint is
  ``https://sts.<region>.amazonaws.com`` or ``AWS_ENDPOINT_URL_STS`` (the SDKs' service-specific endpoint
  variable, https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html);

and answers ``GET /`` with ``{"AccessKey", "SecretKey", "SessionToken"}``, the shape Mimir reads on every
(re)authentication. With ``MSK_IAM_FILE_PATH`` it (also) writes that JSON to a file, atomically (temporary
file in the same directory, then ``rename``), for ``sasl_msk_iam_file_path``.

Behaviour (tests/unit/test_mimir_msk_iam_sidecar.py runs it over a real unix socket against local stand-ins
for STS and the Pod Identity agent):

- credentials are refreshed :data:`REFRESH_BEFORE` their expiry, once for any number of concurrent requests;
- a failed or malformed refresh keeps serving the last good credentials until they expire (one warning);
  after that every request gets ``503`` and one clear log line, and refreshes are retried at most every
  :data:`RETRY_AFTER`;
- no credential, token or secret ever reaches a log line (messages are redacted against every secret the
  sidecar holds, and response bodies are never logged).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.server
import json
import os
import socketserver
import sys
import tempfile
import threading
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

REFRESH_BEFORE = dt.timedelta(minutes=5)
RETRY_AFTER = dt.timedelta(seconds=10)
_STS_NS = {"sts": "https://sts.amazonaws.com/doc/2011-06-15/"}
_TIMEOUT = 5


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _log(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def parse_expiration(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError("Expiration has no time zone")
    return value


def _required(body: dict[str, Any], *names: str) -> str:
    for name in names:
        value = body.get(name)
        if isinstance(value, str) and value:
            return value
    raise ValueError(f"the credentials response has no {names[0]}")


def from_container_response(body: Any) -> dict[str, str]:
    """Maps the container-credentials JSON (Pod Identity) to Mimir's shape, plus ``Expiration``."""
    if not isinstance(body, dict):
        raise ValueError("the credentials response is not a JSON object")
    creds = {
        "AccessKey": _required(body, "AccessKeyId"),
        "SecretKey": _required(body, "SecretAccessKey"),
        "SessionToken": _required(body, "Token", "SessionToken"),
        "Expiration": _required(body, "Expiration"),
    }
    parse_expiration(creds["Expiration"])
    return creds


def from_sts_xml(text: str) -> dict[str, str]:
    """Maps an ``AssumeRoleWithWebIdentityResponse`` (IRSA) to Mimir's shape, plus ``Expiration``."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError:
        raise ValueError("the STS response is not XML") from None
    creds = root.find(".//sts:Credentials", _STS_NS)
    if creds is None:
        raise ValueError("STS response has no Credentials element")

    def field(name: str) -> str:
        el = creds.find(f"sts:{name}", _STS_NS)
        if el is None or not el.text:
            raise ValueError(f"STS response has no {name}")
        return el.text

    out = {
        "AccessKey": field("AccessKeyId"),
        "SecretKey": field("SecretAccessKey"),
        "SessionToken": field("SessionToken"),
        "Expiration": field("Expiration"),
    }
    parse_expiration(out["Expiration"])
    return out


def mimir_json(creds: dict[str, str]) -> bytes:
    return json.dumps(
        {k: creds[k] for k in ("AccessKey", "SecretKey", "SessionToken") if creds.get(k)}
    ).encode()


def needs_refresh(
    creds: dict[str, str] | None, now: dt.datetime, before: dt.timedelta = REFRESH_BEFORE
) -> bool:
    return creds is None or parse_expiration(creds["Expiration"]) - now <= before


def _read_token(path: str) -> str:
    with open(path, encoding="utf-8") as f:
        token = f.read().strip()
    if not token:
        raise ValueError(f"the token file {path} is empty")
    return token


def fetch(env: dict[str, str]) -> dict[str, str]:
    """Resolves fresh credentials from the pod's environment (Pod Identity first, then IRSA)."""
    if env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI"):
        token = _read_token(env["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"])
        req = urllib.request.Request(
            env["AWS_CONTAINER_CREDENTIALS_FULL_URI"], headers={"Authorization": token}
        )
        with urllib.request.urlopen(req, timeout=_TIMEOUT) as resp:
            try:
                body = json.loads(resp.read())
            except ValueError:
                raise ValueError("the Pod Identity agent's answer is not JSON") from None
        return from_container_response(body)
    if env.get("AWS_ROLE_ARN") and env.get("AWS_WEB_IDENTITY_TOKEN_FILE"):
        token = _read_token(env["AWS_WEB_IDENTITY_TOKEN_FILE"])
        region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1"
        endpoint = env.get("AWS_ENDPOINT_URL_STS") or f"https://sts.{region}.amazonaws.com"
        form = urllib.parse.urlencode(
            {
                "Action": "AssumeRoleWithWebIdentity",
                "Version": "2011-06-15",
                "RoleArn": env["AWS_ROLE_ARN"],
                "RoleSessionName": env.get("AWS_ROLE_SESSION_NAME") or "mimir-msk-iam",
                "WebIdentityToken": token,
            }
        ).encode()
        req = urllib.request.Request(
            endpoint.rstrip("/") + "/",
            data=form,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        with urllib.request.urlopen(req, timeout=_TIMEOUT) as resp:
            return from_sts_xml(resp.read().decode("utf-8", "replace"))
    raise RuntimeError(
        "no pod credentials: neither EKS Pod Identity (AWS_CONTAINER_CREDENTIALS_FULL_URI) nor IRSA "
        "(AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE) is configured for this service account"
    )


class Unavailable(Exception):
    """No valid credentials to hand out (the message is safe to log)."""


class CredentialCache:
    """The current credentials; refreshed ahead of expiry, last good ones kept through an outage."""

    def __init__(
        self,
        env: dict[str, str],
        *,
        clock: Callable[[], dt.datetime] = _utc_now,
        log: Callable[[str], None] = _log,
        refresh_before: dt.timedelta = REFRESH_BEFORE,
        retry_after: dt.timedelta = RETRY_AFTER,
        fetcher: Callable[[dict[str, str]], dict[str, str]] = fetch,
    ) -> None:
        self._env = env
        self._clock = clock
        self._log = log
        self._refresh_before = refresh_before
        self._retry_after = retry_after
        self._fetch = fetcher
        self._creds: dict[str, str] | None = None
        self._last_failure: dt.datetime | None = None
        self._last_error = ""
        self._lock = threading.Lock()
        #: Number of successful fetches (tests count them: concurrent requests share one).
        self.fetches = 0

    def _secrets(self) -> list[str]:
        values = [v for k, v in (self._creds or {}).items() if k != "Expiration" and v]
        for key in ("AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"):
            path = self._env.get(key)
            if path:
                with contextlib.suppress(OSError, ValueError):
                    values.append(_read_token(path))
        return values

    def redact(self, text: str) -> str:
        for secret in self._secrets():
            if len(secret) >= 4:
                text = text.replace(secret, "***")
        return text

    def _refresh(self, now: dt.datetime) -> None:
        try:
            fresh = self._fetch(self._env)
            if parse_expiration(fresh["Expiration"]) <= now:
                raise ValueError("the credentials returned are already expired")
        except Exception as exc:  # network, HTTP status, malformed body: all mean "no fresh credentials"
            self._last_failure = now
            self._last_error = self.redact(f"{type(exc).__name__}: {exc}")
            if self._creds is not None and parse_expiration(self._creds["Expiration"]) > now:
                self._log(
                    f"msk-iam-credentials: refresh failed ({self._last_error}); serving the last credentials "
                    f"until they expire at {self._creds['Expiration']}"
                )
            return
        self._creds = fresh
        self._last_failure = None
        self.fetches += 1

    def get(self) -> bytes:
        with self._lock:
            now = self._clock()
            due = needs_refresh(self._creds, now, self._refresh_before)
            backoff = self._last_failure is not None and now - self._last_failure < self._retry_after
            if due and not backoff:
                self._refresh(now)
            if self._creds is None or parse_expiration(self._creds["Expiration"]) <= now:
                expired = f"the last ones expired at {self._creds['Expiration']}; " if self._creds else ""
                raise Unavailable(f"no valid credentials ({expired}last refresh error: {self._last_error})")
            return mimir_json(self._creds)

    def next_refresh_in(self) -> float:
        """Seconds until the cached credentials are due for a refresh (at least 1)."""
        with self._lock:
            if self._creds is None:
                return 1.0
            due = parse_expiration(self._creds["Expiration"]) - self._refresh_before - self._clock()
            return max(1.0, due.total_seconds())


class _UnixHTTPServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    # socketserver's default listen backlog (5) refused connections (EAGAIN on a unix socket) when 16 clients
    # connected at once in the concurrency test; Mimir's producers and consumers reauthenticate together.
    request_queue_size = 128


def make_server(socket_path: str, cache: CredentialCache) -> _UnixHTTPServer:
    """The HTTP-over-unix-socket server (not started: call ``serve_forever``)."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            try:
                body = cache.get()
            except Unavailable as exc:
                cache._log(f"msk-iam-credentials: 503: {exc}")
                self._answer(503, json.dumps({"error": "no valid credentials"}).encode())
                return
            except Exception as exc:  # a bug must not take the socket down; report the kind only
                cache._log(f"msk-iam-credentials: 500: {type(exc).__name__}")
                self._answer(500, b'{"error": "internal"}')
                return
            self._answer(200, body)

        def _answer(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def address_string(self) -> str:  # unix sockets have no peer address
            return "unix"

        def log_message(self, format: str, *args: Any) -> None:  # no access log: nothing to leak
            return

    if os.path.exists(socket_path):
        os.unlink(socket_path)
    server = _UnixHTTPServer(socket_path, Handler)
    os.chmod(socket_path, 0o660)
    return server


def serve(socket_path: str, cache: CredentialCache) -> None:
    with make_server(socket_path, cache) as server:
        server.serve_forever()


def write_atomically(path: str, body: bytes, mode: int = 0o640) -> None:
    """Replaces ``path`` with ``body`` in one ``rename``: readers see the old or the new file, never half."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".msk-iam-", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(body)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def file_loop(
    path: str,
    cache: CredentialCache,
    stop: threading.Event,
    wait: Callable[[float], bool] | None = None,
) -> None:
    """Keeps ``path`` holding valid credentials: rewritten after every refresh, retried after a failure.

    ``wait(seconds)`` sleeps and returns True to stop (default: ``stop.wait``; tests pass a fake clock's).
    """
    wait = wait or stop.wait
    written: bytes | None = None
    while not stop.is_set():
        try:
            body = cache.get()
        except Unavailable as exc:
            cache._log(f"msk-iam-credentials: {path} not updated: {exc}")
            if wait(cache._retry_after.total_seconds()):
                return
            continue
        if body != written:
            write_atomically(path, body)
            written = body
        if wait(cache.next_refresh_in()):
            return


def main(env: dict[str, str]) -> None:
    cache = CredentialCache(env)
    file_path = env.get("MSK_IAM_FILE_PATH")
    socket_path = env.get("MSK_IAM_SOCKET_PATH", "/var/run/msk-iam/credentials.sock")
    if file_path:
        stop = threading.Event()
        if env.get("MSK_IAM_SOCKET_PATH"):
            threading.Thread(target=file_loop, args=(file_path, cache, stop), daemon=True).start()
        else:
            file_loop(file_path, cache, stop)
            return
    serve(socket_path, cache)


if __name__ == "__main__":
    main(dict(os.environ))
