"""Every stack config key of this project, declared once.

:data:`KEYS` is the one declaration (type, default, description, example, secret) from which
``Pulumi.yaml``'s ``config:`` schema, the table in docs/stacks.md and the README table are generated
(``python -m mimirkafka.stack.keys --write``; a unit test fails when a copy differs).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from mimirkafka.contract.model import ConsumerTuning, KafkaFlavor, PartitionRingSettings
from mimirkafka.mimir.compat import DEFAULT_CHART, DEFAULT_MIMIR

KeyType = Literal["string", "integer", "boolean", "array"]


@dataclass(frozen=True)
class ConfigKey:
    name: str
    type: KeyType
    default: Any
    description: str
    example: str
    secret: bool = False


def _k(
    name: str, type_: KeyType, default: Any, description: str, example: str, secret: bool = False
) -> ConfigKey:
    return ConfigKey(name, type_, default, description, example, secret)


KAFKA_KINDS = ("existing", "kraft", "strimzi", "msk", "msk-serverless")
AUTH_MODES = ("none", "plain", "scram-sha-256", "scram-sha-512", "oauthbearer", "msk-iam")
#: How Pulumi logs in to an existing Kafka as admin (AWS_MSK_IAM would need the admin's AWS
#: credentials, which no stack key carries).
ADMIN_AUTH_MODES = ("none", "plain", "scram-sha-256", "scram-sha-512", "oauthbearer")
OBJECT_STORAGES = ("s3", "minio", "filesystem")
CLIENT_RACK_MODES = ("zone-name", "off")
#: The Kubernetes label ``expiresAt`` puts on every object (the reaper and humans can select on it).
EXPIRY_LABEL = "mimirkafka.io/expires-at"
TOPIC_ROUTES = ("control-plane", "kafka-provider", "kubernetes-job")
ACL_ENFORCEMENTS = ("off", "staged", "enforced")
#: Defaults of the consumer tuning keys are the contract's (one source: ``ConsumerTuning``).
_TUNING = ConsumerTuning()
POD_IDENTITY_MODES = ("none", "irsa", "pod-identity")
#: The flavor a kind implies when ``kafkaFlavor`` is empty.
DEFAULT_FLAVOR = {
    "existing": KafkaFlavor.APACHE,
    "kraft": KafkaFlavor.APACHE,
    "strimzi": KafkaFlavor.STRIMZI,
    "msk": KafkaFlavor.MSK_PROVISIONED,
    "msk-serverless": KafkaFlavor.MSK_SERVERLESS,
}

KEYS: tuple[ConfigKey, ...] = (
    # --- Kafka: which cluster and how Mimir reaches it ----------------------------------------------
    _k("kafkaKind", "string", "existing", f"Which Kafka to use: one of {', '.join(KAFKA_KINDS)}.", "msk"),
    _k(
        "kafkaFlavor",
        "string",
        "",
        "Kafka implementation (contract flavor); empty = implied by kafkaKind "
        f"({', '.join(f.value for f in KafkaFlavor)}).",
        "confluent",
    ),
    _k("kafkaVersion", "string", "4.1", "Major.minor of the brokers; Kafka 4.x needs Mimir >= 3.1.2.", "3.8"),
    _k(
        "kafkaBootstrap",
        "string",
        "",
        "existing: the comma-separated host:port list Mimir connects to.",
        "pkc-abc.eu-west-1.aws.confluent.cloud:9092",
    ),
    _k(
        "kafkaBrokerInfoFile",
        "string",
        "",
        "existing: read kafkaBootstrap, the admin connection and the CA "
        "from a broker-info JSON written by testbed.devbroker (the local stack's broker).",
        ".local/broker.json",
    ),
    _k(
        "kafkaBrokerListener",
        "string",
        "sasl_ssl",
        "With kafkaBrokerInfoFile: the listener Mimir uses.",
        "scram_sha_512",
    ),
    _k(
        "kafkaAuth",
        "string",
        "scram-sha-512",
        f"How Mimir authenticates: one of {', '.join(AUTH_MODES)}.",
        "msk-iam",
    ),
    _k("kafkaUsername", "string", "mimir", "SASL username of Mimir (PLAIN/SCRAM).", "mimir-prod"),
    _k(
        "kafkaPassword",
        "string",
        "",
        "Mimir's SASL password; unset = generated (random) and kept as a Pulumi secret.",
        "pulumi config set --secret kafkaPassword ...",
        secret=True,
    ),
    _k(
        "kafkaOauthToken",
        "string",
        "",
        "OAUTHBEARER static token for Mimir.",
        "pulumi config set --secret kafkaOauthToken ...",
        secret=True,
    ),
    _k(
        "kafkaPrincipal",
        "string",
        "",
        "existing: Mimir's Kafka principal, for its ACLs; empty = User:<kafkaUsername> with PLAIN/SCRAM. "
        "Required with OAUTHBEARER (User:<the token's sub>) and mTLS (the client certificate's subject "
        "as the broker's principal mapping names it).",
        "User:CN=mimir",
    ),
    _k("kafkaTls", "boolean", False, "TLS between Mimir and Kafka (forced on for MSK).", "true"),
    _k(
        "kafkaTlsCaFile",
        "string",
        "",
        "PEM file of the CA Mimir trusts; empty = system trust store.",
        "certs/kafka-ca.pem",
    ),
    _k("kafkaTlsClientCertFile", "string", "", "PEM client certificate for mTLS.", "certs/mimir.crt"),
    _k(
        "kafkaTlsClientKeyFile",
        "string",
        "",
        "PEM client key for mTLS (read as a secret).",
        "certs/mimir.key",
    ),
    _k(
        "kafkaTlsServerName",
        "string",
        "",
        "TLS server name to verify, if it differs from the address.",
        "kafka.internal",
    ),
    _k(
        "kafkaTlsInsecureSkipVerify",
        "boolean",
        False,
        "Skip certificate verification (never in prod).",
        "false",
    ),
    _k(
        "kafkaAdminBootstrap",
        "string",
        "",
        "existing: where Pulumi connects as admin; empty = kafkaBootstrap.",
        "localhost:9093",
    ),
    _k(
        "kafkaAdminAuth",
        "string",
        "",
        f"existing: admin mechanism, one of {', '.join(ADMIN_AUTH_MODES)}; empty = kafkaAuth.",
        "plain",
    ),
    _k("kafkaAdminTls", "boolean", False, "existing: TLS for the admin connection.", "true"),
    _k("kafkaAdminUsername", "string", "admin", "existing: admin SASL username.", "ops-admin"),
    _k(
        "kafkaAdminPassword",
        "string",
        "",
        "existing: admin SASL password.",
        "pulumi config set --secret kafkaAdminPassword ...",
        secret=True,
    ),
    _k("kafkaCreateUser", "boolean", True, "Create Mimir's SCRAM user on the Kafka side.", "false"),
    _k(
        "kafkaCreateAcls",
        "boolean",
        True,
        "Create Mimir's least-privilege ACLs (needs an authorizer).",
        "false",
    ),
    _k(
        "kafkaPreflight",
        "boolean",
        False,
        "existing: once the topic, user and ACLs exist, run the doctor's checks as Mimir (reach, TLS, "
        "authenticate, partitions, a 16 MB batch, produce/fetch/commit rights) and fail the update with "
        "every failed check and its fix. Needs the brokers reachable from where Pulumi runs.",
        "true",
    ),
    _k(
        "kafkaNamespace",
        "string",
        "kafka",
        "kraft/strimzi: Kubernetes namespace of the Kafka cluster.",
        "mimir",
    ),
    _k(
        "kafkaClusterName",
        "string",
        "mimir-kafka",
        "Name of the Kafka cluster (MSK, Strimzi, StatefulSet).",
        "mimir-prod",
    ),
    _k("kafkaBrokers", "integer", 3, "Number of brokers (kraft/strimzi/msk).", "6"),
    _k("kafkaVolumeSizeGib", "integer", 100, "Storage per broker in GiB (MSK EBS or PVC size).", "500"),
    _k("mskInstanceType", "string", "kafka.m7g.large", "msk: broker instance type.", "express.m7g.large"),
    _k(
        "mskSubnetIds",
        "array",
        [],
        "msk/msk-serverless: client subnets (distinct AZs).",
        '["subnet-a", "subnet-b", "subnet-c"]',
    ),
    _k("mskVpcId", "string", "", "msk/msk-serverless: VPC of the brokers.", "vpc-0abc"),
    _k(
        "mskSecurityGroupIds",
        "array",
        [],
        "msk/msk-serverless: security groups of Mimir's nodes, allowed to reach the brokers.",
        '["sg-123"]',
    ),
    _k(
        "mskTopicRoute",
        "string",
        "",
        f"msk/msk-serverless: how the topic (and ACLs) are created: one of {', '.join(TOPIC_ROUTES)}; "
        "empty = control-plane on msk; msk-serverless has no control-plane topic API and needs "
        "kafka-provider (pulumi up reaches the brokers on 9098) or kubernetes-job (a Job in the cluster).",
        "kubernetes-job",
    ),
    _k(
        "mskAclEnforcement",
        "string",
        "off",
        f"msk with SCRAM: one of {', '.join(ACL_ENFORCEMENTS)}: off = MSK's default "
        "allow.everyone.if.no.acl.found=true; staged = Mimir's ACLs created over the route; "
        "enforced = the cluster denies what no ACL allows (stage first on a cluster in use).",
        "staged",
    ),
    _k(
        "mskExtraAuth",
        "array",
        [],
        "msk: client paths besides Mimir's (scram, iam, mtls, tls); iam is needed by the Kafka-protocol "
        "routes.",
        '["iam"]',
    ),
    _k(
        "mskAdminJobNamespace",
        "string",
        "",
        "kubernetes-job route: namespace of the topic Job; empty = mimirNamespace.",
        "mimir",
    ),
    _k(
        "mskAdminJobServiceAccount",
        "string",
        "",
        "kubernetes-job route: service account of the Job (its IAM role needs the route's kafka-cluster "
        "actions).",
        "kafka-admin",
    ),
    _k(
        "mskStorageAutoscalingMaxGib",
        "integer",
        0,
        "msk Standard: EBS autoscaling up to this size per broker (0 = off; at most 16384).",
        "4000",
    ),
    _k(
        "mskStorageAutoscalingTargetPercent",
        "integer",
        60,
        "msk Standard: target disk utilisation of the autoscaling policy (10-80).",
        "55",
    ),
    _k(
        "mskProvisionedThroughputMibps",
        "integer",
        0,
        "msk Standard: provisioned EBS throughput in MiB/s (0 = off; kafka.m5.4xlarge/m7g.2xlarge and up).",
        "500",
    ),
    # --- the ingest topic --------------------------------------------------------------------------
    _k("topicName", "string", "mimir-ingest", "The ingest topic.", "mimir-ingest-prod"),
    _k("topicPartitions", "integer", 16, "Partitions; must cover ingestersPerZone (size for growth).", "64"),
    _k("topicReplicationFactor", "integer", 3, "Replication factor of the topic.", "1"),
    _k("topicMinInsyncReplicas", "integer", 2, "min.insync.replicas of the topic.", "1"),
    _k("topicRetentionMs", "integer", 86_400_000, "retention.ms of the topic.", "172800000"),
    _k("topicProtect", "boolean", True, "Protect the topic from deletion by Pulumi.", "false"),
    _k(
        "autoCreateTopic",
        "boolean",
        False,
        "Let Mimir create the topic (the package creates it anyway).",
        "true",
    ),
    _k(
        "producerMaxRecordSizeBytes",
        "integer",
        15_983_616,
        "Mimir's producer_max_record_size_bytes.",
        "8372224",
    ),
    # --- Mimir ----------------------------------------------------------------------------------------
    _k(
        "mimirVersion",
        "string",
        str(DEFAULT_MIMIR),
        "Mimir release (image tag); checked against the chart version and the Kafka version.",
        "3.1.2",
    ),
    _k(
        "mimirChartVersion",
        "string",
        str(DEFAULT_CHART),
        "mimir-distributed chart version (checked against mimirVersion: which flags the chart injects).",
        "6.1.0",
    ),
    _k("mimirNamespace", "string", "mimir", "Kubernetes namespace of Mimir.", "observability"),
    _k("mimirReleaseName", "string", "mimir", "Helm release name (also the resource-name prefix).", "mimir"),
    _k(
        "mimirServiceAccount",
        "string",
        "mimir",
        "Service account of Mimir's pods (IRSA/Pod Identity).",
        "mimir",
    ),
    _k(
        "ingesterZones",
        "integer",
        3,
        "Ingester zones: 2 or 3 = zone-aware (chart >= 6.1 with ingest storage), 1 = no zone awareness.",
        "1",
    ),
    _k("ingestersPerZone", "integer", 1, "Ingesters per zone; each consumes one partition.", "4"),
    _k(
        "objectStorage",
        "string",
        "minio",
        f"Mimir's object storage: one of {', '.join(OBJECT_STORAGES)}.",
        "s3",
    ),
    _k("s3CreateBuckets", "boolean", True, "s3: create encrypted, versioned, private buckets.", "false"),
    _k(
        "s3BucketPrefix",
        "string",
        "",
        "s3: prefix of created bucket names; empty = <project>-<stack>.",
        "acme-mimir-prod",
    ),
    _k(
        "s3BlocksBucket",
        "string",
        "",
        "s3 without s3CreateBuckets: existing blocks bucket.",
        "acme-mimir-blocks",
    ),
    _k(
        "s3RulerBucket",
        "string",
        "",
        "s3 without s3CreateBuckets: existing ruler bucket.",
        "acme-mimir-ruler",
    ),
    _k(
        "s3AlertmanagerBucket",
        "string",
        "",
        "s3 without s3CreateBuckets: existing alertmanager bucket.",
        "acme-mimir-alertmanager",
    ),
    _k("awsRegion", "string", "", "AWS region of MSK, S3 and IAM (required for msk/s3).", "eu-west-1"),
    _k(
        "podIdentity",
        "string",
        "none",
        f"How pods get AWS credentials: one of {', '.join(POD_IDENTITY_MODES)}.",
        "irsa",
    ),
    _k("eksClusterName", "string", "", "pod-identity: EKS cluster of the association.", "prod-eks"),
    _k(
        "eksOidcProviderArn",
        "string",
        "",
        "irsa: ARN of the cluster's IAM OIDC provider.",
        "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC",
    ),
    _k(
        "eksOidcIssuerUrl",
        "string",
        "",
        "irsa: the cluster's OIDC issuer URL.",
        "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC",
    ),
    _k(
        "mskIamSocketPath",
        "string",
        "/var/run/msk-iam/credentials.sock",
        "msk-iam: unix socket the credentials sidecar serves to Mimir.",
        "/var/run/msk-iam/creds.sock",
    ),
    _k(
        "mimirExtraValues",
        "string",
        "",
        "Any other chart values (YAML mapping), deep-merged last.",
        "'{querier: {replicas: 3}}'",
    ),
    _k(
        "mimirRulerQueryPath",
        "boolean",
        True,
        "Ruler remote evaluation through the chart's dedicated ruler query path "
        "(ruler.remoteEvaluationDedicatedQueryPath); Grafana's jsonnet requires remote evaluation with "
        "ingest storage.",
        "true",
    ),
    _k(
        "mimirClientRack",
        "string",
        "zone-name",
        f"Ingesters' Kafka client rack: one of {', '.join(CLIENT_RACK_MODES)} (zone-name: the chart's "
        "per-zone rack, matching brokers only when mimirIngesterZoneRacks names the zones after "
        "their racks).",
        "off",
    ),
    _k(
        "mimirIngesterZoneRacks",
        "array",
        [],
        "One broker rack per ingester zone (MSK: AZ IDs; Strimzi: the nodes' zone label values); the zones "
        "take these names so rack-aware fetching engages.",
        '["use1-az1", "use1-az2", "use1-az4"]',
    ),
    _k(
        "mimirFetchConcurrencyMax",
        "integer",
        _TUNING.fetch_concurrency_max,
        "Ingesters' -ingest-storage.kafka.fetch-concurrency-max (>= 0; 0 disables concurrent fetching).",
        "8",
    ),
    _k(
        "mimirIngestionConcurrencyMax",
        "integer",
        _TUNING.ingestion_concurrency_max,
        "Ingesters' -ingest-storage.kafka.ingestion-concurrency-max (>= 0; 0 disables).",
        "4",
    ),
    _k(
        "mimirMaxBufferedBytes",
        "integer",
        _TUNING.max_buffered_bytes,
        "Ingesters' -ingest-storage.kafka.max-buffered-bytes (0 disables; below 2^31-1).",
        "500000000",
    ),
    _k(
        "mimirTargetConsumerLagAtStartup",
        "string",
        _TUNING.target_consumer_lag_at_startup,
        "Ingesters' -ingest-storage.kafka.target-consumer-lag-at-startup (Go duration).",
        "5s",
    ),
    _k(
        "mimirMaxConsumerLagAtStartup",
        "string",
        _TUNING.max_consumer_lag_at_startup,
        "Ingesters' -ingest-storage.kafka.max-consumer-lag-at-startup (>= the target lag).",
        "30s",
    ),
    _k(
        "mimirLastProducedOffsetPollInterval",
        "string",
        _TUNING.last_produced_offset_poll_interval,
        "-ingest-storage.kafka.last-produced-offset-poll-interval (ingesters, query-frontends).",
        "1s",
    ),
    _k(
        "mimirConsumerGroupOffsetCommitInterval",
        "string",
        _TUNING.consumer_group_offset_commit_interval,
        "Ingesters' -ingest-storage.kafka.consumer-group-offset-commit-interval.",
        "1s",
    ),
    _k(
        "mimirQueryIngestersWithin",
        "string",
        _TUNING.query_ingesters_within,
        "-querier.query-ingesters-within; mimirDeleteInactivePartitionAfter may not be shorter.",
        "13h",
    ),
    _k(
        "mimirDeleteInactivePartitionAfter",
        "string",
        PartitionRingSettings().delete_inactive_partition_after,
        "ingester.partition_ring.delete_inactive_partition_after.",
        "13h",
    ),
    _k(
        "expiresAt",
        "string",
        "",
        "Ephemeral stacks: when the stack may be destroyed (UTC, e.g. set by mimirkafka.testing); label "
        f"{EXPIRY_LABEL} on every Kubernetes object (as 20261130T030000Z: label values take no ':') "
        "and tag expires-at on every AWS resource that takes tags. Empty = no expiry.",
        "2026-11-30T03:00:00Z",
    ),
    # --- where the Kubernetes side goes -----------------------------------------------------------------
    _k(
        "renderOnly",
        "boolean",
        False,
        "Write Kubernetes manifests and the Helm values to files instead of "
        "applying them (no cluster needed).",
        "true",
    ),
    _k(
        "renderDir",
        "string",
        "rendered",
        "render: output directory (relative to the project), one sub-directory per stack.",
        "out",
    ),
    _k("kubeContext", "string", "", "kubeconfig context to deploy to; empty = current context.", "kind-dev"),
    _k(
        "kubeconfig",
        "string",
        "",
        "Path of the kubeconfig the stack's Kubernetes provider uses (relative to the project); empty = "
        "the ambient one (KUBECONFIG, ~/.kube/config).",
        ".local/kubeconfig",
    ),
    _k(
        "mimirRenderOnly",
        "boolean",
        False,
        "Write Mimir's Helm values and install.sh (to renderDir) instead of installing the chart, while "
        "every other Kubernetes object is applied (renderOnly renders everything).",
        "true",
    ),
    _k(
        "strimziInstallOperator",
        "boolean",
        True,
        "strimzi: install the Strimzi operator with its chart; false = it is already installed and "
        "watches kafkaNamespace.",
        "false",
    ),
)
KEYS_BY_NAME = {k.name: k for k in KEYS}
#: Stack key -> the ``ConsumerTuning`` field it sets.
CONSUMER_KEYS = {
    "mimirFetchConcurrencyMax": "fetch_concurrency_max",
    "mimirIngestionConcurrencyMax": "ingestion_concurrency_max",
    "mimirMaxBufferedBytes": "max_buffered_bytes",
    "mimirTargetConsumerLagAtStartup": "target_consumer_lag_at_startup",
    "mimirMaxConsumerLagAtStartup": "max_consumer_lag_at_startup",
    "mimirLastProducedOffsetPollInterval": "last_produced_offset_poll_interval",
    "mimirConsumerGroupOffsetCommitInterval": "consumer_group_offset_commit_interval",
    "mimirQueryIngestersWithin": "query_ingesters_within",
}
SECRET_KEYS = tuple(k.name for k in KEYS if k.secret)


def pulumi_yaml_schema() -> dict[str, Any]:
    """The ``config:`` block of ``Pulumi.yaml`` for :data:`KEYS` (checked by a unit test)."""
    out: dict[str, Any] = {}
    for k in KEYS:
        entry: dict[str, Any] = {"type": k.type, "description": k.description}
        if k.type == "array":
            entry["items"] = {"type": "string"}
        # Secret keys are optional, but the CLI treats a key without a default as required and refuses a
        # plain default for a ``secret: true`` key; so they are declared as strings with default "" (=
        # not set) and the program refuses a value that was not set with ``--secret``.
        entry["default"] = list(k.default) if k.type == "array" else k.default
        out[k.name] = entry
    return out


# --- generated copies: Pulumi.yaml's schema, the docs tables ------------------------------------------

TABLE_BEGIN = "<!-- stack-keys:begin (generated by `python -m mimirkafka.stack.keys --write`) -->"
TABLE_END = "<!-- stack-keys:end -->"
#: The files that carry a generated copy of the key table, relative to the project root.
TABLE_FILES = ("README.md", "docs/stacks.md")


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown_table() -> str:
    """The table of every key (type, default, example, meaning) that README.md and docs/stacks.md carry."""
    rows = ["| Key | Type | Default | Example | Meaning |", "| --- | --- | --- | --- | --- |"]
    for k in KEYS:
        default = "(secret: unset)" if k.secret else f"`{k.default!r}`"
        rows.append(
            f"| `{k.name}` | {k.type}{' (secret)' if k.secret else ''} | {_cell(default)} "
            f"| `{_cell(k.example)}` | {_cell(k.description)} |"
        )
    return "\n".join(rows)


def with_table(doc: str) -> str:
    """``doc`` with the text between the table markers replaced by :func:`markdown_table`."""
    if TABLE_BEGIN not in doc or TABLE_END not in doc:
        raise ValueError(f"the document has no {TABLE_BEGIN!r} ... {TABLE_END!r} markers")
    head, rest = doc.split(TABLE_BEGIN, 1)
    _, tail = rest.split(TABLE_END, 1)
    return f"{head}{TABLE_BEGIN}\n\n{markdown_table()}\n\n{TABLE_END}{tail}"


def pulumi_yaml(current: str) -> str:
    """``Pulumi.yaml`` with its ``config:`` block generated from :data:`KEYS` (the rest kept)."""
    import yaml

    head = current.split("\nconfig:", 1)[0]
    lines = [line for line in head.splitlines() if not line.startswith("#")]
    banner = [
        "# The config: block is generated from mimirkafka.stack.keys.KEYS "
        "(python -m mimirkafka.stack.keys --write).",
        f"# Secret keys ({', '.join(SECRET_KEYS)}) must be set with `pulumi config set --secret`.",
    ]
    body = yaml.safe_dump({"config": pulumi_yaml_schema()}, sort_keys=False, width=110)
    return "\n".join(banner + lines) + "\n" + body


def main(argv: list[str] | None = None) -> int:
    """``--check`` (exit 1 when a generated copy differs) or ``--write`` (regenerate them)."""
    import argparse
    from pathlib import Path

    parser = argparse.ArgumentParser(prog="python -m mimirkafka.stack.keys")
    parser.add_argument("--root", type=Path, default=Path.cwd())
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true")
    mode.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    stale = []
    targets = {"Pulumi.yaml": pulumi_yaml, **{name: with_table for name in TABLE_FILES}}
    for name, generate in targets.items():
        path = args.root / name
        current = path.read_text()
        wanted = generate(current)
        if wanted != current:
            stale.append(name)
            if args.write:
                path.write_text(wanted)
    verb = "rewrote" if args.write else "out of date"
    print(f"{verb}: {', '.join(stale)}" if stale else "all generated copies are up to date")
    return 1 if stale and args.check else 0


if __name__ == "__main__":
    raise SystemExit(main())
