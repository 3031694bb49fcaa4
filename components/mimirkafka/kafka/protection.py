"""No data loss: refuse any change that would replace (delete and recreate) the ingest topic.

Two layers, both on by default:

1. :func:`check_topic_change` (pure) compares the topic as deployed today with what the contract
   asks for and raises :class:`TopicReplacementRefused` *in the component constructor*, before any
   resource is registered. Fewer partitions, another topic name or another cluster all mean a new
   topic on every Kafka API (partitions can only grow; names and clusters are identities).
2. The topic resource is created with ``protect=True``: even if (1) is bypassed, the Pulumi engine
   refuses to delete or replace a protected resource and fails the preview.

3. ``ExistingKafka`` also reads the *live* topic (pulumi-kafka's ``getTopic``) and runs
   :func:`check_live_topic` before its Topic can be registered, so shrinks and replication factor
   changes are refused without any state fed back (:func:`is_topic_missing_error` tells a first
   deployment from a lookup that failed).

Where "deployed today" comes from otherwise (pick one, documented in docs/kafka.md):

* ``contract.topic.deployed_partitions``: the contract's own field (the stack sets it from config);
* ``previous=DeployedTopic(...)`` on the component args, e.g. built by :func:`deployed_topic_from_outputs`
  from the ``topic_state`` output that every component exports (read it with
  ``pulumi stack output topic_state --json`` or a ``StackReference`` to the same stack, and store it in
  the stack config before the next ``up``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi

from mimirkafka.contract import ContractError, Problem
from mimirkafka.contract import check_topic_change as contract_topic_change
from mimirkafka.contract.model import IngestStorageContract


class TopicReplacementRefused(ContractError):
    """A change would delete and recreate the ingest topic (and the data in it)."""


@dataclass(frozen=True)
class DeployedTopic:
    """The ingest topic as it exists today."""

    name: str
    partitions: int
    #: An identity of the cluster holding it (bootstrap servers, MSK ARN, Strimzi ``ns/name``).
    cluster: str | None = None


@dataclass(frozen=True)
class TopicProtection:
    """How the topic resource is guarded. Defaults are for real environments."""

    #: ``protect=True`` on the topic: ``pulumi destroy``/replace fails until ``pulumi state unprotect``.
    protect: bool = True
    #: ``retain_on_delete``: deleting the resource leaves the topic in Kafka (used when ``protect`` is
    #: off but the data must survive, e.g. moving the topic to another stack).
    retain_on_delete: bool = False

    @classmethod
    def ephemeral(cls) -> TopicProtection:
        """For dev/CI stacks whose ``pulumi destroy`` must remove the topic."""
        return cls(protect=False, retain_on_delete=False)

    def options(self) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(protect=self.protect, retain_on_delete=self.retain_on_delete)


def check_topic_change(
    *,
    desired_name: str,
    desired_partitions: int,
    desired_cluster: str | None,
    previous: DeployedTopic | None,
    deployed_partitions: int | None = None,
) -> None:
    """Raises :class:`TopicReplacementRefused` if the desired topic cannot be reached in place.

    Name and partition rules are the contract's own (``mimirkafka.contract.check_topic_change``); the
    cluster identity is only known to the components, so that rule lives here.
    """
    known = (
        deployed_partitions
        if deployed_partitions is not None
        else (previous.partitions if previous else None)
    )
    found = contract_topic_change(
        known, desired_partitions, previous.name if previous else None, desired_name
    )
    if (
        previous is not None
        and previous.cluster is not None
        and desired_cluster is not None
        and previous.cluster != desired_cluster
    ):
        found.append(
            Problem(
                "cluster",
                desired_cluster,
                f"the ingest topic lives on {previous.cluster!r}; pointing the component at another cluster "
                "would delete it there with every record not consumed yet",
                "keep the cluster, or deploy the new cluster in a new stack and migrate Mimir deliberately",
            )
        )
    if found:
        raise TopicReplacementRefused(found)


def check_contract_topic(
    contract: IngestStorageContract, partitions: int, cluster: str | None, previous: DeployedTopic | None
) -> None:
    """:func:`check_topic_change` for the contract's topic, each component's guard before any resource."""
    check_topic_change(
        desired_name=contract.topic.name,
        desired_partitions=partitions,
        desired_cluster=cluster,
        previous=previous,
        deployed_partitions=contract.topic.deployed_partitions,
    )


@dataclass(frozen=True)
class LiveTopic:
    """The ingest topic as the cluster reports it right now (pulumi-kafka's ``getTopic`` data source)."""

    name: str
    partitions: int
    replication_factor: int


def is_topic_missing_error(error: BaseException, name: str) -> bool:
    """True only if ``error`` is pulumi-kafka's "no such topic" answer for ``name``.

    terraform-provider-kafka v0.13.1 (``data_source_kafka_topic.go``) turns its ``TopicMissingError``
    (sarama's UNKNOWN_TOPIC_OR_PARTITION, or a name absent from the metadata) into exactly
    ``could not find topic '<name>'``; the bridge and the Python SDK only wrap that text. Anything else
    (TOPIC_AUTHORIZATION_FAILED, SASL failures, unreachable brokers) is *not* "missing": treating it so
    would hide a topic that exists and let a shrink through.
    """
    return f"could not find topic '{name}'" in str(error)


def check_live_topic(
    live: LiveTopic | None,
    *,
    desired_partitions: int,
    desired_replication_factor: int,
    allow_replication_factor_change: bool = False,
) -> None:
    """Raises :class:`TopicReplacementRefused` if reaching the contract from ``live`` could replace it.

    ``live=None`` is a topic that does not exist yet (first deployment): nothing to protect.

    * Partitions: pulumi-kafka adds partitions in place but *replaces* the topic for fewer
      (``customDiff`` forces new). The wording is the contract's own rule.
    * Replication factor: changed in place only when the brokers offer AlterPartitionReassignments
      (API keys 45/46, Kafka >= 2.4); otherwise the same ``customDiff`` forces a replacement. The
      component cannot see which one applies before the provider decides, so a change is refused
      unless the caller says the brokers support it.
    """
    if live is None:
        return
    found = contract_topic_change(live.partitions, desired_partitions, None, live.name)
    if not allow_replication_factor_change and live.replication_factor != desired_replication_factor:
        found.append(
            Problem(
                "topic.replication_factor",
                desired_replication_factor,
                f"the live topic {live.name!r} has replication factor {live.replication_factor}; "
                "pulumi-kafka changes it in place only on brokers that offer partition reassignment "
                "(Kafka >= 2.4) and otherwise deletes and recreates the topic, losing the records "
                "ingesters have not consumed yet",
                f"set topic.replication_factor={live.replication_factor}; to really change it, use "
                "kafka-reassign-partitions.sh and then update the contract, or set "
                "allow_replication_factor_change=True when every broker is Kafka >= 2.4",
            )
        )
    if found:
        raise TopicReplacementRefused(found)


def deployed_topic_from_outputs(state: Mapping[str, Any] | None) -> DeployedTopic | None:
    """Parses the ``topic_state`` output of a previous run (``{"name", "partitions", "cluster"}``)."""
    if not state:
        return None
    return DeployedTopic(
        name=str(state["name"]),
        partitions=int(state["partitions"]),
        cluster=None if state.get("cluster") in (None, "") else str(state["cluster"]),
    )


def topic_state(name: pulumi.Input[str], partitions: int, cluster: pulumi.Input[str] | None) -> pulumi.Output:
    """The ``topic_state`` output of every component (read back by :func:`deployed_topic_from_outputs`)."""
    return pulumi.Output.all(name, cluster).apply(
        lambda v: {"name": v[0], "partitions": partitions, "cluster": v[1]}
    )


def merge_opts(*opts: pulumi.ResourceOptions | None) -> pulumi.ResourceOptions:
    out = pulumi.ResourceOptions()
    for o in opts:
        if o is not None:
            out = pulumi.ResourceOptions.merge(out, o)
    return out
