"""Pure Helm values: derived from the contract's rendering, no secret in them, escape hatch last."""

from __future__ import annotations

import re

import pytest
from mimirkafka.contract.mimir_config import render_mimir
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
from mimirkafka.mimir.sources import ExternalRefs, plan_sources


def contract(**kw: object) -> IngestStorageContract:
    base: dict[str, object] = dict(
        addresses=("kafka-1:9096",),
        topic=TopicSettings(name="mimir-ingest", partitions=8),
        sasl=ScramAuth("mimir", SecretValue("hunter2-secret")),
        tls=TlsConfig(enabled=True, ca=PemMaterial("-----BEGIN CERTIFICATE-----\nX\n")),
        ingesters=IngesterLayout(zones=3, per_zone=2),
        consumer_group_prefix="mimir-ingester-",
    )
    base.update(kw)
    return IngestStorageContract(**base)  # type: ignore[arg-type]


def values_for(c: IngestStorageContract, **settings: object) -> dict:
    r = render_mimir(c)
    s = v.ChartSettings(env_secret_name="mimir-kafka-credentials", **settings)  # type: ignore[arg-type]
    plan = plan_sources(
        sorted(r.secret_env), {"ca": "/etc/mimir/kafka-tls/ca.crt"}, ExternalRefs(), "mimir-kafka-tls"
    )
    s = v.ChartSettings(**{**s.__dict__, "tls_files": plan.tls_refs})
    return v.build_values(r.config, sorted(r.secret_env), c.ingesters, s)


def test_values_carry_the_rendered_config_and_no_secret() -> None:
    c = contract()
    vals = values_for(c)
    kafka = vals["mimir"]["structuredConfig"]["ingest_storage"]["kafka"]
    assert kafka["address"] == "kafka-1:9096"
    assert kafka["sasl_mechanism"] == "SCRAM-SHA-512"
    assert re.fullmatch(r"\$\{[A-Z_]+\}", kafka["sasl_password"])
    assert "hunter2-secret" not in repr(vals)
    assert vals["kafka"] == {"enabled": False}
    assert vals["global"]["extraEnvFrom"] == [{"secretRef": {"name": "mimir-kafka-credentials"}}]
    assert vals["mimir"]["structuredConfig"]["distributor"]["remote_timeout"] == "5s"
    assert vals["mimir"]["structuredConfig"]["ingester"]["push_grpc_method_enabled"] is False
    assert vals["image"]["tag"] == "3.1.2"


def test_tls_ca_mounted_at_the_rendered_path() -> None:
    vals = values_for(contract())
    path = vals["mimir"]["structuredConfig"]["ingest_storage"]["kafka"]["tls_ca_path"]
    directory, filename = path.rsplit("/", 1)
    (mount,) = vals["global"]["extraVolumeMounts"]
    (volume,) = vals["global"]["extraVolumes"]
    assert mount["mountPath"] == directory and mount["name"] == volume["name"]
    items = volume["projected"]["sources"][0]["secret"]["items"]
    assert {"key": "ca.crt", "path": filename} in items


def test_zone_aware_ingesters_match_partitions() -> None:
    c = contract()
    vals = values_for(c)
    assert vals["ingester"]["replicas"] == 6
    assert [z["name"] for z in vals["ingester"]["zoneAwareReplication"]["zones"]] == [
        "zone-a",
        "zone-b",
        "zone-c",
    ]
    ids = v.ingester_instance_ids(v.ChartSettings(), c.ingesters)
    assert len(ids) == 6 and all(v.partition_of(i) < c.topic.partitions for i in ids)
    assert all(i.startswith(v.consumer_group_prefix(v.ChartSettings())) for i in ids)


def test_single_zone_turns_zone_awareness_off() -> None:
    vals = values_for(contract(ingesters=IngesterLayout(zones=1, per_zone=2)))
    assert vals["ingester"]["zoneAwareReplication"] == {"enabled": False}
    assert v.ingester_instance_ids(v.ChartSettings(), IngesterLayout(1, 2)) == [
        "mimir-ingester-0",
        "mimir-ingester-1",
    ]


def test_partition_of_refuses_ids_without_index() -> None:
    with pytest.raises(ValueError, match="does not end in -<n>"):
        v.partition_of("ingester.example.com")


def test_extra_values_are_merged_last() -> None:
    vals = values_for(contract(), extra_values={"ingester": {"replicas": 9}, "querier": {"replicas": 4}})
    assert vals["ingester"]["replicas"] == 9
    assert vals["querier"] == {"replicas": 4}
    assert vals["ingester"]["zoneAwareReplication"]["enabled"] is True  # siblings survive the merge


def test_secret_in_values_is_refused() -> None:
    with pytest.raises(ValueError, match="secret value"):
        values_for(contract(), extra_values={"x": SecretValue("leak")})


def test_unprovided_secret_variable_is_refused() -> None:
    r = render_mimir(contract())
    with pytest.raises(ValueError, match="no Secret provides them"):
        v.build_values(r.config, sorted(r.secret_env), IngesterLayout(), v.ChartSettings())


def test_s3_storage_uses_three_buckets_and_no_keys() -> None:
    storage = v.ObjectStorage("s3", "eu-west-1", "b", "r", "a")
    vals = values_for(contract(), object_storage=storage)
    cfg = vals["mimir"]["structuredConfig"]
    assert cfg["blocks_storage"]["s3"]["bucket_name"] == "b"
    assert cfg["ruler_storage"]["s3"]["bucket_name"] == "r"
    assert cfg["alertmanager_storage"]["s3"]["bucket_name"] == "a"
    assert vals["minio"]["enabled"] is False
    assert "access_key_id" not in repr(cfg) and "secret_access_key" not in repr(cfg)


def test_s3_without_buckets_is_refused() -> None:
    with pytest.raises(ValueError, match="blocks_bucket"):
        v.object_storage_config(v.ObjectStorage("s3", "eu-west-1"))


def test_operator_secret_is_referenced_not_copied() -> None:
    r = render_mimir(contract())
    ext = ExternalRefs(
        password=v.SecretKeyRef("mimir", "password"), ca=v.SecretKeyRef("k-cluster-ca-cert", "ca.crt")
    )
    plan = plan_sources(sorted(r.secret_env), {"ca": "/etc/mimir/kafka-tls/ca.crt"}, ext, "mimir-kafka-tls")
    assert plan.env_owned == () and plan.tls_owned == ()
    s = v.ChartSettings(env_secret_refs=plan.env_refs, tls_files=plan.tls_refs)
    vals = v.build_values(r.config, sorted(r.secret_env), IngesterLayout(), s)
    assert "extraEnvFrom" not in vals["global"]
    (env,) = vals["global"]["extraEnv"]
    assert env["valueFrom"]["secretKeyRef"] == {"name": "mimir", "key": "password"}
    assert (
        vals["global"]["extraVolumes"][0]["projected"]["sources"][0]["secret"]["name"] == "k-cluster-ca-cert"
    )


def test_msk_iam_sidecar_shares_the_socket() -> None:
    sidecar = v.MskIamSidecar(socket_path="/var/run/msk-iam/credentials.sock", region="eu-west-1")
    vals = values_for(contract(), msk_iam_sidecar=sidecar)
    for component in v.KAFKA_COMPONENTS:
        (container,) = vals[component]["extraContainers"]
        assert {"name": "msk-iam-socket", "mountPath": "/var/run/msk-iam"} in container["volumeMounts"]
    assert {"name": "msk-iam-socket", "mountPath": "/var/run/msk-iam"} in vals["global"]["extraVolumeMounts"]


def test_group_prefix_that_misses_the_chart_ingesters_is_refused() -> None:
    settings = v.ChartSettings(release_name="metrics")
    v.check_consumer_group_prefix("metrics-ingester-", settings)  # the chart's own names: accepted
    with pytest.raises(ValueError) as e:
        v.check_consumer_group_prefix("ingester-", settings)
    msg = str(e.value)
    assert "consumer_group_prefix='ingester-'" in msg
    assert "metrics-ingester-zone-a-0" in msg
    assert "Fix: build the contract with consumer_group_prefix='metrics-ingester-'" in msg
