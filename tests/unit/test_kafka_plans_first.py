"""The components this round gave a pure plan (KRaft StatefulSet, Strimzi, existing Kafka) refuse bad
args before registering anything — not even the component itself — and name the field."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest
from mimirkafka.contract import plaintext, scram_over_tls
from mimirkafka.contract.errors import ContractError
from mimirkafka.contract.model import KafkaFlavor, SaslMechanism
from mimirkafka.kafka import statefulset_manifests as kraft_m
from mimirkafka.kafka.existing import AdminConnection, ExistingKafka, ExistingKafkaArgs
from mimirkafka.kafka.protection import DeployedTopic
from mimirkafka.kafka.statefulset import KraftStatefulSetKafka, KraftStatefulSetKafkaArgs
from mimirkafka.kafka.strimzi import StrimziKafka, StrimziKafkaArgs
from mocks import RecordingMocks, run_program


def _strimzi_scram() -> Any:
    return dataclasses.replace(
        scram_over_tls(["x:9093"], "mimir", "pw"), flavor=KafkaFlavor.STRIMZI, kafka_version="4.2"
    )


CASES: list[tuple[str, Callable[[], Any], str]] = [
    (
        "kraft: 2 replicas",
        lambda: KraftStatefulSetKafka(
            "k", KraftStatefulSetKafkaArgs(plaintext(["x:9092"]), kraft_m.KraftLayout(replicas=2))
        ),
        "replicas",
    ),
    (
        "kraft: volume size changed",
        lambda: KraftStatefulSetKafka(
            "k",
            KraftStatefulSetKafkaArgs(
                dataclasses.replace(
                    plaintext(["x:9092"]),
                    topic=dataclasses.replace(
                        plaintext(["x:9092"]).topic, replication_factor=1, min_insync_replicas=1
                    ),
                ),
                kraft_m.KraftLayout(replicas=1, storage_size="20Gi"),
                deployed_storage_size="10Gi",
            ),
        ),
        "layout.storage_size",
    ),
    (
        "strimzi: shrink",
        lambda: StrimziKafka(
            "s", StrimziKafkaArgs(_strimzi_scram(), previous=DeployedTopic("mimir-ingest", 64, None))
        ),
        "topic.partitions",
    ),
    (
        "existing: string mechanism",
        lambda: ExistingKafka(
            "e",
            ExistingKafkaArgs(
                plaintext(["x:9092"]),
                admin=AdminConnection(["x:9092"], mechanism="plain"),  # type: ignore[arg-type]
            ),
        ),
        "admin.mechanism",
    ),
    (
        "existing: SCRAM admin without password",
        lambda: ExistingKafka(
            "e",
            ExistingKafkaArgs(
                plaintext(["x:9092"]), admin=AdminConnection(["x:9092"], SaslMechanism.SCRAM_SHA_512, "admin")
            ),
        ),
        "admin.password",
    ),
]


@pytest.mark.parametrize(("case", "build", "setting"), CASES, ids=[c[0] for c in CASES])
def test_refused_before_any_registration_naming_the_field(
    case: str, build: Callable[[], Any], setting: str
) -> None:
    mocks = RecordingMocks()
    with pytest.raises(ContractError) as err:
        run_program(build, mocks=mocks)
    assert [key for key in mocks.options if key[0] != "pulumi:pulumi:Stack"] == [], case
    assert setting in err.value.settings(), str(err.value)
