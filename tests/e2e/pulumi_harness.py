"""Runs the real Pulumi engine offline through the Automation API.

* local file backend (``file://<dir>``) and the passphrase secrets provider: no Pulumi Cloud;
* ``PULUMI_HOME`` in a private directory, with the provider plugins from ``scripts/toolchain`` installed
  at exactly the versions the pinned Python SDKs ask for (the engine matches plugin versions exactly);
  ambient plugins on ``PATH`` are ignored so that a test cannot silently use another build;
* the program is always an *inline* program: the Python SDK then serves the language runtime itself
  and runs the CLI with ``--client``, so no ``pulumi-language-python`` binary is needed (the Go proxy
  here does not serve its module; see docs/testbed.md). The inline runtime also reports no required
  plugins, so plugins of installed-but-unused SDKs (pulumi-aws) are never loaded.
"""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pulumi import automation as auto

REPO = Path(__file__).resolve().parents[2]
PASSPHRASE = "mimirkafka-e2e"
#: plugin name -> version: the versions in the pinned SDK wheels' pulumi-plugin.json.
PLUGINS = {"kafka": "3.13.0", "kubernetes": "4.32.0"}


@dataclass(frozen=True)
class PulumiSandbox:
    """A private PULUMI_HOME and state backend; ``env`` is what every CLI invocation gets."""

    root: Path
    env: dict[str, str]

    @property
    def backend_url(self) -> str:
        return self.env["PULUMI_BACKEND_URL"]


def _find_on_path(name: str, path: str) -> Path:
    for d in path.split(os.pathsep):
        candidate = Path(d) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise FileNotFoundError(f"{name} is not on PATH; run scripts/toolchain")


def make_sandbox(root: Path, base_env: Mapping[str, str] | None = None) -> PulumiSandbox:
    """Creates ``root/home`` (plugins installed) and ``root/state`` (the file backend)."""
    base = dict(base_env if base_env is not None else os.environ)
    home, state = root / "home", root / "state"
    home.mkdir(parents=True, exist_ok=True)
    state.mkdir(parents=True, exist_ok=True)
    env = {
        "PATH": base["PATH"],
        "PULUMI_HOME": str(home),
        "PULUMI_BACKEND_URL": f"file://{state}",
        "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "PULUMI_IGNORE_AMBIENT_PLUGINS": "true",
        "PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK": "false",
    }
    for name, version in PLUGINS.items():
        binary = _find_on_path(f"pulumi-resource-{name}", base["PATH"])
        subprocess.run(
            ["pulumi", "plugin", "install", "resource", name, version, "--file", str(binary)],
            check=True,
            capture_output=True,
            text=True,
            env={**base, **env},
        )
    return PulumiSandbox(root, env)


def inline_stack(
    sandbox: PulumiSandbox,
    project: str,
    stack: str,
    program: Callable[[], None],
    *,
    work_dir: Path | None = None,
    config: Mapping[str, auto.ConfigValue] | None = None,
) -> auto.Stack:
    """Creates (or selects) ``stack`` of ``project`` running ``program`` in this process.

    With ``work_dir`` the project's own Pulumi.yaml (and its ``stackConfigDir``) is used, so the stack's
    committed config file applies; otherwise a throw-away project in the sandbox.
    """
    if work_dir is None:
        work_dir = sandbox.root / "projects" / project
        work_dir.mkdir(parents=True, exist_ok=True)
        opts = auto.LocalWorkspaceOptions(
            work_dir=str(work_dir),
            env_vars=sandbox.env,
            project_settings=auto.ProjectSettings(name=project, runtime="python"),
        )
    else:
        opts = auto.LocalWorkspaceOptions(work_dir=str(work_dir), env_vars=sandbox.env)
    # The CLI is started by the SDK with the workspace env merged into os.environ, but the inline
    # program runs in this process: PULUMI_* must be visible here too (secrets, config).
    os.environ.update(sandbox.env)
    st = auto.create_or_select_stack(stack_name=stack, project_name=project, program=program, opts=opts)
    if config:
        st.set_all_config(dict(config))
    return st


def project_program(main_file: Path = REPO / "__main__.py") -> Callable[[], None]:
    """The project's ``__main__.py`` as an inline program (what ``pulumi up`` would run)."""

    def run() -> None:
        sys.path.insert(0, str(main_file.parent))
        try:
            runpy.run_path(str(main_file), run_name="__main__")
        finally:
            sys.path.remove(str(main_file.parent))

    return run


def no_changes(summary: Mapping[str, Any]) -> bool:
    """True when a preview/update summary holds only ``same`` operations."""
    return all(op == "same" for op, n in summary.items() if n)


def copy_project(stack: str, dest: Path) -> Path:
    """Copies ``Pulumi.yaml`` and ``stacks/Pulumi.<stack>.yaml`` to ``dest`` (a throw-away project).

    The stack file loses its ``encryptionsalt`` and ``secure:`` values: they belong to whoever ran the
    stack with their own passphrase; the test sets the secrets it needs with its own."""
    import yaml

    (dest / "stacks").mkdir(parents=True, exist_ok=True)
    (dest / "Pulumi.yaml").write_text((REPO / "Pulumi.yaml").read_text())
    doc = yaml.safe_load((REPO / "stacks" / f"Pulumi.{stack}.yaml").read_text()) or {}
    doc.pop("encryptionsalt", None)
    doc["config"] = {
        k: v for k, v in (doc.get("config") or {}).items() if not (isinstance(v, dict) and "secure" in v)
    }
    (dest / "stacks" / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    return dest


def with_backend(sandbox: PulumiSandbox, state_dir: Path) -> PulumiSandbox:
    """The same PULUMI_HOME (plugins) with another state backend, so stacks of the same name
    (e.g. several ``local`` stacks, one per authentication method) cannot collide."""
    state_dir.mkdir(parents=True, exist_ok=True)
    return PulumiSandbox(state_dir.parent, {**sandbox.env, "PULUMI_BACKEND_URL": f"file://{state_dir}"})
