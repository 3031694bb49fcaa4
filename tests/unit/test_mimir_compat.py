"""One test per chart <-> Mimir <-> Kafka compatibility rule (sources in mimir/compat.py and
contract/validation.py rule_kafka_version)."""

from __future__ import annotations

import pytest
from mimirkafka.contract.errors import ContractError
from mimirkafka.contract.mimir_settings import NEWEST_RELEASE
from mimirkafka.contract.model import (
    IngesterLayout,
    IngestStorageContract,
    MimirVersion,
    NoSasl,
    TopicSettings,
)
from mimirkafka.contract.validation import problems, warnings
from mimirkafka.mimir import compat
from mimirkafka.mimir import values as v
from mimirkafka.mimir.plan import MimirDeploymentArgs, plan_mimir


def contract(mimir: str = "3.1.3", kafka: str = "4.1", zones: int = 3) -> IngestStorageContract:
    return IngestStorageContract(
        addresses=("kafka:9092",),
        topic=TopicSettings(partitions=4),
        sasl=NoSasl(),
        ingesters=IngesterLayout(zones, 2),
        consumer_group_prefix="mimir-ingester-",
        mimir_version=mimir,  # type: ignore[arg-type]
        kafka_version=kafka,
    )


def plan(c: IngestStorageContract, **settings: object) -> ContractError | None:
    try:
        plan_mimir(MimirDeploymentArgs(c, settings=v.ChartSettings(**settings)))  # type: ignore[arg-type]
    except ContractError as e:
        return e
    return None


def test_defaults_are_the_newest_checked_combination() -> None:
    assert v.CHART_VERSION == str(compat.DEFAULT_CHART) == "6.1.0"
    assert compat.DEFAULT_MIMIR == NEWEST_RELEASE == MimirVersion(3, 1, 3)
    assert plan(contract()) is None


@pytest.mark.parametrize("chart", ["6.1", "6.1.1-weekly.368", "latest"])
def test_chart_version_must_be_a_release(chart: str) -> None:
    e = plan(contract(), chart_version=chart)
    assert e is not None and e.problems[0].setting == "settings.chart_version"
    assert "is not a mimir-distributed release number" in e.problems[0].message


def test_chart_before_6_is_the_classic_architecture() -> None:
    e = plan(contract(), chart_version="5.8.0")
    assert e is not None and "classic architecture" in str(e) and "6.1.0" in e.problems[0].fix


def test_two_zones_need_chart_6_1() -> None:
    e = plan(contract(zones=2), chart_version="6.0.6")
    assert e is not None
    (p,) = e.problems
    assert p.setting == "ingesters.zones" and "#14449" in p.message and "6.1.0" in p.fix
    assert plan(contract(zones=2), chart_version="6.1.0") is None
    assert plan(contract(zones=3), chart_version="6.0.6") is None


def test_chart_6_1_client_rack_needs_mimir_3_1() -> None:
    e = plan(contract(mimir="3.0.4"), chart_version="6.1.0")
    assert e is not None
    (p,) = e.problems
    assert p.setting == "mimir_version" and "-ingest-storage.kafka.client-rack" in p.message
    assert "ClientRack.off()" in p.fix and "'6.0.6'" in p.fix
    # Each fix the message offers works.
    assert plan(contract(mimir="3.0.4"), chart_version="6.1.0", client_rack=v.ClientRack.off()) is None
    assert plan(contract(mimir="3.0.4"), chart_version="6.0.6") is None
    assert plan(contract(mimir="3.1.0"), chart_version="6.1.0") is None
    # One zone: the chart injects no rack, so Mimir 3.0 is fine with 6.1.
    assert plan(contract(mimir="3.0.4", zones=1), chart_version="6.1.0") is None


@pytest.mark.parametrize(
    ("mimir", "kafka", "refused", "warned"),
    [
        ("3.1.1", "4.2", True, False),
        ("3.1.0", "4.3", True, False),
        ("3.1.1", "4.1", False, True),  # the #15319 reporter's working setup
        ("3.1.0", "4.0", False, True),
        ("3.1.2", "4.3", False, False),  # protocol capped at 3.9 (#15745)
        ("3.0.4", "4.2", False, False),  # 3.0.x is not shown affected
        ("3.1.1", "3.9", False, False),
    ],
)
def test_kafka_4_rule_exactly_as_the_threads_show_it(
    mimir: str, kafka: str, refused: bool, warned: bool
) -> None:
    c = contract(mimir=mimir, kafka=kafka)
    found = [p for p in problems(c) if p.setting == "mimir_version"]
    assert bool(found) is refused
    if refused:
        assert "#15319" in found[0].message and "3.1.3" in found[0].fix
    assert any(w.setting == "mimir_version" for w in warnings(c)) is warned


def test_chart_release_lines() -> None:
    six_one = compat.chart_release(compat.ChartVersion(6, 1, 2))
    assert six_one is not None and six_one.injects_client_rack and six_one.min_zone_aware_zones == 2
    six_o = compat.chart_release(compat.ChartVersion(6, 0, 5))
    assert (
        six_o is not None and six_o.app_version == MimirVersion(3, 0, 1) and six_o.min_zone_aware_zones == 3
    )
