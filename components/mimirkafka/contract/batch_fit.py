"""Does one full Mimir producer batch fit a flavor's message cap once compressed?

Mimir's producer batches records up to a hard-coded 16,000,000 bytes (``producerBatchMaxBytes``,
grafana/mimir@00be541:pkg/storage/ingest/writer_client.go), whatever
``producer_max_record_size_bytes`` says, and franz-go counts that limit *before* compression
(twmb/franz-go:pkg/kgo/config.go, ``ProducerBatchMaxBytes`` doc comment). The broker checks the batch as
it arrives, compressed, against ``max.message.bytes``, and the client does not split a refused batch: every
record of it fails with MESSAGE_TOO_LARGE. So a full batch fits an ``cap``-byte topic only if the
compression ratio is at least ``16,000,000 / (cap - 61)``.

The ratios below are measured by :mod:`mimirkafka.capacity.measure` with franz-go's own default
compressor (snappy via ``s2.EncodeSnappy``; scripts/capacity-produce) on remote-write records encoded as
Mimir writes them (docs/capacity.md has the table; tests/e2e/test_capacity_broker.py re-measures them and
compares with the bytes a real broker stores). They live here, at the bottom of the package, so
validation can quote them without importing the planner.
"""

from __future__ import annotations

from dataclasses import dataclass

from mimirkafka.contract.model import PRODUCER_BATCH_MAX_BYTES

#: Kafka record-batch v2 header bytes, not compressed.
RECORD_BATCH_HEADER_BYTES = 61

#: Lowest and highest snappy ratio (uncompressed records / compressed batch) measured over the table's
#: series shapes, per Mimir record version (1 = Remote Write 1.0 body; 2 = RW2 symbols, Mimir 3.1's
#: default). Version 2 deduplicates label strings inside a record, so less is left for snappy to find.
MEASURED_SNAPPY_RATIO: dict[int, tuple[float, float]] = {
    1: (4.97, 8.39),
    2: (2.03, 3.9),
}
#: Mimir 3.1's default ``-ingest-storage.kafka.producer-record-version`` (grafana/mimir@001afd2:
#: pkg/storage/ingest/config.go; changed to 2 in 3.1.0).
DEFAULT_RECORD_VERSION = 2


@dataclass(frozen=True)
class BatchFit:
    cap_bytes: int
    ratio: float
    #: A full 16,000,000-byte batch after compression, with its header.
    compressed_bytes: int
    #: The smallest compression ratio with which a full batch fits ``cap_bytes``.
    min_ratio: float

    @property
    def fits(self) -> bool:
        return self.compressed_bytes <= self.cap_bytes


def min_ratio_to_fit(cap_bytes: int) -> float:
    return PRODUCER_BATCH_MAX_BYTES / (cap_bytes - RECORD_BATCH_HEADER_BYTES)


def full_batch_fit(cap_bytes: int, ratio: float) -> BatchFit:
    """How a full producer batch compressed ``ratio`` times compares to a ``cap_bytes`` message cap."""
    if ratio < 1.0:
        ratio = 1.0  # franz-go sends the batch uncompressed when compressing does not shrink it
    compressed = int(PRODUCER_BATCH_MAX_BYTES / ratio) + RECORD_BATCH_HEADER_BYTES
    return BatchFit(cap_bytes, ratio, compressed, min_ratio_to_fit(cap_bytes))


def batch_fit_note(cap_bytes: int, record_version: int = DEFAULT_RECORD_VERSION) -> str:
    """One sentence for a warning: the ratio a full batch needs and what was measured for the version."""
    low, high = MEASURED_SNAPPY_RATIO.get(record_version, MEASURED_SNAPPY_RATIO[DEFAULT_RECORD_VERSION])
    worst = full_batch_fit(cap_bytes, low)
    verdict = "fits" if worst.fits else "does not fit"
    return (
        f"a full {PRODUCER_BATCH_MAX_BYTES:,}-byte batch needs snappy to compress it {worst.min_ratio:.2f}x "
        f"to fit {cap_bytes:,} bytes; measured on record version {record_version}: {low:.2f}x-{high:.2f}x, "
        f"so at {low:.2f}x it is {worst.compressed_bytes:,} bytes and {verdict}; incompressible payloads "
        "never fit"
    )
