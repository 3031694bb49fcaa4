"""Benchmark: a no-op ``preview`` of the ``local`` stack against a bare one-topic pulumi-kafka program.

Both run on the same engine, plugins and broker (the test bed's), through the Automation API with an
inline program, after one ``up`` each. Prints the median of ``--runs`` previews of each, their ratio,
and how long the pure plan (:func:`mimirkafka.stack.plan.plan_stack`) of every shipped stack takes.
Not a timed test: numbers depend on the machine. Run after ``scripts/toolchain`` (its ``--env``):

    eval "$(./scripts/toolchain --env)"; .venv/bin/python -m testbed.bench_preview --runs 5
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml
from pulumi import automation as auto

from testbed.devbroker import Broker

REPO = Path(__file__).resolve().parents[1]
PLUGINS = {"kafka": "3.13.0", "kubernetes": "4.32.0"}
PASSPHRASE = "bench"


def _env(home: Path, state: Path) -> dict[str, str]:
    return {
        "PULUMI_HOME": str(home),
        "PULUMI_BACKEND_URL": f"file://{state}",
        "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "PULUMI_IGNORE_AMBIENT_PLUGINS": "true",
    }


def _install_plugins(env: dict[str, str]) -> None:
    for name, version in PLUGINS.items():
        binary = shutil.which(f"pulumi-resource-{name}")
        if binary is None:
            raise SystemExit(f'pulumi-resource-{name} is not on PATH: eval "$(./scripts/toolchain --env)"')
        subprocess.run(
            ["pulumi", "plugin", "install", "resource", name, version, "--file", binary],
            check=True,
            capture_output=True,
            env={**os.environ, **env},
        )


def _median_preview(st: auto.Stack, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        summary = st.preview().change_summary
        times.append(time.perf_counter() - t0)
        if any(op != "same" for op, n in summary.items() if n):
            raise SystemExit(f"{st.name}: the preview is not a no-op: {summary}")
    return statistics.median(times)


def _local_project(work: Path, broker_json: Path) -> Path:
    project = work / "project"
    (project / "stacks").mkdir(parents=True)
    shutil.copy(REPO / "Pulumi.yaml", project / "Pulumi.yaml")
    doc = yaml.safe_load((REPO / "stacks" / "Pulumi.local.yaml").read_text())
    doc.pop("encryptionsalt", None)
    config = {k: v for k, v in doc["config"].items() if not isinstance(v, dict)}
    config["mimir-kafka:kafkaBrokerInfoFile"] = str(broker_json)
    # The doctor's preflight is a separate, opt-in cost (it talks to the broker); off for the comparison.
    config["mimir-kafka:kafkaPreflight"] = False
    doc["config"] = config
    (project / "stacks" / "Pulumi.local.yaml").write_text(yaml.safe_dump(doc))
    return project


def _bare_program(address: str, user: str, password: str) -> Any:
    def program() -> None:
        import pulumi
        import pulumi_kafka as kafka

        provider = kafka.Provider(
            "admin",
            bootstrap_servers=[address],
            sasl_mechanism="plain",
            sasl_username=user,
            sasl_password=pulumi.Output.secret(password),
            tls_enabled=False,
        )
        kafka.Topic(
            "topic",
            name="bench-bare",
            partitions=3,
            replication_factor=1,
            config={"max.message.bytes": "16000000"},
            opts=pulumi.ResourceOptions(provider=provider),
        )

    return program


def plan_times(runs: int, broker_json: Path) -> dict[str, tuple[float, str]]:
    """Median milliseconds of the pure plan of every shipped stack (no engine), and its outcome."""
    from mimirkafka.contract.errors import ContractError
    from mimirkafka.stack.plan import Secrets, plan_stack
    from mimirkafka.stack.report import read_stack_file

    out: dict[str, tuple[float, str]] = {}
    for path in sorted((REPO / "stacks").glob("Pulumi.*.yaml")):
        stack = path.name.split(".")[1]
        raw, secrets = read_stack_file(REPO, stack)
        secrets |= {"kafkaPassword", "kafkaAdminPassword"}
        if stack == "local":
            raw["kafkaBrokerInfoFile"] = str(broker_json)
        times, outcome = [], "planned"
        for _ in range(runs):
            t0 = time.perf_counter()
            try:
                plan_stack(
                    raw,
                    secrets=Secrets("x" * 16, None, "y" * 16),
                    secrets_set=secrets,
                    stack=stack,
                    root=REPO,
                )
            except ContractError as e:
                outcome = f"refused ({len(e.problems)} problems)"
            times.append((time.perf_counter() - t0) * 1000)
        out[stack] = (statistics.median(times), outcome)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m testbed.bench_preview", description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="mimirkafka-bench-") as tmp:
        work = Path(tmp)
        env = _env(work / "home", work / "state")
        (work / "state").mkdir()
        _install_plugins(env)
        os.environ.update(env)
        broker = Broker(workdir=work / "broker")
        info = broker.start()
        try:
            broker_json = work / "broker.json"
            broker_json.write_text(info.to_json())
            for stack, (ms, outcome) in plan_times(args.runs, broker_json).items():
                print(f"pure plan of {stack:9} {ms:7.1f} ms (median of {args.runs}): {outcome}")
            project = _local_project(work, broker_json)

            from mimirkafka.stack import deploy

            def local_program() -> None:
                deploy.run(root=project)

            local = auto.create_or_select_stack(
                stack_name="local",
                project_name="mimir-kafka",
                program=local_program,
                opts=auto.LocalWorkspaceOptions(work_dir=str(project), env_vars=env),
            )
            local.set_config("kafkaPassword", auto.ConfigValue("bench-password-123456", secret=True))
            plain = info.listeners["sasl_plain"]
            (work / "bare").mkdir(exist_ok=True)
            bare = auto.create_or_select_stack(
                stack_name="bare",
                project_name="bench-bare",
                program=_bare_program(plain.address, info.admin_user, info.admin_password),
                opts=auto.LocalWorkspaceOptions(
                    work_dir=str(work / "bare"),
                    env_vars=env,
                    project_settings=auto.ProjectSettings(name="bench-bare", runtime="python"),
                ),
            )
            for st in (local, bare):
                st.up()
            n_local = len((local.export_stack().deployment or {})["resources"])
            n_bare = len((bare.export_stack().deployment or {})["resources"])
            t_local = _median_preview(local, args.runs)
            t_bare = _median_preview(bare, args.runs)
            print(
                f"no-op preview, local stack ({n_local} resources): {t_local:.2f} s (median of {args.runs})"
            )
            print(f"no-op preview, bare one-topic program ({n_bare} resources): {t_bare:.2f} s")
            print(f"ratio: {t_local / t_bare:.2f}x")
            for st in (local, bare):
                st.destroy()
        finally:
            broker.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
