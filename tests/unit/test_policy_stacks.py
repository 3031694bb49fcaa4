"""Every shipped stack passes the policy pack: no mandatory violation (advisories are listed, not failed).

Each ``stacks/Pulumi.<stack>.yaml`` runs through the real program under Pulumi mocks (as in
test_stacks_programs.py); the resources it registers (inputs, secrets, protect, dependencies, providers)
are handed to every rule of the pack with the shipped policy-config.json. The real engine runs the pack
on the ``local`` stack in tests/e2e/test_policy_engine.py; the other stacks need AWS or a cluster, which
the mocks stand in for.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from mocks import ProgramRun, RecordedResource
from test_stacks_programs import STACKS, run_stack

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "policy"))

from mimirkafka_policy import catalog  # noqa: E402
from mimirkafka_policy.view import Res, Secret  # noqa: E402

PROJECT = "mimir-kafka"
CONFIG = json.loads((REPO / "policy" / "policy-config.json").read_text())


def _urn(r: RecordedResource, stack: str | None = None) -> str:
    """The URN the mock monitor gave ``r`` (pulumi.runtime.mocks.MockMonitor.make_urn: its stack and
    project are the parent's), or with ``stack`` the URN a real ``stack`` would give it."""
    typ = r.type
    prefix = "urn:pulumi:stack::project"
    if r.parent:
        prefix = "::".join(r.parent.split("::")[:2])
        typ = r.parent.split("::")[2].split("$")[-1] + "$" + typ
    if stack is not None:
        prefix = f"urn:pulumi:{stack}::{PROJECT}"
    return f"{prefix}::{typ}::{r.name}"


def _wrap(value: Any, path: str, secret_paths: frozenset[str]) -> Any:
    """The recorded inputs with each Pulumi secret marked again, as the engine hands them to the pack."""
    if path in secret_paths:
        return Secret(value)
    if isinstance(value, dict):
        return {k: _wrap(v, f"{path}.{k}" if path else k, secret_paths) for k, v in value.items()}
    if isinstance(value, list):
        return [_wrap(v, f"{path}[{i}]", secret_paths) for i, v in enumerate(value)]
    return value


def as_policy_resources(stack: str, run: ProgramRun) -> list[Res]:
    by_urn = {_urn(r): r for r in run.resources}
    out = []
    for r in run.resources:
        provider = by_urn.get((r.provider or "").rsplit("::", 1)[0])
        out.append(
            Res(
                r.type,
                _wrap(r.inputs, "", r.secret_paths),
                _urn(r, stack),
                r.name,
                r.protect,
                # the mock's URNs, consistently: rules only match dependencies against each other
                dependencies=tuple(
                    d.replace("urn:pulumi:stack::project", f"urn:pulumi:{stack}::{PROJECT}")
                    for d in r.dependencies
                ),
                parent=r.parent,
                provider_props=provider.inputs if provider is not None else {},
            )
        )
    return out


@pytest.fixture(scope="module", params=STACKS)
def checked(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, list[Res]]:
    stack = request.param
    run = run_stack(stack, tmp_path_factory.mktemp(f"policy-{stack}"))
    return stack, as_policy_resources(stack, run)


def test_shipped_stack_has_no_mandatory_violation(checked: tuple[str, list[Res]]) -> None:
    stack, resources = checked
    assert len(resources) > 5, f"{stack}: the program registered almost nothing"
    found = catalog.check_resources(resources, CONFIG)
    mandatory = {
        k: [str(v) for v in vs] for k, vs in found.items() if catalog.level_of(k, CONFIG) == "mandatory"
    }
    advisory = {k: len(vs) for k, vs in found.items() if catalog.level_of(k, CONFIG) == "advisory"}
    print(f"{stack}: {len(resources)} resources, advisories {advisory}")
    assert mandatory == {}


def test_the_rules_see_what_matters_in_the_shipped_stacks(checked: tuple[str, list[Res]]) -> None:
    """Guards against a vacuous pass: each stack holds a Mimir topic or Mimir release the rules judged."""
    stack, resources = checked
    from mimirkafka_policy.kinds import chart_name, topic_view

    topics = [t for r in resources if (t := topic_view(r)) is not None]
    releases = [r for r in resources if chart_name(r) == "mimir-distributed"]
    assert topics or releases, (
        f"{stack}: no topic and no Mimir release among {sorted({r.type for r in resources})}"
    )
    # a stack becomes non-compliant the moment its topic shrinks below Mimir's batch
    for t in topics:
        if t.configs is None or "max.message.bytes" not in t.configs:
            continue
        broken = dict(t.res.props)
        key = t.configs_path.split(".")
        node = broken
        for part in key[:-1]:
            node[part] = dict(node[part])
            node = node[part]
        cfg = t.configs | {"max.message.bytes": "1048576"}
        node[key[-1]] = json.dumps(cfg) if isinstance(node.get(key[-1]), str) else cfg
        bad = Res(
            t.res.type, broken, t.res.urn, t.res.name, t.res.protect, provider_props=t.res.provider_props
        )
        assert catalog.BY_NAME["mimir-topic-accepts-batch"].run_resource(
            bad, CONFIG.get("mimir-topic-accepts-batch")
        )
