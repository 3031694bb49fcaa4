"""Kafka-side Pulumi components, each derived from the ingest-storage contract.

Import the component you need from its module (importing this package creates no resources):

* :mod:`mimirkafka.kafka.msk` - ``MskKafka`` (MSK provisioned, Standard or Express brokers)
* :mod:`mimirkafka.kafka.msk_serverless` - ``MskServerlessKafka``
* :mod:`mimirkafka.kafka.strimzi` - ``StrimziKafka`` (Strimzi operator, KRaft node pools)
* :mod:`mimirkafka.kafka.statefulset` - ``KraftStatefulSetKafka`` (apache/kafka, dev and CI)
* :mod:`mimirkafka.kafka.existing` - ``ExistingKafka`` (any cluster, through pulumi-kafka)

Every component exposes ``endpoint`` (:class:`~mimirkafka.kafka.endpoint.KafkaEndpoint`), the common
shape the Mimir component consumes.
"""

from mimirkafka.kafka.endpoint import (
    CaKind,
    CaSource,
    CredentialsKind,
    CredentialsSource,
    KafkaEndpoint,
    SecretKeyRef,
)
from mimirkafka.kafka.protection import DeployedTopic, TopicProtection, TopicReplacementRefused

__all__ = [
    "CaKind",
    "CaSource",
    "CredentialsKind",
    "CredentialsSource",
    "DeployedTopic",
    "KafkaEndpoint",
    "SecretKeyRef",
    "TopicProtection",
    "TopicReplacementRefused",
]
