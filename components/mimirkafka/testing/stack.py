"""``ephemeral_stack``: a fresh stack of a Pulumi project for one test run or CI job, always destroyed.

Deploy, validate, destroy (Terratest's pattern; Pulumi's ProgramTest does up, checks, destroy):

1. names: one id from the CI job (or random) makes the stack, topic, Mimir user, Helm release,
   namespace and consumer-group prefix unique (:mod:`names`), so parallel jobs never collide;
2. a throw-away workspace: the project's ``Pulumi.yaml`` and the base stack's config (its committed
   ``Pulumi.<base>.yaml`` without the base's salt and ``secure:`` values) plus those names, with
   ``topicProtect=false``; a SCRAM password is generated as a Pulumi secret when none is given;
3. stack tags in the backend: ephemeral (created at), expires-at, CI job (:mod:`expiry`), so
   ``mimirkafka ephemeral reap`` finds it even if this process is killed;
4. ``up`` with the engine's progress streamed line by line (``on_output``);
5. the doctor's checks against the new stack's outputs, connecting as Mimir would;
6. yields an :class:`EphemeralStack` (outputs, doctor report);
7. always ``destroy`` and ``stack rm``: after the block, on any exception, on Ctrl-C and on SIGTERM
   (the signal a CI runner sends on cancel, see :mod:`signals`), unless ``keep_on_failure`` and the
   block failed, in which case it prints how to remove the stack.

The program runs inline through the Automation API (the SDK serves the language runtime; no
``pulumi-language-python`` needed); by default it is this package's stack program
(:func:`mimirkafka.stack.deploy.run`) with the project directory as root, so relative paths in the
stack config resolve as they do for ``pulumi up``.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets as pysecrets
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from pulumi import automation as auto

from mimirkafka.doctor.report import Report
from mimirkafka.testing import expiry
from mimirkafka.testing.names import DEFAULT_PREFIX, EphemeralNames, ci_job
from mimirkafka.testing.signals import SigtermGuard, Terminated, pulumi_children, sigterm_raises

Output = Callable[[str], None]


class EphemeralStackError(RuntimeError):
    """Creating, deploying or checking the ephemeral stack failed (the stack is removed unless kept)."""


def print_line(line: str) -> None:
    sys.stdout.write(line if line.endswith("\n") else line + "\n")
    sys.stdout.flush()


@dataclass
class EphemeralStack:
    """What the block gets: the live stack, its names, outputs (secrets in clear: never print them) and
    the doctor's report. ``timings`` (seconds) gains ``destroy`` after the block."""

    names: EphemeralNames
    stack: auto.Stack
    project_dir: Path
    work_dir: Path
    project: str
    expires_at: datetime
    tags: dict[str, str]
    outputs: dict[str, Any] = field(default_factory=dict, repr=False)
    report: Report | None = None
    timings: dict[str, float] = field(default_factory=dict)
    removed: bool = False

    @property
    def name(self) -> str:
        return self.names.stack

    @property
    def render_dir(self) -> Path:
        """Where a ``renderOnly`` stack wrote its Kubernetes manifests and Mimir values."""
        return self.work_dir / "rendered" / self.name

    def output(self, key: str) -> Any:
        return self.outputs[key]

    def removal_hint(self) -> str:
        backend = os.environ.get("PULUMI_BACKEND_URL", "your default backend (pulumi login)")
        return (
            f"kept ephemeral stack {self.name} (project {self.project}, backend {backend}); "
            f"it expires at {expiry.iso(self.expires_at)}.\n"
            f"  inspect: cd {self.work_dir} && pulumi stack output --stack {self.name}\n"
            f"  remove:  mimirkafka ephemeral reap --stack {self.name} --yes"
            "  (same PULUMI_BACKEND_URL and passphrase; add --kafka-bootstrap ... to also sweep Kafka)"
        )


def _project_settings(project_dir: Path) -> dict[str, Any]:
    path = project_dir / "Pulumi.yaml"
    if not path.is_file():
        raise EphemeralStackError(f"{path}: no Pulumi.yaml; pass project_dir= the directory that holds it")
    doc = yaml.safe_load(path.read_text()) or {}
    if not isinstance(doc, dict) or not doc.get("name"):
        raise EphemeralStackError(f"{path}: no project name")
    return doc


def base_config(project_dir: Path, base_stack: str) -> dict[str, Any]:
    """The base stack's committed config, less what belongs to whoever ran it: ``encryptionsalt`` and
    ``secure:`` values (encrypted with their passphrase; the ephemeral stack gets its own)."""
    settings = _project_settings(project_dir)
    path = project_dir / settings.get("stackConfigDir", ".") / f"Pulumi.{base_stack}.yaml"
    if not path.is_file():
        raise EphemeralStackError(f"base stack {base_stack!r}: no config file {path}")
    doc = yaml.safe_load(path.read_text()) or {}
    return {k: v for k, v in (doc.get("config") or {}).items() if not (isinstance(v, dict) and "secure" in v)}


def _qualify(project: str, key: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def write_workspace(
    project_dir: Path, work_dir: Path, stack: str, config: Mapping[str, Any]
) -> tuple[str, Path]:
    """``work_dir``/Pulumi.yaml (the project's) and the stack's config file; returns (project, file)."""
    settings = _project_settings(project_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy2(project_dir / "Pulumi.yaml", work_dir / "Pulumi.yaml")
    config_dir = work_dir / settings.get("stackConfigDir", ".")
    config_dir.mkdir(parents=True, exist_ok=True)
    path = config_dir / f"Pulumi.{stack}.yaml"
    path.write_text(
        "# Ephemeral stack written by mimirkafka.testing.ephemeral_stack; removed with the stack.\n"
        + yaml.safe_dump({"config": dict(config)}, sort_keys=False)
    )
    return str(settings["name"]), path


def _auth_of(config: Mapping[str, Any], project: str) -> str:
    return str(config.get(f"{project}:kafkaAuth", "scram-sha-512"))


@contextlib.contextmanager
def _environ(extra: Mapping[str, str] | None) -> Iterator[None]:
    """The workspace variables also in ``os.environ``: the inline program runs in this process and
    reads PULUMI_* (config, secrets) from it."""
    if not extra:
        yield
        return
    saved = {k: os.environ.get(k) for k in extra}
    os.environ.update(extra)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _wait_for_pulumi_children(timeout: float, out: Output | None) -> None:
    """A cancelled command may still be writing its state: wait, then ask it to stop (SIGINT)."""
    deadline = time.monotonic() + timeout
    asked = False
    while (kids := pulumi_children()) and time.monotonic() < deadline:
        if not asked and time.monotonic() > deadline - timeout / 2:
            for pid in kids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGINT)
            asked = True
        time.sleep(0.2)
    for pid in pulumi_children():
        if out:
            out(f"[ephemeral] pulumi (pid {pid}) did not stop; killing it")
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def destroy_and_remove(stack: auto.Stack, out: Output | None) -> None:
    """``destroy`` then ``stack rm``; a lock left by a killed command is released first (``cancel``)."""
    kw: dict[str, Any] = {"color": "never"}
    if out:
        kw["on_output"] = out
    try:
        stack.destroy(**kw)
    except auto.CommandError as exc:
        if "locked" not in str(exc):
            raise
        if out:
            out(f"[ephemeral] {stack.name} is locked by a command that is gone; releasing the lock")
        auto.PulumiCommand().run(
            ["cancel", "--yes", "--stack", stack.name],
            stack.workspace.work_dir,
            dict(stack.workspace.env_vars),
        )
        stack.destroy(**kw)
    stack.workspace.remove_stack(stack.name)


def run_doctor(
    outputs: Mapping[str, Any], *, tls_dir: str | Path | None, options: Any | None, out: Output | None
) -> Report:
    """The doctor's checks against the stack's outputs (``mimirkafka doctor --stack-outputs``)."""
    from mimirkafka.doctor.checks import DoctorOptions, run_checks
    from mimirkafka.doctor.inputs import InputError, from_stack_outputs, with_tls_dir

    try:
        loaded = from_stack_outputs(json.dumps(dict(outputs), default=str), {})
    except InputError as exc:
        raise EphemeralStackError(
            f"doctor: cannot read the stack outputs ({exc}); pass doctor=False for a program that does "
            "not export Mimir's ingest_storage settings"
        ) from exc
    contract = with_tls_dir(loaded.contract, str(tls_dir)) if tls_dir else loaded.contract
    opts = options or DoctorOptions(progress=out)
    return run_checks(contract, opts)


#: Stack config key for the expiry label/tag on resources (proposed to the stack's owner; used when
#: ``mimirkafka.stack.keys`` declares it).
EXPIRY_KEY = "expiresAt"


def _stack_keys() -> set[str]:
    from mimirkafka.stack.keys import KEYS_BY_NAME

    return set(KEYS_BY_NAME)


@contextlib.contextmanager
def ephemeral_stack(
    project_dir: str | Path = ".",
    base_stack: str = "local",
    *,
    program: Callable[[], None] | None = None,
    overrides: Mapping[str, str] | None = None,
    secrets: Mapping[str, str] | None = None,
    names: EphemeralNames | None = None,
    prefix: str = DEFAULT_PREFIX,
    ttl: timedelta = expiry.DEFAULT_TTL,
    keep_on_failure: bool = False,
    env: Mapping[str, str] | None = None,
    on_output: Output | None = print_line,
    doctor: bool = True,
    doctor_options: Any | None = None,
    tls_dir: str | Path | None = None,
    doctor_must_pass: bool = False,
    work_root: str | Path | None = None,
) -> Iterator[EphemeralStack]:
    """A fresh stack of the project in ``project_dir`` configured like ``base_stack``; see the module doc.

    ``overrides``: more stack config (``key`` or ``namespace:key`` -> value), applied last, so they
    win over the generated names too. ``secrets``: secret config values (e.g. ``kafkaPassword``).
    ``env``: variables for the Pulumi CLI and the program (``PULUMI_BACKEND_URL``, the passphrase).
    ``tls_dir``: where the doctor finds the TLS files Mimir's config names (a copy of the Secret).
    ``doctor_must_pass``: a failing doctor report fails the block (the stack is still removed).
    """
    out = on_output
    root = Path(project_dir).resolve()
    nm = names or EphemeralNames.from_env(os.environ, prefix)
    job = ci_job(os.environ)
    now = datetime.now(UTC)
    expires_at = now + ttl
    config: dict[str, Any] = {}
    project = str(_project_settings(root)["name"])
    config.update(base_config(root, base_stack))
    work_dir = Path(tempfile.mkdtemp(prefix=f"{nm.stack}-", dir=work_root))
    # Rendered files (renderOnly stacks) go to the workspace, not into the project: removed with it.
    generated = {**nm.config_overrides(), "renderDir": str(work_dir / "rendered")}
    if program is None and EXPIRY_KEY in _stack_keys():
        # The package's own program labels/tags what takes a label with the expiry (once the stack
        # declares the key; until then the expiry lives in the stack tags only).
        generated[EXPIRY_KEY] = expiry.iso(expires_at)
    for key, value in {**generated, **dict(overrides or {})}.items():
        config[_qualify(project, key)] = value
    secret_values = dict(secrets or {})
    if _auth_of(config, project).startswith("scram") and "kafkaPassword" not in secret_values:
        secret_values["kafkaPassword"] = pysecrets.token_urlsafe(24)
    write_workspace(root, work_dir, nm.stack, config)
    tags = expiry.stack_tags(now, ttl, job.tag if job else f"local:{nm.id}")

    def default_program() -> None:
        from mimirkafka.stack import deploy

        deploy.run(root=root)

    es: EphemeralStack | None = None
    failure: BaseException | None = None
    with _environ(env), sigterm_raises() as guard:
        try:
            t0 = time.monotonic()
            opts = auto.LocalWorkspaceOptions(work_dir=str(work_dir), env_vars=dict(env or {}))
            try:
                # create (not create_or_select): a name already in the backend is a collision, not ours.
                stack = auto.create_stack(
                    stack_name=nm.stack, project_name=project, program=program or default_program, opts=opts
                )
            except auto.StackAlreadyExistsError as exc:
                raise EphemeralStackError(
                    f"stack {nm.stack} already exists in the backend: another job uses the same id; "
                    "pass names=EphemeralNames(<another id>)"
                ) from exc
            es = EphemeralStack(nm, stack, root, work_dir, project, expires_at, tags)
            _tag(stack, tags, out)
            if secret_values:
                stack.set_all_config(
                    {_qualify(project, k): auto.ConfigValue(v, secret=True) for k, v in secret_values.items()}
                )
            es.timings["create"] = time.monotonic() - t0
            if out:
                out(f"[ephemeral] stack {nm.stack}: up (expires {expiry.iso(expires_at)})")
            t0 = time.monotonic()
            try:
                up = stack.up(on_output=out, color="never") if out else stack.up(color="never")
            except auto.CommandError as exc:
                guard.raise_if_received()
                raise EphemeralStackError(f"up of ephemeral stack {nm.stack} failed:\n{exc}") from exc
            es.timings["up"] = time.monotonic() - t0
            guard.raise_if_received()
            es.outputs = {k: v.value for k, v in up.outputs.items()}
            if doctor:
                t0 = time.monotonic()
                es.report = run_doctor(es.outputs, tls_dir=tls_dir, options=doctor_options, out=out)
                es.timings["doctor"] = time.monotonic() - t0
                if out:
                    out(es.report.render_table())
                if doctor_must_pass and es.report.failures():
                    raise EphemeralStackError(es.report.failure_message())
            yield es
        except BaseException as exc:
            failure = exc
            raise
        finally:
            _finish(es, work_dir, failure, keep_on_failure, guard, out)


def _tag(stack: auto.Stack, tags: Mapping[str, str], out: Output | None) -> None:
    for key, value in tags.items():
        try:
            stack.workspace.set_tag(stack.name, key, value)
        except auto.CommandError as exc:  # a backend without stack tags: the reaper falls back on age
            if out:
                out(f"[ephemeral] warning: cannot tag {stack.name} ({exc}); the reaper will go by its age")
            return


def _finish(
    es: EphemeralStack | None,
    work_dir: Path,
    failure: BaseException | None,
    keep_on_failure: bool,
    guard: SigtermGuard,
    out: Output | None,
) -> None:
    # Keep only for a failure of the run itself; a cancel (Ctrl-C, SIGTERM) always cleans up.
    cancelled = isinstance(failure, KeyboardInterrupt | Terminated)
    if es is not None and failure is not None and keep_on_failure and not cancelled:
        print_line(es.removal_hint())
        return
    guard.deferred = True  # a second SIGTERM must not interrupt destroy
    if es is None:
        shutil.rmtree(work_dir, ignore_errors=True)
        return
    t0 = time.monotonic()
    try:
        _wait_for_pulumi_children(30.0, out)
        if out:
            out(f"[ephemeral] stack {es.name}: destroy")
        destroy_and_remove(es.stack, out)
        es.removed = True
    except Exception as exc:
        msg = (
            f"[ephemeral] could not remove stack {es.name}: {exc}\n"
            f"  remove it later: mimirkafka ephemeral reap --stack {es.name} --yes"
        )
        if failure is None:
            raise EphemeralStackError(msg) from exc
        print_line(msg)  # the run's own failure stays the exception the caller sees
    finally:
        es.timings["destroy"] = time.monotonic() - t0
        shutil.rmtree(work_dir, ignore_errors=True)
    if failure is None:
        guard.raise_if_received()
