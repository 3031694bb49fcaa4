"""The checklist: :func:`run_checks` connects like Mimir and reports what Mimir would trip over.

Each check returns a :class:`CheckResult` naming what is wrong and the fix. A check whose
prerequisite failed is reported as ``skip`` rather than run against a broken connection. Every network
step has a deadline (``DoctorOptions.timeout_s``), so an unreachable broker is a clear failure.
"""

from __future__ import annotations

import functools
import ssl
import threading
import time
from collections.abc import Callable
from typing import Any

import kafka.errors as Errors
from kafka import KafkaAdminClient

from mimirkafka.contract.kafka_side import batch_limit_bytes
from mimirkafka.contract.model import (
    IngestStorageContract,
    MimirVersion,
    NoSasl,
    PlainAuth,
    ScramAuth,
)
from mimirkafka.contract.validation import problems, warnings
from mimirkafka.doctor import probes
from mimirkafka.doctor.connection import (
    ConnectionSetupError,
    client_config,
    ssl_context,
    tcp_connect,
    tls_handshake,
)
from mimirkafka.doctor.credentials import CredentialError
from mimirkafka.doctor.report import CheckResult, Report, Status
from mimirkafka.doctor.state import CheckState, DoctorOptions

#: Mimir 3.1.0/3.1.1 fail to commit offsets against Kafka 4.x (grafana/mimir#15319); 3.1.2 fixes it.
MIMIR_MIN_FOR_KAFKA_4 = MimirVersion(3, 1, 2)


class _Timeout(Exception):
    pass


def _bounded(fn: Callable[[], CheckResult], seconds: float) -> CheckResult:
    """Runs ``fn`` with a hard deadline: the client's own timeouts should fire first; this is the
    backstop that keeps the doctor from hanging on a silent network."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["result"] = fn()
        except BaseException as exc:  # re-raised in the caller's thread
            box["error"] = exc

    t = threading.Thread(target=target, daemon=True)
    t.start()
    t.join(seconds)
    if t.is_alive():
        raise _Timeout(f"no answer within {seconds:.0f}s")
    if "error" in box:
        raise box["error"]
    result: CheckResult = box["result"]
    return result


def run_checks(contract: IngestStorageContract, options: DoctorOptions | None = None) -> Report:
    """Runs the whole checklist against the live cluster the contract points at. Never raises for
    what it finds; problems become ``fail``/``warn`` lines in the returned :class:`Report`."""
    options = options or DoctorOptions()
    st = CheckState(contract, options)
    report = Report(target=f"{','.join(contract.addresses)} topic {contract.topic.name}")
    t0 = time.monotonic()
    steps: list[tuple[str, str, Callable[[CheckState], CheckResult], str | None]] = [
        ("config", "Mimir config", _check_config, None),
        ("reachable", "Brokers reachable", _check_reachable, None),
        ("tls", "TLS handshake", _check_tls, "reachable"),
        ("auth", "Authentication", _check_auth, "tls"),
        ("kafka-version", "Kafka version vs Mimir", _check_version, "auth"),
        ("topic", "Topic", _check_topic, "auth"),
        ("partitions", "Partitions", _check_partitions, "topic"),
        ("max-message-bytes", "Max message size", _check_max_message, "topic"),
        ("replica-fetch", "replica.fetch.max.bytes", _check_replica_fetch, "max-message-bytes"),
        ("replication", "Replication / min ISR", _check_replication, "topic"),
        ("produce", "Produce permission", _check_produce, "topic"),
        ("fetch", "Fetch permission", _check_fetch, "topic"),
        ("commit", "Offset commit permission", _check_commit, "topic"),
    ]
    if options.write_test:
        from mimirkafka.doctor.write_test import check_write_test

        steps.append(("write-test", "Write test", check_write_test, "produce"))
    try:
        for check_id, title, fn, needs in steps:
            if check_id == "tls" and not contract.tls.enabled:
                continue
            dep = report.get(needs) if needs else None
            if needs == "tls" and not contract.tls.enabled:
                dep = report.get("reachable")
            if dep is not None and dep.status in (Status.FAIL, Status.SKIP):
                report.add(CheckResult(check_id, title, Status.SKIP, f"skipped: '{dep.title}' did not pass"))
                continue
            if needs == "topic" and st.topic is None:
                report.add(
                    CheckResult(
                        check_id,
                        title,
                        Status.SKIP,
                        "skipped: the topic does not exist yet; run the doctor again once it is created",
                    )
                )
                continue
            if options.progress:
                options.progress(f"[doctor] {title} ...")
            started = time.monotonic()
            try:
                res = _bounded(functools.partial(fn, st), options.timeout_s * 3 + 5)
            except _Timeout as exc:
                res = CheckResult(
                    check_id,
                    title,
                    Status.FAIL,
                    f"timed out: {exc}",
                    "check the network path to the brokers (firewall, security groups)",
                )
            except Exception as exc:  # an unexpected client error is a finding, not a crash
                res = CheckResult(check_id, title, Status.FAIL, f"{type(exc).__name__}: {exc}")
            res = CheckResult(check_id, title, res.status, res.message, res.fix, time.monotonic() - started)
            report.add(res)
            if options.progress:
                options.progress(f"[doctor] {title}: {res.status.value} ({res.seconds:.1f}s)")
    finally:
        if st.admin is not None:
            st.admin.close()
        report.seconds = time.monotonic() - t0
    return report


def _r(status: Status, message: str, fix: str = "") -> CheckResult:
    # id/title/seconds are filled in by run_checks.
    return CheckResult("", "", status, message, fix)


def _check_config(st: CheckState) -> CheckResult:
    """The contract's own rules (Mimir's validation and the package's): no network needed."""
    errs, warns = problems(st.contract), warnings(st.contract)
    if errs:
        return _r(
            Status.FAIL,
            "; ".join(f"{p.setting}={p.value!r}: {p.message}" for p in errs),
            "; ".join(p.fix for p in errs),
        )
    if warns:
        return _r(
            Status.WARN,
            "; ".join(f"{p.setting}: {p.message}" for p in warns),
            "; ".join(p.fix for p in warns),
        )
    sasl = "no SASL" if isinstance(st.contract.sasl, NoSasl) else str(st.contract.sasl.mechanism.value)
    return _r(
        Status.PASS,
        f"{len(st.contract.addresses)} address(es), topic {st.topic_name}, {sasl}, "
        f"TLS {'on' if st.contract.tls.enabled else 'off'}, Mimir {st.contract.mimir_version}",
    )


# --- connection -----------------------------------------------------------------------------------


def _check_reachable(st: CheckState) -> CheckResult:
    failures = []
    for addr in st.contract.addresses:
        try:
            tcp_connect(addr, st.options.timeout_s)
            st.reachable.append(addr)
        except OSError as exc:
            failures.append(f"{addr}: {exc.strerror or exc}")
    addrs = ", ".join(st.contract.addresses)
    if not st.reachable:
        return _r(
            Status.FAIL,
            f"no broker answered on TCP: {'; '.join(failures)}",
            f"check ingest_storage.kafka.address ({addrs}): host names, ports, firewalls/security groups",
        )
    if failures:
        return _r(
            Status.WARN,
            f"{len(st.reachable)}/{len(st.contract.addresses)} reachable; unreachable: {'; '.join(failures)}",
            "remove or fix the unreachable seed addresses",
        )
    return _r(Status.PASS, f"TCP connect to {addrs}")


def _check_tls(st: CheckState) -> CheckResult:
    tls = st.contract.tls
    try:
        st.ssl_ctx = ssl_context(st.contract)
    except ConnectionSetupError as exc:
        return _r(Status.FAIL, str(exc), "point the tls_* paths at readable PEM files")
    addr = st.reachable[0]
    try:
        version = tls_handshake(addr, st.ssl_ctx, st.options.timeout_s)
    except ssl.SSLCertVerificationError as exc:
        if "hostname" in str(exc.verify_message or exc).lower() or "IP address mismatch" in str(exc):
            return _r(
                Status.FAIL,
                f"{addr}: the broker certificate does not match the host name: {exc.verify_message}",
                "set tls_server_name to a name in the broker certificate, or use that name in the address",
            )
        return _r(
            Status.FAIL,
            f"{addr}: untrusted broker certificate: {exc.verify_message}",
            "set tls_ca_path to the CA that signed the broker certificate (empty = system roots)",
        )
    except ssl.SSLError as exc:
        hint = ""
        if "WRONG_VERSION_NUMBER" in str(exc) or "record layer" in str(exc).lower():
            hint = (
                "this port does not speak TLS: use the broker's TLS listener port, or set tls_enabled: false"
            )
        elif "CERTIFICATE_REQUIRED" in str(exc) or "handshake failure" in str(exc).lower():
            hint = "the broker wants a client certificate: set tls_cert_path and tls_key_path"
        return _r(Status.FAIL, f"{addr}: TLS handshake failed: {exc}", hint)
    except OSError as exc:
        return _r(
            Status.FAIL,
            f"{addr}: TLS handshake failed: {exc}",
            "the listener closed the connection: check the port and tls_* settings",
        )
    note = " (certificate NOT verified: tls_insecure_skip_verify)" if tls.insecure_skip_verify else ""
    if tls.cipher_suites:
        note += "; tls_cipher_suites are Go names and not applied by the doctor"
    status = Status.WARN if tls.insecure_skip_verify else Status.PASS
    fix = "set tls_ca_path and turn tls_insecure_skip_verify off" if tls.insecure_skip_verify else ""
    return _r(status, f"{addr}: {version}{note}", fix)


def _check_auth(st: CheckState) -> CheckResult:
    c = st.contract
    mech = c.sasl.mechanism.value if c.sasl.mechanism is not None else None
    try:
        cfg = client_config(c, st.options.timeout_s)
    except (ConnectionSetupError, CredentialError) as exc:
        return _r(Status.FAIL, str(exc), "fix the setting named above")
    if "ssl_context" in cfg and st.ssl_ctx is not None:
        cfg["ssl_context"] = st.ssl_ctx
    if mech is not None:
        refused = _sasl_exchange(st, cfg, mech)
        if refused is not None:
            return refused
    with probes.collect_client_errors() as errors:
        try:
            st.admin = KafkaAdminClient(**cfg)
            st.admin.list_topics()
        except Errors.KafkaError as exc:
            errors.append(exc)
            return _explain_auth_failure(st, mech, errors)
        except CredentialError as exc:
            return _r(Status.FAIL, str(exc), "fix the credential source named above")
    who = "no SASL" if mech is None else f"SASL {mech}"
    if isinstance(c.sasl, PlainAuth | ScramAuth):
        who += f" as {c.sasl.username}"
    tls = "TLS" if c.tls.enabled else "plaintext"
    if c.tls.mutual:
        tls = "mTLS"
    version = ".".join(map(str, probes.broker_version(st.admin) or ())) or "unknown"
    return _r(Status.PASS, f"{who} over {tls}; broker speaks Kafka {version}")


def _sasl_exchange(st: CheckState, cfg: dict[str, Any], mech: str) -> CheckResult | None:
    """A SASL exchange of our own on the first reachable broker: the precise reason, or None if accepted."""
    addr = st.reachable[0]
    try:
        outcome = probes.sasl_authenticate(addr, st.ssl_ctx, cfg, st.options.timeout_s)
    except CredentialError as exc:
        return _r(Status.FAIL, str(exc), "fix the credential source named above")
    except (OSError, ValueError, EOFError) as exc:
        fix = "check that the port's listener matches tls_enabled and sasl_mechanism"
        if not st.contract.tls.enabled and _speaks_tls(addr, st.options.timeout_s):
            fix = "this port speaks TLS: set tls_enabled: true (and tls_ca_path)"
        return _r(
            Status.FAIL,
            f"{addr} dropped the SASL {mech} handshake ({type(exc).__name__}: {exc}); "
            "the listener does not do SASL or speaks another protocol",
            fix,
        )
    if outcome.ok:
        return None
    if mech not in outcome.offered:
        offered = ", ".join(outcome.offered) or "none"
        return _r(
            Status.FAIL,
            f"{addr} does not offer SASL {mech}; it offers {offered}",
            f"set sasl_mechanism to one of {offered}, or use the listener port that enables {mech}",
        )
    fix = "check sasl_username and sasl_password (the value the ${VAR} resolves to)"
    if mech == "OAUTHBEARER":
        fix = "check the OAuth token (expiry, audience, subject) against the broker's validator"
    elif mech == "AWS_MSK_IAM":
        fix = "check the AWS keys and that the IAM policy allows kafka-cluster:Connect on the cluster"
    return _r(Status.FAIL, f"the broker rejected the {mech} credentials: {outcome.error}", fix)


def _explain_auth_failure(st: CheckState, mech: str | None, errors: list[BaseException]) -> CheckResult:
    def first(kind: type[BaseException]) -> BaseException | None:
        return next((e for e in errors if isinstance(e, kind)), None)

    addr = st.reachable[0]
    if (e := first(CredentialError)) is not None:
        return _r(Status.FAIL, str(e), "fix the credential source named above")
    if (e := first(Errors.SaslAuthenticationFailedError)) is not None:
        detail = str(e).split(":", 1)[-1].strip() or "rejected"
        fix = "check sasl_username and sasl_password (the value the ${VAR} resolves to)"
        if mech == "OAUTHBEARER":
            fix = "check the OAuth token (expiry, audience, subject) the broker's validator expects"
        elif mech == "AWS_MSK_IAM":
            fix = "check the AWS keys and that the IAM policy allows kafka-cluster:Connect on the cluster"
        return _r(Status.FAIL, f"the broker rejected the credentials ({mech}): {detail}", fix)
    if first(Errors.UnsupportedSaslMechanismError) is not None or mech is not None:
        try:
            offered = probes.offered_mechanisms(addr, st.ssl_ctx, mech or "PLAIN", st.options.timeout_s)
        except Exception:
            offered = None
        if offered is not None and mech is not None and mech not in offered:
            return _r(
                Status.FAIL,
                f"{addr} does not offer SASL {mech}; it offers {', '.join(offered) or 'none'}",
                f"set sasl_mechanism to one of {', '.join(offered)} or use the listener port that "
                f"enables {mech}",
            )
        if offered is not None and mech is None:
            return _r(
                Status.FAIL,
                f"{addr} requires SASL ({', '.join(offered)}) but no SASL is configured",
                "set sasl_mechanism with sasl_username/sasl_password (or the token/IAM settings)",
            )
    msgs = "; ".join(dict.fromkeys(f"{type(e).__name__}: {e}" for e in errors if str(e)))
    fix = "check that the port's listener matches tls_enabled and sasl_mechanism"
    if not st.contract.tls.enabled and _speaks_tls(addr, st.options.timeout_s):
        fix = "this port speaks TLS: set tls_enabled: true (and tls_ca_path)"
    return _r(Status.FAIL, f"could not bootstrap from {', '.join(st.contract.addresses)}: {msgs[:400]}", fix)


def _speaks_tls(addr: str, timeout_s: float) -> bool:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    try:
        tls_handshake(addr, ctx, timeout_s)
        return True
    except (OSError, ssl.SSLError):
        return False


def _check_version(st: CheckState) -> CheckResult:
    bv = probes.broker_version(st.admin)
    mv = st.contract.mimir_version
    if bv is None:
        unknown = "the broker's Kafka version is unknown (kafka-python exposed none after ApiVersions)"
        if mv >= MIMIR_MIN_FOR_KAFKA_4:
            # Nothing to decide: this Mimir works with Kafka 3.x and 4.x alike.
            return _r(Status.SKIP, f"{unknown}; not needed: Mimir {mv} works with Kafka 3.x and 4.x")
        return _r(
            Status.WARN,
            f"{unknown}; with Kafka 4.x, Mimir {mv} fails its offset commits (grafana/mimir#15319)",
            f"check the broker runs Kafka < 4.0 (kafka-broker-api-versions.sh), or use Mimir >= "
            f"{MIMIR_MIN_FOR_KAFKA_4}",
        )
    if bv[0] >= 4 and mv < MIMIR_MIN_FOR_KAFKA_4:
        return _r(
            Status.FAIL,
            f"Kafka {bv[0]}.{bv[1]} with Mimir {mv}: offset commits fail with "
            "UNKNOWN_TOPIC_ID (grafana/mimir#15319)",
            f"use Mimir >= {MIMIR_MIN_FOR_KAFKA_4}",
        )
    return _r(Status.PASS, f"Kafka {bv[0]}.{bv[1]} works with Mimir {mv}")


# --- topic ----------------------------------------------------------------------------------------


def _check_topic(st: CheckState) -> CheckResult:
    name = st.topic_name
    md = probes.topic_metadata(st.admin, name)
    code = int(md["error_code"])
    ops = set(md.get("authorized_operations") or [])
    if code == 0:
        st.topic, st.topic_ops = md, ops
        leaderless = [p["partition_index"] for p in md["partitions"] if p["leader_id"] < 0]
        if leaderless:
            return _r(
                Status.FAIL,
                f"topic {name}: partitions without a leader: {sorted(leaderless)}",
                "bring the brokers hosting those replicas back (kafka-topics --describe)",
            )
        return _r(Status.PASS, f"topic {name} exists with {len(md['partitions'])} partitions")
    if st.contract.auto_create_topic_enabled:
        return _auto_create_verdict(st, code)
    if code == Errors.TopicAuthorizationFailedError.errno:
        return _r(
            Status.FAIL,
            f"topic {name} is missing or {st.principal} may not Describe it (Kafka does not tell which)",
            f"create topic {name}, or grant {st.principal} Describe, Read and Write on topic {name}",
        )
    return _r(
        Status.FAIL,
        f"topic {name} does not exist ({probes.error_name(code)}) and auto_create_topic_enabled is false",
        f"create topic {name} (kafka-topics --create) or set auto_create_topic_enabled: true",
    )


def _auto_create_verdict(st: CheckState, metadata_code: int) -> CheckResult:
    from kafka.admin import NewTopic

    name = st.topic_name
    want = max(st.contract.topic.partitions, _ingesters_per_zone(st))
    try:
        st.admin.create_topics([NewTopic(name, want, -1)], validate_only=True)
    except Errors.TopicAlreadyExistsError:
        return _r(
            Status.FAIL,
            f"topic {name} exists but {st.principal} may not Describe it",
            f"grant {st.principal} Describe, Read and Write on topic {name}",
        )
    except (Errors.TopicAuthorizationFailedError, Errors.ClusterAuthorizationFailedError):
        return _r(
            Status.FAIL,
            f"topic {name} is missing and {st.principal} may not create it, so Mimir's "
            "auto-creation fails and Mimir does not start",
            f"create topic {name} beforehand, or grant {st.principal} Create on topic {name}",
        )
    except Errors.KafkaError as exc:
        return _r(
            Status.FAIL,
            f"topic {name} is missing and creating it would fail: {exc}",
            f"create topic {name} beforehand",
        )
    return _r(
        Status.WARN,
        f"topic {name} is missing; Mimir will create it (permitted) with the broker's "
        "default replication factor and max.message.bytes",
        f"create topic {name} explicitly with "
        f"max.message.bytes={batch_limit_bytes(st.contract)} and a replication factor of 3 before rollout",
    )


def _ingesters_per_zone(st: CheckState) -> int:
    return st.options.ingesters_per_zone or st.contract.ingesters.per_zone


def _check_partitions(st: CheckState) -> CheckResult:
    if st.topic is None:
        return _r(
            Status.SKIP,
            f"topic not created yet; Mimir creates it with {st.contract.topic.partitions} partitions",
        )
    have, need = len(st.partitions), _ingesters_per_zone(st)
    if have < need:
        return _r(
            Status.FAIL,
            f"{have} partitions < {need} ingesters per zone: ingesters without a partition cannot start",
            f"add partitions: kafka-topics --alter --topic {st.topic_name} "
            f"--partitions {need} (or more, for future scale-up)",
        )
    return _r(Status.PASS, f"{have} partitions >= {need} ingesters per zone")


def _check_max_message(st: CheckState) -> CheckResult:
    name, need = st.topic_name, batch_limit_bytes(st.contract)
    st.topic_configs = probes.describe_configs(
        st.admin, "topic", name, ["max.message.bytes", "min.insync.replicas"]
    )
    leaders = sorted({p["leader_id"] for p in st.partitions})
    if leaders:
        st.broker_configs = probes.describe_configs(
            st.admin, "broker", str(leaders[0]), ["message.max.bytes", "replica.fetch.max.bytes"]
        )
    source = ""
    if st.topic_configs and "max.message.bytes" in st.topic_configs:
        st.effective_max_bytes, source = int(st.topic_configs["max.message.bytes"]), "topic max.message.bytes"
    elif st.broker_configs and "message.max.bytes" in st.broker_configs:
        st.effective_max_bytes, source = (
            int(st.broker_configs["message.max.bytes"]),
            "broker message.max.bytes",
        )
    fix = (
        f"kafka-configs --alter --entity-type topics --entity-name {name} "
        f"--add-config max.message.bytes={need} (or broker message.max.bytes={need})"
    )
    probed = _size_probe(st) if st.options.size_probe and "WRITE" in st.topic_ops else None
    if probed is not None:
        ok, detail = probed
        if not ok:
            return _r(
                Status.FAIL,
                f"the broker refuses a {need:,}-byte batch ({detail}); Mimir's writes up "
                f"to its batch cap fail" + (f"; {source} = {st.effective_max_bytes:,}" if source else ""),
                fix,
            )
        if st.effective_max_bytes is None:
            st.effective_max_bytes = need
        return _r(
            Status.PASS,
            f"a {need:,}-byte batch fits ({detail})"
            + (f"; {source} = {st.effective_max_bytes:,}" if source else ""),
        )
    if st.effective_max_bytes is None:
        return _r(
            Status.WARN,
            f"could not read the topic's max.message.bytes ({st.principal} lacks "
            "DescribeConfigs) nor probe it (no Write)",
            f"verify max.message.bytes >= {need} on topic {name}",
        )
    if st.effective_max_bytes < need:
        return _r(
            Status.FAIL,
            f"{source} = {st.effective_max_bytes:,} < {need:,} (Mimir's producer batch "
            "cap): large writes fail with MESSAGE_TOO_LARGE",
            fix,
        )
    return _r(Status.PASS, f"{source} = {st.effective_max_bytes:,} >= {need:,}")


def _size_probe(st: CheckState) -> tuple[bool, str] | None:
    """(fits, detail) from the corrupt-batch probe on one partition per leader broker, or None."""
    batch = probes.corrupt_batch(batch_limit_bytes(st.contract))
    topic_id = st.topic.get("topic_id") if st.topic else None
    seen: set[int] = set()
    for p in sorted(st.partitions, key=lambda p: p["partition_index"]):
        leader = p["leader_id"]
        if leader in seen:
            continue
        seen.add(leader)
        code = probes.size_probe(
            st.admin,
            st.topic_name,
            topic_id,
            p["partition_index"],
            leader,
            batch,
            int(st.options.timeout_s * 1000),
        )
        if code == Errors.MessageSizeTooLargeError.errno:
            return False, f"MESSAGE_TOO_LARGE from broker {leader}"
        if code == Errors.NotEnoughReplicasError.errno:
            return None  # says nothing about size; the replication check reports it
        if code not in (Errors.CorruptRecordError.errno, 0):
            return None
    return True, f"checked on {len(seen)} leader broker(s) with a harmless corrupt batch; nothing written"


def _check_replica_fetch(st: CheckState) -> CheckResult:
    rf = max((len(p["replica_nodes"]) for p in st.partitions), default=0)
    value = (st.broker_configs or {}).get("replica.fetch.max.bytes")
    if rf <= 1:
        return _r(Status.PASS, "replication factor 1: no follower fetches")
    if value is None:
        return _r(
            Status.SKIP,
            f"could not read broker configs ({st.principal} lacks DescribeConfigs on the "
            "cluster); Kafka still replicates batches above replica.fetch.max.bytes, one at a time",
        )
    need = st.effective_max_bytes or batch_limit_bytes(st.contract)
    if int(value) < need:
        return _r(
            Status.WARN,
            f"replica.fetch.max.bytes = {int(value):,} < {need:,}: followers fetch one "
            "oversized batch per request, so replication of Mimir's large batches lags",
            f"set broker replica.fetch.max.bytes >= {need}",
        )
    return _r(Status.PASS, f"replica.fetch.max.bytes = {int(value):,} >= {need:,}")


def _check_replication(st: CheckState) -> CheckResult:
    rf = min(len(p["replica_nodes"]) for p in st.partitions) if st.partitions else 0
    isr = min(len(p["isr_nodes"]) for p in st.partitions) if st.partitions else 0
    raw = (st.topic_configs or {}).get("min.insync.replicas")
    min_isr = int(raw) if raw is not None else None
    text = f"replication factor {rf}, in-sync {isr}" + (f", min.insync.replicas {min_isr}" if min_isr else "")
    if min_isr is not None and min_isr > rf:
        return _r(
            Status.FAIL,
            f"{text}: min.insync.replicas > replication factor, so every write "
            "(acks=all) fails with NOT_ENOUGH_REPLICAS",
            f"set min.insync.replicas <= {rf} on the topic",
        )
    if min_isr is not None and isr < min_isr:
        return _r(
            Status.FAIL,
            f"{text}: fewer in-sync replicas than min.insync.replicas; writes fail now",
            "bring the out-of-sync brokers back",
        )
    if rf < 2:
        return _r(
            Status.WARN,
            f"{text}: one broker loss stops ingestion and may lose data",
            "use replication factor 3 with min.insync.replicas 2 in production",
        )
    if min_isr is not None and min_isr >= rf:
        return _r(
            Status.WARN, f"{text}: any broker restart blocks writes", f"set min.insync.replicas to {rf - 1}"
        )
    if min_isr is None:
        return _r(Status.PASS, f"{text} (min.insync.replicas not readable with Mimir's permissions)")
    return _r(Status.PASS, text)


# --- permissions ----------------------------------------------------------------------------------


def _acl_fix(st: CheckState, op: str, resource: str) -> str:
    return f"kafka-acls --add --allow-principal {st.principal} --operation {op} {resource}"


def _check_produce(st: CheckState) -> CheckResult:
    if "WRITE" not in st.topic_ops:
        return _r(
            Status.FAIL,
            f"{st.principal} may not Write to topic {st.topic_name}: distributors cannot push",
            _acl_fix(st, "Write", f"--topic {st.topic_name}"),
        )
    return _r(Status.PASS, f"{st.principal} may Write to {st.topic_name}")


def _check_fetch(st: CheckState) -> CheckResult:
    if "READ" not in st.topic_ops:
        return _r(
            Status.FAIL,
            f"{st.principal} may not Read topic {st.topic_name}: ingesters cannot consume",
            _acl_fix(st, "Read", f"--topic {st.topic_name}"),
        )
    return _r(Status.PASS, f"{st.principal} may Read {st.topic_name}")


def _check_commit(st: CheckState) -> CheckResult:
    group, prefix = st.group, st.contract.consumer_group_prefix
    fix = _acl_fix(st, "Read", f"--group {prefix} --resource-pattern-type prefixed")
    deadline = time.monotonic() + st.options.timeout_s
    try:
        coordinator = probes.find_coordinator(st.admin, group, deadline)
    except Errors.GroupAuthorizationFailedError:
        return _r(Status.FAIL, f"{st.principal} may not use group {group} (FindCoordinator denied)", fix)
    code = probes.commit_probe(
        st.admin, group, st.topic_name, st.topic.get("topic_id") if st.topic else None, coordinator
    )
    if code == Errors.GroupAuthorizationFailedError.errno:
        return _r(
            Status.FAIL,
            f"{st.principal} may not commit offsets for group {group}: ingesters fail to commit",
            fix,
        )
    if code == Errors.TopicAuthorizationFailedError.errno:
        return _r(
            Status.FAIL,
            f"{st.principal} may not commit offsets of topic {st.topic_name} (needs Read)",
            _acl_fix(st, "Read", f"--topic {st.topic_name}"),
        )
    if code in probes.COMMIT_REFUSED_HARMLESSLY:
        return _r(
            Status.PASS,
            f"{st.principal} may commit offsets for group {group} (probe refused by the "
            f"coordinator as intended: {probes.error_name(code)}; nothing stored)",
        )
    return _r(
        Status.WARN,
        f"offset-commit probe for group {group} answered {probes.error_name(code)}",
        "verify Read on the consumer groups of Mimir's ingesters",
    )
