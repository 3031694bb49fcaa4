"""Admin-client views of what the Pulumi side created on the broker, for exact comparisons."""

from __future__ import annotations

import time

from kafka import KafkaAdminClient
from kafka.admin import (
    ACLFilter,
    ACLOperation,
    ACLPermissionType,
    ACLResourcePatternType,
    ConfigResource,
    ConfigResourceType,
    ResourcePatternFilter,
    ResourceType,
)
from pulumi import automation as auto

#: Mimir's producer batch cap: the topic-level max.message.bytes the package must set.
PRODUCER_BATCH_MAX_BYTES = "16000000"


def acls_of(admin: KafkaAdminClient, principal: str) -> set[tuple[str, str, str, str, str]]:
    flt = ACLFilter(
        principal=principal,
        host="*",
        operation=ACLOperation.ANY,
        permission_type=ACLPermissionType.ANY,
        resource_pattern=ResourcePatternFilter(ResourceType.ANY, None, ACLResourcePatternType.ANY),
    )
    acls, _error = admin.describe_acls(flt)
    return {
        (
            a.resource_pattern.resource_type.name,
            a.resource_pattern.pattern_type.name,
            a.resource_pattern.resource_name,
            a.operation.name,
            a.permission_type.name,
        )
        for a in acls
    }


def expected_acls(topic: str, group_prefix: str) -> set[tuple[str, str, str, str, str]]:
    """Mimir's least privilege: produce/fetch/metadata on its topic, offsets in its ingesters' groups."""
    return {
        ("TOPIC", "LITERAL", topic, "WRITE", "ALLOW"),
        ("TOPIC", "LITERAL", topic, "READ", "ALLOW"),
        ("TOPIC", "LITERAL", topic, "DESCRIBE", "ALLOW"),
        ("GROUP", "PREFIXED", group_prefix, "READ", "ALLOW"),
        ("GROUP", "PREFIXED", group_prefix, "DESCRIBE", "ALLOW"),
    }


def topic_config(admin: KafkaAdminClient, topic: str) -> dict[str, str]:
    result = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)], config_filter="all")
    return {name: entry["value"] for name, entry in result["topic"][topic].items()}


def partitions_of(admin: KafkaAdminClient, topic: str) -> tuple[int, int]:
    meta = admin.describe_topics([topic])[0]
    parts = meta["partitions"]
    return len(parts), len(parts[0]["replica_nodes"])


def kafka_urns(stack: auto.Stack) -> list[str]:
    """The Kafka-side resources. The Kubernetes side of the local stack is rendered to files, and the
    kubernetes provider in render mode cannot read anything back ("unreachable cluster"), so a refresh
    targets what exists for real: the topic, the user and the ACLs on the broker."""
    resources = stack.export_stack().deployment.get("resources") or []
    urns = [r["urn"] for r in resources if r["type"].startswith("kafka:")]
    assert urns, "the stack has no kafka resources"
    return urns


def wait_gone(admin: KafkaAdminClient, topic: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while topic in admin.list_topics() and time.monotonic() < deadline:
        time.sleep(0.5)
