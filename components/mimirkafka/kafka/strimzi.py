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

from mimirkafka.contract.errors import Problem
from mimirkafka.contract.kafka_side import KafkaRequirements
from mimirkafka.contract.model import IngestStorageContract, KafkaFlavor, ScramAuth
from mimirkafka.contract.validation import warnings as contract_warnings
from mimirkafka.kafka import strimzi_manifests as m
from mimirkafka.kafka._contract import Problems, given_password, mechanism_of, requirements_for
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


@dataclass(frozen=True)
class StrimziPlan:
    """Everything :class:`StrimziKafka` will create, computed without a resource."""

    requirements: KafkaRequirements
    cluster_id: str
    kafka: dict[str, Any]
    node_pools: list[dict[str, Any]]
    topic: dict[str, Any]
    #: The listener authentication (``scram-sha-512``, ``tls``) or ``None``.
    authentication: str | None
    #: The ``KafkaUser`` CR, or ``None`` without authentication.
    user: dict[str, Any] | None
    #: The contract's password, handed to the User Operator in this Secret (name, key); else generated.
    password_secret: tuple[str, str] | None
    cluster_ca_secret_name: str
    #: How Mimir reaches the cluster: operator-written Secrets, referenced by name (pure).
    endpoint: KafkaEndpoint
    warnings: tuple[Problem, ...]


def plan_strimzi(args: StrimziKafkaArgs) -> StrimziPlan:
    """The pure plan of :class:`StrimziKafka`; raises ``ContractError`` with every problem."""
    c, layout = args.contract, args.layout
    problems = Problems()
    req = problems.run(lambda: requirements_for(c, "StrimziKafka", (KafkaFlavor.STRIMZI,)))
    problems.raise_if_any()
    assert req is not None
    cluster_id = f"{layout.namespace}/{layout.cluster_name}"
    kafka_doc = problems.run(lambda: m.kafka_cr(c, req, layout))
    pools = problems.run(lambda: m.node_pools(layout))
    topic_doc = problems.run(lambda: m.kafka_topic(c, req, layout))
    auth = problems.run(lambda: m.listener_authentication(c))
    problems.run(lambda: check_contract_topic(c, req.partitions, cluster_id, args.previous))
    problems.raise_if_any()
    assert kafka_doc is not None and pools is not None and topic_doc is not None

    ns = layout.namespace
    user_doc, password_secret = None, None
    creds = CredentialsSource(CredentialsKind.NONE)
    if auth is not None:
        user = m.user_name(c)
        if given_password(c) is not None:
            # The contract holds a password: hand it to the User Operator instead of letting it
            # generate one, so both sides use the same value.
            password_secret = (f"{user}-password", "password")
        user_doc = problems.run(lambda: m.kafka_user(c, req, layout, password_secret))
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
    problems.raise_if_any()
    ca_secret = f"{layout.cluster_name}-cluster-ca-cert"
    ca = (
        CaSource(CaKind.SECRET, secret=SecretKeyRef(ca_secret, "ca.crt", ns))
        if c.tls.enabled
        else CaSource(CaKind.NONE)
    )
    endpoint = KafkaEndpoint(
        bootstrap_brokers=m.bootstrap_address(c, layout),
        port=m.listener_port(c),
        mechanism=mechanism_of(c),
        tls=c.tls.enabled,
        topic_name=topic_doc["spec"].get("topicName", topic_doc["metadata"]["name"]),
        ca=ca,
        credentials=creds,
        extra={"flavor": c.flavor.value, "namespace": ns, "cluster_name": layout.cluster_name},
    )
    return StrimziPlan(
        requirements=req,
        cluster_id=cluster_id,
        kafka=kafka_doc,
        node_pools=pools,
        topic=topic_doc,
        authentication=auth,
        user=user_doc,
        password_secret=password_secret,
        cluster_ca_secret_name=ca_secret,
        endpoint=endpoint,
        warnings=tuple(contract_warnings(c)),
    )


class StrimziKafka(pulumi.ComponentResource):
    endpoint: KafkaEndpoint
    bootstrap_brokers: pulumi.Output[str]
    topic_name: pulumi.Output[str]
    cluster_ca_secret_name: str
    user_secret_name: str | None

    def __init__(self, name: str, args: StrimziKafkaArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        # Plan first: no resource (not even this component) is registered while a problem exists.
        plan = self.plan = plan_strimzi(args)
        super().__init__("mimirkafka:kafka:StrimziKafka", name, None, opts)
        c, layout = args.contract, args.layout
        req, cluster_id = plan.requirements, plan.cluster_id
        kafka_doc, pools, topic_doc = plan.kafka, plan.node_pools, plan.topic
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

        # The node pools and the Kafka CR hold the topic's data (the operator deletes the brokers and,
        # with deleteClaim, their volumes with them), so they get the topic's protection too. Found
        # against a real API server: with only the KafkaTopic protected, `pulumi destroy` of the
        # staging stack deleted both KafkaNodePools before it stopped at the protected topic.
        self.node_pools = [cr(f"pool-{p['metadata']['name']}", p, args.protection.options()) for p in pools]
        self.kafka = cr("kafka", kafka_doc, args.protection.options())
        deps.append(self.kafka)
        self.topic = cr("topic", topic_doc, args.protection.options())

        self.user_secret_name = None
        if plan.user is not None:
            user = m.user_name(c)
            given = given_password(c)
            if plan.password_secret is not None and given is not None:
                secret_name, secret_key = plan.password_secret
                pw_secret = k8s.core.v1.Secret(
                    f"{name}-mimir-password",
                    metadata={"name": secret_name, "namespace": layout.namespace},
                    string_data={secret_key: pulumi.Output.secret(given)},
                    opts=child,
                )
                deps.append(pw_secret)
            self.user = cr("user", plan.user)
            # The User Operator writes a Secret named like the KafkaUser.
            self.user_secret_name = user

        self.cluster_ca_secret_name = plan.cluster_ca_secret_name
        self.endpoint = plan.endpoint
        bootstrap, topic_name = plan.endpoint.bootstrap_brokers, plan.endpoint.topic_name
        self.bootstrap_brokers = pulumi.Output.from_input(bootstrap)
        self.topic_name = pulumi.Output.from_input(topic_name)
        self.topic_state = topic_state(topic_name, req.partitions, cluster_id)
        outputs = {**self.endpoint.to_outputs(), "topic_state": self.topic_state}
        if self.user_secret_name:
            outputs["user_secret_name"] = self.user_secret_name
        self.register_outputs(outputs)
