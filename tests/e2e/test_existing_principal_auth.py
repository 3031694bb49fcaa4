"""mTLS and OAUTHBEARER, where Mimir's principal is not a SASL username: the ``ExistingKafka`` component
used directly, with a contract naming ``kafka_principal``, through the real engine against the fixture
broker (the stack-level path, ``kafkaPrincipal`` in the ``local`` stack, is
``test_local_stack_principals.py``). Same checks as the local stack: exact ACLs, no-op up/preview,
refresh without drift, the Mimir-side check from the rendered Mimir config text, destroy leaves nothing."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from pathlib import Path

import pulumi
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
from mimir_side import consume_and_commit, produce_max_records, view_from_rendered
from mimirkafka.contract import mtls
from mimirkafka.contract.mimir_config import SECRET_ENV_VARS, render_mimir
from mimirkafka.contract.model import (
    IngesterLayout,
    IngestStorageContract,
    OAuthBearerStatic,
    SaslMechanism,
    SecretValue,
    TopicSettings,
)
from mimirkafka.kafka.existing import AdminConnection, ExistingKafka, ExistingKafkaArgs
from mimirkafka.kafka.protection import TopicProtection
from pulumi_harness import PulumiSandbox, inline_stack, no_changes, with_backend

from testbed.devbroker import BrokerInfo, unsecured_jws

PARTITIONS = 3
GROUP_PREFIX = "ingester-"  # the contract's default consumer_group_prefix
#: Principals of their own, so the exact ACL comparison cannot see other tests' ACLs.
MTLS_CN = "mimir-e2e"
OAUTH_SUBJECT = "mimir-oauth"
TOKEN = unsecured_jws(OAUTH_SUBJECT, lifetime_s=6 * 3600)
PRINCIPALS = {"mtls": f"User:{MTLS_CN}", "oauthbearer": f"User:{OAUTH_SUBJECT}"}


def _topic(name: str) -> TopicSettings:
    return TopicSettings(name=name, partitions=PARTITIONS, replication_factor=1, min_insync_replicas=1)


def mtls_contract(b: BrokerInfo, topic: str) -> IngestStorageContract:
    cert = b.client_certs[MTLS_CN]
    c = mtls(
        [b.address("mtls")], b.ca_pem, cert["cert"], cert["key"], principal=f"User:{MTLS_CN}", topic=topic
    )
    return dataclasses.replace(c, topic=_topic(topic), ingesters=IngesterLayout(zones=3, per_zone=1))


def oauth_contract(b: BrokerInfo, topic: str) -> IngestStorageContract:
    return IngestStorageContract(
        addresses=(b.address("oauthbearer"),),
        topic=_topic(topic),
        sasl=OAuthBearerStatic(SecretValue(TOKEN)),
        kafka_principal=f"User:{OAUTH_SUBJECT}",  # the token's subject, as the unsecured validator maps it
        ingesters=IngesterLayout(zones=3, per_zone=1),
    )


CASES: dict[str, Callable[[BrokerInfo, str], IngestStorageContract]] = {
    "mtls": mtls_contract,
    "oauthbearer": oauth_contract,
}


@pytest.mark.parametrize("case", list(CASES))
def test_principal_auth(
    case: str, sandbox: PulumiSandbox, broker: BrokerInfo, admin: KafkaAdminClient, tmp_path: Path
) -> None:
    topic = f"mimir-ingest-{case}"
    contract = CASES[case](broker, topic)

    def program() -> None:
        kafka_side = ExistingKafka(
            "kafka",
            ExistingKafkaArgs(
                contract=contract,
                admin=AdminConnection(
                    bootstrap_servers=[broker.address("sasl_plain")],
                    mechanism=SaslMechanism.PLAIN,
                    username=broker.admin_user,
                    password=broker.admin_password,
                    tls=False,
                ),
                protection=TopicProtection.ephemeral(),
            ),
        )
        pulumi.export("topic", kafka_side.endpoint.topic_name)

    stack = inline_stack(
        with_backend(sandbox, tmp_path / "state"), "e2e-principal", f"{case}-{uuid.uuid4().hex[:6]}", program
    )
    try:
        stack.up(color="never")
        assert partitions_of(admin, topic) == (PARTITIONS, 1)
        assert topic_config(admin, topic).get("max.message.bytes") == PRODUCER_BATCH_MAX_BYTES
        assert acls_of(admin, PRINCIPALS[case]) == expected_acls(topic, GROUP_PREFIX)

        again = stack.up(color="never")
        assert no_changes(again.summary.resource_changes or {}), again.summary.resource_changes
        assert no_changes(stack.preview(color="never").change_summary)
        refresh = stack.refresh(color="never", target=kafka_urns(stack))
        assert no_changes(refresh.summary.resource_changes or {}), refresh.summary.resource_changes

        # Mimir's config as the package renders it, written out and read back as text.
        rendered = tmp_path / "mimir-config.yaml"
        rendered.write_text(yaml.safe_dump(render_mimir(contract).config))
        view = view_from_rendered(
            rendered,
            env={SECRET_ENV_VARS["sasl_oauthbearer_token"]: TOKEN},
            mounted_files={
                "ca.crt": broker.ca_pem,
                "tls.crt": broker.client_certs[MTLS_CN]["cert"],
                "tls.key": broker.client_certs[MTLS_CN]["key"],
            },
        )
        sent = produce_max_records(view, topic, PARTITIONS)
        consume_and_commit(view, topic, f"{GROUP_PREFIX}zone-a-0", sent)

        stack.destroy(color="never")
        wait_gone(admin, topic)
        assert topic not in admin.list_topics()
        assert acls_of(admin, PRINCIPALS[case]) == set()
    finally:
        stack.destroy(color="never")
