"""Harmless Kafka protocol probes: each asks the broker a question without changing anything.

- :func:`size_probe` sends one record batch of exactly Mimir's batch cap with a deliberately wrong CRC.
  The broker checks the batch size against ``max.message.bytes`` *before* the CRC, so it answers
  ``MESSAGE_TOO_LARGE`` when the batch does not fit and ``CORRUPT_MESSAGE`` when it does; nothing is
  written either way. With ``acks=all`` (as Mimir produces) it also reports ``NOT_ENOUGH_REPLICAS``.
- :func:`commit_probe` sends an OffsetCommit for an ingester-style group with a generation no group has:
  the authorizer answers first (``GROUP/TOPIC_AUTHORIZATION_FAILED``); an authorized request is then
  refused by the coordinator (``GROUP_ID_NOT_FOUND``, ``ILLEGAL_GENERATION`` or ``UNKNOWN_MEMBER_ID``),
  so no offset is ever stored.
- :func:`offered_mechanisms` asks a listener which SASL mechanisms it enables.

They use kafka-python's (pinned) connection manager to route requests to the right broker.
"""

from __future__ import annotations

import logging
import socket
import ssl
import struct
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import kafka.errors as Errors
from kafka.admin import ConfigResource, ConfigResourceType
from kafka.net.sasl import get_sasl_mechanism
from kafka.protocol.consumer import OffsetCommitRequest
from kafka.protocol.producer import ProduceRequest
from kafka.protocol.sasl import (
    SaslAuthenticateRequest,
    SaslAuthenticateResponse,
    SaslHandshakeRequest,
    SaslHandshakeResponse,
)
from kafka.record.default_records import DefaultRecordBatchBuilder
from kafka.record.util import encode_varint

from mimirkafka.doctor.connection import split_address

#: baseOffset (8) + batchLength (4): the part of a batch its length field does not count.
_LOG_OVERHEAD = 12
#: Error codes meaning "authorized, but refused by the group coordinator": nothing was committed.
COMMIT_REFUSED_HARMLESSLY = {
    Errors.GroupIdNotFoundError.errno,
    Errors.IllegalGenerationError.errno,
    Errors.UnknownMemberIdError.errno,
    Errors.StaleMemberEpochError.errno if hasattr(Errors, "StaleMemberEpochError") else -10_000,
    Errors.FencedInstanceIdError.errno,
}


def error_name(code: int) -> str:
    return str(Errors.for_code(code).__name__) if code else "NONE"


def broker_version(admin: Any) -> tuple[int, ...] | None:
    """The Kafka version kafka-python inferred from the broker's ApiVersions answer, else ``None``.

    kafka-python 3.0.12 keeps it on its connection manager (``admin._manager.broker_version``), which is
    not public API: a kafka-python without that attribute, or a broker it could not place, gives ``None``
    instead of an ``AttributeError`` in the middle of the checks.
    """
    version = getattr(getattr(admin, "_manager", None), "broker_version", None)
    if isinstance(version, tuple) and version and all(isinstance(p, int) for p in version):
        return version
    return None


def send(admin: Any, request: Any, node_id: int | None = None) -> Any:
    """Sends one request through the admin client's connections and waits for the response."""
    return admin._manager.run(admin._manager.send, request, node_id)


def _varint(value: int) -> bytes:
    out = bytearray()
    encode_varint(value, out.append)
    return bytes(out)


def corrupt_batch(total_bytes: int) -> bytes:
    """A v2 record batch of exactly ``total_bytes`` (one uncompressed record) with a CRC of zero.

    Computing the real CRC32C of 16 MB in pure Python takes seconds and is pointless: the batch must be
    refused anyway. (A zero CRC being right by chance is a 1 in 2**32 event.)
    """
    key = b"mimirkafka-doctor"
    header_size = DefaultRecordBatchBuilder.HEADER_STRUCT.size
    value_len = total_bytes - header_size - 40
    for _ in range(4):  # varint widths shift by a byte at most, so this converges quickly
        body = b"\x00" + _varint(0) + _varint(0) + _varint(len(key)) + key + _varint(value_len)
        record_len = len(body) + value_len + 1  # + the headers count varint (0)
        size = header_size + len(_varint(record_len)) + record_len
        if size == total_bytes:
            now = int(time.time() * 1000)
            header = DefaultRecordBatchBuilder.HEADER_STRUCT.pack(
                0, total_bytes - _LOG_OVERHEAD, -1, 2, 0, 0, 0, now, now, -1, -1, -1, 1
            )
            return header + _varint(record_len) + body + bytes(value_len) + _varint(0)
        value_len += total_bytes - size
    raise RuntimeError(f"could not build a record batch of exactly {total_bytes} bytes")


def size_probe(
    admin: Any, topic: str, topic_id: Any, partition: int, leader: int, batch: bytes, timeout_ms: int
) -> int:
    """Error code the partition leader answers for ``batch`` (see the module docstring)."""
    tp = ProduceRequest.TopicProduceData
    req = ProduceRequest(
        transactional_id=None,
        acks=-1,
        timeout_ms=timeout_ms,
        topic_data=[
            tp(
                name=topic,
                topic_id=_uuid(topic_id),
                partition_data=[tp.PartitionProduceData(index=partition, records=batch)],
            )
        ],
    )
    resp = send(admin, req, leader)
    return int(resp.responses[0].partition_responses[0].error_code)


def commit_probe(admin: Any, group: str, topic: str, topic_id: Any, coordinator: int) -> int:
    """Error code of an OffsetCommit that the coordinator must refuse (see the module docstring)."""
    t = OffsetCommitRequest.OffsetCommitRequestTopic
    req = OffsetCommitRequest(
        group_id=group,
        # No real group has this generation/member: an authorized commit is refused, never stored.
        generation_id_or_member_epoch=2_000_000_000,
        member_id="mimirkafka-doctor-probe",
        group_instance_id=None,
        retention_time_ms=-1,
        topics=[
            t(
                name=topic,
                topic_id=_uuid(topic_id),
                partitions=[
                    t.OffsetCommitRequestPartition(
                        partition_index=0,
                        committed_offset=0,
                        committed_leader_epoch=-1,
                        commit_timestamp=-1,
                        committed_metadata="mimirkafka-doctor",
                    )
                ],
            )
        ],
    )
    resp = send(admin, req, coordinator)
    return int(resp.topics[0].partitions[0].error_code)


def find_coordinator(admin: Any, group: str, deadline: float) -> int:
    """The group coordinator's node id; retries while the offsets topic is still being created."""
    while True:
        try:
            return int(admin._manager.run(admin._find_coordinator_id, group))
        except (Errors.CoordinatorNotAvailableError, Errors.CoordinatorLoadInProgressError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def topic_metadata(admin: Any, topic: str) -> dict[str, Any]:
    """Metadata of one topic including the caller's ``authorized_operations`` (KIP-430)."""
    md = admin._manager.run(admin._get_cluster_metadata, [topic])
    topics: list[dict[str, Any]] = md["topics"]
    return topics[0]


def describe_configs(admin: Any, kind: str, name: str, keys: list[str]) -> dict[str, str] | None:
    """``{key: value}`` of a topic or broker, or ``None`` when the caller may not DescribeConfigs."""
    rtype = ConfigResourceType.TOPIC if kind == "topic" else ConfigResourceType.BROKER
    try:
        res = admin.describe_configs([ConfigResource(rtype, name, keys)], config_filter="all")
    except Errors.KafkaError:
        return None
    # kafka-python drops the per-resource error; an unauthorized resource comes back empty.
    entries = res.get(kind, {}).get(name) or {}
    return {k: str(v["value"]) for k, v in entries.items()} or None


def _uuid(topic_id: Any) -> Any:
    if topic_id is None or isinstance(topic_id, uuid.UUID):
        return topic_id or uuid.UUID(int=0)
    return uuid.UUID(str(topic_id))


def offered_mechanisms(
    address: str, ctx: ssl.SSLContext | None, mechanism: str, timeout_s: float
) -> list[str]:
    """The SASL mechanisms the listener at ``address`` enables (asked with a SaslHandshake)."""
    host, port = split_address(address)
    req = SaslHandshakeRequest(mechanism=mechanism, version=1)
    req.with_header(correlation_id=1, client_id="mimirkafka-doctor")
    with socket.create_connection((host, port), timeout=timeout_s) as raw:
        sock: socket.socket = ctx.wrap_socket(raw, server_hostname=host) if ctx else raw
        sock.sendall(req.encode(header=True, framed=True))
        size = struct.unpack(">i", _recv_exact(sock, 4))[0]
        resp = SaslHandshakeResponse.decode(_recv_exact(sock, size), version=1, header=True)
        return [str(m) for m in resp.mechanisms]


@dataclass(frozen=True)
class SaslOutcome:
    """What one listener said to one SASL exchange: ``ok``, or the refusal and the offered mechanisms."""

    ok: bool
    error: str = ""
    offered: tuple[str, ...] = ()


def _roundtrip(sock: socket.socket, request: Any, response_cls: Any, correlation_id: int) -> Any:
    request.with_header(correlation_id=correlation_id, client_id="mimirkafka-doctor")
    sock.sendall(request.encode(header=True, framed=True))
    size = struct.unpack(">i", _recv_exact(sock, 4))[0]
    return response_cls.decode(_recv_exact(sock, size), version=request.version, header=True)


def sasl_authenticate(
    address: str, ctx: ssl.SSLContext | None, cfg: dict[str, Any], timeout_s: float
) -> SaslOutcome:
    """One SASL exchange on a fresh blocking connection, with kafka-python's mechanism implementations.

    kafka-python's own client retries and can lose the broker's error response when the broker closes
    the connection right after it; here the answer is read before the close, so a wrong password, a
    wrong mechanism and an expired token are told apart.
    """
    host, port = split_address(address)
    mech_name = str(cfg["sasl_mechanism"])
    with socket.create_connection((host, port), timeout=timeout_s) as raw:
        sock: socket.socket = ctx.wrap_socket(raw, server_hostname=host) if ctx else raw
        hs = _roundtrip(sock, SaslHandshakeRequest(mechanism=mech_name, version=1), SaslHandshakeResponse, 1)
        offered = tuple(str(m) for m in hs.mechanisms)
        if hs.error_code:
            return SaslOutcome(False, error_name(int(hs.error_code)), offered)
        mechanism = get_sasl_mechanism(mech_name)(host=host, **cfg)
        cid = 2
        while not mechanism.is_done():
            resp = _roundtrip(
                sock,
                SaslAuthenticateRequest(auth_bytes=mechanism.auth_bytes(), version=1),
                SaslAuthenticateResponse,
                cid,
            )
            cid += 1
            if resp.error_code:
                return SaslOutcome(
                    False, str(resp.error_message or error_name(int(resp.error_code))), offered
                )
            mechanism.receive(resp.auth_bytes)
        if not mechanism.is_authenticated():
            return SaslOutcome(False, "the broker's final SASL message did not verify", offered)
        return SaslOutcome(True, "", offered)


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("the broker closed the connection")
        buf += chunk
    return buf


class _ErrorCollector(logging.Handler):
    """kafka-python retries bootstrap and hides the cause behind a timeout; its logs carry the
    exception objects (``Connection lost: %s``), which tell a wrong password from a wrong mechanism."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.errors: list[BaseException] = []

    def emit(self, record: logging.LogRecord) -> None:
        args = record.args if isinstance(record.args, tuple) else ()
        self.errors.extend(a for a in args if isinstance(a, BaseException))


@contextmanager
def collect_client_errors() -> Iterator[list[BaseException]]:
    handler = _ErrorCollector()
    logger = logging.getLogger("kafka")
    old_level = logger.level
    logger.addHandler(handler)
    if logger.getEffectiveLevel() > logging.ERROR:
        logger.setLevel(logging.ERROR)
    try:
        yield handler.errors
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
