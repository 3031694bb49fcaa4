"""Which resource types hold what: type tokens and where each keeps topic, broker and cluster settings.

Type tokens are the providers' own (pulumi-kafka 3.13, pulumi-aws 7.x, pulumi-kubernetes 4.x); the
property names are the engine's camelCase spelling of their inputs.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from mimirkafka.contract import KafkaFlavor

from mimirkafka_policy.view import Res, config_map, get, reveal

KAFKA_TOPIC = "kafka:index/topic:Topic"
KAFKA_SCRAM = "kafka:index/userScramCredential:UserScramCredential"
KAFKA_PROVIDER = "pulumi:providers:kafka"
MSK_TOPIC = "aws:msk/topic:Topic"
MSK_CLUSTER = "aws:msk/cluster:Cluster"
MSK_SERVERLESS = "aws:msk/serverlessCluster:ServerlessCluster"
MSK_CONFIGURATION = "aws:msk/configuration:Configuration"
MSK_SCRAM_ASSOCIATIONS = (
    "aws:msk/scramSecretAssociation:ScramSecretAssociation",
    "aws:msk/singleScramSecretAssociation:SingleScramSecretAssociation",
)
SM_SECRET = "aws:secretsmanager/secret:Secret"
IAM_POLICY_TYPES = (
    "aws:iam/policy:Policy",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/userPolicy:UserPolicy",
    "aws:iam/groupPolicy:GroupPolicy",
)
IAM_ROLE = "aws:iam/role:Role"
HELM_RELEASES = ("kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart")
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
K8S_SECRET = "kubernetes:core/v1:Secret"
STATEFUL_SET = "kubernetes:apps/v1:StatefulSet"
STRIMZI = re.compile(r"^kubernetes:kafka\.strimzi\.io/v[0-9a-z]+:(?P<kind>\w+)$")
#: Types whose inputs are where secrets belong (the providers store them encrypted).
SECRET_STORES = frozenset({K8S_SECRET, "aws:secretsmanager/secretVersion:SecretVersion"})


def strimzi_kind(r: Res) -> str | None:
    m = STRIMZI.match(r.type)
    return m.group("kind") if m else None


@dataclass(frozen=True)
class TopicView:
    """A Kafka topic as any of the providers declares it."""

    res: Res
    name: Any
    partitions: Any
    replication_factor: Any
    #: Topic configs; ``None`` while unknown (a preview with computed configs).
    configs: dict[str, Any] | None
    #: Where the configs live, for messages (``config``, ``configs``, ``spec.config``).
    configs_path: str
    flavor: KafkaFlavor


#: Kafka services recognisable from their bootstrap host names (as Confluent Cloud's
#: ``pkc-12345.eu-west-1.aws.confluent.cloud`` in stacks/Pulumi.byo.yaml): the lower of the two Confluent
#: Cloud caps applies, since a Dedicated cluster's topics can hold the lower size as well.
HOST_FLAVORS = ((re.compile(r"\.confluent\.cloud$", re.IGNORECASE), KafkaFlavor.CONFLUENT_CLOUD),)


def provider_flavor(r: Res, default: KafkaFlavor) -> KafkaFlavor:
    """The flavor the resource's provider connects to, by its bootstrap host names; else ``default``."""
    servers = reveal(r.provider_props.get("bootstrapServers"))
    if isinstance(servers, str) and servers.startswith("["):
        # Provider inputs that are not strings reach the engine JSON-encoded.
        servers = json.loads(servers)
    hosts = [str(reveal(s)).rsplit(":", 1)[0] for s in (servers if isinstance(servers, list) else [])]
    for pattern, flavor in HOST_FLAVORS:
        if hosts and all(pattern.search(h) for h in hosts):
            return flavor
    return default


def topic_view(r: Res) -> TopicView | None:
    """The topic ``r`` declares, or ``None`` if ``r`` is not a topic resource."""
    p = r.props
    if r.type == KAFKA_TOPIC:
        return TopicView(
            r,
            p.get("name"),
            p.get("partitions"),
            p.get("replicationFactor"),
            config_map(p.get("config")),
            "config",
            provider_flavor(r, KafkaFlavor.APACHE),
        )
    if r.type == MSK_TOPIC:
        return TopicView(
            r,
            p.get("name"),
            p.get("partitionCount"),
            p.get("replicationFactor"),
            config_map(p.get("configs")),
            "configs",
            KafkaFlavor.MSK_PROVISIONED,
        )
    if strimzi_kind(r) == "KafkaTopic":
        name = get(p, "spec.topicName") or get(p, "metadata.name")
        return TopicView(
            r,
            name,
            get(p, "spec.partitions"),
            get(p, "spec.replicas"),
            config_map(get(p, "spec.config")),
            "spec.config",
            KafkaFlavor.STRIMZI,
        )
    return None


def chart_name(r: Res) -> str | None:
    """The chart a Helm release installs, as a bare name (``grafana/mimir-distributed`` -> the name)."""
    if r.type not in HELM_RELEASES:
        return None
    chart = reveal(r.props.get("chart"))
    if not isinstance(chart, str):
        return None
    # "repo/name", "oci://host/path/name", "./charts/name", "name-6.1.0.tgz"
    base = chart.rstrip("/").rsplit("/", 1)[-1]
    base = re.sub(r"-\d+\.\d+\.\d+.*\.tgz$", "", base)
    return base


def helm_values(r: Res) -> dict[str, Any]:
    values = reveal(r.props.get("values"))
    return dict(values) if isinstance(values, dict) else {}
