"""Fixtures of the fault tests: a private PostgreSQL cluster and a private Redis for the whole session
(restarted by the tests that need it; each test has a database of its own), a ``Site`` per test, and
the figures each test reports (rows, payments, actions, faults injected, lost, duplicated).

The figures are printed at the end of the session and, when ``CREDITBOX_FAULT_FIGURES`` names a file,
appended to it as JSON lines (``python -m tests.faults.repeat`` reads them).
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import pytest

from tests.faults.invariants import Found
from tests.faults.services import PrivatePostgres, PrivateRedis, answers
from tests.faults.site import Site

FIGURES_FILE = "CREDITBOX_FAULT_FIGURES"
_numbers = itertools.count(1)
_collected: list[Figures] = []


@dataclass
class Figures:
    """What one fault test did and found."""

    test: str
    rows: int = 0  # rows accepted (customers, supplies, bills, payments)
    payments: int = 0
    actions: int = 0  # actions executed (outbox entries)
    faults: int = 0  # service restarts and processes killed
    lost: int = 0
    duplicated: int = 0
    retried: int = 0  # requests sent again (a 503 after the API's own retries of a version conflict)

    def found(self, found: Found) -> None:
        """Record what the checks found, then assert nothing was lost or duplicated."""
        self.lost, self.duplicated = len(found.lost), len(found.duplicated)
        found.assert_none()


@pytest.fixture(scope="session")
def private_postgres() -> Iterator[PrivatePostgres]:
    cluster = PrivatePostgres.create()
    yield cluster
    cluster.close()


@pytest.fixture(scope="session")
def private_redis() -> Iterator[PrivateRedis]:
    server = PrivateRedis.create()
    yield server
    server.close()


@pytest.fixture
def site(private_postgres: PrivatePostgres, private_redis: PrivateRedis, tmp_path: Path) -> Iterator[Site]:
    """A fresh database on the private cluster, the private Redis emptied, a folder of the test's own."""
    if not answers(private_postgres.port):  # a test that failed while it was down
        private_postgres.start()
    if not answers(private_redis.port):
        private_redis.start()
    private_redis.flush()
    url = private_postgres.create_database(f"faults_{next(_numbers)}")
    here = Site(url, private_redis.url(0), tmp_path)
    yield here
    here.stop_all()


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> Iterator[Figures]:
    recorded = Figures(request.node.name)
    yield recorded
    _collected.append(recorded)
    target = os.environ.get(FIGURES_FILE)
    if target:
        with Path(target).open("a", encoding="utf-8") as out:
            out.write(json.dumps(asdict(recorded)) + "\n")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _collected:
        return
    terminalreporter.section("fault tests: figures")
    header = f"{'test':<72} {'rows':>6} {'paym.':>6} {'actions':>7} {'faults':>6} {'lost':>5} {'dup.':>5}"
    header += f" {'retried':>7}"
    terminalreporter.write_line(header)
    for f in _collected:
        terminalreporter.write_line(
            f"{f.test[:72]:<72} {f.rows:>6} {f.payments:>6} {f.actions:>7} {f.faults:>6} {f.lost:>5} {f.duplicated:>5}"
            f" {f.retried:>7}"
        )
