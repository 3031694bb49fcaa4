"""The Kubernetes side rendered by the real engine and the real kubernetes plugin
(``renderYamlToDirectory``, no cluster), validated against the Kubernetes OpenAPI schemas and, for
Strimzi's custom resources, against Strimzi 1.2.0's CRD schemas."""

from __future__ import annotations

import dataclasses
import uuid
from pathlib import Path

import pulumi
import pulumi_kubernetes as k8s
from manifests import validate_rendered
from mimirkafka.contract import KafkaFlavor, scram_over_tls
from mimirkafka.kafka import strimzi_manifests as sm
from mimirkafka.kafka.protection import TopicProtection
from mimirkafka.kafka.strimzi import StrimziKafka, StrimziKafkaArgs
from mimirkafka.stack import deploy as program
from pulumi import automation as auto
from pulumi_harness import PulumiSandbox, copy_project, inline_stack, with_backend

PROJECT = "mimir-kafka"


def test_dev_stack_renders_valid_manifests(sandbox: PulumiSandbox, tmp_path: Path) -> None:
    """The committed ``dev`` stack (KRaft StatefulSet + Mimir), rendered instead of applied."""
    proj = tmp_path / "project"
    copy_project("dev", proj)
    sb = with_backend(sandbox, tmp_path / "state")

    def run_program() -> None:
        program.run(root=proj)

    stack = inline_stack(sb, PROJECT, "dev", run_program, work_dir=proj)
    stack.set_config(f"{PROJECT}:renderOnly", auto.ConfigValue("true"))
    try:
        stack.up(color="never")
        counts = validate_rendered(proj / "rendered" / "dev" / "manifests")
        assert counts.get("StatefulSet", 0) >= 1, counts
        assert counts.get("Service", 0) >= 1, counts
        assert (proj / "rendered" / "dev" / "mimir-values.yaml").is_file()
    finally:
        stack.destroy(color="never")


def test_strimzi_crs_render_valid(sandbox: PulumiSandbox, tmp_path: Path) -> None:
    """StrimziKafka (operator already installed) with SCRAM over TLS: Kafka, KafkaNodePool,
    KafkaTopic and KafkaUser as the provider writes them."""
    out = tmp_path / "manifests"
    contract = dataclasses.replace(
        scram_over_tls(["mk-kafka-bootstrap.kafka.svc:9093"], "mimir", None),
        flavor=KafkaFlavor.STRIMZI,
        kafka_version="4.3",
    )

    def run_program() -> None:
        provider = k8s.Provider("render", render_yaml_to_directory=str(out))
        kafka_side = StrimziKafka(
            "strimzi",
            StrimziKafkaArgs(
                contract=contract,
                layout=sm.StrimziLayout(cluster_name="mk", namespace="kafka"),
                # Unprotected so that the test's destroy can remove the rendered KafkaTopic.
                protection=TopicProtection(protect=False),
            ),
            opts=pulumi.ResourceOptions(providers={"kubernetes": provider}),
        )
        pulumi.export("bootstrap", kafka_side.bootstrap_brokers)

    stack = inline_stack(
        with_backend(sandbox, tmp_path / "state"), "e2e-strimzi", f"s{uuid.uuid4().hex[:6]}", run_program
    )
    try:
        stack.up(color="never")
        counts = validate_rendered(out)
        for kind in ("Kafka", "KafkaNodePool", "KafkaTopic", "KafkaUser"):
            assert counts.get(kind, 0) >= 1, counts
    finally:
        stack.destroy(color="never")
