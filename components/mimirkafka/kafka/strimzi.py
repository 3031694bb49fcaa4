"""``StrimziKafka``: a KRaft Kafka run by the Strimzi operator, with Mimir's topic and user.

Mimir's credentials come from the Secret the User Operator writes for the ``KafkaUser`` (same name
as the user; key ``password`` for SCRAM, ``user.crt``/``user.key`` for mTLS) and Mimir trusts
Strimzi's cluster CA from ``<cluster>-cluster-ca-cert`` (key ``ca.crt``). Both are outputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from mimirkafka.contract.model import IngestStorageContract, KafkaFlavor, SaslMechanism, ScramAuth
from mimirkafka.kafka import strimzi_manifests as m
from mimirkafka.kafka._contract import given_password, mechanism_of, requirements_for
from mimirkafka.kafka.endpoint import (
    CaKind,
    CaSource,
    CredentialsKind,
    CredentialsSource,
    KafkaEndpoint,
    SecretKeyRef,
)
from mimirkafka.kafka.protection import (
    DeployedTopic,
    TopicProtection,
    check_contract_topic,
    merge_opts,
    topic_state,
)

#: Where the operator chart lives (reference only; Helm fetches it at deploy time).
STRIMZI_CHART = "oci://quay.io/strimzi-helm/strimzi-kafka-operator"


@dataclass
class StrimziOperatorInstall:
    """Install the Strimzi operator with its Helm chart (optional: many clusters already run it)."""

    version: str = m.STRIMZI_OPERATOR_VERSION
    namespace: str | None = None
    chart: str = STRIMZI_CHART
    #: Extra chart values; ``watchNamespaces`` is set to the Kafka namespace when it differs.
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class StrimziKafkaArgs:
    contract: IngestStorageContract
    layout: m.StrimziLayout = field(default_factory=m.StrimziLayout)
    #: ``None``: the operator is already installed and watches ``layout.namespace``.
    operator: StrimziOperatorInstall | None = None
    protection: TopicProtection = field(default_factory=TopicProtection)
    previous: DeployedTopic | None = None


class StrimziKafka(pulumi.ComponentResource):
    endpoint: KafkaEndpoint
    bootstrap_brokers: pulumi.Output[str]
    topic_name: pulumi.Output[str]
    cluster_ca_secret_name: str
    user_secret_name: str | None

    def __init__(self, name: str, args: StrimziKafkaArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("mimirkafka:kafka:StrimziKafka", name, None, opts)
        c, layout = args.contract, args.layout
        req = requirements_for(c, "StrimziKafka", (KafkaFlavor.STRIMZI,))
        # Render everything first: every StrimziConfigError is raised before a resource exists.
        kafka_doc = m.kafka_cr(c, req, layout)
        pools = m.node_pools(layout)
        topic_doc = m.kafka_topic(c, req, layout)
        auth = m.listener_authentication(c)
        cluster_id = f"{layout.namespace}/{layout.cluster_name}"
        check_contract_topic(c, req.partitions, cluster_id, args.previous)
        child = pulumi.ResourceOptions(parent=self)
        deps: list[pulumi.Resource] = []
        if args.operator is not None:
            op = args.operator
            op_ns = op.namespace or layout.namespace
            values = dict(op.values)
            if op_ns != layout.namespace:
                values.setdefault("watchNamespaces", [layout.namespace])
            self.operator_release = k8s.helm.v3.Release(
                f"{name}-operator",
                name="strimzi-kafka-operator",
                chart=op.chart,
                version=op.version,
                namespace=op_ns,
                values=values,
                opts=child,
            )
            deps.append(self.operator_release)

        def cr(suffix: str, doc: dict[str, Any], extra: pulumi.ResourceOptions | None = None) -> Any:
            return k8s.apiextensions.CustomResource(
                f"{name}-{suffix}",
                api_version=doc["apiVersion"],
                kind=doc["kind"],
                metadata=doc["metadata"],
                spec=doc["spec"],
                opts=merge_opts(child, pulumi.ResourceOptions(depends_on=list(deps)), extra),
            )

        self.node_pools = [cr(f"pool-{p['metadata']['name']}", p) for p in pools]
        self.kafka = cr("kafka", kafka_doc)
        deps.append(self.kafka)
        self.topic = cr("topic", topic_doc, args.protection.options())

        self.user_secret_name = None
        creds = CredentialsSource(CredentialsKind.NONE)
        if auth is not None:
            user = m.user_name(c)
            password_ref = None
            given = given_password(c)
            if given is not None:
                # The contract holds a password: hand it to the User Operator instead of letting it
                # generate one, so both sides use the same value.
                pw_secret = k8s.core.v1.Secret(
                    f"{name}-mimir-password",
                    metadata={"name": f"{user}-password", "namespace": layout.namespace},
                    string_data={"password": pulumi.Output.secret(given)},
                    opts=child,
                )
                deps.append(pw_secret)
                password_ref = (f"{user}-password", "password")
            self.user = cr("user", m.kafka_user(c, req, layout, password_ref))
            # The User Operator writes a Secret named like the KafkaUser.
            self.user_secret_name = user
            ns = layout.namespace
            if auth == "scram-sha-512":
                assert isinstance(c.sasl, ScramAuth)
                creds = CredentialsSource(
                    CredentialsKind.SECRET,
                    username=c.sasl.username,
                    password_ref=SecretKeyRef(user, "password", ns),
                )
            else:
                creds = CredentialsSource(
                    CredentialsKind.CLIENT_CERT,
                    username=user,
                    cert_ref=SecretKeyRef(user, "user.crt", ns),
                    key_ref=SecretKeyRef(user, "user.key", ns),
                )

        self.cluster_ca_secret_name = f"{layout.cluster_name}-cluster-ca-cert"
        bootstrap = m.bootstrap_address(c, layout)
        ca = (
            CaSource(
                CaKind.SECRET, secret=SecretKeyRef(self.cluster_ca_secret_name, "ca.crt", layout.namespace)
            )
            if c.tls.enabled
            else CaSource(CaKind.NONE)
        )
        mechanism: SaslMechanism | None = mechanism_of(c)
        topic_name = topic_doc["spec"].get("topicName", topic_doc["metadata"]["name"])
        self.endpoint = KafkaEndpoint(
            bootstrap_brokers=bootstrap,
            port=m.listener_port(c),
            mechanism=mechanism,
            tls=c.tls.enabled,
            topic_name=topic_name,
            ca=ca,
            credentials=creds,
            extra={
                "flavor": c.flavor.value,
                "namespace": layout.namespace,
                "cluster_name": layout.cluster_name,
            },
        )
        self.bootstrap_brokers = pulumi.Output.from_input(bootstrap)
        self.topic_name = pulumi.Output.from_input(topic_name)
        self.topic_state = topic_state(topic_name, req.partitions, cluster_id)
        outputs = {**self.endpoint.to_outputs(), "topic_state": self.topic_state}
        if self.user_secret_name:
            outputs["user_secret_name"] = self.user_secret_name
        self.register_outputs(outputs)
