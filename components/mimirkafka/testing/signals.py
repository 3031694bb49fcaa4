"""SIGTERM, which CI runners send on cancel, turned into an exception so ``finally`` blocks run.

Python's default action for SIGTERM ends the process at once: no ``finally``, no ``destroy``. Inside
:func:`sigterm_raises` the signal instead

* while a ``pulumi`` command (a child process) runs: is passed on to it as SIGINT, which the CLI treats
  as "cancel gracefully" (finish the in-flight resource operations, write the state, release the
  lock), and :class:`Terminated` is raised once that command has returned, so the state is consistent
  when ``destroy`` runs;
* otherwise: raises :class:`Terminated` right away.

The previous handler is restored on exit. Signal handlers can only be set in the main thread; in
another thread this is a no-op (the caller is told through :attr:`SigtermGuard.active`).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType


class Terminated(SystemExit):
    """The process received SIGTERM. Exits with 143 (128 + 15) if nobody catches it."""

    def __init__(self, signum: int = signal.SIGTERM) -> None:
        super().__init__(128 + signum)
        self.signum = signum


def pulumi_children(pid: int | None = None) -> list[int]:
    """Process ids of this process's direct children named ``pulumi`` (Linux ``/proc``; elsewhere [])."""
    me = os.getpid() if pid is None else pid
    found: list[int] = []
    proc = Path("/proc")
    if not proc.is_dir():
        return found
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "<pid> (<comm>) <state> <ppid> ...": comm may contain spaces, so split after the last ")".
        comm = stat[stat.find("(") + 1 : stat.rfind(")")]
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 1 and int(fields[1]) == me and comm.startswith("pulumi"):
            found.append(int(entry.name))
    return found


@dataclass
class SigtermGuard:
    active: bool = False
    #: The signal received (set by the handler), ``None`` while none came.
    received: int | None = None
    #: While True (during teardown) SIGTERM is recorded only: nothing may interrupt ``destroy``.
    deferred: bool = False
    forwarded_to: list[int] = field(default_factory=list)

    def raise_if_received(self) -> None:
        if self.received is not None:
            raise Terminated(self.received)


@contextlib.contextmanager
def sigterm_raises() -> Iterator[SigtermGuard]:
    guard = SigtermGuard()
    if threading.current_thread() is not threading.main_thread():
        yield guard
        return

    def handler(signum: int, _frame: FrameType | None) -> None:
        guard.received = signum
        if guard.deferred:
            return
        children = pulumi_children()
        if children:
            for pid in children:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGINT)
            guard.forwarded_to.extend(children)
            return  # the running command fails; the caller raises Terminated after it
        raise Terminated(signum)

    previous = signal.signal(signal.SIGTERM, handler)
    guard.active = True
    try:
        yield guard
    finally:
        signal.signal(signal.SIGTERM, previous)
        guard.active = False
