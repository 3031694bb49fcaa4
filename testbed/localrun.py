"""Run ``up``/``preview``/``refresh``/``destroy`` of a stack of this project through the Automation API.

Why: the Python language host (``pulumi-language-python``) cannot be built offline here, so the stack is
run with an *inline* program (:func:`mimirkafka.stack.deploy.run`): the SDK serves the language runtime
itself and the CLI only needs the engine and the provider plugins. Users with a normal Pulumi install
can equally run ``pulumi up -s local`` in the repository root; both read ``Pulumi.yaml`` and
``stacks/Pulumi.<stack>.yaml``.

State: ``$PULUMI_BACKEND_URL`` if set, else ``file://<repo>/.pulumi-state``. Secrets: the passphrase
provider (``PULUMI_CONFIG_PASSPHRASE`` or ``PULUMI_CONFIG_PASSPHRASE_FILE``, which ``scripts/up-local``
generates under ``.local/``). Progress streams to stdout; outputs are printed with secrets masked.

CLI: ``python -m testbed.localrun up --stack local``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from mimirkafka.stack import deploy as program
from pulumi import automation as auto

Action = Literal["up", "preview", "refresh", "destroy"]
REPO_ROOT = Path(__file__).resolve().parents[1]
PROJECT_NAME = "mimir-kafka"


def backend_url(repo: Path = REPO_ROOT) -> str:
    url = os.environ.get("PULUMI_BACKEND_URL")
    if url:
        return url
    state = repo / ".pulumi-state"
    state.mkdir(exist_ok=True)
    return f"file://{state}"


def workspace_env(repo: Path = REPO_ROOT, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {
        "PULUMI_BACKEND_URL": backend_url(repo),
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": os.environ.get(
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION", "true"
        ),
    }
    if "PULUMI_CONFIG_PASSPHRASE" not in os.environ and "PULUMI_CONFIG_PASSPHRASE_FILE" not in os.environ:
        raise SystemExit(
            "PULUMI_CONFIG_PASSPHRASE(_FILE) is not set: the stack's secrets are encrypted with a "
            "passphrase. "
            "Run ./scripts/up-local (it generates .local/passphrase) or export one."
        )
    env.update(extra or {})
    return env


#: Stack-settings keys that belong to this machine, not to the repository: the passphrase salt and
#: whatever the secrets provider wrote. They stay in the overlay and never reach ``stacks/``.
_MACHINE_KEYS = ("encryptionsalt", "secretsprovider", "encryptedkey")


def overlay_workspace(stack: str, repo: Path = REPO_ROOT) -> Path:
    """A git-ignored copy of the project settings under ``.local/workspace`` for ``stack``.

    Why: the passphrase salt and generated secret config (``kafkaPassword``) are per machine. Writing
    them into the tracked ``stacks/Pulumi.<stack>.yaml`` would leave every newcomer's clone modified
    after the first run. The overlay takes the tracked config on every run (so edits to ``stacks/``
    win) and keeps only the machine's own salt and secret values.
    """
    ws = repo / ".local" / "workspace"
    (ws / "stacks").mkdir(parents=True, exist_ok=True)
    shutil.copy2(repo / "Pulumi.yaml", ws / "Pulumi.yaml")
    tracked_file = repo / "stacks" / f"Pulumi.{stack}.yaml"
    tracked = yaml.safe_load(tracked_file.read_text()) if tracked_file.exists() else None
    local_file = ws / "stacks" / f"Pulumi.{stack}.yaml"
    local = yaml.safe_load(local_file.read_text()) if local_file.exists() else None
    tracked, local = tracked or {}, local or {}
    merged: dict[str, Any] = {k: local[k] for k in _MACHINE_KEYS if k in local}
    config = {k: v for k, v in (local.get("config") or {}).items() if isinstance(v, dict) and "secure" in v}
    config.update(tracked.get("config") or {})
    if config:
        merged["config"] = config
    local_file.write_text(
        f"# Generated from stacks/Pulumi.{stack}.yaml by testbed.localrun; machine-local, not tracked.\n"
        + yaml.safe_dump(merged, sort_keys=False)
    )
    return ws


def select_stack(
    stack: str,
    repo: Path = REPO_ROOT,
    env: Mapping[str, str] | None = None,
    pulumi_fn: Callable[[], None] | None = None,
) -> auto.Stack:
    """Creates or selects ``stack`` of this project, with ``program.run`` as its inline program."""

    def default_program() -> None:
        program.run(root=repo)

    fn = pulumi_fn or default_program
    opts = auto.LocalWorkspaceOptions(
        work_dir=str(overlay_workspace(stack, repo)),
        env_vars=workspace_env(repo, env),
        secrets_provider="passphrase",
    )
    # project_name + program = an inline program (the SDK serves the language runtime; no
    # pulumi-language-python binary needed); work_dir makes the CLI use this Pulumi.yaml and the
    # overlay of stacks/ (see overlay_workspace).
    return auto.create_or_select_stack(stack_name=stack, project_name=PROJECT_NAME, program=fn, opts=opts)


def ensure_generated_secrets(s: auto.Stack, keys: tuple[str, ...] = ("kafkaPassword",)) -> list[str]:
    """Sets each missing secret key to a random value (``pulumi config set --secret``); returns those set.

    The local stack generates Mimir's password here rather than with a ``random`` resource, so it needs
    no extra provider plugin; the value lives only encrypted in the machine-local overlay
    (``.local/workspace/stacks``).
    """
    import secrets as pysecrets

    config = s.get_all_config()
    created = []
    for key in keys:
        full = f"{PROJECT_NAME}:{key}"
        if full not in config or not config[full].value:
            s.set_config(full, auto.ConfigValue(value=pysecrets.token_urlsafe(24), secret=True))
            created.append(key)
    return created


def run(
    action: Action,
    stack: str,
    *,
    refresh: bool = False,
    generate_secrets: bool = False,
    reset_state: bool = False,
    repo: Path = REPO_ROOT,
) -> dict[str, Any]:
    """Runs ``action`` on ``stack``; returns the stack outputs (secret values replaced by ``"***"``)."""
    s = select_stack(stack, repo)
    if reset_state:
        # The resources in this state lived in a broker that is gone (a fresh local broker has empty
        # data): refreshing would fail on the rendered Kubernetes side, which cannot be read back, and
        # deleting them is meaningless. A fresh state is the honest picture of a fresh environment.
        s.workspace.remove_stack(stack, force=True)
        s = select_stack(stack, repo)
    if generate_secrets:
        for key in ensure_generated_secrets(s):
            print(f"generated secret config {key} for stack {stack} (pulumi config get {key} -s {stack})")

    def out(line: str) -> None:
        sys.stdout.write(line if line.endswith("\n") else line + "\n")
        sys.stdout.flush()

    if action == "up":
        s.up(on_output=out, refresh=refresh, show_secrets=False, color="never")
    elif action == "preview":
        s.preview(on_output=out, refresh=refresh, color="never")
    elif action == "refresh":
        s.refresh(on_output=out, color="never")
    else:
        s.destroy(on_output=out, color="never")
        return {}
    return {k: ("***" if v.secret else v.value) for k, v in s.outputs().items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run a stack of this project with the Automation API.")
    parser.add_argument("action", choices=["up", "preview", "refresh", "destroy"])
    parser.add_argument("--stack", "-s", default="local")
    parser.add_argument("--refresh", action="store_true", help="refresh state from reality first")
    parser.add_argument(
        "--generate-secrets", action="store_true", help="set a random kafkaPassword if the stack has none"
    )
    parser.add_argument(
        "--reset-state",
        action="store_true",
        help="forget the stack's state first (its Kafka was replaced by a fresh, empty one)",
    )
    args = parser.parse_args(argv)
    outputs = run(
        args.action,
        args.stack,
        refresh=args.refresh,
        generate_secrets=args.generate_secrets,
        reset_state=args.reset_state,
    )
    if outputs:
        import json

        print("\nStack outputs (secrets masked):")
        print(json.dumps(outputs, indent=2, sort_keys=True, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
