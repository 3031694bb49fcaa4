"""Spell the contract's ACL rules the way each target wants them (pure functions).

The contract derives one list of :class:`AclRule` (``kafka_requirements(c).acls``). Targets spell
the same facts differently:

* pulumi-kafka (sarama): ``Topic``/``Group``/``Cluster``, ``Literal``/``Prefixed``, ``Allow``/``Deny``,
  operations ``Read``/``Write``/``Describe``/``Create``/``AlterConfigs``/``DescribeConfigs``...
* Strimzi ``KafkaUser``: ``topic``/``group``/``cluster``, ``literal``/``prefix``, ``allow``/``deny``,
  one ACL entry with an ``operations`` list per resource.

Rule fields may be enums or strings in any case; they are normalised here, in one place.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

_RESOURCE_TYPES = {
    "topic": ("Topic", "topic"),
    "group": ("Group", "group"),
    "cluster": ("Cluster", "cluster"),
    "transactionalid": ("TransactionalID", "transactionalId"),
}
_PATTERNS = {
    "literal": ("Literal", "literal"),
    "prefixed": ("Prefixed", "prefix"),
    "prefix": ("Prefixed", "prefix"),
}
_PERMISSIONS = {"allow": ("Allow", "allow"), "deny": ("Deny", "deny")}
_OPERATIONS = {
    op.lower(): op
    for op in (
        "All",
        "Read",
        "Write",
        "Create",
        "Delete",
        "Alter",
        "Describe",
        "ClusterAction",
        "DescribeConfigs",
        "AlterConfigs",
        "IdempotentWrite",
    )
}
#: Kafka's fixed name of the cluster resource in ACLs.
CLUSTER_RESOURCE_NAME = "kafka-cluster"


def _text(value: Any) -> str:
    raw = getattr(value, "value", value)
    return str(raw).replace("_", "").replace("-", "").replace(" ", "").lower()


def _lookup(table: dict[str, tuple[str, str]], value: Any, what: str) -> tuple[str, str]:
    try:
        return table[_text(value)]
    except KeyError:
        raise ValueError(f"ACL {what} {value!r} is not one of {sorted(table)}") from None


def operation(value: Any) -> str:
    try:
        return _OPERATIONS[_text(value)]
    except KeyError:
        raise ValueError(f"ACL operation {value!r} is not one of {sorted(_OPERATIONS.values())}") from None


@dataclass(frozen=True)
class ProviderAcl:
    """One ``pulumi_kafka.Acl`` as keyword arguments (exact provider spellings)."""

    acl_resource_type: str
    acl_resource_name: str
    resource_pattern_type_filter: str
    acl_operation: str
    acl_principal: str
    acl_permission_type: str
    acl_host: str

    def kwargs(self) -> dict[str, str]:
        """The keyword arguments of ``pulumi_kafka.Acl`` (every component creates its ACLs from these)."""
        return dataclasses.asdict(self)

    def slug(self) -> str:
        """A stable, readable Pulumi resource-name suffix (ACLs are ForceNew, names must not shift)."""
        name = self.acl_resource_name.replace("*", "any").replace(":", "-") or "any"
        return (
            f"{self.acl_resource_type.lower()}-{self.resource_pattern_type_filter.lower()}-{name}-"
            f"{self.acl_operation.lower()}-{self.acl_permission_type.lower()}"
        )


def principal_of(rule: Any) -> str:
    """Kafka principals are ``User:<name>``; accept a bare name and add the prefix."""
    p = str(rule.principal)
    return p if ":" in p else f"User:{p}"


def to_provider_acls(rules: Iterable[Any]) -> list[ProviderAcl]:
    out = []
    for r in rules:
        rtype, _ = _lookup(_RESOURCE_TYPES, r.resource_type, "resource_type")
        pattern, _ = _lookup(_PATTERNS, getattr(r, "pattern_type", "literal"), "pattern_type")
        perm, _ = _lookup(_PERMISSIONS, getattr(r, "permission", "allow"), "permission")
        name = CLUSTER_RESOURCE_NAME if rtype == "Cluster" else str(r.resource_name)
        host = str(getattr(r, "host", None) or "*")
        out.append(ProviderAcl(rtype, name, pattern, operation(r.operation), principal_of(r), perm, host))
    # Deduplicate while keeping order: two identical ACLs would collide on the broker anyway.
    return list(dict.fromkeys(out))


def to_strimzi_acls(rules: Iterable[Any]) -> list[dict[str, Any]]:
    """KafkaUser ``spec.authorization.acls``: one entry per (resource, pattern, permission, host)."""
    grouped: dict[tuple[str, str, str, str, str], list[str]] = {}
    for r in rules:
        _, rtype = _lookup(_RESOURCE_TYPES, r.resource_type, "resource_type")
        _, pattern = _lookup(_PATTERNS, getattr(r, "pattern_type", "literal"), "pattern_type")
        _, perm = _lookup(_PERMISSIONS, getattr(r, "permission", "allow"), "permission")
        host = str(getattr(r, "host", None) or "*")
        name = "" if rtype == "cluster" else str(r.resource_name)
        ops = grouped.setdefault((rtype, name, pattern, perm, host), [])
        op = operation(r.operation)
        if op not in ops:
            ops.append(op)
    acls = []
    for (rtype, name, pattern, perm, host), ops in grouped.items():
        resource: dict[str, Any] = {"type": rtype}
        if rtype != "cluster":
            resource["name"] = name
            resource["patternType"] = pattern
        acls.append({"resource": resource, "operations": ops, "type": perm, "host": host})
    return acls
