"""ephemeral_stack's pure parts: the workspace it writes and what it refuses before creating anything."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from mimirkafka.testing.names import EphemeralNames
from mimirkafka.testing.stack import EphemeralStackError, base_config, ephemeral_stack, write_workspace

REPO = Path(__file__).resolve().parents[2]


def project(tmp_path: Path) -> Path:
    (tmp_path / "stacks").mkdir(parents=True)
    (tmp_path / "Pulumi.yaml").write_text("name: team-mimir\nruntime: python\nstackConfigDir: stacks\n")
    (tmp_path / "stacks" / "Pulumi.ci.yaml").write_text(
        "encryptionsalt: v1:abc\n"
        "config:\n"
        "  team-mimir:kafkaAuth: scram-sha-512\n"
        "  team-mimir:kafkaPassword:\n    secure: v1:xyz\n"
        "  team-mimir:topicPartitions: 6\n"
    )
    return tmp_path


def test_base_config_drops_the_base_stack_salt_and_secrets(tmp_path: Path) -> None:
    cfg = base_config(project(tmp_path), "ci")
    assert cfg == {"team-mimir:kafkaAuth": "scram-sha-512", "team-mimir:topicPartitions": 6}


def test_the_committed_local_stack_is_a_valid_base() -> None:
    cfg = base_config(REPO, "local")
    assert cfg["mimir-kafka:kafkaKind"] == "existing"
    assert not any(isinstance(v, dict) for v in cfg.values())


def test_workspace_has_the_project_and_the_stack_file(tmp_path: Path) -> None:
    proj = project(tmp_path / "p")
    ws = tmp_path / "ws"
    names = EphemeralNames("gl-1-ab12")
    cfg = {**base_config(proj, "ci"), **{f"team-mimir:{k}": v for k, v in names.config_overrides().items()}}
    name, path = write_workspace(proj, ws, names.stack, cfg)
    assert name == "team-mimir"
    assert path == ws / "stacks" / "Pulumi.mkeph-gl-1-ab12.yaml"
    doc = yaml.safe_load(path.read_text())
    assert "encryptionsalt" not in doc
    assert doc["config"]["team-mimir:topicName"] == "mkeph-gl-1-ab12-ingest"
    assert doc["config"]["team-mimir:topicProtect"] == "false"
    assert (ws / "Pulumi.yaml").read_text() == (proj / "Pulumi.yaml").read_text()


def test_refuses_a_missing_base_stack_or_project_before_creating_anything(tmp_path: Path) -> None:
    proj = project(tmp_path / "p")
    work_root = tmp_path / "work"
    work_root.mkdir()
    with (
        pytest.raises(EphemeralStackError, match="base stack 'nope'"),
        ephemeral_stack(proj, "nope", work_root=work_root, on_output=None),
    ):
        pytest.fail("the block must not run")
    with (
        pytest.raises(EphemeralStackError, match=r"no Pulumi\.yaml"),
        ephemeral_stack(tmp_path / "empty", "ci", work_root=work_root, on_output=None),
    ):
        pytest.fail("the block must not run")
    assert list(work_root.iterdir()) == []


class _Stop(Exception):
    pass


def test_the_expiry_key_is_set_once_the_stack_declares_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Until stack/keys.py declares ``expiresAt`` the expiry lives in the stack tags only; then the
    package's own program gets it as config too (labels/tags on resources)."""
    from mimirkafka.testing import stack as st

    seen: list[dict] = []

    def fake_create(stack_name: str, project_name: str, program: object, opts: object) -> None:
        path = Path(opts.work_dir) / "stacks" / f"Pulumi.{stack_name}.yaml"  # type: ignore[attr-defined]
        seen.append(yaml.safe_load(path.read_text())["config"])
        raise _Stop

    monkeypatch.setattr(st.auto, "create_stack", fake_create)
    for declared in (False, True):
        keys = {"topicName"} | ({st.EXPIRY_KEY} if declared else set())
        monkeypatch.setattr(st, "_stack_keys", lambda keys=keys: keys)
        with pytest.raises(_Stop), ephemeral_stack(REPO, "local", work_root=tmp_path, on_output=None):
            pytest.fail("the block must not run")
    without, with_key = seen
    assert "mimir-kafka:expiresAt" not in without
    assert with_key["mimir-kafka:expiresAt"].endswith("Z")
    assert with_key["mimir-kafka:topicProtect"] == "false"
    assert list(tmp_path.iterdir()) == [], "the workspace is removed when creation fails"
