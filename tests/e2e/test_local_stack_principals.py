"""The committed ``local`` stack with the two listeners whose principal is not a SASL username: mTLS
(the broker-issued client certificate; principal = its CN as the broker maps it) and OAUTHBEARER (the
token's ``sub``), both named by ``kafkaPrincipal``.

Like ``test_local_stack.py``: ``Pulumi.yaml`` and ``stacks/Pulumi.local.yaml`` are copied into a temporary
project and only the case's keys are overridden, so the committed stack (with its preflight) is what
runs. Checked: the exact ACL set of the principal, the preflight verdict, no-op up/preview, the
Mimir-side produce/consume from the rendered config only, no key or token in clear in rendered files or
the state, destroy leaves nothing. A wrong or missing principal is refused before any resource.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

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
from mimir_side import (
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

from testbed.devbroker import EXTRA_CLIENT_CNS, BrokerInfo, unsecured_jws

PROJECT = "mimir-kafka"
PARTITIONS = 3  # stacks/Pulumi.local.yaml topicPartitions
GROUP_PREFIX = "mimir-ingester-"  # <mimirReleaseName>-ingester-: the ingesters' consumer groups
#: A broker-issued certificate of its own (CN=mimir-e2e -> User:mimir-e2e), not the default User:mimir
#: that other tests grant ACLs to, so the exact ACL comparison sees only this stack's ACLs.
MTLS_CN = EXTRA_CLIENT_CNS[0]
#: The unsecured validator takes any subject: one only this test uses.
OAUTH_SUBJECT = "mimir-local-oauth"


@dataclass(frozen=True)
class PrincipalCase:
    id: str
    listener: str
    auth: str
    principal: str
    #: Stack config overrides given the broker (secrets marked secret).
    config: Callable[[BrokerInfo], dict[str, auto.ConfigValue]]
    #: What Kubernetes would provide Mimir: secret env values and the TLS Secret's files.
    env: Callable[[BrokerInfo], dict[str, str]]
    files: Callable[[BrokerInfo], dict[str, str]]
    #: Secret material that must never appear in clear in rendered files or the state.
    secrets: Callable[[BrokerInfo], list[str]]


TOKEN = unsecured_jws(OAUTH_SUBJECT, lifetime_s=6 * 3600)


def _key_body(pem: str) -> str:
    """The base64 body of a PEM key (what would leak, whatever the line wrapping)."""
    return "".join(line for line in pem.splitlines() if not line.startswith("-----"))


CASES = [
    PrincipalCase(
        "mtls",
        "mtls",
        "none",
        f"User:{MTLS_CN}",
        config=lambda b: {},
        env=lambda b: {},
        files=lambda b: {
            "ca.crt": b.ca_pem,
            "tls.crt": b.client_certs[MTLS_CN]["cert"],
            "tls.key": b.client_certs[MTLS_CN]["key"],
        },
        secrets=lambda b: [_key_body(b.client_certs[MTLS_CN]["key"])],
    ),
    PrincipalCase(
        "oauthbearer",
        "oauthbearer",
        "oauthbearer",
        f"User:{OAUTH_SUBJECT}",
        config=lambda b: {"kafkaOauthToken": auto.ConfigValue(TOKEN, secret=True)},
        env=lambda b: {SECRET_ENV_VARS["sasl_oauthbearer_token"]: TOKEN},
        files=lambda b: {},
        secrets=lambda b: [TOKEN],
    ),
]


def local_stack(
    sb_root: Path, sandbox: PulumiSandbox, broker: BrokerInfo, case: PrincipalCase, principal: str | None
) -> tuple[auto.Stack, Path, str]:
    proj = sb_root / "project"
    copy_project("local", proj)
    (proj / ".local").mkdir()
    (proj / ".local" / "broker.json").write_text(broker.to_json())
    topic = f"mimir-ingest-local-{case.id}"

    def run_program() -> None:
        program.run(root=proj)

    stack = inline_stack(
        with_backend(sandbox, sb_root / "state"), PROJECT, "local", run_program, work_dir=proj
    )
    cfg = {
        "kafkaBrokerInfoFile": auto.ConfigValue(".local/broker.json"),
        "kafkaBrokerListener": auto.ConfigValue(case.listener),
        "kafkaAuth": auto.ConfigValue(case.auth),
        "topicName": auto.ConfigValue(topic),
        **case.config(broker),
    }
    if principal is not None:
        cfg["kafkaPrincipal"] = auto.ConfigValue(principal)
    stack.set_all_config({f"{PROJECT}:{k}": v for k, v in cfg.items()})
    return stack, proj, topic


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_local_stack_principal(
    case: PrincipalCase, sandbox: PulumiSandbox, broker: BrokerInfo, admin: KafkaAdminClient, tmp_path: Path
) -> None:
    stack, proj, topic = local_stack(tmp_path, sandbox, broker, case, case.principal)
    # Precondition of the exact comparison: no other test left ACLs for this principal.
    assert acls_of(admin, case.principal) == set()
    try:
        t0 = time.monotonic()
        up = stack.up(color="never")
        print(f"[e2e] local {case.id}: first up {time.monotonic() - t0:.1f}s")
        out = up.outputs
        assert out["kafkaTopic"].value == topic
        assert out["kafkaPrincipal"].value == case.principal
        assert out["kafkaMechanism"].value == ("OAUTHBEARER" if case.auth == "oauthbearer" else "none")
        # The committed stack's preflight ran as Mimir against this topic and found no failure (one
        # would have failed the up); its findings on one broker are the replication-factor-1 warnings.
        verdict = (
            rf"WARN: \d+ pass, \d+ warn in [\d.]+s \({re.escape(out['kafkaBootstrap'].value)} topic {topic}\)"
        )
        assert re.search(verdict, up.stdout), up.stdout

        assert partitions_of(admin, topic) == (PARTITIONS, 1)
        assert topic_config(admin, topic).get("max.message.bytes") == PRODUCER_BATCH_MAX_BYTES
        assert acls_of(admin, case.principal) == expected_acls(topic, GROUP_PREFIX)

        again = stack.up(color="never")
        assert no_changes(again.summary.resource_changes or {}), again.summary.resource_changes
        preview = stack.preview(color="never")
        assert no_changes(preview.change_summary), preview.change_summary
        refresh = stack.refresh(color="never", target=kafka_urns(stack))
        assert no_changes(refresh.summary.resource_changes or {}), refresh.summary.resource_changes

        # Secrets: never in clear in the rendered files nor in the state.
        rendered = proj / "rendered" / "local"
        state = json.dumps(stack.export_stack().deployment)
        for secret in case.secrets(broker):
            for f in rendered.rglob("*"):
                if f.is_file():
                    assert secret not in f.read_text(errors="replace"), f"secret in clear in {f}"
            assert secret not in state, "secret in clear in the stack state"
        if case.id == "mtls":
            # The TLS Secret holding the key is created at apply time from a file, not rendered.
            assert "tls.key" in (rendered / "install.sh").read_text()

        # Mimir side, from the rendered config only.
        view = view_from_rendered(rendered / "mimir-values.yaml", case.env(broker), case.files(broker))
        assert view.topic == topic
        sent = produce_max_records(view, topic, PARTITIONS)
        consume_and_commit(view, topic, f"{GROUP_PREFIX}zone-a-0", sent)
        # The same through franz-go (Mimir's client, set up like Mimir's writer and reader), committing
        # as every ingester the values imply.
        values_file = rendered / "mimir-values.yaml"
        fc = franz_check(values_file, case.env(broker), case.files(broker), expect_partitions=PARTITIONS)
        assert fc.ok, (fc.report, fc.stderr)
        ids = ingester_ids_from_values(yaml.safe_load(values_file.read_text()))
        assert ids and sorted(fc.report["committed"]) == sorted(ids), fc.report
        # Negative control: a consumer group outside the ACL prefix is refused at commit.
        fc = franz_check(values_file, case.env(broker), case.files(broker), ["other-ingester-zone-a-0"])
        assert (fc.stage, fc.error_code) == ("commit", "GROUP_AUTHORIZATION_FAILED"), fc.report

        stack.destroy(color="never")
        wait_gone(admin, topic)
        assert topic not in admin.list_topics()
        assert acls_of(admin, case.principal) == set()
    finally:
        with contextlib.suppress(auto.CommandError):
            stack.destroy(color="never")


@pytest.mark.parametrize(
    ("case", "principal", "fragment"),
    [
        (CASES[0], None, "kafkaPrincipal='': listener 'mtls' authenticates Mimir by its client certificate"),
        (CASES[0], "User:nobody", "kafkaPrincipal='User:nobody': the broker issued no client certificate"),
        (CASES[1], None, "kafkaPrincipal='': with kafkaAuth=oauthbearer Mimir's principal is the token's"),
        (CASES[1], "mimir", "kafkaPrincipal='mimir': Kafka principals are written 'User:<name>'"),
    ],
    ids=["mtls-unset", "mtls-unknown", "oauth-unset", "oauth-malformed"],
)
def test_principal_refused_before_any_resource(
    case: PrincipalCase,
    principal: str | None,
    fragment: str,
    sandbox: PulumiSandbox,
    broker: BrokerInfo,
    admin: KafkaAdminClient,
    tmp_path: Path,
) -> None:
    stack, _proj, topic = local_stack(tmp_path, sandbox, broker, case, principal)
    topic = f"{topic}-{uuid.uuid4().hex[:4]}"
    stack.set_config(f"{PROJECT}:topicName", auto.ConfigValue(topic))
    with pytest.raises(auto.CommandError) as err:
        stack.up(color="never")
    assert fragment in str(err.value), err.value
    assert topic not in admin.list_topics()
    resources = stack.export_stack().deployment.get("resources") or []
    assert not [r for r in resources if r["type"].startswith("kafka:")], resources
