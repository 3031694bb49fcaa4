"""A throw-away certificate authority for the test bed (the broker's TLS listeners, the control plane).

One place for the CA and leaf certificates both fixtures need: EC P-256 keys, valid from five minutes
ago for two days, leaf keys as unencrypted PKCS#8 PEM (the form Kafka's PEM keystore and the Kubernetes
components read without a password).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

VALIDITY = dt.timedelta(days=2)


def key_pem(key: Any) -> bytes:
    """Unencrypted PKCS#8 PEM of a private key."""
    return bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )


def common_name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


class TestCA:
    """A CA that signs server and client leaf certificates."""

    __test__ = False  # not a pytest test class

    def __init__(self, cn: str) -> None:
        self._now = dt.datetime.now(dt.UTC)
        self._key = ec.generate_private_key(ec.SECP256R1())
        self.cert = (
            self._builder(common_name(cn), self._key.public_key())
            .issuer_name(common_name(cn))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
            )
            .sign(self._key, hashes.SHA256())
        )
        self.pem = self.cert.public_bytes(serialization.Encoding.PEM)

    def _builder(self, subject: x509.Name, public_key: Any) -> x509.CertificateBuilder:
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(self._now - dt.timedelta(minutes=5))
            .not_valid_after(self._now + VALIDITY)
        )

    def leaf(
        self, subject: x509.Name, *, server: bool, sans: Sequence[x509.GeneralName] = ()
    ) -> tuple[bytes, bytes]:
        """(certificate PEM, key PEM) of a leaf for ``subject``: server auth with ``sans``, or client auth."""
        key = ec.generate_private_key(ec.SECP256R1())
        b = (
            self._builder(subject, key.public_key())
            .issuer_name(self.cert.subject)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.ExtendedKeyUsage(
                    [ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH]
                ),
                critical=False,
            )
        )
        if sans:
            b = b.add_extension(x509.SubjectAlternativeName(list(sans)), critical=False)
        cert = b.sign(self._key, hashes.SHA256())
        return cert.public_bytes(serialization.Encoding.PEM), key_pem(key)
