"""Packaging for libraries: ranges in pyproject, exact tested versions in constraints.txt, one toolchain.

The wheel itself is built and installed into a fresh venv by tests/e2e/test_ephemeral_wheel.py (slow)."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def constraints() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"constraints.txt: {line!r} is not an exact pin"
            pins[canonicalize_name(name)] = version
    return pins


def test_runtime_dependencies_are_ranges_with_a_ceiling() -> None:
    for dep in pyproject()["project"]["dependencies"]:
        req = Requirement(dep)
        ops = {s.operator for s in req.specifier}
        assert ">=" in ops and "<" in ops, f"{dep}: a supported range needs a floor and a ceiling"


def test_every_dependency_is_pinned_within_its_range() -> None:
    pins = constraints()
    for dep in pyproject()["project"]["dependencies"]:
        req = Requirement(dep)
        name = canonicalize_name(req.name)
        assert name in pins, f"constraints.txt has no pin for {req.name}"
        assert req.specifier.contains(pins[name]), f"{req.name}=={pins[name]} is outside {req.specifier}"


def test_the_pins_are_what_the_toolchain_builds() -> None:
    from pulumi_harness import PLUGINS

    pins = constraints()
    toolchain = (ROOT / "scripts" / "toolchain").read_text()
    cli = re.search(r"^PULUMI_VERSION=(\S+)", toolchain, re.M)
    assert cli and pins["pulumi"] == cli.group(1), "the pulumi CLI and SDK must be the same version"
    assert pins["pulumi-kafka"] == PLUGINS["kafka"]
    assert pins["pulumi-kubernetes"] == PLUGINS["kubernetes"]


def test_the_installed_environment_is_the_tested_one() -> None:
    import importlib.metadata as md

    pins = constraints()
    for name in ("pulumi", "pulumi-aws", "pulumi-kafka", "pulumi-kubernetes", "kafka-python"):
        assert md.version(name) == pins[name], (
            f"{name}: installed {md.version(name)}, constraints {pins[name]}"
        )


def test_the_wheel_ships_the_package_only_and_the_plugin_is_registered() -> None:
    from setuptools import find_packages

    cfg = pyproject()
    where = cfg["tool"]["setuptools"]["packages"]["find"]["where"]
    packages = find_packages(where=str(ROOT / where[0]))
    assert packages and all(p == "mimirkafka" or p.startswith("mimirkafka.") for p in packages), packages
    assert "mimirkafka.testing" in packages
    assert cfg["project"]["entry-points"]["pytest11"] == {"mimirkafka": "mimirkafka.testing.pytest_plugin"}


def test_scripts_install_with_the_constraints() -> None:
    for script in ("test", "up-local"):
        text = (ROOT / "scripts" / script).read_text()
        assert "-c constraints.txt" in text, f"scripts/{script} installs without constraints.txt"
