"""``mimirkafka plan -s <stack>``: a stack's resolved plan, with no engine and no cloud.

Reads ``stacks/Pulumi.<stack>.yaml`` (secrets set with ``--secret`` count as set; their values are
never read: they stand as ``***``), optionally the stack's last outputs (``--stack-outputs``, the
JSON of ``pulumi stack output --json``) for the topic guard, runs :func:`plan_stack` and prints the
contract, the Kafka side, the Mimir side (Helm values with ``${VAR}`` references), IAM, every warning
and every problem. Exit codes as the doctor's: 0 planned, 1 planned with warnings, 2 problems,
3 usage or input error.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Mapping
from enum import Enum
from pathlib import Path
from typing import Any

import yaml

from mimirkafka.contract import kafka_requirements, render_mimir
from mimirkafka.contract.errors import ContractError
from mimirkafka.stack.plan import StackPlan, plan_stack

OK, WARNINGS, PROBLEMS, INPUT_ERROR = 0, 1, 2, 3
NAMESPACE = "mimir-kafka"
MASK = "***"


def read_stack_file(root: Path, stack: str) -> tuple[dict[str, Any], set[str]]:
    """The stack file's non-secret values (as the CLI passes them: strings, arrays as JSON) and the
    names of the secret keys it sets (encrypted ``secure:`` values, never decrypted here)."""
    path = root / "stacks" / f"Pulumi.{stack}.yaml"
    doc = yaml.safe_load(path.read_text()) or {}
    raw: dict[str, Any] = {}
    secrets: set[str] = set()
    for full, value in (doc.get("config") or {}).items():
        if not str(full).startswith(f"{NAMESPACE}:"):
            continue
        key = str(full).split(":", 1)[1]
        if isinstance(value, dict) and "secure" in value:
            secrets.add(key)
        elif isinstance(value, bool):
            raw[key] = "true" if value else "false"
        elif isinstance(value, list | dict):
            raw[key] = json.dumps(value)
        else:
            raw[key] = str(value)
    return raw, secrets


def describe(plan: StackPlan) -> dict[str, Any]:
    """The plan as a JSON-able document with no secret value (secrets appear as ``***`` or ``${VAR}``)."""
    c = plan.contract
    req = kafka_requirements(c)
    rendered = render_mimir(c).masked()
    cfg = plan.config
    kafka: dict[str, Any] = {
        "kind": cfg.kafka.kind,
        "flavor": c.flavor.value,
        "kafka_version": c.kafka_version,
        "address": list(c.addresses),
        "topic": {
            "name": req.topic,
            "partitions": req.partitions,
            "replication_factor": req.replication_factor,
            "min_insync_replicas": req.min_insync_replicas,
            "config": req.topic_config,
        },
        "broker_config": req.broker_config,
        "mechanism": req.mechanism.value if req.mechanism else "none",
        "tls": req.tls,
        "principal": plan.principal,
        "user": req.username,
        "acls": [_acl(a) for a in req.acls],
    }
    if plan.previous is not None:
        kafka["deployed_topic"] = {
            "name": plan.previous.name,
            "partitions": plan.previous.partitions,
            "cluster": plan.previous.cluster,
        }
    for attr in (
        "methods",
        "ports",
        "server_properties",
        "scram_secret_name",
        "topic_route",
        "volume_size_gib",
    ):
        value = getattr(plan.kafka_plan, attr, None)
        if value is not None:
            kafka[f"msk_{attr}"] = _plain(value)
    mimir: dict[str, Any] = {
        "release": cfg.mimir.release_name,
        "namespace": cfg.mimir.namespace,
        "chart_version": cfg.mimir.chart_version,
        "image_tag": str(cfg.mimir.version),
        "kafka_components": list(getattr(plan.mimir, "kafka_components", ())),
        "ingesters": [_plain(i) for i in getattr(plan.mimir, "ingesters", ())],
        "ingest_storage": rendered["config"].get("ingest_storage", {}),
        "secret_env": rendered["secret_env"],
        "tls_files": rendered["tls_files"],
        "values": plan.mimir.values,
    }
    return {
        "stack": plan.stack,
        "kafka": kafka,
        "mimir": mimir,
        "iam": plan.iam,
        "render_dir": str(plan.render_dir) if plan.render_dir else None,
        "warnings": [str(w) for w in plan.warnings],
        "problems": [],
    }


def _acl(a: Any) -> dict[str, Any]:
    return {k: _plain(v) for k, v in vars(a).items()} if hasattr(a, "__dict__") else _plain(a)


def _plain(value: Any) -> Any:
    """JSON-able: enums by value, dataclasses by fields, tuples as lists."""
    if isinstance(value, Enum):
        return value.value
    if hasattr(value, "__dataclass_fields__"):
        return {k: _plain(getattr(value, k)) for k in value.__dataclass_fields__}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def text_report(doc: Mapping[str, Any]) -> str:
    """The plan for a terminal: warnings and problems first, then the plan as YAML."""
    lines = [f"plan of stack {doc['stack']!r}"]
    for title, items in (("problems", doc["problems"]), ("warnings", doc["warnings"])):
        if items:
            lines.append(f"{len(items)} {title}:")
            lines += [f"  - {item}" for item in items]
    if not doc.get("kafka"):
        return "\n".join(lines) + "\n"
    body = {k: v for k, v in doc.items() if k not in ("stack", "problems", "warnings")}
    lines.append(yaml.safe_dump(body, sort_keys=False, default_flow_style=False, width=110).rstrip())
    return "\n".join(lines) + "\n"


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "plan",
        help="print a stack's plan (contract, Kafka side, Mimir values, IAM), its warnings and problems",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    p.add_argument("-s", "--stack", required=True, help="stack name: reads stacks/Pulumi.<stack>.yaml")
    p.add_argument("--root", type=Path, default=Path.cwd(), help="project directory (default: cwd)")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a key for this plan only (repeatable), as `pulumi config set` would",
    )
    p.add_argument(
        "--stack-outputs", type=Path, help="the stack's last outputs (`pulumi stack output --json`)"
    )
    p.add_argument("--output", choices=("text", "yaml", "json"), default="text")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    root: Path = args.root
    try:
        raw, secrets = read_stack_file(root, args.stack)
        last = json.loads(args.stack_outputs.read_text()) if args.stack_outputs else None
    except (OSError, yaml.YAMLError, json.JSONDecodeError) as e:
        print(f"mimirkafka plan: {e}", file=sys.stderr)
        return INPUT_ERROR
    for item in args.set:
        key, sep, value = item.partition("=")
        if not sep:
            print(f"mimirkafka plan: --set {item!r}: write KEY=VALUE", file=sys.stderr)
            return INPUT_ERROR
        raw[key] = value
    from mimirkafka.stack.plan import Secrets

    masked = Secrets(
        kafka_password=MASK if "kafkaPassword" in secrets else None,
        kafka_oauth_token=MASK if "kafkaOauthToken" in secrets else None,
        kafka_admin_password=MASK if "kafkaAdminPassword" in secrets else None,
    )
    started = time.perf_counter()
    try:
        plan = plan_stack(
            raw,
            secrets=masked,
            secrets_set=secrets,
            stack=args.stack,
            root=root,
            last_outputs=last,
            secret=lambda _text: MASK,
        )
    except ContractError as e:
        doc: dict[str, Any] = {"stack": args.stack, "problems": [str(p) for p in e.problems], "warnings": []}
        code = PROBLEMS
    else:
        doc = describe(plan)
        code = WARNINGS if plan.warnings else OK
    elapsed_ms = (time.perf_counter() - started) * 1000
    if args.output == "json":
        print(json.dumps(doc, indent=2, sort_keys=False, default=str))
    elif args.output == "yaml":
        print(yaml.safe_dump(doc, sort_keys=False, default_flow_style=False, width=110), end="")
    else:
        print(text_report(doc), end="")
        print(f"(planned in {elapsed_ms:.0f} ms; exit {code})", file=sys.stderr)
    return code


__all__ = ["describe", "read_stack_file", "register", "run"]
