"""The pack as pulumi-policy 1.21.0 serves it: the real analyzer servicer answers Analyze/AnalyzeStack
requests built the way the engine builds them (protobuf Structs, secret markers, unknowns), plus the
shipped policy-config.json against the rules' schemas. The engine itself runs the pack in
tests/e2e/test_policy_engine.py.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pulumi_policy.policy as pp
import pytest
from google.protobuf import json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "policy"))

from mimirkafka_policy import catalog, pack  # noqa: E402

SECRET_SIG = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def struct(d: dict[str, Any]) -> struct_pb2.Struct:
    s = struct_pb2.Struct()
    json_format.ParseDict(d, s)
    return s


@pytest.fixture()
def servicer() -> Iterator[Any]:
    saved = pp.deserialize_properties
    pack.install_secret_aware_deserializer()
    try:
        yield pp._PolicyAnalyzerServicer(
            pack.PACK_NAME, "0.1.0", pack.policies(), pp.EnforcementLevel.ADVISORY
        )
    finally:
        pp.deserialize_properties = saved


def analyze(
    servicer: Any, type_: str, props: dict[str, Any], protect: bool = False, stack: str = "prod"
) -> Any:
    req = analyzer_pb2.AnalyzeRequest(
        type=type_,
        properties=struct(props),
        urn=f"urn:pulumi:{stack}::p::{type_}::r",
        name="r",
        options=analyzer_pb2.AnalyzerResourceOptions(protect=protect),
    )
    return servicer.Analyze(req, None)


def by_policy(resp: Any) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for d in resp.diagnostics:
        out.setdefault(d.policyName, []).append(d.message)
    return out


def release_props(password: Any) -> dict[str, Any]:
    kafka = {"address": "kafka:9092", "topic": "mimir-ingest", "sasl_password": password}
    return {
        "chart": "mimir-distributed",
        "values": {"mimir": {"structuredConfig": {"ingest_storage": {"kafka": kafka}}}},
    }


def test_every_rule_is_served_with_its_level_and_schema() -> None:
    policies = pack.policies()
    assert [p.name for p in policies] == [r.name for r in catalog.RULES]
    for p, r in zip(policies, catalog.RULES, strict=True):
        assert p.enforcement_level == pack.LEVELS[r.level]
        assert p.config_schema is not None and "exemptStacks" in p.config_schema.properties
        assert isinstance(p, pp.StackValidationPolicy if r.kind == "stack" else pp.ResourceValidationPolicy)


def test_shipped_policy_config_is_every_rule_with_its_defaults_and_valid() -> None:
    shipped = json.loads((REPO / "policy" / "policy-config.json").read_text())
    assert shipped == catalog.default_config(), "regenerate: cd policy && python -m mimirkafka_policy.catalog"
    for rule in catalog.RULES:
        entry = dict(shipped[rule.name])
        assert entry.pop("enforcementLevel") in ("mandatory", "advisory", "disabled")
        jsonschema.validate(
            entry, {"type": "object", "properties": rule.schema(), "additionalProperties": False}
        )


def test_analyze_reports_a_1_mib_topic_with_the_fix(servicer: Any) -> None:
    props = {
        "name": "mimir-ingest",
        "partitions": 3,
        "replicationFactor": 3,
        "config": {"max.message.bytes": "1048576", "min.insync.replicas": "2"},
    }
    found = by_policy(analyze(servicer, "kafka:index/topic:Topic", props, protect=True))
    assert list(found) == ["mimir-topic-accepts-batch"]
    [msg] = found["mimir-topic-accepts-batch"]
    assert "max.message.bytes=1048576" in msg and 'Fix: set config["max.message.bytes"] = "16000000"' in msg
    d = analyze(servicer, "kafka:index/topic:Topic", props, protect=True).diagnostics[0]
    assert d.enforcementLevel == analyzer_pb2.MANDATORY


def test_secret_marked_password_passes_a_clear_one_fails(servicer: Any) -> None:
    clear = by_policy(analyze(servicer, "kubernetes:helm.sh/v3:Release", release_props("hunter2")))
    assert "no-clear-credentials" in clear and "hunter2" not in json.dumps(clear)
    secret = by_policy(
        analyze(servicer, "kubernetes:helm.sh/v3:Release", release_props({**SECRET_SIG, "value": "x"}))
    )
    assert "no-clear-credentials" not in secret


def test_without_the_deserializer_pulumi_policy_would_lose_the_secret_marker() -> None:
    """Why pack.install_secret_aware_deserializer exists: pulumi-policy 1.21's Analyze drops markers."""
    plain = pp.deserialize_properties({"p": {**SECRET_SIG, "value": "x"}})
    assert plain == {"p": "x"}
    kept = pack.deserialize_keeping_secrets({"p": {**SECRET_SIG, "value": "x"}})
    assert repr(kept["p"]) == "Secret(***)" and kept["p"].value == "x"


def test_unknown_values_in_a_preview_are_skipped_not_guessed(servicer: Any) -> None:
    props = {"name": "mimir-ingest", "partitions": 3, "replicationFactor": 3, "config": UNKNOWN}
    found = by_policy(analyze(servicer, "kafka:index/topic:Topic", props, protect=True))
    assert "mimir-topic-accepts-batch" not in found


def test_analyze_stack_judges_the_release_against_the_topic(servicer: Any) -> None:
    values = {
        "mimir": {
            "structuredConfig": {
                "ingest_storage": {
                    "enabled": True,
                    "kafka": {
                        "address": "kafka:9092",
                        "topic": "mimir-ingest",
                        "auto_create_topic_enabled": False,
                    },
                }
            }
        },
        "ingester": {"replicas": 12, "zoneAwareReplication": {"enabled": True}},
    }
    topic = {
        "name": "mimir-ingest",
        "partitions": 2,
        "replicationFactor": 3,
        "config": {"max.message.bytes": "16000000"},
    }
    req = analyzer_pb2.AnalyzeStackRequest(
        resources=[
            analyzer_pb2.AnalyzerResource(
                type="kubernetes:helm.sh/v3:Release",
                urn="urn:pulumi:prod::p::kubernetes:helm.sh/v3:Release::m",
                name="m",
                properties=struct({"chart": "mimir-distributed", "values": values}),
            ),
            analyzer_pb2.AnalyzerResource(
                type="kafka:index/topic:Topic",
                urn="urn:pulumi:prod::p::kafka:index/topic:Topic::t",
                name="t",
                properties=struct(topic),
            ),
        ]
    )
    found = by_policy(servicer.AnalyzeStack(req, None))
    [msg] = found["mimir-kafka-agreement"]
    assert "topic 'mimir-ingest' has 2 partitions but values.ingester runs 4 ingester(s) per zone" in msg
    assert "Fix: set topic.partitions to at least 4" in msg
    assert "mimir-ruler-remote-evaluation" in found  # advisory, reported too


def test_policy_config_disables_and_exempts(servicer: Any) -> None:
    cfg = {
        "mimir-topic-protected": analyzer_pb2.PolicyConfig(
            enforcementLevel=analyzer_pb2.ADVISORY, properties=struct({"exemptStacks": ["prod"]})
        ),
        "mimir-topic-replication": analyzer_pb2.PolicyConfig(enforcementLevel=analyzer_pb2.DISABLED),
    }
    servicer.Configure(analyzer_pb2.ConfigureAnalyzerRequest(policyConfig=cfg), None)
    props = {
        "name": "mimir-ingest",
        "partitions": 3,
        "replicationFactor": 1,
        "config": {"max.message.bytes": "16000000"},
    }
    assert by_policy(analyze(servicer, "kafka:index/topic:Topic", props)) == {}
