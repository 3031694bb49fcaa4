"""A CI job in miniature for tests/e2e/test_ephemeral_*.py: one ephemeral stack of the given project.

Writes ``--report`` (JSON: names, doctor status, outputs it needs) once the stack is up, then holds
until ``--hold-until`` exists (so a test can run two at once, or signal it mid-way), then leaves the
block; ``--report``.done gets the timings and whether the stack was removed.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import timedelta
from pathlib import Path

from mimirkafka.testing import EphemeralNames, ephemeral_stack


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--project", required=True)
    p.add_argument("--tls-dir")
    p.add_argument("--report")
    p.add_argument("--hold-until")
    p.add_argument("--id", help="fixed ephemeral id (default: from the CI environment or random)")
    p.add_argument("--ttl-seconds", type=int, default=3 * 3600)
    p.add_argument("--no-doctor", action="store_true")
    args = p.parse_args()
    names = EphemeralNames(args.id) if args.id else None
    t0 = time.monotonic()
    with ephemeral_stack(
        args.project,
        "local",
        names=names,
        tls_dir=args.tls_dir,
        ttl=timedelta(seconds=args.ttl_seconds),
        doctor=not args.no_doctor,
    ) as es:
        info = {
            "stack": es.name,
            "topic": es.names.topic,
            "user": es.names.username,
            "prefix": es.names.kafka_prefix,
            "output_topic": es.output("kafkaTopic"),
            "doctor": es.report.status.value if es.report else None,
            "doctor_failures": [r.title for r in es.report.failures()] if es.report else [],
            "tags": es.tags,
        }
        if args.report:
            Path(args.report).write_text(json.dumps(info))
        while args.hold_until and not Path(args.hold_until).exists():
            time.sleep(0.2)
    if args.report:
        done = {"timings": es.timings, "removed": es.removed, "total": time.monotonic() - t0}
        Path(args.report + ".done").write_text(json.dumps(done))


if __name__ == "__main__":
    main()
