"""The Mimir-side check: behave like Mimir's writer and an ingester, configured ONLY from the Mimir
config the stack rendered (``mimir-values.yaml``), never from the package's internal objects.

The rendered config holds ``${VAR}`` references for secrets and file paths for TLS material; the test
supplies what Kubernetes would: the env values of the credentials Secret and the files of the TLS
Secret mounted at those paths.

Two clients: :func:`franz_check` runs ``scripts/franz-check`` (franz-go, the client library Mimir itself
uses, set up like Mimir's writer and reader); the kafka-python functions below are the older, second
opinion.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka_clients import ClientIdentity, client_config

#: Mimir's largest record (``producer_max_record_size_bytes`` default and maximum).
MIMIR_MAX_RECORD_BYTES = 15_983_616
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class MimirKafkaView:
    """What a Mimir process would use to reach Kafka, read from its rendered config."""

    bootstrap: list[str]
    topic: str
    ident: ClientIdentity
    max_record_bytes: int


#: The chart passes ``<component>.extraArgs`` as ``-<key>=<value>`` after ``-config.file``, so a flag
#: overrides the config key of the same name (mimir-distributed templates, e.g. ingester-statefulset.yaml).
_KAFKA_FLAG = "ingest-storage.kafka."


def _flag_value(text: str) -> Any:
    if text in ("true", "false"):
        return text == "true"
    return int(text) if re.fullmatch(r"-?[0-9]+", text) else text


def component_kafka(values: Mapping[str, Any], component: str = "ingester") -> dict[str, Any]:
    """``ingest_storage.kafka`` as one chart component runs it: the shared ``mimir.structuredConfig``
    block with that component's ``-ingest-storage.kafka.*`` extraArgs applied, read from the values alone."""
    kafka = find_ingest_kafka(values)
    section = values.get(component) or {}
    for key, value in (section.get("extraArgs") or {}).items():
        name = str(key).lstrip("-")
        if name.startswith(_KAFKA_FLAG):
            kafka[name[len(_KAFKA_FLAG) :].replace("-", "_")] = _flag_value(str(value))
    return kafka


def component_config(values: Mapping[str, Any], component: str = "ingester") -> dict[str, Any]:
    """A Mimir config holding only what ``component`` gets for ``ingest_storage`` (for franz-check)."""
    ingest = dict(find_ingest_storage(values))
    ingest["kafka"] = component_kafka(values, component)
    return {"ingest_storage": ingest}


def find_ingest_storage(tree: Any) -> dict[str, Any]:
    if isinstance(tree, Mapping):
        ingest = tree.get("ingest_storage")
        if isinstance(ingest, Mapping) and isinstance(ingest.get("kafka"), Mapping):
            return dict(ingest)
        for value in tree.values():
            found = find_ingest_storage(value)
            if found:
                return found
    return {}


def find_ingest_kafka(tree: Any) -> dict[str, Any]:
    """The ``ingest_storage.kafka`` block wherever the values file nests Mimir's config."""
    if isinstance(tree, Mapping):
        ingest = tree.get("ingest_storage")
        if isinstance(ingest, Mapping) and isinstance(ingest.get("kafka"), Mapping):
            return dict(ingest["kafka"])
        for value in tree.values():
            found = find_ingest_kafka(value)
            if found:
                return found
    return {}


def _expand(value: Any, env: Mapping[str, str]) -> Any:
    if not isinstance(value, str):
        return value

    def sub(m: re.Match[str]) -> str:
        if m.group(1) not in env:
            raise KeyError(f"the rendered Mimir config references ${{{m.group(1)}}}, which the test lacks")
        return env[m.group(1)]

    return _ENV_REF.sub(sub, value)


def view_from_rendered(
    values_file: Path,
    env: Mapping[str, str],
    mounted_files: Mapping[str, str],
    component: str = "ingester",
) -> MimirKafkaView:
    """``env``: secret env values (what the credentials Secret holds); ``mounted_files``: file name
    (e.g. ``ca.crt``) -> PEM content, as the TLS Secret mounted at the rendered path would provide."""
    doc = yaml.safe_load(values_file.read_text())
    # Helm values: what the ingesters run (shared config + their flags); a bare Mimir config: as is.
    block = component_kafka(doc, component) if "mimir" in doc else find_ingest_kafka(doc)
    kafka = {k: _expand(v, env) for k, v in block.items()}
    assert kafka, f"no ingest_storage.kafka block in {values_file}"

    def file_at(key: str) -> str | None:
        path = kafka.get(key)
        if not path:
            return None
        name = PurePosixPath(str(path)).name
        assert name in mounted_files, (
            f"{key}={path}: no such mounted file in the test ({sorted(mounted_files)})"
        )
        return mounted_files[name]

    mechanism = kafka.get("sasl_mechanism") or None
    username = kafka.get("sasl_username") or None
    if mechanism == "PLAIN" and not username:
        mechanism = None  # Mimir treats PLAIN with no credentials as "no SASL"
    ident = ClientIdentity(
        mechanism=mechanism,
        username=username,
        password=kafka.get("sasl_password"),
        token=kafka.get("sasl_oauthbearer_token"),
        tls=bool(kafka.get("tls_enabled")),
        ca_pem=file_at("tls_ca_path"),
        cert_pem=file_at("tls_cert_path"),
        key_pem=file_at("tls_key_path"),
        insecure_skip_verify=bool(kafka.get("tls_insecure_skip_verify")),
        server_name=kafka.get("tls_server_name"),
    )
    address = kafka["address"]
    bootstrap = address if isinstance(address, list) else [a.strip() for a in str(address).split(",")]
    return MimirKafkaView(
        bootstrap=bootstrap,
        topic=str(kafka["topic"]),
        ident=ident,
        max_record_bytes=int(kafka.get("producer_max_record_size_bytes", MIMIR_MAX_RECORD_BYTES)),
    )


def produce_max_records(view: MimirKafkaView, topic: str, partitions: int) -> dict[int, bytes]:
    """One record of the maximum size per partition, acks=all like Mimir's writer. Random payload, so
    compression cannot shrink it below the limit being tested. Returns partition -> payload prefix."""
    producer = KafkaProducer(
        **client_config(view.bootstrap, view.ident),
        acks="all",
        linger_ms=0,
        compression_type=None,
        # Client-side cap only; the broker/topic limit is what is under test.
        max_request_size=view.max_record_bytes + 1_048_576,
        request_timeout_ms=60_000,
    )
    sent: dict[int, bytes] = {}
    try:
        for p in range(partitions):
            payload = os.urandom(view.max_record_bytes)
            meta = producer.send(topic, value=payload, partition=p).get(timeout=120)
            assert meta.partition == p
            sent[p] = payload[:64]
        producer.flush()
    finally:
        producer.close()
    return sent


def consume_and_commit(view: MimirKafkaView, topic: str, group: str, expected: dict[int, bytes]) -> None:
    """Reads every partition from the start in consumer group ``group`` and commits, like an ingester."""
    consumer = KafkaConsumer(
        **client_config(view.bootstrap, view.ident),
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        fetch_max_bytes=view.max_record_bytes + 1_048_576,
        max_partition_fetch_bytes=view.max_record_bytes + 1_048_576,
        request_timeout_ms=60_000,
    )
    try:
        tps = [TopicPartition(topic, p) for p in expected]
        consumer.assign(tps)
        seen: dict[int, bytes] = {}
        deadline = time.monotonic() + 120
        while set(seen) != set(expected) and time.monotonic() < deadline:
            for tp, records in consumer.poll(timeout_ms=2000).items():
                for rec in records:
                    if len(rec.value) == view.max_record_bytes and rec.value[:64] == expected[tp.partition]:
                        seen[tp.partition] = rec.value[:64]
        assert set(seen) == set(expected), f"read back {sorted(seen)} of partitions {sorted(expected)}"
        consumer.commit()
        committed = {p: consumer.committed(TopicPartition(topic, p)) for p in expected}
        assert all(off is not None and off >= 1 for off in committed.values()), committed
    finally:
        consumer.close()


# --- franz-go: Mimir's own Kafka client ------------------------------------------------------------


@dataclass(frozen=True)
class FranzResult:
    """What ``franz-check`` reported: ``ok``, and on failure the ``stage`` (config, metadata, produce,
    consume, commit), the error text and Kafka's error name (``error_code``, e.g. MESSAGE_TOO_LARGE)."""

    returncode: int
    report: dict[str, Any]
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and bool(self.report.get("ok"))

    @property
    def stage(self) -> str:
        return str(self.report.get("stage", ""))

    @property
    def error(self) -> str:
        return str(self.report.get("error", ""))

    @property
    def error_code(self) -> str:
        return str(self.report.get("error_code", ""))


def franz_check_binary() -> str:
    path = os.environ.get("FRANZ_CHECK", "")
    if not path or not Path(path).is_file():
        raise FileNotFoundError(f"franz-check not built ({path!r}); run scripts/toolchain")
    return path


def ingester_ids_from_values(values: Mapping[str, Any]) -> list[str]:
    """The ingester pod names (= instance IDs = consumer groups) the Helm values imply, from the
    mimir-distributed chart's naming: ``<fullname>-ingester-<i>``, or with zone-aware replication
    ``<fullname>-ingester-<zone>-<i>`` with the replicas split evenly over the zones."""
    fullname = values.get("fullnameOverride") or "mimir"
    ing = values.get("ingester") or {}
    replicas = int(ing.get("replicas", 3))
    zar = ing.get("zoneAwareReplication") or {}
    if zar.get("enabled"):
        zones = [z["name"] for z in zar.get("zones") or []]
        assert zones, "zone-aware ingesters without zones in the values"
        per_zone = -(-replicas // len(zones))
        return [f"{fullname}-ingester-{z}-{i}" for z in zones for i in range(per_zone)]
    return [f"{fullname}-ingester-{i}" for i in range(replicas)]


def franz_check(
    values_file: Path,
    env: Mapping[str, str],
    mounted_files: Mapping[str, str],
    instance_ids: list[str] | None = None,
    *,
    expect_partitions: int = 0,
    overrides: Mapping[str, Any] | None = None,
    timeout_s: int = 180,
    component: str = "ingester",
) -> FranzResult:
    """Runs franz-check on the rendered values: ``env`` is what the credentials Secret puts in the
    pods' environment, ``mounted_files`` (file name -> content) what the TLS Secret mounts. Without
    ``instance_ids`` it commits as every ingester the values imply. ``overrides`` replaces keys of
    ``ingest_storage.kafka`` (only for the negative controls, e.g. a wrong ``tls_server_name``).
    ``component``: whose view of Helm values to run with (the Kafka-only flags are per component)."""
    doc = yaml.safe_load(values_file.read_text())
    if instance_ids is None:
        instance_ids = ingester_ids_from_values(doc)
    with tempfile.TemporaryDirectory(prefix="franz-check-") as tmp:
        tls_dir = Path(tmp) / "mounted"
        tls_dir.mkdir()
        for name, content in mounted_files.items():
            (tls_dir / name).write_text(content)
            (tls_dir / name).chmod(0o600)
        config = values_file
        if "mimir" in doc or overrides:
            # Helm values: the config ``component`` runs with (shared config + its extraArgs flags).
            view = component_config(doc, component) if "mimir" in doc else doc
            if overrides:
                kafka = _find_ingest_kafka_node(view)
                assert kafka is not None, f"no ingest_storage.kafka in {values_file}"
                kafka.update(overrides)
            config = Path(tmp) / "values.yaml"
            config.write_text(yaml.safe_dump(view))
        argv = [
            franz_check_binary(),
            f"-config={config}",
            f"-tls-dir={tls_dir}",
            f"-expect-partitions={expect_partitions}",
            f"-timeout={timeout_s}s",
            *(f"-instance-id={i}" for i in instance_ids),
        ]
        # Only what the pod would have: PATH/HOME for the runtime, plus the Secret's variables.
        proc_env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp"), **env}
        proc = subprocess.run(
            argv, env=proc_env, capture_output=True, text=True, timeout=timeout_s + 30, check=False
        )
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        report = {"ok": False, "stage": "crash", "error": proc.stdout[-2000:]}
    return FranzResult(proc.returncode, report, proc.stderr)


def _find_ingest_kafka_node(tree: Any) -> dict[str, Any] | None:
    """The ``ingest_storage.kafka`` mapping itself (mutable), wherever it is nested."""
    if isinstance(tree, dict):
        ingest = tree.get("ingest_storage")
        if isinstance(ingest, dict) and isinstance(ingest.get("kafka"), dict):
            return ingest["kafka"]
        for value in tree.values():
            found = _find_ingest_kafka_node(value)
            if found is not None:
                return found
    return None
