"""The policy pack (policy/) inside the real Pulumi engine, offline.

The engine runs a Python pack through the ``python`` language host's RunPlugin when it finds one, and
otherwise through the ``pulumi-analyzer-policy-python`` analyzer plugin (pulumi/pulumi v3.259.0
pkg/resource/plugin/analyzer_plugin.go, NewPolicyAnalyzer). The test sandbox ignores ambient plugins, so it
takes the second path with the analyzer from scripts/toolchain (``policy-analyzer`` step), installed into
the sandbox's PULUMI_HOME like the provider plugins. The analyzer starts the pack with the repository's
.venv (PulumiPolicy.yaml ``virtualenv: ../.venv``).

1. ``preview`` of the shipped ``local`` stack (real broker, real kafka provider) with the pack and the
   shipped policy-config.json passes, and the engine reports the pack as run.
2. ``preview`` of a team's own program that never imports mimirkafka (raw pulumi-kafka Topic, a
   pulumi-kubernetes Helm Release of mimir-distributed with a clear password, a 1 MiB topic and fewer
   partitions than ingesters per zone) fails with the rules' messages. The Release's chart is a local
   stub directory named mimir-distributed (Chart.yaml only: no chart code is vendored, and offline the
   provider's Check can load nothing else); the cluster is unreachable, which a preview tolerates.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pulumi
import pulumi_kafka as kafka
import pulumi_kubernetes as k8s
import pytest
from mimirkafka.stack import deploy as program
from pulumi import automation as auto
from pulumi_harness import PulumiSandbox, copy_project, inline_stack, make_sandbox, with_backend

from testbed.devbroker import BrokerInfo

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
PACK = REPO / "policy"
PACK_CONFIG = PACK / "policy-config.json"
ANALYZER_VERSION = "3.218.0"  # scripts/toolchain POLICY_ANALYZER_SDK_VERSION
UNREACHABLE_KUBECONFIG = """apiVersion: v1
kind: Config
clusters: [{name: none, cluster: {server: "https://127.0.0.1:9"}}]
users: [{name: none, user: {}}]
contexts: [{name: none, context: {cluster: none, user: none}}]
current-context: none
"""


@pytest.fixture(scope="module")
def policy_sandbox(toolchain: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> PulumiSandbox:
    """A private PULUMI_HOME with the provider plugins and the Python policy analyzer."""
    sb = make_sandbox(tmp_path_factory.mktemp("pulumi-policy"), os.environ)
    analyzer = shutil.which("pulumi-analyzer-policy-python", path=os.environ["PATH"])
    if analyzer is None:
        pytest.fail("pulumi-analyzer-policy-python is not on PATH: run scripts/toolchain", pytrace=False)
    subprocess.run(
        ["pulumi", "plugin", "install", "analyzer", "policy-python", ANALYZER_VERSION, "--file", analyzer],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **sb.env},
    )
    return sb


def violations(stdout: str) -> list[tuple[str, str]]:
    """(policy, message) pairs from the engine's "Policies:" report."""
    found = re.findall(r"- \[(mandatory|advisory)\]\s+(\S+)\s+\(.*?\)\n\s+.*\n\s+(.*)", stdout)
    return [(name, msg) for _, name, msg in found]


def test_local_stack_preview_passes_the_pack(
    policy_sandbox: PulumiSandbox, broker: BrokerInfo, tmp_path: Path
) -> None:
    proj = copy_project("local", tmp_path / "project")
    (proj / ".local").mkdir()
    (proj / ".local" / "broker.json").write_text(broker.to_json())
    sb = with_backend(policy_sandbox, tmp_path / "state")
    stack = inline_stack(sb, "mimir-kafka", "local", lambda: program.run(root=proj), work_dir=proj)
    stack.set_config("mimir-kafka:kafkaPassword", auto.ConfigValue("pw-policy-e2e", secret=True))
    result = stack.preview(policy_packs=[str(PACK)], policy_pack_configs=[str(PACK_CONFIG)])
    assert re.search(r"✅ mimirkafka@v0\.1\.0", result.stdout), result.stdout
    assert not [v for v in violations(result.stdout) if v[0] != "mimir-kafka-credentials-scope"], (
        result.stdout
    )
    assert result.change_summary.get("create", 0) >= 3  # the topic, the user and the ACLs were previewed


def foreign_program(chart_dir: Path, fixed: bool = False) -> None:
    """A team's own program: no mimirkafka import, raw providers, and three mistakes (unless ``fixed``)."""
    kp = kafka.Provider("kafka", bootstrap_servers=["127.0.0.1:9"])
    kafka.Topic(
        "ingest",
        name="mimir-ingest",
        partitions=4 if fixed else 2,
        replication_factor=3,
        config={"max.message.bytes": "16000000" if fixed else "1048576", "min.insync.replicas": "2"},
        opts=pulumi.ResourceOptions(provider=kp, protect=fixed),
    )
    kube = k8s.Provider("k8s", kubeconfig=UNREACHABLE_KUBECONFIG)
    kafka_cfg = {
        "address": "kafka-0.kafka:9092",
        "topic": "mimir-ingest",
        "auto_create_topic_enabled": False,
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_username": "mimir",
        "sasl_password": "${MIMIR_KAFKA_SASL_PASSWORD}" if fixed else "hunter2-in-clear",
    }
    k8s.helm.v3.Release(
        "mimir",
        chart=str(chart_dir),
        namespace="mimir",
        values={
            "mimir": {
                "structuredConfig": {
                    "ingest_storage": {"enabled": True, "kafka": kafka_cfg},
                    "ruler": {"query_frontend": {"address": "dns:///mimir-ruler-query-frontend:9095"}},
                }
            },
            "ingester": {"replicas": 12, "zoneAwareReplication": {"enabled": True}},
        },
        opts=pulumi.ResourceOptions(provider=kube),
    )


def stub_chart(root: Path) -> Path:
    chart = root / "charts" / "mimir-distributed"
    chart.mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: mimir-distributed\nversion: 6.1.0\n")
    return chart


def test_foreign_program_is_caught_by_the_engine(policy_sandbox: PulumiSandbox, tmp_path: Path) -> None:
    chart = stub_chart(tmp_path)
    sb = with_backend(policy_sandbox, tmp_path / "state")
    stack = inline_stack(sb, "team-mimir", "prod", lambda: foreign_program(chart))
    with pytest.raises(auto.CommandError) as err:
        stack.preview(policy_packs=[str(PACK)], policy_pack_configs=[str(PACK_CONFIG)])
    out = str(err.value)
    assert "❌ mimirkafka@v0.1.0" in out, out
    found = violations(out)
    names = sorted({n for n, _ in found})
    assert names == [
        "mimir-kafka-agreement",
        "mimir-topic-accepts-batch",
        "mimir-topic-protected",
        "no-clear-credentials",
    ], out
    text = "\n".join(m for _, m in found)
    assert "max.message.bytes=1048576 is smaller than Mimir's producer batch of up to 16000000 bytes" in text
    assert 'Fix: set config["max.message.bytes"] = "16000000"' in text
    assert "ingest_storage.kafka.sasl_password holds a credential in clear" in text
    assert "hunter2-in-clear" not in out  # the report never shows the secret
    assert "topic 'mimir-ingest' has 2 partitions but values.ingester runs 4 ingester(s) per zone" in text
    assert "Fix: set topic.partitions to at least 4" in text
    assert "producer_max_record_size_bytes=15983616 is larger than" in text
    assert all("Fix: " in m for _, m in found)


def test_foreign_program_with_the_fixes_applied_passes(policy_sandbox: PulumiSandbox, tmp_path: Path) -> None:
    """The same program with each fix the report gave: the engine lets it through (so the failures above
    come from the mistakes, not from the pack failing on a foreign program)."""
    chart = stub_chart(tmp_path)
    sb = with_backend(policy_sandbox, tmp_path / "state")
    stack = inline_stack(sb, "team-mimir", "prod", lambda: foreign_program(chart, fixed=True))
    result = stack.preview(policy_packs=[str(PACK)], policy_pack_configs=[str(PACK_CONFIG)])
    assert "✅ mimirkafka@v0.1.0" in result.stdout, result.stdout
    assert violations(result.stdout) == [], result.stdout
