"""mimirkafka: Kafka for Grafana Mimir ingest storage, provisioned and configured from one contract.

Import submodules directly; nothing here does work at import time:

- ``mimirkafka.contract``: the typed ingest-storage contract, validation and renderings (plain Python).
- ``mimirkafka.kafka``: Pulumi components for the Kafka side (MSK, Strimzi, KRaft StatefulSet, existing).
- ``mimirkafka.mimir``: Pulumi components for the Mimir side (Helm chart, secrets, IAM).
- ``mimirkafka.doctor``: preflight checks of a live Kafka against a Mimir config.
"""
