from pathlib import Path

import pytest

TEST_LICENSED_TABLES = Path(__file__).parent / "licensed"


@pytest.fixture
def licensed_weights(monkeypatch):
    """The made-up weight table the tests use in place of a site's licensed one."""
    monkeypatch.setenv("MARAC_LICENSED_TABLES", str(TEST_LICENSED_TABLES))
