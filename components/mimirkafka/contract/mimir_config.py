"""Mimir's side of the contract: structured config, equivalent CLI flags, secret env vars, TLS files.

No secret value ever appears in ``config``, ``flags`` or ``yaml()``: each secret setting is rendered as
``${ENV_VAR}`` (Mimir runs with ``-config.expand-env=true``), and ``secret_env`` maps the variable to the
:class:`SecretValue` for a Kubernetes Secret injected with ``extraEnvFrom``. TLS material is referenced by
its path inside the pods; ``tls_files`` maps each path to the material to mount there.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from mimirkafka.contract.flavors import FLAVORS
from mimirkafka.contract.mimir_settings import V3_1, MimirSetting, setting_for_yaml
from mimirkafka.contract.model import (
    IngestStorageContract,
    MimirVersion,
    MskIamFile,
    MskIamSocket,
    MskIamStatic,
    OAuthBearerFile,
    OAuthBearerSocket,
    OAuthBearerStatic,
    PemMaterial,
    PlainAuth,
    SaslMechanism,
    ScramAuth,
    SecretValue,
)
from mimirkafka.contract.validation import validate

#: The one table of env var names for secret settings (YAML key under ``ingest_storage.kafka``).
#: Usernames, paths and other non-secret values are rendered in clear.
SECRET_ENV_VARS: dict[str, str] = {
    "sasl_password": "MIMIR_KAFKA_SASL_PASSWORD",
    "sasl_oauthbearer_token": "MIMIR_KAFKA_SASL_OAUTHBEARER_TOKEN",
    "sasl_msk_iam_access_key": "MIMIR_KAFKA_SASL_MSK_IAM_ACCESS_KEY",
    "sasl_msk_iam_secret_key": "MIMIR_KAFKA_SASL_MSK_IAM_SECRET_KEY",
    "sasl_msk_iam_session_token": "MIMIR_KAFKA_SASL_MSK_IAM_SESSION_TOKEN",
}
#: File names under ``tls.mount_dir`` (the keys of a kubernetes.io/tls Secret plus ``ca.crt``).
TLS_FILE_NAMES: dict[str, str] = {"ca": "ca.crt", "client_cert": "tls.crt", "client_key": "tls.key"}

#: A ``${VAR}`` reference without a default, as the rendering writes it (Mimir expands an undefined
#: one to the empty string).
ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def env_ref(var: str) -> str:
    return "${" + var + "}"


@dataclass(frozen=True)
class RenderedMimir:
    """What the Mimir deployment needs, all derived from one validated contract."""

    config: dict[str, Any]
    flags: list[str]
    secret_env: dict[str, SecretValue]
    tls_files: dict[str, PemMaterial]
    mimir_version: MimirVersion = field(default_factory=lambda: MimirVersion(3, 1, 2))

    def yaml(self) -> str:
        return yaml.safe_dump(self.config, sort_keys=False, default_flow_style=False)

    @property
    def expand_env_required(self) -> bool:
        """Mimir must run with ``-config.expand-env=true`` (the Helm chart always does)."""
        return bool(self.secret_env)

    def k8s_args(self) -> list[str]:
        """``flags`` for a container's ``args``: Kubernetes expands ``$(VAR)``, not ``${VAR}``."""
        return [ENV_REF.sub(r"$(\1)", f) for f in self.flags]

    def masked(self) -> dict[str, Any]:
        """A JSON-able summary safe for stack outputs and logs (secrets and key material elided)."""
        return {
            "config": self.config,
            "flags": list(self.flags),
            "secret_env": {k: "***" for k in self.secret_env},
            "tls_files": {
                p: {"secret": m.secret, "provided": m.pem is not None} for p, m in self.tls_files.items()
            },
        }


def tls_paths(c: IngestStorageContract) -> dict[str, str]:
    """In-pod path of each TLS file the contract uses: ``{"ca"|"client_cert"|"client_key": path}``."""
    t = c.tls
    explicit = {"ca": t.ca_path, "client_cert": t.cert_path, "client_key": t.key_path}
    out: dict[str, str] = {}
    for name, fname in TLS_FILE_NAMES.items():
        if getattr(t, name) is not None or explicit[name] is not None:
            out[name] = explicit[name] or f"{t.mount_dir.rstrip('/')}/{fname}"
    return out


def _kafka_block(c: IngestStorageContract, secrets: dict[str, SecretValue]) -> dict[str, Any]:
    k: dict[str, Any] = {
        "address": ",".join(a.strip() for a in c.addresses),
        "topic": c.topic.name,
    }
    if c.client_id is not None:
        k["client_id"] = c.client_id
    k["auto_create_topic_enabled"] = c.auto_create_topic_enabled
    k["auto_create_topic_default_partitions"] = c.topic.partitions
    k["producer_max_record_size_bytes"] = c.producer_max_record_size_bytes
    use_compressed = c.use_compressed_bytes_as_fetch_max_bytes
    if use_compressed is None and FLAVORS[c.flavor].fetch_max_bytes_uncompressed:
        use_compressed = False
    if use_compressed is not None:
        k["use_compressed_bytes_as_fetch_max_bytes"] = use_compressed

    def secret_setting(key: str, value: SecretValue) -> None:
        var = SECRET_ENV_VARS[key]
        secrets[var] = value
        k[key] = env_ref(var)

    s = c.sasl
    mech = s.mechanism
    # Mimir 3.0 has no sasl_mechanism setting (PLAIN is implied); from 3.1 name it explicitly.
    if mech is not None and c.mimir_version >= V3_1:
        k["sasl_mechanism"] = mech.value
    if isinstance(s, PlainAuth | ScramAuth):
        k["sasl_username"] = s.username
        secret_setting("sasl_password", s.password)
    elif isinstance(s, OAuthBearerStatic):
        secret_setting("sasl_oauthbearer_token", s.token)
        if s.zid:
            k["sasl_oauthbearer_zid"] = s.zid
        if s.extensions:
            k["sasl_oauthbearer_extensions"] = dict(s.extensions)
    elif isinstance(s, OAuthBearerFile):
        k["sasl_oauthbearer_file_path"] = s.path
    elif isinstance(s, OAuthBearerSocket):
        k["sasl_oauthbearer_http_socket_path"] = s.socket_path
        k["sasl_oauthbearer_http_socket_timeout"] = s.timeout
    elif isinstance(s, MskIamStatic):
        secret_setting("sasl_msk_iam_access_key", s.access_key)
        secret_setting("sasl_msk_iam_secret_key", s.secret_key)
        if s.session_token is not None:
            secret_setting("sasl_msk_iam_session_token", s.session_token)
        if s.user_agent:
            k["sasl_msk_iam_user_agent"] = s.user_agent
    elif isinstance(s, MskIamFile):
        k["sasl_msk_iam_file_path"] = s.path
    elif isinstance(s, MskIamSocket):
        k["sasl_msk_iam_http_socket_path"] = s.socket_path
        k["sasl_msk_iam_http_socket_timeout"] = s.timeout

    k.update(consumer_tuning_keys(c))

    t = c.tls
    if t.enabled:
        k["tls_enabled"] = True
        paths = tls_paths(c)
        for name, key in (
            ("ca", "tls_ca_path"),
            ("client_cert", "tls_cert_path"),
            ("client_key", "tls_key_path"),
        ):
            if name in paths:
                k[key] = paths[name]
        if t.server_name:
            k["tls_server_name"] = t.server_name
        if t.insecure_skip_verify:
            k["tls_insecure_skip_verify"] = True
        if t.cipher_suites:
            k["tls_cipher_suites"] = ",".join(t.cipher_suites)
        if t.min_version:
            k["tls_min_version"] = t.min_version
    return k


#: ConsumerTuning fields rendered under ``ingest_storage.kafka`` (same YAML key as the field name).
CONSUMER_KAFKA_KEYS = (
    "fetch_concurrency_max",
    "ingestion_concurrency_max",
    "max_buffered_bytes",
    "target_consumer_lag_at_startup",
    "max_consumer_lag_at_startup",
    "last_produced_offset_poll_interval",
    "consumer_group_offset_commit_interval",
)


def consumer_tuning_keys(c: IngestStorageContract) -> dict[str, Any]:
    """The consumer tuning that differs from Mimir's default (a default is left to Mimir, so older targets
    keep their own); validation refused values the targeted release does not know."""
    out: dict[str, Any] = {}
    for key in CONSUMER_KAFKA_KEYS:
        setting = setting_for_yaml(("ingest_storage", "kafka", key))
        value = getattr(c.consumer, key)
        if setting is not None and value != setting.default and setting.available_in(c.mimir_version):
            out[key] = value
    return out


def build_config(c: IngestStorageContract) -> tuple[dict[str, Any], dict[str, SecretValue]]:
    """The structured config and the secret env map, without validating (use :func:`render_mimir`)."""
    secrets: dict[str, SecretValue] = {}
    ring = c.partition_ring
    config: dict[str, Any] = {
        "ingest_storage": {"enabled": c.enabled, "kafka": _kafka_block(c, secrets)},
        "distributor": {"remote_timeout": c.remote_timeout},
        "ingester": {
            # Ingesters take data from Kafka only; a push over gRPC would bypass the log.
            "push_grpc_method_enabled": False,
            "partition_ring": {
                "kvstore": {"store": ring.kvstore_store},
                "min_partition_owners_count": ring.min_partition_owners_count,
                "min_partition_owners_duration": ring.min_partition_owners_duration,
                "delete_inactive_partition_after": ring.delete_inactive_partition_after,
            },
        },
    }
    within = setting_for_yaml(("querier", "query_ingesters_within"))
    if within is not None and c.consumer.query_ingesters_within != within.default:
        config["querier"] = {"query_ingesters_within": c.consumer.query_ingesters_within}
    return config, secrets


def iter_leaves(config: dict[str, Any], prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    """``(yaml_path, value)`` for every setting in a config; values of ``map`` settings stay whole."""
    out: list[tuple[tuple[str, ...], Any]] = []
    for key, value in config.items():
        path = (*prefix, str(key))
        known = setting_for_yaml(path)
        if isinstance(value, dict) and not (known is not None and known.type == "map"):
            out += iter_leaves(value, path)
        else:
            out.append((path, value))
    return out


def flag_value(setting: MimirSetting, value: Any) -> str:
    """A YAML value written the way Mimir's flag parser reads it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if setting.type == "map":
        return json.dumps(value, separators=(",", ":"), sort_keys=True)
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def flags_from_config(config: dict[str, Any]) -> list[str]:
    """The CLI flags equivalent to ``config``; every key must be in Mimir's settings table."""
    flags = []
    for path, value in iter_leaves(config):
        setting = setting_for_yaml(path)
        if setting is None:
            raise KeyError(
                f"{'.'.join(path)} is not in the table of Mimir settings (mimir_settings.SETTINGS)"
            )
        flags.append(f"-{setting.flag}={flag_value(setting, value)}")
    return flags


def render_mimir(c: IngestStorageContract) -> RenderedMimir:
    """Validates ``c`` (raising :class:`ContractError`) and renders Mimir's side of it."""
    validate(c)
    config, secrets = build_config(c)
    paths = tls_paths(c)
    files = {
        paths[name]: material
        for name in TLS_FILE_NAMES
        if name in paths and (material := getattr(c.tls, name)) is not None
    }
    return RenderedMimir(
        config=config,
        flags=flags_from_config(config),
        secret_env=secrets,
        tls_files=files if c.tls.enabled else {},
        mimir_version=c.mimir_version,
    )


__all__ = [
    "ENV_REF",
    "SECRET_ENV_VARS",
    "TLS_FILE_NAMES",
    "RenderedMimir",
    "SaslMechanism",
    "build_config",
    "flags_from_config",
    "render_mimir",
    "tls_paths",
]
