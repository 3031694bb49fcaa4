"""The stack plan: everything ``pulumi up -s <stack>`` will create, computed with no resource.

:func:`plan_stack` reads the stack config, the files it names and the stack's last outputs, builds
the one contract, the arguments of every component and each component's own pure plan (the same
function the component's constructor calls), and collects every problem and warning in the stack's
own keys. :func:`mimirkafka.stack.deploy.deploy` registers resources only for a plan without problems,
so a refusal never comes after a registration. ``mimirkafka plan -s <stack>`` prints a plan.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import Any, TypeVar

from mimirkafka.contract.errors import ContractError, Problem, unique
from mimirkafka.contract.kafka_side import principal_for
from mimirkafka.contract.model import (
    ConsumerTuning,
    IngesterLayout,
    IngestStorageContract,
    MskIamSocket,
    NoSasl,
    OAuthBearerStatic,
    PartitionRingSettings,
    PemMaterial,
    PlainAuth,
    SaslMechanism,
    ScramAuth,
    SecretValue,
    TlsConfig,
    TopicSettings,
)
from mimirkafka.contract.validation import problems as contract_problems
from mimirkafka.contract.validation import warnings as contract_warnings
from mimirkafka.kafka._contract import problem_from_text
from mimirkafka.kafka.endpoint import CaKind, CaSource, CredentialsKind, CredentialsSource, KafkaEndpoint
from mimirkafka.kafka.protection import DeployedTopic, TopicProtection, deployed_topic_from_outputs
from mimirkafka.mimir import values as mv
from mimirkafka.mimir.sources import mimir_view
from mimirkafka.stack import config as sc
from mimirkafka.stack import outputs as so
from mimirkafka.stack.translate import to_stack

T = TypeVar("T")

#: The listener of the test-bed broker that admins use (PLAIN super user; see testbed/devbroker.py).
BROKER_ADMIN_LISTENER = "sasl_plain"
#: Stands for a password the Kafka side generates at deploy time (never a real value).
GENERATED = "(generated at deploy time)"


@dataclasses.dataclass(frozen=True)
class Secrets:
    """Secret stack config values (Pulumi secret Outputs, or plain strings in tests)."""

    kafka_password: Any = None
    kafka_oauth_token: Any = None
    kafka_admin_password: Any = None


@dataclasses.dataclass(frozen=True)
class BrokerInfo:
    """What the local stack takes from the test-bed broker's JSON (pure view of it)."""

    mimir_addresses: tuple[str, ...]
    admin_addresses: tuple[str, ...]
    admin_user: str
    admin_password: str
    ca_pem: str
    mimir_tls: bool
    #: SASL mechanisms the listener accepts (empty: none, e.g. the mTLS listener).
    mechanisms: tuple[str, ...] = ()
    #: The listener authenticates clients by their certificate (Kafka's SSL protocol with client auth).
    mutual_tls: bool = False
    #: Principal -> (certificate PEM, key PEM) of the client certificates the broker issued.
    client_certs: Mapping[str, tuple[str, str]] = dataclasses.field(default_factory=dict, repr=False)


@dataclasses.dataclass(frozen=True)
class StackPlan:
    """Everything one stack creates, decided before the first resource (see module docstring)."""

    project: str
    stack: str
    config: sc.StackConfig
    #: The contract both sides are derived from (its address is a placeholder until the Kafka side
    #: reports its bootstrap list, for msk/msk-serverless).
    contract: IngestStorageContract
    #: The component arguments, ready to construct (``ExistingKafkaArgs``, ``MskKafkaArgs``, ...).
    kafka_args: Any
    #: That component's own pure plan (``plan_existing``, ``plan_msk``, ...).
    kafka_plan: Any
    #: MimirDeployment's plan (values with ``${VAR}`` secrets, Kafka components, ingesters).
    mimir: Any
    iam: dict[str, Any] | None
    render_dir: Path | None
    previous: DeployedTopic | None
    warnings: tuple[Problem, ...]
    #: Mimir's principal for the ACLs ("" when unknown or IAM).
    principal: str


class _Collect:
    """Runs each planning step, collecting its problems (in stack keys) instead of stopping."""

    def __init__(self, values: Mapping[str, Any], overrides: Mapping[str, str] | None = None) -> None:
        self.values = values
        self.overrides = overrides or {}
        self.problems: list[Problem] = []

    def run(self, step: Callable[[], T], fallback_key: str) -> T | None:
        try:
            return step()
        except ContractError as e:
            self.problems.extend(to_stack(p, self.values, fallback_key, self.overrides) for p in e.problems)
        except ValueError as e:
            # A component check that has not yet joined the ContractError base: still never raw.
            self.problems.append(
                to_stack(problem_from_text(str(e)), self.values, fallback_key, self.overrides)
            )
        return None

    def add(self, key: str, message: str, fix: str) -> None:
        self.problems.append(sc.KeyProblem(key, self.values.get(key), message, fix))


# --- files the stack names -------------------------------------------------------------------------


def _read(root: Path, path: str) -> str:
    p = Path(path)
    return (p if p.is_absolute() else root / p).read_text()


def read_file(c: _Collect, root: Path, key: str, path: str) -> str | None:
    """The text of the file a stack key names, or a problem naming the key."""
    try:
        return _read(root, path)
    except FileNotFoundError:
        c.add(
            key,
            f"no such file (relative paths are from the project directory {root})",
            f"point {key} at an existing file",
        )
    except IsADirectoryError:
        c.add(key, "is a directory", f"point {key} at a file")
    except PermissionError:
        c.add(key, "cannot be read (permission denied)", f"make the file readable or point {key} elsewhere")
    except UnicodeDecodeError:
        c.add(key, "is not a text (PEM/JSON) file", f"point {key} at a PEM/JSON text file")
    except OSError as e:
        c.add(key, f"cannot be read ({e.strerror})", f"point {key} at a readable file")
    return None


def _common_name(cert_pem: str) -> str:
    """The certificate's subject CN: what the broker's ``RULE:^CN=(.*)$/$1/`` maps to a user name."""
    from cryptography import x509

    cert = x509.load_pem_x509_certificate(cert_pem.encode())
    names = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return str(names[0].value) if names else cert.subject.rfc4514_string()


def broker_info(doc: Mapping[str, Any], listener: str) -> BrokerInfo:
    """The broker-info JSON as the stack needs it; ``StackConfigError`` names the key on any defect."""
    key = "kafkaBrokerInfoFile"
    try:
        listeners = doc["listeners"]
        if listener not in listeners:
            raise sc.StackConfigError(
                [
                    sc.KeyProblem(
                        "kafkaBrokerListener",
                        listener,
                        "the broker has no such listener",
                        f"set kafkaBrokerListener to one of {sorted(listeners)}",
                    )
                ]
            )
        chosen = listeners[listener]
        certs: dict[str, tuple[str, str]] = {}
        if doc.get("client_cert_pem") and doc.get("client_key_pem"):
            certs[f"User:{_common_name(doc['client_cert_pem'])}"] = (
                doc["client_cert_pem"],
                doc["client_key_pem"],
            )
        for cn, pair in (doc.get("client_certs") or {}).items():
            certs[f"User:{cn}"] = (pair["cert"], pair["key"])
        return BrokerInfo(
            mimir_addresses=(chosen["address"],),
            admin_addresses=(listeners[BROKER_ADMIN_LISTENER]["address"],),
            admin_user=doc["admin_user"],
            admin_password=doc["admin_password"],
            ca_pem=doc["ca_pem"],
            mimir_tls=chosen["security_protocol"] in ("SSL", "SASL_SSL"),
            mechanisms=tuple(chosen.get("mechanisms") or ()),
            mutual_tls=chosen["security_protocol"] == "SSL",
            client_certs=certs,
        )
    except (KeyError, TypeError, AttributeError, ValueError) as e:
        if isinstance(e, sc.StackConfigError):
            raise
        raise sc.StackConfigError(
            [
                sc.KeyProblem(
                    key,
                    "",
                    f"not a broker-info document (missing or malformed {e!s})",
                    "point kafkaBrokerInfoFile at the JSON the test-bed broker writes "
                    "(testbed/devbroker.py --info)",
                )
            ]
        ) from None


def check_listener_auth(info: BrokerInfo, listener: str, auth: str) -> list[sc.KeyProblem]:
    """kafkaAuth must be what the chosen listener speaks, or Mimir could never log in (pure)."""
    mech = mechanism(auth)
    if mech is None and info.mechanisms:
        return [
            sc.KeyProblem(
                "kafkaAuth",
                auth,
                f"listener {listener!r} requires SASL ({', '.join(info.mechanisms)})",
                "set kafkaAuth to one of them",
            )
        ]
    if mech is not None and mech.value not in info.mechanisms:
        speaks = ", ".join(info.mechanisms) or ("mTLS (kafkaAuth=none)" if info.mutual_tls else "no SASL")
        return [
            sc.KeyProblem(
                "kafkaAuth",
                auth,
                f"listener {listener!r} speaks {speaks}",
                "set kafkaAuth accordingly or pick another kafkaBrokerListener",
            )
        ]
    return []


def broker_client_cert(info: BrokerInfo, listener: str, principal: str) -> tuple[str, str] | sc.KeyProblem:
    """The broker-issued certificate whose subject the broker maps to ``principal`` (pure)."""
    known = ", ".join(sorted(info.client_certs)) or "none"
    if not principal:
        return sc.KeyProblem(
            "kafkaPrincipal",
            "",
            f"listener {listener!r} authenticates Mimir by its client certificate",
            f"set kafkaPrincipal to the principal of one the broker issued ({known})",
        )
    if principal not in info.client_certs:
        return sc.KeyProblem(
            "kafkaPrincipal",
            principal,
            "the broker issued no client certificate for it",
            f"use one of: {known}",
        )
    return info.client_certs[principal]


def mechanism(auth: str) -> SaslMechanism | None:
    return {
        "plain": SaslMechanism.PLAIN,
        "scram-sha-256": SaslMechanism.SCRAM_SHA_256,
        "scram-sha-512": SaslMechanism.SCRAM_SHA_512,
        "oauthbearer": SaslMechanism.OAUTHBEARER,
        "msk-iam": SaslMechanism.AWS_MSK_IAM,
    }.get(auth)


# --- the contract ------------------------------------------------------------------------------------


def kraft_layout(cfg: sc.StackConfig) -> Any:
    from mimirkafka.kafka import statefulset_manifests as kraft

    k = cfg.kafka
    return kraft.KraftLayout(
        name=k.cluster_name, namespace=k.namespace, replicas=k.brokers, storage_size=f"{k.volume_size_gib}Gi"
    )


def strimzi_layout(cfg: sc.StackConfig) -> Any:
    from mimirkafka.kafka import strimzi_manifests as strimzi

    k = cfg.kafka
    return strimzi.StrimziLayout(
        cluster_name=k.cluster_name,
        namespace=k.namespace,
        brokers=k.brokers,
        storage_size=f"{k.volume_size_gib}Gi",
    )


def placeholder_address(cfg: sc.StackConfig, contract: IngestStorageContract) -> str:
    """Where the contract's address comes from before the Kafka side exists (pure, per kind)."""
    k = cfg.kafka
    if k.kind == "kraft":
        from mimirkafka.kafka import statefulset_manifests as kraft

        return str(kraft.bootstrap_address(kraft_layout(cfg)))
    if k.kind == "strimzi":
        from mimirkafka.kafka import strimzi_manifests as strimzi

        return str(strimzi.bootstrap_address(contract, strimzi_layout(cfg)))
    if k.kind == "msk":
        from mimirkafka.kafka import msk_plan

        # Replaced by the cluster's bootstrap output; the port is the listener the contract needs.
        return f"{k.cluster_name}.bootstrap.msk.invalid:{msk_plan.PORTS[msk_plan.primary_auth(contract)]}"
    if k.kind == "msk-serverless":
        from mimirkafka.kafka.msk_serverless import IAM_PORT

        return f"{k.cluster_name}.bootstrap.msk-serverless.invalid:{IAM_PORT}"
    return "placeholder.invalid:9092"


def chart_settings(cfg: sc.StackConfig, **overrides: Any) -> mv.ChartSettings:
    m = cfg.mimir
    storage = mv.ObjectStorage(backend=m.object_storage, region=m.aws_region or None)  # type: ignore[arg-type]
    sidecar = None
    if cfg.kafka.auth == "msk-iam":
        sidecar = mv.MskIamSidecar(socket_path=m.msk_iam_socket_path, region=m.aws_region or None)
    base = mv.ChartSettings(
        release_name=m.release_name,
        namespace=m.namespace,
        chart_version=m.chart_version,
        image_tag=str(m.version),
        service_account_name=m.service_account,
        object_storage=storage,
        msk_iam_sidecar=sidecar,
        extra_values=m.extra_values,
        ruler_query_path=m.ruler_query_path,
        client_rack=mv.ClientRack.off()
        if m.client_rack == "off"
        else mv.ClientRack(zone_racks=tuple(m.zone_racks)),
    )
    return dataclasses.replace(base, **overrides)


def build_contract(
    cfg: sc.StackConfig,
    secrets: Secrets,
    *,
    addresses: tuple[str, ...] = (),
    tls_pems: Mapping[str, Any] | None = None,
) -> IngestStorageContract:
    """The contract for this stack (pure). Unset passwords are ``SecretValue.to_generate()``."""
    k, t, m = cfg.kafka, cfg.topic, cfg.mimir
    mech = mechanism(k.auth)
    sasl: Any
    if mech in (SaslMechanism.SCRAM_SHA_256, SaslMechanism.SCRAM_SHA_512):
        password = (
            SecretValue(secrets.kafka_password) if secrets.kafka_password else SecretValue.to_generate()
        )
        sasl = ScramAuth(k.username, password, 512 if mech is SaslMechanism.SCRAM_SHA_512 else 256)
    elif mech is SaslMechanism.PLAIN:
        sasl = PlainAuth(k.username, SecretValue(secrets.kafka_password))
    elif mech is SaslMechanism.OAUTHBEARER:
        sasl = OAuthBearerStatic(SecretValue(secrets.kafka_oauth_token))
    elif mech is SaslMechanism.AWS_MSK_IAM:
        sasl = MskIamSocket(m.msk_iam_socket_path)
    else:
        sasl = NoSasl()
    pems = dict(tls_pems or {})
    tls = TlsConfig(
        enabled=k.tls,
        ca=PemMaterial(pems["ca"]) if pems.get("ca") else None,
        client_cert=PemMaterial(pems["client_cert"]) if pems.get("client_cert") else None,
        client_key=PemMaterial(pems["client_key"], secret=True) if pems.get("client_key") else None,
        server_name=k.tls_server_name or None,
        insecure_skip_verify=k.tls_insecure_skip_verify,
    )
    contract = IngestStorageContract(
        addresses=addresses or ("placeholder.invalid:9092",),
        topic=TopicSettings(
            name=t.name,
            partitions=t.partitions,
            replication_factor=t.replication_factor,
            min_insync_replicas=t.min_insync_replicas,
            retention_ms=t.retention_ms,
        ),
        flavor=k.flavor,
        mimir_version=m.version,
        kafka_version=k.version,
        sasl=sasl,
        tls=tls,
        ingesters=IngesterLayout(zones=m.ingester_zones, per_zone=m.ingesters_per_zone),
        auto_create_topic_enabled=t.auto_create,
        producer_max_record_size_bytes=t.producer_max_record_size_bytes,
        # Ingesters consume in a group named after their instance ID, which the chart derives from the
        # release name: ACLs and IAM must cover exactly that prefix.
        consumer_group_prefix=mv.consumer_group_prefix(chart_settings(cfg)),
        # Only an explicit kafkaPrincipal: without it the contract derives User:<username> itself.
        kafka_principal=k.principal or None,
        consumer=ConsumerTuning(**m.consumer),
        partition_ring=PartitionRingSettings(
            delete_inactive_partition_after=m.delete_inactive_partition_after
        ),
    )
    if k.kind == "msk-serverless":
        from mimirkafka.kafka.msk_serverless import fit_contract_to_serverless

        contract = fit_contract_to_serverless(contract)
    if not addresses:
        contract = dataclasses.replace(contract, addresses=(placeholder_address(cfg, contract),))
    return contract


# --- the Kafka side ----------------------------------------------------------------------------------


def kafka_args(
    cfg: sc.StackConfig,
    contract: IngestStorageContract,
    previous: DeployedTopic | None,
    admin: Mapping[str, Any],
    pems: Mapping[str, Any],
    deployed_acls: str | None = None,
    deployed_storage: str | None = None,
) -> tuple[Any, Callable[[], Any]]:
    """The Kafka component's args for ``kafkaKind`` and a thunk running its pure plan."""
    k = cfg.kafka
    protection = TopicProtection(protect=cfg.topic.protect)
    if k.kind == "existing":
        from mimirkafka.kafka.existing import AdminConnection, ExistingKafkaArgs, plan_existing

        auth = admin["auth"]
        admin_conn = AdminConnection(
            bootstrap_servers=list(admin["addresses"]),
            mechanism=mechanism(auth),
            username=admin["user"] if auth != "none" else None,
            password=admin["password"] if auth != "none" else None,
            tls=admin["tls"],
            ca_cert=pems.get("ca") if admin["tls"] else None,
        )
        args: Any = ExistingKafkaArgs(
            contract=contract,
            admin=admin_conn,
            create_scram_user=k.create_user,
            create_acls=k.create_acls,
            protection=protection,
            previous=previous,
        )
        return args, lambda: plan_existing(args)
    if k.kind == "kraft":
        from mimirkafka.kafka.statefulset import KraftStatefulSetKafkaArgs, plan_kraft

        args = KraftStatefulSetKafkaArgs(
            contract=contract,
            layout=kraft_layout(cfg),
            protection=protection,
            previous=previous,
            deployed_storage_size=deployed_storage,
        )
        return args, lambda: plan_kraft(args)
    if k.kind == "strimzi":
        from mimirkafka.kafka.strimzi import StrimziKafkaArgs, StrimziOperatorInstall, plan_strimzi

        args = StrimziKafkaArgs(
            contract=contract,
            layout=strimzi_layout(cfg),
            operator=StrimziOperatorInstall() if cfg.strimzi_install_operator else None,
            protection=protection,
            previous=previous,
        )
        return args, lambda: plan_strimzi(args)
    from mimirkafka.kafka.kafka_admin_route import AclEnforcement, AdminRouteSettings, TopicRoute

    admin_route = AdminRouteSettings(
        aws_region=cfg.mimir.aws_region or None,
        job_namespace=k.msk_admin_job_namespace or cfg.mimir.namespace,
        job_service_account=k.msk_admin_job_service_account or None,
    )
    deployed_acl = AclEnforcement(deployed_acls) if deployed_acls in ("staged", "enforced") else None
    if k.kind == "msk":
        from mimirkafka.kafka.msk import MskKafkaArgs
        from mimirkafka.kafka.msk_plan import StorageAutoscaling, plan_msk

        express = contract.flavor.value == "msk-express"
        args = MskKafkaArgs(
            contract=contract,
            vpc_id=k.msk_vpc_id,
            subnet_ids=list(k.msk_subnet_ids),
            client_security_group_ids=list(k.msk_security_group_ids),
            cluster_name=k.cluster_name,
            instance_type=k.msk_instance_type,
            broker_count=k.brokers,
            # Express manages its storage: a size given in the stack is refused by the plan, not dropped.
            volume_size_gib=k.volume_size_gib if (k.volume_size_set or not express) else None,
            storage_autoscaling=StorageAutoscaling(
                max_volume_size_gib=k.msk_autoscaling_max_gib,
                target_utilization_percent=float(k.msk_autoscaling_target_percent),
            )
            if k.msk_autoscaling_max_gib
            else None,
            provisioned_throughput_mibps=float(k.msk_throughput_mibps) if k.msk_throughput_mibps else None,
            extra_auth=list(k.msk_extra_auth),
            topic_route=TopicRoute(k.msk_topic_route) if k.msk_topic_route else TopicRoute.CONTROL_PLANE,
            admin_route=admin_route,
            acl_enforcement=AclEnforcement(k.msk_acl_enforcement),
            deployed_acl_enforcement=deployed_acl,
            log_warnings=False,  # the stack shows the plan's warnings once, in its keys
            protection=protection,
            previous=previous,
        )
        return args, lambda: plan_msk(args)
    from mimirkafka.kafka.msk_serverless import MskServerlessKafkaArgs, plan_msk_serverless

    args = MskServerlessKafkaArgs(
        contract=contract,
        vpc_id=k.msk_vpc_id,
        subnet_ids=list(k.msk_subnet_ids),
        client_security_group_ids=list(k.msk_security_group_ids),
        cluster_name=k.cluster_name,
        extra_auth=list(k.msk_extra_auth),
        topic_route=TopicRoute(k.msk_topic_route) if k.msk_topic_route else None,
        admin_route=admin_route,
        log_warnings=False,  # the stack shows the plan's warnings once, in its keys
        protection=protection,
        previous=previous,
    )
    return args, lambda: plan_msk_serverless(args)


def planned_endpoint(cfg: sc.StackConfig, contract: IngestStorageContract, kafka_plan: Any) -> KafkaEndpoint:
    """What the Kafka side will report to Mimir, as far as it is known before deploy (pure).

    Strimzi's endpoint is fully known (operator-written Secrets, by name); elsewhere a generated
    password stands in as :data:`GENERATED` (the real one is a secret Output at deploy time)."""
    endpoint = getattr(kafka_plan, "endpoint", None)
    if isinstance(endpoint, KafkaEndpoint):
        return endpoint
    sasl = contract.sasl
    creds = CredentialsSource(CredentialsKind.NONE)
    if isinstance(sasl, ScramAuth | PlainAuth):
        creds = CredentialsSource(CredentialsKind.PASSWORD, username=sasl.username, password=GENERATED)  # type: ignore[arg-type]
    return KafkaEndpoint(
        bootstrap_brokers=",".join(contract.addresses),
        port=int(contract.addresses[0].rsplit(":", 1)[1]),
        mechanism=sasl.mechanism,
        tls=contract.tls.enabled,
        topic_name=contract.topic.name,
        ca=CaSource(CaKind.NONE),
        credentials=creds,
    )


def plan_mimir_side(
    cfg: sc.StackConfig,
    contract: IngestStorageContract,
    endpoint: KafkaEndpoint,
    iam: Mapping[str, Any] | None,
) -> Any:
    """Mimir's side of this stack through MimirDeployment's own pure plan (``plan_mimir``)."""
    from mimirkafka.mimir.plan import MimirDeploymentArgs, plan_mimir

    mimir_contract, external = mimir_view(contract, endpoint)
    buckets: tuple[str, ...] | None = None
    if iam is not None and cfg.mimir.object_storage == "s3":
        buckets = iam["existing_buckets"] or tuple(
            f"{iam['bucket_prefix']}-{kind}" for kind in ("blocks", "ruler", "alertmanager")
        )
    args = MimirDeploymentArgs(
        contract=mimir_contract,
        settings=chart_settings(cfg),
        external=external,
        bucket_names=buckets,  # type: ignore[arg-type]
    )
    return plan_mimir(args)


def _deployed(last_outputs: Mapping[str, Any] | None, c: _Collect) -> DeployedTopic | None:
    state = (last_outputs or {}).get(so.TOPIC_STATE)
    try:
        return deployed_topic_from_outputs(state)
    except (KeyError, TypeError, ValueError):
        c.add(
            "topicName",
            f"the stack's last {so.TOPIC_STATE} output is unreadable ({state!r})",
            "run `pulumi refresh` so the stack's outputs describe the deployed topic",
        )
        return None


def plan_stack(
    raw: Mapping[str, Any],
    *,
    secrets: Secrets | None = None,
    secrets_set: Collection[str] = (),
    project: str = "mimir-kafka",
    stack: str = "dev",
    root: Path | None = None,
    last_outputs: Mapping[str, Any] | None = None,
    secret: Callable[[str], Any] = str,
) -> StackPlan:
    """The whole stack's plan, or :class:`~mimirkafka.stack.config.StackConfigError` with every problem.

    ``raw``: the stack's non-secret config (key -> value as the CLI gives it); ``secrets``: the secret
    values (Outputs or strings; only passed through); ``secrets_set``: which secret keys are set;
    ``last_outputs``: the stack's outputs from its last update (for the topic guard); ``secret``: wraps
    secret text read from files (``pulumi.Output.secret`` in a program, ``str`` in a pure plan)."""
    secrets = secrets or Secrets()
    root = root or Path.cwd()
    try:
        cfg = sc.parse(raw, secrets_set)
    except sc.StackConfigError as e:
        raise sc.StackConfigError(e.problems, stack=stack) from None
    values = cfg.values
    # An existing cluster is known by the admin bootstrap list (the topic guard's "cluster").
    c = _Collect(values, {"cluster": "kafkaAdminBootstrap"} if cfg.kafka.kind == "existing" else None)
    k = cfg.kafka
    addresses: tuple[str, ...] = k.bootstrap
    pems: dict[str, Any] = {}
    admin: dict[str, Any] = {
        "addresses": k.admin_bootstrap,
        "user": k.admin_username,
        "password": secrets.kafka_admin_password,
        "auth": k.admin_auth,
        "tls": k.admin_tls,
    }
    if k.broker_info_file:
        text = read_file(c, root, "kafkaBrokerInfoFile", k.broker_info_file)
        info = None
        if text is not None:
            try:
                info = broker_info(json.loads(text), k.broker_listener)
            except json.JSONDecodeError as e:
                c.add(
                    "kafkaBrokerInfoFile",
                    f"not JSON ({e.msg} at line {e.lineno})",
                    "point it at the broker's JSON",
                )
            except sc.StackConfigError as e:
                c.problems.extend(e.problems)
        if info is not None:
            addresses = info.mimir_addresses
            admin.update(addresses=info.admin_addresses, user=info.admin_user, auth="plain", tls=False)
            admin["password"] = secret(info.admin_password)
            c.problems.extend(check_listener_auth(info, k.broker_listener, k.auth))
            if info.mimir_tls:
                pems["ca"] = info.ca_pem
            if info.mutual_tls:
                pair = broker_client_cert(info, k.broker_listener, k.principal)
                if isinstance(pair, sc.KeyProblem):
                    c.problems.append(pair)
                else:
                    # The key stays a Pulumi secret; the Mimir side never renders it (install.sh
                    # reads a file).
                    pems["client_cert"], pems["client_key"] = pair[0], secret(pair[1])
            cfg = dataclasses.replace(cfg, kafka=dataclasses.replace(k, tls=info.mimir_tls))
            k = cfg.kafka
    for key, path, role in (
        ("kafkaTlsCaFile", k.tls_ca_file, "ca"),
        ("kafkaTlsClientCertFile", k.tls_client_cert_file, "client_cert"),
        ("kafkaTlsClientKeyFile", k.tls_client_key_file, "client_key"),
    ):
        if path:
            text = read_file(c, root, key, path)
            if text is not None:
                pems[role] = secret(text) if role == "client_key" else text

    if cfg.kubeconfig:
        kubeconfig = Path(cfg.kubeconfig) if Path(cfg.kubeconfig).is_absolute() else root / cfg.kubeconfig
        if kubeconfig.is_file():
            cfg = dataclasses.replace(cfg, kubeconfig=str(kubeconfig))
        else:
            c.add(
                "kubeconfig",
                f"no such file (relative paths are from the project directory {root})",
                "point kubeconfig at an existing kubeconfig file, or leave it empty",
            )
    contract = c.run(
        lambda: build_contract(
            cfg, secrets, addresses=addresses if k.kind == "existing" else (), tls_pems=pems
        ),
        "kafkaKind",
    )
    if contract is None:
        raise sc.StackConfigError(c.problems, stack=stack)
    c.problems.extend(to_stack(p, values, "kafkaKind") for p in contract_problems(contract))
    previous = _deployed(last_outputs, c)
    # What the last update applied (MSK): enforcing ACLs on a cluster in use needs a staged run first.
    deployed_acls = (last_outputs or {}).get(so.MSK_ACL_ENFORCEMENT)
    deployed_storage = (last_outputs or {}).get(so.KRAFT_STORAGE_SIZE)
    args, plan_kafka = kafka_args(
        cfg,
        contract,
        previous,
        admin,
        pems,
        deployed_acls,
        str(deployed_storage) if deployed_storage else None,
    )
    kafka_plan = c.run(plan_kafka, "kafkaKind")
    mimir: Any = None
    iam = _iam(cfg, stack, project, c)
    if kafka_plan is not None:
        endpoint = planned_endpoint(cfg, contract, kafka_plan)
        mimir = c.run(lambda: plan_mimir_side(cfg, contract, endpoint, iam), "mimirExtraValues")
    if c.problems:
        raise sc.StackConfigError(unique(c.problems), stack=stack)
    assert mimir is not None
    warned = [*contract_warnings(contract), *getattr(kafka_plan, "warnings", ()), *mimir.warnings]
    warnings = tuple(unique([to_stack(w, values, "kafkaKind") for w in warned]))
    render_dir = (
        (root / cfg.render_dir / stack).resolve() if cfg.render_only or cfg.mimir_render_only else None
    )
    return StackPlan(
        project=project,
        stack=stack,
        config=cfg,
        contract=contract,
        kafka_args=args,
        kafka_plan=kafka_plan,
        mimir=mimir,
        iam=iam,
        render_dir=render_dir,
        previous=previous,
        warnings=warnings,
        principal=principal_for(contract) or "",
    )


#: S3 bucket names: 3-63 characters, lower-case letters, digits, '.' and '-' (AWS "General purpose
#: bucket naming rules", https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
_BUCKET_MAX = 63


def _iam(cfg: sc.StackConfig, stack: str, project: str, c: _Collect) -> dict[str, Any] | None:
    m = cfg.mimir
    if m.pod_identity == "none" or not (m.object_storage == "s3" or cfg.kafka.auth == "msk-iam"):
        return None
    prefix = m.s3_bucket_prefix or f"{project}-{stack}"
    if m.object_storage == "s3" and m.s3_create_buckets:
        longest = f"{prefix}-alertmanager"
        if len(longest) > _BUCKET_MAX or longest != longest.lower() or not longest[0].isalnum():
            c.add(
                "s3BucketPrefix",
                f"bucket {longest!r} is not a valid S3 bucket name (lower-case, 3-63 characters)",
                f"set s3BucketPrefix to at most {_BUCKET_MAX - len('-alertmanager')} lower-case characters",
            )
    return {
        "namespace": m.namespace,
        "service_account": m.service_account,
        "trust": "irsa" if m.pod_identity == "irsa" else "pod-identity",
        "create_buckets": m.s3_create_buckets,
        "bucket_prefix": prefix,
        "existing_buckets": m.s3_buckets if not m.s3_create_buckets else None,
        "oidc_provider_arn": m.eks_oidc_provider_arn or None,
        "oidc_issuer_url": m.eks_oidc_issuer_url or None,
        "eks_cluster_name": m.eks_cluster_name or None,
    }


def deployer_policy_inputs(plan: StackPlan, *, account_id: str = "*") -> Any:
    """``DeployerPolicyInputs`` of this stack: the Kafka side from its component args, the Mimir side
    (role, buckets, Pod Identity) from the plan's IAM (pure; AWS kinds and S3/IAM only)."""
    import dataclasses as dc

    from mimirkafka.kafka.deployer_policy import DeployerPolicyInputs, inputs_from_msk_args

    cfg = plan.config
    region = cfg.mimir.aws_region or "*"
    if cfg.kafka.kind in ("msk", "msk-serverless"):
        inputs = inputs_from_msk_args(plan.kafka_args, region=region, account_id=account_id)
    else:
        inputs = DeployerPolicyInputs(kafka_kind="none", region=region, account_id=account_id)
    iam = plan.iam
    if iam is None:
        return inputs
    return dc.replace(
        inputs,
        mimir_iam=iam["trust"],
        bucket_prefix=iam["bucket_prefix"]
        if cfg.mimir.object_storage == "s3" and iam["create_buckets"]
        else None,
        eks_cluster_name=iam["eks_cluster_name"],
    )
