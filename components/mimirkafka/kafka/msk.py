"""``MskKafka``: an Amazon MSK provisioned cluster (Standard or Express brokers) built for Mimir.

Broker configuration, topic, auth paths and (for SCRAM) Mimir's user all come from the contract. Everything
is decided first by :func:`~mimirkafka.kafka.msk_plan.plan_msk` (pure; every problem at once), then built.

The topic goes through ``topic_route``: MSK's control plane (``aws.msk.Topic``, no network path needed, no
ACLs), or a Kafka-protocol route with IAM (:mod:`mimirkafka.kafka.kafka_admin_route`), which also applies
Mimir's least-privilege ACLs for ``acl_enforcement`` staged/enforced. Storage: EBS size (1-16384 GiB),
optional Application Auto Scaling of it and provisioned throughput; Express refuses all three.

All AWS resources here are tested under Pulumi mocks only (tests/unit/test_kafka_msk*.py): no AWS stand-in
runs in this repository.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from mimirkafka.contract.model import IngestStorageContract, ScramAuth
from mimirkafka.kafka import msk_plan as plan
from mimirkafka.kafka._contract import given_password, mechanism_of
from mimirkafka.kafka.endpoint import CaKind, CaSource, CredentialsKind, CredentialsSource, KafkaEndpoint
from mimirkafka.kafka.kafka_admin_route import AclEnforcement, AdminRouteSettings, TopicRoute
from mimirkafka.kafka.msk_plan import StorageAutoscaling
from mimirkafka.kafka.msk_resources import (
    client_security_group,
    control_plane_topic,
    kafka_deployer_policy,
    log_warnings,
    managed_tags,
    route_topic,
    storage_autoscaling,
)
from mimirkafka.kafka.protection import DeployedTopic, TopicProtection, merge_opts, topic_state


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
    #: EBS GiB per broker, 1-16384 (Standard only; default 1000). Express refuses it: MSK manages its storage.
    volume_size_gib: int | None = None
    #: Application Auto Scaling of the EBS volumes (Standard only); Pulumi then ignores volume_size drift.
    storage_autoscaling: StorageAutoscaling | None = None
    #: Provisioned EBS throughput in MiB/s (kafka.m5.4xlarge / kafka.m7g.2xlarge and larger, volumes of
    #: 10 GiB or more).
    provisioned_throughput_mibps: float | None = None
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
    #: How the topic (and ACLs) are created: control-plane (default), kafka-provider or kubernetes-job.
    topic_route: TopicRoute | None = TopicRoute.CONTROL_PLANE
    #: Connection and Job settings of the Kafka-protocol routes, and the ACLs of other principals in use.
    admin_route: AdminRouteSettings = field(default_factory=AdminRouteSettings)
    #: off (MSK's default: no ACLs), staged (ACLs created) or enforced (allow.everyone.if.no.acl.found=false).
    acl_enforcement: AclEnforcement = AclEnforcement.OFF
    #: Log the plan's warnings on the component; False when the caller shows them (the stack does).
    log_warnings: bool = True
    #: What the last ``up`` applied (the ``acl_enforcement`` output); needed to enforce on a cluster in use.
    deployed_acl_enforcement: AclEnforcement | None = None


class MskKafka(pulumi.ComponentResource):
    endpoint: KafkaEndpoint
    bootstrap_brokers: pulumi.Output[str]
    topic_name: pulumi.Output[str]
    cluster_arn: pulumi.Output[str]
    mimir_username: pulumi.Output[str] | None
    mimir_password: pulumi.Output[str] | None
    scram_secret_arn: pulumi.Output[str] | None

    def __init__(self, name: str, args: MskKafkaArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        # Everything is decided (and every problem raised) before the component registers.
        p = plan.plan_msk(args if args.cluster_name else dataclasses.replace(args, cluster_name=name))
        super().__init__("mimirkafka:kafka:MskKafka", name, None, opts)
        self.plan = p
        c = args.contract
        req = p.requirements
        cluster_name, version, methods, primary = p.cluster_name, p.kafka_version, p.methods, p.primary
        if args.log_warnings:
            log_warnings(p.warnings, self, p.contract_warnings)
        child = pulumi.ResourceOptions(parent=self)
        tags = managed_tags(args.tags)
        ports = list(p.ports)

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
        properties = p.server_properties
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
        storage = plan.storage_info(p)
        if storage is not None:
            node_group["storage_info"] = storage
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
        cluster_opts = child
        if p.autoscaling is not None:
            # Auto scaling grows the volumes; Pulumi must not try to set them back (MSK cannot shrink them).
            cluster_opts = merge_opts(
                child,
                pulumi.ResourceOptions(
                    ignore_changes=["brokerNodeGroupInfo.storageInfo.ebsStorageInfo.volumeSize"]
                ),
            )
        self.cluster = aws.msk.Cluster(f"{name}-cluster", opts=cluster_opts, **cluster_args)
        if p.autoscaling is not None:
            self.storage_scaling = storage_autoscaling(
                name, cluster_arn=self.cluster.arn, settings=p.autoscaling, tags=tags, opts=child
            )

        # --- SCRAM user -----------------------------------------------------------------------
        self.mimir_username = None
        self.mimir_password = None
        self.scram_secret_arn = None
        scram_name = p.scram_secret_name
        user_deps: list[pulumi.Resource] = []
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
                name=scram_name,
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
            user_deps.append(self.scram_association)

        # --- topic and ACLs (control plane or a Kafka-protocol route) ---------------------------
        self.scram_credential = None  # MSK's SCRAM users are Secrets Manager secrets, not Kafka credentials
        self.acls: list[pulumi.Resource] = []
        self.topic: pulumi.Resource
        if p.admin is None:
            self.topic = control_plane_topic(
                name,
                cluster_arn=self.cluster.arn,
                contract=c,
                req=req,
                protection=args.protection,
                opts=child,
            )
            self.topic_name = self.topic.name
        else:
            routed = route_topic(
                name,
                route=p.topic_route,
                plan=p.admin,
                iam_bootstrap=self.cluster.bootstrap_brokers_sasl_iam,
                settings=args.admin_route,
                protection=args.protection,
                # The SCRAM user exists before its ACLs (an ACL for a principal nobody can log in as is
                # harmless, but Mimir is rolled out against a finished user).
                opts=merge_opts(child, pulumi.ResourceOptions(depends_on=[self.cluster, *user_deps])),
            )
            self.topic, self.acls = routed.topic, routed.acls
            self.topic_name = routed.topic_name

        # --- outputs --------------------------------------------------------------------------
        self.bootstrap_brokers = getattr(self.cluster, plan.BOOTSTRAP_OUTPUT[primary])
        self.cluster_arn = self.cluster.arn
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
            topic_name=self.topic_name,
            # MSK brokers present Amazon-trusted certificates: the system trust store verifies them.
            ca=CaSource(CaKind.SYSTEM),
            credentials=creds,
            extra={
                "flavor": c.flavor.value,
                "cluster_arn": self.cluster.arn,
                "auth_methods": [m.value for m in methods],
                "kafka_version": version,
                "topic_route": p.topic_route.value,
                "acl_enforcement": p.acl_enforcement.value,
            },
        )
        self.topic_state = topic_state(self.topic_name, req.partitions, cluster_name)
        self.acl_enforcement = p.acl_enforcement
        outputs = {
            **self.endpoint.to_outputs(),
            "topic_state": self.topic_state,
            "acl_enforcement": p.acl_enforcement.value,
            "topic_route": p.topic_route.value,
        }
        #: The IAM policy ``pulumi up`` of this component needs (Kafka side; see docs/kafka.md).
        self.deployer_policy = kafka_deployer_policy(
            args if args.cluster_name else dataclasses.replace(args, cluster_name=name), self
        )
        outputs["deployer_policy"] = self.deployer_policy
        if self.scram_secret_arn is not None:
            outputs["scram_secret_arn"] = self.scram_secret_arn
        self.register_outputs(outputs)
