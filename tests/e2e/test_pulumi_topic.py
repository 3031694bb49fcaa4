"""The engine, the kafka provider plugin and the broker work together: a plain Topic through its
whole life cycle (up, no-op up, preview, refresh, destroy), checked with an admin client."""

from __future__ import annotations

import time
import uuid

import pulumi
import pulumi_kafka as kafka
from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType
from pulumi_harness import PulumiSandbox, inline_stack, no_changes

from testbed.devbroker import BrokerInfo


def topic_program(broker: BrokerInfo, name: str, partitions: int) -> object:
    def program() -> None:
        provider = kafka.Provider(
            "broker",
            bootstrap_servers=[broker.address("scram_sha_512")],
            sasl_mechanism="scram-sha512",
            sasl_username=broker.admin_user,
            sasl_password=pulumi.Output.secret(broker.admin_password),
            tls_enabled=False,
            kafka_version="4.1.0",
        )
        topic = kafka.Topic(
            "topic",
            name=name,
            partitions=partitions,
            replication_factor=1,
            config={"max.message.bytes": "2000000", "retention.ms": "3600000"},
            opts=pulumi.ResourceOptions(provider=provider),
        )
        pulumi.export("topic", topic.name)
        # The SDK's data source (invoked as "kafka:index:getTopic") reads the live topic back.
        live = kafka.get_topic_output(name=topic.name, opts=pulumi.InvokeOutputOptions(provider=provider))
        pulumi.export("livePartitions", live.partitions)

    return program


def describe(admin: KafkaAdminClient, name: str) -> tuple[int, str | None]:
    meta = admin.describe_topics([name])
    partitions = len(meta[0]["partitions"])
    configs = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, name)], config_filter="all")
    text = repr(configs)
    max_bytes = "2000000" if "'max.message.bytes', '2000000'" in text or "2000000" in text else None
    return partitions, max_bytes


def test_topic_life_cycle(sandbox: PulumiSandbox, broker: BrokerInfo, admin: KafkaAdminClient) -> None:
    name = f"e2e-{uuid.uuid4().hex[:8]}"
    stack = inline_stack(sandbox, "e2e-topic", f"t{uuid.uuid4().hex[:6]}", topic_program(broker, name, 3))
    try:
        t0 = time.monotonic()
        up = stack.up(on_output=print)
        print(f"[e2e] first up: {time.monotonic() - t0:.1f}s")
        assert up.outputs["topic"].value == name
        assert up.outputs["livePartitions"].value == 3
        assert up.summary.resource_changes == {"create": 3}  # stack, provider, topic
        assert name in admin.list_topics()
        assert describe(admin, name) == (3, "2000000")

        again = stack.up()
        assert no_changes(again.summary.resource_changes or {}), again.summary.resource_changes
        preview = stack.preview()
        assert no_changes(preview.change_summary), preview.change_summary
        refresh = stack.refresh()
        assert no_changes(refresh.summary.resource_changes or {}), refresh.summary.resource_changes

        stack.destroy()
        deadline = time.monotonic() + 30  # topic deletion in KRaft is asynchronous
        while name in admin.list_topics() and time.monotonic() < deadline:
            time.sleep(0.5)
        assert name not in admin.list_topics()
        assert stack.export_stack().deployment.get("resources") in (None, [])
    finally:
        stack.destroy()
        stack.workspace.remove_stack(stack.name)
