"""Running a committed Kubernetes stack (``dev``, ``staging``) against the real control plane fixture.

The stack runs exactly as committed, with the Mimir Helm release rendered rather than installed
(``renderOnly``: the mimir-distributed chart cannot be fetched offline and is AGPL). Two stand-ins,
both through Pulumi's public resource-transform API and only here in the test bed:

* the kubernetes provider the stack creates is pointed at the fixture's kubeconfig and loses
  ``renderYamlToDirectory``, so every Kubernetes object (Namespaces, Secrets, Services, the KRaft
  StatefulSet, PDB and topic Job, the Strimzi CRs) is applied to the real API server while the Mimir
  side is still written as values + install script;
* the Strimzi operator's Helm release (the chart is not on any registry reachable here) installs a
  local chart holding the vendored Strimzi 1.2.0 CRDs in ``crds/``, which is where Strimzi's own chart
  ships them (strimzi/strimzi-kafka-operator packaging/helm-charts/helm3/strimzi-kafka-operator/crds/).
  The operator itself would not run anyway: kwok pods run no process. What Pulumi waits
  for from it (``pulumi.com/waitFor: condition=Ready`` on the Kafka, KafkaTopic and KafkaUser CRs) is
  played by :func:`strimzi_status_standin`, which only writes the Ready condition, as the operator's
  status reporting would.

TODO(lead): stack keys ``kubeconfig`` and ``mimirRenderOnly`` / ``strimziInstallOperator`` would
replace the first stand-in; see docs/testbed.md.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
from mimirkafka.stack import deploy as program
from pulumi import automation as auto
from pulumi_harness import PulumiSandbox, copy_project, inline_stack, with_backend

from testbed.kubeapi import KubeClient, KubeError, KubeInfo

PROJECT = "mimir-kafka"
REPO = Path(__file__).resolve().parents[2]
STRIMZI_CRDS = REPO / "tests" / "data" / "strimzi-crds-1.2.0"
PROVIDER_TYPE = "pulumi:providers:kubernetes"
RELEASE_TYPE = "kubernetes:helm.sh/v3:Release"
STRIMZI_RELEASE = "strimzi-kafka-operator"


def strimzi_crd_chart(dest: Path) -> Path:
    """A local chart with only the vendored Strimzi CRDs (in ``crds/``, like Strimzi's chart)."""
    (dest / "crds").mkdir(parents=True, exist_ok=True)
    (dest / "templates").mkdir(exist_ok=True)
    (dest / "Chart.yaml").write_text(
        "apiVersion: v2\nname: strimzi-crds-testbed\nversion: 1.2.0\n"
        "description: Strimzi 1.2.0 CRDs (vendored, Apache-2.0), test bed stand-in for the operator chart\n"
    )
    for crd in sorted(STRIMZI_CRDS.glob("*-Crd-*.yaml")):
        (dest / "crds" / crd.name).write_text(crd.read_text())
    return dest


def real_cluster_transform(kubeconfig: str, strimzi_chart: Path) -> Callable[..., Any]:
    def transform(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
        props = dict(args.props or {})
        if args.type_ == PROVIDER_TYPE:
            for key in ("renderYamlToDirectory", "render_yaml_to_directory"):
                props.pop(key, None)
            props["kubeconfig"] = kubeconfig
            return pulumi.ResourceTransformResult(props, args.opts)
        if args.type_ == RELEASE_TYPE and props.get("name") == STRIMZI_RELEASE:
            for key in ("version", "repositoryOpts", "repository_opts"):
                props.pop(key, None)
            props["chart"] = str(strimzi_chart)
            return pulumi.ResourceTransformResult(props, args.opts)
        return None

    return transform


@dataclass
class KubeStack:
    stack: auto.Stack
    project_dir: Path
    name: str

    @property
    def rendered(self) -> Path:
        return self.project_dir / "rendered" / self.name


def make_kube_stack(
    sandbox: PulumiSandbox, kube: KubeInfo, root: Path, name: str, overrides: dict[str, str] | None = None
) -> KubeStack:
    proj = copy_project(name, root / "project")
    chart = strimzi_crd_chart(root / "strimzi-crds-chart")
    sb = with_backend(sandbox, root / "state")
    transform = real_cluster_transform(kube.kubeconfig, chart)

    def run_program() -> None:
        pulumi.runtime.register_resource_transform(transform)
        program.run(root=proj)

    stack = inline_stack(sb, PROJECT, name, run_program, work_dir=proj)
    cfg = {"renderOnly": "true", **(overrides or {})}
    stack.set_all_config({f"{PROJECT}:{k}": auto.ConfigValue(v) for k, v in cfg.items()})
    return KubeStack(stack, proj, name)


# --- reading the cluster -------------------------------------------------------------------------

#: (API path prefix, plural) of every namespaced kind a stack creates.
NAMESPACED = (
    ("/api/v1", "secrets"),
    ("/api/v1", "configmaps"),
    ("/api/v1", "services"),
    ("/api/v1", "persistentvolumeclaims"),
    ("/apis/apps/v1", "statefulsets"),
    ("/apis/batch/v1", "jobs"),
    ("/apis/policy/v1", "poddisruptionbudgets"),
    ("/apis/kafka.strimzi.io/v1", "kafkas"),
    ("/apis/kafka.strimzi.io/v1", "kafkanodepools"),
    ("/apis/kafka.strimzi.io/v1", "kafkatopics"),
    ("/apis/kafka.strimzi.io/v1", "kafkausers"),
)
#: Objects Kubernetes itself puts in every namespace.
BUILTIN = {("configmaps", "kube-root-ca.crt")}


def inventory(client: KubeClient, namespaces: Iterable[str]) -> dict[tuple[str, str, str], dict[str, Any]]:
    """(namespace, plural, name) -> metadata (uid, resourceVersion, generation) of what is there."""
    out: dict[tuple[str, str, str], dict[str, Any]] = {}
    for ns in namespaces:
        for prefix, plural in NAMESPACED:
            try:
                items = client.get(f"{prefix}/namespaces/{ns}/{plural}")["items"]
            except KubeError as exc:
                if exc.status == 404:  # namespace or CRD absent
                    continue
                raise
            for item in items:
                name = item["metadata"]["name"]
                if (plural, name) in BUILTIN or item.get("type") == "helm.sh/release.v1":
                    continue
                out[(ns, plural, name)] = item["metadata"]
    return out


def wait_for(cond: Callable[[], bool], what: str, timeout: float = 90.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def namespace_gone(client: KubeClient, ns: str) -> bool:
    return client.get_or_none(f"/api/v1/namespaces/{ns}") is None


STRIMZI_KINDS = ("kafkas", "kafkanodepools", "kafkatopics", "kafkausers")


@contextlib.contextmanager
def strimzi_status_standin(client: KubeClient, namespace: str) -> Iterator[list[str]]:
    """While active, marks every Strimzi CR in ``namespace`` Ready for its current generation (what
    the operator reports once it reconciled). Yields the list of CRs it marked, for the test to see."""
    marked: list[str] = []
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            for plural in STRIMZI_KINDS:
                base = f"/apis/kafka.strimzi.io/v1/namespaces/{namespace}/{plural}"
                try:
                    items = client.get(base)["items"]
                except (KubeError, OSError):
                    continue  # CRD or namespace not there yet
                for item in items:
                    meta, status = item["metadata"], item.get("status") or {}
                    if status.get("observedGeneration") == meta.get("generation"):
                        continue
                    body = {
                        "status": {
                            "observedGeneration": meta.get("generation"),
                            "conditions": [
                                {
                                    "type": "Ready",
                                    "status": "True",
                                    "lastTransitionTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                                }
                            ],
                        }
                    }
                    with contextlib.suppress(KubeError, OSError):
                        client.request(
                            "PATCH",
                            f"{base}/{meta['name']}/status",
                            body,
                            content_type="application/merge-patch+json",
                        )
                        marked.append(f"{plural}/{meta['name']}@{meta.get('generation')}")
            stop.wait(0.5)

    thread = threading.Thread(target=loop, name="strimzi-status-standin", daemon=True)
    thread.start()
    try:
        yield marked
    finally:
        stop.set()
        thread.join(10)
