"""SASL mechanisms for kafka-python that authenticate exactly like Mimir's client (franz-go).

kafka-python's own ``AWS_MSK_IAM`` takes credentials only from botocore's default chain, which Mimir
never uses (it needs static keys, a file or a socket), and its ``OAUTHBEARER`` never sends the
authorization ID (``zid``). The two classes here close those gaps; :func:`install` registers them in
kafka-python's mechanism table, falling back to the stock behaviour for callers that are not the doctor.
"""

from __future__ import annotations

import json
from typing import Any

from kafka.net.sasl import SASL_MECHANISMS, register_sasl_mechanism
from kafka.net.sasl.abc import SaslMechanism
from kafka.net.sasl.msk import AwsMskIamClient, SaslMechanismAwsMskIam
from kafka.net.sasl.oauth import AbstractTokenProvider, SaslMechanismOAuth

from mimirkafka.doctor.credentials import AwsCredentials, CredentialError, OAuthToken

#: DNS suffixes of the AWS partitions; the label before one of them is the region (as franz-go reads it).
_AWS_SUFFIXES = (".amazonaws.com", ".amazonaws.com.cn", ".c2s.ic.gov", ".sc2s.sgov.gov")


def region_from_host(host: str) -> str:
    """``b-1.x.c2.kafka.eu-west-1.amazonaws.com`` -> ``eu-west-1``; Mimir derives the region the same way."""
    for suffix in _AWS_SUFFIXES:
        if host.endswith(suffix):
            service_region = host[: -len(suffix)]
            if "." in service_region:
                return service_region.rsplit(".", 1)[1]
    raise CredentialError(
        f"cannot determine the AWS region from the broker host {host!r}: AWS_MSK_IAM signs for the region "
        "in the MSK host name (*.kafka.<region>.amazonaws.com); use the MSK bootstrap broker names"
    )


class OAuthTokenSource(AbstractTokenProvider):
    """Hands kafka-python the token of one of Mimir's OAUTHBEARER sources, re-read on every call."""

    def __init__(self, fetch: Any) -> None:
        super().__init__()
        self._fetch = fetch
        self._last: OAuthToken | None = None

    def current(self) -> OAuthToken:
        self._last = self._fetch()
        return self._last

    def token(self) -> str:
        return self.current().token

    def extensions(self) -> dict[str, str]:
        return dict(self._last.extensions) if self._last else {}


class AwsCredentialSource(AbstractTokenProvider):
    """Carries one of Mimir's AWS_MSK_IAM credential sources through kafka-python's config.

    kafka-python passes only its known settings to a mechanism, so this rides in
    ``sasl_oauth_token_provider`` (unused by AWS_MSK_IAM otherwise).
    """

    def __init__(self, fetch: Any) -> None:
        super().__init__()
        self._fetch = fetch

    def credentials(self) -> AwsCredentials:
        creds: AwsCredentials = self._fetch()
        return creds

    def token(self) -> str:  # pragma: no cover - required by the ABC, never used for MSK IAM
        raise NotImplementedError


class OAuthBearerWithZid(SaslMechanismOAuth):
    """RFC 7628 initial response with ``a=<zid>`` in the GS2 header when the source sets a zid."""

    def auth_bytes(self) -> bytes:
        provider = self.token_provider
        if self._error or not isinstance(provider, OAuthTokenSource):
            return bytes(super().auth_bytes())
        tok = provider.current()
        gs2 = f"n,a={tok.zid}," if tok.zid else "n,,"
        ext = "".join(f"\x01{k}={v}" for k, v in tok.extensions.items())
        return f"{gs2}\x01auth=Bearer {tok.token}{ext}\x01\x01".encode()


class MskIamExplicit(SaslMechanism):
    """AWS_MSK_IAM signed with explicit credentials (static, file or socket), like Mimir does."""

    def __init__(self, **config: Any) -> None:
        provider = config.get("sasl_oauth_token_provider")
        self._stock: SaslMechanism | None = None
        if not isinstance(provider, AwsCredentialSource):
            # Not the doctor's client: behave exactly like kafka-python's own mechanism (botocore chain).
            self._stock = SaslMechanismAwsMskIam(**config)
            return
        self._source = provider
        self._host = str(config["host"])
        self._done = False
        self._authenticated = False

    def auth_bytes(self) -> bytes:
        if self._stock is not None:
            return bytes(self._stock.auth_bytes())
        return signed_payload(self._host, self._source.credentials())

    def receive(self, auth_bytes: bytes) -> None:
        if self._stock is not None:
            self._stock.receive(auth_bytes)
            return
        self._done = True
        # MSK answers a JSON document on success and fails the SaslAuthenticate request otherwise.
        self._authenticated = auth_bytes != b""

    def is_done(self) -> bool:
        return self._stock.is_done() if self._stock is not None else self._done

    def is_authenticated(self) -> bool:
        return self._stock.is_authenticated() if self._stock is not None else self._authenticated


def signed_payload(host: str, creds: AwsCredentials, now: Any = None) -> bytes:
    """The JSON MSK expects: a SigV4 presigned ``kafka-cluster:Connect`` for ``host`` in its region.

    Signing reuses kafka-python's ``AwsMskIamClient``; only the user agent differs (Mimir's setting).
    """
    client = AwsMskIamClient(
        host=host,
        access_key=creds.access_key,
        secret_key=creds.secret_key,
        region=region_from_host(host),
        token=creds.session_token,
    )
    if now is not None:  # deterministic signatures in tests
        client.datestamp = now.strftime("%Y%m%d")
        client.timestamp = now.strftime("%Y%m%dT%H%M%SZ")
    payload = json.loads(client.first_message())
    payload["user-agent"] = creds.user_agent or "mimirkafka-doctor"
    return json.dumps(payload, separators=(",", ":")).encode()


def install() -> None:
    """Registers both mechanisms (idempotent). Called when the doctor builds a client, not at import."""
    if SASL_MECHANISMS.get("AWS_MSK_IAM") is not MskIamExplicit:
        register_sasl_mechanism("AWS_MSK_IAM", MskIamExplicit, overwrite=True)
    if SASL_MECHANISMS.get("OAUTHBEARER") is not OAuthBearerWithZid:
        register_sasl_mechanism("OAUTHBEARER", OAuthBearerWithZid, overwrite=True)
