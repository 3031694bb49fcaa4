"""ephemeral_stack with the real engine, kafka plugin and broker: a full measured cycle that leaves
nothing, and keep-on-failure (kept, says how to remove it; the reaper then removes it)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from admin_checks import acls_of, expected_acls
from ephemeral_helpers import make_bed, nothing_left, stacks_in_backend
from kafka import KafkaAdminClient
from mimirkafka.cli import main as cli_main
from mimirkafka.testing import ephemeral_stack
from mimirkafka.testing.expiry import TAG_CI_JOB, TAG_EPHEMERAL, TAG_EXPIRES_AT
from pulumi_harness import PulumiSandbox

from testbed.devbroker import BrokerInfo

pytestmark = pytest.mark.e2e


def test_full_cycle_is_unique_checked_and_leaves_nothing(
    sandbox: PulumiSandbox,
    broker: BrokerInfo,
    admin: KafkaAdminClient,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bed = make_bed(sandbox, broker, tmp_path)
    t0 = time.monotonic()
    with ephemeral_stack(bed.project, "local", env=bed.sandbox.env, tls_dir=bed.tls_dir) as es:
        live = time.monotonic() - t0
        n = es.names
        assert es.output("kafkaTopic") == n.topic
        assert es.output("kafkaConsumerGroupPrefix") == n.consumer_group_prefix
        assert n.topic in admin.list_topics()
        assert acls_of(admin, f"User:{n.username}") == expected_acls(n.topic, n.consumer_group_prefix)
        assert es.report is not None and not es.report.failures(), es.report.render_table()
        tags = es.stack.workspace.list_tags(es.name)
        assert tags == es.tags, "the expiry tags are in the backend"
        assert tags[TAG_EXPIRES_AT] > tags[TAG_EPHEMERAL] and ":" in tags[TAG_CI_JOB]
        assert (es.render_dir / "mimir-values.yaml").is_file()
        work_dir = es.work_dir
    total = time.monotonic() - t0
    progress = capsys.readouterr().out
    assert "kafka:index/topic:Topic" in progress or "kafka:index:Topic" in progress, "no streamed progress"
    assert es.removed and not work_dir.exists()
    assert stacks_in_backend(bed.env) == []
    assert nothing_left(admin, n.kafka_prefix)
    t = es.timings
    print(
        f"\n[e2e] ephemeral cycle on the local broker: total {total:.1f}s (to live {live:.1f}s: create "
        f"{t['create']:.1f}s, up {t['up']:.1f}s, doctor {t['doctor']:.1f}s; destroy+rm {t['destroy']:.1f}s)"
    )


def test_keep_on_failure_keeps_the_stack_and_says_how_to_remove_it(
    sandbox: PulumiSandbox,
    broker: BrokerInfo,
    admin: KafkaAdminClient,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bed = make_bed(sandbox, broker, tmp_path)
    with (
        pytest.raises(RuntimeError, match="the test failed"),
        ephemeral_stack(
            bed.project, "local", env=bed.sandbox.env, keep_on_failure=True, doctor=False, on_output=None
        ) as es,
    ):
        raise RuntimeError("the test failed")
    out = capsys.readouterr().out
    assert f"kept ephemeral stack {es.name}" in out
    assert f"mimirkafka ephemeral reap --stack {es.name} --yes" in out
    assert not es.removed and es.work_dir.is_dir()
    assert stacks_in_backend(bed.env) == [f"organization/mimir-kafka/{es.name}"]
    assert es.names.topic in admin.list_topics()

    # The printed command removes it (backend and passphrase from the environment, as in CI).
    for key, value in bed.sandbox.env.items():
        monkeypatch.setenv(key, value)
    assert cli_main(["ephemeral", "reap", "--stack", es.name]) == 0  # dry run
    assert "would destroy organization/mimir-kafka/" + es.name in capsys.readouterr().out
    assert es.names.topic in admin.list_topics(), "a dry run must not delete"
    assert cli_main(["ephemeral", "reap", "--stack", es.name, "--yes"]) == 0
    assert "1 stack(s) destroyed (1 ok, 0 failed)" in capsys.readouterr().out
    assert stacks_in_backend(bed.env) == []
    assert nothing_left(admin, es.names.kafka_prefix)
