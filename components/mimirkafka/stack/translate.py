"""Problems found by the contract and the components, restated in the stack's own keys.

The contract and the components name their fields (``topic.partitions``, ``broker_count``,
``settings.extra_values``): right for the Python API, foreign to someone who wrote
``mimir-kafka:topicPartitions`` in a stack file. :func:`to_stack` maps each problem's setting to the
stack key(s) that feed it, shows the value as the stack file has it, and rewrites the field names in
the message and the fix into stack keys.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from mimirkafka.contract.errors import Problem
from mimirkafka.stack.config import KeyProblem

#: Contract fields (and component args) -> the stack key that sets them. Longest prefix wins.
FIELD_KEYS: dict[str, str] = {
    "addresses": "kafkaBootstrap",
    "topic.name": "topicName",
    "topic.partitions": "topicPartitions",
    "topic.deployed_partitions": "topicPartitions",
    "topic.replication_factor": "topicReplicationFactor",
    "topic.min_insync_replicas": "topicMinInsyncReplicas",
    "topic.retention_ms": "topicRetentionMs",
    "topic": "topicName",
    "flavor": "kafkaFlavor",
    "mimir_version": "mimirVersion",
    "kafka_version": "kafkaVersion",
    "contract.kafka_version": "kafkaVersion",
    "sasl.username": "kafkaUsername",
    "sasl.password": "kafkaPassword",
    "sasl.token": "kafkaOauthToken",
    "sasl": "kafkaAuth",
    "sasl/tls": "kafkaAuth",
    "tls.enabled": "kafkaTls",
    "tls.ca": "kafkaTlsCaFile",
    "tls.client_cert": "kafkaTlsClientCertFile",
    "tls.client_key": "kafkaTlsClientKeyFile",
    "tls.server_name": "kafkaTlsServerName",
    "tls.insecure_skip_verify": "kafkaTlsInsecureSkipVerify",
    "tls": "kafkaTls",
    "kafka_principal": "kafkaPrincipal",
    "ingesters.zones": "ingesterZones",
    "ingesters.per_zone": "ingestersPerZone",
    "ingesters": "ingestersPerZone",
    "producer_max_record_size_bytes": "producerMaxRecordSizeBytes",
    "auto_create_topic_enabled": "autoCreateTopic",
    "consumer_group_prefix": "mimirReleaseName",
    "client_id": "mimirReleaseName",
    # component args
    "replicas": "kafkaBrokers",
    "brokers": "kafkaBrokers",
    "broker_count": "kafkaBrokers",
    "layout.brokers": "kafkaBrokers",
    "layout.replicas": "kafkaBrokers",
    "name": "kafkaClusterName",
    "cluster_name": "kafkaClusterName",
    "layout.name": "kafkaClusterName",
    "layout.cluster_name": "kafkaClusterName",
    "namespace": "kafkaNamespace",
    "layout.namespace": "kafkaNamespace",
    "storage_size": "kafkaVolumeSizeGib",
    "layout.storage_size": "kafkaVolumeSizeGib",
    "volume_size_gib": "kafkaVolumeSizeGib",
    "instance_type": "mskInstanceType",
    "subnet_ids": "mskSubnetIds",
    "vpc_id": "mskVpcId",
    "client_security_group_ids": "mskSecurityGroupIds",
    "admin.bootstrap_servers": "kafkaAdminBootstrap",
    "admin.mechanism": "kafkaAdminAuth",
    "admin.username": "kafkaAdminUsername",
    "admin.password": "kafkaAdminPassword",
    "admin.aws_region": "kafkaAdminAuth",
    "admin": "kafkaAdminBootstrap",
    # the topic guard: the cluster holding the topic (MSK/Strimzi/KRaft name; existing: see plan.py)
    "cluster": "kafkaClusterName",
    "settings.extra_values": "mimirExtraValues",
    "extra_values": "mimirExtraValues",
    "settings.release_name": "mimirReleaseName",
    "release_name": "mimirReleaseName",
    "settings.namespace": "mimirNamespace",
    "settings.chart_version": "mimirChartVersion",
    "chart_version": "mimirChartVersion",
    "settings.image_tag": "mimirVersion",
    "image_tag": "mimirVersion",
    "settings.service_account_name": "mimirServiceAccount",
    "settings.object_storage": "objectStorage",
    "topic_route": "mskTopicRoute",
    "acl_enforcement": "mskAclEnforcement",
    "deployed_acl_enforcement": "mskAclEnforcement",
    "extra_auth": "mskExtraAuth",
    "storage_autoscaling.max_volume_size_gib": "mskStorageAutoscalingMaxGib",
    "storage_autoscaling.target_utilization_percent": "mskStorageAutoscalingTargetPercent",
    "storage_autoscaling": "mskStorageAutoscalingMaxGib",
    "provisioned_throughput_mibps": "mskProvisionedThroughputMibps",
    "admin_route.job_service_account": "mskAdminJobServiceAccount",
    "admin_route.job_namespace": "mskAdminJobNamespace",
    "admin_route.aws_region": "awsRegion",
    "settings.ruler_query_path": "mimirRulerQueryPath",
    "ruler_query_path": "mimirRulerQueryPath",
    "settings.client_rack.zone_racks": "mimirIngesterZoneRacks",
    "settings.client_rack": "mimirClientRack",
    "consumer.fetch_concurrency_max": "mimirFetchConcurrencyMax",
    "consumer.ingestion_concurrency_max": "mimirIngestionConcurrencyMax",
    "consumer.max_buffered_bytes": "mimirMaxBufferedBytes",
    "consumer.target_consumer_lag_at_startup": "mimirTargetConsumerLagAtStartup",
    "consumer.max_consumer_lag_at_startup": "mimirMaxConsumerLagAtStartup",
    "consumer.last_produced_offset_poll_interval": "mimirLastProducedOffsetPollInterval",
    "consumer.consumer_group_offset_commit_interval": "mimirConsumerGroupOffsetCommitInterval",
    "consumer.query_ingesters_within": "mimirQueryIngestersWithin",
    "partition_ring.delete_inactive_partition_after": "mimirDeleteInactivePartitionAfter",
}

#: Python-API spellings in messages and fixes, as a stack user would write them.
_SPELLINGS: tuple[tuple[str, str], ...] = (
    (r"ScramAuth\([^)]*sha=512\)", "kafkaAuth=scram-sha-512"),
    (r"ScramAuth\([^)]*sha=256\)", "kafkaAuth=scram-sha-256"),
    (r"ScramAuth\([^)]*\)", "kafkaAuth=scram-sha-512"),
    (r"PlainAuth\([^)]*\)", "kafkaAuth=plain"),
    (r"NoSasl\(\)", "kafkaAuth=none"),
    (r"TlsConfig\(\)", "kafkaTls=false"),
    (r"MskIam\w*\([^)]*\)", "kafkaAuth=msk-iam"),
    (r"OAuthBearer\w*\([^)]*\)", "kafkaAuth=oauthbearer"),
    (r"PemMaterial\([^)]*\)", "a PEM file"),
    (r"ClientRack\(zone_racks=\([^)]*\)\)", "mimirIngesterZoneRacks"),
    (r"ClientRack\.off\(\)", "mimirClientRack=off"),
    (r"=True\b", "=true"),
    (r"=False\b", "=false"),
    (r"KraftLayout\.image", "a supported kafkaVersion"),
    (r"\bsha=512\b", "kafkaAuth=scram-sha-512"),
    (r"TopicRoute\.KAFKA_PROVIDER", "kafka-provider"),
    (r"TopicRoute\.KUBERNETES_JOB", "kubernetes-job"),
    (r"AdminRouteSettings\((\w+)=\.\.\.\)", r"admin_route.\1"),
    (r"\bStrimziKafka\b", "kafkaKind=strimzi"),
    (r"\bExistingKafka\b", "kafkaKind=existing"),
    (r"\bKraftStatefulSetKafka\b", "kafkaKind=kraft"),
    (r"\bMskServerlessKafka\b", "kafkaKind=msk-serverless"),
    (r"\bMskKafka\b", "kafkaKind=msk"),
    (r"the contract's ", ""),
    (r" in the contract", ""),
)

_FIELD_RE = re.compile(
    r"(?<![\w.])(" + "|".join(re.escape(f) for f in sorted(FIELD_KEYS, key=len, reverse=True)) + r")(?![\w])"
)


def key_for(setting: str, fallback: str) -> str:
    """The stack key behind a contract/component setting (``addresses[0]`` -> ``kafkaBootstrap``)."""
    base = re.sub(r"\[[^\]]*\]", "", setting)
    parts = base.split(".")
    for n in range(len(parts), 0, -1):
        key = FIELD_KEYS.get(".".join(parts[:n]))
        if key:
            return key
    return fallback


def restate(text: str) -> str:
    """``text`` with Python-API spellings and field names replaced by stack keys."""
    for pattern, repl in _SPELLINGS:
        text = re.sub(pattern, repl, text)

    # Dotted names (topic.partitions) are always settings; a bare name (brokers, mimir_version) only
    # where it reads as one: "set X ...", "X=", "X >= n", "X <= n".
    def field(m: re.Match[str]) -> str:
        name = m.group(1)
        if "." in name:
            return FIELD_KEYS[name]
        before, after = text[: m.start()], text[m.end() :]
        if before.endswith("set ") or re.match(r"\s*(=|>=|<=)", after):
            return FIELD_KEYS[name]
        return name

    return _FIELD_RE.sub(field, text)


def to_stack(
    problem: Problem, values: Mapping[str, Any], fallback: str, overrides: Mapping[str, str] | None = None
) -> KeyProblem:
    """``problem`` restated for the stack: its key, the key's value as set, message and fix in keys.

    ``overrides``: setting -> key where the kind decides (an existing cluster is its bootstrap list)."""
    if isinstance(problem, KeyProblem):
        return problem
    key = (overrides or {}).get(problem.setting) or key_for(problem.setting, fallback)
    value = values.get(key, problem.value)
    return KeyProblem(key, value, restate(problem.message), restate(problem.fix))
