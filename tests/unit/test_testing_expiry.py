"""Expiry tags, durations and the reaper's choice of stacks (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from mimirkafka.testing import expiry
from mimirkafka.testing.reaper import StackEntry, select

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("6h", timedelta(hours=6)),
        ("90m", timedelta(minutes=90)),
        ("1d12h", timedelta(days=1, hours=12)),
        ("30s", timedelta(seconds=30)),
    ],
)
def test_parse_duration(text: str, want: timedelta) -> None:
    assert expiry.parse_duration(text) == want


@pytest.mark.parametrize("bad", ["", "6", "h", "6 hours", "-1h", "1.5h"])
def test_parse_duration_refuses_with_an_example(bad: str) -> None:
    with pytest.raises(expiry.DurationError, match="6h"):
        expiry.parse_duration(bad)


def test_tags_carry_expiry_owner_and_prefix_within_pulumi_limits() -> None:
    tags = expiry.stack_tags(NOW, timedelta(hours=3), "github:1-1")
    assert tags[expiry.TAG_EXPIRES_AT] == "2026-11-30T15:00:00Z"
    assert tags[expiry.TAG_CREATED_AT] == "2026-11-30T12:00:00Z"
    # pkg/util/validation/stack.go (pulumi v3.259.0): names ^[a-zA-Z0-9-_.:]{1,40}$, values <= 256
    import re

    for k, v in tags.items():
        assert re.match(r"^[a-zA-Z0-9-_.:]{1,40}$", k) and len(v) <= 256


def entry(name: str, tags: dict[str, str] | None = None, last: datetime | None = None) -> StackEntry:
    return StackEntry("mimir-kafka", name, last, False, tags or {})


def tagged(name: str, created: datetime, ttl: timedelta, job: str = "github:1-1") -> StackEntry:
    return entry(name, expiry.stack_tags(created, ttl, job))


def test_select_expired_and_old_but_not_young() -> None:
    expired = tagged("mkeph-a", NOW - timedelta(hours=4), timedelta(hours=3))
    young = tagged("mkeph-b", NOW - timedelta(minutes=10), timedelta(hours=3))
    old_long_ttl = tagged("mkeph-c", NOW - timedelta(hours=7), timedelta(hours=24))
    untagged_old = entry("mkeph-d", last=NOW - timedelta(hours=8))
    untagged_unknown = entry("mkeph-e")
    sel = select(
        [expired, young, old_long_ttl, untagged_old, untagged_unknown], NOW, older_than=timedelta(hours=6)
    )
    due = {e.name: why for e, why in sel.due}
    assert set(due) == {"mkeph-a", "mkeph-c", "mkeph-d"}
    assert "expired" in due["mkeph-a"] and "older than 6h" in due["mkeph-c"]
    assert {e.name for e, _ in sel.kept} == {"mkeph-b", "mkeph-e"}
    # without --older-than only the expired one
    sel = select([expired, young, old_long_ttl, untagged_old], NOW)
    assert [e.name for e, _ in sel.due] == ["mkeph-a"]


def test_select_by_ci_job_ignores_age_and_other_jobs() -> None:
    mine = tagged("mkeph-a", NOW, timedelta(hours=3), job="gitlab:77")
    theirs = tagged("mkeph-b", NOW - timedelta(days=2), timedelta(hours=3), job="gitlab:78")
    sel = select([mine, theirs], NOW, ci_job="gitlab:77")
    assert [e.name for e, _ in sel.due] == ["mkeph-a"]
    assert [e.name for e, _ in sel.kept] == ["mkeph-b"]


def test_select_by_name_takes_only_those() -> None:
    a, b = tagged("mkeph-a", NOW, timedelta(hours=3)), tagged("mkeph-b", NOW, timedelta(hours=3))
    sel = select([a, b], NOW, stacks=["organization/mimir-kafka/mkeph-b"])
    assert [e.name for e, _ in sel.due] == ["mkeph-b"]


def test_entry_id_from_name_or_prefix_tag() -> None:
    assert entry("mkeph-gl-1-ab12").id("mkeph-") == "gl-1-ab12"
    custom = entry("team-stack", {expiry.TAG_KAFKA_PREFIX: "mkeph-x1-"})
    assert custom.id("mkeph-") == "x1"
    assert entry("prod").id("mkeph-") is None
