"""A plan as a terminal table, as JSON, and as the stack config keys that apply it.

The stack keys are those declared in :mod:`mimirkafka.stack.keys`; the YAML is a ``config:`` block in the
format of ``stacks/Pulumi.<name>.yaml`` (keys prefixed ``mimir-kafka:``), so it can be merged into a stack
file, and :func:`mimirkafka.stack.config.parse` accepts its values unchanged (tests prove it).
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from mimirkafka.capacity.figures import Constraint
from mimirkafka.capacity.plan import CapacityPlan
from mimirkafka.contract.flavors import RECORD_OVERHEAD_BYTES

PROJECT = "mimir-kafka"

#: Planner Kafka kind -> (kafkaKind, kafkaFlavor or None for the kind's default).
STACK_KIND = {
    "msk-standard": ("msk", None),
    "msk-express": ("msk", "msk-express"),
    "msk-serverless": ("msk-serverless", None),
    "strimzi": ("strimzi", None),
    "existing": ("existing", None),
}


def stack_values(p: CapacityPlan) -> dict[str, Any]:
    """The plan as stack config keys (names from mimirkafka.stack.keys) and their values."""
    c = p.cluster
    kind, flavor = STACK_KIND[c.kafka]
    out: dict[str, Any] = {"kafkaKind": kind}
    if flavor:
        out["kafkaFlavor"] = flavor
    if c.brokers is not None:
        out["kafkaBrokers"] = c.brokers
    if c.instance_type:
        out["mskInstanceType"] = c.instance_type
    if c.volume_gib is not None:
        out["kafkaVolumeSizeGib"] = c.volume_gib
    out |= {
        "topicPartitions": c.partitions,
        "topicReplicationFactor": c.replication_factor,
        "topicMinInsyncReplicas": c.min_insync_replicas,
        "topicRetentionMs": c.retention_ms,
        "ingesterZones": c.zones,
        "ingestersPerZone": c.ingesters_per_zone,
    }
    if c.max_message_bytes is not None:
        out["producerMaxRecordSizeBytes"] = min(
            c.producer_max_record_size_bytes, c.max_message_bytes - RECORD_OVERHEAD_BYTES
        )
    return out


def to_yaml(p: CapacityPlan) -> str:
    w = p.workload
    peak = p.figures["peak_samples_per_s"].value
    head = (
        f"# mimirkafka capacity: {w.active_series:,} active series, {peak:,.0f} peak samples/s, "
        f"{w.zones} zones, {w.retention_hours:g} h retention, +{w.growth:.0%} growth, {w.kafka}.\n"
        "# Merge into stacks/Pulumi.<stack>.yaml; `mimirkafka capacity --output json` has every rule\n"
        "# and source.\n"
    )
    if "autoscaling_max_gib" in p.figures:
        # No stack key carries MSK storage auto-scaling yet: say what to set instead of dropping it.
        target = p.figures["autoscaling_target_pct"].value
        top = p.figures["autoscaling_max_gib"].value
        head += f"# MSK storage auto-scaling (no stack key): target {target:g} %, max {top:,} GiB/broker.\n"
    body = {"config": {f"{PROJECT}:{k}": v for k, v in stack_values(p).items()}}
    return head + yaml.safe_dump(body, sort_keys=False)


def to_dict(p: CapacityPlan) -> dict[str, Any]:
    b = p.binding
    return {
        "workload": _workload_dict(p),
        "feasible": p.feasible,
        "binds_first": b.as_dict() if b else None,
        "stack_config": stack_values(p),
        "figures": {k: f.as_dict() for k, f in p.figures.items()},
        "constraints": [c.as_dict() for c in p.constraints],
        "warnings": [str(w) for w in p.warnings],
    }


def to_json(p: CapacityPlan) -> str:
    return json.dumps(to_dict(p), indent=2)


def _workload_dict(p: CapacityPlan) -> dict[str, Any]:
    w = p.workload
    d = {k: getattr(w, k) for k in w.__dataclass_fields__ if k != "shape"}
    d["shape"] = {
        "labels": w.shape.labels,
        "value_length": w.shape.value_length,
        "series_per_record": w.shape.series_per_record,
    }
    return d


def _num(v: float) -> str:
    if isinstance(v, float) and not v.is_integer():
        return f"{v:,.2f}"
    return f"{int(v):,}"


class _Refs:
    """Numbers each distinct source once, so table lines stay short and the sources are listed below."""

    def __init__(self) -> None:
        self.order: list[str] = []

    def __call__(self, source: str) -> str:
        if source not in self.order:
            self.order.append(source)
        return f"[{self.order.index(source) + 1}]"


def _constraint_line(c: Constraint, ref: _Refs) -> str:
    mark = "set" if c.planned else "ok" if c.ok else ("FAIL" if c.hard else "over")
    used = f"{c.utilisation:>5.0%}" if c.utilisation != float("inf") else "  n/a"
    return (
        f"  {mark:<4} {used}  {c.name}: {_num(c.value)} of {_num(c.limit)} {c.unit}"
        f"  ({c.kind.value}) {ref(c.source)}"
    )


def to_table(p: CapacityPlan, title: str = "Capacity plan") -> str:
    ref = _Refs()
    lines = [title, ""]
    width = max(len(k) for k in p.figures)
    for name, f in p.figures.items():
        value = f.unit if name == "instance_type" else f"{_num(f.value)} {f.unit}"
        lines.append(f"  {name:<{width}}  {value:<20} {f.kind.value:<13}  {f.rule} {ref(f.source)}")
    lines += ["", "Constraints (value of limit, % used; set = met by the plan's own choice):"]
    lines += [
        _constraint_line(c, ref) for c in sorted(p.constraints, key=lambda c: (c.planned, -c.utilisation))
    ]
    b = p.binding
    lines.append("")
    lines.append(
        f"Binds first: {b.name} ({b.utilisation:.0%})"
        if b
        else "Binds first: nothing the planner did not set itself"
    )
    failed = [c.name for c in p.constraints if c.hard and not c.ok]
    lines.append(
        "Feasible: yes" if p.feasible else f"Feasible: NO, hard limits exceeded: {'; '.join(failed)}"
    )
    for w in p.warnings:
        lines.append(f"Warning: {w}")
    lines += ["", "Sources:"] + [f"  [{i + 1}] {s}" for i, s in enumerate(ref.order)]
    return "\n".join(lines)
