"""Bytes per sample: the record encoder agrees with the real protobuf library, the measurement is
reproducible, and the committed table (capacity/measured.py, contract/batch_fit.py) is what it measures."""

from __future__ import annotations

import pytest
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from mimirkafka.capacity import measure as M
from mimirkafka.capacity import remote_write as RW
from mimirkafka.capacity.measured import MEASURED
from mimirkafka.contract.batch_fit import (
    MEASURED_SNAPPY_RATIO,
    batch_fit_note,
    full_batch_fit,
    min_ratio_to_fit,
)

cramjam = pytest.importorskip("cramjam")


def _mimir_messages() -> dict[str, type]:
    """The WriteRequest messages of grafana/mimir@063371e:pkg/mimirpb/mimir.proto (field numbers and types
    only), built with the protobuf runtime so our hand-written encoder is checked by a real decoder."""
    f = descriptor_pb2.FileDescriptorProto(name="mimir_test.proto", package="cortexpb", syntax="proto3")
    T = descriptor_pb2.FieldDescriptorProto

    def msg(name: str, *fields: tuple[str, int, int, int, str]) -> None:
        m = f.message_type.add(name=name)
        for fname, number, ftype, label, type_name in fields:
            fd = m.field.add(name=fname, number=number, type=ftype, label=label)
            if type_name:
                fd.type_name = type_name

    opt, rep = T.LABEL_OPTIONAL, T.LABEL_REPEATED
    msg("LabelPair", ("name", 1, T.TYPE_BYTES, opt, ""), ("value", 2, T.TYPE_BYTES, opt, ""))
    msg("Sample", ("value", 1, T.TYPE_DOUBLE, opt, ""), ("timestamp_ms", 2, T.TYPE_INT64, opt, ""))
    msg(
        "TimeSeries",
        ("labels", 1, T.TYPE_MESSAGE, rep, ".cortexpb.LabelPair"),
        ("samples", 2, T.TYPE_MESSAGE, rep, ".cortexpb.Sample"),
    )
    msg("MetadataRW2", ("type", 1, T.TYPE_INT32, opt, ""), ("help_ref", 3, T.TYPE_UINT32, opt, ""))
    msg(
        "TimeSeriesRW2",
        ("labels_refs", 1, T.TYPE_UINT32, rep, ""),
        ("samples", 2, T.TYPE_MESSAGE, rep, ".cortexpb.Sample"),
        ("metadata", 5, T.TYPE_MESSAGE, opt, ".cortexpb.MetadataRW2"),
    )
    msg(
        "WriteRequest",
        ("timeseries", 1, T.TYPE_MESSAGE, rep, ".cortexpb.TimeSeries"),
        ("symbolsRW2", 4, T.TYPE_STRING, rep, ""),
        ("timeseriesRW2", 5, T.TYPE_MESSAGE, rep, ".cortexpb.TimeSeriesRW2"),
    )
    pool = descriptor_pool.DescriptorPool()
    pool.Add(f)
    return {
        n: message_factory.GetMessageClass(pool.FindMessageTypeByName(f"cortexpb.{n}"))
        for n in ("WriteRequest", "TimeSeries")
    }


SERIES = M.generate(M.SeriesShape(12, 24, 50), 50)


def test_rw1_encoding_is_what_protobuf_reads_and_writes() -> None:
    WriteRequest = _mimir_messages()["WriteRequest"]
    ours = RW.encode_rw1(SERIES)
    req = WriteRequest.FromString(ours)
    assert len(req.timeseries) == 50
    for got, want in zip(req.timeseries, SERIES, strict=True):
        assert [(lp.name.decode(), lp.value.decode()) for lp in got.labels] == list(want.labels)
        assert [(s.timestamp_ms, s.value) for s in got.samples] == list(want.samples)
    # The real serializer produces the same bytes (same field order as gogoproto: ascending numbers).
    assert req.SerializeToString() == ours


def test_rw2_encoding_resolves_through_the_common_symbols() -> None:
    WriteRequest = _mimir_messages()["WriteRequest"]
    ours = RW.encode_rw2(SERIES)
    req = WriteRequest.FromString(ours)
    table = list(RW.V2_COMMON_SYMBOLS) + [""] * (RW.V2_SYMBOL_OFFSET - len(RW.V2_COMMON_SYMBOLS))
    table += list(req.symbolsRW2)
    assert len(req.timeseriesRW2) == 50
    for got, want in zip(req.timeseriesRW2, SERIES, strict=True):
        refs = list(got.labels_refs)
        assert [(table[a], table[b]) for a, b in zip(refs[::2], refs[1::2], strict=True)] == list(want.labels)
        assert got.HasField("metadata")  # gogoproto writes the non-nullable metadata, 2 bytes per series
    # Common symbols are never repeated in the record's own table.
    assert not set(req.symbolsRW2) & set(RW.V2_COMMON_SYMBOLS)


def test_record_framing_and_snappy_round_trip() -> None:
    value = RW.encode_rw1(SERIES[:3])
    rec = RW.encode_record(value, b"tenant", 1)
    # length (zigzag varint) + body; the body ends with the Version header holding 1.
    assert rec.endswith(b"Version" + RW.varint(RW.zigzag(4)) + (1).to_bytes(4, "big"))
    blob = RW.records_blob([value, value], b"tenant", 1)
    assert bytes(cramjam.snappy.decompress_raw(M.snappy(blob))) == blob


def test_measurement_is_reproducible_and_matches_the_committed_table() -> None:
    shape = M.SeriesShape(12, 24, 100)
    a, b = M.measure(shape, 2), M.measure(shape, 2)
    assert a == b
    for version in (1, 2):
        m = a if version == 2 else M.measure(shape, version)
        value, record, wire, _franz = MEASURED[(12, 24, 100, version)]
        assert (round(m.value_bytes_per_sample, 1), round(m.record_bytes_per_sample, 1)) == (value, record)
        assert round(m.wire_bytes_per_sample, 1) == wire
    # Another seed is another sample of the same traffic: same size within a few percent, not identical.
    other = M.measure(shape, 2, seed=7)
    assert other != a
    assert other.wire_bytes_per_sample == pytest.approx(a.wire_bytes_per_sample, rel=0.1)


def test_the_large_record_row_is_reproduced() -> None:
    m = M.measure(M.SeriesShape(12, 24, 1000), 2)
    assert round(m.record_bytes_per_sample, 1) == MEASURED[(12, 24, 1000, 2)][1]
    assert round(m.wire_bytes_per_sample, 1) == MEASURED[(12, 24, 1000, 2)][2]


def test_contract_ratios_are_the_table_extremes() -> None:
    for version in (1, 2):
        # franz-go's column: what Mimir's producer actually sends.
        ratios = [row[1] / row[3] for (_, _, _, v), row in MEASURED.items() if v == version]
        assert MEASURED_SNAPPY_RATIO[version] == (round(min(ratios), 2), round(max(ratios), 2))


def test_mimir_record_size_comments_bracket_the_measurement() -> None:
    # Mimir's own estimate of uncompressed record bytes per sample: 250-500 for v1 (ingest-storage.libsonnet
    # uses 500), 100-200 for v2 (config.go on main: "~100 and ~200 bytes"). The default shape sits inside.
    assert 250 <= MEASURED[(12, 24, 100, 1)][0] <= 500
    assert 100 <= MEASURED[(12, 24, 100, 2)][0] <= 200


def test_full_batch_fit_arithmetic() -> None:
    cap = 8_388_608
    assert min_ratio_to_fit(cap) == pytest.approx(16_000_000 / (cap - 61))
    assert full_batch_fit(cap, 2.0).fits and not full_batch_fit(cap, 1.9).fits
    assert not full_batch_fit(cap, 0.5).fits  # incompressible: sent as is, 16 MB
    assert full_batch_fit(20_971_520, 1.0).fits  # Confluent Cloud Dedicated's 20 MiB holds it uncompressed


def test_batch_fit_note_carries_the_measured_numbers() -> None:
    # What the contract's warning for an 8 MiB flavor can quote: v2's worst measured ratio (2.03x) fits,
    # with 6 % to spare; 1.91x is the edge.
    note = batch_fit_note(8_388_608)
    assert "1.91x" in note and "2.03x-3.90x" in note and "7,881,834 bytes and fits" in note
    assert "3,219,376 bytes and fits" in batch_fit_note(8_388_608, 1)


def test_shapes_outside_the_table_are_measured_or_take_the_nearest_row(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from mimirkafka.capacity.figures import Kind
    from mimirkafka.capacity.plan import bytes_per_sample

    shape = M.SeriesShape(14, 30, 200)
    wire, record, fig = bytes_per_sample(shape, 2)
    assert fig.kind is Kind.MEASURED and fig.rule.startswith("measured now")
    # Between the measured rows around it (12 labels / 24 chars and 20 labels / 48 chars, 100 per record).
    assert MEASURED[(12, 24, 100, 2)][2] < wire < MEASURED[(20, 48, 100, 2)][2]
    monkeypatch.setitem(__import__("sys").modules, "cramjam", None)  # the capacity extra not installed
    wire, record, fig = bytes_per_sample(shape, 2)
    assert fig.kind is Kind.DERIVED and "(12, 24, 100, 2)" in fig.rule
    assert (record, wire) == (MEASURED[(12, 24, 100, 2)][1], MEASURED[(12, 24, 100, 2)][3])
