"""The MSK IAM credentials sidecar over a real unix socket, against local stand-ins for STS and the EKS Pod
Identity agent (tests/unit/aws_standin.py): refresh, outage, malformed answers, concurrency, secrets in logs,
file mode, and the doctor reading it and signing with it. Time is a fake clock shared by the stand-in and the
sidecar, so expiry is shown without waiting.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import stat
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest
from aws_standin import AwsStandIn
from mimirkafka.contract.model import MskIamSocket
from mimirkafka.doctor.credentials import CredentialError, aws_credentials, get_json_over_unix_socket
from mimirkafka.doctor.sasl import signed_payload
from mimirkafka.mimir import msk_iam_credentials as sidecar

T0 = dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC)
TOKEN = "eyJhbGciOiJSUzI1NiJ9.web-identity-token-of-the-pod.sig"


@dataclass
class Clock:
    now: dt.datetime = T0

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += dt.timedelta(**kw)


@dataclass
class Env:
    clock: Clock
    standin: AwsStandIn
    cache: sidecar.CredentialCache
    socket: str
    logs: list[str] = field(default_factory=list)

    def get(self) -> dict:
        return get_json_over_unix_socket(self.socket, 5)


def _start(kind: str, tmp: str, clock: Clock, standin: AwsStandIn, logs: list[str]) -> tuple:
    token_file = os.path.join(tmp, "token")
    with open(token_file, "w") as f:
        f.write(TOKEN + "\n")
    if kind == "irsa":
        env = {
            "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/mimir",
            "AWS_WEB_IDENTITY_TOKEN_FILE": token_file,
            "AWS_ENDPOINT_URL_STS": standin.url,
        }
    else:
        env = {
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": f"{standin.url}/v1/credentials",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": token_file,
        }
    cache = sidecar.CredentialCache(env, clock=clock, log=logs.append, retry_after=dt.timedelta(seconds=30))
    path = os.path.join(tmp, "creds.sock")
    server = sidecar.make_server(path, cache)
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    return cache, path, server


@pytest.fixture(params=["irsa", "pod-identity"])
def env(request: pytest.FixtureRequest) -> Iterator[Env]:
    # Unix socket paths are limited to ~107 bytes: a short directory under /tmp.
    tmp = tempfile.mkdtemp(prefix="mskiam-", dir="/tmp")
    clock = Clock()
    logs: list[str] = []
    with AwsStandIn(clock, dt.timedelta(hours=1), TOKEN) as standin:
        cache, path, server = _start(request.param, tmp, clock, standin, logs)
        try:
            yield Env(clock, standin, cache, path, logs)
        finally:
            server.shutdown()
            server.server_close()
            shutil.rmtree(tmp)
    every_secret = [TOKEN] + [v for c in standin.issued for k, v in c.items() if k != "Expiration"]
    for line in logs:
        for secret in every_secret:
            assert secret not in line, f"secret in log line {line!r}"


def test_serves_mimirs_shape_and_refreshes_five_minutes_before_expiry(env: Env) -> None:
    first = env.get()
    assert first == {
        "AccessKey": "ASIASTANDIN00000001",
        "SecretKey": env.standin.issued[0]["SecretAccessKey"],
        "SessionToken": env.standin.issued[0]["SessionToken"],
    }
    req = env.standin.requests[0]
    if req["kind"] == "sts":
        assert req["RoleArn"] == "arn:aws:iam::123456789012:role/mimir" and req["WebIdentityToken"] == TOKEN
        assert req["Version"] == "2011-06-15"
    else:
        assert req["path"] == "/v1/credentials" and req["authorization"] == TOKEN
    env.clock.advance(minutes=54)  # 6 minutes left: still cached
    assert env.get() == first and env.cache.fetches == 1
    env.clock.advance(minutes=2)  # 4 minutes left: refreshed
    second = env.get()
    assert second["AccessKey"] == "ASIASTANDIN00000002" and env.cache.fetches == 2
    assert env.logs == []


def test_outage_serves_last_good_until_expiry_then_503_then_recovers(env: Env) -> None:
    good = env.get()
    env.standin.mode = "down"
    env.clock.advance(minutes=56)
    assert env.get() == good  # refresh failed, the last credentials are still valid for 4 minutes
    assert len(env.logs) == 1 and "refresh failed (HTTPError: HTTP Error 503" in env.logs[0]
    assert "serving the last credentials until they expire at 2026-11-29T13:00:00Z" in env.logs[0]
    env.clock.advance(minutes=5)  # expired
    with pytest.raises(CredentialError, match="HTTP 503"):
        env.get()
    assert env.logs[-1].startswith(
        "msk-iam-credentials: 503: no valid credentials (the last ones expired at "
    )
    asked = len(env.standin.requests)
    with pytest.raises(CredentialError):
        env.get()  # within the retry interval: no new call to STS
    assert len(env.standin.requests) == asked
    env.standin.mode = "ok"
    env.clock.advance(seconds=31)
    assert env.get()["AccessKey"] == "ASIASTANDIN00000002"


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"<html>captive portal</html>", "ValueError"),
        (b"{not json", "ValueError"),
        (
            b'{"AccessKeyId": "ASIAX", "SecretAccessKey": "s3cr3t-value", '
            b'"Expiration": "2030-01-01T00:00:00Z"}',
            "ValueError",
        ),
        (
            b'{"AccessKeyId": "ASIAX", "SecretAccessKey": "s3cr3t-value", "Token": "tok-value", '
            b'"Expiration": "soon"}',
            "ValueError",
        ),
    ],
)
def test_malformed_answers_are_503_with_the_reason_and_no_values(env: Env, body: bytes, error: str) -> None:
    env.standin.mode = "malformed"
    env.standin.body = body
    with pytest.raises(CredentialError, match="HTTP 503"):
        env.get()
    (line,) = env.logs
    assert line.startswith("msk-iam-credentials: 503: no valid credentials (last refresh error: " + error)
    for value in ("s3cr3t-value", "tok-value", "captive portal"):
        assert value not in line


def test_already_expired_credentials_are_refused(env: Env) -> None:
    env.standin.lifetime = dt.timedelta(seconds=-1)
    with pytest.raises(CredentialError, match="HTTP 503"):
        env.get()
    assert "already expired" in env.logs[0]


def test_concurrent_requests_share_one_fetch(env: Env) -> None:
    env.standin.mode = "slow"  # the first fetch takes 0.3 s: every other request arrives meanwhile
    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(lambda _: env.get(), range(32)))
    assert all(a == answers[0] for a in answers)
    assert env.cache.fetches == 1 and len(env.standin.requests) == 1


def test_the_doctor_reads_the_socket_and_signs_with_it(env: Env) -> None:
    creds = aws_credentials(MskIamSocket(env.socket, timeout="5s"))
    issued = env.standin.issued[0]
    assert creds.access_key == issued["AccessKeyId"] and creds.session_token == issued["SessionToken"]
    payload = json.loads(
        signed_payload(
            "b-1.mimir.abc123.c2.kafka.eu-west-1.amazonaws.com", creds, now=T0.replace(tzinfo=None)
        )
    )
    assert payload["action"] == "kafka-cluster:Connect"
    assert (
        payload["x-amz-credential"]
        == f"{issued['AccessKeyId']}/20261129/eu-west-1/kafka-cluster/aws4_request"
    )
    assert payload["x-amz-security-token"] == issued["SessionToken"]
    assert len(payload["x-amz-signature"]) == 64


def test_file_mode_writes_atomically_and_rewrites_after_each_refresh(env: Env) -> None:
    path = os.path.join(os.path.dirname(env.socket), "creds.json")
    stop = threading.Event()
    seen: list[dict] = []

    def wait(seconds: float) -> bool:
        with open(path, "rb") as f:
            seen.append(json.loads(f.read()))
        env.clock.advance(seconds=seconds)  # sleep on the fake clock
        if len(seen) == 3:
            stop.set()
        return stop.is_set()

    sidecar.file_loop(path, env.cache, stop, wait=wait)
    assert [s["AccessKey"] for s in seen] == [
        "ASIASTANDIN00000001",
        "ASIASTANDIN00000002",
        "ASIASTANDIN00000003",
    ]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert [n for n in os.listdir(os.path.dirname(path)) if n.startswith(".msk-iam-")] == []


def test_readers_never_see_a_partial_file() -> None:
    tmp = tempfile.mkdtemp(prefix="mskiam-", dir="/tmp")
    path = os.path.join(tmp, "creds.json")
    bodies = [json.dumps({"AccessKey": f"A{i}", "SecretKey": "S" * 5000}).encode() for i in range(60)]
    sidecar.write_atomically(path, bodies[0])
    done = threading.Event()
    bad: list[bytes] = []

    def reader() -> None:
        while not done.is_set():
            with open(path, "rb") as f:
                data = f.read()
            try:
                json.loads(data)
            except ValueError:
                bad.append(data)

    t = threading.Thread(target=reader)
    t.start()
    for body in bodies:
        sidecar.write_atomically(path, body)
    done.set()
    t.join()
    shutil.rmtree(tmp)
    assert bad == []
