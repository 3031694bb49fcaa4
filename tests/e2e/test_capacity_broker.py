"""The planner's measured bytes per sample against a real broker: the same records, produced by franz-go
(the client Mimir uses) set up as Mimir's writer (scripts/capacity-produce), take the bytes on the broker's
disk that the committed measurement (mimirkafka.capacity.measured, franz-go column) says."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import uuid
from pathlib import Path

import pytest
from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from mimirkafka.capacity.measure import BATCH_SERIES, TABLE_SHAPES, TENANT, SeriesShape, generate, measure
from mimirkafka.capacity.measured import MEASURED
from mimirkafka.capacity.remote_write import encode_request

from testbed.devbroker import BrokerInfo

pytestmark = pytest.mark.e2e


def capacity_produce_binary() -> str:
    path = os.environ.get("CAPACITY_PRODUCE", "")
    if not path or not Path(path).is_file():
        pytest.skip(f"capacity-produce not built ({path!r}); run scripts/toolchain capacity-produce")
    return path


@pytest.mark.parametrize("version", [1, 2])
def test_measured_bytes_per_sample_is_what_the_broker_stores(
    broker: BrokerInfo, admin: KafkaAdminClient, tmp_path: Path, version: int
) -> None:
    binary = capacity_produce_binary()
    topic = f"capacity-{version}-{uuid.uuid4().hex[:8]}"
    admin.create_topics([NewTopic(topic, 1, 1)])
    shape = SeriesShape(12, 24, 100)
    series = generate(shape, BATCH_SERIES)
    values = [encode_request(series[i : i + 100], version) for i in range(0, len(series), 100)]
    records = tmp_path / "records.bin"
    records.write_bytes(b"".join(struct.pack(">I", len(v)) + v for v in values))
    out = subprocess.run(
        [
            binary,
            f"-bootstrap={broker.address('sasl_plain')}",
            f"-topic={topic}",
            f"-records={records}",
            f"-key={TENANT.decode()}",
            f"-version={version}",
            f"-user={broker.admin_user}",
            f"-password={broker.admin_password}",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert got["records"] == len(values) and got["value_bytes"] == sum(map(len, values))
    on_broker = got["partition_bytes"] / len(series)
    # The committed franz-go column (capacity/measured.py) is what the broker stores: franz-go may cut the
    # records into a few batches (61 bytes each, compression restarting), so within 5 %.
    franz = MEASURED[(12, 24, 100, version)][3]
    print(f"record version {version}: broker stores {on_broker:.2f} B/sample, committed franz-go {franz}")
    assert on_broker == pytest.approx(franz, rel=0.05), (on_broker, franz)
    # Block snappy (cramjam, the unit-test measurement) is the conservative side: never below the broker.
    assert measure(shape, version).wire_bytes_per_sample >= on_broker


def test_the_franz_go_column_is_reproduced_by_franz_go() -> None:
    binary = capacity_produce_binary()
    for shape in TABLE_SHAPES:
        for version in (1, 2):
            m = measure(shape, version, franz=binary)
            assert m.franz_wire_bytes_per_sample is not None
            key = (shape.labels, shape.value_length, shape.series_per_record, version)
            assert round(m.franz_wire_bytes_per_sample, 1) == MEASURED[key][3], key
