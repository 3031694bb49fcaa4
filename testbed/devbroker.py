"""A real single-node KRaft Kafka broker on loopback, for the end-to-end tests and the local stack.

The broker runs from the Kafka jars that ``scripts/toolchain`` fetched from Maven Central (``java -cp``),
with a fresh data dir and freshly generated certificates. One listener per authentication method, so a
test picks the listener of the method it exercises:

=================  ================  ==========================================================
listener           protocol          authentication
=================  ================  ==========================================================
``plaintext``      PLAINTEXT         none (principal ``User:ANONYMOUS``, which has no rights)
``sasl_plain``     SASL_PLAINTEXT    PLAIN (users fixed in the JAAS config: admin, mimir)
``scram_sha_256``  SASL_PLAINTEXT    SCRAM-SHA-256
``scram_sha_512``  SASL_PLAINTEXT    SCRAM-SHA-512
``sasl_ssl``       SASL_SSL          SCRAM-SHA-256 and SCRAM-SHA-512 over TLS
``mtls``           SSL               client certificate required; principal = the certificate's CN
``oauthbearer``    SASL_PLAINTEXT    OAUTHBEARER with Kafka's unsecured JWS validator
=================  ================  ==========================================================

The standard authorizer is on; ``User:admin`` and the broker's own principal ``User:broker`` are super
users, everybody else needs ACLs. ``message.max.bytes`` is deliberately left at Kafka's 1 MiB default so
that only the topic-level ``max.message.bytes`` the package sets can make Mimir's 15.98 MB records fit.

Standalone use (the local stack's broker): ``python -m testbed.devbroker --info .local/broker.json`` starts
the broker, writes the connection details as JSON and runs until interrupted.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from testbed.host import free_ports, toolchain_env

ADMIN_USER = "admin"
#: The user the PLAIN listener knows besides admin (PLAIN users live in the broker's JAAS config, so they
#: cannot be created at run time the way SCRAM users are).
PLAIN_MIMIR_USER = "mimir"
#: CN of the client certificate the fixture issues for mTLS; the broker maps it to ``User:mimir``.
MTLS_CLIENT_CN = "mimir"
#: Extra identities, so that tests comparing a principal's exact ACL set do not share a principal
#: with other tests: PLAIN users (fixed in the JAAS config) and client certificates (CN = principal).
EXTRA_PLAIN_USERS = ("mimir-stack",)
EXTRA_CLIENT_CNS = ("mimir-e2e",)
KAFKA_DEFAULT_MESSAGE_MAX_BYTES = 1_048_588


@dataclass(frozen=True)
class Listener:
    """How a client reaches one listener: ``host:port``, Kafka security protocol, SASL mechanisms."""

    address: str
    security_protocol: str
    mechanisms: tuple[str, ...] = ()

    @property
    def tls(self) -> bool:
        return self.security_protocol in ("SSL", "SASL_SSL")


@dataclass(frozen=True)
class BrokerInfo:
    """Everything a test needs to talk to the fixture broker. PEM fields hold file contents."""

    listeners: dict[str, Listener]
    admin_user: str
    admin_password: str
    #: PLAIN users (name -> password) baked into the JAAS config of the ``sasl_plain`` listener.
    plain_users: dict[str, str]
    ca_pem: str
    #: Client certificate and key for ``mtls`` (CN=mimir) and for the admin over mTLS (CN=admin).
    client_cert_pem: str
    client_key_pem: str
    admin_cert_pem: str
    admin_key_pem: str
    workdir: str
    #: CN -> {"cert": PEM, "key": PEM} for the extra client certificates (``EXTRA_CLIENT_CNS``).
    client_certs: dict[str, dict[str, str]] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)

    def address(self, listener: str) -> str:
        return self.listeners[listener].address

    def admin_client_config(self) -> dict[str, Any]:
        """kafka-python settings for a super-user client (SASL PLAIN over plaintext)."""
        return {
            "bootstrap_servers": self.address("sasl_plain"),
            "security_protocol": "SASL_PLAINTEXT",
            "sasl_mechanism": "PLAIN",
            "sasl_plain_username": self.admin_user,
            "sasl_plain_password": self.admin_password,
        }

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> BrokerInfo:
        raw = json.loads(text)
        raw["listeners"] = {
            k: Listener(v["address"], v["security_protocol"], tuple(v["mechanisms"]))
            for k, v in raw["listeners"].items()
        }
        return cls(**raw)


def unsecured_jws(subject: str, lifetime_s: int = 3600) -> str:
    """A token Kafka's ``OAuthBearerUnsecuredValidatorCallbackHandler`` accepts (alg ``none``)."""

    def b64(obj: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    now = int(time.time())
    return f"{b64({'alg': 'none'})}.{b64({'sub': subject, 'iat': now, 'exp': now + lifetime_s})}."


def kafka_libs() -> Path:
    """The Kafka jars dir: ``$KAFKA_LIBS`` or what ``scripts/toolchain --env`` reports."""
    return Path(toolchain_env(("KAFKA_LIBS",))["KAFKA_LIBS"])


# --- certificates -------------------------------------------------------------------------------


def _write_pki(d: Path) -> dict[str, Path]:
    """A throw-away CA, a broker certificate for localhost/127.0.0.1 and two client certificates."""
    import ipaddress

    from cryptography import x509

    from testbed.pki import TestCA, common_name

    ca = TestCA("mimirkafka-test-ca")
    local = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]

    def leaf(cn: str, server: bool) -> tuple[bytes, bytes]:
        return ca.leaf(common_name(cn), server=server, sans=local if server else ())

    ca_pem = ca.pem
    broker_cert, broker_key = leaf("localhost", server=True)
    client_cert, client_key = leaf(MTLS_CLIENT_CN, server=False)
    admin_cert, admin_key = leaf(ADMIN_USER, server=False)
    extra = {cn: leaf(cn, server=False) for cn in EXTRA_CLIENT_CNS}
    files = {
        "ca": (d / "ca.pem", ca_pem),
        # Kafka's PEM keystore file: the private key followed by the certificate chain.
        "broker_keystore": (d / "broker-keystore.pem", broker_key + broker_cert + ca_pem),
        "client_cert": (d / "client-cert.pem", client_cert),
        "client_key": (d / "client-key.pem", client_key),
        "admin_cert": (d / "admin-cert.pem", admin_cert),
        "admin_key": (d / "admin-key.pem", admin_key),
    }
    for cn, (cert, key) in extra.items():
        files[f"cert:{cn}"] = (d / f"client-{cn}-cert.pem", cert)
        files[f"key:{cn}"] = (d / f"client-{cn}-key.pem", key)
    for path, content in files.values():
        path.write_bytes(content)
        path.chmod(0o600)
    return {k: p for k, (p, _) in files.items()}


# --- broker configuration ----------------------------------------------------------------------

#: listener name -> (Kafka listener name, security protocol, SASL mechanisms)
_CLIENT_LISTENERS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "plaintext": ("PLAINTEXT", "PLAINTEXT", ()),
    "sasl_plain": ("SASL_PLAIN", "SASL_PLAINTEXT", ("PLAIN",)),
    "scram_sha_256": ("SCRAM256", "SASL_PLAINTEXT", ("SCRAM-SHA-256",)),
    "scram_sha_512": ("SCRAM512", "SASL_PLAINTEXT", ("SCRAM-SHA-512",)),
    "sasl_ssl": ("SASL_SSL_SCRAM", "SASL_SSL", ("SCRAM-SHA-256", "SCRAM-SHA-512")),
    "mtls": ("MTLS", "SSL", ()),
    "oauthbearer": ("OAUTH", "SASL_PLAINTEXT", ("OAUTHBEARER",)),
}

_JAAS_MODULE = {
    "PLAIN": "org.apache.kafka.common.security.plain.PlainLoginModule",
    "SCRAM-SHA-256": "org.apache.kafka.common.security.scram.ScramLoginModule",
    "SCRAM-SHA-512": "org.apache.kafka.common.security.scram.ScramLoginModule",
    "OAUTHBEARER": "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule",
}


def _server_properties(
    ports: dict[str, int], data_dir: Path, pki: dict[str, Path], passwords: dict[str, str]
) -> str:
    names = {key: spec[0] for key, spec in _CLIENT_LISTENERS.items()}
    names.update(internal="INTERNAL", controller="CONTROLLER")
    protocols = {spec[0]: spec[1] for spec in _CLIENT_LISTENERS.values()}
    # Broker-to-broker and broker-to-controller traffic authenticate as User:broker (PLAIN), so that
    # User:ANONYMOUS (the PLAINTEXT client listener) need not be a super user.
    protocols.update(INTERNAL="SASL_PLAINTEXT", CONTROLLER="SASL_PLAINTEXT")
    addr = {key: f"127.0.0.1:{ports[key]}" for key in names}
    plain_users = " ".join(f'user_{u}="{p}"' for u, p in _plain_users(passwords).items())
    broker_jaas = (
        f'{_JAAS_MODULE["PLAIN"]} required username="broker" password="{passwords["broker"]}" '
        f'user_broker="{passwords["broker"]}";'
    )
    props: dict[str, str] = {
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.voters": f"1@{addr['controller']}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "INTERNAL",
        "listeners": ",".join(f"{names[k]}://{addr[k]}" for k in names),
        "advertised.listeners": ",".join(f"{names[k]}://{addr[k]}" for k in names if k != "controller"),
        "listener.security.protocol.map": ",".join(f"{n}:{p}" for n, p in protocols.items()),
        "sasl.mechanism.inter.broker.protocol": "PLAIN",
        "sasl.mechanism.controller.protocol": "PLAIN",
        "sasl.enabled.mechanisms": "PLAIN",
        "listener.name.internal.sasl.enabled.mechanisms": "PLAIN",
        "listener.name.internal.plain.sasl.jaas.config": broker_jaas,
        "listener.name.controller.sasl.enabled.mechanisms": "PLAIN",
        "listener.name.controller.plain.sasl.jaas.config": broker_jaas,
        "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        "super.users": f"User:{ADMIN_USER};User:broker",
        "allow.everyone.if.no.acl.found": "false",
        # The SSL principal is the certificate's DN; map "CN=mimir" to "mimir" like SASL usernames.
        "ssl.principal.mapping.rules": "RULE:^CN=([^,]+)$/$1/,DEFAULT",
        "ssl.keystore.type": "PEM",
        "ssl.keystore.location": str(pki["broker_keystore"]),
        "ssl.truststore.type": "PEM",
        "ssl.truststore.location": str(pki["ca"]),
        "listener.name.mtls.ssl.client.auth": "required",
        "log.dirs": str(data_dir),
        "num.partitions": "1",
        "auto.create.topics.enable": "false",
        "offsets.topic.replication.factor": "1",
        "offsets.topic.num.partitions": "4",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        "group.initial.rebalance.delay.ms": "0",
        # message.max.bytes is NOT set: Kafka's 1 MiB default must stay (see the module docstring).
    }
    for kname, _proto, mechs in _CLIENT_LISTENERS.values():
        if not mechs:
            continue
        lname = kname.lower()
        props[f"listener.name.{lname}.sasl.enabled.mechanisms"] = ",".join(mechs)
        for mech in mechs:
            options = ""
            if mech == "PLAIN":
                options = " " + plain_users
            elif mech == "OAUTHBEARER":
                options = ' unsecuredLoginStringClaim_sub="broker"'
            props[f"listener.name.{lname}.{mech.lower()}.sasl.jaas.config"] = (
                f"{_JAAS_MODULE[mech]} required{options};"
            )
    return "".join(f"{k}={v}\n" for k, v in props.items())


def _plain_users(passwords: dict[str, str]) -> dict[str, str]:
    users = {ADMIN_USER: passwords["admin"], PLAIN_MIMIR_USER: passwords["mimir_plain"]}
    users.update({u: passwords[f"plain:{u}"] for u in EXTRA_PLAIN_USERS})
    return users


_LOG4J2 = """\
status = warn
appender.file.type = File
appender.file.name = FILE
appender.file.fileName = {log}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = info
rootLogger.appenderRef.file.ref = FILE
logger.kafka.name = kafka
logger.kafka.level = warn
logger.apache.name = org.apache.kafka
logger.apache.level = warn
logger.authorizer.name = kafka.authorizer.logger
logger.authorizer.level = info
"""


class BrokerError(RuntimeError):
    """The broker cannot start; the message says why and what to do."""


class Broker:
    """Owns one broker process. ``start()`` returns a :class:`BrokerInfo`; ``stop()`` kills the group."""

    def __init__(self, workdir: Path | None = None, libs: Path | None = None) -> None:
        self._own_workdir = workdir is None
        self.workdir = workdir or Path(tempfile.mkdtemp(prefix="mimirkafka-broker-"))
        self.libs = libs or kafka_libs()
        self.proc: subprocess.Popen[bytes] | None = None
        self.info: BrokerInfo | None = None
        self.start_seconds: float | None = None

    def start(self, timeout: float = 120.0) -> BrokerInfo:
        t0 = time.monotonic()
        if not (self.libs / "kafka_2.13-4.1.1.jar").exists() and not list(self.libs.glob("kafka_2.13-*.jar")):
            raise BrokerError(f"no Kafka jars in {self.libs}; run scripts/toolchain")
        pki_dir = self.workdir / "pki"
        data_dir = self.workdir / "data"
        if data_dir.exists() and any(data_dir.iterdir()):
            # A formatted log dir belongs to another cluster id and other credentials: never reuse it.
            raise BrokerError(
                f"work dir {self.workdir} already holds a broker's data; remove it "
                f"(rm -rf {self.workdir}) or pass another --workdir"
            )
        pki_dir.mkdir(parents=True, exist_ok=True)
        pki = _write_pki(pki_dir)
        passwords = {
            "admin": secrets.token_hex(12),
            "broker": secrets.token_hex(12),
            "mimir_plain": secrets.token_hex(12),
        } | {f"plain:{u}": secrets.token_hex(12) for u in EXTRA_PLAIN_USERS}
        keys = [*list(_CLIENT_LISTENERS), "internal", "controller"]
        ports = dict(zip(keys, free_ports(len(keys)), strict=True))
        props = self.workdir / "server.properties"
        props.write_text(_server_properties(ports, data_dir, pki, passwords))
        log4j = self.workdir / "log4j2.properties"
        log_file = self.workdir / "server.log"
        log4j.write_text(_LOG4J2.format(log=log_file))
        java_opts = [
            "-Xms256m",
            "-Xmx768m",
            "-XX:+UseSerialGC",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile=file:{log4j}",
            f"-Dkafka.logs.dir={self.workdir}",
        ]
        cluster_id = (
            subprocess.run(
                ["java", *java_opts, "-cp", f"{self.libs}/*", "kafka.tools.StorageTool", "random-uuid"],
                check=True,
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        subprocess.run(
            [
                "java",
                *java_opts,
                "-cp",
                f"{self.libs}/*",
                "kafka.tools.StorageTool",
                "format",
                "-t",
                cluster_id,
                "-c",
                str(props),
                "--add-scram",
                f"SCRAM-SHA-256=[name={ADMIN_USER},password={passwords['admin']}]",
                "--add-scram",
                f"SCRAM-SHA-512=[name={ADMIN_USER},password={passwords['admin']}]",
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        stdout = (self.workdir / "stdout.log").open("wb")
        # A new session = a new process group, so stop() can kill the JVM and anything it spawned.
        self.proc = subprocess.Popen(
            ["java", *java_opts, "-cp", f"{self.libs}/*", "kafka.Kafka", str(props)],
            stdout=stdout,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        info = BrokerInfo(
            listeners={
                key: Listener(f"127.0.0.1:{ports[key]}", proto, mechs)
                for key, (_n, proto, mechs) in _CLIENT_LISTENERS.items()
            },
            admin_user=ADMIN_USER,
            admin_password=passwords["admin"],
            plain_users=_plain_users(passwords),
            ca_pem=pki["ca"].read_text(),
            client_cert_pem=pki["client_cert"].read_text(),
            client_key_pem=pki["client_key"].read_text(),
            admin_cert_pem=pki["admin_cert"].read_text(),
            admin_key_pem=pki["admin_key"].read_text(),
            workdir=str(self.workdir),
            files={k: str(v) for k, v in pki.items()} | {"log": str(log_file)},
            client_certs={
                cn: {"cert": pki[f"cert:{cn}"].read_text(), "key": pki[f"key:{cn}"].read_text()}
                for cn in EXTRA_CLIENT_CNS
            },
        )
        try:
            self._wait_ready(info, deadline=t0 + timeout)
        except BaseException:
            self.stop()
            raise
        self.info = info
        self.start_seconds = time.monotonic() - t0
        return info

    def _wait_ready(self, info: BrokerInfo, deadline: float) -> None:
        from kafka import KafkaAdminClient

        last: Exception | None = None
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(f"Kafka broker exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                admin = KafkaAdminClient(**info.admin_client_config(), request_timeout_ms=5000)
                try:
                    admin.list_topics()
                    return
                finally:
                    admin.close()
            except Exception as exc:  # not ready yet: connection refused, no controller, ...
                last = exc
                time.sleep(0.5)
        raise TimeoutError(f"Kafka broker not ready: {last!r}\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        out = []
        for name in ("stdout.log", "server.log"):
            p = self.workdir / name
            if p.exists():
                out.append(f"--- {p}\n" + "\n".join(p.read_text(errors="replace").splitlines()[-lines:]))
        return "\n".join(out)

    def stop(self, timeout: float = 30.0) -> None:
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout)
            except ProcessLookupError:
                pass
        if proc is not None:
            # Anything left in the group (there should be nothing) goes too.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        if self._own_workdir and os.environ.get("MIMIRKAFKA_KEEP_BROKER_DIR") != "1":
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> BrokerInfo:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--info", type=Path, required=True, help="where to write the BrokerInfo JSON")
    parser.add_argument("--workdir", type=Path, help="data/cert dir (default: a fresh temp dir)")
    args = parser.parse_args(argv)
    broker = Broker(workdir=args.workdir)
    stop = False

    def on_signal(signum: int, frame: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        info = broker.start()
    except BrokerError as e:
        print(f"devbroker: {e}", file=sys.stderr)
        return 3
    except subprocess.CalledProcessError as e:
        tail = (e.stderr or "").strip().splitlines()[-3:]
        print(
            f"devbroker: {e.cmd[-1] if e.cmd else 'a Kafka tool'} failed: {' | '.join(tail)}", file=sys.stderr
        )
        return 3
    try:
        args.info.parent.mkdir(parents=True, exist_ok=True)
        args.info.write_text(info.to_json())
        args.info.chmod(0o600)
        print(f"broker ready in {broker.start_seconds:.1f}s; connection details in {args.info}", flush=True)
        for key, lst in info.listeners.items():
            print(
                f"  {key:14} {lst.address:22} {lst.security_protocol} {','.join(lst.mechanisms)}", flush=True
            )
        while not stop and broker.proc is not None and broker.proc.poll() is None:
            time.sleep(0.5)
    finally:
        broker.stop()
        args.info.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
