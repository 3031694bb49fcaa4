"""``MskKafka``: an Amazon MSK provisioned cluster (Standard or Express brokers) built for Mimir.

Broker configuration, topic, auth paths and (for SCRAM) Mimir's user all come from the contract. The
topic is created through MSK's control plane (``aws.msk.Topic``), so Pulumi needs no network path
into the VPC.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from mimirkafka.contract.model import IngestStorageContract, KafkaFlavor, ScramAuth
from mimirkafka.kafka import msk_plan as plan
from mimirkafka.kafka._contract import given_password, mechanism_of, requirements_for
from mimirkafka.kafka.endpoint import CaKind, CaSource, CredentialsKind, CredentialsSource, KafkaEndpoint
from mimirkafka.kafka.msk_resources import client_security_group, control_plane_topic, managed_tags
from mimirkafka.kafka.protection import (
    DeployedTopic,
    TopicProtection,
    check_contract_topic,
    merge_opts,
    topic_state,
)


@dataclass
class MskBrokerLogs:
    """Broker logs to CloudWatch Logs (a log group is created) and/or S3."""

    cloudwatch: bool = True
    retention_days: int = 14
    s3_bucket: pulumi.Input[str] | None = None
    s3_prefix: str | None = None


@dataclass
class MskKafkaArgs:
    contract: IngestStorageContract
    vpc_id: pulumi.Input[str]
    #: 2 or 3 subnets in distinct AZs (3 for Express).
    subnet_ids: Sequence[pulumi.Input[str]]
    #: Who may connect: CIDR blocks and/or security groups (Mimir's nodes), on the enabled ports only.
    client_cidr_blocks: Sequence[str] = ()
    client_security_group_ids: Sequence[pulumi.Input[str]] = ()
    cluster_name: str | None = None
    instance_type: str = "kafka.m7g.large"
    #: A multiple of len(subnet_ids).
    broker_count: int = 3
    #: EBS GiB per broker (Standard only; Express storage is pay-as-you-go).
    volume_size_gib: int = 1000
    #: Exact MSK version string; default: the KRaft build of the contract's kafka_version.
    kafka_version: str | None = None
    #: More client paths besides Mimir's (e.g. ["iam"] for admin tooling): "scram", "iam", "mtls", "tls".
    extra_auth: Sequence[str] = ()
    #: ACM Private CA ARNs for mTLS.
    certificate_authority_arns: Sequence[pulumi.Input[str]] = ()
    #: Customer-managed KMS key for encryption at rest and the SCRAM secret; created when ``None``.
    kms_key_arn: pulumi.Input[str] | None = None
    #: Secret name for Mimir's SCRAM user (must start with ``AmazonMSK_``); default derived.
    scram_secret_name: str | None = None
    broker_logs: MskBrokerLogs | None = None
    #: Prometheus JMX and node exporters on the brokers (opens 11001/11002 to the clients).
    open_monitoring: bool = False
    protection: TopicProtection = field(default_factory=TopicProtection)
    previous: DeployedTopic | None = None
    tags: dict[str, str] = field(default_factory=dict)


class MskKafka(pulumi.ComponentResource):
    endpoint: KafkaEndpoint
    bootstrap_brokers: pulumi.Output[str]
    topic_name: pulumi.Output[str]
    cluster_arn: pulumi.Output[str]
    mimir_username: pulumi.Output[str] | None
    mimir_password: pulumi.Output[str] | None
    scram_secret_arn: pulumi.Output[str] | None

    def __init__(self, name: str, args: MskKafkaArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("mimirkafka:kafka:MskKafka", name, None, opts)
        c = args.contract
        req = requirements_for(c, "MskKafka", (KafkaFlavor.MSK_PROVISIONED, KafkaFlavor.MSK_EXPRESS))
        # --- plan and validate everything before the first resource ----------------------------
        express = plan.is_express(c)
        cluster_name = args.cluster_name or name
        version = plan.msk_kafka_version(c, args.kafka_version)
        methods = plan.auth_methods(c, args.extra_auth)
        plan.check_mtls(methods, args.certificate_authority_arns)
        plan.check_brokers(c, args.broker_count, len(args.subnet_ids), args.instance_type)
        properties = plan.server_properties(c, req.broker_config)
        ports = plan.security_group_ports(methods, args.open_monitoring)
        primary = methods[0]
        scram_name = (
            plan.ScramSecretName.for_user(cluster_name, c.sasl.username, args.scram_secret_name)
            if isinstance(c.sasl, ScramAuth)
            else None
        )
        plan.check_clients(args.client_cidr_blocks, args.client_security_group_ids, "the brokers")
        if express and args.broker_logs is not None:
            pulumi.log.warn(
                "broker_logs on MSK Express: CreateCluster has rejected broker logs for Express types "
                "(terraform-aws-msk-kafka-cluster #47); check against the live API",
                resource=self,
            )
        check_contract_topic(c, req.partitions, cluster_name, args.previous)
        child = pulumi.ResourceOptions(parent=self)
        tags = managed_tags(args.tags)

        # --- KMS key (at rest, SCRAM secret) --------------------------------------------------
        kms_arn: pulumi.Input[str]
        if args.kms_key_arn is None:
            self.kms_key = aws.kms.Key(
                f"{name}-kms",
                description=f"MSK {cluster_name}: encryption at rest and SCRAM secrets",
                enable_key_rotation=True,
                deletion_window_in_days=30,
                tags=tags,
                opts=child,
            )
            kms_arn = self.kms_key.arn
        else:
            kms_arn = args.kms_key_arn

        # --- network --------------------------------------------------------------------------
        self.security_group = client_security_group(
            name,
            vpc_id=args.vpc_id,
            ports=ports,
            cidr_blocks=args.client_cidr_blocks,
            security_group_ids=args.client_security_group_ids,
            description=f"MSK {cluster_name}: client ports {ports}",
            tags=tags,
            opts=child,
        )

        # --- broker configuration -------------------------------------------------------------
        # A configuration's kafka_versions cannot change and names must be unique: a version change
        # creates a new, differently named configuration before the old one goes.
        suffix = hashlib.sha256(f"{version}\n{properties}".encode()).hexdigest()[:8]
        self.configuration = aws.msk.Configuration(
            f"{name}-config",
            name=f"{cluster_name}-{suffix}",
            kafka_versions=[version],
            server_properties=properties,
            description="Broker configuration derived from the Mimir ingest-storage contract",
            opts=child,
        )

        # --- cluster --------------------------------------------------------------------------
        auth = plan.client_authentication(methods, args.certificate_authority_arns)
        logging_info = None
        if args.broker_logs is not None:
            logs = args.broker_logs
            broker_logs: dict[str, Any] = {}
            if logs.cloudwatch:
                self.log_group = aws.cloudwatch.LogGroup(
                    f"{name}-broker-logs",
                    name=f"/aws/msk/{cluster_name}",
                    retention_in_days=logs.retention_days,
                    tags=tags,
                    opts=child,
                )
                broker_logs["cloudwatch_logs"] = {"enabled": True, "log_group": self.log_group.name}
            if logs.s3_bucket is not None:
                broker_logs["s3"] = {"enabled": True, "bucket": logs.s3_bucket, "prefix": logs.s3_prefix}
            logging_info = {"broker_logs": broker_logs}
        node_group: dict[str, Any] = {
            "client_subnets": list(args.subnet_ids),
            "instance_type": args.instance_type,
            "security_groups": [self.security_group.id],
        }
        if not express:
            node_group["storage_info"] = {"ebs_storage_info": {"volume_size": args.volume_size_gib}}
        cluster_args: dict[str, Any] = {
            "cluster_name": cluster_name,
            "kafka_version": version,
            "number_of_broker_nodes": args.broker_count,
            "broker_node_group_info": node_group,
            "configuration_info": {
                "arn": self.configuration.arn,
                "revision": self.configuration.latest_revision,
            },
            "encryption_info": {
                "encryption_at_rest_kms_key_arn": kms_arn,
                # TLS only, between clients and brokers and between brokers.
                "encryption_in_transit": {"client_broker": "TLS", "in_cluster": True},
            },
            "client_authentication": auth,
            "logging_info": logging_info,
            "tags": tags,
        }
        if args.open_monitoring:
            cluster_args["open_monitoring"] = {
                "prometheus": {
                    "jmx_exporter": {"enabled_in_broker": True},
                    "node_exporter": {"enabled_in_broker": True},
                }
            }
        self.cluster = aws.msk.Cluster(f"{name}-cluster", opts=child, **cluster_args)

        # --- SCRAM user -----------------------------------------------------------------------
        self.mimir_username = None
        self.mimir_password = None
        self.scram_secret_arn = None
        if scram_name is not None:
            assert isinstance(c.sasl, ScramAuth)
            given = given_password(c)
            if given is None:
                given = random.RandomPassword(
                    f"{name}-mimir-password", length=32, special=False, opts=child
                ).result
            self.mimir_password = pulumi.Output.secret(given)
            self.mimir_username = pulumi.Output.from_input(c.sasl.username)
            self.scram_secret = aws.secretsmanager.Secret(
                f"{name}-scram-secret",
                name=scram_name.value,
                kms_key_id=kms_arn,
                description=f"SCRAM credentials of {c.sasl.username} on MSK {cluster_name}",
                tags=tags,
                opts=child,
            )
            username = c.sasl.username
            secret_version = aws.secretsmanager.SecretVersion(
                f"{name}-scram-secret-value",
                secret_id=self.scram_secret.id,
                # Derived from a secret Output, so the JSON stays secret.
                secret_string=self.mimir_password.apply(
                    lambda p: json.dumps({"username": username, "password": p})
                ),
                opts=child,
            )
            secret_policy = aws.secretsmanager.SecretPolicy(
                f"{name}-scram-secret-policy",
                secret_arn=self.scram_secret.arn,
                policy=self.scram_secret.arn.apply(lambda arn: json.dumps(plan.scram_secret_policy(arn))),
                opts=child,
            )
            self.scram_association = aws.msk.ScramSecretAssociation(
                f"{name}-scram-association",
                cluster_arn=self.cluster.arn,
                secret_arn_lists=[self.scram_secret.arn],
                opts=merge_opts(child, pulumi.ResourceOptions(depends_on=[secret_version, secret_policy])),
            )
            self.scram_secret_arn = self.scram_secret.arn

        # --- topic (control plane) ------------------------------------------------------------
        self.topic = control_plane_topic(
            name,
            cluster_arn=self.cluster.arn,
            contract=c,
            req=req,
            protection=args.protection,
            opts=child,
        )

        # --- outputs --------------------------------------------------------------------------
        self.bootstrap_brokers = getattr(self.cluster, plan.BOOTSTRAP_OUTPUT[primary])
        self.cluster_arn = self.cluster.arn
        self.topic_name = self.topic.name
        if primary is plan.MskAuth.SCRAM:
            creds = CredentialsSource(
                CredentialsKind.PASSWORD, username=self.mimir_username, password=self.mimir_password
            )
        elif primary is plan.MskAuth.IAM:
            creds = CredentialsSource(CredentialsKind.IAM)
        elif primary is plan.MskAuth.MTLS:
            creds = CredentialsSource(CredentialsKind.CLIENT_CERT)
        else:
            creds = CredentialsSource(CredentialsKind.NONE)
        self.endpoint = KafkaEndpoint(
            bootstrap_brokers=self.bootstrap_brokers,
            port=plan.PORTS[primary],
            mechanism=mechanism_of(c),
            tls=True,
            topic_name=self.topic.name,
            # MSK brokers present Amazon-trusted certificates: the system trust store verifies them.
            ca=CaSource(CaKind.SYSTEM),
            credentials=creds,
            extra={
                "flavor": c.flavor.value,
                "cluster_arn": self.cluster.arn,
                "auth_methods": [m.value for m in methods],
                "kafka_version": version,
            },
        )
        self.topic_state = topic_state(self.topic.name, req.partitions, cluster_name)
        outputs = {**self.endpoint.to_outputs(), "topic_state": self.topic_state}
        if self.scram_secret_arn is not None:
            outputs["scram_secret_arn"] = self.scram_secret_arn
        self.register_outputs(outputs)
