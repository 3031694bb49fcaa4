"""How the doctor authenticates like Mimir: MSK IAM signing, OAUTHBEARER zid, credential sources, TLS."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import socketserver
import ssl
import threading
from pathlib import Path

import pytest
from kafka.record.default_records import DefaultRecordBatch
from mimirkafka.contract.model import (
    IngestStorageContract,
    MskIamFile,
    MskIamSocket,
    MskIamStatic,
    OAuthBearerSocket,
    OAuthBearerStatic,
    PemMaterial,
    ScramAuth,
    TlsConfig,
    secret,
)
from mimirkafka.doctor import credentials, probes, sasl
from mimirkafka.doctor.connection import ConnectionSetupError, client_config, security_protocol, ssl_context
from mimirkafka.doctor.credentials import CredentialError, parse_duration

MSK_HOST = "b-1.mimir.abc123.c2.kafka.eu-west-1.amazonaws.com"


def test_region_comes_from_the_msk_host_name():
    assert sasl.region_from_host(MSK_HOST) == "eu-west-1"
    assert sasl.region_from_host("boot-x.c1.kafka-serverless.cn-north-1.amazonaws.com.cn") == "cn-north-1"
    with pytest.raises(CredentialError, match="cannot determine the AWS region"):
        sasl.region_from_host("127.0.0.1")


def test_msk_iam_payload_is_a_sigv4_presigned_connect_for_the_host():
    creds = credentials.AwsCredentials("AKIDEXAMPLE", "secret", "session-tok", "mimir/3.1.2")
    now = dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    payload = json.loads(sasl.signed_payload(MSK_HOST, creds, now=now))
    assert payload["version"] == "2020_10_22" and payload["host"] == MSK_HOST
    assert payload["action"] == "kafka-cluster:Connect"
    assert payload["x-amz-credential"] == "AKIDEXAMPLE/20250102/eu-west-1/kafka-cluster/aws4_request"
    assert payload["x-amz-date"] == "20250102T030405Z" and payload["x-amz-signedheaders"] == "host"
    assert payload["x-amz-security-token"] == "session-tok" and payload["user-agent"] == "mimir/3.1.2"
    assert len(payload["x-amz-signature"]) == 64
    other = json.loads(
        sasl.signed_payload(MSK_HOST, credentials.AwsCredentials("AKIDEXAMPLE", "other"), now=now)
    )
    assert other["x-amz-signature"] != payload["x-amz-signature"]  # the secret key is what signs


def test_oauthbearer_initial_response_carries_zid_and_extensions():
    sasl.install()
    tok = credentials.OAuthToken("tkn", "tenant-1", {"logicalCluster": "lkc-1"})
    mech = sasl.OAuthBearerWithZid(sasl_oauth_token_provider=sasl.OAuthTokenSource(lambda: tok))
    assert mech.auth_bytes() == b"n,a=tenant-1,\x01auth=Bearer tkn\x01logicalCluster=lkc-1\x01\x01"
    no_zid = sasl.OAuthTokenSource(lambda: credentials.OAuthToken("t2"))
    assert (
        sasl.OAuthBearerWithZid(sasl_oauth_token_provider=no_zid).auth_bytes()
        == b"n,,\x01auth=Bearer t2\x01\x01"
    )


class _Handler(http.server.BaseHTTPRequestHandler):
    body = b"{}"
    status = 200

    def do_GET(self) -> None:
        self.send_response(self.status)
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


class _UnixServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True

    def get_request(self):  # type: ignore[no-untyped-def]
        conn, _ = super().get_request()
        return conn, ("unix", 0)  # BaseHTTPRequestHandler wants a (host, port) client address


@pytest.fixture()
def unix_http(tmp_path: Path):
    path = str(tmp_path / "creds.sock")

    def serve(body: dict | str, status: int = 200) -> str:
        handler = type(
            "H",
            (_Handler,),
            {"body": (body if isinstance(body, str) else json.dumps(body)).encode(), "status": status},
        )
        server = _UnixServer(path, handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return path

    servers: list[_UnixServer] = []
    yield serve
    for s in servers:
        s.shutdown()
        s.server_close()


def test_oauth_token_from_a_unix_socket(unix_http):
    path = unix_http({"token": "abc", "zid": "z", "extensions": {"k": "v"}})
    tok = credentials.oauth_token(OAuthBearerSocket(path, "2s"))
    assert (tok.token, tok.zid, tok.extensions) == ("abc", "z", {"k": "v"})


def test_socket_errors_name_the_socket(unix_http, tmp_path):
    path = unix_http({"nope": 1}, status=500)
    with pytest.raises(CredentialError, match="HTTP 500"):
        credentials.aws_credentials(MskIamSocket(path))
    with pytest.raises(CredentialError, match="failed"):
        credentials.oauth_token(OAuthBearerSocket(str(tmp_path / "absent.sock"), "1s"))


def test_msk_credentials_from_file_static_and_socket(tmp_path, unix_http):
    f = tmp_path / "aws.json"
    f.write_text(json.dumps({"AccessKey": "AK", "SecretKey": "SK", "SessionToken": "ST"}))
    assert credentials.aws_credentials(MskIamFile(str(f))) == credentials.AwsCredentials(
        "AK", "SK", "ST", None
    )
    static = MskIamStatic(secret("AK2"), secret("SK2"), None, "ua")
    assert credentials.aws_credentials(static) == credentials.AwsCredentials("AK2", "SK2", None, "ua")
    path = unix_http({"AccessKey": "AK3"})
    with pytest.raises(CredentialError, match="both 'AccessKey' and 'SecretKey'"):
        credentials.aws_credentials(MskIamSocket(path))
    f.write_text("not json")
    with pytest.raises(CredentialError, match="not JSON"):
        credentials.aws_credentials(MskIamFile(str(f)))


def test_static_oauth_token_keeps_zid_and_extensions():
    tok = credentials.oauth_token(OAuthBearerStatic(secret("t"), "zid", {"a": "b"}))
    assert (tok.token, tok.zid, tok.extensions) == ("t", "zid", {"a": "b"})


def test_go_durations():
    assert parse_duration("10s") == 10 and parse_duration("1m30s") == 90 and parse_duration("500ms") == 0.5
    with pytest.raises(ValueError):
        parse_duration("10 seconds")


def _contract(**kw) -> IngestStorageContract:
    return IngestStorageContract(addresses=("k1:9096", "k2:9096"), **kw)


def test_client_config_maps_mechanism_tls_and_credentials():
    c = _contract(
        sasl=ScramAuth("mimir", secret("pw"), 256), tls=TlsConfig(enabled=True, insecure_skip_verify=True)
    )
    cfg = client_config(c, timeout_s=3)
    assert cfg["security_protocol"] == "SASL_SSL" and cfg["sasl_mechanism"] == "SCRAM-SHA-256"
    assert (cfg["sasl_plain_username"], cfg["sasl_plain_password"]) == ("mimir", "pw")
    assert cfg["bootstrap_servers"] == ["k1:9096", "k2:9096"] and cfg["request_timeout_ms"] == 3000
    assert cfg["ssl_context"].verify_mode == ssl.CERT_NONE
    iam = client_config(
        _contract(sasl=MskIamStatic(secret("a"), secret("b")), tls=TlsConfig(enabled=True)), 3
    )
    assert iam["sasl_mechanism"] == "AWS_MSK_IAM"
    assert isinstance(iam["sasl_oauth_token_provider"], sasl.AwsCredentialSource)
    assert security_protocol(_contract()) == "PLAINTEXT"
    assert security_protocol(_contract(tls=TlsConfig(enabled=True))) == "SSL"


def test_ssl_context_follows_mimirs_tls_settings(tmp_path):
    ctx = ssl_context(
        _contract(tls=TlsConfig(enabled=True, server_name="kafka.internal", min_version="VersionTLS13"))
    )
    assert ctx.minimum_version == ssl.TLSVersion.TLSv1_3
    assert ctx.check_hostname and ctx.verify_mode == ssl.CERT_REQUIRED
    assert getattr(ctx, "server_name", None) == "kafka.internal"
    with pytest.raises(ConnectionSetupError, match="tls_min_version"):
        ssl_context(_contract(tls=TlsConfig(enabled=True, min_version="TLS1.2")))
    with pytest.raises(ConnectionSetupError, match="tls_ca_path"):
        ssl_context(
            _contract(tls=TlsConfig(enabled=True, ca=PemMaterial(), ca_path=str(tmp_path / "none.pem")))
        )
    with pytest.raises(ConnectionSetupError, match="tls_key_path"):
        ssl_context(_contract(tls=TlsConfig(enabled=True, client_cert=PemMaterial(), cert_path="/x/tls.crt")))


def test_corrupt_batch_has_the_exact_size_and_a_wrong_crc():
    assert len(probes.corrupt_batch(16_000_000)) == 16_000_000
    # Parsing is checked on a smaller batch: pure-Python CRC32C of 16 MB takes seconds.
    raw = probes.corrupt_batch(1_048_589)
    assert len(raw) == 1_048_589
    batch = DefaultRecordBatch(raw)
    assert batch.magic == 2 and not batch.validate_crc()
    (record,) = list(batch)
    assert record.key == b"mimirkafka-doctor" and len(record.value) > 1_048_000
