"""The resources ``MskKafka`` and ``MskServerlessKafka`` build alike: client security group and topic.

Both clusters sit in the user's VPC behind a security group of their own, and both create the topic
through MSK's control plane (``aws.msk.Topic``), so Pulumi needs no network path into the VPC.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from mimirkafka.contract.model import IngestStorageContract
from mimirkafka.kafka import msk_plan as plan
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
