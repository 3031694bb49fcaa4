"""``mimirkafka deployer-policy``: print the IAM policy the identity running ``pulumi up`` needs.

Input: a JSON or YAML description of what the stack creates (the fields of
:class:`~mimirkafka.kafka.deployer_policy.DeployerPolicyInputs`), from a file or stdin; ``--region`` and
``--account-id`` pin the ARNs. ``--explain`` prints why each statement is there. ``-s <stack>`` derives
the inputs from the stack's own plan (``stacks/Pulumi.<stack>.yaml``, no engine, no cloud).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import yaml

from mimirkafka.contract.errors import ContractError
from mimirkafka.kafka.deployer_policy import REASONS, deployer_policy, inputs_from_mapping

HELP = "print the least-privilege IAM policy for deploying a stack"


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("deployer-policy", help=HELP, description=__doc__)
    p.add_argument(
        "--input", metavar="PATH", default="-", help="JSON/YAML description of the stack (- = stdin)"
    )
    p.add_argument(
        "-s", "--stack", help="derive the inputs from this stack's plan (stacks/Pulumi.<stack>.yaml)"
    )
    p.add_argument("--root", default=".", help="project directory with -s (default: cwd)")
    p.add_argument("--region", help="the stack's AWS region (default: from the input, else *)")
    p.add_argument("--account-id", help="the stack's AWS account (default: from the input, else *)")
    p.add_argument(
        "--explain", action="store_true", help="print each statement's reason instead of the policy"
    )
    p.set_defaults(run=run)


def _from_stack(args: argparse.Namespace) -> dict[str, Any] | None:
    """The inputs of ``-s <stack>`` through the stack's plan; ``None`` (after printing why) if refused."""
    import dataclasses
    from pathlib import Path

    from mimirkafka.stack.plan import Secrets, deployer_policy_inputs, plan_stack
    from mimirkafka.stack.report import MASK, read_stack_file

    root = Path(args.root)
    raw, secrets = read_stack_file(root, args.stack)
    masked = Secrets(
        *(MASK if k in secrets else None for k in ("kafkaPassword", "kafkaOauthToken", "kafkaAdminPassword"))
    )
    try:
        plan = plan_stack(
            raw, secrets=masked, secrets_set=secrets, stack=args.stack, root=root, secret=lambda _t: MASK
        )
    except ContractError as err:
        print(f"deployer-policy: {err}", file=sys.stderr)
        return None
    return dataclasses.asdict(deployer_policy_inputs(plan, account_id=args.account_id or "*"))


def run(args: argparse.Namespace) -> int:
    if args.stack:
        from_stack = _from_stack(args)
        if from_stack is None:
            return 1
        text = json.dumps(from_stack)
    elif args.input == "-":
        text = sys.stdin.read()
    else:
        with open(args.input, encoding="utf-8") as f:
            text = f.read()
    raw = yaml.safe_load(text) or {}
    if not isinstance(raw, dict):
        print("deployer-policy: the input must be a mapping of DeployerPolicyInputs fields", file=sys.stderr)
        return 1
    if args.region:
        raw["region"] = args.region
    if args.account_id:
        raw["account_id"] = args.account_id
    try:
        policy = deployer_policy(inputs_from_mapping(raw))
    except ContractError as err:
        print(f"deployer-policy: {err}", file=sys.stderr)
        return 1
    if args.explain:
        for st in policy["Statement"]:
            print(f"{st['Sid']}: {REASONS.get(st['Sid'], '')}")
        return 0
    print(json.dumps(policy, indent=2))
    return 0
