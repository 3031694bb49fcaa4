"""Kafka's side of the contract: broker and topic configs, partitions, principal, ACLs and MSK IAM actions.

Everything is derived from the same :class:`IngestStorageContract` that renders Mimir's config, so the
broker accepts Mimir's largest batch, the topic covers the ingesters, and the principal Mimir logs in as
gets exactly the rights Mimir uses. Sources: the ACL each Kafka API needs, Apache Kafka wiki "Kafka
Authorizations (ACLs)" (cwiki.apache.org/confluence/spaces/KAFKA/pages/75978240); the ``kafka-cluster:*``
actions, AWS MSK developer guide kafka-actions.html and iam-access-control-use-cases.html; what Mimir
calls, ``grafana/mimir`` ``pkg/storage/ingest/writer_client.go`` @00be5415 and ``docs/sources/mimir/
get-started/about-grafana-mimir-architecture/about-ingest-storage-architecture/index.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from mimirkafka.contract.flavors import FLAVORS
from mimirkafka.contract.model import (
    PRODUCER_BATCH_MAX_BYTES,
    IngestStorageContract,
    KafkaFlavor,
    PlainAuth,
    SaslMechanism,
    ScramAuth,
)
from mimirkafka.contract.validation import validate, warnings

#: Name Kafka gives the cluster resource in ACLs.
KAFKA_CLUSTER_RESOURCE = "kafka-cluster"


@dataclass(frozen=True)
class AclRule:
    """One Kafka ACL, in Kafka's own spelling (what pulumi-kafka's ``kafka.Acl`` expects)."""

    resource_type: Literal["Topic", "Group", "Cluster"]
    pattern_type: Literal["Literal", "Prefixed"]
    resource_name: str
    operation: str
    principal: str
    permission: str = "Allow"
    host: str = "*"


@dataclass(frozen=True)
class KafkaRequirements:
    """What the Kafka side must provide for the contract's Mimir to work."""

    flavor: KafkaFlavor
    #: Cluster-wide configs to set; empty when the flavor does not let the package set any.
    broker_config: dict[str, str]
    #: Configs of the ingest topic (string values: pulumi-kafka churns on numbers).
    topic_config: dict[str, str]
    topic: str
    partitions: int
    replication_factor: int
    min_insync_replicas: int
    mechanism: SaslMechanism | None
    tls: bool
    mtls: bool
    #: The Kafka principal Mimir authenticates as (``User:<name>``), ``None`` if unknown or IAM.
    principal: str | None
    acls: list[AclRule]
    #: SASL/SCRAM user to create (username); ``None`` unless the mechanism is PLAIN/SCRAM.
    username: str | None = None
    #: Smallest batch size the broker/topic must accept.
    min_message_bytes: int = PRODUCER_BATCH_MAX_BYTES
    warnings: list[str] = field(default_factory=list)


def batch_limit_bytes(c: IngestStorageContract) -> int:
    """``max.message.bytes`` / ``message.max.bytes`` the Kafka side must allow for this contract."""
    cap = FLAVORS[c.flavor].max_message_bytes_cap
    return PRODUCER_BATCH_MAX_BYTES if cap is None else min(cap, PRODUCER_BATCH_MAX_BYTES)


def principal_for(c: IngestStorageContract) -> str | None:
    if c.kafka_principal is not None:
        return c.kafka_principal
    if isinstance(c.sasl, PlainAuth | ScramAuth) and FLAVORS[c.flavor].sasl_username_is_principal:
        return f"User:{c.sasl.username}"
    return None


def broker_config(c: IngestStorageContract) -> dict[str, str]:
    t = FLAVORS[c.flavor]
    if not t.broker_config_settable:
        return {}
    limit = str(batch_limit_bytes(c))
    auto_create = "true" if c.auto_create_topic_enabled else "false"
    if c.flavor is KafkaFlavor.REDPANDA:
        # Redpanda cluster properties (rpk cluster config set / Helm config.cluster and config.tunable).
        return {
            "kafka_batch_max_bytes": limit,
            "auto_create_topics_enabled": auto_create,
            "default_topic_replications": str(c.topic.replication_factor),
        }
    out = {
        t.broker_batch_property: limit,
        # Not a hard limit in Kafka, but followers fetch whole batches; keep it at least the batch cap.
        "replica.fetch.max.bytes": limit,
        "auto.create.topics.enable": auto_create,
    }
    if t.fixed_replication_factor is None:
        out["default.replication.factor"] = str(c.topic.replication_factor)
    if t.fixed_min_insync_replicas is None:
        out["min.insync.replicas"] = str(c.topic.min_insync_replicas)
    return out


def topic_config(c: IngestStorageContract) -> dict[str, str]:
    wanted = {
        "max.message.bytes": str(batch_limit_bytes(c)),
        "min.insync.replicas": str(c.topic.min_insync_replicas),
        "retention.ms": str(c.topic.retention_ms),
        "cleanup.policy": "delete",
    }
    settable = FLAVORS[c.flavor].topic_configs
    return {k: v for k, v in wanted.items() if k in settable}


def acl_rules(c: IngestStorageContract) -> list[AclRule]:
    """Least privilege for Mimir's principal; ``[]`` for MSK IAM (IAM policies) or an unknown principal."""
    principal = principal_for(c)
    if principal is None or c.sasl.mechanism is SaslMechanism.AWS_MSK_IAM:
        return []
    topic = c.topic.name
    # Produce = Write; Fetch = Read; Metadata/ListOffsets/OffsetFetch = Describe on the topic.
    topic_ops = ["Write", "Read", "Describe"] + (["Create"] if c.auto_create_topic_enabled else [])
    rules = [AclRule("Topic", "Literal", topic, op, principal) for op in topic_ops]
    # Each ingester commits offsets in its own group named after its instance ID (OffsetCommit = Read,
    # FindCoordinator/OffsetFetch = Describe).
    rules += [
        AclRule("Group", "Prefixed", c.consumer_group_prefix, op, principal) for op in ("Read", "Describe")
    ]
    if c.block_builder_consumer_group:
        rules += [
            AclRule("Group", "Literal", c.block_builder_consumer_group, op, principal)
            for op in ("Read", "Describe")
        ]
    if c.auto_create_topic_enabled:
        rules.append(AclRule("Cluster", "Literal", KAFKA_CLUSTER_RESOURCE, "Create", principal))
    return rules


def kafka_requirements(c: IngestStorageContract) -> KafkaRequirements:
    """Validates ``c`` (raising :class:`ContractError`) and derives what Kafka must provide."""
    validate(c)
    notes = [str(w) for w in warnings(c)]
    t = FLAVORS[c.flavor]
    if not t.broker_config_settable and (t.default_max_message_bytes or 0) < batch_limit_bytes(c):
        notes.append(
            f"{c.flavor.value}: broker configs cannot be set; the topic's "
            "max.message.bytes must carry the limit"
        )
    return KafkaRequirements(
        flavor=c.flavor,
        broker_config=broker_config(c),
        topic_config=topic_config(c),
        topic=c.topic.name,
        partitions=c.topic.partitions,
        replication_factor=c.topic.replication_factor,
        min_insync_replicas=c.topic.min_insync_replicas,
        mechanism=c.sasl.mechanism,
        tls=c.tls.enabled,
        mtls=c.tls.mutual,
        principal=principal_for(c),
        acls=acl_rules(c),
        username=c.sasl.username if isinstance(c.sasl, PlainAuth | ScramAuth) else None,
        min_message_bytes=batch_limit_bytes(c),
        warnings=notes,
    )


# --- MSK IAM ----------------------------------------------------------------------------------------

#: ``kafka-cluster:`` actions per resource type that Mimir's one shared role needs, with the actions each one
#: requires (AWS MSK developer guide, kafka-actions.html; iam-access-control-use-cases.html). Idempotent
#: writes are disabled in Mimir's writer (``kgo.DisableIdempotentWrite()`` in grafana/mimir
#: pkg/storage/ingest/writer_client.go @00be5415), so WriteDataIdempotently is not needed.
MSK_IAM_CLUSTER_ACTIONS = ("kafka-cluster:Connect", "kafka-cluster:DescribeCluster")
MSK_IAM_TOPIC_ACTIONS = (
    "kafka-cluster:DescribeTopic",
    "kafka-cluster:WriteData",
    "kafka-cluster:ReadData",
    "kafka-cluster:DescribeTopicDynamicConfiguration",
)
MSK_IAM_GROUP_ACTIONS = ("kafka-cluster:DescribeGroup", "kafka-cluster:AlterGroup")


def msk_iam_actions(c: IngestStorageContract) -> dict[str, list[str]]:
    """``{"cluster"|"topic"|"group": [actions]}`` for the Mimir role; CreateTopic only with auto-create."""
    topic = list(MSK_IAM_TOPIC_ACTIONS) + (
        ["kafka-cluster:CreateTopic"] if c.auto_create_topic_enabled else []
    )
    return {"cluster": list(MSK_IAM_CLUSTER_ACTIONS), "topic": topic, "group": list(MSK_IAM_GROUP_ACTIONS)}


def msk_iam_resource_names(c: IngestStorageContract) -> dict[str, list[str]]:
    """The resource-name suffixes to append to ``arn:aws:kafka:<region>:<acct>:<type>/<cluster>/<uuid>/``."""
    groups = [f"{c.consumer_group_prefix}*"]
    if c.block_builder_consumer_group:
        groups.append(c.block_builder_consumer_group)
    return {"topic": [c.topic.name], "group": groups}
