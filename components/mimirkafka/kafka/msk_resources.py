"""The resources ``MskKafka`` and ``MskServerlessKafka`` build alike: security group, topic, storage scaling.

Both clusters sit in the user's VPC behind a security group of their own. The topic goes through MSK's
control plane (``aws.msk.Topic``, provisioned clusters only) or one of the Kafka-protocol routes
(:func:`route_topic`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from mimirkafka.contract.errors import Problem
from mimirkafka.contract.model import IngestStorageContract
from mimirkafka.kafka import msk_plan as plan
from mimirkafka.kafka.admin_job import kubernetes_job_route
from mimirkafka.kafka.kafka_admin_route import (
    AdminPlan,
    AdminRouteSettings,
    RouteResources,
    TopicRoute,
    kafka_provider_route,
    msk_iam_provider_args,
)
from mimirkafka.kafka.protection import TopicProtection, merge_opts


def managed_tags(extra: Mapping[str, str]) -> dict[str, str]:
    return {"managed-by": "mimirkafka", **extra}


def client_security_group(
    name: str,
    *,
    vpc_id: pulumi.Input[str],
    ports: Sequence[int],
    cidr_blocks: Sequence[str],
    security_group_ids: Sequence[pulumi.Input[str]],
    description: str,
    tags: Mapping[str, str],
    opts: pulumi.ResourceOptions,
) -> aws.ec2.SecurityGroup:
    """The cluster's security group: ``ports`` open to the clients only, any egress."""
    return aws.ec2.SecurityGroup(
        f"{name}-sg",
        vpc_id=vpc_id,
        description=description,
        ingress=plan.client_ingress(ports, cidr_blocks, security_group_ids),  # type: ignore[arg-type]
        egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}],
        tags=dict(tags),
        opts=opts,
    )


def control_plane_topic(
    name: str,
    *,
    cluster_arn: pulumi.Input[str],
    contract: IngestStorageContract,
    req: Any,
    protection: TopicProtection,
    opts: pulumi.ResourceOptions,
) -> aws.msk.Topic:
    """The ingest topic with the contract's partitions, replication factor and topic configs."""
    return aws.msk.Topic(
        f"{name}-topic",
        cluster_arn=cluster_arn,
        name=contract.topic.name,
        partition_count=req.partitions,
        replication_factor=req.replication_factor,
        configs=json.dumps(req.topic_config, sort_keys=True),
        opts=merge_opts(opts, protection.options()),
    )


def log_warnings(
    warnings: Sequence[Problem], resource: pulumi.Resource, contract_warnings: Sequence[str] = ()
) -> None:
    """The plan's warnings, shown by ``pulumi preview``/``up`` on the component."""
    for text in [*map(str, warnings), *contract_warnings]:
        pulumi.log.warn(text, resource=resource)


def route_topic(
    name: str,
    *,
    route: TopicRoute,
    plan: AdminPlan,
    iam_bootstrap: pulumi.Input[str],
    settings: AdminRouteSettings,
    protection: TopicProtection,
    opts: pulumi.ResourceOptions,
) -> RouteResources:
    """The topic and ACLs over the Kafka protocol with IAM, by the chosen route."""
    if route is TopicRoute.KAFKA_PROVIDER:
        return kafka_provider_route(
            name,
            plan=plan,
            provider_args=msk_iam_provider_args(iam_bootstrap, settings),
            protection=protection,
            opts=opts,
        )
    return kubernetes_job_route(name, plan=plan, bootstrap=iam_bootstrap, settings=settings, opts=opts)


def storage_autoscaling(
    name: str,
    *,
    cluster_arn: pulumi.Input[str],
    settings: plan.StorageAutoscaling,
    tags: Mapping[str, str],
    opts: pulumi.ResourceOptions,
) -> tuple[aws.appautoscaling.Target, aws.appautoscaling.Policy]:
    """Application Auto Scaling of the brokers' EBS volumes: a target on ``kafka:broker-storage:VolumeSize``
    and a target-tracking policy on ``KafkaBrokerStorageUtilization`` (as
    terraform-aws-modules/terraform-aws-msk-kafka-cluster@012f22a:main.tf does; AWS
    msk-autoexpand-details.html for the bounds)."""
    target = aws.appautoscaling.Target(
        f"{name}-storage-scaling",
        service_namespace="kafka",
        scalable_dimension="kafka:broker-storage:VolumeSize",
        resource_id=cluster_arn,
        min_capacity=1,
        max_capacity=settings.max_volume_size_gib,
        role_arn=settings.role_arn,
        tags=dict(tags),
        opts=opts,
    )
    policy = aws.appautoscaling.Policy(
        f"{name}-storage-scaling-policy",
        policy_type="TargetTrackingScaling",
        resource_id=target.resource_id,
        scalable_dimension=target.scalable_dimension,
        service_namespace=target.service_namespace,
        target_tracking_scaling_policy_configuration={
            "predefined_metric_specification": {"predefined_metric_type": "KafkaBrokerStorageUtilization"},
            "target_value": settings.target_utilization_percent,
        },
        opts=opts,
    )
    return target, policy


def kafka_deployer_policy(args: Any, parent: pulumi.Resource) -> pulumi.Output[dict[str, Any]]:
    """The deployer's policy for this Kafka component (``deployer_policy.inputs_from_msk_args``), pinned to
    the provider's partition, region and account (invokes that need no permission beyond authentication)."""
    import dataclasses

    from mimirkafka.kafka.deployer_policy import deployer_policy, inputs_from_msk_args

    invoke = pulumi.InvokeOptions(parent=parent)
    inputs = inputs_from_msk_args(args)
    return pulumi.Output.all(
        aws.get_partition_output(opts=invoke).partition,
        aws.get_region_output(opts=invoke).region,
        aws.get_caller_identity_output(opts=invoke).account_id,
    ).apply(
        lambda v: deployer_policy(dataclasses.replace(inputs, partition=v[0], region=v[1], account_id=v[2]))
    )
