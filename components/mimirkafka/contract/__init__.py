"""The ingest-storage contract (plain Python, no Pulumi resources)."""

from mimirkafka.contract.model import *  # noqa: F403
