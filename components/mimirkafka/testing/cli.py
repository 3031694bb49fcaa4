"""``mimirkafka ephemeral reap``: destroy expired ephemeral stacks and sweep their Kafka leftovers.

Dry run unless ``--yes``. The state backend and the secrets passphrase come from the environment, as
for ``pulumi`` itself (``PULUMI_BACKEND_URL``, ``PULUMI_CONFIG_PASSPHRASE[_FILE]``); the Kafka admin
password from ``MIMIRKAFKA_KAFKA_PASSWORD`` (never a command-line argument: it would show in ``ps``).
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import timedelta
from typing import Any

from mimirkafka.testing.expiry import DurationError, parse_duration
from mimirkafka.testing.names import DEFAULT_PREFIX

HELP = "ephemeral test stacks: reap what cancelled CI jobs left behind"
PASSWORD_ENV = "MIMIRKAFKA_KAFKA_PASSWORD"
EPILOG = f"""\
examples:
  mimirkafka ephemeral reap --older-than 6h                 # dry run: list what is due
  mimirkafka ephemeral reap --older-than 6h --yes           # destroy it
  mimirkafka ephemeral reap --ci-job github:$GITHUB_RUN_ID-$GITHUB_RUN_ATTEMPT --yes   # a job's cleanup step
  {PASSWORD_ENV}=... mimirkafka ephemeral reap --yes \\
      --kafka-bootstrap kafka:9093 --kafka-security-protocol SASL_SSL --kafka-sasl-mechanism SCRAM-SHA-512 \\
      --kafka-username admin --kafka-ca-file ca.pem           # also sweep topics/users/ACLs/groups

exit codes: 0 done (or nothing to do), 1 something could not be removed, 3 usage error.
"""


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("ephemeral", help=HELP, description=HELP)
    sub = p.add_subparsers(dest="ephemeral_command", required=True, metavar="ACTION")
    r = sub.add_parser(
        "reap",
        help="destroy expired ephemeral stacks and their Kafka leftovers (dry run unless --yes)",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    r.add_argument("--older-than", metavar="AGE", help="also reap stacks created longer ago (6h, 90m, 1d)")
    r.add_argument(
        "--stack", action="append", default=[], metavar="NAME", help="reap this stack (repeatable)"
    )
    r.add_argument("--ci-job", metavar="SYSTEM:ID", help="reap the stacks of this CI job (its cleanup step)")
    r.add_argument("--prefix", default=DEFAULT_PREFIX, help=f"ephemeral name prefix ({DEFAULT_PREFIX})")
    r.add_argument("--yes", action="store_true", help="do it (default: dry run)")
    r.add_argument("--backend-url", metavar="URL", help="state backend (default $PULUMI_BACKEND_URL)")
    k = r.add_argument_group("Kafka sweep (optional; an admin connection)")
    k.add_argument("--kafka-bootstrap", metavar="HOST:PORT[,...]")
    k.add_argument(
        "--kafka-security-protocol",
        default="PLAINTEXT",
        choices=["PLAINTEXT", "SASL_PLAINTEXT", "SSL", "SASL_SSL"],
    )
    k.add_argument("--kafka-sasl-mechanism", choices=["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"])
    k.add_argument("--kafka-username", metavar="NAME")
    k.add_argument("--kafka-ca-file", metavar="PEM")
    r.set_defaults(run=run)


def admin_config(args: argparse.Namespace, env: dict[str, str]) -> dict[str, Any]:
    """kafka-python ``KafkaAdminClient`` keyword arguments from the flags (pure)."""
    cfg: dict[str, Any] = {
        "bootstrap_servers": [a.strip() for a in args.kafka_bootstrap.split(",") if a.strip()],
        "security_protocol": args.kafka_security_protocol,
        "request_timeout_ms": 30000,
    }
    if args.kafka_security_protocol.startswith("SASL_"):
        if not args.kafka_sasl_mechanism or not args.kafka_username:
            raise ValueError(
                f"--kafka-security-protocol {args.kafka_security_protocol} needs --kafka-sasl-mechanism and "
                f"--kafka-username (and the password in ${PASSWORD_ENV})"
            )
        if PASSWORD_ENV not in env:
            raise ValueError(f"set ${PASSWORD_ENV} to the Kafka admin password")
        cfg.update(
            sasl_mechanism=args.kafka_sasl_mechanism,
            sasl_plain_username=args.kafka_username,
            sasl_plain_password=env[PASSWORD_ENV],
        )
    if args.kafka_ca_file:
        cfg["ssl_cafile"] = args.kafka_ca_file
    return cfg


def run(args: argparse.Namespace) -> int:
    from mimirkafka.testing.reaper import reap

    env = dict(os.environ)
    if args.backend_url:
        env["PULUMI_BACKEND_URL"] = args.backend_url
    older: timedelta | None = None
    try:
        if args.older_than:
            older = parse_duration(args.older_than)
        admin_kw = admin_config(args, env) if args.kafka_bootstrap else None
    except (DurationError, ValueError) as exc:
        print(f"mimirkafka ephemeral reap: {exc}", file=sys.stderr)
        return 3
    admin = None
    if admin_kw is not None:
        from kafka import KafkaAdminClient

        admin = KafkaAdminClient(**admin_kw)
    try:
        summary = reap(
            env,
            dry_run=not args.yes,
            older_than=older,
            stacks=args.stack,
            ci_job=args.ci_job,
            prefix=args.prefix,
            admin=admin,
            out=lambda line: print(line, file=sys.stderr, flush=True),
        )
    except ValueError as exc:
        print(f"mimirkafka ephemeral reap: {exc}", file=sys.stderr)
        return 3
    finally:
        if admin is not None:
            admin.close()
    print(summary.render())
    return 0 if summary.ok else 1
