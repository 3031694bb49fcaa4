"""``mimirkafka capacity``: size Kafka, partitions and ingesters for a workload, or check a stack."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

from mimirkafka.capacity.measure import SeriesShape
from mimirkafka.capacity.plan import CapacityPlan, plan
from mimirkafka.capacity.render import to_json, to_table, to_yaml
from mimirkafka.capacity.stackfile import check_stack, resolve
from mimirkafka.capacity.workload import KAFKA_KINDS, Workload
from mimirkafka.contract.errors import ContractError

HELP = "size partitions, ingesters, brokers and storage for a workload (or --check a stack against it)"
EPILOG = """\
examples:
  mimirkafka capacity --series 10M                         # MSK Standard, 15 s scrape, 3 zones, 24 h
  mimirkafka capacity --series 2M --kafka msk-serverless --peak-factor 1.5
  mimirkafka capacity --series 10M --output yaml > plan.yaml   # stack config keys
  mimirkafka capacity --series 10M --check prod            # does stacks/Pulumi.prod.yaml fit?

exit codes: 0 fits, 1 only rules of thumb exceeded, 2 a hard limit exceeded, 3 usage or input error.
Every figure names its rule and source; docs/capacity.md explains them.
"""

_SUFFIX = {"": 1, "k": 1_000, "m": 1_000_000, "g": 1_000_000_000, "b": 1_000_000_000}
_DURATION = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}


def count(text: str) -> int:
    m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([kKmMgGbB]?)\s*", text.replace("_", "").replace(",", ""))
    if not m:
        raise argparse.ArgumentTypeError(f"{text!r}: a count like 2500000, 2.5M or 800k")
    return round(float(m.group(1)) * _SUFFIX[m.group(2).lower()])


def seconds(text: str) -> float:
    m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*(ms|s|m|h|d)?\s*", text)
    if not m:
        raise argparse.ArgumentTypeError(f"{text!r}: a duration like 15s, 1m, 24h or 7d")
    return float(m.group(1)) * _DURATION[m.group(2) or "s"]


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "capacity",
        help=HELP,
        description=HELP,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--series", type=count, required=True, metavar="N", help="active series (e.g. 10M)")
    rate = p.add_mutually_exclusive_group()
    rate.add_argument(
        "--scrape-interval", type=seconds, default=15.0, metavar="DUR", help="scrape interval (15s)"
    )
    rate.add_argument("--samples-per-second", type=count, metavar="N", help="measured samples/s instead")
    p.add_argument("--peak-factor", type=float, default=1.0, metavar="X", help="peak / average traffic (1.0)")
    p.add_argument("--zones", type=int, default=3, help="ingester zones, 2 or 3 (3)")
    p.add_argument(
        "--retention", type=seconds, default=24 * 3600.0, metavar="DUR", help="topic retention (24h)"
    )
    p.add_argument(
        "--growth", type=float, default=1.0, metavar="F", help="room for more series, 1.0 = double (1.0)"
    )
    p.add_argument("--kafka", choices=KAFKA_KINDS, default="msk-standard", help="target Kafka (msk-standard)")
    p.add_argument("--instance-type", metavar="TYPE", help="MSK broker size (default: cheapest that fits)")
    p.add_argument(
        "--provisioned-throughput", action="store_true", help="MSK Standard provisioned storage throughput"
    )
    p.add_argument(
        "--broker-vcpus", type=int, default=4, metavar="N", help="strimzi/existing: vCPUs per broker (4)"
    )
    p.add_argument(
        "--series-per-ingester",
        type=count,
        default=1_500_000,
        metavar="N",
        help="owned series per ingester (1.5M)",
    )
    p.add_argument(
        "--labels", type=int, default=12, metavar="N", help="labels per series incl. __name__ (12)"
    )
    p.add_argument(
        "--label-value-length", type=int, default=24, metavar="N", help="mean label value length (24)"
    )
    p.add_argument(
        "--series-per-record", type=int, default=100, metavar="N", help="series per Kafka record (100)"
    )
    p.add_argument(
        "--record-version", type=int, default=2, choices=(0, 1, 2), help="Mimir record version (2)"
    )
    p.add_argument(
        "--bytes-per-sample", type=float, metavar="B", help="on-Kafka bytes/sample instead of the measurement"
    )
    p.add_argument(
        "--max-message-bytes",
        type=count,
        metavar="B",
        help="the topic's max.message.bytes cap, if below 16 MB",
    )
    p.add_argument(
        "--output", choices=("table", "yaml", "json"), default="table", help="output format (table)"
    )
    p.add_argument(
        "--check", "-s", metavar="STACK", help="a stack name or stack file to check against the workload"
    )
    p.add_argument("--chart", metavar="FILE.svg|png", help="also draw the plan (needs the `plot` extra)")
    p.set_defaults(run=run)


def workload_from(args: argparse.Namespace) -> Workload:
    return Workload(
        active_series=args.series,
        scrape_interval_s=args.scrape_interval,
        samples_per_second=args.samples_per_second,
        peak_factor=args.peak_factor,
        zones=args.zones,
        retention_hours=args.retention / 3600,
        growth=args.growth,
        kafka=args.kafka,
        instance_type=args.instance_type,
        provisioned_storage_throughput=args.provisioned_throughput,
        broker_vcpus=args.broker_vcpus,
        series_per_ingester=args.series_per_ingester,
        shape=SeriesShape(args.labels, args.label_value_length, args.series_per_record),
        record_version=args.record_version,
        bytes_per_sample=args.bytes_per_sample,
        max_message_bytes=args.max_message_bytes,
    )


def exit_code(p: CapacityPlan) -> int:
    if not p.feasible:
        return 2
    return 0 if all(c.ok for c in p.constraints) else 1


def run(args: argparse.Namespace) -> int:
    try:
        w = workload_from(args)
        if args.check:
            path = resolve(args.check, Path.cwd())
            result, notes = check_stack(path, w)
            title = f"Check of {path} against the workload"
        else:
            result, notes = plan(w), []
            title = "Capacity plan"
    except ValueError as e:  # ContractError (workload), StackFileError, SeriesShape
        print(f"mimirkafka capacity: {e}", file=sys.stderr)
        return 3
    if args.output == "json":
        print(to_json(result))
    elif args.output == "yaml":
        if args.check:
            print(
                "mimirkafka capacity: --output yaml writes a plan, not a check; drop --check", file=sys.stderr
            )
            return 3
        print(to_yaml(result), end="")
    else:
        print(to_table(result, title))
        for n in notes:
            print(f"Note: {n}")
    if args.chart:
        try:
            from mimirkafka.capacity.chart import draw
        except ImportError:
            print(
                "mimirkafka capacity: --chart needs the plot extra: pip install 'mimirkafka[plot]'",
                file=sys.stderr,
            )
            return 3
        draw(result, args.chart)
    return exit_code(result)


__all__ = ["ContractError", "register", "run"]
