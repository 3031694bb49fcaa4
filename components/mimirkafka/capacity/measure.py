"""Bytes per sample on Kafka, measured: representative remote-write traffic encoded as Mimir's records
(:mod:`.remote_write`), batched and compressed as the franz-go producer does, divided by the samples.

* The record value is the marshalled ``WriteRequest`` slice of one partition and tenant; the key is the
  tenant ID (grafana/mimir@00be541:pkg/storage/ingest/writer.go).
* Mimir 3.1 sets no producer compression, so franz-go's default applies: snappy, falling back to none
  (grafana/mimir@00be541:pkg/storage/ingest/writer_client.go; twmb/franz-go:pkg/kgo/config.go). franz-go
  compresses all records of one partition's batch together with ``s2.EncodeSnappy``
  (twmb/franz-go@0339a28:pkg/kgo/compression.go), i.e. the snappy block format; here the same format
  comes from ``cramjam.snappy.compress_raw`` (Rust ``snap``). Both match within 64 KiB windows, so
  the ratio agrees to a few percent, not to the byte.
* The broker stores the batch as it arrives (topic ``compression.type=producer``, Kafka's default), so
  the compressed batch is also the bytes on disk per replica.

The traffic model: a population of scrape targets, each exposing a fixed set of metrics, with target
labels shared by all its series (cluster, namespace, job, instance, pod, ...) and a few per-series labels
(``le``, ``method``, ...). A record holds ``series_per_record`` series drawn at random from the whole
population, because Prometheus shards series over its queues by hash and the distributor splits each
request over partitions by hash. Every series carries one sample (Prometheus sends each sample once).
Everything is drawn from ``random.Random(seed)``: the same inputs give the same bytes.

Run ``python -m mimirkafka.capacity.measure`` to print the table of docs/capacity.md.
"""

from __future__ import annotations

import argparse
import random
import string
import sys
from dataclasses import dataclass

from mimirkafka.capacity.remote_write import (
    RECORD_BATCH_HEADER_BYTES,
    Series,
    encode_request,
    records_blob,
)

SEED = 20261129
#: Series encoded per measurement: enough for many 64 KiB snappy windows, small enough for a fast test.
BATCH_SERIES = 3000
TENANT = b"anonymous"  # Mimir's tenant ID when multi-tenancy is off

_WORDS_TEXT = (
    "http server request requests duration seconds bytes total bucket count sum process cpu memory go gc "
    "node disk io network receive transmit kube pod container status errors latency queue length cache "
    "hits misses rpc client grpc handled started write read ops objects size info up scrape samples"
)
_WORDS = tuple(_WORDS_TEXT.split())
_TARGET_LABELS = (
    "cluster",
    "namespace",
    "job",
    "instance",
    "pod",
    "container",
    "node",
    "service",
    "endpoint",
    "app",
    "team",
    "env",
    "region",
    "zone",
    "image",
    "uid",
    "controller",
    "revision",
    "shard",
    "owner",
)
#: Target labels whose values repeat across targets (few values); the others are unique per target.
_LOW_CARDINALITY = {
    "cluster",
    "namespace",
    "job",
    "service",
    "endpoint",
    "app",
    "team",
    "env",
    "region",
    "zone",
    "container",
    "controller",
    "owner",
    "shard",
}
_SERIES_LABELS = ("le", "method", "status_code", "handler", "quantile", "operation", "resource", "device")
_ALNUM = string.ascii_lowercase + string.digits


@dataclass(frozen=True)
class SeriesShape:
    """What a series looks like: label count (``__name__`` included), the mean length of a label value,
    and how many series one Kafka record carries (remote-write request size / partitions it spans)."""

    labels: int = 12
    value_length: int = 24
    series_per_record: int = 100

    def __post_init__(self) -> None:
        if not 2 <= self.labels <= 1 + len(_TARGET_LABELS) + 3:
            raise ValueError(f"labels={self.labels}: between 2 and {4 + len(_TARGET_LABELS)}")
        if not 1 <= self.value_length <= 256:
            raise ValueError(f"value_length={self.value_length}: between 1 and 256")
        if self.series_per_record < 1:
            raise ValueError(f"series_per_record={self.series_per_record}: at least 1")


@dataclass(frozen=True)
class Measurement:
    shape: SeriesShape
    record_version: int
    samples: int
    records: int
    #: Record values (marshalled WriteRequests) per sample: what Mimir's bytes-per-sample tracker counts.
    value_bytes_per_sample: float
    #: Records with key, header and framing, uncompressed: what ProducerBatchMaxBytes (16,000,000) counts.
    record_bytes_per_sample: float
    #: The compressed batch (61-byte header + snappy records) per sample: bytes on the wire and on disk.
    #: Compressed with cramjam's snappy block format, unless ``franz`` measured it with franz-go.
    wire_bytes_per_sample: float
    #: The same batch compressed by franz-go's own compressor (scripts/capacity-produce -compress).
    franz_wire_bytes_per_sample: float | None = None

    @property
    def compression_ratio(self) -> float:
        """Uncompressed records / compressed records (how far snappy shrinks a batch)."""
        return self.record_bytes_per_sample / self.wire_bytes_per_sample


def _value(rng: random.Random, mean: int, unique: bool = False) -> str:
    """A label value of about ``mean`` characters, written like Kubernetes and Prometheus names: words
    joined by dashes; a unique value (pod, instance, uid) ends in a random suffix, as generated names do
    (``ingester-zone-a-7f9c6d8b4-x2kq9``). That suffix is the part no compressor can shrink."""
    n = max(1, rng.randint(max(1, mean // 2), mean + mean // 2))
    suffix = "".join(rng.choice(_ALNUM) for _ in range(max(1, n // 3))) if unique else ""
    words: list[str] = []
    while len("-".join([*words, suffix]).strip("-")) < n:
        words.append(rng.choice(_WORDS))
    return "-".join([*words, suffix]).strip("-")[:n] if unique else "-".join(words)[:n]


def _metric_name(rng: random.Random) -> str:
    return "_".join(rng.choice(_WORDS) for _ in range(rng.randint(3, 5)))


def population(shape: SeriesShape, rng: random.Random, targets: int = 120, metrics: int = 60) -> list:
    """(labels, kind) of every series of ``targets`` targets, sorted label sets as Prometheus sends them."""
    n_series_labels = min(3, (shape.labels - 1) // 4)
    n_target_labels = shape.labels - 1 - n_series_labels
    target_names = _TARGET_LABELS[:n_target_labels]
    series_names = _SERIES_LABELS[:n_series_labels]
    low_values = {name: [_value(rng, shape.value_length) for _ in range(6)] for name in target_names}
    series_values = {
        name: [_value(rng, max(1, shape.value_length // 3)) for _ in range(8)] for name in series_names
    }
    metric_names = [_metric_name(rng) for _ in range(metrics)]
    out = []
    for _ in range(targets):
        target = {
            name: rng.choice(low_values[name])
            if name in _LOW_CARDINALITY
            else _value(rng, shape.value_length, unique=True)
            for name in target_names
        }
        for metric in metric_names:
            labels = dict(target, __name__=metric)
            for name in series_names:
                labels[name] = rng.choice(series_values[name])
            out.append(tuple(sorted(labels.items())))
    return out


def _sample_value(rng: random.Random) -> float:
    r = rng.random()
    if r < 0.1:
        return 0.0
    if r < 0.7:
        return float(rng.randint(0, 10**9))  # counters and bucket counts
    return rng.uniform(0, 1000)  # gauges


def generate(shape: SeriesShape, n: int, seed: int = SEED) -> list[Series]:
    rng = random.Random(seed)
    pop = population(shape, rng)
    base_ms = 1_764_374_400_000  # 2025-11-29T00:00:00Z; only its varint length matters
    picks = rng.sample(pop, n) if n <= len(pop) else [rng.choice(pop) for _ in range(n)]
    return [Series(labels, ((base_ms + rng.randint(0, 15_000), _sample_value(rng)),)) for labels in picks]


def snappy(data: bytes) -> bytes:
    import cramjam  # the `capacity` extra; only measuring needs it

    return bytes(cramjam.snappy.compress_raw(data))


def franz_compressed_size(blob: bytes, binary: str) -> int:
    """The size franz-go's default producer compressor (snappy via ``s2.EncodeSnappy``, none if that does
    not shrink it) gives a batch's records section: ``scripts/capacity-produce -compress``."""
    import json
    import subprocess
    import tempfile

    with tempfile.NamedTemporaryFile(prefix="capacity-blob-") as f:
        f.write(blob)
        f.flush()
        out = subprocess.run(
            [binary, "-compress", f.name], capture_output=True, text=True, check=True, timeout=60
        )
    return int(json.loads(out.stdout)["compressed"])


def measure(
    shape: SeriesShape | None = None,
    record_version: int = 2,
    seed: int = SEED,
    n: int = BATCH_SERIES,
    franz: str | None = None,
) -> Measurement:
    shape = shape or SeriesShape()
    if record_version not in (0, 1, 2):
        raise ValueError(f"record_version={record_version}: Mimir writes versions 0, 1 and 2")
    series = generate(shape, n, seed)
    per = shape.series_per_record
    values = [encode_request(series[i : i + per], record_version) for i in range(0, len(series), per)]
    blob = records_blob(values, TENANT, record_version)
    compressed = snappy(blob)
    # franz-go keeps the uncompressed form when compressing does not shrink the batch.
    wire = RECORD_BATCH_HEADER_BYTES + min(len(compressed), len(blob))
    franz_wire = RECORD_BATCH_HEADER_BYTES + franz_compressed_size(blob, franz) if franz else None
    return Measurement(
        shape=shape,
        record_version=record_version,
        samples=n,
        records=len(values),
        value_bytes_per_sample=sum(map(len, values)) / n,
        record_bytes_per_sample=(RECORD_BATCH_HEADER_BYTES + len(blob)) / n,
        wire_bytes_per_sample=wire / n,
        franz_wire_bytes_per_sample=franz_wire / n if franz_wire is not None else None,
    )


#: The rows of the published table (docs/capacity.md): label counts and value lengths around the default,
#: record sizes from a whole 2000-sample request down to small per-partition slices.
TABLE_SHAPES: tuple[SeriesShape, ...] = (
    SeriesShape(8, 16, 100),
    SeriesShape(12, 24, 100),
    SeriesShape(20, 24, 100),
    SeriesShape(12, 48, 100),
    SeriesShape(20, 48, 100),
    SeriesShape(12, 24, 10),
    SeriesShape(12, 24, 1000),
)


def table(versions: tuple[int, ...] = (1, 2), franz: str | None = None) -> list[Measurement]:
    return [measure(shape, v, franz=franz) for shape in TABLE_SHAPES for v in versions]


def markdown(rows: list[Measurement]) -> str:
    lines = [
        "| labels | value length | series/record | record version | value B/sample | record B/sample "
        "| on Kafka B/sample (franz-go) | franz-go ratio | block snappy B/sample (cramjam) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for m in rows:
        s = m.shape
        franz = m.franz_wire_bytes_per_sample
        lines.append(
            f"| {s.labels} | {s.value_length} | {s.series_per_record} | {m.record_version} "
            f"| {m.value_bytes_per_sample:.1f} | {m.record_bytes_per_sample:.1f} "
            + (f"| {franz:.1f} | {m.record_bytes_per_sample / franz:.2f} " if franz else "| - | - ")
            + f"| {m.wire_bytes_per_sample:.1f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m mimirkafka.capacity.measure", description=__doc__.split("\n")[0]
    )
    p.add_argument("--python", action="store_true", help="print the rows as the MEASURED table in Python")
    p.add_argument(
        "--franz", metavar="BINARY", help="scripts/capacity-produce, to compress with franz-go too"
    )
    args = p.parse_args(argv)
    rows = table(franz=args.franz)
    if args.python:
        for m in rows:
            s = m.shape
            print(
                f"    ({s.labels}, {s.value_length}, {s.series_per_record}, {m.record_version}): "
                f"({m.value_bytes_per_sample:.1f}, {m.record_bytes_per_sample:.1f}, "
                f"{m.wire_bytes_per_sample:.1f}, {m.franz_wire_bytes_per_sample or 0:.1f}),"
            )
    else:
        print(markdown(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
