"""An optional picture of a plan (the ``plot`` extra, matplotlib): produce and consume throughput and
storage per broker as the series grow, with the limits that bind drawn as lines. Never imported by the
planner itself."""

from __future__ import annotations

import dataclasses

from mimirkafka.capacity.plan import MB, CapacityPlan, check


def _series_points(active: int) -> list[int]:
    return [max(1, int(active * f / 10)) for f in range(1, 31)]  # 0.1x .. 3x today's series


def draw(p: CapacityPlan, path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    w, c = p.workload, p.cluster
    xs = _series_points(w.active_series)
    # Hold the same cluster to each workload size: where a line crosses its limit, that limit binds.
    plans = [check(dataclasses.replace(w, active_series=x), c) for x in xs]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 7), sharex=True)
    millions = [x / 1e6 for x in xs]
    top.plot(millions, [q.figures["produce_mbps"].value for q in plans], label="produce (MB/s)")
    top.plot(millions, [q.figures["consume_mbps"].value for q in plans], label="consume (MB/s)")
    lines = [con for con in p.constraints if con.unit in ("MBps", "MiB/s") and not con.planned]
    for i, con in enumerate(lines):
        factor = 1.0 if con.unit == "MBps" else 1024 * 1024 / MB
        scale, scope = 1, ""
        if ("per kafka." in con.name or "per express." in con.name) and c.brokers:
            scale, scope = c.brokers, f" x {c.brokers} brokers"
        elif "per partition" in con.name:
            scale, scope = c.ingesters_per_zone, f" x {c.ingesters_per_zone} partitions in use"
        limit = con.limit * factor * scale
        top.axhline(
            limit,
            color=f"C{i + 2}",
            linestyle="--",
            linewidth=1,
            label=f"{con.name}{scope} ({con.kind.value})",
        )
    top.axvline(w.active_series / 1e6, color="grey", linewidth=0.8)
    top.set_ylabel("MB/s (cluster)")
    top.legend(fontsize=7, loc="upper left")
    brokers = f"{c.brokers} x {c.instance_type or 'brokers'}, " if c.brokers else ""
    top.set_title(f"{c.kafka}: {brokers}{c.partitions} partitions, {c.ingesters_per_zone} ingesters per zone")
    storage = [q.figures["storage_total_gib"].value / (c.brokers or 1) for q in plans]
    bottom.plot(millions, storage, label="data per broker (GiB)" if c.brokers else "data (GiB)")
    if c.volume_gib is not None:
        bottom.axhline(c.volume_gib, linestyle="--", linewidth=1, label="volume per broker")
        bottom.axhline(c.volume_gib / 2, linestyle=":", linewidth=1, label="50 % disk utilisation")
    bottom.axvline(w.active_series / 1e6, color="grey", linewidth=0.8, label="today")
    bottom.set_xlabel("active series (millions)")
    bottom.set_ylabel("GiB")
    bottom.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
