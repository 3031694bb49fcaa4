"""The inverse of rendering: a contract from an existing Mimir YAML config or CLI flags.

Used by the preflight doctor (what does this running Mimir expect from Kafka?) and by the round-trip
tests. Environment references are resolved the way Mimir's ``-config.expand-env`` does: ``${VAR}``,
``${VAR:default}`` and ``${VAR:-default}``; an undefined variable becomes the empty string. Without
``env`` the references are kept as they are. Facts Mimir's config does not hold (flavor, versions,
ingester layout, replication) come from keyword arguments.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Mapping
from typing import Any, cast

import yaml

from mimirkafka.contract.errors import ContractError, Problem
from mimirkafka.contract.mimir_config import TLS_FILE_NAMES
from mimirkafka.contract.mimir_settings import BY_YAML, setting_for_flag
from mimirkafka.contract.model import (
    MAX_PRODUCER_RECORD_SIZE_BYTES,
    IngesterLayout,
    IngestStorageContract,
    KafkaFlavor,
    MimirVersion,
    MskIamFile,
    MskIamSocket,
    MskIamStatic,
    NoSasl,
    OAuthBearerFile,
    OAuthBearerSocket,
    OAuthBearerStatic,
    PartitionRingSettings,
    PemMaterial,
    PlainAuth,
    SaslAuth,
    SaslMechanism,
    ScramAuth,
    SecretValue,
    TlsConfig,
    TopicSettings,
)

_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-?([^}]*))?\}|\$\(([A-Za-z_][A-Za-z0-9_]*)\)")
#: Mimir's defaults for settings the contract needs but a config may leave out.
_MIMIR_REMOTE_TIMEOUT_DEFAULT = "2s"


def expand_env(text: str, env: Mapping[str, str]) -> str:
    """``${VAR}``, ``${VAR:default}``, ``${VAR:-default}`` (and Kubernetes ``$(VAR)``) from ``env``."""

    def sub(m: re.Match[str]) -> str:
        name = m.group(1) or m.group(3)
        if name in env:
            return env[name]
        return m.group(2) or ""

    return _REF.sub(sub, text)


def _expand_tree(value: Any, env: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        return expand_env(value, env)
    if isinstance(value, dict):
        return {k: _expand_tree(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand_tree(v, env) for v in value]
    return value


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("true", "1", "yes")


def _secret(kafka: Mapping[str, Any], key: str) -> SecretValue | None:
    v = kafka.get(key)
    return None if v in (None, "") else SecretValue(str(v))


def _exactly_one(mech: str, present: dict[str, Any], message: str) -> str:
    chosen = [k for k, v in present.items() if v not in (None, "")]
    if len(chosen) != 1:
        raise ContractError(
            [
                Problem(
                    f"sasl_mechanism={mech}",
                    chosen or None,
                    message,
                    "configure exactly one of: " + ", ".join(present),
                )
            ]
        )
    return chosen[0]


def _sasl(kafka: Mapping[str, Any]) -> SaslAuth:
    mech = str(kafka.get("sasl_mechanism") or "PLAIN")
    username = str(kafka.get("sasl_username") or "")
    password = _secret(kafka, "sasl_password")
    if mech == "PLAIN":
        if not username and password is None:
            return NoSasl()
        return PlainAuth(username, password or SecretValue(""))
    if mech in ("SCRAM-SHA-256", "SCRAM-SHA-512"):
        return ScramAuth(username, password or SecretValue(""), 256 if mech.endswith("256") else 512)
    if mech == "OAUTHBEARER":
        which = _exactly_one(
            mech,
            {
                "sasl_oauthbearer_token": kafka.get("sasl_oauthbearer_token"),
                "sasl_oauthbearer_file_path": kafka.get("sasl_oauthbearer_file_path"),
                "sasl_oauthbearer_http_socket_path": kafka.get("sasl_oauthbearer_http_socket_path"),
            },
            "exactly one of OAuth token, file path, or HTTP socket path must be configured to enable SASL "
            "OAUTHBEARER authentication",
        )
        if which == "sasl_oauthbearer_token":
            ext = kafka.get("sasl_oauthbearer_extensions") or {}
            if isinstance(ext, str):
                ext = json.loads(ext)
            return OAuthBearerStatic(
                SecretValue(str(kafka["sasl_oauthbearer_token"])),
                kafka.get("sasl_oauthbearer_zid") or None,
                dict(ext),
            )
        if which == "sasl_oauthbearer_file_path":
            return OAuthBearerFile(str(kafka["sasl_oauthbearer_file_path"]))
        return OAuthBearerSocket(
            str(kafka["sasl_oauthbearer_http_socket_path"]),
            str(kafka.get("sasl_oauthbearer_http_socket_timeout") or "10s"),
        )
    if mech == "AWS_MSK_IAM":
        static = kafka.get("sasl_msk_iam_access_key") or kafka.get("sasl_msk_iam_secret_key")
        which = _exactly_one(
            mech,
            {
                "static credentials": static,
                "sasl_msk_iam_file_path": kafka.get("sasl_msk_iam_file_path"),
                "sasl_msk_iam_http_socket_path": kafka.get("sasl_msk_iam_http_socket_path"),
            },
            "exactly one of static credentials, file path, or HTTP "
            "socket path must be configured to enable SASL "
            "AWS_MSK_IAM authentication",
        )
        if which == "static credentials":
            return MskIamStatic(
                _secret(kafka, "sasl_msk_iam_access_key") or SecretValue(""),
                _secret(kafka, "sasl_msk_iam_secret_key") or SecretValue(""),
                _secret(kafka, "sasl_msk_iam_session_token"),
                kafka.get("sasl_msk_iam_user_agent") or None,
            )
        if which == "sasl_msk_iam_file_path":
            return MskIamFile(str(kafka["sasl_msk_iam_file_path"]))
        return MskIamSocket(
            str(kafka["sasl_msk_iam_http_socket_path"]),
            str(kafka.get("sasl_msk_iam_http_socket_timeout") or "10s"),
        )
    raise ContractError(
        [
            Problem(
                "sasl_mechanism",
                mech,
                "the configured SASL mechanism is invalid, must be one of: "
                + ", ".join(m.value for m in SaslMechanism),
                "set one of those names exactly (case-sensitive)",
            )
        ]
    )


def _tls(kafka: Mapping[str, Any], default_mount_dir: str) -> TlsConfig:
    paths = {
        "ca": kafka.get("tls_ca_path") or None,
        "client_cert": kafka.get("tls_cert_path") or None,
        "client_key": kafka.get("tls_key_path") or None,
    }
    given = {k: v for k, v in paths.items() if v}
    dirs = {posixpath.dirname(v) for v in given.values()}
    # Paths laid out like the renderer does (one dir, standard names)
    # become a mount_dir; others stay explicit.
    conventional = len(dirs) == 1 and all(
        posixpath.basename(v) == TLS_FILE_NAMES[k] for k, v in given.items()
    )
    mount_dir = dirs.pop() if conventional else default_mount_dir
    suites = kafka.get("tls_cipher_suites") or ""
    return TlsConfig(
        enabled=_as_bool(kafka.get("tls_enabled", False)),
        ca=PemMaterial() if paths["ca"] else None,
        client_cert=PemMaterial() if paths["client_cert"] else None,
        client_key=PemMaterial(secret=True) if paths["client_key"] else None,
        server_name=kafka.get("tls_server_name") or None,
        insecure_skip_verify=_as_bool(kafka.get("tls_insecure_skip_verify", False)),
        min_version=kafka.get("tls_min_version") or None,
        cipher_suites=tuple(s.strip() for s in str(suites).split(",") if s.strip()),
        mount_dir=mount_dir,
        ca_path=None if conventional else paths["ca"],
        cert_path=None if conventional else paths["client_cert"],
        key_path=None if conventional else paths["client_key"],
    )


def contract_from_mimir_config(
    config: Mapping[str, Any] | str,
    env: Mapping[str, str] | None = None,
    *,
    flavor: KafkaFlavor = KafkaFlavor.APACHE,
    mimir_version: MimirVersion | str = "3.1.2",
    kafka_version: str = "4.1",
    ingesters: IngesterLayout | None = None,
    topic: TopicSettings | None = None,
    consumer_group_prefix: str = "ingester-",
) -> IngestStorageContract:
    """A contract from Mimir's YAML text or structured config (a full Mimir config is fine).

    ``topic`` supplies what the Mimir config cannot say (replication, min ISR, retention, deployed
    partitions); its ``partitions`` is used only when the config has no positive
    ``auto_create_topic_default_partitions``. Raises :class:`ContractError` for SASL settings Mimir
    itself would reject at parse time.
    """
    if isinstance(config, str):
        text = expand_env(config, env) if env is not None else config
        try:
            tree = yaml.safe_load(text) or {}
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            raise ContractError(
                [Problem("config", "<text>", f"not valid YAML{where}", "give Mimir's YAML configuration")]
            ) from None
    else:
        tree = _expand_tree(dict(config), env) if env is not None else dict(config)
    _require_mappings(tree)
    try:
        return _contract_from_tree(
            tree, flavor, mimir_version, kafka_version, ingesters, topic, consumer_group_prefix
        )
    except (TypeError, ValueError, AttributeError) as e:
        if isinstance(e, ContractError):
            raise
        raise ContractError(
            [
                Problem(
                    "ingest_storage.kafka",
                    "",
                    f"a setting has the wrong type or shape ({type(e).__name__}: {e})",
                    "give numbers for sizes and counts, strings for names, mappings for sections",
                )
            ]
        ) from None


def _require_mappings(tree: Any) -> None:
    """The config and its ``ingest_storage``/``ingest_storage.kafka`` sections are mappings, or a Problem."""
    section, path = tree, "config"
    for name in ("ingest_storage", "kafka", None):
        if section is not None and not isinstance(section, Mapping):
            raise ContractError(
                [
                    Problem(
                        path,
                        type(section).__name__,
                        "must be a YAML mapping",
                        f"write {path} as key: value pairs",
                    )
                ]
            )
        if name is None or section is None:
            return
        section, path = section.get(name), name if path == "config" else f"{path}.{name}"


def _contract_from_tree(
    tree: Mapping[str, Any],
    flavor: KafkaFlavor,
    mimir_version: MimirVersion | str,
    kafka_version: str,
    ingesters: IngesterLayout | None,
    topic: TopicSettings | None,
    consumer_group_prefix: str,
) -> IngestStorageContract:
    ingest = tree.get("ingest_storage") or {}
    kafka = ingest.get("kafka") or {}
    base_topic = topic or TopicSettings()
    address = kafka.get("address") or ""
    addresses = address if isinstance(address, list) else str(address).split(",")
    acp = kafka.get("auto_create_topic_default_partitions")
    partitions = int(acp) if acp is not None and int(acp) > 0 else base_topic.partitions
    use_compressed = kafka.get("use_compressed_bytes_as_fetch_max_bytes")
    ring = ((tree.get("ingester") or {}).get("partition_ring")) or {}
    ring_defaults = PartitionRingSettings()
    # A str is parsed by the contract, which reports a wrong one as a Problem instead of raising.
    version = cast(MimirVersion, mimir_version)
    default_mount = TlsConfig().mount_dir
    return IngestStorageContract(
        addresses=tuple(a.strip() for a in addresses if str(a).strip()),
        topic=TopicSettings(
            name=str(kafka.get("topic") or ""),
            partitions=partitions,
            replication_factor=base_topic.replication_factor,
            min_insync_replicas=base_topic.min_insync_replicas,
            retention_ms=base_topic.retention_ms,
            deployed_partitions=base_topic.deployed_partitions,
        ),
        flavor=flavor,
        mimir_version=version,
        kafka_version=kafka_version,
        sasl=_sasl(kafka),
        tls=_tls(kafka, default_mount),
        ingesters=ingesters or IngesterLayout(),
        enabled=_as_bool(ingest.get("enabled", False)),
        # Mimir's own default is true: a config that says nothing auto-creates the topic.
        auto_create_topic_enabled=_as_bool(kafka.get("auto_create_topic_enabled", True)),
        remote_timeout=str(
            (tree.get("distributor") or {}).get("remote_timeout") or _MIMIR_REMOTE_TIMEOUT_DEFAULT
        ),
        producer_max_record_size_bytes=int(
            kafka.get("producer_max_record_size_bytes") or MAX_PRODUCER_RECORD_SIZE_BYTES
        ),
        use_compressed_bytes_as_fetch_max_bytes=None if use_compressed is None else _as_bool(use_compressed),
        client_id=kafka.get("client_id") or None,
        consumer_group_prefix=consumer_group_prefix,
        partition_ring=PartitionRingSettings(
            kvstore_store=str((ring.get("kvstore") or {}).get("store") or ring_defaults.kvstore_store),
            min_partition_owners_count=int(
                ring.get("min_partition_owners_count", ring_defaults.min_partition_owners_count)
            ),
            min_partition_owners_duration=str(
                ring.get("min_partition_owners_duration") or ring_defaults.min_partition_owners_duration
            ),
            delete_inactive_partition_after=str(
                ring.get("delete_inactive_partition_after") or ring_defaults.delete_inactive_partition_after
            ),
        ),
    )


def config_from_flags(flags: list[str], env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The structured config that Mimir's known ``flags`` describe; unknown flags are ignored."""
    tree: dict[str, Any] = {}
    i = 0
    while i < len(flags):
        arg = flags[i]
        i += 1
        if not arg.startswith("-"):
            continue
        name, eq, value = arg.lstrip("-").partition("=")
        setting = setting_for_flag(name)
        if setting is None:
            continue
        if not eq:
            # `-flag value`, or a bare boolean flag meaning true.
            if setting.type != "boolean" and i < len(flags):
                value = flags[i]
                i += 1
            else:
                value = "true"
        if env is not None:
            value = expand_env(value, env)
        node = tree
        for part in setting.yaml_path[:-1]:
            node = node.setdefault(part, {})
        node[setting.yaml_path[-1]] = _typed(setting.type, value)
    return tree


def _typed(type_: str, value: str) -> Any:
    if type_ == "boolean":
        return _as_bool(value)
    if type_ == "int":
        return int(value)
    if type_ == "map":
        return json.loads(value) if value.strip() else {}
    return value


def contract_from_flags(
    flags: list[str], env: Mapping[str, str] | None = None, **kw: Any
) -> IngestStorageContract:
    """Like :func:`contract_from_mimir_config` for a command line (``-flag=value`` or ``-flag value``)."""
    return contract_from_mimir_config(config_from_flags(flags, env), None, **kw)


__all__ = ["BY_YAML", "config_from_flags", "contract_from_flags", "contract_from_mimir_config", "expand_env"]
