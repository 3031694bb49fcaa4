"""MSK topic routes and ACLs (under Pulumi mocks: no AWS stand-in exists here).

Serverless has no control-plane topic API, so its topic goes over the Kafka protocol with IAM; SCRAM clusters
get Mimir's least-privilege ACLs in a no-lock-out order and ``allow.everyone.if.no.acl.found=false`` only
once ACLs exist. Every refusal is shown to happen before any resource is registered.
"""

from __future__ import annotations

import dataclasses
import json

import pytest
from mimirkafka.contract import ContractError, KafkaFlavor, msk_iam, scram_over_tls
from mimirkafka.contract.kafka_side import AclRule
from mimirkafka.kafka import msk_plan as plan
from mimirkafka.kafka.acl_spelling import to_provider_acls
from mimirkafka.kafka.admin_job import render_admin_script
from mimirkafka.kafka.kafka_admin_route import (
    AclEnforcement,
    AdminRouteSettings,
    TopicRoute,
    acl_stages,
)
from mimirkafka.kafka.msk import MskKafka, MskKafkaArgs
from mimirkafka.kafka.msk_serverless import (
    MskServerlessKafka,
    MskServerlessKafkaArgs,
    fit_contract_to_serverless,
    plan_msk_serverless,
)
from mimirkafka.kafka.protection import DeployedTopic
from mocks import RecordingMocks, msk_brokers, run_program

SUBNETS = ["subnet-a", "subnet-b", "subnet-c"]
SLS_BOOTSTRAP = "boot-abc.c1.kafka-serverless.eu-west-1.amazonaws.com:9098"
JOB = AdminRouteSettings(job_namespace="mimir", job_service_account="mimirkafka-admin")
REGION = AdminRouteSettings(aws_region="eu-west-1")
ADMIN_ACL = AclRule("Topic", "Literal", "mimir-ingest", "Read", "User:ops-admin")


def _scram():
    return scram_over_tls(
        ["placeholder:9096"],
        "mimir",
        None,
        flavor=KafkaFlavor.MSK_PROVISIONED,
        kafka_version="3.9",
        consumer_group_prefix="mimir-ingester-",
    )


def _sls(**kw):
    c = fit_contract_to_serverless(msk_iam("serverless:9098", socket_path="/run/msk-iam/creds.sock"))
    kw.setdefault("client_security_group_ids", ["sg"])
    return MskServerlessKafkaArgs(contract=c, vpc_id="vpc-1", subnet_ids=SUBNETS, **kw)


def _msk(contract=None, **kw):
    kw.setdefault("client_security_group_ids", ["sg-mimir"])
    return MskKafkaArgs(
        contract=contract or _scram(), vpc_id="vpc-1", subnet_ids=SUBNETS, cluster_name="mimir", **kw
    )


def _refused_before_any_resource(build, match: str) -> ContractError:
    mocks = RecordingMocks()
    with pytest.raises(ContractError, match=match) as info:
        run_program(build, mocks=mocks)
    assert mocks.resources == [], [r.type for r in mocks.resources]
    return info.value


# --- MSK Serverless -----------------------------------------------------------------------------


@pytest.mark.parametrize("route", [None, TopicRoute.CONTROL_PLANE])
def test_serverless_refuses_no_route_and_the_control_plane(route):
    err = _refused_before_any_resource(
        lambda: MskServerlessKafka("sl", _sls(topic_route=route)), "not available for MSK Serverless"
    )
    assert err.settings() == ["topic_route"]


def test_serverless_topic_over_kafka_provider_with_iam():
    run = run_program(
        lambda: MskServerlessKafka(
            "sl", _sls(topic_route=TopicRoute.KAFKA_PROVIDER, admin_route=REGION)
        ).endpoint.to_outputs()
    )
    assert not run.of_type("aws:msk/topic:Topic")  # the control plane has no topic API for Serverless
    provider = run.one("pulumi:providers:kafka")
    assert provider.inputs["saslMechanism"] == "aws-iam" and provider.inputs["saslAwsRegion"] == "eu-west-1"
    assert json.loads(provider.inputs["bootstrapServers"]) == [SLS_BOOTSTRAP]
    assert provider.inputs["tlsEnabled"] == "true" and provider.inputs["skipTlsVerify"] == "false"
    topic = run.one("kafka:index/topic:Topic")
    assert "sl-admin" in topic.provider  # the IAM provider, not the default one
    assert topic.inputs["name"] == "mimir-ingest" and topic.protect is True
    assert int(topic.inputs["config"]["max.message.bytes"]) <= 8_388_608
    # cleanup.policy is creation-only on Serverless; it is Kafka's default (delete) anyway.
    assert "cleanup.policy" not in topic.inputs["config"]
    assert topic.inputs["replicationFactor"] == 3
    assert not run.of_type("kafka:index/acl:Acl")  # IAM clients are governed by IAM policies
    assert run.exports["port"] == 9098 and run.exports["mechanism"] == "AWS_MSK_IAM"


def test_serverless_topic_by_kubernetes_job():
    run = run_program(
        lambda: MskServerlessKafka(
            "sl", _sls(topic_route=TopicRoute.KUBERNETES_JOB, admin_route=JOB)
        ).endpoint.to_outputs()
    )
    assert not run.of_type("aws:msk/topic:Topic") and not run.of_type("kafka:index/topic:Topic")
    job = run.one("kubernetes:batch/v1:Job")
    pod = job.inputs["spec"]["template"]["spec"]
    assert pod["serviceAccountName"] == "mimirkafka-admin" and pod["restartPolicy"] == "Never"
    assert job.inputs["metadata"]["namespace"] == "mimir"
    env = {e["name"]: e["value"] for e in pod["containers"][0]["env"]}
    assert env["BOOTSTRAP_SERVERS"] == SLS_BOOTSTRAP
    assert env["CLASSPATH"].endswith("aws-msk-iam-auth-all.jar")
    assert "aws-msk-iam-auth-2.4.0-all.jar" in pod["initContainers"][0]["env"][0]["value"]
    cm = run.one("kubernetes:core/v1:ConfigMap")
    script = cm.inputs["data"]["admin.sh"]
    assert "--create --if-not-exists --topic mimir-ingest" in script
    assert "--replication-factor" not in script  # fixed (3) on Serverless
    props = cm.inputs["data"]["client.properties"]
    assert "sasl.mechanism=AWS_MSK_IAM" in props and "security.protocol=SASL_SSL" in props
    # The Job waits for its script; replacing it never touches the topic.
    assert job.delete_before_replace is True
    assert any(d.endswith("::sl-admin-script") for d in job.dependencies)


@pytest.mark.parametrize(
    ("route", "settings", "missing"),
    [
        (TopicRoute.KAFKA_PROVIDER, AdminRouteSettings(), ["admin_route.aws_region"]),
        (
            TopicRoute.KUBERNETES_JOB,
            AdminRouteSettings(),
            ["admin_route.job_namespace", "admin_route.job_service_account"],
        ),
    ],
)
def test_serverless_route_needs_its_settings(route, settings, missing):
    with pytest.raises(ContractError) as info:
        plan_msk_serverless(_sls(topic_route=route, admin_route=settings))
    assert info.value.settings() == missing


# --- ACLs on SCRAM clusters ---------------------------------------------------------------------


def test_scram_acls_enforced_over_the_provider_route_in_no_lock_out_order():
    args = _msk(
        extra_auth=["iam"],
        topic_route=TopicRoute.KAFKA_PROVIDER,
        admin_route=dataclasses.replace(REGION, acls_in_use=(ADMIN_ACL,)),
        acl_enforcement=AclEnforcement.ENFORCED,
    )
    run = run_program(lambda: MskKafka("msk", args).endpoint.to_outputs())
    props = run.one("aws:msk/configuration:Configuration").inputs["serverProperties"]
    assert "allow.everyone.if.no.acl.found=false\n" in props
    assert not run.of_type("aws:msk/topic:Topic")
    provider = run.one("pulumi:providers:kafka")
    assert json.loads(provider.inputs["bootstrapServers"]) == msk_brokers(9098).split(",")
    acls = run.of_type("kafka:index/acl:Acl")
    admin = [a for a in acls if a.inputs["aclPrincipal"] == "User:ops-admin"]
    mimir = [a for a in acls if a.inputs["aclPrincipal"] == "User:mimir"]
    assert len(admin) == 1 and len(mimir) == 5  # Write/Read/Describe on the topic, Read/Describe on groups
    # Every one of Mimir's ACLs waits for every ACL of the principals already in use.
    for a in mimir:
        deps = {d.rsplit("::", 1)[1] for d in a.dependencies}
        assert {x.name for x in admin} <= deps, (a.name, deps)
    assert {d.rsplit("::", 1)[1] for d in admin[0].dependencies} >= {"msk-topic"}
    groups = [a for a in mimir if a.inputs["aclResourceType"] == "Group"]
    assert {g.inputs["resourcePatternTypeFilter"] for g in groups} == {"Prefixed"}
    assert {g.inputs["aclResourceName"] for g in groups} == {"mimir-ingester-"}
    # The SCRAM user (secret association) exists before the topic and ACLs.
    topic = run.one("kafka:index/topic:Topic")
    assert any(d.endswith("msk-scram-association") for d in topic.dependencies)
    assert run.exports["bootstrap_brokers"] == msk_brokers(9096)  # Mimir still uses SCRAM


def test_staged_creates_acls_without_denying_anything():
    args = _msk(
        extra_auth=["iam"],
        topic_route=TopicRoute.KAFKA_PROVIDER,
        admin_route=REGION,
        acl_enforcement=AclEnforcement.STAGED,
    )
    run = run_program(lambda: MskKafka("msk", args).endpoint.to_outputs())
    assert "allow.everyone" not in run.one("aws:msk/configuration:Configuration").inputs["serverProperties"]
    assert len(run.of_type("kafka:index/acl:Acl")) == 5


def test_acl_route_by_kubernetes_job_orders_stages_in_the_script():
    args = _msk(
        extra_auth=["iam"],
        topic_route=TopicRoute.KUBERNETES_JOB,
        admin_route=dataclasses.replace(JOB, acls_in_use=(ADMIN_ACL,)),
        acl_enforcement=AclEnforcement.ENFORCED,
    )
    run = run_program(lambda: MskKafka("msk", args).endpoint.to_outputs())
    script = run.one("kubernetes:core/v1:ConfigMap").inputs["data"]["admin.sh"]
    stage1, stage2 = script.index("ACL stage 1/2"), script.index("ACL stage 2/2")
    assert script.index("User:ops-admin") < stage2 < script.index("User:mimir")
    assert stage1 < script.index("User:ops-admin")
    # Mimir's three topic operations go in one kafka-acls.sh call (one CreateAcls request).
    assert "--operation Write --operation Read --operation Describe --topic mimir-ingest" in script
    for destructive in ("--delete", "--remove", "--delete-config", "kafka-delete-records"):
        assert destructive not in script


@pytest.mark.parametrize(
    ("kw", "settings"),
    [
        # ACLs without a route that can create them
        ({"acl_enforcement": AclEnforcement.ENFORCED}, ["acl_enforcement"]),
        # a Kafka-protocol route on a cluster without IAM
        (
            {
                "topic_route": TopicRoute.KAFKA_PROVIDER,
                "admin_route": REGION,
                "acl_enforcement": AclEnforcement.STAGED,
            },
            ["topic_route"],
        ),
        # enforcing on a cluster in use whose ACLs were never applied
        (
            {
                "extra_auth": ["iam"],
                "topic_route": TopicRoute.KAFKA_PROVIDER,
                "admin_route": REGION,
                "acl_enforcement": AclEnforcement.ENFORCED,
                "previous": DeployedTopic("mimir-ingest", 16, "mimir"),
            },
            ["acl_enforcement"],
        ),
    ],
)
def test_impossible_acl_combinations_are_refused_before_any_resource(kw, settings):
    err = _refused_before_any_resource(lambda: MskKafka("msk", _msk(**kw)), "problem")
    assert err.settings() == settings
    assert isinstance(err, plan.MskConfigError)


def test_enforcing_after_a_staged_run_is_allowed():
    args = _msk(
        extra_auth=["iam"],
        topic_route=TopicRoute.KAFKA_PROVIDER,
        admin_route=REGION,
        acl_enforcement=AclEnforcement.ENFORCED,
        deployed_acl_enforcement=AclEnforcement.STAGED,
        previous=DeployedTopic("mimir-ingest", 16, "mimir"),
    )
    p = plan.plan_msk(args)
    assert "allow.everyone.if.no.acl.found=false" in p.server_properties
    assert p.admin is not None and len(p.admin.acls) == 5


def test_acls_on_an_iam_only_cluster_are_refused():
    iam = msk_iam("placeholder:9098", socket_path="/run/msk-iam/creds.sock")
    with pytest.raises(ContractError, match="do not apply to IAM identities"):
        plan.plan_msk(
            _msk(
                iam,
                topic_route=TopicRoute.KAFKA_PROVIDER,
                admin_route=REGION,
                acl_enforcement=AclEnforcement.STAGED,
            )
        )


def test_scram_without_acls_is_warned_about():
    p = plan.plan_msk(_msk())
    assert any(w.setting == "acl_enforcement" and "every right" in w.message for w in p.warnings)


def test_acl_stages_put_principals_in_use_first_and_deduplicate():
    mimir = [AclRule("Topic", "Literal", "t", "Read", "User:mimir"), ADMIN_ACL]
    stages = acl_stages(mimir, [ADMIN_ACL])
    assert [[a.acl_principal for a in s] for s in stages] == [["User:ops-admin"], ["User:mimir"]]
    # Nobody else in use: one stage, Mimir's ACLs as the provider spells them.
    assert acl_stages(mimir, []) == (tuple(to_provider_acls(mimir)),)


def test_script_refuses_to_shrink_and_grows_only():
    p = plan.plan_msk(_msk(extra_auth=["iam"], topic_route=TopicRoute.KUBERNETES_JOB, admin_route=JOB))
    assert p.admin is not None
    script = render_admin_script(p.admin)
    assert 'if [ "$HAVE" -lt "$WANT" ]' in script and "--alter --topic" in script
    assert "REFUSED" in script and "exit 3" in script
    assert "--replication-factor 3" in script  # settable on provisioned clusters
