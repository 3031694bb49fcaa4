"""The common output shape of every Kafka component: what the Mimir component needs to connect.

Every Kafka-side component (MSK, MSK Serverless, Strimzi, KRaft StatefulSet, existing cluster) exposes
``endpoint: KafkaEndpoint``. The Mimir component reads it instead of knowing which Kafka it talks to:

* ``bootstrap_brokers`` / ``port``: the comma-separated ``host:port`` list of the listener whose
  mechanism and TLS setting match the contract (e.g. MSK's 9096 list for SCRAM);
* ``mechanism`` / ``tls``: what Mimir must speak on that listener;
* ``ca``: where the CA that Mimir trusts comes from (system trust store, a Kubernetes Secret key, or
  PEM held as a Pulumi secret/plain Output);
* ``credentials``: where Mimir's username/password/token come from (Pulumi secret Outputs, a
  Kubernetes Secret the operator writes, IAM, client certificate, or nothing).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import pulumi

from mimirkafka.contract.model import SaslMechanism


@dataclass(frozen=True)
class SecretKeyRef:
    """One key of a Kubernetes Secret (``valueFrom.secretKeyRef`` / a projected volume item)."""

    name: pulumi.Input[str]
    key: str
    namespace: pulumi.Input[str] | None = None


class CaKind(str, Enum):
    #: The brokers present certificates from a public CA (MSK): the system trust store is enough.
    SYSTEM = "system"
    #: The CA certificate lives in a Kubernetes Secret (Strimzi's ``<cluster>-cluster-ca-cert``).
    SECRET = "secret"
    #: The CA is PEM text the caller provided (an Output; not a secret, it is public).
    PEM = "pem"
    #: The listener has no TLS.
    NONE = "none"


@dataclass(frozen=True)
class CaSource:
    kind: CaKind
    secret: SecretKeyRef | None = None
    pem: pulumi.Input[str] | None = None


class CredentialsKind(str, Enum):
    #: No SASL (and no client certificate).
    NONE = "none"
    #: ``username`` plain, ``password`` a Pulumi secret Output the component generated or was given.
    PASSWORD = "password"
    #: Username and password are keys of a Kubernetes Secret another controller writes (Strimzi).
    SECRET = "secret"
    #: AWS_MSK_IAM: Mimir signs with AWS credentials (file/socket/static keys); see ``iam_policy_json``.
    IAM = "iam"
    #: OAUTHBEARER: a token (static secret, file or socket) as the contract describes.
    TOKEN = "token"
    #: mTLS: client certificate and key from Kubernetes Secret keys or PEM (secret) Outputs.
    CLIENT_CERT = "client-cert"


@dataclass(frozen=True)
class CredentialsSource:
    kind: CredentialsKind
    username: pulumi.Input[str] | None = None
    #: Always a secret Output when set.
    password: pulumi.Output[str] | None = None
    username_ref: SecretKeyRef | None = None
    password_ref: SecretKeyRef | None = None
    cert_ref: SecretKeyRef | None = None
    key_ref: SecretKeyRef | None = None
    #: IAM: the least-privilege policy document (JSON) Mimir's role needs.
    iam_policy_json: pulumi.Input[str] | None = None


@dataclass(frozen=True)
class KafkaEndpoint:
    """How Mimir reaches the Kafka side a component created. See module docstring."""

    bootstrap_brokers: pulumi.Input[str]
    port: int
    mechanism: SaslMechanism | None
    tls: bool
    topic_name: pulumi.Input[str]
    ca: CaSource
    credentials: CredentialsSource
    #: Free-form facts for diagnostics (flavor, cluster ARN, namespace...).
    extra: dict[str, pulumi.Input[Any]] = field(default_factory=dict)

    def to_outputs(self) -> dict[str, Any]:
        """A flat dict for ``register_outputs`` / ``pulumi.export`` (secrets stay secret)."""
        out: dict[str, Any] = {
            "bootstrap_brokers": self.bootstrap_brokers,
            "port": self.port,
            "mechanism": self.mechanism.value if self.mechanism else None,
            "tls": self.tls,
            "topic_name": self.topic_name,
            "ca_source": self.ca.kind.value,
            "credentials_source": self.credentials.kind.value,
        }
        if self.ca.secret is not None:
            out["ca_secret_name"] = self.ca.secret.name
            out["ca_secret_key"] = self.ca.secret.key
        creds = self.credentials
        if creds.username is not None:
            out["mimir_username"] = creds.username
        if creds.password is not None:
            out["mimir_password"] = pulumi.Output.secret(creds.password)
        if creds.password_ref is not None:
            out["password_secret_name"] = creds.password_ref.name
            out["password_secret_key"] = creds.password_ref.key
        if creds.iam_policy_json is not None:
            out["iam_policy_json"] = creds.iam_policy_json
        out.update({k: v for k, v in self.extra.items()})
        return out


def first_port(bootstrap: str) -> int:
    """The port of the first ``host:port`` in a bootstrap string (pure; for tests and doctor)."""
    first = bootstrap.split(",")[0].strip()
    return int(first.rsplit(":", 1)[1])
