"""Resource rules: each looks at one resource and returns what is wrong with it and the fix.

Signature: ``rule(r: Res, cfg: Mapping[str, Any]) -> list[Violation]``; ``cfg`` is the rule's policy
configuration with defaults filled in (see :mod:`mimirkafka_policy.catalog`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from mimirkafka.contract import FLAVORS, IngestStorageContract, KafkaFlavor, TopicSettings
from mimirkafka.contract.validation import rule_replication, warn_replication
from mimirkafka.kafka.statefulset_manifests import env_name
from mimirkafka.mimir.iam_policies import wildcard_resource_problems

from mimirkafka_policy import facts
from mimirkafka_policy.kinds import (
    CONFIG_MAP,
    HELM_RELEASES,
    IAM_POLICY_TYPES,
    IAM_ROLE,
    MSK_CLUSTER,
    MSK_CONFIGURATION,
    SECRET_STORES,
    SM_SECRET,
    STATEFUL_SET,
    strimzi_kind,
    topic_view,
)
from mimirkafka_policy.view import (
    Res,
    Secret,
    Violation,
    as_int,
    contains_unknown,
    get,
    is_unknown,
    parse_properties,
    reveal,
)

Cfg = Mapping[str, Any]
BATCH = "message.max.bytes"
TOPIC_BATCH = "max.message.bytes"


def _flavor(cfg: Cfg, default: KafkaFlavor) -> KafkaFlavor:
    return facts.flavor_named(cfg.get("flavor") or None, default)


def is_mimir_topic(name: Any, cfg: Cfg) -> bool:
    """Whether a topic is Mimir's ingest topic, by the rule's ``topicPattern`` (regex, case-insensitive)."""
    name = reveal(name)
    if not isinstance(name, str) or is_unknown(name):
        return False
    return re.search(str(cfg.get("topicPattern") or "mimir|ingest"), name, re.IGNORECASE) is not None


# --- the batch: topics ------------------------------------------------------------------------------


def topic_accepts_batch(r: Res, cfg: Cfg) -> list[Violation]:
    """Mimir's topic must take a 16,000,000-byte batch (or the flavor's cap, where it is lower)."""
    t = topic_view(r)
    if t is None or not is_mimir_topic(t.name, cfg) or t.configs is None:
        return []
    flavor = _flavor(cfg, t.flavor)
    need = facts.min_batch_bytes(flavor)
    where = f"{r.label()} (topic {reveal(t.name)!r})"
    raw = t.configs.get(TOPIC_BATCH)
    if raw is None:
        inherited = facts.broker_default_bytes(flavor)
        if inherited is not None and inherited >= need:
            return []
        return [
            Violation(
                f"{where}: {t.configs_path} has no {TOPIC_BATCH}, so the topic takes the broker's "
                f"{BATCH} (default {inherited} bytes on {flavor.value}), smaller than Mimir's producer "
                "batch of "
                f"up to {need} bytes: every full batch would fail with MESSAGE_TOO_LARGE",
                f'set {t.configs_path}["{TOPIC_BATCH}"] = "{need}"',
                r.urn,
            )
        ]
    value = as_int(raw)
    if value is None:
        return (
            []
            if contains_unknown(raw)
            else [
                Violation(
                    f"{where}: {TOPIC_BATCH}={raw!r} is not a number of bytes",
                    f'set {t.configs_path}["{TOPIC_BATCH}"] = "{need}"',
                    r.urn,
                )
            ]
        )
    if value < need:
        return [
            Violation(
                f"{where}: {TOPIC_BATCH}={value} is smaller than Mimir's producer batch of up to {need} "
                "bytes "
                f"({flavor.value}); Mimir's writes would fail with MESSAGE_TOO_LARGE",
                f'set {t.configs_path}["{TOPIC_BATCH}"] = "{need}"',
                r.urn,
            )
        ]
    return []


def topic_replication(r: Res, cfg: Cfg) -> list[Violation]:
    """Replication factor and min.insync.replicas by the contract's rules (errors and warnings)."""
    t = topic_view(r)
    if t is None or not is_mimir_topic(t.name, cfg):
        return []
    rf = as_int(t.replication_factor)
    isr = as_int((t.configs or {}).get("min.insync.replicas"))
    if rf is None:
        return []
    flavor = _flavor(cfg, t.flavor)
    # Unset min.insync.replicas: what the flavor fixes, else the broker's default (1 on Apache Kafka).
    default_isr = FLAVORS[flavor].fixed_min_insync_replicas or 1
    topic = TopicSettings(
        name=str(reveal(t.name)), replication_factor=rf, min_insync_replicas=isr or default_isr
    )
    c = IngestStorageContract(addresses=("policy:9092",), topic=topic, flavor=flavor)
    found = [*rule_replication(c), *(p for p in warn_replication(c) if p.setting != "topic.retention_ms")]
    where = f"{r.label()} (topic {topic.name!r})"
    return [
        Violation(f"{where}: {p.setting.replace('topic.', '')}={p.value!r}: {p.message}", p.fix, r.urn)
        for p in found
    ]


def topic_protected(r: Res, cfg: Cfg) -> list[Violation]:
    """Outside throw-away stacks, Pulumi must refuse to delete Mimir's topic (and its unconsumed data)."""
    t = topic_view(r)
    if t is None or not is_mimir_topic(t.name, cfg) or r.protect:
        return []
    return [
        Violation(
            f"{r.label()} (topic {reveal(t.name)!r}) is not protected: a rename, a replacement or "
            f"`pulumi destroy` of stack {r.stack or '?'} deletes the topic and the writes the ingesters "
            "have not consumed yet",
            "add opts=pulumi.ResourceOptions(protect=True) (mimirkafka: TopicProtection(), the default); "
            "for a throw-away stack list it in this rule's exemptStacks",
            r.urn,
        )
    ]


# --- the batch: brokers ------------------------------------------------------------------------------


def _batch_violation(
    r: Res, where: str, raw: Any, need: int, flavor: KafkaFlavor, fix: str
) -> list[Violation]:
    if raw is None:
        default = facts.broker_default_bytes(flavor)
        return [
            Violation(
                f"{r.label()}: {where} does not set {BATCH}, so the brokers keep their default "
                f"({default} bytes on {flavor.value}), smaller than Mimir's producer batch of up to "
                f"{need} bytes",
                fix,
                r.urn,
            )
        ]
    value = as_int(raw)
    if value is None:
        return []
    if value < need:
        return [
            Violation(
                f"{r.label()}: {where} sets {BATCH}={value}, smaller than Mimir's producer batch of up to "
                f"{need} bytes; the brokers would reject full batches with MESSAGE_TOO_LARGE",
                fix,
                r.urn,
            )
        ]
    return []


#: Images whose broker properties come from KAFKA_* environment variables by apache/kafka's rule.
APACHE_KAFKA_IMAGES = re.compile(r"(^|/)apache/kafka(-native)?(:|@|$)")


def broker_accepts_batch(r: Res, cfg: Cfg) -> list[Violation]:
    """Broker/cluster configurations (MSK configuration, Strimzi Kafka, apache/kafka StatefulSet)."""
    if r.type == MSK_CONFIGURATION:
        text = reveal(r.props.get("serverProperties"))
        if not isinstance(text, str) or is_unknown(text):
            return []
        flavor = _flavor(cfg, KafkaFlavor.MSK_PROVISIONED)
        need = facts.min_batch_bytes(flavor)
        return _batch_violation(
            r,
            "serverProperties",
            parse_properties(text).get(BATCH),
            need,
            flavor,
            f"add the line `{BATCH}={need}` (and `replica.fetch.max.bytes={need}`) to serverProperties",
        )
    if strimzi_kind(r) == "Kafka":
        config = get(r.props, "spec.kafka.config")
        if contains_unknown(config):
            return []
        flavor = _flavor(cfg, KafkaFlavor.STRIMZI)
        need = facts.min_batch_bytes(flavor)
        raw = reveal(config).get(BATCH) if isinstance(reveal(config), Mapping) else None
        return _batch_violation(
            r, "spec.kafka.config", raw, need, flavor, f'set spec.kafka.config["{BATCH}"] = {need}'
        )
    if r.type == STATEFUL_SET:
        out: list[Violation] = []
        containers = get(r.props, "spec.template.spec.containers") or []
        for c in containers if isinstance(containers, list) else []:
            image = reveal(get(c, "image"))
            if not isinstance(image, str) or not APACHE_KAFKA_IMAGES.search(image):
                continue
            var = env_name(BATCH)
            env = {get(e, "name"): get(e, "value") for e in (get(c, "env") or []) if isinstance(e, Mapping)}
            if contains_unknown(env.get(var)):
                continue
            flavor = _flavor(cfg, KafkaFlavor.APACHE)
            need = facts.min_batch_bytes(flavor)
            out += _batch_violation(
                r,
                f"container {get(c, 'name')!r} ({image})",
                env.get(var),
                need,
                flavor,
                f'add env {{name: "{var}", value: "{need}"}} to the broker container',
            )
        return out
    return []


# --- MSK -------------------------------------------------------------------------------------------

#: AWS-managed KMS aliases. MSK SCRAM secrets need a customer managed key: "A secret created with the default
#: AWS KMS key cannot be used with an Amazon MSK cluster" and "Your secret name must begin with the prefix
#: AmazonMSK_" (https://docs.aws.amazon.com/msk/latest/developerguide/msk-password-tutorial.html; also
#: msk-password-limitations.html). At rest, without a key MSK uses the AWS managed key alias/aws/kafka
#: (https://docs.aws.amazon.com/msk/latest/developerguide/msk-working-with-encryption.html).
AWS_MANAGED_KEY = re.compile(r"(^|:)alias/aws/")


def _customer_key(value: Any) -> bool | None:
    """True for a customer managed key, False for none/AWS-managed, None while unknown."""
    value = reveal(value)
    if is_unknown(value):
        return None
    return isinstance(value, str) and bool(value.strip()) and not AWS_MANAGED_KEY.search(value)


def msk_encryption(r: Res, cfg: Cfg) -> list[Violation]:
    """MSK provisioned: TLS only in transit (client-broker and in-cluster), a customer managed key at rest.

    ``encryptionInTransit.clientBroker`` is one of TLS, TLS_PLAINTEXT, PLAINTEXT and defaults to TLS;
    ``inCluster`` defaults to true (AWS CloudFormation ``AWS::MSK::Cluster EncryptionInTransit``,
    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-msk-cluster-encryptionintransit.html).
    Without ``encryptionAtRestKmsKeyArn`` MSK uses the AWS managed key ``alias/aws/kafka``.
    """
    if r.type != MSK_CLUSTER:
        return []
    out = []
    transit = get(r.props, "encryptionInfo.encryptionInTransit") or {}
    client_broker = reveal(get(transit, "clientBroker", "TLS"))
    if not is_unknown(client_broker) and client_broker != "TLS":
        out.append(
            Violation(
                f"{r.label()}: encryptionInfo.encryptionInTransit.clientBroker={client_broker!r} lets "
                "clients "
                "(Mimir's Kafka credentials, the samples) talk to the brokers in clear",
                'set encryptionInfo.encryptionInTransit.clientBroker = "TLS"',
                r.urn,
            )
        )
    in_cluster = reveal(get(transit, "inCluster", True))
    if in_cluster is False:
        out.append(
            Violation(
                f"{r.label()}: encryptionInfo.encryptionInTransit.inCluster=false replicates between brokers "
                "in clear",
                "set encryptionInfo.encryptionInTransit.inCluster = true",
                r.urn,
            )
        )
    key = get(r.props, "encryptionInfo.encryptionAtRestKmsKeyArn")
    if _customer_key(key) is False:
        out.append(
            Violation(
                f"{r.label()}: encryption at rest uses the AWS managed key"
                + (f" ({reveal(key)})" if key else " (encryptionAtRestKmsKeyArn not set)")
                + ", whose key policy you cannot restrict",
                "create an aws.kms.Key (enable_key_rotation=True) and set "
                "encryptionInfo.encryptionAtRestKmsKeyArn to its ARN",
                r.urn,
            )
        )
    return out


def msk_scram_secret_key(r: Res, cfg: Cfg) -> list[Violation]:
    """A Secrets Manager secret meant for MSK SCRAM (``AmazonMSK_*``) needs a customer managed KMS key."""
    if r.type != SM_SECRET:
        return []
    name = reveal(r.props.get("name")) or reveal(r.props.get("namePrefix"))
    if not isinstance(name, str) or not name.startswith("AmazonMSK_"):
        return []
    if _customer_key(r.props.get("kmsKeyId")) is False:
        return [
            Violation(
                f"{r.label()} ({name}): an MSK SCRAM secret without a customer managed KMS key (kmsKeyId) "
                "cannot be associated with the cluster",
                "set kmsKeyId to a customer managed aws.kms.Key's ARN (not alias/aws/secretsmanager)",
                r.urn,
            )
        ]
    return []


def msk_version_supported(r: Res, cfg: Cfg, today: date | None = None) -> list[Violation]:
    """MSK clusters and configurations on a Kafka version past AWS's end of support."""
    return _msk_versions(r, cfg, today or _today(cfg), {"ended"})


def msk_version_ending(r: Res, cfg: Cfg, today: date | None = None) -> list[Violation]:
    """MSK clusters and configurations whose Kafka version's end of support is near."""
    return _msk_versions(r, cfg, today or _today(cfg), {"ending"})


def _today(cfg: Cfg) -> date:
    given = cfg.get("today")
    return date.fromisoformat(given) if isinstance(given, str) and given else date.today()


def _msk_versions(r: Res, cfg: Cfg, today: date, statuses: set[str]) -> list[Violation]:
    if r.type == MSK_CLUSTER:
        versions = [("kafkaVersion", r.props.get("kafkaVersion"))]
    elif r.type == MSK_CONFIGURATION:
        listed = reveal(r.props.get("kafkaVersions")) or []
        versions = [
            (f"kafkaVersions[{i}]", v) for i, v in enumerate(listed if isinstance(listed, list) else [])
        ]
    else:
        return []
    out = []
    for where, raw in versions:
        v = reveal(raw)
        if not isinstance(v, str) or is_unknown(v):
            continue
        status, eos = facts.msk_support(v, today)
        if status in statuses:
            when = f"ended on {eos}" if status == "ended" and eos else "has ended"
            if status == "ending":
                when = f"ends on {eos}"
            out.append(
                Violation(
                    f"{r.label()}: {where}={v!r}: Amazon MSK support for this Kafka version {when}; AWS "
                    "auto-upgrades such clusters without notice and phases out new clusters on it",
                    "move to a supported version (e.g. 3.9.x.kraft or 4.1.x.kraft; check Mimir >= 3.1.2 "
                    "for Kafka 4.x) and create a configuration for it",
                    r.urn,
                )
            )
    return out


# --- IAM -------------------------------------------------------------------------------------------


def _policy_docs(r: Res) -> Iterator[tuple[str, Any]]:
    if r.type in IAM_POLICY_TYPES:
        yield "policy", r.props.get("policy")
    elif r.type == IAM_ROLE:
        inline = reveal(r.props.get("inlinePolicies")) or []
        for i, p in enumerate(inline if isinstance(inline, list) else []):
            yield f"inlinePolicies[{i}].policy", get(p, "policy")


def iam_no_wildcards(r: Res, cfg: Cfg) -> list[Violation]:
    """No ``kafka-cluster:*``/``s3:*`` (or any kafka/s3 action) on ``*``: the package's own check."""
    out = []
    for where, raw in _policy_docs(r):
        doc = reveal(raw)
        if isinstance(doc, str) and not is_unknown(doc):
            try:
                doc = json.loads(doc)
            except ValueError:
                continue
        if not isinstance(doc, Mapping) or contains_unknown(doc):
            continue
        statements = doc.get("Statement")
        if isinstance(statements, Mapping):
            doc = {**doc, "Statement": [statements]}
        for problem in wildcard_resource_problems(doc):
            out.append(
                Violation(
                    f"{r.label()}: {where}: {problem}",
                    "grant the exact actions Mimir uses on the cluster, topic and group ARNs "
                    "(mimirkafka.contract.msk_iam_actions / msk_iam_resource_names) and bucket ARNs",
                    r.urn,
                )
            )
    return out


# --- secrets in clear ----------------------------------------------------------------------------------

#: Mimir's secret settings by their config key (``sasl_msk_iam_secret_key`` does not end in "secret").
SECRET_CONFIG_KEYS = frozenset(facts.SECRET_ENV_VARS)


#: Keys that end like a secret but name one (chart values such as ``existingSecret``).
SECRET_REFERENCE_KEY = re.compile(r"(existing|ref)secret$", re.IGNORECASE)


def _secret_key(key: str) -> bool:
    if SECRET_REFERENCE_KEY.search(key):
        return False
    return key in SECRET_CONFIG_KEYS or bool(facts.SECRET_KEY_NAME.search(key))


def clear_secrets(value: Any, path: str = "") -> Iterator[str]:
    """Paths under ``value`` that hold a credential in clear: a secret-looking key with a plain string (not
    a Pulumi secret, not a ``${VAR}`` reference), or a PEM private key anywhere."""
    if isinstance(value, Secret) or is_unknown(value):
        return
    if isinstance(value, Mapping):
        for k, sub in value.items():
            sub_path = f"{path}.{k}" if path else str(k)
            if isinstance(sub, str) and _secret_key(str(k)) and _looks_like_secret(sub):
                yield sub_path
            else:
                yield from clear_secrets(sub, sub_path)
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            yield from clear_secrets(sub, f"{path}[{i}]")
    elif isinstance(value, str):
        if facts.PRIVATE_KEY_PEM.search(value):
            yield path
        elif "\n" in value and ":" in value:
            # A config file held as text (a ConfigMap's mimir.yaml, a values file): look inside.
            yield from (f"{path} -> {p}" for p in clear_secrets(_yaml_mapping(value)))


def _looks_like_secret(text: str) -> bool:
    text = text.strip()
    return bool(text) and not facts.is_env_ref(text) and text.lower() not in ("true", "false", "null")


def _yaml_mapping(text: str) -> Any:
    import yaml

    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    return doc if isinstance(doc, Mapping) else None


def no_clear_credentials(r: Res, cfg: Cfg) -> list[Violation]:
    """No Kafka credential, token or private key in clear in Helm values, ConfigMaps or any other input."""
    if r.type in SECRET_STORES:
        return []
    paths = list(clear_secrets(dict(r.props)))
    if not paths:
        return []
    if r.type in HELM_RELEASES:
        fix = (
            "write ${VAR} in the Mimir config (e.g. sasl_password: ${MIMIR_KAFKA_SASL_PASSWORD}) and give "
            "VAR to the Kafka-talking components from a Kubernetes Secret (<component>.extraEnvFrom / "
            "env valueFrom.secretKeyRef); mimirkafka's MimirDeployment does this"
        )
    elif r.type == CONFIG_MAP:
        fix = "move the value into a kubernetes Secret and reference it; ConfigMaps are readable in clear"
    else:
        fix = "pass the value as a Pulumi secret (pulumi.Output.secret / `pulumi config set --secret`)"
    return [
        Violation(
            f"{r.label()}: {p} holds a credential in clear (stored unencrypted in the state and readable "
            "by anyone who can read the resource)",
            fix,
            r.urn,
        )
        for p in paths
    ]
