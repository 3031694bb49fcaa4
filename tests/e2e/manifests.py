"""Validation of the manifests the kubernetes provider rendered to files (``renderYamlToDirectory``):
built-in kinds against the Kubernetes OpenAPI schemas (kubernetes-validate), Strimzi custom resources
against Strimzi's own CRD schemas (jsonschema)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import yaml

KUBERNETES_VERSION = "1.34.0"
STRIMZI_CRDS = Path(
    os.environ.get("STRIMZI_CRDS_DIR", Path(__file__).resolve().parents[1] / "data" / "strimzi-crds-1.2.0")
)
STRIMZI_GROUP = "kafka.strimzi.io"


def rendered_documents(directory: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    for path in sorted(directory.rglob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                yield path, doc


def _strimzi_schemas() -> dict[str, dict[str, Any]]:
    """kind -> openAPIV3Schema of the served version, from Strimzi's CRD files."""
    if not STRIMZI_CRDS.is_dir():
        raise FileNotFoundError(f"Strimzi CRDs not found at {STRIMZI_CRDS} (set STRIMZI_CRDS_DIR)")
    schemas: dict[str, dict[str, Any]] = {}
    for path in sorted(STRIMZI_CRDS.glob("*.yaml")):
        for crd in yaml.safe_load_all(path.read_text()):
            if not crd or crd.get("kind") != "CustomResourceDefinition":
                continue
            for version in crd["spec"]["versions"]:
                if version.get("served") and version.get("storage"):
                    schemas[crd["spec"]["names"]["kind"]] = version["schema"]["openAPIV3Schema"]
    return schemas


def validate_rendered(directory: Path) -> dict[str, int]:
    """Validates every rendered document; returns kind -> count. Raises on the first invalid one."""
    counts: dict[str, int] = {}
    strimzi: dict[str, dict[str, Any]] | None = None
    for path, doc in rendered_documents(directory):
        kind, api = doc.get("kind", ""), doc.get("apiVersion", "")
        if api.startswith(STRIMZI_GROUP + "/"):
            strimzi = strimzi if strimzi is not None else _strimzi_schemas()
            assert kind in strimzi, f"{path}: no Strimzi CRD for kind {kind}"
            try:
                jsonschema.validate(doc, strimzi[kind])
            except jsonschema.ValidationError as exc:
                raise AssertionError(f"{path}: {kind} invalid against Strimzi's CRD: {exc.message}") from exc
        else:
            try:
                kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
            except kubernetes_validate.ValidationError as exc:
                raise AssertionError(
                    f"{path}: {kind} invalid for Kubernetes {KUBERNETES_VERSION}: {exc}"
                ) from exc
        counts[kind] = counts.get(kind, 0) + 1
    return counts
