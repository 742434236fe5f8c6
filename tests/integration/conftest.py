"""Fixtures of the integration tests (the shared ones are in tests/conftest.py)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest

from tests.integration.brokers import stop
from tests.integration.command_line import use_database


@pytest.fixture
def cli_db(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The command line on this test's database, with company ACQ registered."""
    return use_database(database_url, monkeypatch, company="ACQ", name="Acque Spa")


@pytest.fixture
def stop_workers() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Worker processes a test started (append them): stopped after the test, whatever happened."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        stop(process)
