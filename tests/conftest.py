"""Suite-wide pytest setup: everything under tests/e2e/ carries the ``e2e`` marker.

So ``pytest -m "not e2e"`` runs the fast unit suite and ``pytest -m e2e`` the real test bed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

_E2E_DIR = Path(__file__).parent / "e2e"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if _E2E_DIR in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)
