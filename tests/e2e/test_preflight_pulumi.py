"""The doctor's Pulumi entry point (``KafkaPreflight``) through the real engine, against the fixture broker.

1. ``ExistingKafka`` creates the topic, Mimir's SCRAM user and its ACLs; a ``KafkaPreflight`` gated on
   them checks the result as Mimir: ``up`` succeeds, the exported report says every check Mimir needs
   passed, and a second ``up`` and a preview change nothing (the checks leave no diff).
2. A topic an admin created beforehand with Kafka's default 1 MiB ``max.message.bytes`` (Mimir's user and
   ACLs granted by hand, so that the size is the only problem) and only a ``KafkaPreflight`` against it:
   ``up`` fails, and the error carries the doctor's message and its fix; the topic is left alone.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pulumi
import pytest
from admin_checks import acls_of, expected_acls, partitions_of, topic_config
from kafka import KafkaAdminClient
from kafka.admin import (
    ACL,
    ACLFilter,
    ACLOperation,
    ACLPermissionType,
    ACLResourcePatternType,
    NewTopic,
    ResourcePattern,
    ResourcePatternFilter,
    ResourceType,
    ScramMechanism,
    UserScramCredentialDeletion,
    UserScramCredentialUpsertion,
)
from mimirkafka.contract.model import (
    IngesterLayout,
    IngestStorageContract,
    SaslMechanism,
    ScramAuth,
    SecretValue,
    TopicSettings,
)
from mimirkafka.doctor.pulumi_check import KafkaPreflight, KafkaPreflightArgs
from mimirkafka.kafka.existing import AdminConnection, ExistingKafka, ExistingKafkaArgs
from mimirkafka.kafka.protection import TopicProtection
from pulumi import automation as auto
from pulumi_harness import PulumiSandbox, inline_stack, no_changes, with_backend

from testbed.devbroker import KAFKA_DEFAULT_MESSAGE_MAX_BYTES, BrokerInfo

PARTITIONS = 3
GROUP_PREFIX = "ingester-"  # the contract's default consumer_group_prefix
#: The checks a working Mimir setup must pass (the rest may warn, e.g. replication factor 1).
MUST_PASS = ("reachable", "auth", "topic", "partitions", "max-message-bytes", "produce", "fetch", "commit")


def scram_contract(b: BrokerInfo, topic: str, user: str, password: str) -> IngestStorageContract:
    """Mimir over SCRAM-SHA-512; the password enters as a Pulumi secret, as the stack config gives it.
    Call inside a program (it creates an Output)."""
    return IngestStorageContract(
        addresses=(b.address("scram_sha_512"),),
        topic=TopicSettings(name=topic, partitions=PARTITIONS, replication_factor=1, min_insync_replicas=1),
        sasl=ScramAuth(user, SecretValue(pulumi.Output.secret(password))),
        ingesters=IngesterLayout(zones=3, per_zone=1),
    )


def admin_connection(b: BrokerInfo) -> AdminConnection:
    return AdminConnection(
        bootstrap_servers=[b.address("sasl_plain")],
        mechanism=SaslMechanism.PLAIN,
        username=b.admin_user,
        password=b.admin_password,
        tls=False,
    )


def test_preflight_passes_after_existing_kafka(
    sandbox: PulumiSandbox, broker: BrokerInfo, admin: KafkaAdminClient, tmp_path: Path
) -> None:
    topic, user = f"mimir-preflight-{uuid.uuid4().hex[:6]}", f"mimir-preflight-{uuid.uuid4().hex[:6]}"
    password = "pw-" + uuid.uuid4().hex

    def program() -> None:
        contract = scram_contract(broker, topic, user, password)
        kafka_side = ExistingKafka(
            "kafka",
            ExistingKafkaArgs(
                contract=contract, admin=admin_connection(broker), protection=TopicProtection.ephemeral()
            ),
        )
        check = KafkaPreflight(
            "preflight",
            KafkaPreflightArgs(contract=contract, depends_on=[kafka_side.topic, *kafka_side.acls]),
        )
        pulumi.export("report", check.report)

    stack = inline_stack(
        with_backend(sandbox, tmp_path / "state"), "e2e-preflight", f"ok-{uuid.uuid4().hex[:6]}", program
    )
    try:
        up = stack.up(color="never")
        report = up.outputs["report"].value
        # Computed from Mimir's password: the engine keeps the whole report secret.
        assert up.outputs["report"].secret is True
        statuses = {c["id"]: c["status"] for c in report["checks"]}
        # One broker, replication factor 1: the only findings are the replication warnings (the
        # contract's own rule and the live topic's), everything else passed.
        assert report["status"] == "warn", report
        assert {i: s for i, s in statuses.items() if s != "pass"} == {
            "config": "warn",
            "replication": "warn",
        }, report
        for check_id in MUST_PASS:
            assert statuses.get(check_id) == "pass", (check_id, report)
        assert report["target"] == f"{broker.address('scram_sha_512')} topic {topic}"
        # What it checked is what exists.
        assert partitions_of(admin, topic) == (PARTITIONS, 1)
        assert acls_of(admin, f"User:{user}") == expected_acls(topic, GROUP_PREFIX)
        # The summary the apply logs reached the engine's output.
        assert "PASS:" in up.stdout or "WARN:" in up.stdout, up.stdout

        # The preflight keeps no state: a second up and a preview change nothing.
        again = stack.up(color="never")
        assert no_changes(again.summary.resource_changes or {}), again.summary.resource_changes
        preview = stack.preview(color="never")
        assert no_changes(preview.change_summary), preview.change_summary

        stack.destroy(color="never")
        assert acls_of(admin, f"User:{user}") == set()
    finally:
        stack.destroy(color="never")


@pytest.fixture()
def small_topic(broker: BrokerInfo, admin: KafkaAdminClient) -> Iterator[tuple[str, str, str]]:
    """A topic with Kafka's defaults (1 MiB max.message.bytes), a SCRAM user and Mimir's ACLs, all
    made by an admin outside Pulumi. Yields (topic, user, password); removed afterwards."""
    topic, user = f"kafka-defaults-{uuid.uuid4().hex[:6]}", f"mimir-small-{uuid.uuid4().hex[:6]}"
    password = "pw-" + uuid.uuid4().hex
    principal = f"User:{user}"
    admin.create_topics([NewTopic(topic, PARTITIONS, 1)])
    admin.alter_user_scram_credentials(
        [UserScramCredentialUpsertion(user, ScramMechanism.SCRAM_SHA_512, password)]
    )
    topic_ops = (ACLOperation.WRITE, ACLOperation.READ, ACLOperation.DESCRIBE)
    admin.create_acls(
        [
            ACL(
                principal,
                "*",
                op,
                ACLPermissionType.ALLOW,
                ResourcePattern(ResourceType.TOPIC, topic, ACLResourcePatternType.LITERAL),
            )
            for op in topic_ops
        ]
        + [
            ACL(
                principal,
                "*",
                op,
                ACLPermissionType.ALLOW,
                ResourcePattern(ResourceType.GROUP, GROUP_PREFIX, ACLResourcePatternType.PREFIXED),
            )
            for op in (ACLOperation.READ, ACLOperation.DESCRIBE)
        ]
    )
    try:
        yield topic, user, password
    finally:
        admin.delete_acls(
            [
                ACLFilter(
                    principal=principal,
                    host="*",
                    operation=ACLOperation.ANY,
                    permission_type=ACLPermissionType.ANY,
                    resource_pattern=ResourcePatternFilter(
                        ResourceType.ANY, None, ACLResourcePatternType.ANY
                    ),
                )
            ]
        )
        admin.alter_user_scram_credentials([UserScramCredentialDeletion(user, ScramMechanism.SCRAM_SHA_512)])
        if topic in admin.list_topics():
            admin.delete_topics([topic])


def test_preflight_fails_up_on_a_default_size_topic(
    sandbox: PulumiSandbox,
    broker: BrokerInfo,
    admin: KafkaAdminClient,
    small_topic: tuple[str, str, str],
    tmp_path: Path,
) -> None:
    topic, user, password = small_topic
    # The precondition the failure is about: Kafka's default, far below Mimir's 16,000,000-byte batches.
    assert int(topic_config(admin, topic)["max.message.bytes"]) == KAFKA_DEFAULT_MESSAGE_MAX_BYTES

    def program() -> None:
        KafkaPreflight(
            "preflight", KafkaPreflightArgs(contract=scram_contract(broker, topic, user, password))
        )

    stack = inline_stack(
        with_backend(sandbox, tmp_path / "state"), "e2e-preflight", f"small-{uuid.uuid4().hex[:6]}", program
    )
    try:
        with pytest.raises(auto.CommandError) as err:
            stack.up(color="never")
        text = str(err.value)
        assert "PreflightFailed" in text, text
        assert f"Kafka preflight failed for {broker.address('scram_sha_512')} topic {topic}" in text, text
        # The doctor's message (the broker refused Mimir's batch size) and its fix, verbatim.
        assert "Max message size: the broker refuses a 16,000,000-byte batch (MESSAGE_TOO_LARGE" in text, text
        assert (
            f"Fix: kafka-configs --alter --entity-type topics --entity-name {topic} "
            "--add-config max.message.bytes=16000000"
        ) in text, text
        # Only that line failed (the engine repeats the error, so compare the set of failed titles):
        # authentication and the permissions were fine.
        failed = set(re.findall(r"^\s*- ([^:\n]+): ", text, re.MULTILINE))
        assert failed == {"Max message size"}, text
        # Mimir's password never appears in the failure output.
        assert password not in text
        # Nothing was deleted or changed by the failed update.
        assert topic in admin.list_topics()
        assert int(topic_config(admin, topic)["max.message.bytes"]) == KAFKA_DEFAULT_MESSAGE_MAX_BYTES
    finally:
        stack.destroy(color="never")
