"""``mimirkafka capacity``: the stack YAML it writes is accepted by the stack parser unchanged, --check
reads a shipped stack file and names what binds first, JSON carries every rule and source."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from mimirkafka.capacity.render import PROJECT
from mimirkafka.cli import main
from mimirkafka.stack import config as sc

REPO = Path(__file__).resolve().parents[2]

#: What each Kafka kind needs besides sizing (the stack refuses to run without it); never sizing keys.
BASE: dict[str, dict[str, Any]] = {
    "msk-standard": {"awsRegion": "eu-west-1", "mskVpcId": "vpc-1", "mskSubnetIds": ["a", "b", "c"]},
    "msk-express": {"awsRegion": "eu-west-1", "mskVpcId": "vpc-1", "mskSubnetIds": ["a", "b", "c"]},
    "msk-serverless": {
        "awsRegion": "eu-west-1",
        "mskVpcId": "vpc-1",
        "mskSubnetIds": ["a", "b"],
        "kafkaAuth": "msk-iam",
        "podIdentity": "pod-identity",
        "eksClusterName": "eks",
        # Not a sizing decision: Serverless needs a Kafka-protocol topic route (no control-plane API).
        "mskTopicRoute": "kafka-provider",
    },
    "strimzi": {"kafkaNamespace": "mimir", "mimirNamespace": "mimir"},
    "existing": {"kafkaBootstrap": "kafka-1:9092"},
}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["capacity", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("kind", list(BASE))
def test_yaml_output_is_accepted_by_the_stack_parser_unchanged(
    capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    code, out, _ = run(capsys, "--series", "3M", "--kafka", kind, "--output", "yaml")
    assert code == 0
    config = yaml.safe_load(out)["config"]
    assert all(k.startswith(f"{PROJECT}:") for k in config)
    keys = {k.split(":", 1)[1]: v for k, v in config.items()}
    assert set(keys) <= set(sc.KEYS_BY_NAME)
    parsed = sc.parse({**BASE[kind], **keys}, secrets_set={"kafkaPassword", "kafkaAdminPassword"})
    # The values come through as written: 3M series = ceil(3M / 1.5M) = 2 ingesters per zone; on Serverless
    # 200,000 samples/s x 48.7 B = 9.74 MB/s at 3.33 MBps per partition needs 3.
    ipz = 3 if kind == "msk-serverless" else 2
    assert parsed.mimir.ingesters_per_zone == keys["ingestersPerZone"] == ipz
    assert parsed.topic.partitions == keys["topicPartitions"] == 2 * ipz
    assert parsed.mimir.ingester_zones == 3 and parsed.topic.retention_ms == 86_400_000
    assert (parsed.topic.replication_factor, parsed.topic.min_insync_replicas) == (3, 2)
    if kind in ("msk-standard", "msk-express", "strimzi"):
        assert parsed.kafka.brokers == keys["kafkaBrokers"]
    if kind == "msk-express":
        assert parsed.kafka.flavor.value == "msk-express"
        assert parsed.kafka.msk_instance_type.startswith("express.m7g.")
    if kind == "msk-serverless":
        assert parsed.topic.producer_max_record_size_bytes == 8_388_608 - 16_384


def test_yaml_merged_into_a_shipped_stack_file_still_parses(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--series", "10M", "--output", "yaml")
    assert code == 0
    stack = yaml.safe_load((REPO / "stacks" / "Pulumi.prod.yaml").read_text())
    stack["config"].update(yaml.safe_load(out)["config"])
    raw = {k.split(":", 1)[1]: v for k, v in stack["config"].items() if k.startswith(f"{PROJECT}:")}
    parsed = sc.parse(raw, secrets_set={"kafkaPassword", "kafkaAdminPassword"})
    assert (parsed.kafka.brokers, parsed.kafka.volume_size_gib, parsed.topic.partitions) == (3, 5225, 14)


def test_check_a_shipped_stack(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    prod = str(REPO / "stacks" / "Pulumi.prod.yaml")
    # prod: 3 x kafka.m7g.large, 1000 GiB, 64 partitions, 4 ingesters per zone.
    code, out, _ = run(capsys, "--series", "1M", "--check", prod)
    assert code == 0, out
    assert "Feasible: yes" in out and "Binds first:" in out
    # 10M series: 30.96 MiB/s over 3 brokers is 10.3 per broker (limit 5.7 at 50 %), 2612 GiB per broker
    # on 1000 GiB volumes (hard), 7 ingesters per zone needed where the stack has 4.
    code, out, _ = run(capsys, "--series", "10M", "--check", prod)
    assert code == 2
    assert "FAIL" in out and "data per broker fits its volume: 2,612.47 of 1,000 GiB" in out
    assert "ingesters per zone hold the series: 7 of 4 ingesters" in out
    assert "Binds first: data per broker at 50 % disk utilisation (522%)" in out
    code, out, _ = run(capsys, "--series", "10M", "--check", prod, "--output", "json")
    doc = json.loads(out)
    assert (
        doc["feasible"] is False and doc["binds_first"]["name"] == "data per broker at 50 % disk utilisation"
    )
    # A stack given by name is looked up under stacks/ of the current directory.
    missing = tmp_path / "Pulumi.nope.yaml"
    code, _, err = run(capsys, "--series", "1M", "--check", str(missing))
    assert code == 3 and "Pulumi.nope.yaml" in err


def test_json_has_rule_source_and_kind_for_every_figure(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--series", "2.5M", "--kafka", "msk-express", "--output", "json")
    doc = json.loads(out)
    assert code == 0 and doc["feasible"] is True
    for name, f in doc["figures"].items():
        assert f["rule"] and f["source"] and f["kind"], name
    kinds = {f["kind"] for f in doc["figures"].values()}
    assert {"measured", "derived", "rule of thumb", "input"} <= kinds
    assert doc["stack_config"]["kafkaFlavor"] == "msk-express"


def test_input_errors_name_the_field(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--series", "1M", "--zones", "5")
    assert code == 3 and "zones=5" in err and "Fix: set 3" in err
    with pytest.raises(SystemExit) as e:
        main(["capacity", "--series", "lots"])
    assert e.value.code == 3
    assert "a count like" in capsys.readouterr().err


def test_chart_is_written(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    out = tmp_path / "plan.svg"
    code, _, _ = run(capsys, "--series", "2M", "--kafka", "msk-serverless", "--chart", str(out))
    assert code == 0
    svg = out.read_text()
    assert svg.startswith("<?xml") and "<svg" in svg and "Serverless cluster egress" in svg


def test_check_carries_the_flavor_cap_of_a_confluent_cloud_stack(capsys: pytest.CaptureFixture[str]) -> None:
    # stacks/Pulumi.byo.yaml: Confluent Cloud (8 MiB cap, contract.flavors), secrets set elsewhere.
    code, out, _ = run(capsys, "--series", "2M", "--check", str(REPO / "stacks" / "Pulumi.byo.yaml"))
    assert code == 0, out
    assert "full 16,000,000-byte batch, compressed, fits max.message.bytes: 6,059,158 of 8,388,608" in out
