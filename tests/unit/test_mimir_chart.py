"""MimirDeployment under mocks: chart by reference, secrets only in Secrets, render mode writes no secret."""

from __future__ import annotations

import re
from pathlib import Path

import pulumi
import pytest
from mimirkafka.contract.errors import ContractError
from mimirkafka.contract.model import (
    IngesterLayout,
    IngestStorageContract,
    PemMaterial,
    ScramAuth,
    SecretValue,
    TlsConfig,
    TopicSettings,
)
from mimirkafka.mimir import values as v
from mimirkafka.mimir.chart import MimirDeployment, MimirDeploymentArgs, with_address
from mocks import run_program
from pems import cert_and_key

PASSWORD = "pa55-word-that-must-not-leak"
CERT, KEY = cert_and_key("mimir")
#: A line of the key's base64 body: it must appear in no values, manifest or script.
KEY_LINE = KEY.splitlines()[1]


def contract(**kw: object) -> IngestStorageContract:
    base: dict[str, object] = dict(
        addresses=("kafka-1:9093",),
        topic=TopicSettings(name="mimir-ingest", partitions=4, replication_factor=1, min_insync_replicas=1),
        sasl=ScramAuth("mimir", SecretValue(pulumi.Output.secret(PASSWORD))),
        tls=TlsConfig(
            enabled=True,
            ca=PemMaterial(CERT),
            client_cert=PemMaterial(CERT),
            client_key=PemMaterial(KEY, secret=True),
        ),
        ingesters=IngesterLayout(zones=3, per_zone=1),
        consumer_group_prefix="mimir-ingester-",
    )
    base.update(kw)
    return IngestStorageContract(**base)  # type: ignore[arg-type]


def test_deploys_the_pinned_chart_with_secrets_in_secrets() -> None:
    run = run_program(lambda: {"values": MimirDeployment("m", MimirDeploymentArgs(contract())).values})
    (release,) = run.of_type("kubernetes:helm.sh/v3:Release")
    assert release.inputs["chart"] == "mimir-distributed"
    assert release.inputs["version"] == v.CHART_VERSION
    assert release.inputs["repositoryOpts"]["repo"] == v.CHART_REPO
    assert release.inputs["values"]["image"]["tag"] == "3.1.2"
    assert PASSWORD not in repr(release.inputs) and KEY_LINE not in repr(release.inputs)
    creds = run.one("kubernetes:core/v1:Secret", "m-kafka-credentials")
    assert creds.inputs["stringData"]["MIMIR_KAFKA_SASL_PASSWORD"] == PASSWORD
    assert creds.is_secret("stringData.MIMIR_KAFKA_SASL_PASSWORD")
    tls = run.one("kubernetes:core/v1:Secret", "m-kafka-tls")
    assert tls.is_secret("stringData.tls.key")
    assert set(tls.inputs["stringData"]) == {"ca.crt", "tls.crt", "tls.key"}


def test_invalid_contract_fails_before_any_resource() -> None:
    bad = contract(topic=TopicSettings(name="mimir-ingest", partitions=0))
    with pytest.raises(ContractError):
        run_program(lambda: MimirDeployment("m", MimirDeploymentArgs(bad)))


def test_render_mode_writes_values_and_script_without_secrets(tmp_path: Path) -> None:
    out = tmp_path / "rendered"
    run = run_program(
        lambda: {"v": MimirDeployment("m", MimirDeploymentArgs(contract(), render_dir=str(out))).values}
    )
    assert not run.of_type("kubernetes:helm.sh/v3:Release")
    # The credentials Secret is not a manifest in render mode (the provider would write it in clear).
    assert not [r for r in run.of_type("kubernetes:core/v1:Secret") if r.name == "m-kafka-credentials"]
    values = (out / "mimir-values.yaml").read_text()
    script = (out / "install.sh").read_text()
    assert "mimir-distributed" in script and "--version 6.1.0" in script
    assert '--from-literal=MIMIR_KAFKA_SASL_PASSWORD="${MIMIR_KAFKA_SASL_PASSWORD:?' in script
    for text in (values, script):
        assert PASSWORD not in text and KEY_LINE not in text


def test_address_from_the_kafka_side_must_use_the_contract_port() -> None:
    cfg = {"ingest_storage": {"kafka": {"address": "x:9096"}}}
    assert (
        with_address(cfg, "x:9096", "b-1:9096,b-2:9096")["ingest_storage"]["kafka"]["address"]
        == "b-1:9096,b-2:9096"
    )
    with pytest.raises(ValueError, match="disagree"):
        with_address(cfg, "x:9096", "b-1:9098")


def test_extra_values_cannot_redirect_mimir_before_any_resource() -> None:
    settings = v.ChartSettings(
        extra_values={"mimir": {"structuredConfig": {"ingest_storage": {"kafka": {"address": "evil:9092"}}}}}
    )
    with pytest.raises(ValueError, match=re.escape("ingest_storage.kafka.address='evil:9092'")) as e:
        run_program(lambda: MimirDeployment("m", MimirDeploymentArgs(contract(), settings=settings)))
    assert "the contract's addresses" in str(e.value)


def test_extra_values_cannot_carry_the_contract_key_in_clear() -> None:
    # The client key is a plain-string contract secret, so it is refused wherever it is smuggled in.
    settings = v.ChartSettings(extra_values={"querier": {"podAnnotations": {"note": KEY}}})
    with pytest.raises(ValueError, match=re.escape("querier.podAnnotations.note: holds a secret")) as e:
        run_program(lambda: MimirDeployment("m", MimirDeploymentArgs(contract(), settings=settings)))
    assert KEY_LINE not in str(e.value)
