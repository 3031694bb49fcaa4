"""The sealed parts of the escape hatch: every place a chart value can set a Mimir flag, a config key or an
environment variable that the contract derives (plain Python, no Pulumi).

``extra_values`` may only add (``extra_values.py`` refuses changing a derived value). Adding is refused too
where a new value would override what the contract derived without touching it:

- ``<component>.extraArgs`` (the chart renders ``-<key>=<value>`` after its own args, so it wins): any
  ``ingest-storage.*`` flag, ``ingester.ring.instance-id`` (the partition comes from it),
  ``ingester.ring.instance-availability-zone``, ``ingester.partition-ring.*``,
  ``distributor.remote-timeout``, ``querier.query-ingesters-within``, ``config.file``,
  ``config.expand-env``;
- ``mimir.structuredConfig``: the whole ``ingest_storage`` section, ``ingester.ring.instance_id``,
  ``ingester.ring.instance_availability_zone``, ``querier.query_ingesters_within``;
- environment (``global.extraEnv``, ``<component>.env``) and ``extraEnvFrom`` / ``extraVolumes``
  anywhere: a variable the rendered config references (``${VAR}``), or a reference to a Secret that holds
  Kafka credentials or TLS keys (it would hand them to pods that do not talk to Kafka).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mimirkafka.contract.errors import Problem
from mimirkafka.contract.mimir_settings import setting_for_flag

STRUCTURED_CONFIG = ("mimir", "structuredConfig")
#: Config paths (under structuredConfig) no key may be added to or below.
SEALED_CONFIG_PATHS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("ingest_storage",), "set the matching field of the contract (IngestStorageContract)"),
    (
        ("ingester", "ring", "instance_id"),
        "none: the chart names each ingester by its pod, and Mimir derives the partition from it",
    ),
    (
        ("ingester", "ring", "instance_availability_zone"),
        "set ingesters.zones in the contract (and settings.client_rack.zone_racks to name the zones)",
    ),
    (("querier", "query_ingesters_within"), "set the contract's consumer.query_ingesters_within"),
)
#: Flag prefixes refused in ``<component>.extraArgs``, with the setting to use instead.
SEALED_FLAG_PREFIXES: tuple[tuple[str, str], ...] = (
    ("ingest-storage.", "set the matching field of the contract (IngestStorageContract)"),
    ("ingester.ring.instance-id", "none: Mimir derives each ingester's partition from its pod name"),
    (
        "ingester.ring.instance-availability-zone",
        "set ingesters.zones in the contract (and settings.client_rack.zone_racks to name the zones)",
    ),
    ("ingester.partition-ring.", "set the contract's partition_ring"),
    ("distributor.remote-timeout", "set the contract's remote_timeout"),
    ("querier.query-ingesters-within", "set the contract's consumer.query_ingesters_within"),
    ("config.", "none: the chart owns the config file and runs Mimir with -config.expand-env=true"),
)
#: The contract field behind each ``-ingest-storage.kafka.*`` flag family (longest prefix wins).
FLAG_FIELDS: tuple[tuple[str, str], ...] = (
    ("ingest-storage.kafka.sasl-", "set the contract's sasl"),
    ("ingest-storage.kafka.tls-", "set the contract's tls"),
    ("ingest-storage.kafka.address", "set the contract's addresses (stack: kafkaBootstrap)"),
    ("ingest-storage.kafka.topic", "set the contract's topic.name"),
    ("ingest-storage.kafka.client-rack", "set settings.client_rack"),
    ("ingest-storage.kafka.client-id", "set settings.component_client_ids (or the contract's client_id)"),
    (
        "ingest-storage.kafka.use-compressed-bytes-as-fetch-max-bytes",
        "set the contract's use_compressed_bytes_as_fetch_max_bytes (the flavor decides its default)",
    ),
    (
        "ingest-storage.kafka.producer-max-record-size-bytes",
        "set the contract's producer_max_record_size_bytes",
    ),
    (
        "ingest-storage.kafka.auto-create-topic-",
        "set the contract's auto_create_topic_enabled / topic.partitions",
    ),
    (
        "ingest-storage.kafka.consumer-group",
        "set the contract's consumer (ConsumerTuning) or consumer_group_prefix",
    ),
    ("ingest-storage.kafka.", "set the contract's consumer (ConsumerTuning) or the matching contract field"),
)


def _fix_for_flag(flag: str) -> str:
    for prefix, fix in sorted(FLAG_FIELDS, key=lambda f: -len(f[0])):
        if flag.startswith(prefix):
            return fix
    for prefix, fix in SEALED_FLAG_PREFIXES:
        if flag.startswith(prefix):
            return fix
    return "set the contract field behind it"


def sealed_flag(flag: str) -> bool:
    name = flag.lstrip("-")
    return any(name.startswith(prefix) for prefix, _ in SEALED_FLAG_PREFIXES)


def _setting(path: Sequence[str]) -> str:
    return "settings.extra_values." + ".".join(path)


def check_extra_args(extra: Mapping[str, Any]) -> list[Problem]:
    """``<component>.extraArgs`` entries (any component, and ingester zones) that set a sealed flag."""
    found: list[Problem] = []
    for component, section in extra.items():
        if not isinstance(section, Mapping) or not isinstance(section.get("extraArgs"), Mapping):
            continue
        for key, value in section["extraArgs"].items():
            flag = str(key).lstrip("-")
            if not sealed_flag(flag):
                continue
            known = setting_for_flag(flag)
            shown = "<redacted>" if known is not None and known.secret else value
            found.append(
                Problem(
                    _setting((str(component), "extraArgs", str(key))),
                    shown,
                    f"-{flag} is derived from the contract for every component that uses it; a flag in "
                    "extraArgs would override it unchecked",
                    _fix_for_flag(flag),
                )
            )
    return found


def check_structured_config(extra: Mapping[str, Any]) -> list[Problem]:
    """New keys in a sealed part of ``mimir.structuredConfig`` (changes are refused by the merge)."""
    config = (
        extra.get("mimir", {}).get("structuredConfig") if isinstance(extra.get("mimir"), Mapping) else None
    )
    if not isinstance(config, Mapping):
        return []
    found: list[Problem] = []
    for sealed, fix in SEALED_CONFIG_PATHS[1:]:  # ingest_storage is sealed by the merge itself
        node: Any = config
        for part in sealed:
            node = node.get(part) if isinstance(node, Mapping) else None
        if node is not None:
            found.append(
                Problem(
                    _setting((*STRUCTURED_CONFIG, *sealed)),
                    node,
                    f"{'.'.join(sealed)} is derived from the contract and the chart",
                    fix,
                )
            )
    return found


def _env_entries(section: Mapping[str, Any]) -> list[tuple[str, int, Any]]:
    out: list[tuple[str, int, Any]] = []
    for key in ("env", "extraEnv"):
        entries = section.get(key)
        if isinstance(entries, Sequence) and not isinstance(entries, str | bytes):
            out += [(key, i, e) for i, e in enumerate(entries)]
    return out


def _secret_names_in(entry: Any) -> set[str]:
    """Names of Secrets an env / envFrom / volume entry refers to."""
    names: set[str] = set()

    def walk(node: Any, parent: str = "") -> None:
        if isinstance(node, Mapping):
            for k, v in node.items():
                if k in ("secretRef", "secretKeyRef", "secret") and isinstance(v, Mapping):
                    name = v.get("name", v.get("secretName"))
                    if isinstance(name, str):
                        names.add(name)
                walk(v, str(k))
        elif isinstance(node, Sequence) and not isinstance(node, str | bytes):
            for v in node:
                walk(v, parent)

    walk(entry)
    return names


def check_env_and_volumes(
    extra: Mapping[str, Any], env_names: Sequence[str], secret_names: Sequence[str]
) -> list[Problem]:
    """Env variables the rendered config references, and references to the Kafka Secrets, anywhere in
    the escape hatch (global or any component): the component wires both to the Kafka components only."""
    found: list[Problem] = []
    env_set, secret_set = set(env_names), set(secret_names)
    sections: list[tuple[tuple[str, ...], Mapping[str, Any]]] = [
        ((str(k),), v) for k, v in extra.items() if isinstance(v, Mapping)
    ]
    for path, section in sections:
        for key, i, entry in _env_entries(section):
            name = entry.get("name") if isinstance(entry, Mapping) else None
            if name in env_set:
                found.append(
                    Problem(
                        _setting((*path, f"{key}[{i}]")),
                        name,
                        f"${{{name}}} is referenced by the rendered Mimir config; the component provides it "
                        "to the Kafka components from a Secret",
                        "leave it to the contract (sasl / tls); name your own variable differently",
                    )
                )
        for key in ("env", "extraEnv", "extraEnvFrom", "extraVolumes"):
            entries = section.get(key)
            if not isinstance(entries, Sequence) or isinstance(entries, str | bytes):
                continue
            for i, entry in enumerate(entries):
                hits = sorted(_secret_names_in(entry) & secret_set)
                if hits:
                    found.append(
                        Problem(
                            _setting((*path, f"{key}[{i}]")),
                            hits,
                            f"refers to the Secret(s) {hits} holding Kafka credentials or TLS keys; only the "
                            "components that talk to Kafka get them, and the component wires those",
                            "remove the entry; the Kafka components already mount these Secrets",
                        )
                    )
    return found
