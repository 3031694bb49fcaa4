"""Unique names for one ephemeral stack: the stack, its topic, Mimir's user, the Helm release (and so
the ingesters' consumer groups), all from one short id taken from the CI job or drawn at random.

Pure functions of the environment mapping and a random source, so tests pin them. Two jobs of the same
pipeline (a matrix, a retry) must never share a name: every CI id also carries a random suffix, since
some run ids are shared by all jobs of a run (``GITHUB_RUN_ID``).

Why one id everywhere: the reaper finds what a dead job left behind in Kafka by name alone (topics,
SCRAM users, ACLs, consumer groups), so every Kafka name starts with ``<prefix><id>-``.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass

#: Default prefix of everything an ephemeral stack names (stack, topic, user, release).
DEFAULT_PREFIX = "mkeph-"
#: Longest id: the release name ``<prefix><id>`` must leave room for the chart's longest resource name
#: (``<release>-ingester-zone-a`` plus StatefulSet pod suffixes) inside Kubernetes' 63 characters. A
#: budget derived from those names, not a number the chart publishes.
MAX_ID = 26
_UNSAFE = re.compile(r"[^a-z0-9-]+")


@dataclass(frozen=True)
class CiJob:
    """Which CI system runs us and the id of this job (or run attempt) there; ``url`` when known."""

    system: str
    job_id: str
    url: str = ""

    @property
    def tag(self) -> str:
        """The value of the ``mimirkafka:ci-job`` stack tag (``github:1234-1``); the reaper selects by it."""
        return f"{self.system}:{self.job_id}"


def _clean(text: str) -> str:
    return _UNSAFE.sub("-", text.lower()).strip("-")


def _short(text: str, n: int = 8) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:n]


def ci_job(env: Mapping[str, str]) -> CiJob | None:
    """The CI job from the variables each system documents, or ``None`` outside CI.

    Sources (variable names as each system documents them):
    GitHub Actions ``GITHUB_RUN_ID``/``GITHUB_RUN_ATTEMPT`` (docs.github.com, "Variables reference");
    GitLab CI ``CI_JOB_ID``/``CI_JOB_URL`` (docs.gitlab.com, "Predefined CI/CD variables reference");
    Buildkite ``BUILDKITE_BUILD_ID``/``BUILDKITE_JOB_ID``/``BUILDKITE_BUILD_URL``
    (buildkite.com/docs/pipelines/configure/environment-variables); Jenkins ``BUILD_TAG``/
    ``BUILD_NUMBER``/``BUILD_URL`` (jenkins.io, "Pipeline: using environment variables").
    """
    if env.get("GITHUB_RUN_ID"):
        attempt = env.get("GITHUB_RUN_ATTEMPT") or "1"
        url = ""
        if env.get("GITHUB_SERVER_URL") and env.get("GITHUB_REPOSITORY"):
            url = f"{env['GITHUB_SERVER_URL']}/{env['GITHUB_REPOSITORY']}/actions/runs/{env['GITHUB_RUN_ID']}"
        return CiJob("github", f"{_clean(env['GITHUB_RUN_ID'])}-{_clean(attempt)}", url)
    if env.get("CI_JOB_ID"):
        return CiJob("gitlab", _clean(env["CI_JOB_ID"]), env.get("CI_JOB_URL", ""))
    if env.get("BUILDKITE_JOB_ID") or env.get("BUILDKITE_BUILD_ID"):
        # Both are UUIDs; the job's is unique per step, the build's per pipeline run.
        raw = env.get("BUILDKITE_JOB_ID") or env["BUILDKITE_BUILD_ID"]
        return CiJob("buildkite", _clean(raw)[:8], env.get("BUILDKITE_BUILD_URL", ""))
    if env.get("BUILD_TAG") or (env.get("JENKINS_URL") and env.get("BUILD_NUMBER")):
        # BUILD_TAG is "jenkins-<job name>-<build number>": long and free-form, so a hash plus the number.
        tag = env.get("BUILD_TAG") or env.get("JOB_NAME", "") + env["BUILD_NUMBER"]
        number = _clean(env.get("BUILD_NUMBER", ""))
        job_id = f"{number}-{_short(tag, 6)}" if number else _short(tag, 8)
        return CiJob("jenkins", job_id, env.get("BUILD_URL", ""))
    return None


def ephemeral_id(env: Mapping[str, str], token: Callable[[int], str] = secrets.token_hex) -> str:
    """``gh-<run>-<attempt>-<rand>``, ``gl-<job>-<rand>``, ``bk-<job>-<rand>``, ``jk-<n>-<hash>-<rand>``,
    or ``local-<rand>``; lower-case letters, digits and '-', at most :data:`MAX_ID` characters."""
    job = ci_job(env)
    rand = token(2)  # 4 hex digits: tells apart jobs that share a CI id (matrix jobs of one run)
    short = {"github": "gh", "gitlab": "gl", "buildkite": "bk", "jenkins": "jk"}
    if job is None:
        return f"local-{token(4)}"
    head = f"{short[job.system]}-{job.job_id}"
    # Keep the random tail whole; cut the CI part if a system's id is unexpectedly long.
    return f"{head[: MAX_ID - len(rand) - 1].rstrip('-')}-{rand}"


@dataclass(frozen=True)
class EphemeralNames:
    """Every name one ephemeral stack uses; all start with :attr:`kafka_prefix` except the stack's own."""

    id: str
    prefix: str = DEFAULT_PREFIX

    @property
    def stack(self) -> str:
        return f"{self.prefix}{self.id}"

    @property
    def kafka_prefix(self) -> str:
        """What every Kafka name of this stack starts with (topic, user, consumer groups)."""
        return f"{self.prefix}{self.id}-"

    @property
    def topic(self) -> str:
        return f"{self.kafka_prefix}ingest"

    @property
    def username(self) -> str:
        return f"{self.kafka_prefix}mimir"

    @property
    def release(self) -> str:
        """The Helm release; the chart names ingesters ``<release>-ingester-zone-a-0``."""
        return self.stack

    @property
    def consumer_group_prefix(self) -> str:
        # mimirkafka.mimir.values.consumer_group_prefix: "<release>-ingester-" (fullname = release).
        return f"{self.release}-ingester-"

    @property
    def namespace(self) -> str:
        return self.stack

    def config_overrides(self) -> dict[str, str]:
        """Stack config (existing keys of this project) that makes the stack's names unique and its topic
        deletable: ``topicProtect=false`` lets ``destroy`` remove it (an ephemeral topic holds no data
        anyone keeps)."""
        return {
            "topicName": self.topic,
            "kafkaUsername": self.username,
            "mimirReleaseName": self.release,
            "mimirNamespace": self.namespace,
            "topicProtect": "false",
        }

    @classmethod
    def from_env(
        cls,
        env: Mapping[str, str],
        prefix: str = DEFAULT_PREFIX,
        token: Callable[[int], str] = secrets.token_hex,
    ) -> EphemeralNames:
        return cls(ephemeral_id(env, token), prefix)


def owner_id(name: str, prefix: str, live_ids: set[str]) -> str | None:
    """The id of the live stack that owns Kafka name ``name`` (``<prefix><id>-...``), else ``None``.

    Conservative on purpose: a name counts as owned when *any* live id fits, so an ambiguous name
    (ids ``gl-1`` and ``gl-1-ab`` both live) is never deleted."""
    if not name.startswith(prefix):
        return None
    rest = name[len(prefix) :]
    for live in sorted(live_ids, key=len, reverse=True):
        if rest.startswith(f"{live}-"):
            return live
    return None
