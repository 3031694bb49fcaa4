"""A tiny protobuf encoder for the Kafka records Mimir's distributors write, and nothing more.

Mimir writes one Kafka record per (partition, tenant) slice of a remote-write request: the record value is
the marshalled ``WriteRequest`` and the record key is the tenant ID (grafana/mimir@00be541:
pkg/storage/ingest/writer.go, ``marshalWriteRequestToRecord``). Record version 1 keeps the Remote Write
1.0 body and adds a 4-byte ``Version`` header; version 2 (Mimir 3.1's default,
grafana/mimir@001afd2:pkg/storage/ingest/config.go) converts the request to the RW2 layout with a symbol
table whose first 64 references are reserved for a baked-in table of common symbols
(grafana/mimir@00be541:pkg/storage/ingest/version.go). Field numbers are those of
grafana/mimir@063371e:pkg/mimirpb/mimir.proto. Records are framed as Kafka record-batch v2 records
(Apache Kafka's message format: varint lengths, one header).

Only the encodings the size of a record depends on are implemented; proto3 leaves zero scalars out, and
gogoproto always writes non-nullable embedded messages (``TimeSeriesRW2.metadata``), as Mimir does.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

#: RW2 references below this are the common-symbol table (``V2RecordSymbolOffset``).
V2_SYMBOL_OFFSET = 64
#: ``V2CommonSymbols`` of grafana/mimir@00be541:pkg/storage/ingest/version.go (index = reference).
V2_COMMON_SYMBOLS: tuple[str, ...] = (
    "",
    "__name__",
    "__aggregation__",
    "<aggregated>",
    "le",
    "component",
    "cortex_request_duration_seconds_bucket",
    "storage_operation_duration_seconds_bucket",
    "grafana",
    "asserts_env",
    "asserts_request_context",
    "asserts_source",
    "asserts_entity_type",
    "asserts_request_type",
    "name",
    "image",
    "cluster",
    "namespace",
    "pod",
    "job",
    "instance",
    "container",
    "replicaset",
    "interface",
    "status_code",
    "resource",
    "operation",
    "method",
    "kube-system",
    "kube-system/cadvisor",
    "node-exporter",
    "node-exporter/node-exporter",
    "kube-system/kubelet",
    "kube-system/node-local-dns",
    "kube-state-metrics/kube-state-metrics",
    "default/kubernetes",
)
_COMMON_REF = {s: i for i, s in enumerate(V2_COMMON_SYMBOLS)}

#: Kafka record-batch v2 header: baseOffset 8, batchLength 4, partitionLeaderEpoch 4, magic 1, crc 4,
#: attributes 2, lastOffsetDelta 4, first/max timestamp 8+8, producerId 8, producerEpoch 2,
#: baseSequence 4, record count 4.
RECORD_BATCH_HEADER_BYTES = 61


@dataclass(frozen=True)
class Series:
    """One series with its samples: labels sorted by name, ``__name__`` included."""

    labels: tuple[tuple[str, str], ...]
    samples: tuple[tuple[int, float], ...]  # (timestamp ms, value)


def varint(n: int) -> bytes:
    if n < 0:
        n &= (1 << 64) - 1  # int64 negatives are 10-byte varints in protobuf
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def zigzag(n: int) -> int:
    return (n << 1) ^ (n >> 63)


def _tag(field: int, wire: int) -> bytes:
    return varint((field << 3) | wire)


def _len_field(field: int, payload: bytes) -> bytes:
    return _tag(field, 2) + varint(len(payload)) + payload


def _sample(ts: int, value: float) -> bytes:
    # Sample: value = 1 (double), timestamp_ms = 2 (int64); zero values are left out (proto3).
    out = b""
    if value != 0.0:
        out += _tag(1, 1) + struct.pack("<d", value)
    if ts != 0:
        out += _tag(2, 0) + varint(ts)
    return out


def encode_rw1(series: Sequence[Series]) -> bytes:
    """``WriteRequest`` with ``timeseries`` (field 1) as Remote Write 1.0 (record versions 0 and 1)."""
    out = bytearray()
    for s in series:
        ts = bytearray()
        for name, value in s.labels:
            pair = _len_field(1, name.encode()) + _len_field(2, value.encode())
            ts += _len_field(1, pair)
        for t, v in s.samples:
            ts += _len_field(2, _sample(t, v))
        out += _len_field(1, bytes(ts))
    return bytes(out)


def encode_rw2(series: Sequence[Series]) -> bytes:
    """``WriteRequest`` with ``symbolsRW2`` (4) and ``timeseriesRW2`` (5): record version 2."""
    symbols: dict[str, int] = {}

    def ref(s: str) -> int:
        if s in _COMMON_REF:
            return _COMMON_REF[s]
        if s not in symbols:
            symbols[s] = V2_SYMBOL_OFFSET + len(symbols)
        return symbols[s]

    body = bytearray()
    for s in series:
        refs = b"".join(varint(ref(part)) for pair in s.labels for part in pair)
        ts = bytearray(_len_field(1, refs))  # packed uint32 labels_refs
        for t, v in s.samples:
            ts += _len_field(2, _sample(t, v))
        ts += _len_field(5, b"")  # metadata: non-nullable, always marshalled by gogoproto
        body += _len_field(5, bytes(ts))
    head = b"".join(_len_field(4, sym.encode()) for sym in symbols)
    return head + bytes(body)


def encode_record(value: bytes, key: bytes, version: int, offset_delta: int = 0) -> bytes:
    """One record inside a v2 record batch: length, attributes, timestamp/offset deltas, key, value,
    headers (``Version`` as a 4-byte big-endian integer for record versions >= 1)."""
    body = bytearray(b"\x00")  # attributes
    body += varint(zigzag(0))  # timestamp delta
    body += varint(zigzag(offset_delta))
    body += varint(zigzag(len(key))) + key
    body += varint(zigzag(len(value))) + value
    if version >= 1:
        hkey = b"Version"
        body += varint(zigzag(1))
        body += varint(zigzag(len(hkey))) + hkey + varint(zigzag(4)) + struct.pack(">I", version)
    else:
        body += varint(zigzag(0))
    return varint(zigzag(len(body))) + bytes(body)


def encode_request(series: Sequence[Series], version: int) -> bytes:
    return encode_rw2(series) if version == 2 else encode_rw1(series)


def records_blob(values: Iterable[bytes], key: bytes, version: int) -> bytes:
    """The records section of one batch (what the producer compresses as a whole)."""
    return b"".join(encode_record(v, key, version, i) for i, v in enumerate(values))
