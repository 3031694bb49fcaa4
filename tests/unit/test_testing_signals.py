"""SIGTERM becomes an exception (so cleanup runs), is passed to a running `pulumi` as SIGINT (graceful
cancel), and the previous handler comes back. Real signals to this process and a real child process."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from mimirkafka.testing.signals import Terminated, pulumi_children, sigterm_raises


def test_sigterm_raises_terminated_and_the_handler_is_restored() -> None:
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(Terminated) as info, sigterm_raises() as guard:
        assert guard.active
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # the handler raises during this sleep
        pytest.fail("SIGTERM did not interrupt")
    assert info.value.code == 143 and info.value.signum == signal.SIGTERM
    assert signal.getsignal(signal.SIGTERM) == before


def test_deferred_sigterm_is_recorded_not_raised() -> None:
    with sigterm_raises() as guard:
        guard.deferred = True
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.2)
        assert guard.received == signal.SIGTERM
        with pytest.raises(Terminated):
            guard.raise_if_received()


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="child discovery reads /proc")
def test_sigterm_is_forwarded_to_a_running_pulumi_as_sigint(tmp_path: Path) -> None:
    # A child whose process name is "pulumi" (a copy of the Python interpreter) that reports SIGINT.
    fake = tmp_path / "pulumi"
    shutil.copy(sys.executable, fake)
    code = (
        "import signal, sys, time\n"
        "signal.signal(signal.SIGINT, lambda *a: (print('got SIGINT', flush=True), sys.exit(7)))\n"
        "print('ready', flush=True)\n"
        "time.sleep(30)\n"
    )
    env = {**os.environ, "PYTHONHOME": sys.base_prefix}
    with subprocess.Popen([str(fake), "-c", code], stdout=subprocess.PIPE, text=True, env=env) as child:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        assert child.pid in pulumi_children()
        with sigterm_raises() as guard:
            os.kill(os.getpid(), signal.SIGTERM)  # no exception yet: the command is cancelled instead
            assert child.wait(timeout=10) == 7
            assert "got SIGINT" in child.stdout.read()
            assert guard.forwarded_to == [child.pid]
            with pytest.raises(Terminated):
                guard.raise_if_received()


def test_outside_the_main_thread_it_is_a_no_op() -> None:
    seen: list[bool] = []

    def body() -> None:
        with sigterm_raises() as guard:
            seen.append(guard.active)

    t = threading.Thread(target=body)
    t.start()
    t.join()
    assert seen == [False]
