"""The test-bed broker refuses a work dir that already holds another broker's data (clear error, no
CalledProcessError from Kafka's StorageTool)."""

from __future__ import annotations

from pathlib import Path

import pytest

from testbed.devbroker import Broker, BrokerError, main


def test_used_workdir_is_refused_with_the_fix(tmp_path: Path) -> None:
    libs = tmp_path / "libs"
    libs.mkdir()
    (libs / "kafka_2.13-4.1.1.jar").write_bytes(b"")
    (tmp_path / "work" / "data").mkdir(parents=True)
    (tmp_path / "work" / "data" / "meta.properties").write_text("cluster.id=old\n")
    with pytest.raises(BrokerError, match="already holds a broker's data; remove it"):
        Broker(workdir=tmp_path / "work", libs=libs).start()


def test_cli_exits_3_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    libs = tmp_path / "libs"
    libs.mkdir()
    (libs / "kafka_2.13-4.1.1.jar").write_bytes(b"")
    monkeypatch.setattr("testbed.devbroker.kafka_libs", lambda: libs)
    (tmp_path / "work" / "data").mkdir(parents=True)
    (tmp_path / "work" / "data" / "x").write_text("")
    assert main(["--info", str(tmp_path / "info.json"), "--workdir", str(tmp_path / "work")]) == 3
    assert "pass another --workdir" in capsys.readouterr().err
