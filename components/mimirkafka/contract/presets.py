"""Convenience builders for the common contracts, so a newcomer needs a few lines, not the whole model.

Each returns a plain :class:`IngestStorageContract`; call :func:`validate` or a renderer on it. Keyword
arguments not named here go straight to the contract (e.g. ``ingesters=IngesterLayout(3, 4)``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, cast

from mimirkafka.contract.flavors import max_record_size_for
from mimirkafka.contract.model import (
    IngestStorageContract,
    KafkaFlavor,
    MimirVersion,
    MskIamFile,
    MskIamSocket,
    MskIamStatic,
    NoSasl,
    PemMaterial,
    PlainAuth,
    ScramAuth,
    TlsConfig,
    TopicSettings,
    secret,
)


def _version(v: MimirVersion | str) -> MimirVersion:
    # The contract parses a str itself and reports a wrong one ("latest") as a Problem instead of raising.
    return cast(MimirVersion, v)


def plaintext(
    addresses: Sequence[str],
    *,
    topic: str = "mimir-ingest",
    partitions: int = 16,
    mimir_version: MimirVersion | str = "3.1.2",
    **kw: Any,
) -> IngestStorageContract:
    """No TLS, no SASL: a test cluster or a private network you trust."""
    return IngestStorageContract(
        addresses=tuple(addresses),
        topic=TopicSettings(name=topic, partitions=partitions),
        mimir_version=_version(mimir_version),
        sasl=NoSasl(),
        **kw,
    )


def scram_over_tls(
    addresses: Sequence[str],
    username: str,
    password: Any,
    ca_pem: Any = None,
    *,
    sha: Literal[256, 512] = 512,
    topic: str = "mimir-ingest",
    partitions: int = 16,
    flavor: KafkaFlavor = KafkaFlavor.APACHE,
    mimir_version: MimirVersion | str = "3.1.2",
    server_name: str | None = None,
    **kw: Any,
) -> IngestStorageContract:
    """SASL/SCRAM over TLS. ``password`` may be a str or a ``pulumi.Output`` (wrapped as a secret);
    ``ca_pem`` ``None`` uses the system CA roots (public CAs, MSK)."""
    return IngestStorageContract(
        addresses=tuple(addresses),
        topic=TopicSettings(name=topic, partitions=partitions),
        flavor=flavor,
        mimir_version=_version(mimir_version),
        sasl=ScramAuth(username, secret(password), sha),
        tls=TlsConfig(
            enabled=True, ca=None if ca_pem is None else PemMaterial(ca_pem), server_name=server_name
        ),
        **kw,
    )


def mtls(
    addresses: Sequence[str],
    ca_pem: Any,
    cert_pem: Any,
    key_pem: Any,
    *,
    principal: str | None = None,
    topic: str = "mimir-ingest",
    partitions: int = 16,
    flavor: KafkaFlavor = KafkaFlavor.APACHE,
    mimir_version: MimirVersion | str = "3.1.2",
    **kw: Any,
) -> IngestStorageContract:
    """Client-certificate authentication. ``principal`` is how the broker names the certificate
    (e.g. ``"User:CN=mimir"``); it is needed to derive ACLs."""
    return IngestStorageContract(
        addresses=tuple(addresses),
        topic=TopicSettings(name=topic, partitions=partitions),
        flavor=flavor,
        mimir_version=_version(mimir_version),
        tls=TlsConfig(
            enabled=True,
            ca=PemMaterial(ca_pem),
            client_cert=PemMaterial(cert_pem),
            client_key=PemMaterial(key_pem, secret=True),
        ),
        kafka_principal=principal,
        **kw,
    )


def msk_iam(
    bootstrap_brokers_sasl_iam: Sequence[str] | str,
    *,
    socket_path: str | None = None,
    file_path: str | None = None,
    access_key: Any = None,
    secret_key: Any = None,
    session_token: Any = None,
    serverless: bool = False,
    express: bool = False,
    topic: str = "mimir-ingest",
    partitions: int = 16,
    mimir_version: MimirVersion | str = "3.1.2",
    **kw: Any,
) -> IngestStorageContract:
    """AWS_MSK_IAM over TLS on port 9098. Give exactly one credential source: ``socket_path`` (a
    credential helper serving IRSA/Pod Identity credentials), ``file_path``, or static keys. On
    Serverless the producer record size is lowered to fit the 8 MiB message cap."""
    addresses = (
        tuple(a.strip() for a in bootstrap_brokers_sasl_iam.split(","))
        if isinstance(bootstrap_brokers_sasl_iam, str)
        else tuple(bootstrap_brokers_sasl_iam)
    )
    sasl: MskIamSocket | MskIamFile | MskIamStatic
    if socket_path is not None:
        sasl = MskIamSocket(socket_path)
    elif file_path is not None:
        sasl = MskIamFile(file_path)
    else:
        sasl = MskIamStatic(
            secret(access_key), secret(secret_key), None if session_token is None else secret(session_token)
        )
    flavor = (
        KafkaFlavor.MSK_SERVERLESS
        if serverless
        else KafkaFlavor.MSK_EXPRESS
        if express
        else KafkaFlavor.MSK_PROVISIONED
    )
    if (limit := max_record_size_for(flavor)) is not None:
        kw.setdefault("producer_max_record_size_bytes", limit)
    return IngestStorageContract(
        addresses=addresses,
        topic=TopicSettings(name=topic, partitions=partitions),
        flavor=flavor,
        mimir_version=_version(mimir_version),
        kafka_version=kw.pop("kafka_version", "3.9"),
        sasl=sasl,
        tls=TlsConfig(enabled=True),
        **kw,
    )


def confluent_cloud(
    bootstrap: Sequence[str] | str,
    api_key: str,
    api_secret: Any,
    *,
    service_account: str | None = None,
    dedicated: bool = False,
    topic: str = "mimir-ingest",
    partitions: int = 16,
    mimir_version: MimirVersion | str = "3.1.2",
    **kw: Any,
) -> IngestStorageContract:
    """Confluent Cloud with an API key: SASL PLAIN over TLS, public CA roots. ``api_secret`` may be a
    str or a ``pulumi.Output``. Basic/Standard/Enterprise clusters cap messages at 8 MiB, so the producer
    record size is lowered to fit; ``dedicated=True`` declares a Dedicated cluster (20 MiB cap).
    ``service_account`` (``sa-...``) owns the API key: ACLs name it, not the key."""
    addresses = (
        tuple(a.strip() for a in bootstrap.split(",")) if isinstance(bootstrap, str) else tuple(bootstrap)
    )
    flavor = KafkaFlavor.CONFLUENT_CLOUD_DEDICATED if dedicated else KafkaFlavor.CONFLUENT_CLOUD
    if (limit := max_record_size_for(flavor)) is not None:
        kw.setdefault("producer_max_record_size_bytes", limit)
    if service_account is not None:
        kw.setdefault("kafka_principal", f"User:{service_account}")
    return IngestStorageContract(
        addresses=addresses,
        topic=TopicSettings(name=topic, partitions=partitions),
        flavor=flavor,
        mimir_version=_version(mimir_version),
        sasl=PlainAuth(api_key, secret(api_secret)),
        tls=TlsConfig(enabled=True),
        **kw,
    )
