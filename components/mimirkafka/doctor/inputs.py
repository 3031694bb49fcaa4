"""What the doctor checks against: a contract from a Mimir YAML file, ``-ingest-storage.*`` flags, or a
stack's outputs (``pulumi stack output --json``). Parsing itself is the contract's job
(:mod:`mimirkafka.contract.parse`); this module only finds the config and the environment to resolve
``${VAR}`` references with, and says which references were left undefined.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from mimirkafka.contract.errors import ContractError
from mimirkafka.contract.mimir_config import ENV_REF, SECRET_ENV_VARS
from mimirkafka.contract.model import IngesterLayout, IngestStorageContract
from mimirkafka.contract.parse import config_from_flags, contract_from_mimir_config

#: The stack output the package's program exports with Mimir's ``ingest_storage`` block.
DEFAULT_STACK_OUTPUT = "mimirIngestStorageConfig"
#: Stack outputs that hold a secret Mimir reads from an environment variable (with --show-secrets).
_SECRET_OUTPUTS = {"kafkaMimirPassword": SECRET_ENV_VARS["sasl_password"]}


class InputError(ValueError):
    """The doctor's input cannot be read or understood (exit code 3)."""


@dataclass(frozen=True)
class LoadedInput:
    contract: IngestStorageContract
    #: Where the config came from, for the report header.
    source: str
    #: ``${VAR}`` references the environment did not define (Mimir would use "").
    undefined_vars: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())


def _undefined(tree: Any, env: Mapping[str, str]) -> tuple[str, ...]:
    text = json.dumps(tree) if not isinstance(tree, str) else tree
    return tuple(sorted({v for v in ENV_REF.findall(text) if v not in env}))


def _contract(tree: Any, env: Mapping[str, str] | None, **kw: Any) -> IngestStorageContract:
    try:
        return contract_from_mimir_config(tree, env, **kw)
    except ContractError as exc:
        raise InputError(str(exc)) from exc
    except (ValueError, TypeError, AttributeError) as exc:
        raise InputError(f"not a Mimir config: {exc}") from exc


def from_config_text(text: str, env: Mapping[str, str], source: str = "config", **kw: Any) -> LoadedInput:
    try:
        tree = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise InputError(f"{source}: not valid YAML: {exc}") from exc
    if not isinstance(tree, dict) or not isinstance(tree.get("ingest_storage"), dict):
        raise InputError(f"{source}: no ingest_storage block; is this a Mimir config?")
    return LoadedInput(_contract(text, env, **kw), source, _undefined(text, env))


def from_config_file(path: str, env: Mapping[str, str], **kw: Any) -> LoadedInput:
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as exc:
        raise InputError(f"--config-file {path}: {exc.strerror}") from exc
    return from_config_text(text, env, source=path, **kw)


def from_flags(flags: list[str] | str, env: Mapping[str, str], **kw: Any) -> LoadedInput:
    args = shlex.split(flags) if isinstance(flags, str) else list(flags)
    if not any(a.lstrip("-").startswith("ingest-storage.") for a in args):
        raise InputError("no -ingest-storage.* flags given")
    raw_tree = config_from_flags(args, None)  # unexpanded, to report undefined references
    # Already expanded by config_from_flags: no second expansion (a password may contain "${").
    return LoadedInput(
        _contract(config_from_flags(args, env), None, **kw), "flags", _undefined(raw_tree, env)
    )


def _find_config(outputs: Mapping[str, Any], name: str | None) -> tuple[str, Any]:
    """The output holding Mimir's settings: a config dict, an ``ingest_storage`` block, YAML or flags."""
    candidates = [name] if name else [DEFAULT_STACK_OUTPUT, *sorted(outputs)]
    for key in candidates:
        if key not in outputs:
            continue
        value = outputs[key]
        if isinstance(value, str):
            try:
                value = yaml.safe_load(value)
            except yaml.YAMLError:
                continue
        if isinstance(value, dict) and isinstance(value.get("ingest_storage"), dict):
            return key, value
        if isinstance(value, dict) and isinstance(value.get("kafka"), dict):
            return key, {"ingest_storage": value}
        if isinstance(value, list) and any(str(v).lstrip("-").startswith("ingest-storage.") for v in value):
            return key, [str(v) for v in value]
    wanted = f"output {name!r}" if name else "an output with Mimir's ingest_storage settings"
    raise InputError(f"stack outputs: no {wanted} (outputs: {', '.join(sorted(outputs)) or 'none'})")


def from_stack_outputs(
    text: str, env: Mapping[str, str], output: str | None = None, **kw: Any
) -> LoadedInput:
    try:
        outputs = json.loads(text)
    except ValueError as exc:
        raise InputError(f"stack outputs: not JSON ({exc}); use `pulumi stack output --json`") from exc
    if not isinstance(outputs, dict):
        raise InputError("stack outputs: expected a JSON object (`pulumi stack output --json`)")
    key, found = _find_config(outputs, output)
    env = dict(env)
    notes = []
    for out_name, var in _SECRET_OUTPUTS.items():
        value = outputs.get(out_name)
        if var not in env and isinstance(value, str) and value and value != "[secret]":
            env[var] = value
            notes.append(f"{var} taken from stack output {out_name}")
    if isinstance(found, list):
        loaded = from_flags(found, env, **kw)
    else:
        loaded = LoadedInput(_contract(found, env, **kw), "", _undefined(found, env))
    return LoadedInput(loaded.contract, f"stack output {key}", loaded.undefined_vars, tuple(notes))


def contract_kwargs(
    mimir_version: str | None = None, ingesters_per_zone: int | None = None, zones: int | None = None
) -> dict[str, Any]:
    """Facts a Mimir config does not hold, as keyword arguments for the contract parser."""
    kw: dict[str, Any] = {}
    if mimir_version:
        kw["mimir_version"] = mimir_version
    if ingesters_per_zone or zones:
        base = IngesterLayout()
        kw["ingesters"] = IngesterLayout(
            zones=zones or base.zones, per_zone=ingesters_per_zone or base.per_zone
        )
    return kw
