"""``--write-test``: produce one record of Mimir's maximum size and read it back.

Runs only when asked: it leaves exactly one record in the topic (Kafka cannot delete a single record
without deleting everything before it, and the doctor removes nothing). The record goes to the topic's
last partition, which is the one least likely to be owned by an ingester, with the key
``mimirkafka-doctor-write-test``; an ingester that reads it logs one unparseable record and moves on.
"""

from __future__ import annotations

import hashlib
import os
import time

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from mimirkafka.contract.model import PRODUCER_BATCH_MAX_BYTES
from mimirkafka.doctor.connection import client_config
from mimirkafka.doctor.report import CheckResult, Status
from mimirkafka.doctor.state import CheckState

WRITE_TEST_KEY = b"mimirkafka-doctor-write-test"


def check_write_test(st: CheckState) -> CheckResult:
    c, opts = st.contract, st.options
    size = c.producer_max_record_size_bytes
    partition = max(p["partition_index"] for p in st.partitions)
    cfg = client_config(c, opts.timeout_s)
    if st.ssl_ctx is not None:
        cfg["ssl_context"] = st.ssl_ctx
    cfg.pop("reconnect_backoff_max_ms", None)
    payload = os.urandom(size)
    digest = hashlib.sha256(payload).hexdigest()
    t0 = time.monotonic()
    producer = KafkaProducer(
        **cfg,
        acks="all",  # as Mimir produces
        compression_type=None,
        linger_ms=0,
        # The client-side cap must not be the limit under test: the broker decides.
        max_request_size=PRODUCER_BATCH_MAX_BYTES + 1_000_000,
    )
    try:
        meta = producer.send(c.topic.name, value=payload, key=WRITE_TEST_KEY, partition=partition).get(
            timeout=opts.timeout_s * 3
        )
    except Exception as exc:
        return CheckResult(
            "",
            "",
            Status.FAIL,
            f"producing a {size:,}-byte record to partition {partition} failed: {type(exc).__name__}: {exc}",
            f"raise the topic's max.message.bytes to {PRODUCER_BATCH_MAX_BYTES}",
        )
    finally:
        producer.close(timeout=opts.timeout_s)
    produced_s = time.monotonic() - t0
    consumer = KafkaConsumer(
        **cfg,
        group_id=None,  # no group: nothing is committed
        enable_auto_commit=False,
        # The read-back compares a SHA-256 of the value, stronger than the batch CRC (slow in pure Python).
        check_crcs=False,
        fetch_max_bytes=PRODUCER_BATCH_MAX_BYTES * 2,
        max_partition_fetch_bytes=PRODUCER_BATCH_MAX_BYTES * 2,
    )
    try:
        tp = TopicPartition(c.topic.name, partition)
        consumer.assign([tp])
        consumer.seek(tp, meta.offset)
        deadline = time.monotonic() + opts.timeout_s * 3
        while time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=500).values():
                for rec in records:
                    if rec.offset != meta.offset:
                        continue
                    got = hashlib.sha256(rec.value).hexdigest()
                    if got != digest:
                        return CheckResult(
                            "",
                            "",
                            Status.FAIL,
                            f"read back offset {meta.offset} but its content differs from what was written",
                        )
                    return CheckResult(
                        "",
                        "",
                        Status.PASS,
                        f"wrote and read back {size:,} bytes "
                        f"(partition {partition}, offset {meta.offset}; produce "
                        f"{produced_s:.1f}s, total {time.monotonic() - t0:.1f}s); the record "
                        "stays in the topic",
                    )
        return CheckResult(
            "",
            "",
            Status.FAIL,
            f"wrote offset {meta.offset} of partition {partition} but could "
            f"not read it back within {opts.timeout_s * 3:.0f}s",
            "check Read permission and the broker's fetch.max.bytes",
        )
    finally:
        consumer.close()
