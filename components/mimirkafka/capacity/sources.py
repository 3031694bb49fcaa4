"""Where each number of the planner comes from: repository@commit:path or the vendor's URL.

Each constant is the public source of the facts in the comment above it; the kind of each figure (hard
limit, rule of thumb, default, measured, derived) is carried by the planner's figures (docs/capacity.md).
"""

from __future__ import annotations

# --- Grafana Mimir ---------------------------------------------------------------------------------
#: samples/s = active series / scrape interval; 1 core, 2.5 GB, 5 GB disk per 300k in-memory series;
#: "run with 50% extra capacity for memory and disk".
MIMIR_PLANNING = (
    "grafana/mimir@30db371:docs/sources/mimir/manage/run-production-environment/planning-capacity.md"
)
#: ~1M series / 15 s / ~66,000 samples/s -> 3 ingesters at 3.5 CPU / 8 Gi, 50 Gi PV.
HELM_SMALL = "grafana/mimir@01a95f5:operations/helm/charts/mimir-distributed/small.yaml"
#: ~10M series / 15 s / ~660,000 samples/s -> 27 ingesters at 3.5 CPU / 8 Gi, 50 Gi PV.
HELM_LARGE = "grafana/mimir@01a95f5:operations/helm/charts/mimir-distributed/large.yaml"
#: 1,500,000 owned series per ingester is the autoscaling target.
JSONNET_AUTOSCALING = "grafana/mimir@b26705d:operations/mimir/ingest-storage-ingester-autoscaling.libsonnet"
#: "ingest storage requires either 2 or 3 ingester zones"; 1000 auto-created partitions.
JSONNET_INGEST = "grafana/mimir@00dc4b6:operations/mimir/ingest-storage.libsonnet"
#: "The number of partitions must be at least the number of ingesters in one zone."
KAFKA_BACKEND_DOC = "https://grafana.com/docs/mimir/latest/configure/configure-kafka-backend/"
#: every partition is consumed by one ingester per zone; one consumer group per ingester.
INGEST_ARCH_DOC = (
    "https://grafana.com/docs/mimir/latest/get-started/about-grafana-mimir-architecture/"
    "about-ingest-storage-architecture/"
)
#: Kafka cannot decrease partitions; they can be added later.
CONFLUENT_PARTITIONS = "https://www.confluent.io/blog/how-choose-number-topics-partitions-kafka-cluster/"
#: The record value is a marshalled WriteRequest, the record key is the tenant ID.
MIMIR_WRITER = "grafana/mimir@00be541:pkg/storage/ingest/writer.go (marshalWriteRequestToRecord)"
#: producerBatchMaxBytes = 16_000_000; no producer compression set, so franz-go's default applies.
MIMIR_WRITER_CLIENT = "grafana/mimir@00be541:pkg/storage/ingest/writer_client.go"
#: Record versions 1 (RW1 body + Version header) and 2 (RW2 symbols, 64 reserved common symbols).
MIMIR_RECORD_VERSION = "grafana/mimir@00be541:pkg/storage/ingest/version.go"
#: WriteRequest / TimeSeries / WriteRequestRW2 / TimeSeriesRW2 field numbers.
MIMIR_PROTO = "grafana/mimir@063371e:pkg/mimirpb/mimir.proto"
#: -ingest-storage.kafka.producer-record-version default 2 (3.1.0 changed it, grafana/mimir#15185).
MIMIR_CONFIG = "grafana/mimir@001afd2:pkg/storage/ingest/config.go"
#: franz-go's default producer compression: snappy preferred, then none; snappy via s2.EncodeSnappy over the
#: whole record batch.
FRANZ_COMPRESSION = "twmb/franz-go@0339a28:pkg/kgo/compression.go; pkg/kgo/config.go (defaultCfg)"
#: "ProducerBatchMaxBytes ... is the maximum size of a record batch before compression".
FRANZ_BATCH_MAX = "twmb/franz-go:pkg/kgo/config.go (ProducerBatchMaxBytes doc comment)"
#: Prometheus remote write queue_config.max_samples_per_send default 2000.
PROMETHEUS_RW = "prometheus/prometheus:docs/configuration/configuration.md (queue_config)"

# --- Amazon MSK ------------------------------------------------------------------------------------
#: recommended / max partitions (incl. replicas) per Standard broker; RF 3, min ISR <= RF-1;
#: broker count a multiple of the AZ count.
MSK_BEST_PRACTICES = "https://docs.aws.amazon.com/msk/latest/developerguide/bestpractices.html"
#: per-broker ingress = min(EBS/6.5, NIC/(fan_out*1.5+5.7)) x utilisation 0.5; brokers x 3.
MSK_SIZING_SCRIPT = (
    "aws/agent-toolkit-for-aws@d6e363b:skills/specialized-skills/analytics-skills/managing-amazon-msk/"
    "scripts/msk_sizing.py"
)
#: 250 MiB/s per volume by default; provisioned storage throughput maxima per size.
MSK_STORAGE_THROUGHPUT = (
    "https://docs.aws.amazon.com/msk/latest/developerguide/msk-provision-throughput-management.html"
)
#: storage per broker 1..16,384 GiB; storage only grows.
MSK_LIMITS = "https://docs.aws.amazon.com/msk/latest/developerguide/limits.html"
#: auto-scaling target 10-80 % (50-60 % recommended), max 16 TiB.
MSK_AUTOEXPAND = "awsdocs/amazon-msk-developer-guide@4342322:doc_source/msk-autoexpand.md"
#: Express sustained/max ingress and egress, recommended/max partitions; RF 3, min ISR 2.
MSK_EXPRESS = "https://docs.aws.amazon.com/msk/latest/developerguide/bestpractices-express.html"
#: Serverless quotas (200/400 MBps, 5/10 MBps per partition, 2400 partitions, 500 groups, 8 MiB).
MSK_SERVERLESS_LIMITS = "https://docs.aws.amazon.com/msk/latest/developerguide/limits.html#serverless-quota"
#: workbook defaults: utilisation at peak 0.5 (Standard), 0.75 (Express), EBS disk utilisation 0.5.
MSK_WORKBOOK = (
    "aws/agent-toolkit-for-aws: migrate-to-msk references/assessment-sizing.md (MSK workbook defaults)"
)

# --- general Kafka ---------------------------------------------------------------------------------
#: write = produce x RF; read = consume + produce x (RF-1); vCPU = (write + read/4) / 20 MBps / 0.5;
#: 4 GiB RAM per vCPU.
GCP_PLAN = "https://cloud.google.com/managed-service-for-apache-kafka/docs/plan-cluster-size"
#: Kafka heap 50 % of the memory limit, at most 5 GB, when only memory is set.
STRIMZI_HEAP = (
    "strimzi/strimzi-kafka-operator@8541da1:documentation/modules/con-common-configuration-properties.adoc"
)
#: "RF 3 with a minimum of 2 in-sync replicas is a common starting point" (Grafana Tempo).
TEMPO_KAFKA = "https://grafana.com/docs/tempo/next/set-up-for-tracing/setup-tempo/configure-kafka/"
#: the chart's bundled Kafka keeps 24 h (kafka.logRetentionHours default 24).
HELM_KAFKA_RETENTION = (
    "grafana/mimir@58e8168:operations/helm/charts/mimir-distributed/templates/kafka/kafka-statefulset.yaml"
)

#: The measurement of this package (records encoded as Mimir writes them, compressed as franz-go does).
MEASURED = "mimirkafka.capacity.measure (docs/capacity.md#bytes-per-sample)"
INPUT = "workload input"
