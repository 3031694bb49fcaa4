"""Every rule of the pack: name, what it guards, mandatory or advisory, and its configuration.

Each rule accepts, in ``policy-config.json`` (``pulumi preview --policy-pack-config``):

* ``enforcementLevel``: ``mandatory`` | ``advisory`` | ``disabled`` (the engine's own key);
* ``exemptStacks``: stack names (shell patterns, e.g. ``"pr-*"``) the rule does not apply to;
* the rule's own settings below (``topicPattern``, ``flavor``, ``today``).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from mimirkafka.contract import KafkaFlavor

from mimirkafka_policy import resource_rules as rr
from mimirkafka_policy import stack_rules as sr
from mimirkafka_policy.view import Res, Violation

Level = Literal["mandatory", "advisory", "disabled"]
ResourceRule = Callable[[Res, Mapping[str, Any]], list[Violation]]
StackRule = Callable[[Sequence[Res], Mapping[str, Any]], list[Violation]]

#: Stacks that are thrown away: no protected topic, replication factor 1 allowed.
THROWAWAY_STACKS = ["local", "dev", "dev-*"]

_TOPIC_PATTERN = {
    "topicPattern": {
        "type": "string",
        "default": "mimir|ingest",
        "description": "Regular expression (case-insensitive search) for the names of Mimir's ingest topics.",
    }
}
_FLAVOR = {
    "flavor": {
        "type": "string",
        "enum": ["", *(f.value for f in KafkaFlavor)],
        "default": "",
        "description": "Kafka flavor whose limits apply; empty = implied by the resource type or the stack.",
    }
}
_TODAY = {
    "today": {
        "type": "string",
        "default": "",
        "description": "Judge support dates as of this ISO date (empty = today); for reproducible CI runs.",
    }
}


@dataclass(frozen=True)
class Rule:
    name: str
    description: str
    level: Level
    check: ResourceRule | StackRule
    kind: Literal["resource", "stack"]
    exempt: list[str] = field(default_factory=list)
    properties: dict[str, Any] = field(default_factory=dict)

    def schema(self) -> dict[str, Any]:
        """JSON schema of the rule's configuration (the engine validates policy-config.json with it)."""
        return {
            "exemptStacks": {
                "type": "array",
                "items": {"type": "string"},
                "default": list(self.exempt),
                "description": "Stacks (shell patterns) this rule does not apply to.",
            },
            **self.properties,
        }

    def config(self, given: Mapping[str, Any] | None) -> dict[str, Any]:
        """The rule's settings: the schema defaults, overridden by what policy-config.json gives."""
        out = {k: v.get("default") for k, v in self.schema().items()}
        out.update({k: v for k, v in (given or {}).items() if k in out})
        return out

    def applies_to(self, stack: str, cfg: Mapping[str, Any]) -> bool:
        return not any(fnmatch.fnmatchcase(stack, pat) for pat in cfg.get("exemptStacks") or [])

    def run_resource(self, r: Res, given: Mapping[str, Any] | None = None) -> list[Violation]:
        assert self.kind == "resource"
        cfg = self.config(given)
        return self.check(r, cfg) if self.applies_to(r.stack, cfg) else []  # type: ignore[arg-type]

    def run_stack(self, resources: Sequence[Res], given: Mapping[str, Any] | None = None) -> list[Violation]:
        assert self.kind == "stack"
        cfg = self.config(given)
        stack = next((r.stack for r in resources if r.stack), "")
        return self.check(resources, cfg) if self.applies_to(stack, cfg) else []  # type: ignore[arg-type]


RULES: tuple[Rule, ...] = (
    Rule(
        "mimir-topic-accepts-batch",
        "Mimir's ingest topic accepts Mimir's 16,000,000-byte producer batch (or the flavor's lower cap).",
        "mandatory",
        rr.topic_accepts_batch,
        "resource",
        properties={**_TOPIC_PATTERN, **_FLAVOR},
    ),
    Rule(
        "kafka-broker-accepts-batch",
        "Broker/cluster configurations (MSK configuration, Strimzi Kafka, apache/kafka StatefulSet) accept "
        "Mimir's producer batch (message.max.bytes).",
        "mandatory",
        rr.broker_accepts_batch,
        "resource",
        properties=dict(_FLAVOR),
    ),
    Rule(
        "mimir-topic-replication",
        "Mimir's topic keeps its writes through a broker loss: replication factor 3, min.insync.replicas "
        "below it (the contract's replication rules).",
        "mandatory",
        rr.topic_replication,
        "resource",
        exempt=THROWAWAY_STACKS,
        properties={**_TOPIC_PATTERN, **_FLAVOR},
    ),
    Rule(
        "mimir-topic-protected",
        "Mimir's topic is protected from deletion by Pulumi outside throw-away stacks.",
        "mandatory",
        rr.topic_protected,
        "resource",
        exempt=THROWAWAY_STACKS,
        properties=dict(_TOPIC_PATTERN),
    ),
    Rule(
        "msk-encryption",
        "MSK encrypts in transit with TLS only and at rest with a customer managed KMS key.",
        "mandatory",
        rr.msk_encryption,
        "resource",
    ),
    Rule(
        "msk-scram-secret-kms",
        "MSK SCRAM secrets (AmazonMSK_*) are encrypted with a customer managed KMS key.",
        "mandatory",
        rr.msk_scram_secret_key,
        "resource",
    ),
    Rule(
        "msk-kafka-version-supported",
        "MSK runs a Kafka version that Amazon MSK still supports.",
        "mandatory",
        rr.msk_version_supported,
        "resource",
        properties=dict(_TODAY),
    ),
    Rule(
        "msk-kafka-version-ending",
        "MSK's Kafka version is not within six months of its end of support.",
        "advisory",
        rr.msk_version_ending,
        "resource",
        properties=dict(_TODAY),
    ),
    Rule(
        "iam-no-kafka-s3-wildcards",
        "IAM policies grant no kafka-cluster:*/kafka:*/s3:* action, and no kafka or s3 action on '*'.",
        "mandatory",
        rr.iam_no_wildcards,
        "resource",
    ),
    Rule(
        "no-clear-credentials",
        "No Kafka credential, token or private key in clear in Helm values, ConfigMaps or any other "
        "non-secret input.",
        "mandatory",
        rr.no_clear_credentials,
        "resource",
    ),
    Rule(
        "mimir-kafka-agreement",
        "The Mimir release's ingest_storage.kafka agrees with the stack's Kafka: address and port vs "
        "listener and mechanism, TLS, topic name, partitions >= ingesters per zone, record size <= the "
        "topic's max.message.bytes.",
        "mandatory",
        sr.mimir_kafka_agreement,
        "stack",
        properties=dict(_FLAVOR),
    ),
    Rule(
        "mimir-ruler-remote-evaluation",
        "The Mimir release evaluates rules remotely (required with ingest storage).",
        "mandatory",
        sr.ruler_remote_evaluation,
        "stack",
    ),
    Rule(
        "mimir-kafka-credentials-scope",
        "Kafka credentials reach only the Mimir components that talk to Kafka.",
        "mandatory",
        sr.kafka_credentials_scope,
        "stack",
    ),
    Rule(
        "msk-scram-secret-association",
        "Secrets associated with an MSK cluster for SCRAM are named AmazonMSK_* and use a customer "
        "managed key.",
        "mandatory",
        sr.msk_scram_secrets,
        "stack",
    ),
    Rule(
        "msk-scram-acl-default-deny",
        "MSK clusters with SCRAM set allow.everyone.if.no.acl.found=false (advisory: turning it on before "
        "Mimir's ACLs exist locks Mimir out; raise to mandatory once ACLs are enforced).",
        "advisory",
        sr.msk_scram_acl_default_deny,
        "stack",
    ),
)

BY_NAME = {r.name: r for r in RULES}


def check_resources(
    resources: Sequence[Res], config: Mapping[str, Mapping[str, Any]] | None = None
) -> dict[str, list[Violation]]:
    """Every rule (resource and stack) over ``resources``: rule name -> violations. ``config`` is the
    content of a policy-config.json (rule name -> settings); a rule set to ``disabled`` is skipped."""
    config = config or {}
    out: dict[str, list[Violation]] = {}
    for rule in RULES:
        given = dict(config.get(rule.name) or {})
        if given.get("enforcementLevel", rule.level) == "disabled":
            continue
        if rule.kind == "resource":
            found = [v for r in resources for v in rule.run_resource(r, given)]
        else:
            found = rule.run_stack(resources, given)
        if found:
            out[rule.name] = found
    return out


def level_of(name: str, config: Mapping[str, Mapping[str, Any]] | None = None) -> str:
    given = (config or {}).get(name) or {}
    return str(given.get("enforcementLevel") or BY_NAME[name].level)


def default_config() -> dict[str, dict[str, Any]]:
    """policy-config.json as shipped: every rule with its level and settings spelled out."""
    return {r.name: {"enforcementLevel": r.level, **r.config(None)} for r in RULES}


if __name__ == "__main__":  # python -m mimirkafka_policy.catalog > policy-config.json
    import json

    print(json.dumps(default_config(), indent=2))
