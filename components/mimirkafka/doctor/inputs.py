"""What the doctor checks against: a contract from a Mimir YAML file, ``-ingest-storage.*`` flags, or a
stack's outputs (``pulumi stack output --json``). Parsing itself is the contract's job
(:mod:`mimirkafka.contract.parse`); this module only finds the config and the environment to resolve
``${VAR}`` references with, and refuses a reference the environment leaves unset: Mimir would read "" there,
so the contract's own errors would blame the setting ("set sasl.password=...") instead of the missing
variable, and a check against an empty value says nothing about the Kafka Mimir will see.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from mimirkafka.contract.errors import ContractError
from mimirkafka.contract.mimir_config import ENV_REF, SECRET_ENV_VARS
from mimirkafka.contract.model import IngesterLayout, IngestStorageContract
from mimirkafka.contract.parse import config_from_flags, contract_from_mimir_config
from mimirkafka.stack import outputs as stack_outputs

#: The stack output the package's program exports with Mimir's ``ingest_storage`` block.
DEFAULT_STACK_OUTPUT = stack_outputs.INGEST_STORAGE_CONFIG
#: Stack outputs that hold a secret Mimir reads from an environment variable (with --show-secrets).
_SECRET_OUTPUTS = {stack_outputs.MIMIR_PASSWORD: SECRET_ENV_VARS["sasl_password"]}


class InputError(ValueError):
    """The doctor's input cannot be read or understood (exit code 3)."""


class UnsetVariables(InputError):
    """Settings the doctor reads refer to variables this environment does not define (exit code 3)."""


@dataclass(frozen=True)
class LoadedInput:
    contract: IngestStorageContract
    #: Where the config came from, for the report header.
    source: str
    notes: tuple[str, ...] = field(default=())


#: Kubernetes' ``$(VAR)`` form, used by rendered container args; the contract's parser expands it too.
_K8S_REF = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")
#: The top-level sections the contract is built from; an unset reference elsewhere changes no check.
_READ_SECTIONS = ("ingest_storage", "ingester")


@dataclass(frozen=True)
class UnsetReference:
    """A ``${VAR}`` (or ``$(VAR)``) without a default whose variable the environment does not define."""

    var: str
    #: Dotted YAML path of the setting holding the reference, e.g. ``ingest_storage.kafka.sasl_password``.
    setting: str

    def message(self) -> str:
        secret = self.setting.rsplit(".", 1)[-1] in SECRET_ENV_VARS
        origin = "the value Mimir gets from its Secret" if secret else "the value Mimir's environment sets"
        return (
            f"`${{{self.var}}}` ({self.setting}) is not set in the environment: "
            f"export {self.var}=... ({origin})"
        )


def _leaves(node: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], str]]:
    if isinstance(node, Mapping):
        return [leaf for k, v in node.items() for leaf in _leaves(v, (*path, str(k)))]
    if isinstance(node, list):
        return [leaf for i, v in enumerate(node) for leaf in _leaves(v, (*path, str(i)))]
    return [(path, node)] if isinstance(node, str) else []


def unset_references(tree: Any, env: Mapping[str, str]) -> list[UnsetReference]:
    """Each reference in ``tree``'s string values (unexpanded) that ``env`` does not define."""
    found: list[UnsetReference] = []
    for path, value in _leaves(tree):
        for var in [*ENV_REF.findall(value), *_K8S_REF.findall(value)]:
            ref = UnsetReference(var, ".".join(path))
            if var not in env and ref not in found:
                found.append(ref)
    return found


def _require_set(tree: Any, env: Mapping[str, str]) -> tuple[str, ...]:
    """Raises :class:`UnsetVariables` for unset references the contract reads; notes for the others."""
    unset = unset_references(tree, env)
    read = [u for u in unset if u.setting.split(".", 1)[0] in _READ_SECTIONS]
    if read:
        raise UnsetVariables("\n".join(u.message() for u in read))
    return tuple(f"${{{u.var}}} ({u.setting}) is not set; the doctor does not read it" for u in unset)


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
    notes = _require_set(tree, env)  # before the contract: its errors would blame the empty setting
    return LoadedInput(_contract(text, env, **kw), source, notes)


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
    notes = _require_set(config_from_flags(args, None), env)  # unexpanded, to find unset references
    # Already expanded by config_from_flags: no second expansion (a password may contain "${").
    return LoadedInput(_contract(config_from_flags(args, env), None, **kw), "flags", notes)


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
    # Ingesters commit offsets as groups named after their pods (<release>-ingester-zone-a-0): the
    # stack knows the prefix, Mimir's config does not.
    prefix = outputs.get(stack_outputs.CONSUMER_GROUP_PREFIX)
    if isinstance(prefix, str) and prefix and "consumer_group_prefix" not in kw:
        kw = {**kw, "consumer_group_prefix": prefix}
    env = dict(env)
    notes = []
    masked = []
    for out_name, var in _SECRET_OUTPUTS.items():
        value = outputs.get(out_name)
        if var not in env and isinstance(value, str) and value and value != "[secret]":
            env[var] = value
            notes.append(f"{var} taken from stack output {out_name}")
        elif var not in env and value == "[secret]":
            masked.append(out_name)
    try:
        if isinstance(found, list):
            loaded = from_flags(found, env, **kw)
        else:
            unused = _require_set(found, env)
            loaded = LoadedInput(_contract(found, env, **kw), "", unused)
    except UnsetVariables as exc:
        if not masked:
            raise
        hint = f"stack output {', '.join(masked)} is masked: `pulumi stack output --json --show-secrets`"
        raise UnsetVariables(f"{exc}\n({hint} supplies it)") from exc
    return LoadedInput(loaded.contract, f"stack output {key}", (*notes, *loaded.notes))


def contract_kwargs(
    mimir_version: str | None = None,
    ingesters_per_zone: int | None = None,
    zones: int | None = None,
    consumer_group_prefix: str | None = None,
) -> dict[str, Any]:
    """Facts a Mimir config does not hold, as keyword arguments for the contract parser."""
    kw: dict[str, Any] = {}
    if mimir_version:
        kw["mimir_version"] = mimir_version
    if consumer_group_prefix:
        kw["consumer_group_prefix"] = consumer_group_prefix
    if ingesters_per_zone or zones:
        base = IngesterLayout()
        kw["ingesters"] = IngesterLayout(
            zones=zones or base.zones, per_zone=ingesters_per_zone or base.per_zone
        )
    return kw


def with_tls_dir(contract: IngestStorageContract, directory: str) -> IngestStorageContract:
    """``contract`` reading its TLS files from ``directory`` (same file names).

    Why: Mimir's config names in-pod paths (``/etc/mimir/kafka-tls/ca.crt``); on a laptop or CI runner
    the same files sit elsewhere, e.g. a copy of the TLS Secret. Only the directory changes, so the
    check still exercises exactly the files Mimir would read.
    """
    t = contract.tls

    def moved(path: str | None) -> str | None:
        return None if path is None else os.path.join(directory, os.path.basename(path))

    tls = dataclasses.replace(
        t,
        mount_dir=directory,
        ca_path=moved(t.ca_path),
        cert_path=moved(t.cert_path),
        key_path=moved(t.key_path),
    )
    return dataclasses.replace(contract, tls=tls)
