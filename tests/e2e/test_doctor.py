"""The doctor against the real broker of the test bed: one passing run per authentication method and one
failing run per failure mode, each asserting the doctor's message. Topics, users and ACLs are created by
an admin client here; everything is prefixed ``doctor-`` so no other test sees them."""

from __future__ import annotations

import contextlib
import dataclasses
import http.server
import json
import socketserver
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from kafka import KafkaAdminClient
from kafka.admin import (
    ACL,
    ACLOperation,
    ACLPermissionType,
    ACLResourcePatternType,
    NewTopic,
    ResourcePattern,
    ResourceType,
    ScramMechanism,
    UserScramCredentialUpsertion,
)
from kafka.errors import TopicAlreadyExistsError
from mimirkafka.doctor.checks import DoctorOptions, run_checks
from mimirkafka.doctor.inputs import from_config_text
from mimirkafka.doctor.pulumi_check import PreflightFailed, check_or_raise
from mimirkafka.doctor.report import Report, Status

from testbed.devbroker import BrokerInfo, unsecured_jws

pytestmark = pytest.mark.e2e

GROUP_PREFIX = "doctor-ingester-"
OK_TOPIC = "doctor-ok"  # max.message.bytes=16000000, 3 partitions
SMALL_TOPIC = "doctor-small"  # Kafka's default 1 MiB limit
FEW_TOPIC = "doctor-few"  # 1 partition
SCRAM_USERS = {"doctor-mimir": "doctor-pw", "doctor-nowrite": "nowrite-pw", "doctor-nogroup": "nogroup-pw"}
OAUTH_SUBJECT = "doctor-oauth"


def _acl(principal: str, op: ACLOperation, rtype: ResourceType, name: str) -> ACL:
    return ACL(
        principal,
        "*",
        op,
        ACLPermissionType.ALLOW,
        ResourcePattern(rtype, name, ACLResourcePatternType.PREFIXED),
    )


@pytest.fixture(scope="module")
def bed(broker: BrokerInfo) -> Iterator[BrokerInfo]:
    admin = KafkaAdminClient(**broker.admin_client_config(), request_timeout_ms=30000)
    try:
        big = {"max.message.bytes": "16000000"}
        for topic in (
            NewTopic(OK_TOPIC, 3, 1, topic_configs=big),
            NewTopic(SMALL_TOPIC, 3, 1),
            NewTopic(FEW_TOPIC, 1, 1, topic_configs=big),
        ):
            with contextlib.suppress(TopicAlreadyExistsError):
                admin.create_topics([topic])
        # Kafka refuses two alterations of one user in the same request: one request per mechanism.
        for mech in (ScramMechanism.SCRAM_SHA_256, ScramMechanism.SCRAM_SHA_512):
            errors = admin.alter_user_scram_credentials(
                [UserScramCredentialUpsertion(user, mech, pw) for user, pw in SCRAM_USERS.items()]
            )
            assert not any(errors.values()), errors
        acls = []
        # User:mimir is the PLAIN user and the mTLS certificate's CN.
        for principal in ("User:mimir", "User:doctor-mimir", f"User:{OAUTH_SUBJECT}"):
            acls += [
                _acl(principal, op, ResourceType.TOPIC, "doctor-")
                for op in (ACLOperation.READ, ACLOperation.WRITE, ACLOperation.DESCRIBE)
            ]
            acls.append(_acl(principal, ACLOperation.READ, ResourceType.GROUP, GROUP_PREFIX))
        acls += [
            _acl("User:doctor-nowrite", op, ResourceType.TOPIC, "doctor-")
            for op in (ACLOperation.READ, ACLOperation.DESCRIBE)
        ]
        acls.append(_acl("User:doctor-nowrite", ACLOperation.READ, ResourceType.GROUP, GROUP_PREFIX))
        acls += [
            _acl("User:doctor-nogroup", op, ResourceType.TOPIC, "doctor-")
            for op in (ACLOperation.READ, ACLOperation.WRITE, ACLOperation.DESCRIBE)
        ]
        result = admin.create_acls(acls)
        assert not result["failed"], result["failed"]
    finally:
        admin.close()
    time.sleep(1.0)  # SCRAM credentials and ACLs propagate through the metadata log
    yield broker


def mimir_yaml(address: str, topic: str = OK_TOPIC, **kafka: object) -> str:
    lines = [
        "ingest_storage:",
        "  enabled: true",
        "  kafka:",
        f"    address: {address}",
        f"    topic: {topic}",
    ]
    lines += [f"    {k}: {json.dumps(v) if not isinstance(v, str) else v}" for k, v in kafka.items()]
    return "\n".join(lines) + "\n"


def doctor(yaml_text: str, env: dict[str, str] | None = None, **opts: object) -> Report:
    loaded = from_config_text(yaml_text, env or {})
    contract = loaded.contract
    contract = dataclasses.replace(contract, consumer_group_prefix=GROUP_PREFIX)
    options = DoctorOptions(**{"timeout_s": 5.0, **opts})  # type: ignore[arg-type]
    return run_checks(contract, options)


def statuses(report: Report) -> dict[str, Status]:
    return {r.id: r.status for r in report.results}


def assert_passes(report: Report) -> None:
    """Every check Mimir depends on passes. (Warnings stay allowed: the test broker has replication 1.)"""
    assert not report.failures(), report.render_table()
    s = statuses(report)
    for check in (
        "reachable",
        "auth",
        "topic",
        "partitions",
        "max-message-bytes",
        "produce",
        "fetch",
        "commit",
    ):
        assert s[check] is Status.PASS, report.render_table()


def the(report: Report, check_id: str):
    result = report.get(check_id)
    assert result is not None, report.render_table()
    return result


# --- one passing run per authentication method -----------------------------------------------------


def test_plain(bed: BrokerInfo) -> None:
    text = mimir_yaml(
        bed.address("sasl_plain"),
        sasl_mechanism="PLAIN",
        sasl_username="mimir",
        sasl_password="${MIMIR_KAFKA_SASL_PASSWORD}",
    )
    report = doctor(text, {"MIMIR_KAFKA_SASL_PASSWORD": bed.plain_users["mimir"]})
    assert_passes(report)
    assert "SASL PLAIN as mimir" in the(report, "auth").message
    assert "16,000,000-byte batch fits" in the(report, "max-message-bytes").message


@pytest.mark.parametrize(
    ("listener", "mech"), [("scram_sha_256", "SCRAM-SHA-256"), ("scram_sha_512", "SCRAM-SHA-512")]
)
def test_scram(bed: BrokerInfo, listener: str, mech: str) -> None:
    text = mimir_yaml(
        bed.address(listener), sasl_mechanism=mech, sasl_username="doctor-mimir", sasl_password="${PW}"
    )
    report = doctor(text, {"PW": SCRAM_USERS["doctor-mimir"]})
    assert_passes(report)
    assert f"SASL {mech} as doctor-mimir over plaintext" in the(report, "auth").message


def test_scram_over_tls_with_write_test(bed: BrokerInfo) -> None:
    text = mimir_yaml(
        bed.address("sasl_ssl"),
        sasl_mechanism="SCRAM-SHA-512",
        sasl_username="doctor-mimir",
        sasl_password="${PW}",
        tls_enabled=True,
        tls_ca_path=bed.files["ca"],
    )
    report = doctor(text, {"PW": SCRAM_USERS["doctor-mimir"]}, write_test=True, timeout_s=20.0)
    assert_passes(report)
    assert the(report, "tls").status is Status.PASS
    assert "over TLS" in the(report, "auth").message
    write = the(report, "write-test")
    assert write.status is Status.PASS, report.render_table()
    assert "wrote and read back 15,983,616 bytes" in write.message


def test_mtls(bed: BrokerInfo) -> None:
    text = mimir_yaml(
        bed.address("mtls"),
        tls_enabled=True,
        tls_ca_path=bed.files["ca"],
        tls_cert_path=bed.files["client_cert"],
        tls_key_path=bed.files["client_key"],
    )
    loaded = from_config_text(text, {})
    contract = dataclasses.replace(
        loaded.contract, consumer_group_prefix=GROUP_PREFIX, kafka_principal="User:mimir"
    )
    report = run_checks(contract, DoctorOptions(timeout_s=5.0))
    assert_passes(report)
    assert "no SASL over mTLS" in the(report, "auth").message


class _TokenHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # Mimir's socket protocol: GET / answers the token JSON
        self.send_response(200)
        self.end_headers()
        self.wfile.write(json.dumps({"token": unsecured_jws(OAUTH_SUBJECT)}).encode())

    def log_message(self, *args: object) -> None:
        pass


class _UnixHTTP(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True

    def get_request(self):  # type: ignore[no-untyped-def]
        conn, _ = super().get_request()
        return conn, ("unix", 0)


@pytest.mark.parametrize("source", ["static", "file", "socket"])
def test_oauthbearer(bed: BrokerInfo, tmp_path: Path, source: str) -> None:
    token = unsecured_jws(OAUTH_SUBJECT)
    server = None
    if source == "static":
        extra = {"sasl_oauthbearer_token": "${TOKEN}"}
    elif source == "file":
        (tmp_path / "token.json").write_text(json.dumps({"token": token}))
        extra = {"sasl_oauthbearer_file_path": str(tmp_path / "token.json")}
    else:
        sock = str(tmp_path / "token.sock")
        server = _UnixHTTP(sock, _TokenHandler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        extra = {"sasl_oauthbearer_http_socket_path": sock}
    try:
        text = mimir_yaml(bed.address("oauthbearer"), sasl_mechanism="OAUTHBEARER", **extra)
        loaded = from_config_text(text, {"TOKEN": token})
        contract = dataclasses.replace(
            loaded.contract, consumer_group_prefix=GROUP_PREFIX, kafka_principal=f"User:{OAUTH_SUBJECT}"
        )
        report = run_checks(contract, DoctorOptions(timeout_s=5.0))
    finally:
        if server is not None:
            server.shutdown()
            server.server_close()
    assert_passes(report)
    assert "SASL OAUTHBEARER" in the(report, "auth").message


# --- one failing run per failure mode --------------------------------------------------------------


def test_wrong_password(bed: BrokerInfo) -> None:
    text = mimir_yaml(
        bed.address("scram_sha_512"),
        sasl_mechanism="SCRAM-SHA-512",
        sasl_username="doctor-mimir",
        sasl_password="not-the-password",
    )
    report = doctor(text)
    auth = the(report, "auth")
    assert auth.status is Status.FAIL
    assert "the broker rejected the SCRAM-SHA-512 credentials" in auth.message
    assert "sasl_password" in auth.fix
    assert report.exit_code == 2 and statuses(report)["topic"] is Status.SKIP


def test_wrong_mechanism(bed: BrokerInfo) -> None:
    text = mimir_yaml(
        bed.address("scram_sha_512"), sasl_mechanism="PLAIN", sasl_username="mimir", sasl_password="x"
    )
    auth = the(doctor(text), "auth")
    assert auth.status is Status.FAIL
    assert "does not offer SASL PLAIN; it offers SCRAM-SHA-512" in auth.message
    assert "set sasl_mechanism to one of SCRAM-SHA-512" in auth.fix


def test_msk_iam_against_a_listener_without_it(bed: BrokerInfo) -> None:
    text = mimir_yaml(
        bed.address("sasl_plain"),
        sasl_mechanism="AWS_MSK_IAM",
        sasl_msk_iam_access_key="AKID",
        sasl_msk_iam_secret_key="secret",
    )
    auth = the(doctor(text), "auth")
    assert auth.status is Status.FAIL
    assert "does not offer SASL AWS_MSK_IAM; it offers PLAIN" in auth.message


def test_untrusted_ca(bed: BrokerInfo) -> None:
    # No tls_ca_path: the system roots, which do not know the test bed's CA.
    text = mimir_yaml(
        bed.address("sasl_ssl"),
        sasl_mechanism="SCRAM-SHA-512",
        sasl_username="doctor-mimir",
        sasl_password="doctor-pw",
        tls_enabled=True,
    )
    report = doctor(text)
    tls = the(report, "tls")
    assert tls.status is Status.FAIL
    assert "untrusted broker certificate" in tls.message
    assert "tls_ca_path" in tls.fix
    assert statuses(report)["auth"] is Status.SKIP


def test_tls_port_without_tls(bed: BrokerInfo) -> None:
    text = mimir_yaml(
        bed.address("sasl_ssl"),
        sasl_mechanism="SCRAM-SHA-512",
        sasl_username="doctor-mimir",
        sasl_password="doctor-pw",
    )
    auth = the(doctor(text), "auth")
    assert auth.status is Status.FAIL
    assert "this port speaks TLS: set tls_enabled: true" in auth.fix


def test_topic_with_kafkas_default_limit(bed: BrokerInfo) -> None:
    text = mimir_yaml(
        bed.address("scram_sha_512"),
        topic=SMALL_TOPIC,
        sasl_mechanism="SCRAM-SHA-512",
        sasl_username="doctor-mimir",
        sasl_password="doctor-pw",
    )
    report = doctor(text)
    size = the(report, "max-message-bytes")
    assert size.status is Status.FAIL
    assert "the broker refuses a 16,000,000-byte batch (MESSAGE_TOO_LARGE" in size.message
    assert f"--entity-name {SMALL_TOPIC} --add-config max.message.bytes=16000000" in size.fix
    # The probe wrote nothing: the partitions are still empty.
    admin = KafkaAdminClient(**bed.admin_client_config())
    try:
        from kafka.admin import OffsetSpec

        ends = admin.list_partition_offsets({tp: OffsetSpec.LATEST for tp in _tps(SMALL_TOPIC, 3)})
        assert all(v.offset == 0 for v in ends.values()), ends
    finally:
        admin.close()


def _tps(topic: str, n: int) -> list:
    from kafka import TopicPartition

    return [TopicPartition(topic, i) for i in range(n)]


def test_too_few_partitions(bed: BrokerInfo) -> None:
    text = mimir_yaml(
        bed.address("scram_sha_512"),
        topic=FEW_TOPIC,
        sasl_mechanism="SCRAM-SHA-512",
        sasl_username="doctor-mimir",
        sasl_password="doctor-pw",
    )
    parts = the(doctor(text, ingesters_per_zone=3), "partitions")
    assert parts.status is Status.FAIL
    assert "1 partitions < 3 ingesters per zone" in parts.message
    assert f"--topic {FEW_TOPIC} --partitions 3" in parts.fix


def test_missing_write_acl(bed: BrokerInfo) -> None:
    text = mimir_yaml(
        bed.address("scram_sha_512"),
        sasl_mechanism="SCRAM-SHA-512",
        sasl_username="doctor-nowrite",
        sasl_password="nowrite-pw",
    )
    report = doctor(text)
    produce = the(report, "produce")
    assert produce.status is Status.FAIL
    assert f"User:doctor-nowrite may not Write to topic {OK_TOPIC}" in produce.message
    assert "--allow-principal User:doctor-nowrite --operation Write" in produce.fix
    assert statuses(report)["fetch"] is Status.PASS and statuses(report)["commit"] is Status.PASS


def test_missing_group_acl(bed: BrokerInfo) -> None:
    text = mimir_yaml(
        bed.address("scram_sha_512"),
        sasl_mechanism="SCRAM-SHA-512",
        sasl_username="doctor-nogroup",
        sasl_password="nogroup-pw",
    )
    commit = the(doctor(text), "commit")
    assert commit.status is Status.FAIL
    assert f"may not commit offsets for group {GROUP_PREFIX}zone-a-0" in commit.message or (
        "FindCoordinator denied" in commit.message
    )
    assert f"--group {GROUP_PREFIX} --resource-pattern-type prefixed" in commit.fix


def test_missing_topic_without_auto_create(bed: BrokerInfo) -> None:
    text = mimir_yaml(
        bed.address("scram_sha_512"),
        topic="doctor-absent",
        sasl_mechanism="SCRAM-SHA-512",
        sasl_username="doctor-mimir",
        sasl_password="doctor-pw",
        auto_create_topic_enabled=False,
    )
    topic = the(doctor(text), "topic")
    assert topic.status is Status.FAIL
    assert "topic doctor-absent does not exist" in topic.message


def test_pulumi_entry_point_raises_with_the_same_messages(bed: BrokerInfo) -> None:
    text = mimir_yaml(
        bed.address("scram_sha_512"),
        topic=SMALL_TOPIC,
        sasl_mechanism="SCRAM-SHA-512",
        sasl_username="doctor-mimir",
        sasl_password="doctor-pw",
    )
    contract = dataclasses.replace(from_config_text(text, {}).contract, consumer_group_prefix=GROUP_PREFIX)
    with pytest.raises(PreflightFailed) as exc:
        check_or_raise(contract, DoctorOptions(timeout_s=5.0))
    assert "Max message size: the broker refuses a 16,000,000-byte batch" in str(exc.value)
    assert "Fix: kafka-configs --alter" in str(exc.value)
