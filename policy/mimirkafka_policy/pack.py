"""The rules as a pulumi-policy PolicyPack (what ``pulumi preview --policy-pack policy`` runs).

pulumi-policy 1.21.0's ``Analyze``/``AnalyzeStack`` deserialize the engine's properties with the secret
markers dropped (``deserialize_properties(..., proxy_secrets=False)``, pulumi_policy/policy.py), so a
password given as a Pulumi secret would look like one in clear. The engine does send the markers
(pulumi/pulumi v3.259.0 pkg/resource/plugin/analyzer_plugin.go marshals with ``KeepSecrets: true``);
:func:`install_secret_aware_deserializer` makes the pack keep them as :class:`~mimirkafka_policy.view.Secret`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi_policy
import pulumi_policy.deserialize as _deser
import pulumi_policy.policy as _policy
from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyPack,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from mimirkafka_policy.catalog import RULES, Rule
from mimirkafka_policy.view import Res, Secret

PACK_NAME = "mimirkafka"
LEVELS = {
    "mandatory": EnforcementLevel.MANDATORY,
    "advisory": EnforcementLevel.ADVISORY,
    "disabled": EnforcementLevel.DISABLED,
}
_ORIGINAL = _deser.deserialize_properties


def _keep_secrets(prop: Any) -> Any:
    if isinstance(prop, list):
        return [_keep_secrets(p) for p in prop]
    if isinstance(prop, dict):
        sig = prop.get(_deser.SPECIAL_SIG_KEY)
        if sig == _deser.SPECIAL_SECRET_SIG:
            return Secret(_keep_secrets(prop.get("value")))
        if sig is not None:  # assets and archives: pulumi-policy's own handling
            return _deser._deserialize_property(prop)
        return {k: _keep_secrets(v) for k, v in prop.items()}
    return prop


def deserialize_keeping_secrets(props: dict[str, Any], proxy_secrets: bool = False) -> dict[str, Any]:
    """pulumi-policy's ``deserialize_properties``, but secrets stay marked (remediation path unchanged)."""
    if proxy_secrets:
        return _ORIGINAL(props, proxy_secrets)
    return {k: _keep_secrets(v) for k, v in props.items()}


def install_secret_aware_deserializer() -> None:
    _policy.deserialize_properties = deserialize_keeping_secrets


def plain(value: Any) -> Any:
    """pulumi-policy's unknown-checking proxies turned back into dicts and lists (unknowns kept as their
    sentinel strings, so a rule can skip what it cannot judge instead of aborting)."""
    if isinstance(value, Secret):
        return Secret(plain(value.value))
    if isinstance(value, Mapping):
        target = value["__target"] if not isinstance(value, dict) else value
        return {k: plain(target[k]) for k in target}
    if isinstance(value, list | tuple) or (
        hasattr(value, "__getitem__") and hasattr(value, "__len__") and not isinstance(value, str | bytes)
    ):
        target = value["__target"] if not isinstance(value, list | tuple) else value
        return [plain(v) for v in target]
    return value


def resource_of(args: ResourceValidationArgs) -> Res:
    return Res(
        type=args.resource_type,
        props=plain(args.props),
        urn=args.urn,
        name=args.name,
        protect=bool(args.opts.protect),
        parent=args.opts.parent or "",
        provider_props=plain(args.provider.props) if args.provider is not None else {},
    )


def stack_resources(args: StackValidationArgs) -> list[Res]:
    out = []
    for r in args.resources:
        out.append(
            Res(
                type=r.resource_type,
                props=plain(r.props),
                urn=r.urn,
                name=r.name,
                protect=bool(r.opts.protect),
                property_dependencies={
                    k: tuple(d.urn for d in v) for k, v in r.property_dependencies.items()
                },
                dependencies=tuple(d.urn for d in r.dependencies),
                parent=r.parent.urn if r.parent is not None else "",
                provider_props=plain(r.provider.props) if r.provider is not None else {},
            )
        )
    return out


def _resource_policy(rule: Rule) -> ResourceValidationPolicy:
    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        for v in rule.run_resource(resource_of(args), args.get_config()):
            report(str(v), v.urn or None)

    return ResourceValidationPolicy(
        name=rule.name,
        description=rule.description,
        validate=validate,
        enforcement_level=LEVELS[rule.level],
        config_schema=PolicyConfigSchema(rule.schema()),
    )


def _stack_policy(rule: Rule) -> StackValidationPolicy:
    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        for v in rule.run_stack(stack_resources(args), args.get_config()):
            report(str(v), v.urn or None)

    return StackValidationPolicy(
        name=rule.name,
        description=rule.description,
        validate=validate,
        enforcement_level=LEVELS[rule.level],
        config_schema=PolicyConfigSchema(rule.schema()),
    )


def policies() -> list[pulumi_policy.Policy]:
    return [_resource_policy(r) if r.kind == "resource" else _stack_policy(r) for r in RULES]


def serve() -> None:
    """Starts the analyzer (blocks): what ``__main__.py`` does when the engine runs the pack."""
    install_secret_aware_deserializer()
    PolicyPack(
        name=PACK_NAME,
        policies=policies(),
        description="Guards any Pulumi program running Grafana Mimir on Kafka ingest storage.",
    )
