"""Fixtures of the integration tests (the shared ones are in tests/conftest.py)."""

from __future__ import annotations

import pytest

from tests.integration.command_line import use_database


@pytest.fixture
def cli_db(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The command line on this test's database, with company ACQ registered."""
    return use_database(database_url, monkeypatch, company="ACQ", name="Acque Spa")
