"""The Pulumi program: stack config -> one contract -> the Kafka side and the Mimir side.

``__main__.py`` only calls :func:`run`. The order is the project's rule: parse and check the stack
config, build the :class:`IngestStorageContract`, ``validate`` it (every error raised before any
resource exists), then derive both sides from it:

- the Kafka component for ``kafkaKind`` (existing, kraft, strimzi, msk, msk-serverless) creates the
  topic, the user and the ACLs / IAM from the contract and reports its :class:`KafkaEndpoint`;
- :class:`MimirDeployment` renders Mimir's config from the *same* contract, taking from the endpoint
  only what the Kafka side decides at deploy time (MSK's bootstrap list, a generated password, an
  operator-written Secret).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from mimirkafka.contract.kafka_side import principal_for
from mimirkafka.contract.model import (
    IngesterLayout,
    IngestStorageContract,
    MskIamSocket,
    NoSasl,
    OAuthBearerStatic,
    PemMaterial,
    PlainAuth,
    SaslMechanism,
    ScramAuth,
    SecretValue,
    TlsConfig,
    TopicSettings,
)
from mimirkafka.contract.validation import validate
from mimirkafka.doctor.pulumi_check import KafkaPreflight, KafkaPreflightArgs
from mimirkafka.kafka.endpoint import KafkaEndpoint
from mimirkafka.kafka.protection import TopicProtection
from mimirkafka.mimir import values as mv
from mimirkafka.mimir.chart import MimirDeployment, MimirDeploymentArgs
from mimirkafka.mimir.iam import MimirIam, MimirIamArgs
from mimirkafka.mimir.sources import mimir_view
from mimirkafka.stack import config as sc
from mimirkafka.stack import outputs as so

#: The listener of the test-bed broker that admins use (PLAIN super user, see testbed.devbroker).
BROKER_ADMIN_LISTENER = "sasl_plain"


@dataclasses.dataclass(frozen=True)
class Secrets:
    """Secret stack config values (Pulumi secret Outputs, or plain strings in tests)."""

    kafka_password: Any = None
    kafka_oauth_token: Any = None
    kafka_admin_password: Any = None


@dataclasses.dataclass(frozen=True)
class BrokerInfo:
    """What the local stack takes from ``testbed.devbroker``'s JSON (pure view of it)."""

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


def broker_info(doc: Mapping[str, Any], listener: str) -> BrokerInfo:
    listeners = doc["listeners"]
    if listener not in listeners:
        raise sc.StackConfigError(
            f"kafkaBrokerListener={listener!r}: the broker has no such listener; "
            f"use one of {sorted(listeners)}"
        )
    chosen = listeners[listener]
    # The broker maps a certificate "CN=<name>" to User:<name> (ssl.principal.mapping.rules).
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


def _common_name(cert_pem: str) -> str:
    """The certificate's subject CN: what the broker's ``RULE:^CN=(.*)$/$1/`` maps to a user name."""
    from cryptography import x509

    cert = x509.load_pem_x509_certificate(cert_pem.encode())
    names = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return str(names[0].value) if names else cert.subject.rfc4514_string()


def check_listener_auth(info: BrokerInfo, listener: str, auth: str) -> None:
    """kafkaAuth must be what the chosen listener speaks, or Mimir could never log in (pure)."""
    mech = _mechanism(auth)
    if mech is None and info.mechanisms:
        raise sc.StackConfigError(
            f"kafkaAuth={auth!r}: listener {listener!r} requires SASL ({', '.join(info.mechanisms)}); "
            "set kafkaAuth to one of them"
        )
    if mech is not None and mech.value not in info.mechanisms:
        speaks = ", ".join(info.mechanisms) or ("mTLS (kafkaAuth=none)" if info.mutual_tls else "no SASL")
        raise sc.StackConfigError(
            f"kafkaAuth={auth!r}: listener {listener!r} speaks {speaks}; "
            "set kafkaAuth accordingly or pick another kafkaBrokerListener"
        )


def broker_client_cert(info: BrokerInfo, listener: str, principal: str) -> tuple[str, str]:
    """The broker-issued certificate whose subject the broker maps to ``principal`` (pure)."""
    known = ", ".join(sorted(info.client_certs)) or "none"
    if not principal:
        raise sc.StackConfigError(
            f"kafkaPrincipal='': listener {listener!r} authenticates Mimir by its client certificate; "
            f"set kafkaPrincipal to the principal of one the broker issued ({known})"
        )
    if principal not in info.client_certs:
        raise sc.StackConfigError(
            f"kafkaPrincipal={principal!r}: the broker issued no client certificate for it; "
            f"use one of: {known}"
        )
    return info.client_certs[principal]


def _mechanism(auth: str) -> SaslMechanism | None:
    return {
        "plain": SaslMechanism.PLAIN,
        "scram-sha-256": SaslMechanism.SCRAM_SHA_256,
        "scram-sha-512": SaslMechanism.SCRAM_SHA_512,
        "oauthbearer": SaslMechanism.OAUTHBEARER,
        "msk-iam": SaslMechanism.AWS_MSK_IAM,
    }.get(auth)


def placeholder_address(cfg: sc.StackConfig, contract: IngestStorageContract) -> str:
    """Where the contract's address comes from before the Kafka side exists (pure, per kind)."""
    k = cfg.kafka
    if k.kind == "kraft":
        from mimirkafka.kafka import statefulset_manifests as kraft

        return kraft.bootstrap_address(kraft_layout(cfg))
    if k.kind == "strimzi":
        from mimirkafka.kafka import strimzi_manifests as strimzi

        return strimzi.bootstrap_address(contract, strimzi_layout(cfg))
    if k.kind == "msk":
        from mimirkafka.kafka import msk_plan

        # Replaced by the cluster's bootstrap output; the port is the listener the contract needs.
        return f"{k.cluster_name}.bootstrap.msk.invalid:{msk_plan.PORTS[msk_plan.primary_auth(contract)]}"
    if k.kind == "msk-serverless":
        from mimirkafka.kafka.msk_serverless import IAM_PORT

        return f"{k.cluster_name}.bootstrap.msk-serverless.invalid:{IAM_PORT}"
    raise AssertionError(k.kind)


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


def build_contract(
    cfg: sc.StackConfig,
    secrets: Secrets,
    *,
    addresses: tuple[str, ...] = (),
    tls_pems: Mapping[str, Any] | None = None,
) -> IngestStorageContract:
    """The contract for this stack (pure). Unset passwords are ``SecretValue.to_generate()``."""
    k, t, m = cfg.kafka, cfg.topic, cfg.mimir
    mech = _mechanism(k.auth)
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
    )
    if k.kind == "msk-serverless":
        from mimirkafka.kafka.msk_serverless import fit_contract_to_serverless

        contract = fit_contract_to_serverless(contract)
    if not addresses:
        contract = dataclasses.replace(contract, addresses=(placeholder_address(cfg, contract),))
    return contract


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
    )
    return dataclasses.replace(base, **overrides)


def _read(root: Path, path: str) -> str:
    p = Path(path)
    return (p if p.is_absolute() else root / p).read_text()


def deploy(cfg: sc.StackConfig, secrets: Secrets, *, project: str, stack: str, root: Path) -> dict[str, Any]:
    """Creates the stack's resources and returns its outputs (also exported by :func:`run`)."""
    k = cfg.kafka
    addresses: tuple[str, ...] = k.bootstrap
    pems: dict[str, Any] = {}
    admin_addresses, admin_user, admin_password = (
        k.admin_bootstrap,
        k.admin_username,
        secrets.kafka_admin_password,
    )
    admin_auth, admin_tls = k.admin_auth, k.admin_tls
    if k.broker_info_file:
        info = broker_info(json.loads(_read(root, k.broker_info_file)), k.broker_listener)
        addresses, admin_addresses = info.mimir_addresses, info.admin_addresses
        admin_user, admin_password = info.admin_user, pulumi.Output.secret(info.admin_password)
        admin_auth, admin_tls = "plain", False
        check_listener_auth(info, k.broker_listener, k.auth)
        if info.mimir_tls:
            pems["ca"] = info.ca_pem
        if info.mutual_tls:
            cert, key = broker_client_cert(info, k.broker_listener, k.principal)
            # The key stays a Pulumi secret; the Mimir side never renders it (install.sh reads a file).
            pems["client_cert"], pems["client_key"] = cert, pulumi.Output.secret(key)
        cfg = dataclasses.replace(cfg, kafka=dataclasses.replace(k, tls=info.mimir_tls))
        k = cfg.kafka
    if k.tls_ca_file:
        pems["ca"] = _read(root, k.tls_ca_file)
    if k.tls_client_cert_file:
        pems["client_cert"] = _read(root, k.tls_client_cert_file)
    if k.tls_client_key_file:
        pems["client_key"] = pulumi.Output.secret(_read(root, k.tls_client_key_file))

    contract = build_contract(
        cfg, secrets, addresses=addresses if k.kind == "existing" else (), tls_pems=pems
    )
    # Before any resource: every contract problem is reported here, naming the setting and the fix.
    validate(contract)

    render_dir = (root / cfg.render_dir / stack).resolve() if cfg.render_only else None
    k8s_provider = k8s.Provider(
        "k8s",
        render_yaml_to_directory=str(render_dir / "manifests") if render_dir else None,
        context=cfg.kube_context or None,
    )
    aws_provider = aws.Provider("aws", region=cfg.mimir.aws_region) if cfg.mimir.aws_region else None
    k8s_opts = pulumi.ResourceOptions(providers={"kubernetes": k8s_provider})
    aws_opts = pulumi.ResourceOptions(providers={"aws": aws_provider} if aws_provider else {})
    protection = TopicProtection(protect=cfg.topic.protect)

    namespaces: dict[str, k8s.core.v1.Namespace] = {}
    for ns in {cfg.mimir.namespace} | ({k.namespace} if k.kind in ("kraft", "strimzi") else set()):
        namespaces[ns] = k8s.core.v1.Namespace(f"ns-{ns}", metadata={"name": ns}, opts=k8s_opts)
    kafka_ns_opts = pulumi.ResourceOptions.merge(
        k8s_opts, pulumi.ResourceOptions(depends_on=list(namespaces.values()))
    )

    kafka_side: Any
    cluster_arn: pulumi.Input[str] | None = None
    if k.kind == "existing":
        from mimirkafka.kafka.existing import AdminConnection, ExistingKafka, ExistingKafkaArgs

        admin = AdminConnection(
            bootstrap_servers=list(admin_addresses),
            mechanism=_mechanism(admin_auth),
            username=admin_user if admin_auth != "none" else None,
            password=admin_password if admin_auth != "none" else None,
            tls=admin_tls,
            ca_cert=pems.get("ca") if admin_tls else None,
        )
        kafka_side = ExistingKafka(
            "kafka",
            ExistingKafkaArgs(
                contract=contract,
                admin=admin,
                create_scram_user=k.create_user,
                create_acls=k.create_acls,
                protection=protection,
            ),
        )
    elif k.kind == "kraft":
        from mimirkafka.kafka.statefulset import KraftStatefulSetKafka, KraftStatefulSetKafkaArgs

        kafka_side = KraftStatefulSetKafka(
            "kafka",
            KraftStatefulSetKafkaArgs(contract=contract, layout=kraft_layout(cfg), protection=protection),
            opts=kafka_ns_opts,
        )
    elif k.kind == "strimzi":
        from mimirkafka.kafka.strimzi import StrimziKafka, StrimziKafkaArgs, StrimziOperatorInstall

        kafka_side = StrimziKafka(
            "kafka",
            StrimziKafkaArgs(
                contract=contract,
                layout=strimzi_layout(cfg),
                operator=StrimziOperatorInstall(),
                protection=protection,
            ),
            opts=kafka_ns_opts,
        )
    else:
        if k.kind == "msk":
            from mimirkafka.kafka.msk import MskKafka, MskKafkaArgs

            kafka_side = MskKafka(
                "kafka",
                MskKafkaArgs(
                    contract=contract,
                    vpc_id=k.msk_vpc_id,
                    subnet_ids=list(k.msk_subnet_ids),
                    client_security_group_ids=list(k.msk_security_group_ids),
                    cluster_name=k.cluster_name,
                    instance_type=k.msk_instance_type,
                    broker_count=k.brokers,
                    volume_size_gib=k.volume_size_gib,
                    protection=protection,
                ),
                opts=aws_opts,
            )
        else:
            from mimirkafka.kafka.msk_serverless import MskServerlessKafka, MskServerlessKafkaArgs

            kafka_side = MskServerlessKafka(
                "kafka",
                MskServerlessKafkaArgs(
                    contract=contract,
                    vpc_id=k.msk_vpc_id,
                    subnet_ids=list(k.msk_subnet_ids),
                    client_security_group_ids=list(k.msk_security_group_ids),
                    cluster_name=k.cluster_name,
                    protection=protection,
                ),
                opts=aws_opts,
            )
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
    settings = chart_settings(cfg)
    iam: MimirIam | None = None
    if cfg.mimir.pod_identity != "none" and (cfg.mimir.object_storage == "s3" or k.auth == "msk-iam"):
        m = cfg.mimir
        iam = MimirIam(
            "mimir-iam",
            MimirIamArgs(
                contract=contract,
                namespace=m.namespace,
                service_account=m.service_account,
                trust="irsa" if m.pod_identity == "irsa" else "pod-identity",
                create_buckets=m.s3_create_buckets,
                bucket_prefix=m.s3_bucket_prefix or f"{project}-{stack}",
                existing_buckets=m.s3_buckets if not m.s3_create_buckets else None,
                msk_cluster_arn=cluster_arn,
                oidc_provider_arn=m.eks_oidc_provider_arn or None,
                oidc_issuer_url=m.eks_oidc_issuer_url or None,
                eks_cluster_name=m.eks_cluster_name or None,
            ),
            opts=aws_opts,
        )
    mimir = MimirDeployment(
        "mimir",
        MimirDeploymentArgs(
            contract=mimir_contract,
            settings=settings,
            external=external,
            render_dir=str(render_dir) if render_dir else None,
            create_namespace=False,
            address=endpoint.bootstrap_brokers if k.kind.startswith("msk") else None,
            bucket_names=iam.bucket_names if iam and cfg.mimir.object_storage == "s3" else None,
            service_account_annotations=iam.service_account_annotations if iam else None,
            depends_on=[*namespaces.values(), kafka_side, *([preflight] if preflight else [])],
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
        "kafkaPrincipal": principal_for(contract) or "",
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
    return outputs


def read_config(cfg: pulumi.Config) -> tuple[dict[str, str], Secrets, set[str]]:
    """Non-secret values as the CLI gives them (strings), and the secrets as Pulumi secret Outputs."""
    raw: dict[str, str] = {}
    for key in sc.KEYS:
        if key.secret:
            continue
        value = cfg.get(key.name)
        if value is not None:
            raw[key.name] = value
    present = {
        key for key in sc.SECRET_KEYS if pulumi.runtime.get_config(cfg.full_key(key)) not in (None, "")
    }
    for name in sorted(present):
        if not pulumi.runtime.is_config_secret(cfg.full_key(name)):
            raise sc.StackConfigError(
                f"{name}: is set in clear in the stack file; "
                f"set it with `pulumi config set --secret {name} ...`"
            )

    def secret(key: str) -> Any:
        return cfg.require_secret(key) if key in present else None

    secrets = Secrets(
        kafka_password=secret("kafkaPassword"),
        kafka_oauth_token=secret("kafkaOauthToken"),
        kafka_admin_password=secret("kafkaAdminPassword"),
    )
    return raw, secrets, present


def run(root: Path | None = None) -> dict[str, Any]:
    """Entry point of ``__main__.py`` and of the Automation API inline program (``localrun``).

    ``root`` is the project directory relative paths in the config refer to (default: the working
    directory, which is the project directory under ``pulumi up``)."""
    raw, secrets, present = read_config(pulumi.Config())
    cfg = sc.parse(raw, present)
    project, stack = pulumi.get_project(), pulumi.get_stack()
    outputs = deploy(cfg, secrets, project=project, stack=stack, root=root or Path.cwd())
    for name, value in outputs.items():
        pulumi.export(name, value)
    return outputs
