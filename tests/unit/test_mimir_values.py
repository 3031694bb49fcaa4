"""Pure Helm values: derived from the contract's rendering, credentials only on the Kafka components, no
secret in them, escape hatch last and add-only."""

from __future__ import annotations

import re
from typing import Any

import pytest
from mimirkafka.contract.errors import ContractError
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
from mimirkafka.mimir.components import component_view
from mimirkafka.mimir.sources import ExternalRefs, plan_sources
from pems import cert_and_key

PASSWORD = "hunter2-secret"
V = MimirVersion(3, 1, 3)
NON_KAFKA = ("querier", "store_gateway", "compactor", "alertmanager", "ruler_querier", "gateway")


def contract(**kw: object) -> IngestStorageContract:
    base: dict[str, object] = dict(
        addresses=("kafka-1:9096",),
        topic=TopicSettings(name="mimir-ingest", partitions=8),
        sasl=ScramAuth("mimir", SecretValue(PASSWORD)),
        tls=TlsConfig(enabled=True, ca=PemMaterial(cert_and_key()[0])),
        ingesters=IngesterLayout(zones=3, per_zone=2),
        consumer_group_prefix="mimir-ingester-",
        mimir_version=V,
    )
    base.update(kw)
    return IngestStorageContract(**base)  # type: ignore[arg-type]


def values_for(c: IngestStorageContract, **settings: object) -> dict[str, Any]:
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


def refusal(c: IngestStorageContract, **settings: object) -> ContractError:
    with pytest.raises(ContractError) as e:
        values_for(c, **settings)
    return e.value


def test_values_carry_the_rendered_config_and_no_secret() -> None:
    vals = values_for(contract())
    kafka = vals["mimir"]["structuredConfig"]["ingest_storage"]["kafka"]
    assert kafka["address"] == "kafka-1:9096"
    assert re.fullmatch(r"\$\{[A-Z_]+\}", kafka["sasl_password"])
    assert PASSWORD not in repr(vals)
    assert vals["kafka"] == {"enabled": False}
    assert "global" not in vals  # nothing reaches every pod of the chart
    assert vals["mimir"]["structuredConfig"]["distributor"]["remote_timeout"] == "5s"
    assert vals["mimir"]["structuredConfig"]["ingester"]["push_grpc_method_enabled"] is False
    assert vals["image"]["tag"] == "3.1.3"
    assert vals["ruler"]["remoteEvaluationDedicatedQueryPath"] is True


def test_shared_config_leaves_sasl_and_tls_off_for_other_components() -> None:
    """Every Mimir component validates ``ingest_storage`` (pkg/mimir/mimir.go @0010b536), so the shared
    config must be valid in a pod without the credentials: SASL PLAIN with an empty username and an empty
    password (``${VAR}`` unset expands to "") disables SASL, and TLS files load only with tls_enabled
    (pkg/storage/ingest/config.go @001afd28 KafkaAuthConfig.Validate / KafkaConfig.Validate)."""
    vals = values_for(contract())
    shared = vals["mimir"]["structuredConfig"]["ingest_storage"]["kafka"]
    assert not {"sasl_mechanism", "sasl_username", "tls_enabled"} & set(shared)
    for component in ("distributor", "ingester", "ruler", "query_frontend", "ruler_query_frontend"):
        args = vals[component]["extraArgs"]
        assert args["ingest-storage.kafka.sasl-mechanism"] == "SCRAM-SHA-512"
        assert args["ingest-storage.kafka.sasl-username"] == "mimir"
        assert args["ingest-storage.kafka.tls-enabled"] == "true"
    # What each Kafka component sees is exactly the contract's rendering.
    rendered = render_mimir(contract()).config["ingest_storage"]["kafka"]
    view = component_view(vals["mimir"]["structuredConfig"], vals["ingester"]["extraArgs"])
    assert view == rendered
    qf = component_view(vals["mimir"]["structuredConfig"], vals["query_frontend"]["extraArgs"])
    assert qf == {k: val for k, val in rendered.items() if k != "consumer_group_offset_commit_interval"}


def test_consumer_tuning_goes_to_the_components_that_use_it() -> None:
    vals = values_for(contract())
    assert vals["ingester"]["extraArgs"]["ingest-storage.kafka.consumer-group-offset-commit-interval"] == "5s"
    for component in ("ingester", "query_frontend", "ruler_query_frontend"):
        assert (
            vals[component]["extraArgs"]["ingest-storage.kafka.last-produced-offset-poll-interval"] == "500ms"
        )
    for component in ("distributor", "ruler"):
        assert not any("poll-interval" in k or "commit-interval" in k for k in vals[component]["extraArgs"])
    shared = vals["mimir"]["structuredConfig"]["ingest_storage"]["kafka"]
    assert "last_produced_offset_poll_interval" not in shared


def test_tls_ca_mounted_at_the_rendered_path_on_kafka_components() -> None:
    vals = values_for(contract())
    path = render_mimir(contract()).config["ingest_storage"]["kafka"]["tls_ca_path"]
    directory, filename = path.rsplit("/", 1)
    (mount,) = vals["ingester"]["extraVolumeMounts"]
    (volume,) = vals["ingester"]["extraVolumes"]
    assert mount["mountPath"] == directory and mount["name"] == volume["name"]
    items = volume["projected"]["sources"][0]["secret"]["items"]
    assert {"key": "ca.crt", "path": filename} in items


def test_without_ruler_query_path_the_ruler_query_frontend_gets_nothing() -> None:
    vals = values_for(contract(), ruler_query_path=False)
    assert vals["ruler"]["remoteEvaluationDedicatedQueryPath"] is False
    assert "ruler_query_frontend" not in vals
    assert "extraEnvFrom" in vals["query_frontend"]


def test_zone_list_keeps_the_chart_per_zone_defaults() -> None:
    vals = values_for(contract())
    zones = vals["ingester"]["zoneAwareReplication"]["zones"]
    assert [z["name"] for z in zones] == ["zone-a", "zone-b", "zone-c"]
    for z in zones:
        assert z["prepareDownscale"] is True and z["noDownscale"] is False
        assert {k: z[k] for k in v.CHART_ZONE_DEFAULTS} == v.CHART_ZONE_DEFAULTS
    assert vals["ingester"]["replicas"] == 6


@pytest.mark.parametrize(
    ("zones", "ids", "aware"),
    [
        (1, ["mimir-ingester-0", "mimir-ingester-1"], False),
        (
            2,
            [
                "mimir-ingester-zone-a-0",
                "mimir-ingester-zone-a-1",
                "mimir-ingester-zone-b-0",
                "mimir-ingester-zone-b-1",
            ],
            True,
        ),
        (3, [f"mimir-ingester-zone-{z}-{i}" for z in "abc" for i in (0, 1)], True),
    ],
)
def test_ingester_names_and_partitions_per_zone_count(zones: int, ids: list[str], aware: bool) -> None:
    layout = IngesterLayout(zones, 2)
    vals = values_for(contract(ingesters=layout))
    assert vals["ingester"]["zoneAwareReplication"]["enabled"] is aware
    assert vals["ingester"]["replicas"] == zones * 2
    pods = v.ingesters(v.ChartSettings(), layout)
    assert [p.instance_id for p in pods] == ids
    # Every ingester owns a partition that exists (partitions 0..1), and every group is covered by the prefix.
    assert {p.partition for p in pods} == {0, 1}
    assert [p.zone is not None for p in pods] == [aware] * len(pods)
    assert all(v.partition_of(p.instance_id) == p.partition for p in pods)
    assert all(p.instance_id.startswith(v.consumer_group_prefix(v.ChartSettings())) for p in pods)


def test_two_zones_need_only_per_zone_partitions_but_one_zone_needs_all() -> None:
    # 2 zones of 4: zone-aware, each zone owns partitions 0..3, so 4 partitions suffice.
    values_for(contract(ingesters=IngesterLayout(2, 4), topic=TopicSettings(partitions=4)))
    # 1 zone of 4: one StatefulSet, pods 0..3 own partitions 0..3.
    with pytest.raises(
        ContractError, match=r"topic.partitions=3: 1 zone\(s\) of 4 ingesters own partitions 0..3"
    ):
        values_for(contract(ingesters=IngesterLayout(1, 4), topic=TopicSettings(partitions=3)))


def test_client_rack_names_zones_after_the_broker_racks() -> None:
    rack = v.ClientRack(zone_racks=("use1-az1", "use1-az2"), node_label="topology.k8s.aws/zone-id")
    vals = values_for(contract(ingesters=IngesterLayout(2, 1)), client_rack=rack)
    zar = vals["ingester"]["zoneAwareReplication"]
    assert [z["name"] for z in zar["zones"]] == ["use1-az1", "use1-az2"]
    assert zar["zones"][0]["nodeSelector"] == {"topology.k8s.aws/zone-id": "use1-az1"}
    assert zar["zones"][0]["prepareDownscale"] is True
    assert zar["autoIngestStorageClientRack"] is True
    s = v.ChartSettings(client_rack=rack)
    assert v.ingester_instance_ids(s, IngesterLayout(2, 1)) == [
        "mimir-ingester-use1-az1-0",
        "mimir-ingester-use1-az2-0",
    ]
    assert v.client_rack_warnings(IngesterLayout(2, 1), s) == []


def test_client_rack_default_and_off_are_reported() -> None:
    (default,) = v.client_rack_warnings(IngesterLayout(3, 1), v.ChartSettings())
    assert "zone-a, zone-b, zone-c" in default.message and "never matches a broker rack" in default.message
    off = v.ChartSettings(client_rack=v.ClientRack.off())
    vals = values_for(contract(), client_rack=v.ClientRack.off())
    assert vals["ingester"]["zoneAwareReplication"]["autoIngestStorageClientRack"] is False
    (warning,) = v.client_rack_warnings(IngesterLayout(3, 1), off)
    assert "off" in warning.message and "zone_racks" in warning.fix


def test_one_zone_gets_its_rack_as_a_flag() -> None:
    vals = values_for(
        contract(ingesters=IngesterLayout(1, 2)), client_rack=v.ClientRack(zone_racks=("use1-az1",))
    )
    assert vals["ingester"]["extraArgs"]["ingest-storage.kafka.client-rack"] == "use1-az1"


@pytest.mark.parametrize(
    ("rack", "setting", "words"),
    [
        (v.ClientRack(zone_racks=("use1-az1",)), "settings.client_rack.zone_racks", "1 rack(s) for 3"),
        (v.ClientRack(zone_racks=("A", "b", "c")), "settings.client_rack.zone_racks[0]", "DNS label"),
        (v.ClientRack(zone_racks=("a", "a", "c")), "settings.client_rack.zone_racks", "share a rack"),
        (
            v.ClientRack(mode="off", zone_racks=("a", "b", "c")),
            "settings.client_rack.zone_racks",
            "rack is off",
        ),
    ],
)
def test_bad_client_racks_are_refused(rack: v.ClientRack, setting: str, words: str) -> None:
    e = refusal(contract(), client_rack=rack)
    assert any(p.setting == setting and words in p.message for p in e.problems), e


def test_extra_values_add_keys_and_keep_what_the_contract_derives() -> None:
    extra = {
        "ingester": {"resources": {"requests": {"cpu": "2"}}, "extraArgs": {"log.level": "debug"}},
        "querier": {"replicas": 4},
        "mimir": {"structuredConfig": {"limits": {"max_global_series_per_user": 300000}}},
    }
    vals = values_for(contract(), extra_values=extra)
    assert vals["ingester"]["resources"] == {"requests": {"cpu": "2"}}
    assert vals["ingester"]["extraArgs"]["log.level"] == "debug"
    assert vals["ingester"]["extraArgs"]["ingest-storage.kafka.sasl-username"] == "mimir"
    assert vals["querier"] == {"replicas": 4}
    assert vals["mimir"]["structuredConfig"]["limits"] == {"max_global_series_per_user": 300000}
    assert vals["ingester"]["replicas"] == 6 and vals["ingester"]["zoneAwareReplication"]["enabled"]
    same = values_for(contract(), extra_values={"kafka": {"enabled": False}})
    assert same["kafka"] == {"enabled": False}


def kafka_extra(**kafka: object) -> dict[str, Any]:
    return {"mimir": {"structuredConfig": {"ingest_storage": {"kafka": kafka}}}}


@pytest.mark.parametrize(
    ("extra", "setting", "words", "fix"),
    [
        (
            kafka_extra(address="evil:9092"),
            "mimir.structuredConfig.ingest_storage.kafka.address",
            "derives 'kafka-1:9096'",
            "the contract's addresses",
        ),
        (
            {"ingester": {"replicas": 9}},
            "ingester.replicas",
            "derives 6 here",
            "set ingesters (zones, per_zone)",
        ),
        (
            {"ingester": {"zoneAwareReplication": {"enabled": False}}},
            "ingester.zoneAwareReplication.enabled",
            "derives True",
            "ingesters.zones",
        ),
        (
            {
                "ingester": {
                    "zoneAwareReplication": {"zones": [{"name": "zone-a", "prepareDownscale": False}]}
                }
            },
            "ingester.zoneAwareReplication.zones[0]",
            "entry 'zone-a' is derived",
            "settings.client_rack (zone_racks, node_label)",
        ),
        (
            {"ingester": {"zoneAwareReplication": {"autoIngestStorageClientRack": False}}},
            "ingester.zoneAwareReplication.autoIngestStorageClientRack",
            "derives True",
            "settings.client_rack",
        ),
        (
            {"ruler": {"remoteEvaluationDedicatedQueryPath": False}},
            "ruler.remoteEvaluationDedicatedQueryPath",
            "derives True",
            "ruler_query_path",
        ),
        ({"image": {"tag": "2.14.0"}}, "image.tag", "derives '3.1.3'", "set mimir_version in the contract"),
        ({"kafka": {"enabled": True}}, "kafka.enabled", "derives False", "none: Kafka is external"),
        (
            {"mimir": {"structuredConfig": {"distributor": {"remote_timeout": "30s"}}}},
            "mimir.structuredConfig.distributor.remote_timeout",
            "derives '5s'",
            "the contract's remote_timeout",
        ),
        (
            {
                "mimir": {
                    "structuredConfig": {"ingester": {"partition_ring": {"min_partition_owners_count": 0}}}
                }
            },
            "mimir.structuredConfig.ingester.partition_ring.min_partition_owners_count",
            "derives 1",
            "partition_ring",
        ),
        (
            {"mimir": {"structuredConfig": {"ingester": {"push_grpc_method_enabled": True}}}},
            "mimir.structuredConfig.ingester.push_grpc_method_enabled",
            "derives False",
            "bypass the log",
        ),
        (
            kafka_extra(fetch_concurrency_max=8),
            "mimir.structuredConfig.ingest_storage.kafka.fetch_concurrency_max",
            "owned by the contract",
            "ConsumerTuning",
        ),
        (
            {"mimir": {"structuredConfig": {"ingest_storage": None}}},
            "mimir.structuredConfig.ingest_storage",
            "would replace a mapping",
            "the matching field of the contract",
        ),
        ({"fullnameOverride": "other"}, "fullnameOverride", "derives 'mimir'", "ChartSettings.release_name"),
        # The sealed routes: a new flag or key that would override what the contract derived.
        (
            {
                "distributor": {
                    "extraArgs": {"ingest-storage.kafka.use-compressed-bytes-as-fetch-max-bytes": "true"}
                }
            },
            "distributor.extraArgs.ingest-storage.kafka.use-compressed-bytes-as-fetch-max-bytes",
            "override it unchecked",
            "use_compressed_bytes_as_fetch_max_bytes",
        ),
        (
            {"ingester": {"extraArgs": {"ingest-storage.kafka.fetch-concurrency-max": "2"}}},
            "ingester.extraArgs.ingest-storage.kafka.fetch-concurrency-max",
            "override it unchecked",
            "ConsumerTuning",
        ),
        (
            {"querier": {"extraArgs": {"-ingest-storage.kafka.address": "evil:9092"}}},
            "querier.extraArgs.-ingest-storage.kafka.address",
            "override it unchecked",
            "the contract's addresses",
        ),
        (
            {"ingester": {"extraArgs": {"ingester.ring.instance-id": "ingester-9"}}},
            "ingester.extraArgs.ingester.ring.instance-id",
            "override it unchecked",
            "derives each ingester's partition",
        ),
        (
            {"distributor": {"extraArgs": {"distributor.remote-timeout": "30s"}}},
            "distributor.extraArgs.distributor.remote-timeout",
            "override it unchecked",
            "the contract's remote_timeout",
        ),
        (
            {"ingester": {"extraArgs": {"ingest-storage.kafka.client-rack": "use1-az1"}}},
            "ingester.extraArgs.ingest-storage.kafka.client-rack",
            "override it unchecked",
            "settings.client_rack",
        ),
        (
            {"mimir": {"structuredConfig": {"ingester": {"ring": {"instance_id": "ingester-9"}}}}},
            "mimir.structuredConfig.ingester.ring.instance_id",
            "derived from the contract and the chart",
            "Mimir derives the partition",
        ),
        (
            {"mimir": {"structuredConfig": {"querier": {"query_ingesters_within": "2h"}}}},
            "mimir.structuredConfig.querier.query_ingesters_within",
            "derived from the contract",
            "consumer.query_ingesters_within",
        ),
    ],
)
def test_escape_hatch_refusals_name_the_field_and_the_fix(
    extra: dict, setting: str, words: str, fix: str
) -> None:
    e = refusal(contract(), extra_values=extra)
    matching = [p for p in e.problems if p.setting == f"settings.extra_values.{setting}"]
    assert matching, str(e)
    assert words in matching[0].message and fix in matching[0].fix, str(matching[0])


def test_env_routes_cannot_spread_or_override_credentials() -> None:
    cases = [
        (
            {"global": {"extraEnv": [{"name": "MIMIR_KAFKA_SASL_PASSWORD", "value": "x"}]}},
            "settings.extra_values.global.extraEnv[0]",
            "referenced by the rendered Mimir config",
        ),
        (
            {"querier": {"env": [{"name": "MIMIR_KAFKA_SASL_PASSWORD", "value": "x"}]}},
            "settings.extra_values.querier.env[0]",
            "referenced by the rendered Mimir config",
        ),
        (
            {"gateway": {"extraEnvFrom": [{"secretRef": {"name": "mimir-kafka-credentials"}}]}},
            "settings.extra_values.gateway.extraEnvFrom[0]",
            "holding Kafka credentials",
        ),
        (
            {"global": {"extraVolumes": [{"name": "k", "secret": {"secretName": "mimir-kafka-tls"}}]}},
            "settings.extra_values.global.extraVolumes[0]",
            "holding Kafka credentials",
        ),
    ]
    for extra, setting, words in cases:
        e = refusal(contract(), extra_values=extra)
        assert any(p.setting == setting and words in p.message for p in e.problems), str(e)


def test_escape_hatch_reports_every_problem_at_once() -> None:
    extra = {
        "ingester": {"replicas": 9, "extraArgs": {"ingester.ring.instance-id": "x"}},
        "image": {"tag": "1"},
    }
    e = refusal(contract(), extra_values=extra)
    assert {p.setting for p in e.problems} >= {
        "settings.extra_values.ingester.replicas",
        "settings.extra_values.ingester.extraArgs.ingester.ring.instance-id",
        "settings.extra_values.image.tag",
    }


def test_extra_values_cannot_replace_the_sasl_password_and_do_not_echo_it() -> None:
    e = refusal(contract(), extra_values=kafka_extra(sasl_password="clear-text-pass"))
    msg = str(e)
    assert "ingest_storage.kafka.sasl_password=<redacted>" in msg
    assert "Fix: set the contract's sasl" in msg
    assert "clear-text-pass" not in msg
    e = refusal(
        contract(),
        extra_values={"ingester": {"extraArgs": {"ingest-storage.kafka.sasl-password": "clear-text-pass"}}},
    )
    assert "clear-text-pass" not in str(e) and "<redacted>" in str(e)


def test_extra_values_append_list_entries_by_name() -> None:
    extra_env = {"name": "GOMAXPROCS", "value": "2"}
    extra = {
        "ingester": {
            "env": [extra_env],
            "extraEnvFrom": [{"configMapRef": {"name": "tuning"}}],
            "extraVolumes": [{"name": "scratch", "emptyDir": {}}],
        }
    }
    vals = values_for(contract(), extra_values=extra)
    assert vals["ingester"]["extraEnvFrom"] == [
        {"secretRef": {"name": "mimir-kafka-credentials"}},
        {"configMapRef": {"name": "tuning"}},
    ]
    assert vals["ingester"]["env"] == [extra_env]
    assert [vol["name"] for vol in vals["ingester"]["extraVolumes"]] == ["kafka-tls", "scratch"]
    e = refusal(
        contract(), extra_values={"ingester": {"extraVolumes": [{"name": "kafka-tls", "emptyDir": {}}]}}
    )
    assert "entry 'kafka-tls' is derived" in str(e)


def test_clear_secret_smuggled_through_other_keys_is_refused() -> None:
    e = refusal(contract(), extra_values={"querier": {"podAnnotations": {"note": PASSWORD}}})
    assert "settings.extra_values.querier.podAnnotations.note='<redacted>': holds a secret" in str(e)
    assert PASSWORD not in str(e)
    s3_key = {"mimir": {"structuredConfig": {"common": {"storage": {"s3": {"secret_access_key": "abc"}}}}}}
    e = refusal(contract(), extra_values=s3_key)
    assert "common.storage.s3.secret_access_key='<redacted>': a secret setting" in str(e)
    s3_key["mimir"]["structuredConfig"]["common"]["storage"]["s3"]["secret_access_key"] = "${S3_SECRET}"
    assert values_for(contract(), extra_values=s3_key)["mimir"]["structuredConfig"]["common"]


def test_image_tag_follows_the_contract_version() -> None:
    assert values_for(contract(mimir_version="3.1.2"))["image"]["tag"] == "3.1.2"
    assert values_for(contract(), image_tag="3.1.3")["image"]["tag"] == "3.1.3"
    e = refusal(contract(), image_tag="3.0.0")
    assert "settings.image_tag='3.0.0'" in str(e) and "Fix: set mimir_version in the contract" in str(e)


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
        e = refusal(contract(), msk_iam_sidecar=v.MskIamSidecar(socket_path=sock, image=moving))
        assert "settings.msk_iam_sidecar.image" in e.settings()


def test_secret_in_values_is_refused() -> None:
    e = refusal(contract(), extra_values={"x": SecretValue("leak")})
    assert "a secret value would be written" in str(e)


def test_unprovided_secret_variable_is_refused() -> None:
    r = render_mimir(contract())
    with pytest.raises(ContractError, match="no Secret provides them"):
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
    with pytest.raises(ContractError, match="blocks_bucket"):
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
    assert "extraEnvFrom" not in vals["ingester"]
    (env,) = vals["ingester"]["env"]
    assert env["valueFrom"]["secretKeyRef"] == {"name": "mimir", "key": "password"}
    volume = vals["ingester"]["extraVolumes"][0]
    assert volume["projected"]["sources"][0]["secret"]["name"] == "k-cluster-ca-cert"
    for component in NON_KAFKA:
        assert component not in vals


def test_msk_iam_sidecar_shares_the_socket_on_kafka_components_only() -> None:
    sidecar = v.MskIamSidecar(socket_path="/var/run/msk-iam/credentials.sock", region="eu-west-1")
    vals = values_for(contract(), msk_iam_sidecar=sidecar)
    for component in v.KAFKA_COMPONENTS:
        (container,) = vals[component]["extraContainers"]
        assert {"name": "msk-iam-socket", "mountPath": "/var/run/msk-iam"} in container["volumeMounts"]
        assert {"name": "msk-iam-socket", "mountPath": "/var/run/msk-iam"} in vals[component][
            "extraVolumeMounts"
        ]
    for component in NON_KAFKA:  # "only": no sidecar, no socket volume anywhere else
        assert "extraContainers" not in vals.get(component, {}), component
        assert "msk-iam-socket" not in str(vals.get(component, {})), component


def test_group_prefix_that_misses_the_chart_ingesters_is_refused() -> None:
    settings = v.ChartSettings(release_name="metrics")
    v.check_consumer_group_prefix("metrics-ingester-", settings)  # the chart's own names: accepted
    assert v.consumer_group_problems("metrics-ingester-", settings, IngesterLayout(1, 3)) == []
    with pytest.raises(ContractError) as e:
        v.check_consumer_group_prefix("ingester-", settings)
    msg = str(e.value)
    assert "consumer_group_prefix='ingester-'" in msg
    assert "metrics-ingester-zone-a-0" in msg
    assert "Fix: build the contract with consumer_group_prefix='metrics-ingester-'" in msg


def test_client_id_per_kafka_component() -> None:
    vals = values_for(contract(), component_client_ids={"ingester": "component=ingester", "distributor": "d"})
    assert vals["ingester"]["extraArgs"]["ingest-storage.kafka.client-id"] == "component=ingester"
    assert vals["distributor"]["extraArgs"]["ingest-storage.kafka.client-id"] == "d"
    assert "ingest-storage.kafka.client-id" not in vals["ruler"]["extraArgs"]
    e = refusal(contract(), component_client_ids={"querier": "q", "ingester": "bad id!"})
    assert {p.setting for p in e.problems} == {
        "settings.component_client_ids.querier",
        "settings.component_client_ids.ingester",
    }
