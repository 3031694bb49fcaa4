"""Pure Helm values: derived from the contract's rendering, no secret in them, escape hatch last."""

from __future__ import annotations

import re

import pytest
from mimirkafka.contract.mimir_config import render_mimir
from mimirkafka.contract.model import (
    IngesterLayout,
    IngestStorageContract,
    MimirVersion,
    PemMaterial,
    ScramAuth,
    SecretValue,
    TlsConfig,
    TopicSettings,
)
from mimirkafka.mimir import values as v
from mimirkafka.mimir.sources import ExternalRefs, plan_sources
from pems import cert_and_key

PASSWORD = "hunter2-secret"
V = MimirVersion(3, 1, 2)


def contract(**kw: object) -> IngestStorageContract:
    base: dict[str, object] = dict(
        addresses=("kafka-1:9096",),
        topic=TopicSettings(name="mimir-ingest", partitions=8),
        sasl=ScramAuth("mimir", SecretValue(PASSWORD)),
        tls=TlsConfig(enabled=True, ca=PemMaterial(cert_and_key()[0])),
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
    known = [sv.value for sv in r.secret_env.values() if isinstance(sv.value, str)]
    return v.build_values(
        r.config, sorted(r.secret_env), c.ingesters, s, mimir_version=c.mimir_version, known_secrets=known
    )


def test_values_carry_the_rendered_config_and_no_secret() -> None:
    c = contract()
    vals = values_for(c)
    kafka = vals["mimir"]["structuredConfig"]["ingest_storage"]["kafka"]
    assert kafka["address"] == "kafka-1:9096"
    assert kafka["sasl_mechanism"] == "SCRAM-SHA-512"
    assert re.fullmatch(r"\$\{[A-Z_]+\}", kafka["sasl_password"])
    assert PASSWORD not in repr(vals)
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


def test_extra_values_add_keys_and_keep_what_the_contract_derives() -> None:
    extra = {
        "ingester": {"resources": {"requests": {"cpu": "2"}}},
        "querier": {"replicas": 4},
        "mimir": {"structuredConfig": {"limits": {"max_global_series_per_user": 300000}}},
    }
    vals = values_for(contract(), extra_values=extra)
    assert vals["ingester"]["resources"] == {"requests": {"cpu": "2"}}
    assert vals["querier"] == {"replicas": 4}
    assert vals["mimir"]["structuredConfig"]["limits"] == {"max_global_series_per_user": 300000}
    # Siblings survive the merge, and restating a derived value unchanged is accepted.
    assert vals["ingester"]["replicas"] == 6 and vals["ingester"]["zoneAwareReplication"]["enabled"]
    same = values_for(contract(), extra_values={"kafka": {"enabled": False}})
    assert same["kafka"] == {"enabled": False}


def kafka_extra(**kafka: object) -> dict:
    return {"mimir": {"structuredConfig": {"ingest_storage": {"kafka": kafka}}}}


@pytest.mark.parametrize(
    ("extra", "message", "fix"),
    [
        (
            kafka_extra(address="evil:9092"),
            "extra_values mimir.structuredConfig.ingest_storage.kafka.address='evil:9092': "
            "the component derives 'kafka-1:9096' here",
            "Fix: set the contract's addresses (stack: kafkaBootstrap)",
        ),
        (
            {"ingester": {"replicas": 9}},
            "extra_values ingester.replicas=9: the component derives 6 here",
            "Fix: set ingesters (zones, per_zone) in the contract",
        ),
        (
            {"ingester": {"zoneAwareReplication": {"enabled": False}}},
            "extra_values ingester.zoneAwareReplication.enabled=False",
            "Fix: set ingesters.zones in the contract",
        ),
        (
            {"image": {"tag": "2.14.0"}},
            "extra_values image.tag='2.14.0': the component derives '3.1.2' here",
            "Fix: set mimir_version in the contract",
        ),
        (
            {"kafka": {"enabled": True}},
            "extra_values kafka.enabled=True",
            "Fix: none: Kafka is external",
        ),
        (
            {"mimir": {"structuredConfig": {"distributor": {"remote_timeout": "30s"}}}},
            "extra_values mimir.structuredConfig.distributor.remote_timeout='30s'",
            "Fix: set the contract's remote_timeout",
        ),
        (
            {
                "mimir": {
                    "structuredConfig": {"ingester": {"partition_ring": {"min_partition_owners_count": 0}}}
                }
            },
            "ingester.partition_ring.min_partition_owners_count=0",
            "Fix: set the contract's partition_ring",
        ),
        (
            {"mimir": {"structuredConfig": {"ingester": {"push_grpc_method_enabled": True}}}},
            "ingester.push_grpc_method_enabled=True",
            "a gRPC push would bypass the log",
        ),
        (
            # A Kafka key the contract leaves at Mimir's default: ingest_storage is the contract's alone.
            kafka_extra(fetch_concurrency_max=8),
            "ingest_storage.kafka.fetch_concurrency_max=8: mimir.structuredConfig.ingest_storage.kafka is "
            "owned by the contract, so no key may be added to it",
            "belongs in IngestStorageContract",
        ),
        (
            {"mimir": {"structuredConfig": {"ingest_storage": None}}},
            "ingest_storage=None: would replace a mapping the component derives",
            "Fix: set the matching field of the contract",
        ),
        (
            {"fullnameOverride": "other"},
            "extra_values fullnameOverride='other'",
            "Fix: set ChartSettings.release_name",
        ),
    ],
)
def test_extra_values_changing_a_derived_value_are_refused(extra: dict, message: str, fix: str) -> None:
    with pytest.raises(ValueError) as e:
        values_for(contract(), extra_values=extra)
    assert message in str(e.value)
    assert fix in str(e.value)


def test_extra_values_cannot_replace_the_sasl_password_and_do_not_echo_it() -> None:
    with pytest.raises(ValueError) as e:
        values_for(contract(), extra_values=kafka_extra(sasl_password="clear-text-pass"))
    msg = str(e.value)
    assert "ingest_storage.kafka.sasl_password=<redacted>" in msg
    assert "Fix: set the contract's sasl" in msg
    assert "clear-text-pass" not in msg


def test_extra_values_cannot_drop_the_credentials_secret_ref() -> None:
    with pytest.raises(ValueError) as e:
        values_for(contract(), extra_values={"global": {"extraEnvFrom": {"secretRef": {"name": "x"}}}})
    msg = str(e.value)
    assert "extra_values global.extraEnvFrom=" in msg and "would replace a list" in msg
    assert "or an entry with a new name to global.extraEnv" in msg
    with pytest.raises(ValueError, match=r"extraVolumes\[0\].*entry 'kafka-tls' is derived"):
        values_for(
            contract(), extra_values={"global": {"extraVolumes": [{"name": "kafka-tls", "emptyDir": {}}]}}
        )


def test_extra_values_append_list_entries_by_name() -> None:
    extra_env = {"name": "GOMAXPROCS", "value": "2"}
    extra = {
        "global": {
            "extraEnv": [extra_env],
            "extraEnvFrom": [{"configMapRef": {"name": "tuning"}}],
            "extraVolumes": [{"name": "scratch", "emptyDir": {}}],
        }
    }
    vals = values_for(contract(), extra_values=extra)
    assert vals["global"]["extraEnvFrom"] == [
        {"secretRef": {"name": "mimir-kafka-credentials"}},
        {"configMapRef": {"name": "tuning"}},
    ]
    assert vals["global"]["extraEnv"] == [extra_env]
    assert [vol["name"] for vol in vals["global"]["extraVolumes"]] == ["kafka-tls", "scratch"]


def test_clear_secret_smuggled_through_other_keys_is_refused() -> None:
    with pytest.raises(ValueError) as e:
        values_for(contract(), extra_values={"global": {"extraEnv": [{"name": "P", "value": PASSWORD}]}})
    assert "values.global.extraEnv[0].value: holds a secret of the contract in clear" in str(e.value)
    assert PASSWORD not in str(e.value)
    # An unrelated secret setting of Mimir's config must be a ${VAR} reference, not clear text.
    s3_key = {"mimir": {"structuredConfig": {"common": {"storage": {"s3": {"secret_access_key": "abc"}}}}}}
    with pytest.raises(ValueError, match=re.escape("common.storage.s3.secret_access_key: a secret setting")):
        values_for(contract(), extra_values=s3_key)
    s3_key["mimir"]["structuredConfig"]["common"]["storage"]["s3"]["secret_access_key"] = "${S3_SECRET}"
    assert values_for(contract(), extra_values=s3_key)["mimir"]["structuredConfig"]["common"]


def test_image_tag_follows_the_contract_version() -> None:
    vals = values_for(contract(mimir_version="3.1.3"))
    assert vals["image"]["tag"] == "3.1.3"
    assert values_for(contract(), image_tag="3.1.2")["image"]["tag"] == "3.1.2"
    with pytest.raises(ValueError, match=r"image_tag='3\.0\.0'.*Fix: set mimir_version in the contract"):
        values_for(contract(), image_tag="3.0.0")


def test_msk_iam_sidecar_image_is_pinned_and_overridable() -> None:
    sock = "/var/run/msk-iam/credentials.sock"
    default = values_for(contract(), msk_iam_sidecar=v.MskIamSidecar(socket_path=sock))
    image = default["ingester"]["extraContainers"][0]["image"]
    assert image == v.MSK_IAM_SIDECAR_IMAGE and re.search(r":\d+\.\d+\.\d+-alpine\d+\.\d+$", image)
    mirror = v.MskIamSidecar(socket_path=sock, image="registry.example/python:3.12.12-alpine3.21")
    assert (
        values_for(contract(), msk_iam_sidecar=mirror)["ruler"]["extraContainers"][0]["image"] == mirror.image
    )
    for moving in ("python", "python:latest"):
        with pytest.raises(ValueError, match="a moving image tag"):
            values_for(contract(), msk_iam_sidecar=v.MskIamSidecar(socket_path=sock, image=moving))


def test_secret_in_values_is_refused() -> None:
    with pytest.raises(ValueError, match="secret value"):
        values_for(contract(), extra_values={"x": SecretValue("leak")})


def test_unprovided_secret_variable_is_refused() -> None:
    r = render_mimir(contract())
    with pytest.raises(ValueError, match="no Secret provides them"):
        v.build_values(r.config, sorted(r.secret_env), IngesterLayout(), v.ChartSettings(), mimir_version=V)


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
    vals = v.build_values(r.config, sorted(r.secret_env), IngesterLayout(), s, mimir_version=V)
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
