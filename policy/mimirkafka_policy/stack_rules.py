"""Stack rules: the whole stack at once, so the Mimir side can be checked against the Kafka side.

Signature: ``rule(resources: Sequence[Res], cfg: Mapping[str, Any]) -> list[Violation]``.

The Mimir side is a Helm release of ``mimir-distributed`` (``kubernetes:helm.sh/v3:Release`` or
``v4:Chart``): its ``mimir.structuredConfig`` is read back into an ingest-storage contract with
``contract_from_mimir_config`` and judged by the contract's own rules (``problems``), with the topic,
ingester layout and flavor taken from the resources of the same stack.
"""

from __future__ import annotations

import dataclasses
import posixpath
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mimirkafka.contract import (
    ContractError,
    IngesterLayout,
    IngestStorageContract,
    KafkaFlavor,
    MimirVersion,
    Problem,
    SaslMechanism,
    contract_from_mimir_config,
    problems,
)
from mimirkafka.contract.flavors import RECORD_OVERHEAD_BYTES
from mimirkafka.contract.parse import config_from_flags
from mimirkafka.contract.validation import split_address
from mimirkafka.mimir.values import deep_merge

from mimirkafka_policy import facts
from mimirkafka_policy.kinds import (
    K8S_SECRET,
    KAFKA_SCRAM,
    MSK_CLUSTER,
    MSK_CONFIGURATION,
    MSK_SCRAM_ASSOCIATIONS,
    MSK_SERVERLESS,
    SM_SECRET,
    TopicView,
    chart_name,
    helm_values,
    strimzi_kind,
    topic_view,
)
from mimirkafka_policy.resource_rules import msk_scram_secret_key
from mimirkafka_policy.view import (
    Res,
    Violation,
    as_int,
    contains_unknown,
    get,
    is_unknown,
    parse_properties,
    reveal,
)

Cfg = Mapping[str, Any]
KAFKA_PATH = "mimir.structuredConfig.ingest_storage.kafka"
#: Contract settings judged here; replication has its own resource rule, the rest needs facts a Helm
#: release does not carry (principal, group prefix: ACLs are the Kafka side's business).
AGREEMENT_SETTINGS = (
    "addresses",
    "topic.name",
    "topic.partitions",
    "ingesters",
    "producer_max_record_size_bytes",
    "sasl",
    "tls",
    "mimir_version",
    "kafka_version",
    "use_compressed_bytes_as_fetch_max_bytes",
    "auto_create",
    "enabled",
)


@dataclass(frozen=True)
class MimirRelease:
    res: Res
    values: dict[str, Any]
    config: dict[str, Any]
    kafka: dict[str, Any]

    def where(self, path: str = KAFKA_PATH) -> str:
        return f"{self.res.label()} (values.{path})"


def mimir_releases(resources: Iterable[Res]) -> list[MimirRelease]:
    """The stack's mimir-distributed releases that run ingest storage (values known)."""
    out = []
    for r in resources:
        if chart_name(r) != facts.CHART_NAME:
            continue
        values = helm_values(r)
        config = reveal(get(values, "mimir.structuredConfig")) or {}
        if not isinstance(config, Mapping):
            continue
        kafka = reveal(get(config, "ingest_storage.kafka"))
        if not isinstance(kafka, Mapping):
            continue
        out.append(MimirRelease(r, values, dict(config), dict(kafka)))
    return out


# --- what the stack says about the Kafka side ---------------------------------------------------------


def stack_flavor(resources: Sequence[Res], cfg: Cfg) -> KafkaFlavor:
    """The flavor the stack's own Kafka resources imply (or the rule's ``flavor`` setting)."""
    if cfg.get("flavor"):
        return facts.flavor_named(str(cfg["flavor"]))
    for r in resources:
        if r.type == MSK_SERVERLESS:
            return KafkaFlavor.MSK_SERVERLESS
        if r.type == MSK_CLUSTER:
            instance = reveal(get(r.props, "brokerNodeGroupInfo.instanceType"))
            express = isinstance(instance, str) and instance.startswith("express.")
            return KafkaFlavor.MSK_EXPRESS if express else KafkaFlavor.MSK_PROVISIONED
        if strimzi_kind(r) == "Kafka":
            return KafkaFlavor.STRIMZI
    return KafkaFlavor.APACHE


def stack_kafka_version(resources: Sequence[Res]) -> str | None:
    for r in resources:
        v = reveal(r.props.get("kafkaVersion")) if r.type == MSK_CLUSTER else None
        if strimzi_kind(r) == "Kafka":
            v = reveal(get(r.props, "spec.kafka.version"))
        if isinstance(v, str) and not is_unknown(v):
            return v
    return None


def topics_named(resources: Sequence[Res], name: str) -> list[TopicView]:
    out = []
    for r in resources:
        t = topic_view(r)
        if t is not None and reveal(t.name) == name:
            out.append(t)
    return out


def ingester_layout(values: Mapping[str, Any]) -> IngesterLayout | None:
    """Ingesters per zone as mimir-distributed lays them out, or ``None`` if the values do not say.

    The chart runs ``ceil(replicas / zones)`` ingesters in each zone when zone awareness is on, and all
    ``replicas`` in one group otherwise (grafana/mimir operations/helm/charts/mimir-distributed/templates/
    _helpers.tpl, ``mimir.zoneAwareReplicationMap``: ``div (add $requestedReplicas $numberOfZones -1)
    $numberOfZones``). Without a zone list the chart's default applies: zone-a, zone-b, zone-c
    (operations/helm/charts/mimir-distributed/values.yaml @000dee89, ``ingester.zoneAwareReplication.zones``).
    """
    replicas = as_int(get(values, "ingester.replicas"))
    if replicas is None:
        return None
    aware = reveal(get(values, "ingester.zoneAwareReplication.enabled", True))
    if aware is False:
        return IngesterLayout(zones=1, per_zone=replicas)
    zones_list = reveal(get(values, "ingester.zoneAwareReplication.zones"))
    zones = len(zones_list) if isinstance(zones_list, list) and zones_list else 3
    return IngesterLayout(zones=zones, per_zone=-(-replicas // zones))


def release_contract(rel: MimirRelease, resources: Sequence[Res], cfg: Cfg) -> IngestStorageContract:
    """The contract Mimir's values describe, with the topic, layout, flavor and versions of the stack."""
    flavor = stack_flavor(resources, cfg)
    kafka_version = stack_kafka_version(resources)
    layout = ingester_layout(rel.values)
    tag = reveal(get(rel.values, "image.tag"))
    version: MimirVersion | str = "3.1.2"
    if isinstance(tag, str):
        try:
            version = MimirVersion.parse(tag)
        except ValueError:
            version = "3.1.2"
    c = contract_from_mimir_config(
        rel.config,
        flavor=flavor,
        mimir_version=version,
        kafka_version=kafka_version or "4.1",
        ingesters=layout or IngesterLayout(zones=1, per_zone=1),
    )
    topics = topics_named(resources, c.topic.name)
    partitions = as_int(topics[0].partitions) if topics else None
    if partitions is not None:
        c = dataclasses.replace(c, topic=dataclasses.replace(c.topic, partitions=partitions))
    return c


def _relevant(p: Problem, known_kafka_version: bool, known_layout: bool) -> bool:
    if not p.setting.startswith(AGREEMENT_SETTINGS):
        return False
    if p.setting == "mimir_version" and not known_kafka_version:
        return False  # the Kafka version floor needs the brokers' version, which the stack does not show
    return known_layout or not p.setting.startswith("ingesters")


#: Components that always run, and those that run only with a values switch (values path, chart default):
#: ``ruler.enabled: true`` in mimir-distributed values.yaml @000dee89; the ruler query-frontend only with
#: ``ruler.remoteEvaluationDedicatedQueryPath`` (templates/ruler-query-frontend, see mimir/components.py).
ALWAYS_RUNNING = ("distributor", "ingester", "query_frontend")
SWITCHED = {
    "ruler": ("ruler.enabled", True),
    "ruler_query_frontend": ("ruler.remoteEvaluationDedicatedQueryPath", False),
}


def running_kafka_components(values: Mapping[str, Any]) -> list[str]:
    """The Kafka-talking components this release deploys (facts.KAFKA_TALKING_COMPONENTS)."""
    out = []
    for c in facts.KAFKA_TALKING_COMPONENTS:
        if c in SWITCHED:
            path, default = SWITCHED[c]
            if reveal(get(values, path, default)) is not True:
                continue
        out.append(c)
    return out


def _flags(section: Any) -> list[str]:
    args = reveal(get(section, "extraArgs"))
    if isinstance(args, Mapping):
        return [f"-{str(k).lstrip('-')}={reveal(v)}" for k, v in args.items()]
    if isinstance(args, list):
        return [str(reveal(a)) for a in args]
    return []


def component_config(rel: MimirRelease, component: str) -> dict[str, Any]:
    """Mimir's config as ``component``'s pods load it: ``mimir.structuredConfig`` with the global and
    the component's ``extraArgs`` flags applied (the contract's own flag table, ``config_from_flags``)."""
    flags = _flags(get(rel.values, "global")) + _flags(get(rel.values, component))
    return deep_merge(rel.config, config_from_flags(flags))


def mimir_kafka_agreement(resources: Sequence[Res], cfg: Cfg) -> list[Violation]:
    """Mimir's ``ingest_storage.kafka`` (as each Kafka-talking component sees it) against the topic and
    brokers of the same stack."""
    out: list[Violation] = []
    for rel in mimir_releases(resources):
        if contains_unknown(rel.config):
            continue
        found: dict[tuple[str, str, str], list[str]] = {}
        for component in running_kafka_components(rel.values):
            view = dataclasses.replace(rel, config=component_config(rel, component))
            view = dataclasses.replace(view, kafka=dict(get(view.config, "ingest_storage.kafka") or {}))
            for v in _agreement(view, resources, cfg):
                found.setdefault((v.message, v.fix, v.urn), []).append(component)
        for (message, fix, urn), components in found.items():
            out.append(Violation(f"{message} [as {', '.join(components)} load it]", fix, urn))
    return out


def _agreement(rel: MimirRelease, resources: Sequence[Res], cfg: Cfg) -> list[Violation]:
    try:
        c = release_contract(rel, resources, cfg)
    except ContractError as e:
        return [
            Violation(f"{rel.where()}: {p.setting}={p.value!r}: {p.message}", p.fix, rel.res.urn)
            for p in e.problems
        ]
    known_layout = ingester_layout(rel.values) is not None
    known_version = stack_kafka_version(resources) is not None
    out = [_from_problem(rel, p, c) for p in problems(c) if _relevant(p, known_version, known_layout)]
    out += _topic_agreement(rel, resources, c)
    out += _listener_agreement(rel, resources, c)
    return out


def _from_problem(rel: MimirRelease, p: Problem, c: IngestStorageContract) -> Violation:
    if p.setting == "topic.partitions":
        where = f"{rel.res.label()}: topic {c.topic.name!r} has {c.topic.partitions} partitions"
        return Violation(
            f"{where} but values.ingester runs {c.ingesters.per_zone} ingester(s) per zone: {p.message}",
            f"{p.fix}, or lower values.ingester.replicas",
            rel.res.urn,
        )
    return Violation(f"{rel.where()}: {p.setting}={p.value!r}: {p.message}", p.fix, rel.res.urn)


def _topic_agreement(
    rel: MimirRelease, resources: Sequence[Res], c: IngestStorageContract
) -> list[Violation]:
    topics = topics_named(resources, c.topic.name)
    declared = [topic_view(r) for r in resources]
    others = sorted(
        {str(reveal(t.name)) for t in declared if t is not None and isinstance(reveal(t.name), str)}
    )
    if not topics:
        if not others:
            return []  # the topic lives outside this stack
        return [
            Violation(
                f"{rel.where()}: topic={c.topic.name!r} is not among the stack's topics {others}; Mimir "
                "would "
                "write to a topic nobody created (or auto-create it with broker defaults)",
                f"set values.{KAFKA_PATH}.topic to the topic this stack creates, or create {c.topic.name!r}",
                rel.res.urn,
            )
        ]
    out = []
    for t in topics:
        size = as_int((t.configs or {}).get("max.message.bytes"))
        record = c.producer_max_record_size_bytes
        if size is not None and record > size:
            out.append(
                Violation(
                    f"{rel.where()}: producer_max_record_size_bytes={record} is larger than "
                    f"{t.res.label()}'s max.message.bytes={size}; Mimir's largest records would be refused",
                    f"raise the topic's max.message.bytes to {facts.PRODUCER_BATCH_MAX_BYTES} or set "
                    f"values.{KAFKA_PATH}.producer_max_record_size_bytes to at most "
                    f"{size - RECORD_OVERHEAD_BYTES}",
                    rel.res.urn,
                )
            )
    return out


# Strimzi listener authentication types -> the SASL mechanism Mimir must use (None: no SASL).
STRIMZI_AUTH = {
    "scram-sha-512": SaslMechanism.SCRAM_SHA_512,
    "tls": None,
    "oauth": SaslMechanism.OAUTHBEARER,
    "custom": SaslMechanism.OAUTHBEARER,
}


def _listener_agreement(
    rel: MimirRelease, resources: Sequence[Res], c: IngestStorageContract
) -> list[Violation]:
    out: list[Violation] = []
    mech = c.sasl.mechanism
    for r in resources:
        if r.type == MSK_CLUSTER:
            sasl = reveal(get(r.props, "clientAuthentication.sasl")) or {}
            enabled = {
                SaslMechanism.SCRAM_SHA_512: reveal(get(sasl, "scram")) is True,
                SaslMechanism.AWS_MSK_IAM: reveal(get(sasl, "iam")) is True,
            }
            if mech in enabled and not enabled[mech]:
                key = "scram" if mech is SaslMechanism.SCRAM_SHA_512 else "iam"
                out.append(
                    Violation(
                        f"{rel.where()}: sasl_mechanism={mech.value} but {r.label()} does not enable it "
                        f"(clientAuthentication.sasl.{key} is not true)",
                        f"set clientAuthentication.sasl.{key}=true on the cluster, or use the mechanism "
                        "it enables",
                        rel.res.urn,
                    )
                )
        elif strimzi_kind(r) == "Kafka":
            out += _strimzi_listener(rel, r, c)
        elif r.type == KAFKA_SCRAM and mech in (SaslMechanism.SCRAM_SHA_256, SaslMechanism.SCRAM_SHA_512):
            user = reveal(r.props.get("username"))
            got = reveal(r.props.get("scramMechanism"))
            want_user = getattr(c.sasl, "username", None)
            if user == want_user and isinstance(got, str) and got != mech.value:
                out.append(
                    Violation(
                        f"{rel.where()}: sasl_mechanism={mech.value} but {r.label()} stores {user!r}'s "
                        f"credential for {got}; the login would fail",
                        f"make both the same: scramMechanism={mech.value!r} or sasl_mechanism={got!r}",
                        rel.res.urn,
                    )
                )
    return out


def _strimzi_listener(rel: MimirRelease, r: Res, c: IngestStorageContract) -> list[Violation]:
    listeners = reveal(get(r.props, "spec.kafka.listeners"))
    if not isinstance(listeners, list) or contains_unknown(listeners):
        return []
    by_port = {as_int(get(lst, "port")): lst for lst in listeners if isinstance(lst, Mapping)}
    out = []
    for a in c.addresses:
        hp = split_address(a)
        if hp is None:
            continue
        lst = by_port.get(hp[1])
        if lst is None:
            out.append(
                Violation(
                    f"{rel.where()}: address {a!r}: {r.label()} has no listener on port {hp[1]} "
                    f"(listeners: {sorted(p for p in by_port if p is not None)})",
                    "point the address at the bootstrap service port of the listener Mimir should use",
                    rel.res.urn,
                )
            )
            continue
        tls = reveal(get(lst, "tls")) is True
        if tls != c.tls.enabled:
            out.append(
                Violation(
                    f"{rel.where()}: tls_enabled={c.tls.enabled} but listener {get(lst, 'name')!r} on port "
                    f"{hp[1]} has tls={tls}",
                    f"set values.{KAFKA_PATH}.tls_enabled: {str(tls).lower()}",
                    rel.res.urn,
                )
            )
        auth = reveal(get(lst, "authentication.type"))
        want = STRIMZI_AUTH.get(auth) if isinstance(auth, str) else None
        if isinstance(auth, str) and auth in STRIMZI_AUTH and want is not c.sasl.mechanism:
            shown = want.value if want else "none (client certificate)"
            out.append(
                Violation(
                    f"{rel.where()}: sasl_mechanism={c.sasl.mechanism.value if c.sasl.mechanism else None} "
                    f"but listener {get(lst, 'name')!r} authenticates with {auth}",
                    f"set values.{KAFKA_PATH}.sasl_mechanism to {shown}, or use a listener that matches",
                    rel.res.urn,
                )
            )
    return out


# --- ruler remote evaluation -----------------------------------------------------------------------------


def ruler_remote_evaluation(resources: Sequence[Res], cfg: Cfg) -> list[Violation]:
    """Ingest storage requires the ruler to evaluate rules through a query-frontend (grafana/mimir
    operations/mimir/ingest-storage.libsonnet asserts 'ingest storage requires ruler remote evaluation')."""
    out = []
    for rel in mimir_releases(resources):
        if reveal(get(rel.values, "ruler.enabled", True)) is False:
            continue
        dedicated = reveal(get(rel.values, "ruler.remoteEvaluationDedicatedQueryPath"))
        address = reveal(get(rel.config, "ruler.query_frontend.address"))
        if dedicated is True or (isinstance(address, str) and address.strip()):
            continue
        out.append(
            Violation(
                f"{rel.res.label()}: the ruler evaluates rules itself "
                "(values.ruler.remoteEvaluationDedicatedQueryPath "
                "is not true and mimir.structuredConfig.ruler.query_frontend.address is empty); Mimir's "
                "ingest "
                "storage requires ruler remote evaluation",
                "set values.ruler.remoteEvaluationDedicatedQueryPath: true (the chart deploys a ruler "
                "query-frontend; give it the Kafka credentials too)",
                rel.res.urn,
            )
        )
    return out


# --- credentials only where Kafka is spoken ----------------------------------------------------------------


def _kafka_vars(kafka: Mapping[str, Any]) -> set[str]:
    found: set[str] = set()
    for v in kafka.values():
        v = reveal(v)
        if isinstance(v, str):
            found |= set(facts.ENV_REF.findall(v))
    return found


def _env_names(entries: Any) -> set[str]:
    entries = reveal(entries)
    if not isinstance(entries, list):
        return set()
    return {str(reveal(get(e, "name"))) for e in entries if isinstance(reveal(e), Mapping)}


def _secret_keys(resources: Sequence[Res], name: str) -> set[str] | None:
    for r in resources:
        if r.type == K8S_SECRET and reveal(get(r.props, "metadata.name")) == name:
            keys: set[str] = set()
            for field in ("stringData", "data"):
                d = reveal(r.props.get(field))
                if isinstance(d, Mapping):
                    keys |= set(d)
            return keys
    return None


def _env_from_vars(entries: Any, resources: Sequence[Res], kafka_vars: set[str], unsure: bool) -> list[str]:
    """Secrets in an ``extraEnvFrom`` list that carry Kafka variables: by their keys when the Secret is in
    the stack; a Secret from elsewhere counts only when ``unsure`` (no Kafka component names the
    variables itself, so this Secret is the likely source)."""
    entries = reveal(entries)
    hits = []
    for e in entries if isinstance(entries, list) else []:
        name = reveal(get(e, "secretRef.name"))
        if not isinstance(name, str):
            continue
        keys = _secret_keys(resources, name)
        if (keys is None and unsure) or (keys is not None and keys & kafka_vars):
            hits.append(name)
    return hits


def _provided_by_components(values: Mapping[str, Any], kafka_vars: set[str]) -> bool:
    """Every Kafka variable is named in the env of each running Kafka-talking component."""
    for c in running_kafka_components(values):
        body = reveal(get(values, c)) or {}
        named = _env_names(get(body, "env")) | _env_names(get(body, "extraEnv"))
        if not kafka_vars <= named:
            return False
    return True


def kafka_credentials_scope(resources: Sequence[Res], cfg: Cfg) -> list[Violation]:
    """Kafka credentials (``${VAR}`` of ingest_storage.kafka, the TLS client key) only on the components
    that talk to Kafka (facts.KAFKA_TALKING_COMPONENTS), never in ``global`` or on other components."""
    out = []
    for rel in mimir_releases(resources):
        kafka_vars = _kafka_vars(rel.kafka)
        key_path = reveal(rel.kafka.get("tls_key_path"))
        key_dir = posixpath.dirname(key_path) if isinstance(key_path, str) and key_path else None
        sections = {"global": get(rel.values, "global")} | {
            k: v for k, v in rel.values.items() if k not in facts.KAFKA_TALKING_COMPONENTS and k != "global"
        }
        for section, body in sections.items():
            body = reveal(body)
            if not isinstance(body, Mapping):
                continue
            where = f"values.{section}"
            leaked = sorted(kafka_vars & (_env_names(body.get("extraEnv")) | _env_names(body.get("env"))))
            unsure = not _provided_by_components(rel.values, kafka_vars)
            secrets = (
                _env_from_vars(body.get("extraEnvFrom"), resources, kafka_vars, unsure) if kafka_vars else []
            )
            mounts = reveal(body.get("extraVolumeMounts"))
            key_mounts = [
                str(reveal(get(m, "mountPath")))
                for m in (mounts if isinstance(mounts, list) else [])
                if key_dir
                and isinstance(reveal(get(m, "mountPath")), str)
                and key_dir.startswith(str(reveal(get(m, "mountPath"))).rstrip("/"))
            ]
            what = [f"env {leaked}"] if leaked else []
            what += [f"extraEnvFrom Secret {s!r}" for s in secrets]
            what += [f"the TLS client key mount {m!r}" for m in key_mounts]
            if not what:
                continue
            scope = (
                "every pod of the chart"
                if section == "global"
                else f"the {section} pods, which never talk to Kafka"
            )
            out.append(
                Violation(
                    f"{rel.res.label()}: {where} gives {scope} Mimir's Kafka credentials ({', '.join(what)})",
                    "move them to the Kafka-talking components only: "
                    + ", ".join(f"values.{c}" for c in facts.KAFKA_TALKING_COMPONENTS)
                    + " (extraEnv / extraEnvFrom / extraVolumes / extraVolumeMounts)",
                    rel.res.urn,
                )
            )
    return out


# --- MSK SCRAM ----------------------------------------------------------------------------------------------


def _deps(r: Res, prop: str, resources: Sequence[Res]) -> list[Res]:
    by_urn = {x.urn: x for x in resources if x.urn}
    urns = r.property_dependencies.get(prop) or r.dependencies
    return [by_urn[u] for u in urns if u in by_urn]


def msk_scram_secrets(resources: Sequence[Res], cfg: Cfg) -> list[Violation]:
    """Secrets associated with an MSK cluster for SCRAM: named ``AmazonMSK_*``, customer managed KMS key."""
    out: list[Violation] = []
    for r in resources:
        if r.type not in MSK_SCRAM_ASSOCIATIONS:
            continue
        prop = "secretArnLists" if "secretArnLists" in r.props else "secretArn"
        for secret in (s for s in _deps(r, prop, resources) if s.type == SM_SECRET):
            name = reveal(secret.props.get("name")) or reveal(secret.props.get("namePrefix"))
            if isinstance(name, str) and not is_unknown(name) and not name.startswith("AmazonMSK_"):
                out.append(
                    Violation(
                        f"{r.label()}: associates {secret.label()} named {name!r}; MSK only accepts SCRAM "
                        "secrets whose name starts with AmazonMSK_",
                        f"rename the secret to 'AmazonMSK_{name}' (a new secret: names cannot change)",
                        r.urn,
                    )
                )
            out += msk_scram_secret_key(secret, cfg)
        listed = reveal(r.props.get(prop))
        arns = listed if isinstance(listed, list) else [listed]
        for arn in arns:
            arn = reveal(arn)
            if (
                isinstance(arn, str)
                and not is_unknown(arn)
                and ":secret:" in arn
                and ":secret:AmazonMSK_" not in arn
            ):
                out.append(
                    Violation(
                        f"{r.label()}: {arn!r} is not an AmazonMSK_ secret; MSK refuses the association",
                        "associate a secret named AmazonMSK_<name>, encrypted with a customer managed key",
                        r.urn,
                    )
                )
    return out


def msk_scram_acl_default_deny(resources: Sequence[Res], cfg: Cfg) -> list[Violation]:
    """With SCRAM on, ``allow.everyone.if.no.acl.found=false``: MSK's default (true) lets every SCRAM user
    read and write every topic that has no ACL (AWS MSK developer guide, msk-default-configuration.html and
    msk-acls.html: "Amazon MSK sets it to true by default")."""
    out = []
    for r in resources:
        if r.type != MSK_CLUSTER or reveal(get(r.props, "clientAuthentication.sasl.scram")) is not True:
            continue
        info = reveal(r.props.get("configurationInfo"))
        if not info:
            out.append(
                Violation(
                    f"{r.label()}: SCRAM is on but the cluster has no configuration, so MSK's default "
                    "allow.everyone.if.no.acl.found=true gives every SCRAM user every topic without an ACL",
                    "create an aws.msk.Configuration with `allow.everyone.if.no.acl.found=false` in "
                    "serverProperties, set configurationInfo, and grant Mimir its ACLs",
                    r.urn,
                )
            )
            continue
        configs = [x for x in _deps(r, "configurationInfo", resources) if x.type == MSK_CONFIGURATION]
        if not configs:
            configs = [x for x in resources if x.type == MSK_CONFIGURATION]
        for conf in configs:
            text = reveal(conf.props.get("serverProperties"))
            if not isinstance(text, str) or is_unknown(text):
                continue
            value = parse_properties(text).get("allow.everyone.if.no.acl.found")
            if value != "false":
                out.append(
                    Violation(
                        f"{r.label()}: SCRAM is on and {conf.label()} has allow.everyone.if.no.acl.found="
                        f"{value or 'unset (MSK default: true)'}: every SCRAM user can use every topic "
                        "that has no ACL",
                        "add `allow.everyone.if.no.acl.found=false` to serverProperties and grant Mimir its "
                        "ACLs (mimirkafka.contract.kafka_requirements(c).acls)",
                        r.urn,
                    )
                )
    return out
