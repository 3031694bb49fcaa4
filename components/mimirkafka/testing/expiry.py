"""When an ephemeral stack expires, written where it survives the job: stack tags in the backend.

The job's workspace (the stack's config file) is gone once a CI job is cancelled; the state backend is
not. Pulumi stores stack tags in the backend, also the DIY (file/S3/GCS/Azure blob) backend:
``pkg/backend/diy/stack_tags.go`` (github.com/pulumi/pulumi, tag v3.259.0) saves them next to the
stack's state and ``pulumi stack ls --tag`` filters by them (``pkg/backend/diy/backend.go``
``ListStacks``). Tag names: letters, digits and ``-_.:``, at most 40 characters; values at most 256
(``pkg/util/validation/stack.go``, same tag).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

#: On every stack :func:`mimirkafka.testing.ephemeral_stack` creates; the value is its creation time
#: (ISO 8601 UTC), what ``--older-than`` compares. (Each tag is one CLI call: three tags, not five.)
TAG_EPHEMERAL = "mimirkafka:ephemeral"
TAG_CREATED_AT = TAG_EPHEMERAL
#: ISO 8601 UTC instant after which the reaper may destroy the stack.
TAG_EXPIRES_AT = "mimirkafka:expires-at"
#: ``<ci system>:<job id>`` of the job that owns it (``local:<id>`` outside CI): a CI cleanup step
#: reaps exactly its own job's stacks with ``--ci-job``.
TAG_CI_JOB = "mimirkafka:ci-job"
#: What every Kafka name of the stack starts with, for a stack whose name does not carry the prefix
#: (read by the reaper; ephemeral_stack names its stacks ``<prefix><id>`` and does not write it).
TAG_KAFKA_PREFIX = "mimirkafka:kafka-prefix"

DEFAULT_TTL = timedelta(hours=3)
_DURATION = re.compile(r"^\s*(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+)s)?\s*$")


class DurationError(ValueError):
    pass


def parse_duration(text: str) -> timedelta:
    """``6h``, ``90m``, ``1d12h``, ``30s`` -> timedelta (what ``--older-than`` and ``--ttl`` accept)."""
    m = _DURATION.match(text or "")
    if not m or not any(m.groups()):
        raise DurationError(f"{text!r} is not a duration; write it like 6h, 90m, 1d12h or 30s")
    d, h, mi, s = (int(g) if g else 0 for g in m.groups())
    return timedelta(days=d, hours=h, minutes=mi, seconds=s)


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> datetime | None:
    try:
        t = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def stack_tags(now: datetime, ttl: timedelta, ci_job: str) -> dict[str, str]:
    return {TAG_EPHEMERAL: iso(now), TAG_EXPIRES_AT: iso(now + ttl), TAG_CI_JOB: ci_job}


@dataclass(frozen=True)
class Age:
    """What the tags (or the backend's last update time) say about a stack's age."""

    created_at: datetime | None
    expires_at: datetime | None

    @classmethod
    def from_tags(cls, tags: Mapping[str, str], last_update: datetime | None = None) -> Age:
        created = parse_iso(tags.get(TAG_CREATED_AT, "")) or last_update
        return cls(created, parse_iso(tags.get(TAG_EXPIRES_AT, "")))

    def due(self, now: datetime, older_than: timedelta | None) -> str | None:
        """Why the stack is due for reaping at ``now``, or ``None`` while it is not."""
        if self.expires_at is not None and self.expires_at <= now:
            return f"expired at {iso(self.expires_at)}"
        if older_than is not None and self.created_at is not None and self.created_at <= now - older_than:
            return f"created {iso(self.created_at)}, older than {_fmt(older_than)}"
        return None


def _fmt(d: timedelta) -> str:
    secs = int(d.total_seconds())
    if secs % 3600 == 0:
        return f"{secs // 3600}h"
    if secs % 60 == 0:
        return f"{secs // 60}m"
    return f"{secs}s"
