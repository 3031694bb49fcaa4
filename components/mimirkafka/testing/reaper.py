"""The reaper: removes what cancelled or killed CI jobs left behind.

1. **Stacks** in the state backend that :func:`~mimirkafka.testing.ephemeral_stack` created (tag
   ``mimirkafka:ephemeral`` or a name with the ephemeral prefix) and that are due: past their
   ``mimirkafka:expires-at`` tag, older than ``older_than``, named explicitly, or owned by a given CI
   job. Each is destroyed and removed. A lock left by a killed ``pulumi`` is released (``pulumi cancel``,
   which for a DIY backend deletes the stack's lock files: ``pkg/backend/diy/backend.go``
   ``CancelCurrentUpdate``, github.com/pulumi/pulumi v3.259.0), and pending operations of a killed
   update are dropped from the state first (their resources are found by name in step 2).
2. **Kafka** (with an admin connection): topics, SCRAM users, ACLs and consumer groups whose names carry
   the ephemeral prefix but whose id belongs to no remaining stack.

Dry run by default: it lists what it would do. Everything it did (or would do) ends in a summary.
"""

from __future__ import annotations

import contextlib
import json
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pulumi import automation as auto

from mimirkafka.testing import expiry
from mimirkafka.testing.names import DEFAULT_PREFIX, owner_id
from mimirkafka.testing.stack import destroy_and_remove

Output = Callable[[str], None]


@dataclass(frozen=True)
class StackEntry:
    """One stack as ``pulumi stack ls --all --json`` lists it, with its tags."""

    project: str
    name: str
    last_update: datetime | None
    update_in_progress: bool
    tags: Mapping[str, str] = field(default_factory=dict)

    @property
    def qualified(self) -> str:
        return f"organization/{self.project}/{self.name}" if self.project else self.name

    def id(self, prefix: str) -> str | None:
        if self.name.startswith(prefix):
            return self.name[len(prefix) :]
        kp = self.tags.get(expiry.TAG_KAFKA_PREFIX, "")
        if kp.startswith(prefix) and kp.endswith("-"):
            return kp[len(prefix) : -1]
        return None


@dataclass(frozen=True)
class Selection:
    due: list[tuple[StackEntry, str]]
    kept: list[tuple[StackEntry, str]]


def select(
    entries: Iterable[StackEntry],
    now: datetime,
    *,
    older_than: timedelta | None = None,
    stacks: Iterable[str] = (),
    ci_job: str | None = None,
) -> Selection:
    """Which ephemeral stacks are due and why; the others with the reason they stay (pure)."""
    wanted = set(stacks)
    due: list[tuple[StackEntry, str]] = []
    kept: list[tuple[StackEntry, str]] = []
    for e in entries:
        if e.name in wanted or e.qualified in wanted:
            due.append((e, "named on the command line"))
            continue
        if wanted:
            kept.append((e, "not named"))
            continue
        if ci_job is not None:
            if e.tags.get(expiry.TAG_CI_JOB) == ci_job:
                due.append((e, f"owned by CI job {ci_job}"))
            else:
                kept.append((e, f"not owned by CI job {ci_job}"))
            continue
        reason = expiry.Age.from_tags(e.tags, e.last_update).due(now, older_than)
        if reason:
            due.append((e, reason))
        else:
            exp = e.tags.get(expiry.TAG_EXPIRES_AT)
            kept.append((e, f"expires {exp}" if exp else "no expiry tag and age unknown or young"))
    return Selection(due, kept)


def _run(args: list[str], env: Mapping[str, str], cwd: str) -> str:
    return auto.PulumiCommand().run(args, cwd, dict(env)).stdout


def list_ephemeral_stacks(env: Mapping[str, str], prefix: str = DEFAULT_PREFIX) -> list[StackEntry]:
    """Every stack in the backend that is tagged ephemeral or carries the prefix, with its tags."""
    with tempfile.TemporaryDirectory(prefix="mimirkafka-reap-") as cwd:
        listed = json.loads(_run(["stack", "ls", "--all", "--json"], env, cwd) or "[]")
        try:
            tagged = json.loads(
                _run(["stack", "ls", "--all", "--json", "--tag", expiry.TAG_EPHEMERAL], env, cwd) or "[]"
            )
        except auto.CommandError:  # a backend or CLI without tag filters: go by name
            tagged = []
        tagged_names = {s["name"] for s in tagged}
        found = []
        for s in listed:
            fq = s["name"]
            parts = fq.split("/")
            project, name = (parts[-2], parts[-1]) if len(parts) >= 2 else ("", parts[-1])
            if fq not in tagged_names and not name.startswith(prefix):
                continue
            try:
                tags = json.loads(_run(["stack", "tag", "ls", "--json", "--stack", fq], env, cwd) or "{}")
            except auto.CommandError:
                tags = {}
            last = s.get("lastUpdate")
            found.append(
                StackEntry(
                    project=project,
                    name=name,
                    last_update=expiry.parse_iso(last) if last else None,
                    update_in_progress=bool(s.get("updateInProgress")),
                    tags=tags,
                )
            )
        return found


def destroy_entry(entry: StackEntry, env: Mapping[str, str], out: Output | None) -> list[str]:
    """Destroys and removes one stack from a throw-away workspace; returns notes (e.g. dropped pending
    operations). Needs the backend URL and the secrets passphrase of the job that made it."""
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="mimirkafka-reap-") as ws:
        Path(ws, "Pulumi.yaml").write_text(f"name: {entry.project}\nruntime: python\n")
        opts = auto.LocalWorkspaceOptions(work_dir=ws, env_vars=dict(env))
        stack = auto.select_stack(
            stack_name=entry.name, project_name=entry.project, program=lambda: None, opts=opts
        )

        def unlocked(step: Callable[[], None]) -> None:
            # A killed `pulumi` leaves its lock file; a due stack's owner is gone (expired, named, or
            # its CI job's cleanup step runs), so the lock is released and the step retried once.
            try:
                step()
            except auto.CommandError as exc:
                if "locked" not in str(exc):
                    raise
                _run(["cancel", "--yes", "--stack", entry.name], env, ws)
                notes.append("released the lock left by a killed update")
                step()

        state = stack.export_stack()  # reading the state needs no lock
        pending = state.deployment.get("pending_operations") if state.deployment else None
        if pending and state.deployment:
            # A killed update leaves operations the engine could not finish. Their resources may exist;
            # the Kafka sweep deletes them by name. Drop the entries so destroy can run.
            deployment = dict(state.deployment)
            deployment.pop("pending_operations")
            unlocked(
                lambda: stack.import_stack(auto.Deployment(version=state.version, deployment=deployment))
            )
            notes.append(f"dropped {len(pending)} pending operation(s) of a killed update")
        unlocked(lambda: destroy_and_remove(stack, out))
    return notes


# --- Kafka -------------------------------------------------------------------------------------------


@dataclass
class KafkaLeftovers:
    topics: list[str] = field(default_factory=list)
    users: list[str] = field(default_factory=list)
    #: (principal, resource type, pattern type, resource name, operation, permission)
    acls: list[tuple[str, str, str, str, str, str]] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)

    def count(self) -> int:
        return len(self.topics) + len(self.users) + len(self.acls) + len(self.groups)

    def lines(self) -> list[str]:
        out = [f"topic {t}" for t in self.topics]
        out += [f"SCRAM user {u}" for u in self.users]
        out += [f"ACL {p} {op} {perm} on {rt} {pt} {rn}" for p, rt, pt, rn, op, perm in self.acls]
        out += [f"consumer group {g}" for g in self.groups]
        return out


def _user_of(principal: str) -> str:
    return principal.split(":", 1)[1] if ":" in principal else principal


def find_kafka_leftovers(admin: Any, prefix: str, live_ids: set[str]) -> KafkaLeftovers:
    """Names with ``prefix`` that no live stack's id owns. ``admin``: a kafka-python KafkaAdminClient."""
    from kafka.admin import (
        ACLFilter,
        ACLOperation,
        ACLPermissionType,
        ACLResourcePatternType,
        ResourcePatternFilter,
        ResourceType,
    )

    def orphan(name: str) -> bool:
        return name.startswith(prefix) and owner_id(name, prefix, live_ids) is None

    found = KafkaLeftovers()
    found.topics = sorted(t for t in admin.list_topics() if orphan(t))
    with contextlib.suppress(Exception):  # a broker without SCRAM support has no users to list
        found.users = sorted(u for u in admin.describe_user_scram_credentials() if orphan(u))
    flt = ACLFilter(
        principal=None,
        host="*",
        operation=ACLOperation.ANY,
        permission_type=ACLPermissionType.ANY,
        resource_pattern=ResourcePatternFilter(ResourceType.ANY, None, ACLResourcePatternType.ANY),
    )
    try:
        acls, _err = admin.describe_acls(flt)
    except Exception:  # no authorizer: no ACLs
        acls = []
    for a in acls:
        rp = a.resource_pattern
        if orphan(_user_of(a.principal)) or orphan(rp.resource_name):
            found.acls.append(
                (
                    a.principal,
                    rp.resource_type.name,
                    rp.pattern_type.name,
                    rp.resource_name,
                    a.operation.name,
                    a.permission_type.name,
                )
            )
    found.acls.sort()
    with contextlib.suppress(Exception):
        groups = admin.list_groups()
        ids = [g["group_id"] if isinstance(g, dict) else g[0] for g in groups]
        found.groups = sorted(g for g in ids if orphan(g))
    return found


def delete_kafka_leftovers(admin: Any, found: KafkaLeftovers) -> list[str]:
    """Deletes them; returns error lines (empty when everything went)."""
    from kafka.admin import (
        ACLFilter,
        ACLOperation,
        ACLPermissionType,
        ACLResourcePatternType,
        ResourcePatternFilter,
        ResourceType,
    )
    from kafka.admin._users import ScramMechanism, UserScramCredentialDeletion

    errors: list[str] = []
    if found.acls:
        filters = [
            ACLFilter(
                principal=p,
                host="*",
                operation=ACLOperation[op],
                permission_type=ACLPermissionType[perm],
                resource_pattern=ResourcePatternFilter(ResourceType[rt], rn, ACLResourcePatternType[pt]),
            )
            for p, rt, pt, rn, op, perm in found.acls
        ]
        for flt, _matched, err in admin.delete_acls(filters):
            if err is not None and int(getattr(err, "errno", 0) or 0):
                errors.append(f"ACL {flt}: {err}")
    if found.topics:
        try:
            admin.delete_topics(found.topics)
        except Exception as exc:
            errors.append(f"topics {found.topics}: {exc}")
    if found.users:
        deletions = []
        described = admin.describe_user_scram_credentials(found.users)
        for user in found.users:
            for ci in described.get(user, {}).get("credential_infos", []):
                deletions.append(UserScramCredentialDeletion(user, ScramMechanism(ci["mechanism"])))
        if deletions:
            for user, err in admin.alter_user_scram_credentials(deletions).items():
                if err:
                    errors.append(f"SCRAM user {user}: {err}")
    if found.groups:
        try:
            admin.delete_groups(found.groups)
        except Exception as exc:
            errors.append(f"consumer groups {found.groups}: {exc}")
    return errors


# --- the whole run -----------------------------------------------------------------------------------


@dataclass
class ReapSummary:
    dry_run: bool
    due: list[tuple[StackEntry, str]] = field(default_factory=list)
    kept: list[tuple[StackEntry, str]] = field(default_factory=list)
    destroyed: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    kafka: KafkaLeftovers | None = None
    kafka_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed and not self.kafka_errors

    def render(self) -> str:
        verb = "would destroy" if self.dry_run else "destroyed"
        lines = [f"ephemeral stacks: {len(self.due)} due, {len(self.kept)} kept"]
        for e, why in self.due:
            done = "" if self.dry_run else (" [ok]" if e.name in self.destroyed else " [FAILED]")
            lines.append(f"  {verb} {e.qualified}: {why}{done}")
        for e, why in self.kept:
            lines.append(f"  keep {e.qualified}: {why}")
        for name, err in self.failed:
            lines.append(f"  error {name}: {err}")
        lines += [f"  note: {n}" for n in self.notes]
        if self.kafka is not None:
            kverb = "would delete" if self.dry_run else "deleted"
            lines.append(f"kafka leftovers not owned by any remaining stack: {self.kafka.count()}")
            lines += [f"  {kverb} {x}" for x in self.kafka.lines()]
            lines += [f"  error {x}" for x in self.kafka_errors]
        summary = (
            f"summary: {len(self.due)} stack(s) {verb}"
            + ("" if self.dry_run else f" ({len(self.destroyed)} ok, {len(self.failed)} failed)")
            + (
                f", {self.kafka.count()} Kafka object(s) {'to delete' if self.dry_run else 'deleted'}"
                if self.kafka is not None
                else ", Kafka not checked (no --kafka-bootstrap)"
            )
        )
        lines.append(summary + (" -- dry run: add --yes to do it" if self.dry_run else ""))
        return "\n".join(lines)


def reap(
    env: Mapping[str, str],
    *,
    dry_run: bool = True,
    older_than: timedelta | None = None,
    stacks: Iterable[str] = (),
    ci_job: str | None = None,
    prefix: str = DEFAULT_PREFIX,
    admin: Any | None = None,
    now: datetime | None = None,
    out: Output | None = None,
) -> ReapSummary:
    """Selects, destroys (unless ``dry_run``) and sweeps Kafka with ``admin`` if given."""
    if len(prefix) < 3:
        raise ValueError(f"prefix {prefix!r} is too short to tell ephemeral names from others")
    entries = list_ephemeral_stacks(env, prefix)
    sel = select(entries, now or datetime.now(UTC), older_than=older_than, stacks=stacks, ci_job=ci_job)
    summary = ReapSummary(dry_run, sel.due, sel.kept)
    if not dry_run:
        for entry, _why in sel.due:
            if out:
                out(f"[reap] destroying {entry.qualified}")
            try:
                summary.notes += [f"{entry.name}: {n}" for n in destroy_entry(entry, env, out)]
                summary.destroyed.append(entry.name)
            except Exception as exc:
                summary.failed.append(
                    (entry.name, str(exc).strip().splitlines()[-1] if str(exc) else repr(exc))
                )
    if admin is not None:
        gone = {e.name for e, _ in sel.due} if dry_run else set(summary.destroyed)
        live = {i for e in entries if e.name not in gone and (i := e.id(prefix)) is not None}
        summary.kafka = find_kafka_leftovers(admin, prefix, live)
        if not dry_run:
            summary.kafka_errors = delete_kafka_leftovers(admin, summary.kafka)
    return summary
