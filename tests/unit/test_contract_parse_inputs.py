"""``contract_from_mimir_config`` on malformed input: a ContractError naming the input, never raw."""

from __future__ import annotations

import pytest
from mimirkafka.contract.errors import ContractError
from mimirkafka.contract.parse import contract_from_mimir_config


@pytest.mark.parametrize(
    ("config", "setting", "fragment"),
    [
        ("ingest_storage: {kafka: [unclosed", "config", "not valid YAML at line 1"),
        ("- just\n- a list\n", "config", "must be a YAML mapping"),
        ("ingest_storage: 5\n", "ingest_storage", "must be a YAML mapping"),
        ("ingest_storage:\n  kafka: [a, b]\n", "ingest_storage.kafka", "must be a YAML mapping"),
        (
            "ingest_storage:\n  kafka:\n    address: k:9092\n    topic: t\n"
            "    auto_create_topic_default_partitions: many\n",
            "ingest_storage.kafka",
            "wrong type",
        ),
        (
            {"ingest_storage": {"kafka": {"producer_max_record_size_bytes": [1]}}},
            "ingest_storage.kafka",
            "wrong type",
        ),
    ],
)
def test_malformed_config_is_a_problem(config: object, setting: str, fragment: str) -> None:
    with pytest.raises(ContractError) as err:
        contract_from_mimir_config(config)  # type: ignore[arg-type]
    assert err.value.settings() == [setting]
    assert fragment in str(err.value) and "Fix:" in str(err.value)
