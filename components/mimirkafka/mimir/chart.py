"""``MimirDeployment``: the ``mimir-distributed`` chart with ingest-storage settings from the contract.

Deploys the chart by reference (repository, name, pinned version; Mimir and its chart are AGPL and are
never downloaded or vendored by this package). The values are :func:`mimirkafka.mimir.values.build_values`
of the contract's rendering, computed and checked by :func:`mimirkafka.mimir.plan.plan_mimir` before any
resource is registered; secrets reach the Kafka components' pods through Kubernetes Secrets only:

- ``<release>-kafka-credentials``: the ``${VAR}`` variables of the rendering (``string_data`` built from
  Pulumi secret Outputs), mounted with ``<component>.extraEnvFrom`` on the Kafka components only; a
  variable another controller already holds (Strimzi's KafkaUser Secret) is referenced with
  ``secretKeyRef`` instead;
- ``<release>-kafka-tls``: CA / client certificate / key at the paths the rendering names, unless an
  operator Secret (Strimzi's cluster CA) already holds them.

Render mode (``render_dir``, the ``local`` stack): no cluster. The kubernetes provider passed in
``opts`` renders manifests to files, and this component writes ``mimir-values.yaml`` and
``install.sh`` next to them. Secret *values* are never rendered: the provider would write Secret data
in clear, so the credentials Secret is not a manifest; ``install.sh`` creates it at apply time from
environment variables (``kubectl create secret ... --from-literal=VAR="$VAR"``).
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import yaml

from mimirkafka.contract.mimir_config import RenderedMimir
from mimirkafka.mimir import values as v
from mimirkafka.mimir.components import component_view
from mimirkafka.mimir.plan import (
    PENDING_BUCKETS,
    MimirDeploymentArgs,
    MimirPlan,
    finish_settings,
    plain_secrets,
    plan_mimir,
)
from mimirkafka.mimir.sources import TLS_SECRET_KEYS, SourcePlan

__all__ = [
    "PENDING_BUCKETS",
    "MimirDeployment",
    "MimirDeploymentArgs",
    "MimirPlan",
    "install_script",
    "plain_secrets",
    "plan_mimir",
    "with_address",
]

MSK_IAM_SCRIPT = Path(__file__).with_name("msk_iam_credentials.py")


def with_address(config: dict[str, Any], contract_address: str, address: str) -> dict[str, Any]:
    """``config`` with the Kafka side's bootstrap list, refused if its port is not the contract's."""
    want = contract_address.rsplit(":", 1)[-1]
    ports = {a.strip().rsplit(":", 1)[-1] for a in address.split(",") if a.strip()}
    if ports != {want}:
        raise ValueError(
            f"Kafka bootstrap {address!r} uses port(s) {sorted(ports)} "
            f"but the contract's listener is :{want}; "
            "the Kafka side and the contract disagree on the mechanism/TLS listener"
        )
    return v.deep_merge(config, {"ingest_storage": {"kafka": {"address": address}}})


def ingest_storage_view(values: dict[str, Any]) -> dict[str, Any]:
    """``ingest_storage`` as the ingesters get it (shared config plus their own flags); secrets appear
    only as ``${VAR}`` references."""
    config = values["mimir"]["structuredConfig"]
    ingest = dict(config.get("ingest_storage") or {})
    ingest["kafka"] = component_view(config, values.get("ingester", {}).get("extraArgs", {}))
    return ingest


class MimirDeployment(pulumi.ComponentResource):
    """Mimir on Kubernetes, configured from the contract. Outputs: ``values``, ``endpoints``, ``config``."""

    values: pulumi.Output[dict[str, Any]]
    #: ``ingest_storage`` as the Kafka components get it: secrets appear only as ``${VAR}`` references.
    ingest_storage_masked: pulumi.Output[dict[str, Any]]
    rendered: RenderedMimir
    plan: SourcePlan
    mimir_plan: MimirPlan
    endpoints: dict[str, str]
    release: k8s.helm.v3.Release | None
    env_secret: k8s.core.v1.Secret | None
    tls_secret: k8s.core.v1.Secret | None

    def __init__(
        self, name: str, args: MimirDeploymentArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        # Pure and raising: every problem surfaces before any resource (this one included) is registered.
        mp = plan_mimir(args)
        super().__init__("mimirkafka:mimir:MimirDeployment", name, None, opts)
        for w in mp.warnings if args.log_warnings else ():
            pulumi.log.warn(str(w), resource=self)
        c, s = args.contract, args.settings
        rendered, plan, settings = mp.rendered, mp.sources, mp.settings
        ns = s.namespace
        env_names = sorted(rendered.secret_env)
        known = list(mp.known_secrets)

        def values_for(parts: list[Any]) -> dict[str, Any]:
            address, buckets, annotations = parts
            config = rendered.config
            if address is not None:
                config = with_address(config, c.addresses[0], address)
            final = finish_settings(settings, buckets, annotations)
            return v.build_values(
                config, env_names, c.ingesters, final, mimir_version=c.mimir_version, known_secrets=known
            )

        self.values = pulumi.Output.all(
            args.address,
            pulumi.Output.all(*args.bucket_names) if args.bucket_names else None,
            args.service_account_annotations,
        ).apply(values_for)
        self.ingest_storage_masked = self.values.apply(ingest_storage_view)
        self.rendered = rendered
        self.plan = plan
        self.mimir_plan = mp
        self.endpoints = v.endpoints(settings)
        self.release = None
        self.env_secret = None
        self.tls_secret = None

        child = pulumi.ResourceOptions(parent=self)
        deps: list[pulumi.Resource] = list(args.depends_on)
        if args.create_namespace:
            deps.append(k8s.core.v1.Namespace(f"{name}-ns", metadata={"name": ns}, opts=child))
        dep_opts = pulumi.ResourceOptions(parent=self, depends_on=list(deps))

        rendering = args.render_dir is not None
        if plan.env_owned and not rendering:
            self.env_secret = k8s.core.v1.Secret(
                f"{name}-kafka-credentials",
                metadata={"name": mp.env_secret_name, "namespace": ns},
                # Output.secret: the values stay encrypted in state whatever the source was.
                string_data={
                    var: pulumi.Output.secret(rendered.secret_env[var].value) for var in plan.env_owned
                },
                opts=dep_opts,
            )
            deps.append(self.env_secret)
        tls_items = mp.tls_items
        secret_tls = any(m.secret for m in tls_items.values())
        if tls_items and not (rendering and secret_tls):
            data = {
                TLS_SECRET_KEYS[role]: (
                    pulumi.Output.secret(m.pem) if m.secret else pulumi.Output.from_input(m.pem)
                )
                for role, m in tls_items.items()
            }
            self.tls_secret = k8s.core.v1.Secret(
                f"{name}-kafka-tls",
                metadata={"name": mp.tls_secret_name, "namespace": ns},
                string_data=data,
                opts=dep_opts,
            )
            deps.append(self.tls_secret)
        if s.msk_iam_sidecar is not None:
            deps.append(
                k8s.core.v1.ConfigMap(
                    f"{name}-msk-iam-script",
                    metadata={"name": s.msk_iam_sidecar.script_config_map, "namespace": ns},
                    data={s.msk_iam_sidecar.script_key: MSK_IAM_SCRIPT.read_text()},
                    opts=dep_opts,
                )
            )

        if rendering:
            assert args.render_dir is not None
            render_dir = args.render_dir
            self.values.apply(
                lambda vals: self._write_render_files(render_dir, vals, settings, plan, secret_tls)
            )
        else:
            self.release = k8s.helm.v3.Release(
                f"{name}-release",
                name=s.release_name,
                chart=v.CHART_NAME,
                version=s.chart_version,
                repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=v.CHART_REPO),
                namespace=ns,
                values=self.values,
                # Ingesters catch up with Kafka before they turn ready; give them time.
                timeout=900,
                opts=pulumi.ResourceOptions(parent=self, depends_on=list(deps)),
            )
        self.register_outputs(
            {
                "endpoints": self.endpoints,
                "ingest_storage": self.ingest_storage_masked,
                "kafka_components": list(mp.kafka_components),
                "ingesters": [i.instance_id for i in mp.ingesters],
                "secret_sources": {var: "external" for var in plan.env_refs}
                | {var: mp.env_secret_name for var in plan.env_owned},
            }
        )

    def _write_render_files(
        self,
        render_dir: str,
        values: dict[str, Any],
        settings: v.ChartSettings,
        plan: SourcePlan,
        secret_tls: bool,
    ) -> None:
        """Values file and install script; only on a real update (a preview writes nothing)."""
        if pulumi.runtime.is_dry_run():
            return
        out = Path(render_dir)
        out.mkdir(parents=True, exist_ok=True)
        (out / "mimir-values.yaml").write_text(
            "# Helm values for mimir-distributed, derived from the ingest-storage contract. No secrets:\n"
            "# they come from the Secrets install.sh creates.\n" + yaml.safe_dump(values, sort_keys=True)
        )
        script = out / "install.sh"
        script.write_text(install_script(settings, plan, secret_tls))
        os.chmod(script, 0o755)


def install_script(settings: v.ChartSettings, plan: SourcePlan, secret_tls: bool) -> str:
    """A shell script applying the rendered files; secrets are read from the environment at apply time."""
    ns = shlex.quote(settings.namespace)
    name = shlex.quote(f"{v.fullname(settings)}-kafka-credentials")
    apply = "--dry-run=client -o yaml | kubectl apply -f -"
    lines = [
        "#!/usr/bin/env bash",
        "# Applies what the render-only stack wrote. Secret values are never in these files: export them",
        "# first, e.g. MIMIR_KAFKA_SASL_PASSWORD=$(pulumi stack output kafkaMimirPassword --show-secrets).",
        "set -euo pipefail",
        'cd "$(dirname "$0")"',
        f"kubectl create namespace {ns} {apply}",
    ]
    if plan.env_owned:
        literals = " ".join(f'--from-literal={var}="${{{var}:?export {var}}}"' for var in plan.env_owned)
        lines.append(f"kubectl -n {ns} create secret generic {name} {literals} {apply}")
    if secret_tls:
        tls_name = shlex.quote(f"{v.fullname(settings)}-kafka-tls")
        files = " ".join(
            f'--from-file={key}="${{MIMIR_KAFKA_TLS_{key.replace(".", "_").upper()}_FILE:?}}"'
            for key in TLS_SECRET_KEYS.values()
        )
        lines.append(f"kubectl -n {ns} create secret generic {tls_name} {files} {apply}")
    lines += [
        "if [ -d manifests ]; then kubectl apply -R -f manifests; fi",
        f"helm upgrade --install {shlex.quote(settings.release_name)} {v.CHART_NAME} "
        f"--repo {v.CHART_REPO} --version {shlex.quote(settings.chart_version)} "
        f"--namespace {ns} -f mimir-values.yaml",
    ]
    return "\n".join(lines) + "\n"
