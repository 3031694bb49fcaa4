"""The machine-local overlay keeps the salt and generated secrets out of the tracked stack files."""

from __future__ import annotations

from pathlib import Path

import yaml

from testbed.localrun import overlay_workspace


def _repo(tmp_path: Path, config: dict) -> Path:
    (tmp_path / "stacks").mkdir()
    (tmp_path / "Pulumi.yaml").write_text("name: mimir-kafka\nruntime: python\nstackConfigDir: stacks\n")
    (tmp_path / "stacks" / "Pulumi.local.yaml").write_text(yaml.safe_dump({"config": config}))
    return tmp_path


def test_overlay_takes_tracked_config_and_keeps_machine_secrets(tmp_path: Path) -> None:
    repo = _repo(tmp_path, {"mimir-kafka:topicPartitions": 3})
    ws = overlay_workspace("local", repo)
    local_file = ws / "stacks" / "Pulumi.local.yaml"
    # What `pulumi config set --secret` and stack init write on this machine.
    written = yaml.safe_load(local_file.read_text())
    written["encryptionsalt"] = "v1:salt"
    written["config"]["mimir-kafka:kafkaPassword"] = {"secure": "v1:ciphertext"}
    written["config"]["mimir-kafka:topicPartitions"] = 1  # a stale value the tracked file must override
    local_file.write_text(yaml.safe_dump(written))
    tracked_text = yaml.safe_dump({"config": {"mimir-kafka:topicPartitions": 6}})
    (repo / "stacks" / "Pulumi.local.yaml").write_text(tracked_text)
    again = yaml.safe_load((overlay_workspace("local", repo) / "stacks" / "Pulumi.local.yaml").read_text())

    assert again["encryptionsalt"] == "v1:salt"
    assert again["config"]["mimir-kafka:kafkaPassword"] == {"secure": "v1:ciphertext"}
    assert again["config"]["mimir-kafka:topicPartitions"] == 6
    # The tracked file is only read: the salt and the secret never reach it.
    assert (repo / "stacks" / "Pulumi.local.yaml").read_text() == tracked_text
    assert (ws / "Pulumi.yaml").read_text() == (repo / "Pulumi.yaml").read_text()
