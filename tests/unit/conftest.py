"""Fixtures shared by the unit tests of the renderers and exports."""

import pytest

from tests.helpers import EXAMPLE, HOSTILE, snapshot_of


@pytest.fixture(scope="session")
def example():
    """examples/campaign.yaml as of 2024-04-15 (snapshots are frozen: safe to share)."""
    return snapshot_of(EXAMPLE)


@pytest.fixture(scope="session")
def hostile():
    """tests/golden/inputs/hostile.yaml: hostile strings in every field, as of 2024-04-15."""
    return snapshot_of(HOSTILE)
