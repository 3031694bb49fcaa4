"""The chart escape hatch (``extra_values`` / stack key ``mimirExtraValues``), merged without breaking
what the component derived (plain Python, no Pulumi).

Every value :func:`mimirkafka.mimir.values.build_values` renders comes from the contract or from a
component argument, so the escape hatch may only *add*: new keys, and new entries in the lists the
component renders (``global.extraEnv``, ``global.extraVolumes``, ``<component>.extraContainers``, ...,
matched by entry name). Changing a rendered value, replacing a rendered list or mapping, or adding a key
inside a sealed section (the contract owns all of ``ingest_storage``, including the keys it leaves at
Mimir's default) is refused with the key path, the value given and the setting to use instead.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from mimirkafka.contract.errors import Problem

KeyPath = tuple[str, ...]


class ExtraValuesError(ValueError):
    """An ``extra_values`` entry that would change what the component derived; ``problem`` names the
    field (``settings.extra_values.<path>``), the value (masked), what is wrong and the fix."""

    def __init__(self, message: str, problem: Problem) -> None:
        super().__init__(message)
        self.problem = problem


def dotted(path: KeyPath) -> str:
    return ".".join(path)


def entry_identity(list_key: str, entry: Any) -> tuple[Any, ...]:
    """What makes two entries of a rendered list "the same" entry (Kubernetes' own merge keys)."""
    if isinstance(entry, Mapping):
        if list_key.endswith("VolumeMounts") or list_key == "volumeMounts":
            return ("mountPath", entry.get("mountPath"))
        if "name" in entry:
            return ("name", entry["name"])
        for kind in ("secretRef", "configMapRef"):  # envFrom entries have no name of their own
            ref = entry.get(kind)
            if isinstance(ref, Mapping):
                return (kind, ref.get("name"), entry.get("prefix"))
    return ("entry", repr(entry))


def merge_extra_values(
    base: Mapping[str, Any],
    extra: Mapping[str, Any],
    fix_for: Callable[[KeyPath], str],
    sealed: Callable[[KeyPath], bool],
    show: Callable[[KeyPath, Any], str] = lambda _p, value: repr(value),
    path: KeyPath = (),
    errors: list[ExtraValuesError] | None = None,
) -> dict[str, Any]:
    """``base`` with ``extra`` merged in, refusing any change to a value ``base`` already holds.

    ``fix_for(path)`` names the setting to use instead; ``sealed(path)`` says whether new keys may be
    added in the mapping at ``path``; ``show`` renders the given value for the error (it masks secrets).
    With ``errors`` every refusal is appended there (the refused entry is skipped) instead of raised.
    """
    out: dict[str, Any] = copy.deepcopy(dict(base))
    for raw_key, value in extra.items():
        key = str(raw_key)
        here = (*path, key)

        def refuse(why: str, key_path: KeyPath = here, given: Any = value) -> ExtraValuesError:
            shown, fix = show(key_path, given), fix_for(key_path)
            return ExtraValuesError(
                f"extra_values {dotted(key_path)}={shown}: {why}. Fix: {fix}",
                Problem(f"settings.extra_values.{dotted(key_path)}", _Shown(shown), why, fix),
            )

        try:
            if key not in out:
                if sealed(path):
                    raise refuse(f"{dotted(path)} is owned by the contract, so no key may be added to it")
                out[key] = copy.deepcopy(value)
                continue
            current = out[key]
            if isinstance(current, Mapping):
                if not isinstance(value, Mapping):
                    raise refuse("would replace a mapping the component derives (only keys can be added)")
                out[key] = merge_extra_values(current, value, fix_for, sealed, show, here, errors)
            elif isinstance(current, list):
                if not isinstance(value, Sequence) or isinstance(value, str | bytes):
                    raise refuse("would replace a list the component derives (entries can only be appended)")
                out[key] = _append_entries(key, current, value, here, refuse)
            elif type(value) is not type(current) or value != current:
                raise refuse(f"the component derives {show(here, current)} here")
        except ExtraValuesError as e:
            if errors is None:
                raise
            errors.append(e)
    return out


class _Shown(str):
    """A value already rendered for display (masked when secret): its ``repr`` is the text itself."""

    def __repr__(self) -> str:
        return str(self)


def _append_entries(
    key: str,
    current: list[Any],
    extra: Sequence[Any],
    path: KeyPath,
    refuse: Callable[[str, KeyPath, Any], ExtraValuesError],
) -> list[Any]:
    """``current`` plus the new entries of ``extra``; redefining an entry of ``current`` is refused."""
    merged = list(copy.deepcopy(current))
    by_identity = {entry_identity(key, e): e for e in current}
    for i, entry in enumerate(extra):
        ident = entry_identity(key, entry)
        if ident in by_identity:
            if entry != by_identity[ident]:
                raise refuse(
                    f"entry {ident[1]!r} is derived by the component; append entries with another name",
                    (*path[:-1], f"{path[-1]}[{i}]"),
                    entry,
                )
            continue
        by_identity[ident] = entry
        merged.append(copy.deepcopy(entry))
    return merged
