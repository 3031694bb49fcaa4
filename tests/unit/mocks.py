"""Shared Pulumi mock helpers for unit tests.

``RecordingMocks`` records every registered resource (type, name, inputs, which inputs were
Pulumi secrets, provider, and, through :class:`RecordingMonitor`, the resource options ``protect``,
``retainOnDelete``, ``deleteBeforeReplace``, parent and dependencies) and returns plausible outputs
for the AWS / Kafka / Kubernetes resources this package creates.

``run_program(fn)`` runs ``fn`` under fresh mocks, waits for every RPC, resolves whatever ``fn``
returned (a dict of Outputs, a component, ...) and hands back a :class:`ProgramRun` to assert on.

Usage::

    from mocks import run_program   # tests/unit is on sys.path under pytest (rootdir import mode)

    run = run_program(lambda: {"brokers": MskKafka("k", args).bootstrap_brokers})
    assert run.exports["brokers"].endswith(":9096")
    cfg = run.one("aws:msk/configuration:Configuration")
    assert "message.max.bytes=16000000" in cfg.inputs["serverProperties"]
    assert run.one("aws:secretsmanager/secretVersion:SecretVersion").is_secret("secretString")
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import grpc
import pulumi
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.sync_await import _sync_await

ACCOUNT_ID = "123456789012"
REGION = "eu-west-1"
#: Broker hosts every mocked MSK cluster reports, so tests can predict bootstrap strings.
MSK_BROKER_HOSTS = (
    "b-1.mimir.abc123.c2.kafka.eu-west-1.amazonaws.com",
    "b-2.mimir.abc123.c2.kafka.eu-west-1.amazonaws.com",
    "b-3.mimir.abc123.c2.kafka.eu-west-1.amazonaws.com",
)


def msk_brokers(port: int) -> str:
    """The bootstrap string the mocked ``aws.msk.Cluster`` returns for ``port``."""
    return ",".join(f"{h}:{port}" for h in MSK_BROKER_HOSTS)


def _unwrap(value: Any, path: str, secret_paths: set[str]) -> Any:
    """Strips Pulumi's secret wrappers, remembering the dotted path of each secret."""
    if rpc.is_rpc_secret(value):
        secret_paths.add(path)
        return _unwrap(rpc.unwrap_rpc_secret(value), path, secret_paths)
    if isinstance(value, dict):
        return {k: _unwrap(v, f"{path}.{k}" if path else k, secret_paths) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap(v, f"{path}[{i}]", secret_paths) for i, v in enumerate(value)]
    return value


class ProviderError(grpc.RpcError):
    """A provider's invoke error as the real resource monitor reports it (a gRPC status).

    The SDK turns a ``grpc.RpcError`` into an ordinary exception of the invoke's Output; any other
    exception raised by ``Mocks.call`` would instead crash the program as an RPC failure.
    """

    def __init__(self, details: str) -> None:
        super().__init__(details)
        self._details = details

    def code(self) -> grpc.StatusCode:
        return grpc.StatusCode.UNKNOWN

    def details(self) -> str:
        return self._details


@dataclass
class RecordedResource:
    """One ``RegisterResource``/``ReadResource`` seen by the mock monitor."""

    type: str
    name: str
    #: Inputs with secret wrappers removed (camelCase keys, as the engine sees them).
    inputs: dict[str, Any]
    #: Dotted paths (``secretString``, ``data.password``, ``items[0].x``) that were Pulumi secrets.
    secret_paths: frozenset[str]
    provider: str | None
    custom: bool
    #: Set when the resource was read (``Resource.get``) rather than created.
    read_id: str | None = None
    outputs: dict[str, Any] = field(default_factory=dict)
    #: Resource options as the engine received them (recorded by :class:`RecordingMonitor`).
    protect: bool = False
    retain_on_delete: bool = False
    delete_before_replace: bool = False
    parent: str = ""
    dependencies: tuple[str, ...] = ()
    ignore_changes: tuple[str, ...] = ()
    additional_secret_outputs: tuple[str, ...] = ()

    def is_secret(self, path: str) -> bool:
        """True if ``path`` or any parent of it was a secret (secretness is inherited downwards)."""
        parts = path.replace("[", ".[").split(".")
        return any(
            ".".join(parts[: i + 1]).replace(".[", "[") in self.secret_paths for i in range(len(parts))
        )

    def get(self, path: str) -> Any:
        """Value at a dotted path of the (unwrapped) inputs, e.g. ``spec.kafka.config``."""
        value: Any = self.inputs
        for part in path.split("."):
            value = value[int(part)] if isinstance(value, list) else value[part]
        return value


class RecordingMocks(pulumi.runtime.Mocks):
    """Records resources and answers with plausible provider outputs."""

    def __init__(self) -> None:
        self.resources: list[RecordedResource] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._counter = 0
        #: Options of the RegisterResource request being handled, keyed by (type, name).
        self.options: dict[tuple[str, str], dict[str, Any]] = {}
        #: What pulumi-kafka's ``getTopic`` answers, by topic name: a result dict (``partitions``,
        #: ``replicationFactor``, ``config``) or a :class:`ProviderError` to raise. Absent names get the
        #: provider's real "not found" error, i.e. a first deployment.
        self.kafka_topics: dict[str, dict[str, Any] | Exception] = {}
        #: What the engine's builtin ``readStackOutputs`` answers: the stack's last outputs, by the
        #: fully qualified stack name, or ``"*"`` for any (absent: a stack that never ran: no outputs).
        self.stack_outputs: dict[str, dict[str, Any]] = {}

    # -- pulumi.runtime.Mocks -------------------------------------------------------------------

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict]:
        secret_paths: set[str] = set()
        plain = _unwrap(dict(args.inputs), "", secret_paths)
        self._counter += 1
        physical_id = args.resource_id or f"{args.name}-id-{self._counter}"
        extra = self._outputs_for(args.typ, args.name, plain, physical_id)
        # Return the raw inputs (secret wrappers included) so secret inputs stay secret outputs.
        state = {**args.inputs, **extra}
        self.resources.append(
            RecordedResource(
                type=args.typ,
                name=args.name,
                inputs=plain,
                secret_paths=frozenset(secret_paths),
                provider=args.provider,
                custom=bool(args.custom),
                read_id=args.resource_id,
                outputs=extra,
                **self.options.get((args.typ, args.name), {}),
            )
        )
        return physical_id, state

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list[tuple[str, str]] | None]:
        self.calls.append((args.token, dict(args.args)))
        token = args.token
        if token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": ACCOUNT_ID,
                "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/test",
                "userId": "AIDTEST",
                "id": ACCOUNT_ID,
            }, []
        if token in ("aws:index/getRegion:getRegion", "aws:index/getRegion:getRegionResult"):
            return {"name": REGION, "region": REGION, "id": REGION}, []
        if token == "aws:index/getPartition:getPartition":
            return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}, []
        if token == "aws:msk/getKafkaVersion:getKafkaVersion":
            preferred = list(args.args.get("preferredVersions") or [])
            version = args.args.get("version") or (preferred[0] if preferred else "3.8.x")
            return {"version": version, "status": "ACTIVE", "id": version}, None
        if token == "pulumi:pulumi:readStackOutputs":
            name = str(args.args.get("name"))
            outputs = self.stack_outputs.get(name, self.stack_outputs.get("*", {}))
            return {"name": name, "outputs": outputs, "secretOutputNames": []}, []
        if token == "kafka:index:getTopic":
            name = str(args.args.get("name"))
            live = self.kafka_topics.get(name)
            if live is None:
                # The text of terraform-provider-kafka v0.13.1's data_source_kafka_topic.go.
                raise ProviderError(f"invoking kafka:index:getTopic: could not find topic '{name}'")
            if isinstance(live, Exception):
                raise live
            return {"config": {}, **live, "name": name, "id": name}, []
        if token == "aws:iam/getPolicyDocument:getPolicyDocument":
            return {"json": json.dumps({"Version": "2012-10-17", "Statement": []}), "id": "doc"}, None
        raise NotImplementedError(f"RecordingMocks: no answer for invoke {token!r}; add one in mocks.py")

    # -- plausible outputs ----------------------------------------------------------------------

    def _outputs_for(self, typ: str, name: str, inputs: dict[str, Any], pid: str) -> dict[str, Any]:
        arn_base = f"arn:aws:{{svc}}:{REGION}:{ACCOUNT_ID}"
        if typ == "aws:msk/cluster:Cluster":
            cluster_name = inputs.get("clusterName", name)
            auth = inputs.get("clientAuthentication") or {}
            sasl = auth.get("sasl") or {}
            client_broker = ((inputs.get("encryptionInfo") or {}).get("encryptionInTransit") or {}).get(
                "clientBroker"
            ) or "TLS"
            tls_on = client_broker in ("TLS", "TLS_PLAINTEXT")
            return {
                "arn": arn_base.format(svc="kafka") + f":cluster/{cluster_name}/uuid-1",
                "clusterName": cluster_name,
                "clusterUuid": "uuid-1",
                "currentVersion": "K3AEGXETSR30VB",
                "bootstrapBrokers": msk_brokers(9092) if client_broker != "TLS" else "",
                "bootstrapBrokersTls": msk_brokers(9094) if tls_on else "",
                "bootstrapBrokersSaslScram": msk_brokers(9096) if tls_on and sasl.get("scram") else "",
                "bootstrapBrokersSaslIam": msk_brokers(9098) if tls_on and sasl.get("iam") else "",
            }
        if typ == "aws:msk/serverlessCluster:ServerlessCluster":
            cluster_name = inputs.get("clusterName", name)
            return {
                "arn": arn_base.format(svc="kafka") + f":cluster/{cluster_name}/uuid-s",
                "clusterName": cluster_name,
                "clusterUuid": "uuid-s",
                "bootstrapBrokersSaslIam": "boot-abc.c1.kafka-serverless.eu-west-1.amazonaws.com:9098",
            }
        if typ == "aws:msk/configuration:Configuration":
            return {"arn": arn_base.format(svc="kafka") + f":configuration/{name}/cfg-1", "latestRevision": 1}
        if typ == "aws:msk/topic:Topic":
            return {"arn": f"{inputs.get('clusterArn', '')}/topic/{inputs.get('name', name)}"}
        if typ == "aws:kms/key:Key":
            return {"arn": arn_base.format(svc="kms") + f":key/{pid}", "keyId": pid}
        if typ == "aws:kms/alias:Alias":
            return {"arn": arn_base.format(svc="kms") + f":alias/{name}"}
        if typ == "aws:secretsmanager/secret:Secret":
            return {
                "arn": arn_base.format(svc="secretsmanager") + f":secret:{inputs.get('name', name)}-AbCdEf"
            }
        if typ == "aws:secretsmanager/secretVersion:SecretVersion":
            return {"arn": inputs.get("secretId", ""), "versionId": "v1"}
        if typ == "aws:ec2/securityGroup:SecurityGroup":
            return {"arn": arn_base.format(svc="ec2") + f":security-group/{pid}", "name": name}
        if typ == "aws:cloudwatch/logGroup:LogGroup":
            return {"arn": arn_base.format(svc="logs") + f":log-group:{inputs.get('name', name)}"}
        if typ == "aws:iam/role:Role":
            return {"arn": f"arn:aws:iam::{ACCOUNT_ID}:role/{inputs.get('name', name)}"}
        if typ == "aws:iam/policy:Policy":
            return {"arn": f"arn:aws:iam::{ACCOUNT_ID}:policy/{inputs.get('name', name)}"}
        if typ == "random:index/randomPassword:RandomPassword":
            # The real provider marks ``result`` secret; mirror that so secretness flows onwards.
            return {"result": rpc.wrap_rpc_secret("mock-password-" + "x" * 24)}
        if typ == "random:index/randomId:RandomId":
            return {"hex": "a1b2c3d4", "b64Url": "obLD1A", "dec": "2712847316"}
        if typ.startswith("kubernetes:") and "metadata" in inputs:
            meta = dict(inputs.get("metadata") or {})
            meta.setdefault("name", name)
            return {"metadata": meta}
        return {}

    # -- queries --------------------------------------------------------------------------------

    def of_type(self, typ: str) -> list[RecordedResource]:
        return [r for r in self.resources if r.type == typ]

    def one(self, typ: str, name: str | None = None) -> RecordedResource:
        found = [r for r in self.of_type(typ) if name is None or r.name == name]
        if len(found) != 1:
            names = [r.name for r in self.of_type(typ)]
            raise AssertionError(f"expected exactly one {typ}{f' named {name}' if name else ''}, got {names}")
        return found[0]

    def types(self) -> list[str]:
        return [r.type for r in self.resources]


class RecordingMonitor(MockMonitor):
    """A MockMonitor that also records resource options (protect, retainOnDelete, parent...)."""

    def __init__(self, mocks: RecordingMocks) -> None:
        super().__init__(mocks)
        self.recording = mocks

    def RegisterResource(self, request: Any) -> Any:
        self.recording.options[(request.type, request.name)] = {
            "protect": bool(request.protect),
            "retain_on_delete": bool(request.retainOnDelete),
            "delete_before_replace": bool(request.deleteBeforeReplace),
            "parent": request.parent,
            "dependencies": tuple(request.dependencies),
            "ignore_changes": tuple(request.ignoreChanges),
            "additional_secret_outputs": tuple(request.additionalSecretOutputs),
        }
        return super().RegisterResource(request)


@dataclass
class ProgramRun:
    """What a program did under mocks: resources registered and the resolved return value."""

    mocks: RecordingMocks
    #: ``fn``'s return value with every Output resolved (dicts/lists walked); ``None`` if unknown.
    exports: Any
    #: Top-level keys of a dict return value whose Output was secret.
    secret_exports: frozenset[str]

    @property
    def resources(self) -> list[RecordedResource]:
        return self.mocks.resources

    def of_type(self, typ: str) -> list[RecordedResource]:
        return self.mocks.of_type(typ)

    def one(self, typ: str, name: str | None = None) -> RecordedResource:
        return self.mocks.one(typ, name)

    def types(self) -> list[str]:
        return self.mocks.types()

    def __iter__(self) -> Iterator[RecordedResource]:
        return iter(self.mocks.resources)


def resolve(value: Any) -> Any:
    """Resolves an Output (or plain value) after a run; only valid once the program finished."""
    return _sync_await(pulumi.Output.from_input(value).future())


def is_secret_output(value: Any) -> bool:
    out = pulumi.Output.from_input(value)
    return bool(_sync_await(out.is_secret()))


def run_program(
    fn: Callable[[], Any],
    *,
    mocks: RecordingMocks | None = None,
    config: Mapping[str, str] | None = None,
    project: str = "mimirkafka-test",
    stack: str = "unit",
    preview: bool = False,
) -> ProgramRun:
    """Runs ``fn`` as a Pulumi program under :class:`RecordingMocks` and waits for it to finish.

    Exceptions raised by ``fn`` (e.g. contract validation errors) propagate unchanged, so
    ``pytest.raises`` works. ``config`` keys are full names like ``"aws:region"``.
    """
    mocks = mocks or RecordingMocks()
    pulumi.runtime.set_all_config(dict(config or {}))
    pulumi.runtime.set_mocks(
        mocks, project=project, stack=stack, preview=preview, monitor=RecordingMonitor(mocks)
    )
    settings = pulumi.runtime.settings.SETTINGS
    settings.rpc_manager.clear()
    settings.outputs.clear()

    holder: dict[str, Any] = {}

    def body() -> None:
        holder["value"] = fn()

    _sync_await(pulumi.runtime.stack.run_pulumi_func(body))

    value = holder.get("value")
    secret_keys: set[str] = set()
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, pulumi.Output) and is_secret_output(v):
                secret_keys.add(k)
    exports = resolve(value) if _is_resolvable(value) else value
    return ProgramRun(mocks=mocks, exports=exports, secret_exports=frozenset(secret_keys))


def _is_resolvable(value: Any) -> bool:
    return isinstance(value, pulumi.Output | dict | list | tuple) or value is None
