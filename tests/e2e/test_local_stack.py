"""The ``local`` stack for real: ``pulumi up`` against the fixture broker, once per authentication
method the broker offers and the stack config can express, then the Mimir-side check from the
rendered config, no-op up/preview, refresh without drift, a refused shrink, and destroy.

Each case copies ``Pulumi.yaml`` and ``stacks/Pulumi.local.yaml`` into a temporary project, points
``kafkaBrokerInfoFile`` at the fixture broker and overrides only what the case is about (listener,
mechanism, user, topic name), so the committed ``local`` stack is what runs.
"""

from __future__ import annotations

import contextlib
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from admin_checks import (
    PRODUCER_BATCH_MAX_BYTES,
    acls_of,
    expected_acls,
    kafka_urns,
    partitions_of,
    topic_config,
    wait_gone,
)
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
)
from kafka.errors import MessageSizeTooLargeError
from mimir_side import (
    FranzResult,
    MimirKafkaView,
    consume_and_commit,
    franz_check,
    ingester_ids_from_values,
    produce_max_records,
    view_from_rendered,
)
from mimirkafka.contract.mimir_config import SECRET_ENV_VARS
from mimirkafka.stack import deploy as program
from pulumi import automation as auto
from pulumi_harness import PulumiSandbox, copy_project, inline_stack, no_changes, with_backend

from testbed.devbroker import BrokerInfo

PROJECT = "mimir-kafka"
PARTITIONS = 3  # stacks/Pulumi.local.yaml topicPartitions (asserted below, not assumed)
RELEASE = "mimir"  # mimirReleaseName default: ingesters are <release>-ingester-zone-<z>-<n>


@dataclass(frozen=True)
class AuthCase:
    id: str
    listener: str
    auth: str
    #: Mimir's username and password given the broker (PLAIN users are fixed in the broker's JAAS).
    user: Callable[[BrokerInfo, str], str]
    password: Callable[[BrokerInfo], str]
    create_user: bool
    scram: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


def _generated_password(_: BrokerInfo) -> str:
    return "pw-" + uuid.uuid4().hex


CASES = [
    AuthCase(
        "sasl-plain",
        "sasl_plain",
        "plain",
        lambda b, _id: "mimir-stack",
        lambda b: b.plain_users["mimir-stack"],
        create_user=False,
    ),
    AuthCase(
        "scram-sha-256",
        "scram_sha_256",
        "scram-sha-256",
        lambda b, cid: f"mimir-{cid}",
        _generated_password,
        create_user=True,
        scram="SCRAM-SHA-256",
    ),
    AuthCase(
        "scram-sha-512",
        "scram_sha_512",
        "scram-sha-512",
        lambda b, cid: f"mimir-{cid}",
        _generated_password,
        create_user=True,
        scram="SCRAM-SHA-512",
    ),
    # The committed local stack as is: SCRAM-SHA-512 over TLS.
    AuthCase(
        "scram-sha-512-tls",
        "sasl_ssl",
        "scram-sha-512",
        lambda b, cid: f"mimir-{cid}",
        _generated_password,
        create_user=True,
        scram="SCRAM-SHA-512",
    ),
]


@dataclass
class LocalStack:
    stack: auto.Stack
    project_dir: Path
    topic: str
    user: str
    password: str
    case: AuthCase

    @property
    def principal(self) -> str:
        return f"User:{self.user}"


def make_local_stack(sandbox: PulumiSandbox, broker: BrokerInfo, root: Path, case: AuthCase) -> LocalStack:
    proj = root / "project"
    copy_project("local", proj)
    (proj / ".local").mkdir()
    (proj / ".local" / "broker.json").write_text(broker.to_json())
    sb = with_backend(sandbox, root / "state")
    topic = f"mimir-ingest-{case.id}"
    user, password = case.user(broker, case.id), case.password(broker)

    def run_program() -> None:
        program.run(root=proj)

    stack = inline_stack(sb, PROJECT, "local", run_program, work_dir=proj)
    cfg = {
        "kafkaBrokerInfoFile": auto.ConfigValue(".local/broker.json"),
        "kafkaBrokerListener": auto.ConfigValue(case.listener),
        "kafkaAuth": auto.ConfigValue(case.auth),
        "kafkaUsername": auto.ConfigValue(user),
        "kafkaPassword": auto.ConfigValue(password, secret=True),
        "kafkaCreateUser": auto.ConfigValue("true" if case.create_user else "false"),
        "topicName": auto.ConfigValue(topic),
    }
    stack.set_all_config({f"{PROJECT}:{k}": v for k, v in cfg.items()})
    return LocalStack(stack, proj, topic, user, password, case)


def mimir_view(ls: LocalStack, broker: BrokerInfo) -> MimirKafkaView:
    rendered = ls.project_dir / "rendered" / "local" / "mimir-values.yaml"
    assert rendered.is_file(), f"the local stack rendered no Mimir values at {rendered}"
    # What the credentials Secret (env) and the TLS Secret (files) provide to Mimir's pods.
    env = {SECRET_ENV_VARS["sasl_password"]: ls.password}
    files = {"ca.crt": broker.ca_pem}
    return view_from_rendered(rendered, env, files)


def franz(ls: LocalStack, broker: BrokerInfo, **kwargs: Any) -> FranzResult:
    """franz-check (franz-go, Mimir's client) on the rendered values, with what the pods would get."""
    rendered = ls.project_dir / "rendered" / "local" / "mimir-values.yaml"
    env = {SECRET_ENV_VARS["sasl_password"]: ls.password}
    return franz_check(rendered, env, {"ca.crt": broker.ca_pem}, **kwargs)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_local_stack(
    case: AuthCase,
    sandbox: PulumiSandbox,
    broker: BrokerInfo,
    admin: KafkaAdminClient,
    tmp_path: Path,
) -> None:
    ls = make_local_stack(sandbox, broker, tmp_path, case)
    defaults_topic = f"kafka-defaults-{case.id}"
    try:
        t0 = time.monotonic()
        up = ls.stack.up(color="never")
        print(f"[e2e] {case.id}: first up {time.monotonic() - t0:.1f}s")
        outputs = up.outputs
        assert outputs["kafkaTopic"].value == ls.topic
        assert outputs["kafkaPartitions"].value == PARTITIONS

        # Kafka side, seen by an admin client.
        assert partitions_of(admin, ls.topic) == (PARTITIONS, 1)
        cfg = topic_config(admin, ls.topic)
        assert cfg.get("max.message.bytes") == PRODUCER_BATCH_MAX_BYTES, cfg
        if case.scram:
            creds = admin.describe_user_scram_credentials([ls.user])
            mechs = {ci["mechanism"].name for ci in creds[ls.user]["credential_infos"]}
            assert case.scram.replace("-", "_") in mechs, creds
        assert acls_of(admin, ls.principal) == expected_acls(ls.topic, f"{RELEASE}-ingester-")

        # Idempotence: a second up, a preview and a refresh change nothing.
        t0 = time.monotonic()
        again = ls.stack.up(color="never")
        print(f"[e2e] {case.id}: second up {time.monotonic() - t0:.1f}s")
        assert no_changes(again.summary.resource_changes or {}), again.summary.resource_changes
        t0 = time.monotonic()
        preview = ls.stack.preview(color="never")
        print(f"[e2e] {case.id}: no-op preview {time.monotonic() - t0:.1f}s")
        assert no_changes(preview.change_summary), preview.change_summary
        refresh = ls.stack.refresh(color="never", target=kafka_urns(ls.stack))
        assert no_changes(refresh.summary.resource_changes or {}), refresh.summary.resource_changes

        # Mimir side, from the rendered config only.
        view = mimir_view(ls, broker)
        assert view.topic == ls.topic
        assert view.max_record_bytes == 15_983_616
        sent = produce_max_records(view, view.topic, PARTITIONS)
        consume_and_commit(view, view.topic, f"{RELEASE}-ingester-zone-a-0", sent)
        # The same through franz-go, Mimir's own client set up like Mimir's writer and reader,
        # committing as every ingester instance the rendered values imply.
        fc = franz(ls, broker, expect_partitions=PARTITIONS)
        assert fc.ok, (fc.report, fc.stderr)
        values = yaml.safe_load((ls.project_dir / "rendered" / "local" / "mimir-values.yaml").read_text())
        assert sorted(fc.report["committed"]) == sorted(ingester_ids_from_values(values)), fc.report
        assert fc.report["record_bytes"] == 15_983_616
        # Negative controls, each must fail where Mimir would: a consumer group outside the ACL prefix,
        # and (TLS) a server name the broker's certificate does not carry.
        fc = franz(ls, broker, instance_ids=["other-ingester-zone-a-0"])
        assert (fc.stage, fc.error_code) == ("commit", "GROUP_AUTHORIZATION_FAILED"), fc.report
        if case.id.endswith("-tls"):
            fc = franz(ls, broker, instance_ids=[], overrides={"tls_server_name": "wrong.example"})
            assert fc.stage == "metadata" and "not wrong.example" in fc.error, fc.report

        # The same check against a topic with Kafka's defaults must fail: proof the check can fail.
        admin.create_topics([NewTopic(defaults_topic, 1, 1)])
        admin.create_acls(
            [
                ACL(
                    ls.principal,
                    "*",
                    op,
                    ACLPermissionType.ALLOW,
                    ResourcePattern(ResourceType.TOPIC, defaults_topic, ACLResourcePatternType.LITERAL),
                )
                for op in (ACLOperation.WRITE, ACLOperation.DESCRIBE)
            ]
        )
        with pytest.raises(MessageSizeTooLargeError):
            produce_max_records(view, defaults_topic, 1)
        fc = franz(ls, broker, instance_ids=[], overrides={"topic": defaults_topic})
        assert (fc.stage, fc.error_code) == ("produce", "MESSAGE_TOO_LARGE"), fc.report

        if case.id == "scram-sha-512-tls":
            check_shrink_refused(ls, admin, view, sent)

        ls.stack.destroy(color="never")
        wait_gone(admin, ls.topic)
        assert ls.topic not in admin.list_topics()
        left = {a for a in acls_of(admin, ls.principal) if a[2] != defaults_topic}
        assert left == set(), f"destroy left ACLs of Mimir's principal behind: {left}"
        if case.scram:
            creds = admin.describe_user_scram_credentials([ls.user])
            assert not creds.get(ls.user, {}).get("credential_infos"), creds
    finally:
        if defaults_topic in admin.list_topics():
            admin.delete_topics([defaults_topic])
        admin.delete_acls(
            [
                ACLFilter(
                    principal=ls.principal,
                    host="*",
                    operation=ACLOperation.ANY,
                    permission_type=ACLPermissionType.ANY,
                    resource_pattern=ResourcePatternFilter(
                        ResourceType.TOPIC, defaults_topic, ACLResourcePatternType.LITERAL
                    ),
                )
            ]
        )
        # Cleanup after a failure must not hide the failure itself.
        with contextlib.suppress(auto.CommandError):
            ls.stack.destroy(color="never")


def check_shrink_refused(
    ls: LocalStack, admin: KafkaAdminClient, view: MimirKafkaView, sent: dict[int, bytes]
) -> None:
    """Fewer partitions would delete the topic (Kafka cannot shrink one): refused, topic and data kept."""
    ls.stack.set_config(f"{PROJECT}:topicPartitions", auto.ConfigValue(str(PARTITIONS - 1)))
    with pytest.raises(auto.CommandError) as err:
        ls.stack.up(color="never")
    # The contract's own refusal (the live-topic check), not some other failure mentioning partitions.
    text = str(err.value)
    assert "Kafka cannot shrink a topic" in text, text
    # The fix names the field (Python API) or, through the stack layer, the stack key.
    assert re.search(rf"set topic(\.p|P)artitions to {PARTITIONS} or more", text), text
    assert partitions_of(admin, ls.topic) == (PARTITIONS, 1)
    # A group of its own (inside the ACL prefix): franz-check already committed as every ingester.
    consume_and_commit(view, ls.topic, f"{RELEASE}-ingester-shrink-check", sent)
    ls.stack.set_config(f"{PROJECT}:topicPartitions", auto.ConfigValue(str(PARTITIONS)))
    preview = ls.stack.preview(color="never")
    assert no_changes(preview.change_summary), preview.change_summary
