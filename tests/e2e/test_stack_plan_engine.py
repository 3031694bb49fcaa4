"""The stack plan through the real engine (Pulumi CLI + kubernetes plugin), on the ``dev`` stack
(KRaft StatefulSet) rendered to files (``renderOnly``: no cluster needed):

1. ``preview`` shows the plan's warnings in the engine's output (here: ruler remote evaluation off);
2. ``up`` exports ``kafkaTopicState``; a second preview changes nothing;
3. the topic guard of a kind with no live-topic API: ``topicPartitions`` lowered, ``preview`` and ``up``
   are refused with the stack-key message, read from the stack's last outputs through the engine's
   ``readStackOutputs``, as a clean error (no Python traceback), and the state is unchanged;
4. a typo'd key is refused with the closest key.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from mimirkafka.stack import deploy
from pulumi import automation as auto
from pulumi_harness import PulumiSandbox, copy_project, inline_stack, no_changes, with_backend

pytestmark = pytest.mark.e2e


def _program(root: Path):  # type: ignore[no-untyped-def]
    def run() -> None:
        deploy.run(root=root)

    return run


def _resources(st: auto.Stack) -> int:
    return len(st.export_stack().deployment.get("resources") or [])


def test_warning_shown_and_shrink_refused_from_last_outputs(sandbox: PulumiSandbox, tmp_path: Path) -> None:
    root = copy_project("dev", tmp_path / "project")
    sb = with_backend(sandbox, tmp_path / "state")
    st = inline_stack(sb, "mimir-kafka", "dev", _program(root), work_dir=root)
    st.set_config("renderOnly", auto.ConfigValue("true"))
    st.set_config("mimirRulerQueryPath", auto.ConfigValue("false"))
    try:
        lines: list[str] = []
        preview = st.preview(on_output=lines.append)
        shown = "\n".join(lines) + preview.stdout
        assert "mimirRulerQueryPath=false: rules are evaluated inside the ruler" in shown

        up = st.up(on_output=print)
        assert up.outputs["kafkaTopicState"].value == {
            "name": "mimir-ingest",
            "partitions": 16,
            "cluster": "kafka/mimir-kafka",
        }
        assert no_changes(st.preview().change_summary)
        before = _resources(st)

        st.set_config("topicPartitions", auto.ConfigValue("8"))
        for op in (st.preview, st.up):
            with pytest.raises(auto.CommandError) as err:
                op()
            text = str(err.value)
            assert "topicPartitions=8" in text and "16 partitions" in text, text
            assert "Traceback" not in text, "a refusal must be a clean error"
        assert _resources(st) == before

        st.set_config("topicPartitions", auto.ConfigValue("16"))
        st.set_config("topicPartition", auto.ConfigValue("64"))
        with pytest.raises(auto.CommandError) as err:
            st.preview()
        assert "did you mean topicPartitions?" in str(err.value)
        st.remove_config("topicPartition")
    finally:
        st.destroy()
        st.workspace.remove_stack("dev")
