"""The README's component example runs as written (under mocks) and its two sides agree."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from mimirkafka.mimir.components import component_view
from mocks import run_program

README = Path(__file__).resolve().parents[2] / "README.md"


def _example() -> str:
    text = README.read_text()
    section = text.split("## Use the components in your own Pulumi program", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "the README lost its component example"
    return match.group(1)


def test_readme_component_example_registers_matching_kafka_and_mimir_sides() -> None:
    code = _example()

    def program() -> None:
        exec(compile(code, "README.md", "exec"), {})

    run = run_program(program)
    types = run.types()
    assert "kubernetes:kafka.strimzi.io/v1:Kafka" in types and "kubernetes:helm.sh/v3:Release" in types
    user = run.one("kubernetes:kafka.strimzi.io/v1:KafkaUser")
    assert user.inputs["spec"]["authentication"]["type"] == "scram-sha-512"
    values = run.one("kubernetes:helm.sh/v3:Release").inputs["values"]
    # What the ingesters see: the shared config plus the Kafka-only flags of their component.
    kafka_cfg = component_view(values["mimir"]["structuredConfig"], values["ingester"]["extraArgs"])
    assert kafka_cfg["address"] == "mimir-kafka-kafka-bootstrap.mimir.svc:9093"
    assert kafka_cfg["sasl_mechanism"] == "SCRAM-SHA-512" and kafka_cfg["tls_enabled"] is True
    assert kafka_cfg["sasl_password"] == "${MIMIR_KAFKA_SASL_PASSWORD}"
    # The password comes from the Strimzi-written Secret of the same user, not from a copy.
    env = {e["name"]: e for e in values["ingester"]["env"]}
    ref = env["MIMIR_KAFKA_SASL_PASSWORD"]["valueFrom"]["secretKeyRef"]
    assert ref["name"] == user.inputs["metadata"]["name"]
    topic = run.one("kubernetes:kafka.strimzi.io/v1:KafkaTopic")
    assert topic.inputs["spec"]["partitions"] == 32
    assert int(topic.inputs["spec"]["config"]["max.message.bytes"]) >= 16_000_000


def _variant_blocks() -> list[str]:
    text = README.read_text()
    section = text.split("### One example per Kafka variant", 1)[1].split("Every variant has an example", 1)[
        0
    ]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_readme_has_one_example_per_kafka_variant() -> None:
    blocks = "\n".join(_variant_blocks())
    for component in (
        "MskKafka(",
        "MskServerlessKafka(",
        "StrimziKafka(",
        "KraftStatefulSetKafka(",
        "ExistingKafka(",
    ):
        assert component in blocks, component


@pytest.mark.parametrize("index", range(5))
def test_readme_kafka_variant_example_runs_and_sets_mimirs_limits(index: int) -> None:
    code = _variant_blocks()[index]

    def program() -> None:
        exec(compile(code, "README.md", "exec"), {})

    run = run_program(program)
    components = [r for r in run.resources if r.type.startswith("mimirkafka:kafka:")]
    assert len(components) == 1, [r.type for r in components]
    # Every variant creates a topic whose messages take Mimir's batches (or the flavor's cap): the
    # topic resource itself (or, for the StatefulSet, the Job that creates it) carries the limit.
    topics = [r for r in run.resources if r.type.endswith(("Topic", ":Job"))]
    assert topics, sorted(set(run.types()))
    text = repr([r.inputs for r in topics])
    assert re.search(r"max\.message\.bytes'?\"?[:=,]?\s*'?\"?(16000000|8388608)", text), text[:400]
