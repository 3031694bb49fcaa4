"""The Kafka-version check when kafka-python's (non-public) broker version is missing or unknown."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from mimirkafka.doctor import checks, probes
from mimirkafka.doctor.inputs import from_flags
from mimirkafka.doctor.report import Status
from mimirkafka.doctor.state import CheckState

FLAGS = ["-ingest-storage.kafka.address=k:9092", "-ingest-storage.kafka.topic=t"]


def _state(admin: object, mimir_version: str) -> CheckState:
    contract = from_flags(FLAGS, {}, mimir_version=mimir_version).contract
    return CheckState(contract, checks.DoctorOptions(), admin=admin)


def _admin(version: object) -> SimpleNamespace:
    return SimpleNamespace(_manager=SimpleNamespace(broker_version=version))


@pytest.mark.parametrize(
    "admin",
    [
        SimpleNamespace(),  # a kafka-python without the connection manager attribute
        SimpleNamespace(_manager=SimpleNamespace()),  # ... or without its broker_version
        _admin(None),  # ApiVersions did not place the broker
        _admin("4.0"),  # an unexpected type is not trusted either
    ],
    ids=["no-manager", "no-broker-version", "none", "not-a-tuple"],
)
def test_unknown_broker_version_is_none_not_an_attribute_error(admin):
    assert probes.broker_version(admin) is None


def test_known_broker_version_is_read():
    assert probes.broker_version(_admin((3, 9, 1))) == (3, 9, 1)


def test_unknown_version_is_a_skip_when_the_mimir_release_works_with_kafka_3_and_4():
    res = checks._check_version(_state(SimpleNamespace(), "3.1.2"))
    assert res.status is Status.SKIP
    assert "Kafka version is unknown" in res.message and "works with Kafka 3.x and 4.x" in res.message


def test_unknown_version_warns_when_kafka_4_would_break_this_mimir():
    res = checks._check_version(_state(SimpleNamespace(_manager=SimpleNamespace()), "3.1.0"))
    assert res.status is Status.WARN
    assert "grafana/mimir#15319" in res.message and "Mimir >= 3.1.2" in res.fix


def test_known_version_still_decides():
    assert checks._check_version(_state(_admin((4, 0)), "3.1.0")).status is Status.FAIL
    assert checks._check_version(_state(_admin((4, 0)), "3.1.2")).status is Status.PASS
    assert checks._check_version(_state(_admin((3, 9)), "3.1.0")).status is Status.PASS
