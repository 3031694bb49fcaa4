"""The wheel a team installs: the package only (no test bed, no tests, no test data), and it lives next
to *other* versions than the ones this repository pins: a fresh venv with the floors of the supported
ranges (pulumi 3.231.0, another minor than constraints.txt's; PyYAML 6.0.1; cryptography 44.0.0) and
whatever newest versions the ranges allow for the rest, then the README's component example runs
under Pulumi's mocks. Slow (a fresh venv from PyPI), hence e2e."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]
#: The floors of pyproject's ranges that differ from constraints.txt.
FLOORS = {"pulumi": "3.231.0", "PyYAML": "6.0.1", "cryptography": "44.0.0"}

SCRIPT = r"""
import importlib.metadata as md, json, re, sys
import pulumi

readme = open(sys.argv[1]).read()
section = readme.split("## Use the components in your own Pulumi program", 1)[1]
code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
types = []


class Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args):
        types.append(args.typ)
        return [f"{args.name}-id", dict(args.inputs)]

    def call(self, args):
        return {}


pulumi.runtime.set_mocks(Mocks(), project="team", stack="dev", preview=False)


@pulumi.runtime.test
def run():
    ns = {}
    exec(compile(code, "README.md", "exec"), ns)
    return ns["mimir"].ingest_storage_masked.apply(lambda v: v)


run()
eps = [e.value for e in md.entry_points(group="pytest11") if e.name == "mimirkafka"]
import mimirkafka.testing.stack, mimirkafka.testing.reaper  # (the plugin module needs pytest)
print(json.dumps({
    "versions": {n: md.version(n) for n in ("pulumi", "pulumi-aws", "pulumi-kafka", "pulumi-kubernetes",
                                               "PyYAML", "cryptography", "kafka-python")},
    "types": sorted(set(types)),
    "pytest11": eps,
}))
"""


def test_wheel_installs_next_to_other_pulumi_versions_and_runs_the_readme_example(tmp_path: Path) -> None:
    t0 = time.monotonic()
    # Build from a copy: a build in the shared checkout would leave build/ and *.egg-info behind.
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, src / name)
    shutil.copytree(REPO / "components", src / "components", ignore=shutil.ignore_patterns("__pycache__"))
    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--disable-pip-version-check",
            "-w",
            str(dist),
            str(src),
        ],
        check=True,
        timeout=300,
    )
    (wheel,) = dist.glob("mimirkafka-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/", 1)[0] for n in names}
    assert tops == {
        "mimirkafka",
        re.sub(r"-py3.*", "", wheel.name.replace("-0.1.0", "-0.1.0")) + ".dist-info",
    }
    assert "mimirkafka/testing/pytest_plugin.py" in names and "mimirkafka/py.typed" in names
    assert not [n for n in names if re.search(r"(^|/)(tests?|testbed)(/|$)", n) and "/testing/" not in n]
    print(f"\n[e2e] wheel {wheel.name}: {len(names)} files, top-level {sorted(tops)}")

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    py = venv / "bin" / "python"
    pins = [f"{k}=={v}" for k, v in FLOORS.items()]
    install = subprocess.run(
        [str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel), *pins],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]
    run = subprocess.run(
        [str(py), "-c", SCRIPT, str(REPO / "README.md")],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    import json

    result = json.loads(run.stdout.strip().splitlines()[-1])
    print(f"[e2e] fresh venv: {result['versions']} ({time.monotonic() - t0:.0f}s)")
    for name, version in FLOORS.items():
        assert result["versions"][name] == version
    assert "kubernetes:kafka.strimzi.io/v1:Kafka" in result["types"]
    assert "kubernetes:helm.sh/v3:Release" in result["types"]
    assert result["pytest11"] == ["mimirkafka.testing.pytest_plugin"]
