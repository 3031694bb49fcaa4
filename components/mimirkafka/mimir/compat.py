"""Which mimir-distributed chart versions, Mimir releases and Kafka brokers work together (plain Python).

Every row is a fact read upstream; the source is next to it. The checks return
:class:`~mimirkafka.contract.errors.Problem` lists (refusals and warnings); the Mimir plan raises them
before any resource exists.

Sources (grafana/mimir unless noted):

- Chart ``CHANGELOG.md`` @063371ec (chart main right after 6.0.6): ``## 6.0.6`` "Upgrade Mimir to
  3.0.4" (#14749); ``## 6.0.4`` Mimir 3.0.1 (#13702); ``## 6.0.1`` Mimir 3.0.0 (#13312); the unreleased
  section (released as 6.1.0) lists #14654 "Add ``ingester.zoneAwareReplication.autoIngestStorageClientRack``
  to pass ``-ingest-storage.kafka.client-rack``" and #14449 "Allow zone-aware replication for ingesters
  with 2 zones when ingest storage is enabled".
- ``templates/ingester/ingester-statefulset.yaml`` @063371ec: for every zone, when
  ``autoIngestStorageClientRack`` and ingest storage is not disabled in structuredConfig, the container gets
  ``-ingest-storage.kafka.client-rack={{ $zoneName }}``.
- Chart 6.0.5 refuses fewer than 3 zones ("When zone-awareness is enabled, you must have at least 3 zones
  defined", issue #14065, reported on chart 6.0.5).
- ``CHANGELOG.md`` ``## 3.1.0``: ``-ingest-storage.kafka.client-rack`` (#14434), SASL mechanisms
  (#14307 #14344 #14540 #14674), ``tls*`` flags (#14550): none exist in 3.0.x.
- Kafka 4.x is checked in the contract (``validation.rule_kafka_version``): issue #15319 and PR #15745
  (first in 3.1.2, caps the Kafka protocol at 3.9.0) show 3.1.0/3.1.1 failing with 4.2+ brokers.
- Releases: 3.1.2 (#15775 "[release-3.1] Prepare release 3.1.2"), 3.1.3 (#16082), 3.2.0 tracked by issue
  #16003 (closed), chart 6.2.0 merged back to main by #16436 (2026-08-20). The 3.2.0 ``config.go`` and the
  6.2 templates were not read, so they are listed but not the defaults.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mimirkafka.contract.errors import Problem
from mimirkafka.contract.mimir_settings import BY_YAML, NEWEST_RELEASE, V3_1
from mimirkafka.contract.model import MimirVersion

_CHART_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")


@dataclass(frozen=True, order=True)
class ChartVersion:
    major: int
    minor: int
    patch: int

    @classmethod
    def parse(cls, text: str) -> ChartVersion | None:
        m = _CHART_VERSION.match(text.strip()) if isinstance(text, str) else None
        return cls(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


@dataclass(frozen=True)
class ChartRelease:
    """One mimir-distributed release line and what it brings that matters to ingest storage."""

    version: ChartVersion
    #: The Mimir release the chart ships (its appVersion / default image tag); None = not read upstream.
    app_version: MimirVersion | None
    #: Injects ``-ingest-storage.kafka.client-rack=<zone>`` per ingester zone (autoIngestStorageClientRack).
    injects_client_rack: bool
    #: Fewest ingester zones the chart accepts with zone-aware replication and ingest storage.
    min_zone_aware_zones: int
    source: str


V6_0_1 = ChartVersion(6, 0, 1)
V6_1_0 = ChartVersion(6, 1, 0)
#: The chart this package deploys by default: the first line with 2-zone ingest storage and client-rack.
DEFAULT_CHART = V6_1_0
#: Newest Mimir release whose ingest-storage config this package was checked against (release-3.1 line).
DEFAULT_MIMIR = NEWEST_RELEASE

CHART_RELEASES: tuple[ChartRelease, ...] = (
    ChartRelease(ChartVersion(6, 0, 1), MimirVersion(3, 0, 0), False, 3, "chart CHANGELOG ## 6.0.1 (#13312)"),
    ChartRelease(ChartVersion(6, 0, 4), MimirVersion(3, 0, 1), False, 3, "chart CHANGELOG ## 6.0.4 (#13702)"),
    ChartRelease(ChartVersion(6, 0, 6), MimirVersion(3, 0, 4), False, 3, "chart CHANGELOG ## 6.0.6 (#14749)"),
    # UNVERIFIED row: 6.1.0's own Chart.yaml/CHANGELOG were not readable offline; it is taken as the first
    # release after the 6.0.6 notes that list #14449 and #14654 as unreleased (appVersion left unknown).
    ChartRelease(V6_1_0, None, True, 2, "chart CHANGELOG @063371ec unreleased: #14449, #14654"),
)

#: The release that knows -ingest-storage.kafka.client-rack (CHANGELOG ## 3.1.0, #14434).
CLIENT_RACK_SINCE: MimirVersion = BY_YAML[("ingest_storage", "kafka", "client_rack")].since or V3_1


def chart_release(version: ChartVersion) -> ChartRelease | None:
    """The newest listed release line at or below ``version`` (patch releases share the line's traits)."""
    known = [r for r in CHART_RELEASES if r.version <= version]
    return max(known, key=lambda r: r.version) if known else None


def check_chart_version(text: str) -> list[Problem]:
    v = ChartVersion.parse(text)
    if v is None:
        return [
            Problem(
                "settings.chart_version",
                text,
                "is not a mimir-distributed release number (weekly and rc builds are not checked)",
                f"set it like '{DEFAULT_CHART}'",
            )
        ]
    if v < V6_0_1:
        return [
            Problem(
                "settings.chart_version",
                text,
                "mimir-distributed before 6.0 deploys the classic architecture and has no kafka.enabled "
                "switch (chart CHANGELOG ## 6.0.0, #12459)",
                f"set chart_version to '{DEFAULT_CHART}'",
            )
        ]
    return []


def check_chart_and_mimir(
    chart_text: str,
    mimir: MimirVersion,
    zones: int,
    client_rack_injected: bool,
) -> list[Problem]:
    """Refusals for a chart/Mimir/layout combination that would not start or not render."""
    found = check_chart_version(chart_text)
    chart = ChartVersion.parse(chart_text)
    if found or chart is None:
        return found
    release = chart_release(chart)
    assert release is not None  # check_chart_version refused anything below the first listed line
    if zones == 2 and release.min_zone_aware_zones > 2:
        found.append(
            Problem(
                "ingesters.zones",
                zones,
                f"mimir-distributed {chart} refuses zone-aware replication with fewer than 3 zones "
                "(2 zones with ingest storage arrived in 6.1.0, grafana/mimir#14449; issue #14065)",
                f"set settings.chart_version to '{DEFAULT_CHART}' or later, or use 1 or 3 zones",
            )
        )
    if client_rack_injected and release.injects_client_rack and mimir < CLIENT_RACK_SINCE:
        found.append(
            Problem(
                "mimir_version",
                str(mimir),
                f"mimir-distributed {chart} passes -ingest-storage.kafka.client-rack to every ingester zone "
                f"(autoIngestStorageClientRack, #14654), a flag Mimir {mimir} does not know: the ingesters "
                "would exit at startup (client-rack arrived in 3.1.0, #14434)",
                f"set mimir_version to '{DEFAULT_MIMIR}', or set settings.client_rack=ClientRack.off(), "
                "or pin settings.chart_version to '6.0.6'",
            )
        )
    return found
