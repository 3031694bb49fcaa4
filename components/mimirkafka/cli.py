"""The ``mimirkafka`` command. Each subcommand lives in its own module that provides
``register(subparsers)`` (adding a parser with ``set_defaults(run=...)``) and ``run(args) -> int``;
add one by naming its module in :data:`SUBCOMMANDS`."""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import NoReturn

#: subcommand -> module with ``register``; imported only when the command line is parsed.
SUBCOMMANDS: dict[str, str] = {
    "doctor": "mimirkafka.doctor.cli",
    "plan": "mimirkafka.stack.report",
    "capacity": "mimirkafka.capacity.cli",
    "ephemeral": "mimirkafka.testing.cli",
    "deployer-policy": "mimirkafka.kafka.deployer_policy_cli",
}

#: argparse's own usage-error exit code (2) would collide with "checks failed"; see docs/doctor.md.
USAGE_ERROR = 3


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(USAGE_ERROR, f"{self.prog}: error: {message}\n")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # Everything after `--` is handed to the subcommand untouched (e.g. Mimir's own -flags).
    rest: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, rest = argv[:cut], argv[cut + 1 :]
    parser = _Parser(prog="mimirkafka", description="Kafka for Grafana Mimir ingest storage.")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in SUBCOMMANDS.values():
        importlib.import_module(module).register(subparsers)
    args = parser.parse_args(argv)
    args.rest = rest
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
