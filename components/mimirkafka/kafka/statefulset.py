"""``KraftStatefulSetKafka``: a plain apache/kafka KRaft StatefulSet (1 or 3 nodes) for dev and CI.

The topic is created by a Kubernetes Job running ``kafka-topics.sh`` inside the cluster, not by
pulumi-kafka: the brokers advertise in-cluster pod DNS names, which the machine running Pulumi
usually cannot reach, while a Job always can. The Job is idempotent and never deletes the topic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from mimirkafka.contract.errors import Problem
from mimirkafka.contract.kafka_side import KafkaRequirements
from mimirkafka.contract.model import IngestStorageContract, KafkaFlavor
from mimirkafka.contract.validation import warnings as contract_warnings
from mimirkafka.kafka import statefulset_manifests as m
from mimirkafka.kafka._contract import Problems, requirements_for
from mimirkafka.kafka.endpoint import CaKind, CaSource, CredentialsKind, CredentialsSource, KafkaEndpoint
from mimirkafka.kafka.protection import (
    DeployedTopic,
    TopicProtection,
    check_contract_topic,
    merge_opts,
    topic_state,
)


@dataclass
class KraftStatefulSetKafkaArgs:
    contract: IngestStorageContract
    layout: m.KraftLayout = field(default_factory=m.KraftLayout)
    #: Applied to the StatefulSet (it holds the topic's data); ``TopicProtection.ephemeral()`` in CI.
    protection: TopicProtection = field(default_factory=TopicProtection)
    previous: DeployedTopic | None = None
    #: The brokers' volume size as deployed (the ``storage_size`` output of the last run). A StatefulSet's
    #: ``volumeClaimTemplates`` are immutable: a different size would make Kubernetes replace the
    #: StatefulSet (every broker down at once) while the existing claims keep their size, so it is refused.
    deployed_storage_size: str | None = None


@dataclass(frozen=True)
class KraftPlan:
    """Everything :class:`KraftStatefulSetKafka` will create, computed without a resource."""

    requirements: KafkaRequirements
    cluster_id: str
    statefulset: dict[str, Any]
    services: list[dict[str, Any]]
    pdb: dict[str, Any]
    topic_job: dict[str, Any]
    bootstrap: str
    warnings: tuple[Problem, ...]


def plan_kraft(args: KraftStatefulSetKafkaArgs) -> KraftPlan:
    """The pure plan of :class:`KraftStatefulSetKafka`; raises ``ContractError`` with every problem."""
    c, layout = args.contract, args.layout
    problems = Problems()
    req = problems.run(lambda: requirements_for(c, "KraftStatefulSetKafka", (KafkaFlavor.APACHE,)))
    problems.raise_if_any()
    assert req is not None
    cluster_id = f"{layout.namespace}/{layout.name}"
    problems.run(lambda: m.check_supported(c, req, layout))
    problems.run(lambda: check_contract_topic(c, req.partitions, cluster_id, args.previous))
    if args.deployed_storage_size and args.deployed_storage_size != layout.storage_size:
        problems.found.append(
            Problem(
                "layout.storage_size",
                layout.storage_size,
                f"the brokers' volumes are {args.deployed_storage_size}; a StatefulSet's "
                "volumeClaimTemplates cannot change, so Kubernetes would replace the StatefulSet (every "
                "broker down at once) and the existing volumes would keep their size",
                f"keep storage_size={args.deployed_storage_size}; grow the disks by resizing each "
                "PersistentVolumeClaim (a StorageClass with allowVolumeExpansion), or use StrimziKafka, "
                "which resizes in place",
            )
        )
    problems.raise_if_any()
    return KraftPlan(
        requirements=req,
        cluster_id=cluster_id,
        statefulset=m.statefulset(c, req, layout),
        services=m.services(layout),
        pdb=m.pdb(layout),
        topic_job=m.topic_job(c, req, layout),
        bootstrap=m.bootstrap_address(layout),
        warnings=tuple(contract_warnings(c)),
    )


class KraftStatefulSetKafka(pulumi.ComponentResource):
    endpoint: KafkaEndpoint
    bootstrap_brokers: pulumi.Output[str]
    topic_name: pulumi.Output[str]

    def __init__(
        self, name: str, args: KraftStatefulSetKafkaArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        # Plan first: no resource (not even this component) is registered while a problem exists.
        plan = self.plan = plan_kraft(args)
        super().__init__("mimirkafka:kafka:KraftStatefulSetKafka", name, None, opts)
        c, layout = args.contract, args.layout
        req, cluster_id = plan.requirements, plan.cluster_id
        sts_doc, svc_docs, pdb_doc, job_doc = plan.statefulset, plan.services, plan.pdb, plan.topic_job

        child = pulumi.ResourceOptions(parent=self)
        self.services = [
            k8s.core.v1.Service(f"{name}-svc-{i}", metadata=d["metadata"], spec=d["spec"], opts=child)
            for i, d in enumerate(svc_docs)
        ]
        self.statefulset = k8s.apps.v1.StatefulSet(
            f"{name}-sts",
            metadata=sts_doc["metadata"],
            spec=sts_doc["spec"],
            opts=merge_opts(child, args.protection.options()),
        )
        self.pdb = k8s.policy.v1.PodDisruptionBudget(
            f"{name}-pdb", metadata=pdb_doc["metadata"], spec=pdb_doc["spec"], opts=child
        )
        self.topic_job = k8s.batch.v1.Job(
            f"{name}-topic",
            metadata=job_doc["metadata"],
            spec=job_doc["spec"],
            opts=merge_opts(
                child,
                pulumi.ResourceOptions(
                    depends_on=[self.statefulset, *self.services],
                    # A finished Job's pod template cannot change: replace the Job, never patch it.
                    delete_before_replace=True,
                ),
            ),
        )
        bootstrap = plan.bootstrap
        self.endpoint = KafkaEndpoint(
            bootstrap_brokers=bootstrap,
            port=m.CLIENT_PORT,
            mechanism=None,
            tls=False,
            topic_name=c.topic.name,
            ca=CaSource(CaKind.NONE),
            credentials=CredentialsSource(CredentialsKind.NONE),
            extra={"flavor": c.flavor.value, "namespace": layout.namespace, "replicas": layout.replicas},
        )
        self.bootstrap_brokers = pulumi.Output.from_input(bootstrap)
        # Only known once the Job ran: Mimir must not start before the topic exists.
        self.topic_name = self.topic_job.metadata.apply(lambda _: c.topic.name)
        self.topic_state = topic_state(c.topic.name, req.partitions, cluster_id)
        self.storage_size = layout.storage_size
        self.register_outputs(
            {
                **self.endpoint.to_outputs(),
                "topic_state": self.topic_state,
                "storage_size": layout.storage_size,
            }
        )
