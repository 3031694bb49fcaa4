"""``plan_mimir``: everything ``MimirDeployment`` will create, computed and checked by pure code first.

The plan validates the contract, the chart settings, the chart/Mimir/Kafka combination (compat.py), the
ingester layout and client rack, and the escape hatch (sealed.py, extra_values.py), and builds the Helm
values. Every problem is collected and raised once as a :class:`ContractError`; nothing here registers a
Pulumi resource, so ``MimirDeployment.__init__`` (and the stack plan) call it before anything exists.
Values only known at deploy time (the MSK bootstrap list, bucket names, the IRSA annotation) are checked
with placeholders of the same shape and filled in later by the same builder.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mimirkafka.contract.errors import ContractError, Problem
from mimirkafka.contract.ingesters import IngesterInstance
from mimirkafka.contract.mimir_config import RenderedMimir, render_mimir, tls_paths
from mimirkafka.contract.model import IngestStorageContract, PemMaterial
from mimirkafka.contract.validation import problems as contract_problems
from mimirkafka.contract.validation import warnings as contract_warnings
from mimirkafka.mimir import values as v
from mimirkafka.mimir.components import component_view, kafka_components
from mimirkafka.mimir.sources import ExternalRefs, SourcePlan, plan_sources

if TYPE_CHECKING:
    import pulumi

#: Bucket names used to check the values before the buckets exist.
PENDING_BUCKETS = ["pending-blocks", "pending-ruler", "pending-alertmanager"]


@dataclass
class MimirDeploymentArgs:
    #: The single source of truth; validated before any resource is created.
    contract: IngestStorageContract
    #: Release, namespace, storage, service account, ruler query path, client rack, escape hatch.
    settings: v.ChartSettings = field(default_factory=v.ChartSettings)
    #: Secret keys an operator already writes (Strimzi user/CA Secrets), referenced instead of copied.
    external: ExternalRefs = field(default_factory=ExternalRefs)
    #: Render-only: write values and install script here (absolute path) instead of installing.
    render_dir: str | None = None
    #: Create the namespace (set False when the program or another component owns it).
    create_namespace: bool = True
    #: Resources Mimir must wait for (the topic, the Kafka user), so it never starts without them.
    depends_on: list[pulumi.Resource] = field(default_factory=list)
    #: The bootstrap list the Kafka side reports when it is only known at deploy time (MSK); it must
    #: use the port of the contract's address (the listener of the contract's mechanism).
    address: pulumi.Input[str] | None = None
    #: S3 bucket names (blocks, ruler, alertmanager) when created by this stack.
    bucket_names: tuple[pulumi.Input[str], pulumi.Input[str], pulumi.Input[str]] | None = None
    #: Service account annotations (IRSA role ARN).
    service_account_annotations: pulumi.Input[dict[str, str]] | None = None
    #: Log the plan's warnings on the component; False when the caller shows them (the stack does).
    log_warnings: bool = True


@dataclass(frozen=True)
class MimirPlan:
    """What the deployment will create. ``values`` hold placeholders for deploy-time inputs."""

    values: dict[str, Any]
    warnings: tuple[Problem, ...]
    #: Values sections of the chart components that connect to Kafka (and only these get credentials).
    kafka_components: tuple[str, ...]
    #: Every ingester pod: instance ID (= consumer group), zone, partition.
    ingesters: tuple[IngesterInstance, ...]
    consumer_group_prefix: str
    #: ``ingest_storage.kafka`` as each Kafka component sees it (shared config + its own flags).
    kafka_views: dict[str, dict[str, Any]]
    rendered: RenderedMimir
    sources: SourcePlan
    #: The settings with the Secrets of the plan filled in; the values builder's input.
    settings: v.ChartSettings
    env_secret_name: str
    tls_secret_name: str
    #: TLS role -> PEM material this package writes into its TLS Secret.
    tls_items: dict[str, PemMaterial]
    #: The contract's secrets known as plain strings now (refused anywhere in the values).
    known_secrets: tuple[str, ...]


def plain_secrets(rendered: RenderedMimir) -> list[str]:
    """The contract's secrets known as plain strings now, to refuse them anywhere in the Helm values.

    Secrets held as Pulumi Outputs are only known at deploy time and are not scanned: resolving them
    into the values would turn the whole values Output secret. They still never reach the values
    through the contract (it renders ``${VAR}``), and the escape hatch cannot set the ``${VAR}`` keys.
    """
    values = [s.value for s in rendered.secret_env.values()]
    values += [m.pem for m in rendered.tls_files.values() if m.secret]
    return [s for s in values if isinstance(s, str) and s]


def finish_settings(
    settings: v.ChartSettings, buckets: list[str] | None, annotations: Mapping[str, str] | None
) -> v.ChartSettings:
    """``settings`` with the deploy-time bucket names and service-account annotations."""
    storage = settings.object_storage
    if buckets:
        storage = dataclasses.replace(
            storage, blocks_bucket=buckets[0], ruler_bucket=buckets[1], alertmanager_bucket=buckets[2]
        )
    return dataclasses.replace(
        settings,
        object_storage=storage,
        service_account_annotations={**settings.service_account_annotations, **(annotations or {})},
    )


def plan_mimir(args: MimirDeploymentArgs) -> MimirPlan:
    """The Mimir deployment's plan, or :class:`ContractError` listing every problem found."""
    c, s = args.contract, args.settings
    found = contract_problems(c)
    if found:
        # A contract that does not validate cannot be rendered; report its problems (all of them) and
        # the settings' own, which do not depend on it.
        found += v.layout_problems(c.ingesters, s) if isinstance(c.ingesters, v.IngesterLayout) else []
        raise ContractError(found)
    found += v.consumer_group_problems(c.consumer_group_prefix, s, c.ingesters)
    rendered = render_mimir(c)
    env_secret_name = f"{v.fullname(s)}-kafka-credentials"
    tls_secret_name = f"{v.fullname(s)}-kafka-tls"
    roles = tls_paths(c) if c.tls.enabled else {}
    sources = plan_sources(sorted(rendered.secret_env), roles, args.external, tls_secret_name)
    settings = dataclasses.replace(
        s,
        env_secret_name=env_secret_name if sources.env_owned else None,
        env_secret_refs={**s.env_secret_refs, **sources.env_refs},
        tls_files={**s.tls_files, **sources.tls_refs},
    )
    tls_items = {
        role: rendered.tls_files[path]
        for role, path in roles.items()
        if role in sources.tls_owned and path in rendered.tls_files
    }
    missing_pem = [r for r in sources.tls_owned if tls_items.get(r) is None or tls_items[r].pem is None]
    if missing_pem:
        found.append(
            Problem(
                f"tls.{missing_pem[0]}",
                None,
                f"TLS {missing_pem}: the contract has no PEM for them and no operator Secret provides them",
                "give the PEM (e.g. kafkaTlsCaFile) or reference an existing Secret (external)",
            )
        )
    known = plain_secrets(rendered)
    pending = PENDING_BUCKETS if args.bucket_names else None
    values, value_problems = v.values_and_problems(
        rendered.config,
        sorted(rendered.secret_env),
        c.ingesters,
        finish_settings(settings, pending, None),
        mimir_version=c.mimir_version,
        known_secrets=known,
    )
    found += value_problems
    if found:
        raise ContractError(found)
    components = kafka_components(settings.ruler_query_path)
    config = values["mimir"]["structuredConfig"]
    views = {comp: component_view(config, values.get(comp, {}).get("extraArgs", {})) for comp in components}
    warnings = [*contract_warnings(c), *v.client_rack_warnings(c.ingesters, settings)]
    if not settings.ruler_query_path:
        # grafana/mimir@00dc4b65:operations/mimir/ingest-storage.libsonnet asserts remote evaluation.
        warnings.append(
            Problem(
                "settings.ruler_query_path",
                False,
                "rules are evaluated inside the ruler (internal mode); Grafana's jsonnet refuses ingest "
                "storage without ruler remote evaluation ('ingest storage requires ruler remote evaluation')",
                "leave ruler_query_path=True (the chart's ruler.remoteEvaluationDedicatedQueryPath)",
            )
        )
    return MimirPlan(
        values=values,
        warnings=tuple(warnings),
        kafka_components=components,
        ingesters=v.ingesters(settings, c.ingesters),
        consumer_group_prefix=v.consumer_group_prefix(settings),
        kafka_views=views,
        rendered=rendered,
        sources=sources,
        settings=settings,
        env_secret_name=env_secret_name,
        tls_secret_name=tls_secret_name,
        tls_items=tls_items,
        known_secrets=tuple(known),
    )
