"""ExistingKafka reads the live topic before touching it: no shrink or RF change slips through.

The mocked ``kafka:index:getTopic`` answers like terraform-provider-kafka v0.13.1: the topic's shape,
or ``could not find topic '<name>'`` for a missing one, or any other provider error.
"""

from __future__ import annotations

import dataclasses
import inspect

import pulumi
import pulumi_kafka
import pytest
from mimirkafka.contract import TopicSettings, plaintext, scram_over_tls
from mimirkafka.kafka import TopicProtection, TopicReplacementRefused
from mimirkafka.kafka.existing import (
    GET_TOPIC_TOKEN,
    AdminConnection,
    ExistingKafka,
    ExistingKafkaArgs,
)
from mimirkafka.kafka.protection import DeployedTopic, LiveTopic, check_live_topic, is_topic_missing_error
from mocks import ProviderError, RecordingMocks, run_program

TOPIC = "kafka:index/topic:Topic"
ACL = "kafka:index/acl:Acl"
NAME = "mimir-ingest"
AUTH_ERROR = "invoking kafka:index:getTopic: kafka server: The client is not authorized to access this topic"


def _contract(partitions: int = 16, rf: int = 3):
    c = scram_over_tls(["broker-0.example:9093"], "mimir", None)
    return dataclasses.replace(
        c,
        topic=dataclasses.replace(
            c.topic, partitions=partitions, replication_factor=rf, min_insync_replicas=1
        ),
    )


def _run(contract, live=None, **kw):
    mocks = RecordingMocks()
    if live is not None:
        mocks.kafka_topics[NAME] = live
    admin = AdminConnection(["broker-0.example:9093"], tls=True)

    def prog():
        k = ExistingKafka("k", ExistingKafkaArgs(contract=contract, admin=admin, **kw))
        return {"topic": k.topic_name}

    return mocks, lambda: run_program(prog, mocks=mocks)


def _get_topic_calls(mocks):
    return [args for token, args in mocks.calls if token == GET_TOPIC_TOKEN]


def test_first_deployment_topic_missing_creates_the_topic():
    mocks, run = _run(_contract())
    result = run()
    topic = result.one(TOPIC)
    assert topic.inputs["partitions"] == 16 and topic.inputs["replicationFactor"] == 3
    assert result.exports["topic"] == NAME
    # The lookup happened, for the contract's topic, through the component's own provider.
    assert _get_topic_calls(mocks) == [{"name": NAME}]


def test_live_topic_with_more_partitions_is_refused_and_no_topic_registered():
    mocks, run = _run(_contract(partitions=8), {"partitions": 16, "replicationFactor": 3})
    with pytest.raises(TopicReplacementRefused) as err:
        run()
    text = str(err.value)
    assert "topic.partitions=8" in text
    assert "16 partitions" in text
    assert "set topic.partitions to 16 or more" in text
    assert err.value.settings() == ["topic.partitions"]
    assert mocks.of_type(TOPIC) == []
    # ACLs wait for the topic, so they are not created either.
    assert mocks.of_type(ACL) == []


@pytest.mark.parametrize("live_partitions", [16, 4])
def test_live_topic_with_equal_or_fewer_partitions_is_fine(live_partitions):
    # Desired >= live: an in-place no-op or partition increase.
    _, run = _run(_contract(partitions=16), {"partitions": live_partitions, "replicationFactor": 3})
    topic = run().one(TOPIC)
    assert topic.inputs["partitions"] == 16
    assert topic.protect is True


def test_auth_error_on_lookup_is_raised_not_treated_as_missing():
    mocks, run = _run(_contract(), ProviderError(AUTH_ERROR))
    with pytest.raises(Exception, match="not authorized to access this topic") as err:
        run()
    assert not isinstance(err.value, TopicReplacementRefused)
    assert mocks.of_type(TOPIC) == []


def test_missing_error_for_another_topic_is_not_missing():
    # Only "could not find topic '<this name>'" means missing.
    other = ProviderError("invoking kafka:index:getTopic: could not find topic 'other'")
    mocks, run = _run(_contract(), other)
    with pytest.raises(Exception, match="could not find topic 'other'"):
        run()
    assert mocks.of_type(TOPIC) == []


def test_replication_factor_change_is_refused():
    mocks, run = _run(_contract(rf=3), {"partitions": 16, "replicationFactor": 1})
    with pytest.raises(TopicReplacementRefused) as err:
        run()
    assert err.value.settings() == ["topic.replication_factor"]
    text = str(err.value)
    assert "replication factor 1" in text and "set topic.replication_factor=1" in text
    assert mocks.of_type(TOPIC) == []


def test_replication_factor_change_allowed_on_request():
    _, run = _run(
        _contract(rf=3), {"partitions": 16, "replicationFactor": 1}, allow_replication_factor_change=True
    )
    assert run().one(TOPIC).inputs["replicationFactor"] == 3


def test_shrink_and_rf_change_reported_together():
    _, run = _run(_contract(partitions=8, rf=3), {"partitions": 16, "replicationFactor": 1})
    with pytest.raises(TopicReplacementRefused) as err:
        run()
    assert sorted(err.value.settings()) == ["topic.partitions", "topic.replication_factor"]


def test_live_check_can_be_turned_off():
    live = {"partitions": 16, "replicationFactor": 3}
    mocks, run = _run(_contract(partitions=8), live, check_live_topic=False)
    assert run().one(TOPIC).inputs["partitions"] == 8
    assert _get_topic_calls(mocks) == []


def test_provider_from_opts_is_used_for_the_lookup():
    mocks = RecordingMocks()
    mocks.kafka_topics[NAME] = {"partitions": 32, "replicationFactor": 3}

    def prog():
        prov = pulumi_kafka.Provider("given", bootstrap_servers=["b:9092"], tls_enabled=False)
        ExistingKafka(
            "k",
            ExistingKafkaArgs(contract=_contract(partitions=16)),
            opts=pulumi.ResourceOptions(providers={"kafka": prov}),
        )

    with pytest.raises(TopicReplacementRefused):
        run_program(prog, mocks=mocks)
    assert mocks.of_type(TOPIC) == []


def test_manual_previous_path_still_refuses_a_rename_before_any_resource():
    mocks, run = _run(_contract(), previous=DeployedTopic(name="old-ingest", partitions=16))
    with pytest.raises(TopicReplacementRefused) as err:
        run()
    assert err.value.settings() == ["topic.name"]
    assert [r for r in mocks.resources if r.custom] == [] and _get_topic_calls(mocks) == []


def test_rename_is_still_guarded_by_protect_by_default():
    # A rename without `previous` cannot be seen live (the new name is simply missing); the
    # default protect=True makes the engine refuse to delete the old topic.
    _, run = _run(_contract())
    assert run().one(TOPIC).protect is True


def test_ephemeral_protection_still_runs_the_live_check():
    _, run = _run(
        dataclasses.replace(
            plaintext(["broker-0.example:9092"]),
            topic=TopicSettings(partitions=2, replication_factor=1, min_insync_replicas=1),
        ),
        {"partitions": 4, "replicationFactor": 1},
        protection=TopicProtection.ephemeral(),
    )
    with pytest.raises(TopicReplacementRefused, match=r"topic\.partitions=2"):
        run()


# -- pure pieces --------------------------------------------------------------------------------


def test_check_live_topic_pure():
    live = LiveTopic(NAME, partitions=10, replication_factor=3)
    check_live_topic(None, desired_partitions=1, desired_replication_factor=1)
    check_live_topic(live, desired_partitions=10, desired_replication_factor=3)
    check_live_topic(live, desired_partitions=12, desired_replication_factor=3)
    with pytest.raises(TopicReplacementRefused):
        check_live_topic(live, desired_partitions=9, desired_replication_factor=3)
    with pytest.raises(TopicReplacementRefused):
        check_live_topic(live, desired_partitions=10, desired_replication_factor=2)


def test_is_topic_missing_error_only_matches_this_topic():
    wrapped = Exception(
        "invoke of kafka:index:getTopic failed: invoking kafka:index:getTopic: "
        "1 error occurred:\n\t* could not find topic 'mimir-ingest'\n\n"
    )
    assert is_topic_missing_error(wrapped, NAME)
    assert not is_topic_missing_error(wrapped, "mimir")
    assert not is_topic_missing_error(Exception(AUTH_ERROR), NAME)
    assert not is_topic_missing_error(Exception("kafka: client has run out of available brokers"), NAME)


def test_token_matches_the_sdk():
    assert f"'{GET_TOPIC_TOKEN}'" in inspect.getsource(pulumi_kafka.get_topic)
