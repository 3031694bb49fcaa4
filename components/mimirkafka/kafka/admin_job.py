"""The ``kubernetes-job`` route: a Job inside the VPC creates the ingest topic and the ACLs with Kafka's CLI.

The Job runs Kafka's own tools (``kafka-topics.sh``, ``kafka-configs.sh``, ``kafka-acls.sh`` from the
apache/kafka image) with the aws-msk-iam-auth login module, as the pod's IAM role (IRSA or Pod Identity:
the module uses the AWS SDK's default credential chain). The script (:func:`render_admin_script`, pure) is

* idempotent: ``--create --if-not-exists``, partitions only ever grown, configs set with ``--alter
  --add-config``, ACLs added (adding an existing ACL is a no-op);
* never destructive: it has no delete, no ``--remove``, no ``--delete-config``; a topic with more
  partitions than the contract fails the Job with the fix instead of being touched;
* visible: every step is logged (``kubectl logs job/<name>``), the final topic and ACL listing is printed,
  a one-line summary is written to the pod's termination message, and a failure fails the Job, which
  fails ``pulumi up``;
* ordered: ACL stage by stage (principals in use first, Mimir's after), all operations of one principal
  on one resource in a single ``kafka-acls.sh --add`` (one CreateAcls request).

The test bed runs this very script against its real broker (tests/e2e/test_msk_admin_route.py), with the
client properties of a mechanism that broker offers instead of IAM.
"""

from __future__ import annotations

import hashlib
import shlex
from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from mimirkafka.kafka.acl_spelling import ProviderAcl
from mimirkafka.kafka.kafka_admin_route import AdminPlan, AdminRouteSettings, RouteResources
from mimirkafka.kafka.protection import merge_opts

#: Client properties for MSK's IAM listener, as the aws-msk-iam-auth README (aws/aws-msk-iam-auth,
#: "Configuring a Kafka client to use AWS IAM") and AWS's serverless client guide give them.
MSK_IAM_CLIENT_PROPERTIES = {
    "security.protocol": "SASL_SSL",
    "sasl.mechanism": "AWS_MSK_IAM",
    "sasl.jaas.config": "software.amazon.msk.auth.iam.IAMLoginModule required;",
    "sasl.client.callback.handler.class": "software.amazon.msk.auth.iam.IAMClientCallbackHandler",
}
#: Where the script finds its inputs inside the Job pod.
CONFIG_DIR = "/etc/mimirkafka-admin"
IAM_JAR_DIR = "/opt/msk-iam"
#: Exit code of the script when the live topic has more partitions than the contract (nothing touched).
EXIT_TOPIC_LARGER = 3


def client_properties_text(props: Mapping[str, str]) -> str:
    return "".join(f"{k}={v}\n" for k, v in props.items())


def _resource_args(acl: ProviderAcl) -> list[str]:
    kind = acl.acl_resource_type
    if kind == "Cluster":
        args = ["--cluster"]
    elif kind == "Topic":
        args = ["--topic", acl.acl_resource_name]
    elif kind == "Group":
        args = ["--group", acl.acl_resource_name]
    elif kind == "TransactionalID":
        args = ["--transactional-id", acl.acl_resource_name]
    else:  # pragma: no cover - acl_spelling only produces the kinds above
        raise ValueError(f"ACL resource type {kind!r} has no kafka-acls.sh option")
    return [*args, "--resource-pattern-type", acl.resource_pattern_type_filter.lower()]


def acl_commands(stage: tuple[ProviderAcl, ...]) -> list[list[str]]:
    """``kafka-acls.sh`` argument lists for one stage: one ``--add`` per principal, resource, permission
    and host."""
    grouped: dict[tuple[str, ...], tuple[ProviderAcl, list[str]]] = {}
    for a in stage:
        key = (
            a.acl_principal,
            a.acl_permission_type,
            a.acl_host,
            a.acl_resource_type,
            a.acl_resource_name,
            a.resource_pattern_type_filter,
        )
        first, ops = grouped.setdefault(key, (a, []))
        if a.acl_operation not in ops:
            ops.append(a.acl_operation)
    commands = []
    for first, ops in grouped.values():
        who = "--allow" if first.acl_permission_type == "Allow" else "--deny"
        cmd = ["--add", f"{who}-principal", first.acl_principal, f"{who}-host", first.acl_host]
        for op in ops:
            cmd += ["--operation", op]
        commands.append(cmd + _resource_args(first))
    return commands


def render_admin_script(plan: AdminPlan) -> str:
    """The POSIX shell script the Job runs (pure). Inputs at run time: ``$BOOTSTRAP_SERVERS``, and
    optionally ``$KAFKA_BIN`` (default ``/opt/kafka/bin``) and ``$ADMIN_CONFIG`` (the client properties)."""
    q = shlex.quote
    create = [
        "--create",
        "--if-not-exists",
        "--topic",
        plan.topic,
        "--partitions",
        str(plan.partitions),
    ]
    if plan.replication_factor_settable:
        create += ["--replication-factor", str(plan.replication_factor)]
    for k, v in plan.topic_config.items():
        create += ["--config", f"{k}={v}"]
    lines = [
        "#!/bin/sh",
        "# mimirkafka admin job (generated): the ingest topic and its ACLs over the Kafka protocol.",
        "# Idempotent; never deletes a topic, a config or an ACL.",
        "set -eu",
        'BIN="${KAFKA_BIN:-/opt/kafka/bin}"',
        f'CFG="${{ADMIN_CONFIG:-{CONFIG_DIR}/client.properties}}"',
        'B="$BOOTSTRAP_SERVERS"',
        f"TOPIC={q(plan.topic)}",
        f"WANT={plan.partitions}",
        'say() { echo "mimirkafka-admin: $*"; }',
        'topics() { "$BIN/kafka-topics.sh" --bootstrap-server "$B" --command-config "$CFG" "$@"; }',
        'acls() { "$BIN/kafka-acls.sh" --bootstrap-server "$B" --command-config "$CFG" "$@"; }',
        "partitions() {",
        '  topics --describe --topic "$TOPIC" | '
        "sed -n 's/.*PartitionCount:[[:space:]]*\\([0-9][0-9]*\\).*/\\1/p' | head -n 1",
        "}",
        'say "topic $TOPIC: create it unless it exists ($WANT partitions)"',
        "topics " + " ".join(q(a) for a in create),
        "HAVE=$(partitions)",
        'if [ -z "$HAVE" ]; then say "topic $TOPIC is not visible after creating it"; exit 1; fi',
        'if [ "$HAVE" -lt "$WANT" ]; then',
        '  say "topic $TOPIC: growing from $HAVE to $WANT partitions"',
        '  topics --alter --topic "$TOPIC" --partitions "$WANT"',
        'elif [ "$HAVE" -gt "$WANT" ]; then',
        '  say "REFUSED: topic $TOPIC has $HAVE partitions and the contract asks for $WANT; Kafka cannot '
        'shrink a topic and this job never deletes one. Fix: set topic.partitions to $HAVE or more"',
        f"  exit {EXIT_TOPIC_LARGER}",
        "fi",
    ]
    if plan.topic_config:
        joined = ",".join(f"{k}={v}" for k, v in plan.topic_config.items())
        lines += [
            'say "topic $TOPIC: configs"',
            '"$BIN/kafka-configs.sh" --bootstrap-server "$B" --command-config "$CFG" --alter '
            f'--entity-type topics --entity-name "$TOPIC" --add-config {q(joined)}',
        ]
    total = len(plan.stages)
    for i, stage in enumerate(plan.stages, start=1):
        lines.append(f'say "ACL stage {i}/{total}: {len(stage)} ACL(s)"')
        lines += ["acls " + " ".join(q(a) for a in cmd) for cmd in acl_commands(stage)]
    count = len(plan.acls)
    lines += [
        'say "result:"',
        'topics --describe --topic "$TOPIC"',
    ]
    if count:
        lines.append('acls --list --topic "$TOPIC"')
    lines += [
        f'SUMMARY="topic=$TOPIC partitions=$(partitions) acls={count}"',
        'say "done: $SUMMARY"',
        'printf "%s\\n" "$SUMMARY" > /dev/termination-log 2>/dev/null || true',
        "",
    ]
    return "\n".join(lines)


def job_name(name: str, script: str, image: str) -> str:
    """A Job name that changes with what the Job does (a Job's pod template is immutable)."""
    digest = hashlib.sha256(f"{image}\n{script}".encode()).hexdigest()[:8]
    return f"{name}-admin-{digest}"[:63]


def kubernetes_job_route(
    name: str,
    *,
    plan: AdminPlan,
    bootstrap: pulumi.Input[str],
    settings: AdminRouteSettings,
    opts: pulumi.ResourceOptions,
    client_properties: Mapping[str, str] = MSK_IAM_CLIENT_PROPERTIES,
) -> RouteResources:
    """A ConfigMap (script + client properties, no secrets: IAM) and the Job running it.

    The Job is replaced (never patched) when the script or image changes; deleting the old Job deletes a
    finished pod, not data. pulumi-kubernetes waits for the Job to complete, so a failed step fails
    ``pulumi up`` with the Job's status.
    """
    assert settings.job_namespace and settings.job_service_account  # msk_plan refuses the rest
    script = render_admin_script(plan)
    jname = job_name(name, script, settings.job_image)
    labels = {"app.kubernetes.io/name": "mimirkafka-admin", "app.kubernetes.io/managed-by": "pulumi"}
    cm = k8s.core.v1.ConfigMap(
        f"{name}-admin-script",
        metadata={"name": jname, "namespace": settings.job_namespace, "labels": labels},
        data={"admin.sh": script, "client.properties": client_properties_text(client_properties)},
        opts=opts,
    )
    volumes: list[dict[str, Any]] = [{"name": "admin", "config_map": {"name": cm.metadata["name"]}}]
    mounts: list[dict[str, Any]] = [{"name": "admin", "mount_path": CONFIG_DIR, "read_only": True}]
    init: list[dict[str, Any]] = []
    env: list[dict[str, Any]] = [{"name": "BOOTSTRAP_SERVERS", "value": bootstrap}]
    if settings.iam_auth_jar_url:
        volumes.append({"name": "iam-jar", "empty_dir": {}})
        mounts.append({"name": "iam-jar", "mount_path": IAM_JAR_DIR, "read_only": True})
        jar = f"{IAM_JAR_DIR}/aws-msk-iam-auth-all.jar"
        init.append(
            {
                "name": "fetch-iam-auth",
                "image": settings.job_image,
                "command": [
                    "sh",
                    "-c",
                    f'wget -q -O {jar} "$JAR_URL" || curl -fsSL -o {jar} "$JAR_URL"',
                ],
                "env": [{"name": "JAR_URL", "value": settings.iam_auth_jar_url}],
                "volume_mounts": [{"name": "iam-jar", "mount_path": IAM_JAR_DIR}],
            }
        )
        # kafka-run-class.sh appends $CLASSPATH to the tools' classpath.
        env.append({"name": "CLASSPATH", "value": jar})
    metadata: Any = {"name": jname, "namespace": settings.job_namespace, "labels": labels}
    spec: Any = {
        "backoff_limit": 2,
        "active_deadline_seconds": settings.job_deadline_seconds,
        "template": {
            "metadata": {"labels": labels},
            "spec": {
                "service_account_name": settings.job_service_account,
                "restart_policy": "Never",
                "init_containers": init,
                "containers": [
                    {
                        "name": "admin",
                        "image": settings.job_image,
                        "command": ["sh", f"{CONFIG_DIR}/admin.sh"],
                        "env": env,
                        "volume_mounts": mounts,
                        "termination_message_policy": "FallbackToLogsOnError",
                    }
                ],
                "volumes": volumes,
            },
        },
    }
    job = k8s.batch.v1.Job(
        f"{name}-admin-job",
        metadata=metadata,
        spec=spec,
        opts=merge_opts(
            opts,
            pulumi.ResourceOptions(depends_on=[cm], replace_on_changes=["spec"], delete_before_replace=True),
        ),
    )
    # Like the KRaft StatefulSet's topic Job: the name resolves once the Job ran, so whatever consumes
    # it (Mimir) waits for the topic.
    return RouteResources(topic=job, acls=[], topic_name=job.metadata.apply(lambda _: plan.topic))
