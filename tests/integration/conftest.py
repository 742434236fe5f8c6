"""Fixtures of the integration tests (the shared ones are in tests/conftest.py)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.brokers import stop
from tests.integration.command_line import use_database


@pytest.fixture
def cli_db(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """The command line on this test's database, with company ACQ registered; the messages it sends
    (the scheduler, ``outbox send``) go to a folder of the test's own, unless the test chose one."""
    if "CREDITBOX_CHANNEL_DIR" not in os.environ:
        monkeypatch.setenv("CREDITBOX_CHANNEL_DIR", str(tmp_path / "canali"))
    return use_database(database_url, monkeypatch, company="ACQ", name="Acque Spa")


@pytest.fixture
def stop_workers() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Worker processes a test started (append them): stopped after the test, whatever happened."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        stop(process)
