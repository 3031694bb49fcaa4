"""The doctor's AWS_MSK_IAM payload against independent SigV4 signers, field by field.

The reference is botocore's ``SigV4QueryAuth`` presigning
``GET https://<broker host>/?Action=kafka-cluster:Connect`` for the ``kafka-cluster`` service, exactly
as the AWS MSK IAM signers (aws-msk-iam-auth, aws-msk-iam-sasl-signer-python) do; the SASL payload is
that presigned URL's query parameters, keys lower-cased, plus ``version``, ``host`` and ``user-agent``.
The doctor signs with kafka-python's own ``AwsMskIamClient``, so botocore is the independent check;
kafka-python is compared as a second reference for every field but the user agent (which the doctor
takes from Mimir's setting).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from kafka.net.sasl.msk import AwsMskIamClient
from mimirkafka.doctor import sasl
from mimirkafka.doctor.credentials import AwsCredentials

botocore_auth = pytest.importorskip("botocore.auth")
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402

NOW = dt.datetime(2024, 11, 5, 17, 3, 9, tzinfo=dt.UTC)
HOST = "b-2.mimir-ingest.q1w2e3.c3.kafka.ap-southeast-2.amazonaws.com"
REGION = "ap-southeast-2"
# A secret and a session token with the characters SigV4's URI encoding must escape ("/", "+", "=").
CASES = {
    "static keys": AwsCredentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    "session token": AwsCredentials(
        "ASIAXAMPLE0SESSION",
        "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
        "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+abc/def+ghi==",
        "mimir-ingester/3.1.2",
    ),
}


def botocore_payload(host: str, creds: AwsCredentials, user_agent: str, monkeypatch: Any) -> dict[str, str]:
    """The MSK IAM payload built from a botocore presigned ``kafka-cluster:Connect`` request."""
    monkeypatch.setattr(botocore_auth, "get_current_datetime", lambda: NOW.replace(tzinfo=None))
    request = AWSRequest(method="GET", url=f"https://{host}/?Action=kafka-cluster%3AConnect")
    signer = botocore_auth.SigV4QueryAuth(
        Credentials(creds.access_key, creds.secret_key, creds.session_token), "kafka-cluster", REGION, 900
    )
    signer.add_auth(request)
    query = dict(parse_qsl(urlsplit(request.url).query, keep_blank_values=True))
    payload = {"version": "2020_10_22", "host": host, "user-agent": user_agent}
    payload.update({k.lower(): v for k, v in query.items()})
    return payload


@pytest.mark.parametrize("case", sorted(CASES))
def test_doctor_payload_equals_botocore_presigned_connect(case, monkeypatch):
    creds = CASES[case]
    doctor = json.loads(sasl.signed_payload(HOST, creds, now=NOW))
    expected = botocore_payload(HOST, creds, creds.user_agent or "mimirkafka-doctor", monkeypatch)
    fields = {
        "version",
        "host",
        "user-agent",
        "action",
        "x-amz-algorithm",
        "x-amz-credential",
        "x-amz-date",
        "x-amz-signedheaders",
        "x-amz-expires",
        "x-amz-signature",
    } | ({"x-amz-security-token"} if creds.session_token else set())
    assert set(expected) == fields  # the reference itself has exactly the MSK IAM fields
    assert set(doctor) == fields
    for name in sorted(fields):
        assert doctor[name] == expected[name], name
    # Pin the fixed facts too, so a reference that drifted the same way would still be caught.
    assert doctor["action"] == "kafka-cluster:Connect" and doctor["x-amz-algorithm"] == "AWS4-HMAC-SHA256"
    assert doctor["x-amz-credential"] == f"{creds.access_key}/20241105/{REGION}/kafka-cluster/aws4_request"
    assert doctor["x-amz-date"] == "20241105T170309Z" and doctor["x-amz-expires"] == "900"


def test_a_different_date_or_secret_changes_the_botocore_and_doctor_signature_alike(monkeypatch):
    creds = CASES["static keys"]
    ours = json.loads(sasl.signed_payload(HOST, creds, now=NOW))["x-amz-signature"]
    wrong_key = AwsCredentials(creds.access_key, creds.secret_key + "x")
    theirs_wrong = botocore_payload(HOST, wrong_key, "ua", monkeypatch)["x-amz-signature"]
    assert ours != theirs_wrong  # the comparison above would notice a secret the doctor ignored
    later = json.loads(sasl.signed_payload(HOST, creds, now=NOW + dt.timedelta(seconds=1)))
    assert later["x-amz-signature"] != ours


@pytest.mark.parametrize("case", sorted(CASES))
def test_doctor_payload_equals_kafka_python_msk_client_but_for_the_user_agent(case):
    creds = CASES[case]
    client = AwsMskIamClient(HOST, creds.access_key, creds.secret_key, REGION, creds.session_token)
    client.datestamp, client.timestamp = "20241105", "20241105T170309Z"
    reference = json.loads(client.first_message())
    doctor = json.loads(sasl.signed_payload(HOST, creds, now=NOW))
    assert reference.pop("user-agent") == "kafka-python"
    assert doctor.pop("user-agent") == (creds.user_agent or "mimirkafka-doctor")
    assert doctor == reference
