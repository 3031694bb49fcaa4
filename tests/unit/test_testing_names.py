"""Ephemeral names: one id per CI job (plus a random tail), safe for Kubernetes, Kafka and Pulumi."""

from __future__ import annotations

import itertools
import re

import pytest
from mimirkafka.stack.keys import KEYS_BY_NAME
from mimirkafka.testing.names import MAX_ID, CiJob, EphemeralNames, ci_job, ephemeral_id, owner_id

DNS = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")


def fixed(n: int) -> str:
    return "ab12cd34ef56"[: 2 * n]


@pytest.mark.parametrize(
    ("env", "job", "eid"),
    [
        (
            {
                "GITHUB_RUN_ID": "9876543210",
                "GITHUB_RUN_ATTEMPT": "2",
                "GITHUB_SERVER_URL": "https://github.com",
                "GITHUB_REPOSITORY": "acme/infra",
            },
            CiJob("github", "9876543210-2", "https://github.com/acme/infra/actions/runs/9876543210"),
            "gh-9876543210-2-ab12",
        ),
        (
            {"CI_JOB_ID": "123456", "CI_JOB_URL": "https://gitlab.example/acme/infra/-/jobs/123456"},
            CiJob("gitlab", "123456", "https://gitlab.example/acme/infra/-/jobs/123456"),
            "gl-123456-ab12",
        ),
        (
            {"BUILDKITE_BUILD_ID": "0190AB12-3456-7890", "BUILDKITE_JOB_ID": "0190cd34-aaaa-bbbb"},
            CiJob("buildkite", "0190cd34"),
            "bk-0190cd34-ab12",
        ),
    ],
)
def test_ci_systems(env: dict[str, str], job: CiJob, eid: str) -> None:
    assert ci_job(env) == job
    assert ephemeral_id(env, fixed) == eid


def test_jenkins_build_tag_is_hashed_and_numbered() -> None:
    env = {
        "BUILD_TAG": "jenkins-Infra/mimir kafka-42",
        "BUILD_NUMBER": "42",
        "BUILD_URL": "https://ci/job/42/",
    }
    job = ci_job(env)
    assert job is not None and job.system == "jenkins" and job.job_id.startswith("42-")
    assert job.url == "https://ci/job/42/"
    other = ci_job({**env, "BUILD_TAG": "jenkins-Other-42"})
    assert other is not None and other.job_id != job.job_id  # same number, another job: another id


def test_outside_ci_the_id_is_random() -> None:
    assert ci_job({}) is None
    assert ephemeral_id({}, fixed) == "local-ab12cd34"
    assert ephemeral_id({}) != ephemeral_id({})


def test_ids_fit_and_are_dns_safe_even_for_long_ci_ids() -> None:
    envs = [
        {"GITHUB_RUN_ID": "9" * 40, "GITHUB_RUN_ATTEMPT": "17"},
        {"CI_JOB_ID": "Job_ID/With Spaces" * 4},
        {"BUILD_TAG": "x" * 200, "BUILD_NUMBER": "1234567"},
    ]
    for env in envs:
        eid = ephemeral_id(env, fixed)
        assert len(eid) <= MAX_ID and DNS.match(eid), eid
        assert eid.endswith("-ab12"), "the random tail survives truncation"


def test_matrix_jobs_of_one_run_get_different_ids() -> None:
    env = {"GITHUB_RUN_ID": "555", "GITHUB_RUN_ATTEMPT": "1"}
    ids = {ephemeral_id(env) for _ in range(20)}
    assert len(ids) == 20


def test_names_derive_from_the_id_and_are_valid_kubernetes_and_kafka_names() -> None:
    n = EphemeralNames("gh-1-1-ab12")
    assert n.stack == "mkeph-gh-1-1-ab12"
    assert n.topic == "mkeph-gh-1-1-ab12-ingest"
    assert n.username == "mkeph-gh-1-1-ab12-mimir"
    assert n.consumer_group_prefix == "mkeph-gh-1-1-ab12-ingester-"
    for name in (n.topic, n.username, n.consumer_group_prefix):
        assert name.startswith(n.kafka_prefix)
    longest = EphemeralNames("x" * MAX_ID)
    # the chart's longest per-pod name is about "<release>-ingester-zone-a-<n>"; release <= 63 - 20
    assert len(f"{longest.release}-ingester-zone-a-99") <= 63
    assert DNS.match(longest.release) and DNS.match(longest.namespace)


def test_overrides_use_existing_stack_keys_and_make_the_topic_deletable() -> None:
    o = EphemeralNames("gl-7-ab12").config_overrides()
    assert set(o) <= set(KEYS_BY_NAME), set(o) - set(KEYS_BY_NAME)
    assert o["topicProtect"] == "false"
    assert o["topicName"] == "mkeph-gl-7-ab12-ingest"
    assert o["mimirReleaseName"] == "mkeph-gl-7-ab12"


def test_two_names_never_share_a_kafka_name() -> None:
    a, b = EphemeralNames("gl-7-ab12"), EphemeralNames("gl-7-cd34")
    names_a = {a.topic, a.username, a.consumer_group_prefix, a.stack}
    names_b = {b.topic, b.username, b.consumer_group_prefix, b.stack}
    assert not names_a & names_b
    for x, y in itertools.product(names_a, names_b):
        assert not x.startswith(y) and not y.startswith(x)


def test_owner_id_is_conservative() -> None:
    live = {"gl-1", "gl-2-ab"}
    assert owner_id("mkeph-gl-1-ingest", "mkeph-", live) == "gl-1"
    assert owner_id("mkeph-gl-2-ab-mimir", "mkeph-", live) == "gl-2-ab"
    assert owner_id("mkeph-gl-3-ingest", "mkeph-", live) is None
    assert owner_id("other-gl-1-ingest", "mkeph-", live) is None
    # ambiguous: gl-1 is live, so anything that could be gl-1's is kept
    assert owner_id("mkeph-gl-1-ab-ingest", "mkeph-", live) == "gl-1"
