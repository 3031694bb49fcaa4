"""The fixture broker itself: every listener authenticates who it should, the authorizer is on, and the
broker-wide message limit is Kafka's default (so the package's topic-level limit is what matters)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest
from kafka import KafkaAdminClient
from kafka.admin import (
    ACL,
    ACLOperation,
    ACLPermissionType,
    ACLResourcePatternType,
    ConfigResource,
    ConfigResourceType,
    NewTopic,
    ResourcePattern,
    ResourceType,
    ScramMechanism,
    UserScramCredentialUpsertion,
)
from kafka.errors import KafkaError
from kafka_clients import ClientIdentity, client_config

from testbed.devbroker import KAFKA_DEFAULT_MESSAGE_MAX_BYTES, BrokerInfo, unsecured_jws


@pytest.fixture(scope="module")
def visible_topic(broker: BrokerInfo) -> Iterator[str]:
    """A topic that only super users and ``User:mimir`` (one DESCRIBE ACL) may see."""
    admin = KafkaAdminClient(**broker.admin_client_config())
    name = f"fixture-{uuid.uuid4().hex[:8]}"
    admin.create_topics([NewTopic(name, 1, 1)])
    acl = ACL(
        principal="User:mimir",
        host="*",
        operation=ACLOperation.DESCRIBE,
        permission_type=ACLPermissionType.ALLOW,
        resource_pattern=ResourcePattern(ResourceType.TOPIC, name, ACLResourcePatternType.LITERAL),
    )
    admin.create_acls([acl])
    # mimir's SCRAM credentials, created at run time like the Pulumi provider does.
    for mech in (ScramMechanism.SCRAM_SHA_256, ScramMechanism.SCRAM_SHA_512):
        errors = admin.alter_user_scram_credentials(
            [UserScramCredentialUpsertion("mimir", mech, "mimir-scram-pw")]
        )
        assert not any(errors.values()), errors
    yield name
    admin.delete_topics([name])
    admin.close()


def topics_seen(
    broker: BrokerInfo, listener: str, ident: ClientIdentity, bootstrap_timeout_ms: int = 30000
) -> set[str]:
    client = KafkaAdminClient(
        **client_config(broker.address(listener), ident),
        request_timeout_ms=15000,
        bootstrap_timeout_ms=bootstrap_timeout_ms,
    )
    try:
        return set(client.list_topics())
    finally:
        client.close()


def tls(broker: BrokerInfo, **kw: str) -> ClientIdentity:
    return ClientIdentity(tls=True, ca_pem=broker.ca_pem, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("listener", "who"),
    [
        ("sasl_plain", "admin"),
        ("sasl_plain", "mimir"),
        ("scram_sha_256", "admin"),
        ("scram_sha_512", "mimir"),
        ("sasl_ssl", "admin-256"),
        ("sasl_ssl", "mimir-512"),
        ("mtls", "mimir"),
        ("mtls", "admin"),
        ("oauthbearer", "mimir"),
    ],
)
def test_each_listener_authenticates_and_authorizes(
    broker: BrokerInfo, visible_topic: str, listener: str, who: str
) -> None:
    user = who.split("-")[0]
    if listener == "sasl_plain":
        ident = ClientIdentity("PLAIN", user, broker.plain_users[user])
    elif listener.startswith("scram"):
        mech = "SCRAM-SHA-256" if listener.endswith("256") else "SCRAM-SHA-512"
        ident = ClientIdentity(mech, user, broker.admin_password if user == "admin" else "mimir-scram-pw")
    elif listener == "sasl_ssl":
        mech = f"SCRAM-SHA-{who.split('-')[1]}"
        pw = broker.admin_password if user == "admin" else "mimir-scram-pw"
        ident = tls(broker, mechanism=mech, username=user, password=pw)
    elif listener == "mtls":
        cert, key = (
            (broker.admin_cert_pem, broker.admin_key_pem)
            if user == "admin"
            else (broker.client_cert_pem, broker.client_key_pem)
        )
        ident = tls(broker, cert_pem=cert, key_pem=key)
    else:
        ident = ClientIdentity("OAUTHBEARER", token=unsecured_jws(user))
    # Seeing the topic proves both authentication and the principal name (admin: super user;
    # mimir: exactly one DESCRIBE ACL for User:mimir).
    assert visible_topic in topics_seen(broker, listener, ident)


def test_principals_without_acls_see_nothing(broker: BrokerInfo, visible_topic: str) -> None:
    assert visible_topic not in topics_seen(broker, "plaintext", ClientIdentity())
    assert visible_topic not in topics_seen(
        broker, "oauthbearer", ClientIdentity("OAUTHBEARER", token=unsecured_jws("eve"))
    )


@pytest.mark.parametrize(
    ("listener", "good", "bad"),
    [
        (
            "sasl_plain",
            lambda b: ClientIdentity("PLAIN", "admin", b.admin_password),
            lambda b: ClientIdentity("PLAIN", "admin", "wrong"),
        ),
        (
            "scram_sha_512",
            lambda b: ClientIdentity("SCRAM-SHA-512", "admin", b.admin_password),
            lambda b: ClientIdentity("SCRAM-SHA-512", "admin", "wrong"),
        ),
        (
            "mtls",
            lambda b: ClientIdentity(
                tls=True, ca_pem=b.ca_pem, cert_pem=b.admin_cert_pem, key_pem=b.admin_key_pem
            ),
            lambda b: ClientIdentity(tls=True, ca_pem=b.ca_pem),  # no client certificate
        ),
    ],
)
def test_bad_credentials_are_rejected(
    broker: BrokerInfo,
    visible_topic: str,
    listener: str,
    good: Callable[[BrokerInfo], ClientIdentity],
    bad: Callable[[BrokerInfo], ClientIdentity],
) -> None:
    # A refused login never bootstraps. 5 s is plenty on loopback (the default would wait 30 s): the
    # right credentials get in within the same limit, so the failure is the credentials.
    assert visible_topic in topics_seen(broker, listener, good(broker), bootstrap_timeout_ms=5000)
    with pytest.raises((KafkaError, OSError)):
        topics_seen(broker, listener, bad(broker), bootstrap_timeout_ms=5000)


def test_broker_message_limit_is_kafka_default(admin: KafkaAdminClient) -> None:
    result = admin.describe_configs(
        [ConfigResource(ConfigResourceType.BROKER, "1", ["message.max.bytes"])], config_filter="all"
    )
    entry = result["broker"]["1"]["message.max.bytes"]
    assert entry["value"] == str(KAFKA_DEFAULT_MESSAGE_MAX_BYTES)
    assert entry["config_source"] == "DEFAULT_CONFIG"
