"""Deploy a stack plan: the only place the stack registers resources.

``__main__.py`` calls :func:`run`: it reads the stack config (refusing keys the project does not
declare), reads the stack's last outputs (for the topic guard), computes the whole plan with
:func:`mimirkafka.stack.plan.plan_stack` — every problem in the stack's own keys, raised as a clean
Pulumi error before any resource — logs the plan's warnings, then :func:`deploy` registers the Kafka
side and the Mimir side of that plan.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from mimirkafka.contract.errors import ContractError
from mimirkafka.doctor.pulumi_check import KafkaPreflight, KafkaPreflightArgs
from mimirkafka.kafka.endpoint import KafkaEndpoint
from mimirkafka.mimir import values as mv
from mimirkafka.mimir.chart import MimirDeployment
from mimirkafka.mimir.iam import MimirIam, MimirIamArgs
from mimirkafka.mimir.plan import MimirDeploymentArgs
from mimirkafka.mimir.sources import mimir_view
from mimirkafka.stack import config as sc
from mimirkafka.stack import outputs as so
from mimirkafka.stack.keys import EXPIRY_LABEL
from mimirkafka.stack.plan import Secrets, StackPlan, chart_settings, plan_stack

#: The project's config namespace (``Pulumi.yaml`` ``name``).
NAMESPACE = "mimir-kafka"
#: The engine's builtin invoke that returns a stack's outputs from its last update
#: (pulumi/pulumi pkg/v3 v3.259.0, pkg/resource/deploy/builtins.go, ``readStackOutputs``).
READ_STACK_OUTPUTS = "pulumi:pulumi:readStackOutputs"


class StackRefused(sc.StackConfigError, pulumi.RunError):
    """The stack's plan has problems: printed by the engine as a clean error without a traceback,
    like the SDK's own ``ConfigMissingError`` (a ``RunError``)."""


def expiry_transformation(expires_at: datetime.datetime) -> Any:
    """A stack transformation that marks every resource with the stack's expiry: the label
    ``mimirkafka.io/expires-at`` on Kubernetes objects (``metadata.labels``) and the tag ``expires-at``
    on resources that already carry ``tags`` (AWS)."""
    label = expires_at.strftime("%Y%m%dT%H%M%SZ")
    tag = expires_at.strftime("%Y-%m-%dT%H:%M:%SZ")

    def transform(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult | None:
        props = dict(args.props)
        meta = props.get("metadata")
        if isinstance(meta, dict) and args.type_.startswith("kubernetes:"):
            labels = meta.get("labels")
            if labels is None or isinstance(labels, dict):
                props["metadata"] = {**meta, "labels": {**(labels or {}), EXPIRY_LABEL: label}}
        tags = props.get("tags")
        if isinstance(tags, dict) and args.type_.startswith("aws:"):
            props["tags"] = {**tags, "expires-at": tag}
        if props == dict(args.props):
            return None
        return pulumi.ResourceTransformationResult(props, args.opts)

    return transform


def deploy(plan: StackPlan, secrets: Secrets) -> dict[str, Any]:
    """Registers the plan's resources and returns the stack outputs (exported by :func:`run`)."""
    cfg, contract = plan.config, plan.contract
    k = cfg.kafka
    render_dir = plan.render_dir
    if cfg.expires_at is not None:
        pulumi.runtime.register_stack_transformation(expiry_transformation(cfg.expires_at))
    k8s_provider = k8s.Provider(
        "k8s",
        # mimirRenderOnly: only Mimir's values and install.sh go to files; everything else is applied.
        render_yaml_to_directory=str(render_dir / "manifests") if render_dir and cfg.render_only else None,
        context=cfg.kube_context or None,
        kubeconfig=cfg.kubeconfig or None,
    )
    aws_provider = aws.Provider("aws", region=cfg.mimir.aws_region) if cfg.mimir.aws_region else None
    k8s_opts = pulumi.ResourceOptions(providers={"kubernetes": k8s_provider})
    aws_opts = pulumi.ResourceOptions(providers={"aws": aws_provider} if aws_provider else {})

    namespaces: dict[str, k8s.core.v1.Namespace] = {}
    for ns in sorted({cfg.mimir.namespace} | ({k.namespace} if k.kind in ("kraft", "strimzi") else set())):
        namespaces[ns] = k8s.core.v1.Namespace(f"ns-{ns}", metadata={"name": ns}, opts=k8s_opts)
    kafka_ns_opts = pulumi.ResourceOptions.merge(
        k8s_opts, pulumi.ResourceOptions(depends_on=list(namespaces.values()))
    )

    kafka_side: Any
    cluster_arn: pulumi.Input[str] | None = None
    args = plan.kafka_args
    if k.kind == "existing":
        from mimirkafka.kafka.existing import ExistingKafka

        kafka_side = ExistingKafka("kafka", args)
    elif k.kind == "kraft":
        from mimirkafka.kafka.statefulset import KraftStatefulSetKafka

        kafka_side = KraftStatefulSetKafka("kafka", args, opts=kafka_ns_opts)
    elif k.kind == "strimzi":
        from mimirkafka.kafka.strimzi import StrimziKafka

        kafka_side = StrimziKafka("kafka", args, opts=kafka_ns_opts)
    elif k.kind == "msk":
        from mimirkafka.kafka.msk import MskKafka

        kafka_side = MskKafka("kafka", args, opts=aws_opts)
        cluster_arn = kafka_side.cluster_arn
    else:
        from mimirkafka.kafka.msk_serverless import MskServerlessKafka

        kafka_side = MskServerlessKafka("kafka", args, opts=aws_opts)
        cluster_arn = kafka_side.cluster_arn
    endpoint: KafkaEndpoint = kafka_side.endpoint

    mimir_contract, external = mimir_view(contract, endpoint)
    preflight: KafkaPreflight | None = None
    if k.preflight:
        # As Mimir (its rendered contract, with the password the Kafka side settled on), once the
        # topic, the ACLs and the SCRAM user exist (the user named itself: without ACLs nothing else
        # waits for it). The concrete resources, not `kafka_side`: a component's URN resolves before
        # its children exist. A failure fails the update here, before the Mimir side is written. The
        # verdict is logged on the resource, not exported: a preview does not run the checks, so an
        # exported verdict would show as a change in every preview.
        preflight = KafkaPreflight(
            "kafka-preflight",
            KafkaPreflightArgs(
                contract=mimir_contract,
                depends_on=[
                    kafka_side.topic,
                    *kafka_side.acls,
                    *([kafka_side.scram_credential] if kafka_side.scram_credential is not None else []),
                ],
            ),
        )
    iam: MimirIam | None = None
    if plan.iam is not None:
        iam = MimirIam(
            "mimir-iam",
            MimirIamArgs(contract=contract, msk_cluster_arn=cluster_arn, **plan.iam),
            opts=aws_opts,
        )
    mimir = MimirDeployment(
        "mimir",
        MimirDeploymentArgs(
            contract=mimir_contract,
            settings=chart_settings(cfg),
            external=external,
            render_dir=str(render_dir) if render_dir else None,
            create_namespace=False,
            address=endpoint.bootstrap_brokers if k.kind.startswith("msk") else None,
            bucket_names=iam.bucket_names if iam and cfg.mimir.object_storage == "s3" else None,
            service_account_annotations=iam.service_account_annotations if iam else None,
            depends_on=[*namespaces.values(), kafka_side, *([preflight] if preflight else [])],
            log_warnings=False,  # shown once by run(), in stack keys
        ),
        opts=k8s_opts,
    )
    outputs: dict[str, Any] = {
        "kafkaBootstrap": endpoint.bootstrap_brokers,
        "kafkaPort": endpoint.port,
        "kafkaMechanism": endpoint.mechanism.value if endpoint.mechanism else "none",
        "kafkaTls": endpoint.tls,
        "kafkaTopic": endpoint.topic_name,
        "kafkaPartitions": contract.topic.partitions,
        "kafkaPrincipal": plan.principal,
        # Read back by the next plan: a shrink, rename or cluster change is refused before any resource.
        so.TOPIC_STATE: kafka_side.topic_state,
        # The ingesters' consumer groups (their pod names): `mimirkafka doctor --stack-outputs` reads it.
        so.CONSUMER_GROUP_PREFIX: contract.consumer_group_prefix,
        "mimirEndpoints": mimir.endpoints,
        so.INGEST_STORAGE_CONFIG: mimir.ingest_storage_masked,
        "mimirChart": f"{mv.CHART_NAME} {cfg.mimir.chart_version} (image grafana/mimir:{cfg.mimir.version})",
    }
    password = endpoint.credentials.password
    if password is not None:
        outputs[so.MIMIR_PASSWORD] = pulumi.Output.secret(password)
    if render_dir:
        outputs["renderDir"] = str(render_dir)
    if iam:
        outputs["mimirRoleArn"] = iam.role_arn
    if k.kind == "msk":
        outputs[so.MSK_ACL_ENFORCEMENT] = kafka_side.acl_enforcement.value
    if k.kind == "kraft":
        outputs[so.KRAFT_STORAGE_SIZE] = kafka_side.storage_size
    return outputs


def stack_config_values(namespace: str = NAMESPACE) -> dict[str, str]:
    """Every config value of the project's namespace as the engine passes it (secrets included, as
    their ciphertext-free values; only their names are used from here)."""
    from pulumi.runtime import config as runtime_config

    merged = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    prefix = f"{namespace}:"
    return {key[len(prefix) :]: value for key, value in merged.items() if key.startswith(prefix)}


def read_config(cfg: pulumi.Config) -> tuple[dict[str, str], Secrets, set[str]]:
    """Non-secret values as the CLI gives them (strings; unknown keys kept so the plan refuses them)
    and the secrets as Pulumi secret Outputs."""
    everything = stack_config_values(cfg.name)
    raw = {k: v for k, v in everything.items() if k not in sc.SECRET_KEYS}
    present = {key for key in sc.SECRET_KEYS if everything.get(key) not in (None, "")}
    clear = sorted(key for key in present if not pulumi.runtime.is_config_secret(cfg.full_key(key)))
    if clear:
        raise StackRefused(
            [
                sc.KeyProblem(
                    key,
                    "***",
                    "is set in clear in the stack file",
                    f"set it with `pulumi config set --secret {key} ...`",
                )
                for key in clear
            ],
            stack=pulumi.get_stack(),
        )

    def secret(key: str) -> Any:
        return cfg.require_secret(key) if key in present else None

    secrets = Secrets(
        kafka_password=secret("kafkaPassword"),
        kafka_oauth_token=secret("kafkaOauthToken"),
        kafka_admin_password=secret("kafkaAdminPassword"),
    )
    return raw, secrets, present


def last_outputs() -> Mapping[str, Any]:
    """The stack's outputs from its last update (empty on the first), through the engine's builtin
    ``readStackOutputs`` invoke: a read, not a resource, so nothing is registered for it."""
    name = f"{pulumi.get_organization()}/{pulumi.get_project()}/{pulumi.get_stack()}"
    try:
        result = pulumi.runtime.invoke(READ_STACK_OUTPUTS, {"name": name})
    except Exception as error:
        pulumi.log.warn(
            f"could not read this stack's last outputs ({error}); the topic guard relies on protect"
        )
        return {}
    value = result.value or {}
    outputs = value.get("outputs") if isinstance(value, Mapping) else None
    return outputs if isinstance(outputs, Mapping) else {}


def run(root: Path | None = None) -> dict[str, Any]:
    """Entry point of ``__main__.py`` and of the Automation API inline program (``testbed.localrun``).

    ``root`` is the project directory relative paths in the config refer to (default: the working
    directory, which is the project directory under ``pulumi up``)."""
    config = pulumi.Config()
    raw, secrets, present = read_config(config)
    stack = pulumi.get_stack()
    try:
        plan = plan_stack(
            raw,
            secrets=secrets,
            secrets_set=present,
            project=pulumi.get_project(),
            stack=stack,
            root=root or Path.cwd(),
            last_outputs=last_outputs(),
            secret=pulumi.Output.secret,
        )
    except ContractError as e:
        raise StackRefused(e.problems, stack=stack) from None
    for warning in plan.warnings:
        pulumi.log.warn(f"{warning}")
    outputs = deploy(plan, secrets)
    for name, value in outputs.items():
        pulumi.export(name, value)
    return outputs
