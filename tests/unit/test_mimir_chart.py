"""MimirDeployment under mocks: chart by reference, secrets only in Secrets, render mode writes no secret."""

from __future__ import annotations

from pathlib import Path

import pulumi
import pytest
from mimirkafka.contract.errors import ContractError
from mimirkafka.contract.model import (
    IngesterLayout,
    IngestStorageContract,
    NoSasl,
    PemMaterial,
    ScramAuth,
    SecretValue,
    TlsConfig,
    TopicSettings,
)
from mimirkafka.mimir import values as v
from mimirkafka.mimir.chart import MimirDeployment, MimirDeploymentArgs, plan_mimir, with_address
from mocks import RecordingMocks, run_program
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
        mimir_version="3.1.3",
    )
    base.update(kw)
    return IngestStorageContract(**base)  # type: ignore[arg-type]


def test_deploys_the_pinned_chart_with_secrets_in_secrets() -> None:
    run = run_program(lambda: {"values": MimirDeployment("m", MimirDeploymentArgs(contract())).values})
    (release,) = run.of_type("kubernetes:helm.sh/v3:Release")
    assert release.inputs["chart"] == "mimir-distributed"
    assert release.inputs["version"] == v.CHART_VERSION
    assert release.inputs["repositoryOpts"]["repo"] == v.CHART_REPO
    assert release.inputs["values"]["image"]["tag"] == "3.1.3"
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


def refused_before_any_resource(args: MimirDeploymentArgs) -> ContractError:
    """Runs the component under mocks and checks it raised before registering anything (itself included)."""
    mocks = RecordingMocks()
    with pytest.raises(ContractError) as e:
        run_program(lambda: MimirDeployment("m", args), mocks=mocks)
    assert mocks.options == {} and mocks.resources == []
    return e.value


@pytest.mark.parametrize(
    ("args", "setting"),
    [
        (MimirDeploymentArgs(contract(topic=TopicSettings(partitions=0))), "topic.partitions"),
        (MimirDeploymentArgs(contract(consumer_group_prefix="ingester-")), "consumer_group_prefix"),
        (
            MimirDeploymentArgs(
                contract(
                    mimir_version="3.0.4", tls=TlsConfig(), sasl=ScramAuth("m", SecretValue("p"), sha=512)
                )
            ),
            "sasl",
        ),
        (
            MimirDeploymentArgs(
                contract(ingesters=IngesterLayout(2, 1)), settings=v.ChartSettings(chart_version="6.0.6")
            ),
            "ingesters.zones",
        ),
        (
            MimirDeploymentArgs(
                contract(mimir_version="3.0.4", tls=TlsConfig(), sasl=NoSasl()),
                settings=v.ChartSettings(chart_version="6.1.0"),
            ),
            "mimir_version",
        ),
        (
            MimirDeploymentArgs(
                contract(), settings=v.ChartSettings(client_rack=v.ClientRack(zone_racks=("a",)))
            ),
            "settings.client_rack.zone_racks",
        ),
        (
            MimirDeploymentArgs(
                contract(),
                settings=v.ChartSettings(
                    extra_values={"ingester": {"extraArgs": {"ingester.ring.instance-id": "x"}}}
                ),
            ),
            "settings.extra_values.ingester.extraArgs.ingester.ring.instance-id",
        ),
        (
            MimirDeploymentArgs(contract(), settings=v.ChartSettings(object_storage=v.ObjectStorage("s3"))),
            "settings.object_storage.region",
        ),
        (
            MimirDeploymentArgs(contract(tls=TlsConfig(enabled=True, ca=PemMaterial(None)))),
            "tls.ca",
        ),
    ],
    ids=[
        "contract",
        "group-prefix",
        "mimir30-scram",
        "chart60-two-zones",
        "chart61-mimir30",
        "client-rack",
        "escape-hatch",
        "object-storage",
        "tls-without-pem",
    ],
)
def test_every_refusal_is_raised_before_any_resource(args: MimirDeploymentArgs, setting: str) -> None:
    e = refused_before_any_resource(args)
    assert setting in e.settings(), str(e)
    with pytest.raises(ContractError):
        plan_mimir(args)  # the same refusal from the pure plan the stack calls


def test_plan_names_kafka_components_and_ingesters() -> None:
    plan = plan_mimir(MimirDeploymentArgs(contract(ingesters=IngesterLayout(2, 2))))
    assert plan.kafka_components == (
        "distributor",
        "ingester",
        "ruler",
        "query_frontend",
        "ruler_query_frontend",
    )
    assert [(i.instance_id, i.partition) for i in plan.ingesters] == [
        ("mimir-ingester-zone-a-0", 0),
        ("mimir-ingester-zone-a-1", 1),
        ("mimir-ingester-zone-b-0", 0),
        ("mimir-ingester-zone-b-1", 1),
    ]
    assert plan.consumer_group_prefix == "mimir-ingester-"
    assert plan.kafka_views["ingester"]["sasl_mechanism"] == "SCRAM-SHA-512"
    assert any(w.setting == "settings.client_rack" for w in plan.warnings)
    off = plan_mimir(MimirDeploymentArgs(contract(), settings=v.ChartSettings(ruler_query_path=False)))
    assert "ruler_query_frontend" not in off.kafka_components
    assert any(w.setting == "settings.ruler_query_path" for w in off.warnings)


def test_ingest_storage_output_is_what_the_ingesters_see() -> None:
    run = run_program(
        lambda: {"s": MimirDeployment("m", MimirDeploymentArgs(contract())).ingest_storage_masked}
    )
    kafka = run.exports["s"]["kafka"]
    assert kafka["sasl_mechanism"] == "SCRAM-SHA-512" and kafka["tls_enabled"] is True
    assert kafka["sasl_password"] == "${MIMIR_KAFKA_SASL_PASSWORD}"


def test_extra_values_cannot_redirect_mimir_before_any_resource() -> None:
    settings = v.ChartSettings(
        extra_values={"mimir": {"structuredConfig": {"ingest_storage": {"kafka": {"address": "evil:9092"}}}}}
    )
    e = refused_before_any_resource(MimirDeploymentArgs(contract(), settings=settings))
    assert "ingest_storage.kafka.address='evil:9092'" in str(e)
    assert "the contract's addresses" in str(e)


def test_extra_values_cannot_carry_the_contract_key_in_clear() -> None:
    # The client key is a plain-string contract secret, so it is refused wherever it is smuggled in.
    settings = v.ChartSettings(extra_values={"querier": {"podAnnotations": {"note": KEY}}})
    e = refused_before_any_resource(MimirDeploymentArgs(contract(), settings=settings))
    assert "querier.podAnnotations.note='<redacted>': holds a secret" in str(e)
    assert KEY_LINE not in str(e)
