"""Golden Helm values per layout (1, 2, 3 zones; with and without the ruler query path; each auth mode),
and the check that credentials, TLS mounts and the MSK IAM sidecar sit under exactly the Kafka components.

Regenerate after an intended change with ``UPDATE_GOLDEN=1 pytest tests/unit/test_mimir_golden.py``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from mimirkafka.contract.model import (
    IngesterLayout,
    IngestStorageContract,
    MskIamSocket,
    NoSasl,
    OAuthBearerFile,
    PemMaterial,
    ScramAuth,
    SecretValue,
    TlsConfig,
    TopicSettings,
)
from mimirkafka.mimir import values as v
from mimirkafka.mimir.components import component_view
from mimirkafka.mimir.plan import MimirDeploymentArgs, MimirPlan, plan_mimir
from pems import cert_and_key

GOLDEN = Path(__file__).parent / "golden" / "mimir_values"
CERT, KEY = cert_and_key("mimir")
CA = cert_and_key("ca")[0]


def _contract(zones: int, **kw: Any) -> IngestStorageContract:
    base: dict[str, Any] = dict(
        addresses=("kafka-0.kafka:9093", "kafka-1.kafka:9093"),
        topic=TopicSettings(name="mimir-ingest", partitions=8),
        sasl=ScramAuth("mimir", SecretValue("golden-password-1")),
        tls=TlsConfig(enabled=True, ca=PemMaterial(CA)),
        ingesters=IngesterLayout(zones=zones, per_zone=2),
        consumer_group_prefix="mimir-ingester-",
        mimir_version="3.1.3",
        kafka_version="4.1",
    )
    base.update(kw)
    return IngestStorageContract(**base)


AUTH: dict[str, Callable[[int], IngestStorageContract]] = {
    "scram_tls": lambda z: _contract(z),
    "plaintext": lambda z: _contract(z, addresses=("kafka:9092",), sasl=NoSasl(), tls=TlsConfig()),
    "mtls": lambda z: _contract(
        z,
        sasl=NoSasl(),
        tls=TlsConfig(
            enabled=True,
            ca=PemMaterial(CA),
            client_cert=PemMaterial(CERT),
            client_key=PemMaterial(KEY, secret=True),
        ),
        kafka_principal="User:CN=mimir",
    ),
    "msk_iam": lambda z: _contract(
        z,
        addresses=("b-1.msk:9098",),
        flavor="msk-provisioned",
        kafka_version="3.9",
        sasl=MskIamSocket("/var/run/msk-iam/credentials.sock"),
        tls=TlsConfig(enabled=True),
    ),
    "oauthbearer_file": lambda z: _contract(
        z, sasl=OAuthBearerFile("/var/run/oauth/token.json"), kafka_principal="User:mimir"
    ),
}

CASES: dict[str, tuple[str, int, bool]] = {
    **{
        f"scram_tls_{z}zone{'' if ruler else '_no_ruler_path'}": ("scram_tls", z, ruler)
        for z in (1, 2, 3)
        for ruler in (True, False)
    },
    **{f"{auth}_3zone": (auth, 3, True) for auth in AUTH if auth != "scram_tls"},
}


def plan_for(name: str) -> MimirPlan:
    auth, zones, ruler = CASES[name]
    sidecar = (
        v.MskIamSidecar("/var/run/msk-iam/credentials.sock", region="eu-west-1")
        if auth == "msk_iam"
        else None
    )
    settings = v.ChartSettings(ruler_query_path=ruler, msk_iam_sidecar=sidecar)
    return plan_mimir(MimirDeploymentArgs(AUTH[auth](zones), settings=settings))


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_values(name: str) -> None:
    text = yaml.safe_dump(plan_for(name).values, sort_keys=True)
    path = GOLDEN / f"{name}.yaml"
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    assert path.exists(), f"missing golden file {path.name}; run with UPDATE_GOLDEN=1"
    assert text == path.read_text(), f"{path.name} changed; review and run with UPDATE_GOLDEN=1"


def _sections_with(values: dict[str, Any], found: Callable[[Any], bool]) -> set[str]:
    """Top-level values sections in which ``found`` is true of some node."""

    def walk(node: Any) -> bool:
        if found(node):
            return True
        if isinstance(node, dict):
            return any(walk(x) for x in node.values())
        if isinstance(node, list):
            return any(walk(x) for x in node)
        return False

    return {k for k, section in values.items() if walk(section)}


def _refers_to_secret(names: set[str]) -> Callable[[Any], bool]:
    def found(node: Any) -> bool:
        if not isinstance(node, dict):
            return False
        for key in ("secretRef", "secretKeyRef", "secret"):
            ref = node.get(key)
            if isinstance(ref, dict) and (ref.get("name") in names or ref.get("secretName") in names):
                return True
        return False

    return found


@pytest.mark.parametrize("name", sorted(CASES))
def test_credentials_tls_and_sidecar_sit_under_exactly_the_kafka_components(name: str) -> None:
    plan = plan_for(name)
    values, kafka = plan.values, set(plan.kafka_components)
    expected = {"distributor", "ingester", "ruler", "query_frontend"} | (
        {"ruler_query_frontend"} if CASES[name][2] else set()
    )
    assert kafka == expected
    secrets = {plan.env_secret_name, plan.tls_secret_name}
    with_secret = _sections_with(values, _refers_to_secret(secrets))
    with_sidecar = _sections_with(
        values, lambda n: isinstance(n, dict) and n.get("name") == "msk-iam-credentials"
    )
    with_env = _sections_with(
        values, lambda n: isinstance(n, dict) and n.get("name", "").startswith("MIMIR_KAFKA_")
    )
    auth = CASES[name][0]
    assert with_secret == (
        set() if auth in ("plaintext", "msk_iam", "oauthbearer_file") and not plan.tls_items else kafka
    )
    assert with_sidecar == (kafka if auth == "msk_iam" else set())
    assert with_env <= kafka
    assert "global" not in values
    # The shared config turns neither SASL nor TLS on; each Kafka component's own view is the contract's.
    shared = values["mimir"]["structuredConfig"]["ingest_storage"]["kafka"]
    assert not {"sasl_mechanism", "sasl_username", "tls_enabled"} & set(shared)
    full = plan.rendered.config["ingest_storage"]["kafka"]
    for component in kafka:
        view = component_view(values["mimir"]["structuredConfig"], values[component].get("extraArgs", {}))
        assert {k: view[k] for k in full if k in view} == {k: full[k] for k in view if k in full}
        for key in ("sasl_mechanism", "sasl_username", "tls_enabled"):
            assert view.get(key) == full.get(key), (component, key)


def mimir_validates_without_credentials(kafka: dict[str, Any]) -> bool:
    """Mimir's checks for a pod that has no Kafka credentials: every ``${VAR}`` expands to "" (Mimir's
    -config.expand-env on an unset variable), then ``KafkaAuthConfig.Validate`` (the mechanism defaults to
    PLAIN; PLAIN needs username and password both set or both empty; SCRAM needs both) and TLS files are
    only loaded when ``tls_enabled`` (grafana/mimir pkg/storage/ingest/config.go @001afd28)."""
    expanded = {k: ("" if isinstance(x, str) and x.startswith("${") else x) for k, x in kafka.items()}
    mechanism = expanded.get("sasl_mechanism", "PLAIN")
    user, password = expanded.get("sasl_username", ""), expanded.get("sasl_password", "")
    if mechanism == "PLAIN":
        sasl_ok = (user == "") == (password == "")
    elif mechanism in ("SCRAM-SHA-256", "SCRAM-SHA-512"):
        sasl_ok = bool(user and password)
    else:  # OAUTHBEARER / AWS_MSK_IAM need exactly one credential source, which such a pod lacks
        sasl_ok = False
    return sasl_ok and not expanded.get("tls_enabled", False)


@pytest.mark.parametrize("name", sorted(CASES))
def test_components_without_kafka_still_pass_mimirs_config_validation(name: str) -> None:
    values = plan_for(name).values
    for component in ("querier", "store_gateway", "compactor", "alertmanager", "ruler_querier"):
        view = component_view(
            values["mimir"]["structuredConfig"], values.get(component, {}).get("extraArgs", {})
        )
        assert mimir_validates_without_credentials(view), (component, view)
    # The check can fail: the full rendering (what a Kafka component runs) is not valid without credentials
    # whenever SASL or TLS is on.
    full = plan_for(name).rendered.config["ingest_storage"]["kafka"]
    assert mimir_validates_without_credentials(full) is (CASES[name][0] == "plaintext")


def test_mtls_key_and_scram_password_are_nowhere_in_the_values() -> None:
    for name in CASES:
        text = yaml.safe_dump(plan_for(name).values)
        assert "golden-password-1" not in text and KEY.splitlines()[1] not in text
