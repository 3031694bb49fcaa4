"""``--check``: read a stack file (``stacks/Pulumi.<name>.yaml``, keys prefixed ``mimir-kafka:``), turn it
into the :class:`~.plan.Cluster` it declares, and hold that to the workload."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import yaml

from mimirkafka.capacity.plan import CapacityPlan, Cluster, check
from mimirkafka.capacity.tables import EXPRESS_BROKERS, STANDARD_BROKERS
from mimirkafka.capacity.workload import Workload
from mimirkafka.contract.flavors import traits
from mimirkafka.contract.model import KafkaFlavor
from mimirkafka.stack.config import SECRET_KEYS, StackConfig, StackConfigError, parse

PREFIX = "mimir-kafka:"


class StackFileError(ValueError):
    """The stack file cannot be read; the message names the file and the fix."""


def resolve(name_or_path: str, root: Path) -> Path:
    """``prod`` -> ``<root>/stacks/Pulumi.prod.yaml``; a path is taken as it is."""
    p = Path(name_or_path)
    if p.suffix in (".yaml", ".yml") or p.exists():
        return p
    return root / "stacks" / f"Pulumi.{name_or_path}.yaml"


def load_stack(path: Path) -> StackConfig:
    try:
        doc = yaml.safe_load(path.read_text())
    except OSError as e:
        raise StackFileError(
            f"{path}: cannot read it ({e.strerror}); give stacks/Pulumi.<name>.yaml or a stack name"
        ) from None
    except yaml.YAMLError as e:
        raise StackFileError(f"{path}: not valid YAML ({e})") from None
    config = (doc or {}).get("config") or {}
    if not isinstance(config, dict):
        raise StackFileError(f"{path}: `config:` must be a mapping of {PREFIX}<key>: value")
    raw: dict[str, Any] = {}
    for key, value in config.items():
        if not str(key).startswith(PREFIX):
            continue
        name = str(key)[len(PREFIX) :]
        if isinstance(value, dict) and "secure" in value:
            continue  # encrypted by `pulumi config set --secret`: never read here
        raw[name] = value
    try:
        # Sizes do not depend on credentials: count every secret as set, so a stack whose secrets live
        # elsewhere (CI, another file) can still be checked.
        return parse(raw, secrets_set=SECRET_KEYS)
    except StackConfigError as e:
        raise StackFileError(f"{path}: {e}") from None


def planner_kind(cfg: StackConfig) -> str:
    k = cfg.kafka
    if k.kind == "msk":
        return "msk-express" if k.flavor is KafkaFlavor.MSK_EXPRESS else "msk-standard"
    if k.kind == "kraft":
        return "strimzi"  # self-managed brokers: the same rules
    return k.kind


def cluster_of(cfg: StackConfig, w: Workload) -> Cluster:
    kind = planner_kind(cfg)
    sized_brokers = cfg.kafka.kind in ("msk", "strimzi", "kraft")
    instance = cfg.kafka.msk_instance_type if cfg.kafka.kind == "msk" else None
    volume = cfg.kafka.volume_size_gib if kind in ("msk-standard", "strimzi") else None
    return Cluster(
        kafka=kind,
        zones=cfg.mimir.ingester_zones,
        ingesters_per_zone=cfg.mimir.ingesters_per_zone,
        partitions=cfg.topic.partitions,
        replication_factor=cfg.topic.replication_factor,
        min_insync_replicas=cfg.topic.min_insync_replicas,
        retention_ms=cfg.topic.retention_ms,
        brokers=cfg.kafka.brokers if sized_brokers else None,
        instance_type=instance,
        volume_gib=volume,
        broker_vcpus=w.broker_vcpus if kind in ("strimzi", "existing") else None,
        producer_max_record_size_bytes=cfg.topic.producer_max_record_size_bytes,
        max_message_bytes=traits(cfg.kafka.flavor).max_message_bytes_cap,
    )


def check_stack(path: Path, w: Workload) -> tuple[CapacityPlan, list[str]]:
    """The workload held to the stack's cluster; notes say what the stack decided for the workload."""
    cfg = load_stack(path)
    kind = planner_kind(cfg)
    c = cluster_of(cfg, w)
    notes = [
        f"from the stack: kafka={kind}, zones={c.zones}, retention={c.retention_ms / 3_600_000:g} h"
        + (f", instance={c.instance_type}" if c.instance_type else "")
    ]
    table = STANDARD_BROKERS if kind == "msk-standard" else EXPRESS_BROKERS if kind == "msk-express" else None
    instance = c.instance_type if table is not None and c.instance_type in table else None
    if table is not None and instance is None:
        notes.append(
            f"mskInstanceType={c.instance_type!r}: no published figures, its throughput is not checked"
        )
    w = dataclasses.replace(
        w,
        kafka=kind,
        zones=c.zones,
        retention_hours=c.retention_ms / 3_600_000,
        instance_type=instance,
        max_message_bytes=c.max_message_bytes,
    )
    return check(w, c), notes
