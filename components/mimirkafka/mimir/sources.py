"""Where each secret and TLS file Mimir needs comes from (plain Python, no Pulumi).

The contract's rendering names the ``${VAR}`` variables and the in-pod TLS paths. Some of them are
already held in a Kubernetes Secret another controller writes (Strimzi's KafkaUser Secret and cluster
CA Secret); those are *referenced*, never copied. Everything else goes into the Secrets this package
creates: one for environment variables (keys = variable names) and one for TLS files.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from mimirkafka.contract.mimir_config import SECRET_ENV_VARS, TLS_FILE_NAMES
from mimirkafka.mimir.values import SecretKeyRef

#: Key of each TLS role in the TLS Secret this package creates: the contract's file names
#: (kubernetes.io/tls names plus ca.crt), so the Secret mounted as a directory gives Mimir's paths.
TLS_SECRET_KEYS = TLS_FILE_NAMES
#: The variable carrying a SASL password (PLAIN/SCRAM), the one an operator Secret can provide.
PASSWORD_VARS = (SECRET_ENV_VARS["sasl_password"],)


@dataclass(frozen=True)
class ExternalRefs:
    """Secret keys another controller owns, all in Mimir's namespace."""

    password: SecretKeyRef | None = None
    ca: SecretKeyRef | None = None
    client_cert: SecretKeyRef | None = None
    client_key: SecretKeyRef | None = None


@dataclass(frozen=True)
class SourcePlan:
    #: Variables Mimir reads from an external Secret key.
    env_refs: dict[str, SecretKeyRef] = field(default_factory=dict)
    #: Variables that go into our env Secret (key = variable name).
    env_owned: tuple[str, ...] = ()
    #: In-pod TLS path -> Secret key (external, or our TLS Secret).
    tls_refs: dict[str, SecretKeyRef] = field(default_factory=dict)
    #: TLS roles whose PEM goes into our TLS Secret.
    tls_owned: tuple[str, ...] = ()


def plan_sources(
    secret_env_names: Sequence[str],
    tls_paths: Mapping[str, str],
    external: ExternalRefs,
    tls_secret_name: str,
) -> SourcePlan:
    """Decides, for each variable and TLS file, which Secret key provides it."""
    env_refs: dict[str, SecretKeyRef] = {}
    env_owned: list[str] = []
    for var in secret_env_names:
        if var in PASSWORD_VARS and external.password is not None:
            env_refs[var] = external.password
        else:
            env_owned.append(var)
    tls_refs: dict[str, SecretKeyRef] = {}
    tls_owned: list[str] = []
    for role, path in tls_paths.items():
        ref = getattr(external, role)
        if ref is not None:
            tls_refs[path] = ref
        else:
            tls_refs[path] = SecretKeyRef(tls_secret_name, TLS_SECRET_KEYS[role])
            tls_owned.append(role)
    return SourcePlan(env_refs, tuple(env_owned), tls_refs, tuple(tls_owned))
