"""Which chart components talk to Kafka, and which Mimir settings each of them gets (plain Python).

Only these components get the Kafka credentials, the TLS material, the MSK IAM sidecar and the
Kafka-only settings; every other Mimir component loads the same shared config without them.

Sources:

- grafana/mimir ``operations/mimir/ingest-storage.libsonnet`` @00dc4b65: producer args (address, client
  ID) go to ``distributor_args`` and ``ruler_args`` ("all Mimir components producing to Kafka"), ingestion
  args (fetch/ingestion concurrency, max buffered bytes) and the offset commit interval to
  ``ingester_args``, the last-produced-offset poll interval to ingesters and ``query_frontend_args``
  ("The query-frontend uses the partitions ring ... used by the logic to fetch the last produced
  offsets"); the rest is in ``commonConfig`` only because "it's currently required to pass config
  validation".
- grafana/mimir ``pkg/mimir/mimir.go`` @0010b536 ``Config.Validate``: ``c.IngestStorage.Validate()`` runs for
  every target, so every component must load a valid ``ingest_storage`` block. ``pkg/storage/ingest/
  config.go`` @001afd28 ``KafkaAuthConfig.Validate``: "PLAIN with no username nor password disables SASL"
  and TLS files are only loaded ``if cfg.TLSEnabled``. So the shared config keeps every key but
  ``sasl_mechanism``, ``sasl_username`` and ``tls_enabled``; a ``${VAR}`` secret that is not set in a
  pod expands to "" there (``-config.expand-env``), which leaves SASL off in that pod.
- mimir-distributed ``templates/ruler-query-frontend/ruler-query-frontend-dep.yaml`` @063371ec: deployed
  ``if .Values.ruler.remoteEvaluationDedicatedQueryPath``, runs ``-target=query-frontend``, and renders
  ``ruler_query_frontend.extraArgs``, ``extraVolumes``, ``extraVolumeMounts``, ``extraContainers`` and the
  component ``env``/``extraEnvFrom`` (``mimir.lib.containerEnv``); the ruler-querier (``-target=querier``)
  and ruler-query-scheduler do not talk to Kafka (queriers use the partition ring, not Kafka:
  grafana/mimir docs/sources/mimir/get-started/about-grafana-mimir-architecture/
  about-ingest-storage-architecture/index.md).
- Block-builder, block-builder-scheduler and usage-tracker also consume Kafka but the chart has no
  templates for them (no templates/block-builder* under grafana/mimir
  operations/helm/charts/mimir-distributed/templates @063371ec), so they are not listed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mimirkafka.contract.mimir_config import CONSUMER_KAFKA_KEYS, flag_value
from mimirkafka.contract.mimir_settings import setting_for_yaml


@dataclass(frozen=True)
class KafkaComponent:
    """A chart values section whose pods connect to Kafka."""

    values_key: str
    role: str
    #: Deployed only with the ruler's dedicated query path.
    needs_ruler_query_path: bool = False


KAFKA_COMPONENTS: tuple[KafkaComponent, ...] = (
    KafkaComponent("distributor", "produces write requests"),
    KafkaComponent("ingester", "consumes its partition, commits offsets as its instance ID"),
    KafkaComponent("ruler", "produces rule results through its internal distributor"),
    KafkaComponent("query_frontend", "reads the last produced offsets for strong read consistency"),
    KafkaComponent(
        "ruler_query_frontend",
        "a query-frontend for rule evaluation: reads the last produced offsets",
        needs_ruler_query_path=True,
    ),
)

#: Settings of ``ingest_storage.kafka`` that turn the Kafka connection's authentication on: only the
#: Kafka components get them (as flags), so other pods validate with SASL and TLS off.
CONNECTION_KEYS = ("sasl_mechanism", "sasl_username", "tls_enabled")

#: Consumer settings and the components that use them (jsonnet @00dc4b65, see the module docstring).
CONSUMER_KEY_COMPONENTS: dict[str, tuple[str, ...]] = {
    key: ("ingester",) for key in CONSUMER_KAFKA_KEYS if key != "last_produced_offset_poll_interval"
} | {"last_produced_offset_poll_interval": ("ingester", "query_frontend", "ruler_query_frontend")}


def kafka_components(ruler_query_path: bool) -> tuple[str, ...]:
    """The values sections of the chart components that connect to Kafka in this deployment."""
    return tuple(c.values_key for c in KAFKA_COMPONENTS if ruler_query_path or not c.needs_ruler_query_path)


def split_kafka_block(
    config: Mapping[str, Any], components: tuple[str, ...]
) -> tuple[dict[str, Any], dict[str, dict[str, str]]]:
    """(shared config, extraArgs per component): the connection and consumer keys of
    ``ingest_storage.kafka`` leave the shared config and become flags of the components that use them."""
    shared = {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in config.items()}
    ingest = dict(shared.get("ingest_storage") or {})
    kafka = dict(ingest.get("kafka") or {})
    args: dict[str, dict[str, str]] = {c: {} for c in components}
    routes = {key: components for key in CONNECTION_KEYS} | CONSUMER_KEY_COMPONENTS
    for key, targets in routes.items():
        if key not in kafka:
            continue
        value = kafka.pop(key)
        setting = setting_for_yaml(("ingest_storage", "kafka", key))
        assert setting is not None, key  # every routed key is in Mimir's settings table
        for component in targets:
            if component in args:
                args[component][setting.flag] = flag_value(setting, value)
    ingest["kafka"] = kafka
    shared["ingest_storage"] = ingest
    return shared, {c: a for c, a in args.items() if a}


def component_view(structured_config: Mapping[str, Any], extra_args: Mapping[str, Any]) -> dict[str, Any]:
    """``ingest_storage.kafka`` as a component sees it: the shared config with its own flags applied."""
    kafka = dict(((structured_config.get("ingest_storage") or {}).get("kafka")) or {})
    for flag, value in extra_args.items():
        name = str(flag).lstrip("-")
        if not name.startswith("ingest-storage.kafka."):
            continue
        key = name.removeprefix("ingest-storage.kafka.").replace("-", "_")
        setting = setting_for_yaml(("ingest_storage", "kafka", key))
        kafka[key] = _typed(setting.type if setting else "string", str(value))
    return kafka


def _typed(type_: str, text: str) -> Any:
    if type_ == "boolean":
        return text == "true"
    if type_ == "int":
        return int(text)
    return text
