"""Where each secret and TLS file Mimir needs comes from (plain Python, no Pulumi).

The contract's rendering names the ``${VAR}`` variables and the in-pod TLS paths. Some of them are
already held in a Kubernetes Secret another controller writes (Strimzi's KafkaUser Secret and cluster
CA Secret); those are *referenced*, never copied. Everything else goes into the Secrets this package
creates: one for environment variables (keys = variable names) and one for TLS files.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mimirkafka.contract.mimir_config import SECRET_ENV_VARS, TLS_FILE_NAMES
from mimirkafka.contract.model import IngestStorageContract, PemMaterial, PlainAuth, ScramAuth, SecretValue
from mimirkafka.kafka.endpoint import CaKind, CredentialsKind, KafkaEndpoint
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


def mimir_view(
    contract: IngestStorageContract, endpoint: KafkaEndpoint
) -> tuple[IngestStorageContract, ExternalRefs]:
    """The contract Mimir renders, with the secrets the Kafka side decided (generated password,
    operator-written Secrets) filled in from its endpoint; nothing else changes."""
    creds = endpoint.credentials
    sasl = contract.sasl
    external = ExternalRefs()
    if isinstance(sasl, ScramAuth | PlainAuth):
        if creds.kind is CredentialsKind.SECRET and creds.password_ref is not None:
            external = dataclasses.replace(external, password=_ref(creds.password_ref))
        elif sasl.password.is_generated:
            if creds.password is None:
                raise ValueError(
                    "kafkaPassword: not set and the Kafka side generated none; set it with "
                    "`pulumi config set --secret kafkaPassword <password>`"
                )
            contract = dataclasses.replace(
                contract, sasl=dataclasses.replace(sasl, password=SecretValue(creds.password))
            )
    tls = contract.tls
    # Material an operator writes is "provided out of band" (PemMaterial(None)): Mimir still gets a path.
    if endpoint.ca.kind is CaKind.SECRET and endpoint.ca.secret is not None:
        external = dataclasses.replace(external, ca=_ref(endpoint.ca.secret))
        tls = dataclasses.replace(tls, ca=tls.ca or PemMaterial(None))
    if creds.kind is CredentialsKind.CLIENT_CERT and creds.cert_ref is not None and creds.key_ref is not None:
        external = dataclasses.replace(
            external, client_cert=_ref(creds.cert_ref), client_key=_ref(creds.key_ref)
        )
        tls = dataclasses.replace(
            tls,
            client_cert=tls.client_cert or PemMaterial(None),
            client_key=tls.client_key or PemMaterial(None, secret=True),
        )
    return dataclasses.replace(contract, tls=tls), external


def _ref(ref: Any) -> SecretKeyRef:
    return SecretKeyRef(str(ref.name), ref.key)
