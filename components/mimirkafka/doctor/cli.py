"""``mimirkafka doctor``: argument parsing and output; the checks live in :mod:`checks`."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from typing import Any

from mimirkafka.doctor.checks import DoctorOptions, run_checks
from mimirkafka.doctor.inputs import (
    InputError,
    LoadedInput,
    contract_kwargs,
    from_config_file,
    from_flags,
    from_stack_outputs,
    with_tls_dir,
)
from mimirkafka.doctor.report import ExitCode

HELP = "check a live Kafka against a Mimir config, connecting exactly as Mimir would"
EPILOG = """\
input (exactly one):
  --config-file mimir.yaml             Mimir's YAML config (${VAR} resolved from the environment)
  --flags "-ingest-storage.kafka.address=... ..."   or the flags after `--`
  --stack-outputs out.json             `pulumi stack output --json [--show-secrets]` (`-` = stdin)

exit codes: 0 all passed, 1 warnings only, 2 at least one failure, 3 usage or input error.
"""


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "doctor",
        help=HELP,
        description=HELP,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    src = p.add_mutually_exclusive_group()
    src.add_argument("--config-file", metavar="PATH", help="Mimir YAML config file")
    src.add_argument("--flags", metavar="FLAGS", help="-ingest-storage.* flags in one string")
    src.add_argument(
        "--stack-outputs", metavar="PATH", help="JSON of `pulumi stack output --json` (- = stdin)"
    )
    p.add_argument("--output", metavar="NAME", help="which stack output holds the Mimir settings")
    p.add_argument("--ingesters-per-zone", type=int, metavar="N", help="ingesters per zone (default 1)")
    p.add_argument("--mimir-version", metavar="X.Y.Z", help="the Mimir release you deploy (default 3.1.2)")
    p.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS", help="per network step (10)")
    p.add_argument(
        "--write-test",
        action="store_true",
        help="produce and read back one record of Mimir's maximum size (leaves that record)",
    )
    p.add_argument(
        "--no-size-probe",
        action="store_true",
        help="skip the ~16 MB oversized-batch probe (then the limit is read from configs only)",
    )
    p.add_argument(
        "--consumer-group-prefix",
        metavar="PREFIX",
        help="prefix of the ingesters' consumer groups, i.e. their pod names up to the zone "
        "(chart release 'mimir': mimir-ingester-; default from --stack-outputs, else ingester-)",
    )
    p.add_argument(
        "--tls-dir",
        metavar="DIR",
        help="read the tls_* files (same names) from DIR instead of the in-pod paths Mimir's config names",
    )
    p.add_argument("--json", action="store_true", help="print the report as JSON on stdout")
    p.set_defaults(run=run)


def _load(args: argparse.Namespace) -> LoadedInput:
    env = os.environ
    kw = contract_kwargs(
        args.mimir_version, args.ingesters_per_zone, consumer_group_prefix=args.consumer_group_prefix
    )
    rest = list(getattr(args, "rest", []) or [])
    given = [x for x in (args.config_file, args.flags, args.stack_outputs) if x] + ([rest] if rest else [])
    if len(given) != 1:
        raise InputError("give exactly one input: --config-file, --flags, --stack-outputs, or flags after --")
    if args.config_file:
        return from_config_file(args.config_file, env, **kw)
    if args.flags or rest:
        return from_flags(args.flags or rest, env, **kw)
    try:
        if args.stack_outputs == "-":
            text = sys.stdin.read()
        else:
            with open(args.stack_outputs, encoding="utf-8") as f:
                text = f.read()
    except OSError as exc:
        raise InputError(f"--stack-outputs {args.stack_outputs}: {exc.strerror}") from exc
    return from_stack_outputs(text, env, args.output, **kw)


def run(args: argparse.Namespace) -> int:
    if args.timeout <= 0:
        print("mimirkafka doctor: --timeout must be > 0", file=sys.stderr)
        return ExitCode.USAGE
    try:
        loaded = _load(args)
    except InputError as exc:
        print(f"mimirkafka doctor: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    if args.tls_dir:
        loaded = dataclasses.replace(loaded, contract=with_tls_dir(loaded.contract, args.tls_dir))
    for note in loaded.notes:
        print(f"[doctor] {note}", file=sys.stderr)
    options = DoctorOptions(
        timeout_s=args.timeout,
        ingesters_per_zone=args.ingesters_per_zone,
        write_test=args.write_test,
        size_probe=not args.no_size_probe,
        progress=lambda line: print(line, file=sys.stderr, flush=True),
    )
    print(
        f"[doctor] checking {loaded.source} against {', '.join(loaded.contract.addresses)}", file=sys.stderr
    )
    report = run_checks(loaded.contract, options)
    print(report.to_json() if args.json else report.render_table())
    return report.exit_code
