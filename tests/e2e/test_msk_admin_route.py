"""The MSK Kafka-protocol route run for real: the same code, pointed at a real broker with SCRAM-SHA-512.

On MSK the route logs in with IAM; the test broker offers no IAM, so the *same* functions get the
broker's SCRAM listener and its super user instead (on MSK, IAM identities are not subject to Kafka ACLs,
just as a super user is not here). What is real: the Pulumi engine, the pulumi-kafka plugin, the broker,
Kafka's own CLI tools (from the toolchain's jars) running the Job's script.

"No lock-out" needs MSK's default, ``allow.everyone.if.no.acl.found=true``: this module starts its own
broker with that setting (the session broker denies by default). A principal already reading the topic
keeps reading after the route adds Mimir's ACLs, because its own ACLs come first; the naive order (Mimir's
ACL alone) is shown to lock it out on the same broker.
"""

from __future__ import annotations

import dataclasses
import os
import stat
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import kafka.errors as Errors
import pulumi
import pytest
from admin_checks import acls_of, expected_acls, partitions_of, topic_config
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import (
    ACL,
    ACLOperation,
    ACLPermissionType,
    ACLResourcePatternType,
    NewTopic,
    ResourcePattern,
    ResourceType,
    ScramMechanism,
    UserScramCredentialUpsertion,
)
from kafka_clients import ClientIdentity, client_config
from mimirkafka.contract import TopicSettings, kafka_requirements, scram_over_tls
from mimirkafka.contract.kafka_side import AclRule
from mimirkafka.kafka.admin_job import EXIT_TOPIC_LARGER, client_properties_text, render_admin_script
from mimirkafka.kafka.kafka_admin_route import admin_plan, kafka_provider_route
from mimirkafka.kafka.protection import TopicProtection
from pulumi_harness import PulumiSandbox, inline_stack

import testbed.devbroker as devbroker

pytestmark = pytest.mark.e2e

PASSWORD = "route-e2e-pw"


@pytest.fixture(scope="module")
def open_broker(
    toolchain: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[devbroker.BrokerInfo]:
    """A second broker with MSK's default ``allow.everyone.if.no.acl.found=true``."""
    real = devbroker._server_properties

    def msk_default(*args: object, **kwargs: object) -> str:
        text = real(*args, **kwargs)  # type: ignore[arg-type]
        assert "allow.everyone.if.no.acl.found=false" in text
        return text.replace("allow.everyone.if.no.acl.found=false", "allow.everyone.if.no.acl.found=true")

    devbroker._server_properties = msk_default  # type: ignore[assignment]
    try:
        b = devbroker.Broker(
            workdir=tmp_path_factory.mktemp("open-broker"), libs=Path(toolchain["KAFKA_LIBS"])
        )
        info = b.start()
    finally:
        devbroker._server_properties = real  # type: ignore[assignment]
    try:
        yield info
    finally:
        b.stop()


def scram_users(info: devbroker.BrokerInfo, *names: str) -> None:
    admin = KafkaAdminClient(**info.admin_client_config())
    try:
        errors = admin.alter_user_scram_credentials(
            [UserScramCredentialUpsertion(n, ScramMechanism.SCRAM_SHA_512, PASSWORD) for n in names]
        )
        assert not any(errors.values()), errors
    finally:
        admin.close()


def ident(user: str) -> ClientIdentity:
    return ClientIdentity(mechanism="SCRAM-SHA-512", username=user, password=PASSWORD)


def can_read(info: devbroker.BrokerInfo, user: str, topic: str, group: str) -> bool:
    """True if ``user`` can fetch from ``topic`` in ``group`` (the first record written by the test)."""
    consumer = KafkaConsumer(
        topic,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,  # every check reads from the start
        consumer_timeout_ms=8000,
        **client_config(info.address("scram_sha_512"), ident(user)),
    )
    try:
        return any(True for _ in consumer)
    except (Errors.TopicAuthorizationFailedError, Errors.GroupAuthorizationFailedError) as exc:
        # Only a denial counts as "cannot read": any other failure (network, setup) fails the test.
        print(f"[e2e] {user} denied on {topic}: {type(exc).__name__}")
        return False
    finally:
        consumer.close()


def write(info: devbroker.BrokerInfo, user: str, topic: str) -> None:
    producer = KafkaProducer(**client_config(info.address("scram_sha_512"), ident(user)))
    try:
        producer.send(topic, b"x").get(timeout=15)
    finally:
        producer.close()


def test_provider_route_adds_acls_without_locking_out_a_reader(
    sandbox: PulumiSandbox, open_broker: devbroker.BrokerInfo
) -> None:
    run = uuid.uuid4().hex[:6]
    topic, ops, mimir, outsider = f"route-{run}", f"ops-{run}", f"mimir-{run}", f"outsider-{run}"
    ops_group, mimir_groups = f"ops-{run}-g", f"mimir-ingester-{run}-"
    scram_users(open_broker, ops, mimir, outsider)
    contract = dataclasses.replace(
        scram_over_tls(["unused:9093"], mimir, None, consumer_group_prefix=mimir_groups),
        topic=TopicSettings(name=topic, partitions=3, replication_factor=1, min_insync_replicas=1),
    )
    req = kafka_requirements(contract)
    in_use = [AclRule("Topic", "Literal", topic, op, f"User:{ops}") for op in ("Read", "Describe")] + [
        AclRule("Group", "Literal", ops_group, "Read", f"User:{ops}")
    ]

    def program(with_acls: bool):
        def body() -> None:
            # Built inside the program: Outputs belong to the program's event loop.
            provider_args = {
                "bootstrap_servers": [open_broker.address("scram_sha_512")],
                "sasl_mechanism": "scram-sha512",
                "sasl_username": open_broker.admin_user,
                "sasl_password": pulumi.Output.secret(open_broker.admin_password),
                "tls_enabled": False,
                "kafka_version": "4.1.0",
            }
            plan = admin_plan(
                topic=req.topic,
                partitions=req.partitions,
                replication_factor=req.replication_factor,
                topic_config=req.topic_config,
                mimir_acls=req.acls if with_acls else (),
                acls_in_use=in_use if with_acls else (),
            )
            res = kafka_provider_route(
                "route",
                plan=plan,
                provider_args=provider_args,
                protection=TopicProtection.ephemeral(),
                opts=pulumi.ResourceOptions(),
            )
            pulumi.export("acls", len(res.acls))

        return body

    stack = inline_stack(sandbox, "e2e-msk-route", f"r{run}", program(False))
    admin = KafkaAdminClient(**open_broker.admin_client_config())
    try:
        t0 = time.monotonic()
        stack.up(on_output=print)  # acl_enforcement=off: the topic only, every SCRAM user may use it
        print(f"[e2e] route up (topic only): {time.monotonic() - t0:.1f}s")
        assert partitions_of(admin, topic) == (3, 1)
        assert topic_config(admin, topic)["max.message.bytes"] == "16000000"
        write(open_broker, mimir, topic)
        assert can_read(open_broker, ops, topic, ops_group)  # in use, through the implicit allow
        assert can_read(open_broker, outsider, topic, f"outsider-{run}-g")

        t0 = time.monotonic()
        up = stack.up(program=program(True), on_output=print)  # staged: the ACLs, in stage order
        print(f"[e2e] route up (ACLs): {time.monotonic() - t0:.1f}s")
        assert up.outputs["acls"].value == 8
        assert acls_of(admin, f"User:{mimir}") == expected_acls(topic, mimir_groups)
        # The principal in use still reads; Mimir writes and reads in its groups; anybody else is denied
        # now that the topic has ACLs.
        assert can_read(open_broker, ops, topic, ops_group)
        write(open_broker, mimir, topic)
        assert can_read(open_broker, mimir, topic, f"{mimir_groups}zone-a-0")
        assert not can_read(open_broker, outsider, topic, f"outsider-{run}-g")
        # The engine ordered them: each of Mimir's ACLs depends on every ACL of the principal in use.
        resources = stack.export_stack().deployment["resources"]
        acl_urns = {r["urn"]: r for r in resources if r["type"] == "kafka:index/acl:Acl"}
        ops_urns = {u for u, r in acl_urns.items() if r["inputs"]["aclPrincipal"] == f"User:{ops}"}
        assert len(ops_urns) == 3
        for urn, r in acl_urns.items():
            if r["inputs"]["aclPrincipal"] == f"User:{mimir}":
                assert ops_urns <= set(r.get("dependencies") or []), urn

        # The naive order on the same broker: Mimir's ACL alone on a topic the reader uses locks it out.
        naive = f"naive-{run}"
        admin.create_topics([NewTopic(naive, 1, 1)])
        write(open_broker, mimir, naive)
        assert can_read(open_broker, ops, naive, ops_group)
        admin.create_acls(
            [
                ACL(
                    principal=f"User:{mimir}",
                    host="*",
                    operation=ACLOperation.WRITE,
                    permission_type=ACLPermissionType.ALLOW,
                    resource_pattern=ResourcePattern(
                        ResourceType.TOPIC, naive, ACLResourcePatternType.LITERAL
                    ),
                )
            ]
        )
        time.sleep(1)
        assert not can_read(open_broker, ops, naive, ops_group)
        admin.delete_topics([naive])
    finally:
        stack.destroy()
        stack.workspace.remove_stack(stack.name)
        admin.close()


def _tool_shims(directory: Path, libs: str) -> Path:
    """``kafka-topics.sh``/``kafka-configs.sh``/``kafka-acls.sh`` as the apache/kafka image has them,
    running the same Kafka 4.1.1 classes from the toolchain's jars."""
    classes = {
        "kafka-topics.sh": "org.apache.kafka.tools.TopicCommand",
        "kafka-configs.sh": "kafka.admin.ConfigCommand",
        "kafka-acls.sh": "org.apache.kafka.tools.AclCommand",
    }
    directory.mkdir(parents=True, exist_ok=True)
    for name, cls in classes.items():
        shim = directory / name
        shim.write_text(
            "#!/bin/sh\n"
            f'exec java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "{libs}/*" {cls} "$@"\n'
        )
        shim.chmod(shim.stat().st_mode | stat.S_IXUSR)
    return directory


def test_job_script_runs_against_the_broker_idempotent_and_never_shrinks(
    broker: devbroker.BrokerInfo, admin: KafkaAdminClient, tmp_path: Path
) -> None:
    run = uuid.uuid4().hex[:6]
    topic, ops, mimir = f"job-{run}", f"ops-{run}", f"mimir-{run}"
    plan = admin_plan(
        topic=topic,
        partitions=2,
        replication_factor=1,
        topic_config={"max.message.bytes": "16000000", "retention.ms": "3600000"},
        mimir_acls=[AclRule("Topic", "Literal", topic, op, f"User:{mimir}") for op in ("Write", "Read")]
        + [AclRule("Group", "Prefixed", f"mimir-{run}-", "Read", f"User:{mimir}")],
        acls_in_use=[AclRule("Topic", "Literal", topic, "Read", f"User:{ops}")],
    )
    cfg = tmp_path / "client.properties"
    cfg.write_text(
        client_properties_text(
            {
                "security.protocol": "SASL_PLAINTEXT",
                "sasl.mechanism": "SCRAM-SHA-512",
                "sasl.jaas.config": "org.apache.kafka.common.security.scram.ScramLoginModule required "
                f'username="{broker.admin_user}" password="{broker.admin_password}";',
            }
        )
    )
    env = {
        **os.environ,
        "KAFKA_BIN": str(_tool_shims(tmp_path / "bin", os.environ["KAFKA_LIBS"])),
        "ADMIN_CONFIG": str(cfg),
        "BOOTSTRAP_SERVERS": broker.address("scram_sha_512"),
    }

    def run_script(p: object) -> subprocess.CompletedProcess[str]:
        script = tmp_path / "admin.sh"
        script.write_text(render_admin_script(p))  # type: ignore[arg-type]
        t0 = time.monotonic()
        done = subprocess.run(["sh", str(script)], env=env, capture_output=True, text=True, timeout=240)
        print(f"[e2e] admin.sh rc={done.returncode} in {time.monotonic() - t0:.1f}s\n{done.stdout}")
        assert broker.admin_password not in done.stdout + done.stderr
        return done

    first = run_script(plan)
    assert first.returncode == 0, first.stderr[-2000:]
    assert partitions_of(admin, topic) == (2, 1)
    assert topic_config(admin, topic)["max.message.bytes"] == "16000000"
    assert acls_of(admin, f"User:{ops}") == {("TOPIC", "LITERAL", topic, "READ", "ALLOW")}
    assert acls_of(admin, f"User:{mimir}") == {
        ("TOPIC", "LITERAL", topic, "WRITE", "ALLOW"),
        ("TOPIC", "LITERAL", topic, "READ", "ALLOW"),
        ("GROUP", "PREFIXED", f"mimir-{run}-", "READ", "ALLOW"),
    }
    assert f"done: topic={topic} partitions=2 acls=4" in first.stdout
    assert first.stdout.index("ACL stage 1/2") < first.stdout.index("ACL stage 2/2")

    # Idempotent: a second run with more partitions grows the topic and changes nothing else.
    grown = dataclasses.replace(plan, partitions=4)
    second = run_script(grown)
    assert second.returncode == 0, second.stderr[-2000:]
    assert "growing from 2 to 4 partitions" in second.stdout
    assert partitions_of(admin, topic) == (4, 1)
    assert len(acls_of(admin, f"User:{mimir}")) == 3

    # Fewer partitions than the live topic: refused, the topic untouched.
    shrink = run_script(dataclasses.replace(plan, partitions=1, stages=()))
    assert shrink.returncode == EXIT_TOPIC_LARGER
    assert "REFUSED: topic" in shrink.stdout and "Fix: set topic.partitions to 4" in shrink.stdout
    assert partitions_of(admin, topic) == (4, 1)
    admin.delete_topics([topic])
