"""Ephemeral test stacks for CI: a fixture, a context manager, a reaper, JUnit output.

- :func:`ephemeral_stack` (``mimirkafka.testing.stack``): a fresh stack with unique names, ``up`` with
  progress, the doctor's report, always destroyed (exceptions, Ctrl-C, SIGTERM) unless kept on failure;
- pytest fixture ``mimirkafka_stack`` (``mimirkafka.testing.pytest_plugin``, registered as a ``pytest11``
  entry point);
- ``mimirkafka ephemeral reap`` (``mimirkafka.testing.reaper``): expired stacks and Kafka leftovers;
- :func:`to_junit_xml` (``mimirkafka.testing.junit``): the doctor's checks as JUnit XML.

See docs/ephemeral.md. Names resolve lazily: pytest imports this package for its plugin in every
session, which must not pull in Pulumi.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "ephemeral_stack": "mimirkafka.testing.stack",
    "EphemeralStack": "mimirkafka.testing.stack",
    "EphemeralStackError": "mimirkafka.testing.stack",
    "EphemeralNames": "mimirkafka.testing.names",
    "ci_job": "mimirkafka.testing.names",
    "reap": "mimirkafka.testing.reaper",
    "to_junit_xml": "mimirkafka.testing.junit",
    "write_junit": "mimirkafka.testing.junit",
    "Terminated": "mimirkafka.testing.signals",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'mimirkafka.testing' has no attribute {name!r}")
