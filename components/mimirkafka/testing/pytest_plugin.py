"""pytest plugin (entry point ``pytest11: mimirkafka``): a live Mimir-on-Kafka stack as a fixture.

A test suite gets one fresh ephemeral stack per session with one line::

    def test_ingest(mimirkafka_stack):
        assert mimirkafka_stack.report.status.value != "fail"
        topic = mimirkafka_stack.output("kafkaTopic")

Options (command line, or the ini key in ``pytest.ini``/``pyproject.toml``):

==================================  ============================  ====================================
``--mimirkafka-project=DIR``        ``mimirkafka_project``        Pulumi project dir (rootdir-relative)
``--mimirkafka-base-stack NAME``    ``mimirkafka_base_stack``     stack whose config is copied (local)
``--mimirkafka-override K=V``       ``mimirkafka_overrides``      more stack config (repeat / lines)
``--mimirkafka-keep-on-failure``    ``mimirkafka_keep_on_failure``  keep the stack if a test failed
``--mimirkafka-ttl AGE``            ``mimirkafka_ttl``            expiry for the reaper (3h)
``--mimirkafka-junit PATH``         ``mimirkafka_junit``          doctor's checks as JUnit XML
``--mimirkafka-tls-dir DIR``        ``mimirkafka_tls_dir``        TLS files for the doctor
==================================  ============================  ====================================

Give option values with ``=`` (``--mimirkafka-tls-dir=DIR``): pytest looks for the rootdir and ini
file among path-like arguments.

Importing this module does nothing heavy: pytest loads it in every session of an environment where
the package is installed, so Pulumi is imported only when the fixture is used.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

_OPTIONS: list[tuple[str, str, str, str]] = [
    # (flag, ini name, ini type, help)
    ("--mimirkafka-project", "mimirkafka_project", "string", "Pulumi project directory (default: rootdir)"),
    ("--mimirkafka-base-stack", "mimirkafka_base_stack", "string", "stack whose config is copied (local)"),
    ("--mimirkafka-ttl", "mimirkafka_ttl", "string", "expiry of the stack for the reaper, e.g. 3h"),
    ("--mimirkafka-junit", "mimirkafka_junit", "string", "write the doctor's checks as JUnit XML here"),
    ("--mimirkafka-tls-dir", "mimirkafka_tls_dir", "string", "TLS files (ca.crt...) the doctor reads"),
]


class TestsFailed(Exception):
    """Thrown into the stack's context at teardown when a test of the session failed."""


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mimirkafka", "ephemeral Mimir-on-Kafka stacks (mimirkafka.testing)")
    for flag, ini, kind, help_ in _OPTIONS:
        group.addoption(flag, dest=ini, default=None, help=help_)
        parser.addini(ini, help_, type=kind, default=None)  # type: ignore[arg-type]
    group.addoption(
        "--mimirkafka-override",
        dest="mimirkafka_overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="stack config applied last (repeatable)",
    )
    parser.addini("mimirkafka_overrides", "stack config KEY=VALUE, one per line", type="linelist", default=[])
    group.addoption(
        "--mimirkafka-keep-on-failure",
        dest="mimirkafka_keep_on_failure",
        action="store_true",
        default=None,
        help="keep the stack (and print how to remove it) when a test failed",
    )
    parser.addini(
        "mimirkafka_keep_on_failure", "keep the stack when a test failed", type="bool", default=False
    )


def _opt(config: pytest.Config, name: str) -> Any:
    value = config.getoption(name, default=None)
    if value in (None, []):
        value = config.getini(name)
    return value


def parse_overrides(lines: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in lines:
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise pytest.UsageError(
                f"--mimirkafka-override {line!r}: write KEY=VALUE, e.g. topicPartitions=6"
            )
        out[key.strip()] = value.strip()
    return out


@pytest.fixture(scope="session")
def mimirkafka_stack(request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh ephemeral stack for the session (``mimirkafka.testing.EphemeralStack``), destroyed after
    the last test; kept when a test failed and keep-on-failure is set."""
    from mimirkafka.testing.expiry import DEFAULT_TTL, parse_duration
    from mimirkafka.testing.junit import write_junit
    from mimirkafka.testing.stack import ephemeral_stack

    config = request.config
    # A relative project directory is relative to the rootdir (where pytest.ini / pyproject.toml is).
    project = config.rootpath / (_opt(config, "mimirkafka_project") or ".")
    ttl_text = _opt(config, "mimirkafka_ttl")
    overrides = parse_overrides(
        [*config.getini("mimirkafka_overrides"), *config.getoption("mimirkafka_overrides")]
    )
    cm = ephemeral_stack(
        project,
        _opt(config, "mimirkafka_base_stack") or "local",
        overrides=overrides,
        ttl=parse_duration(ttl_text) if ttl_text else DEFAULT_TTL,
        keep_on_failure=bool(_opt(config, "mimirkafka_keep_on_failure")),
        tls_dir=_opt(config, "mimirkafka_tls_dir"),
    )
    stack = cm.__enter__()
    junit = _opt(config, "mimirkafka_junit")
    if junit and stack.report is not None:
        write_junit(junit, stack.report, properties={"stack": stack.name})
    try:
        yield stack
    except BaseException as exc:  # pytest does not throw into fixtures, but a plugin might
        if not cm.__exit__(type(exc), exc, exc.__traceback__):
            raise
        return
    failed = request.session.testsfailed
    if failed:
        err = TestsFailed(f"{failed} test(s) failed")
        cm.__exit__(TestsFailed, err, None)
    else:
        cm.__exit__(None, None, None)
