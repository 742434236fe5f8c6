"""Shared fixtures. Integration tests run against real services and *fail* when one is missing.

Backends: every test that takes ``database_url`` runs twice, on SQLite (a file in tmp) and on
PostgreSQL (``CREDITBOX_TEST_POSTGRES_URL``, default ``postgresql://postgres@127.0.0.1:5432/creditbox_test``;
the database is created if missing and emptied before each test).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

import psycopg
import pytest
from psycopg import sql

from creditbox.bootstrap import Container, bootstrap
from creditbox.clock import FixedClock
from creditbox.settings import Settings

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/creditbox_test"
BACKENDS = ["sqlite", "postgres"]


def postgres_test_url() -> str:
    return os.environ.get("CREDITBOX_TEST_POSTGRES_URL", DEFAULT_PG)


def _admin_url(url: str) -> str:
    parts = urlparse(url)
    return parts._replace(path="/postgres").geturl()


def _ensure_database(url: str) -> None:
    name = urlparse(url).path.lstrip("/")
    with psycopg.connect(_admin_url(url), autocommit=True, connect_timeout=5) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def reset_postgres(url: str) -> None:
    """Drop every table of the public schema: each test starts from an empty database."""
    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")


@pytest.fixture(scope="session")
def postgres_url() -> str:
    url = postgres_test_url()
    try:
        _ensure_database(url)
    except psycopg.OperationalError as error:
        pytest.fail(f"PostgreSQL is required for the integration tests and is not reachable at {url}: {error}")
    return url


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'creditbox.sqlite3'}"
    url: str = request.getfixturevalue("postgres_url")
    reset_postgres(url)
    return url


# The business date of the tests; a module importing generated sample data (issued up to
# ``SampleSpec.end``, 31/10/2026) runs after the extract with ``pytestmark = pytest.mark.today(...)``:
# payments dated after today (plus the tolerance) are refused.
DEFAULT_TODAY = date(2026, 3, 2)
AFTER_THE_SAMPLE_DATA = date(2026, 11, 2)


@pytest.fixture
def clock(request: pytest.FixtureRequest) -> FixedClock:
    marker = request.node.get_closest_marker("today")
    return FixedClock(marker.args[0] if marker is not None else DEFAULT_TODAY)


@pytest.fixture
def container(database_url: str, clock: FixedClock) -> Iterator[Container]:
    with bootstrap(Settings(database_url=database_url), clock=clock) as c:
        yield c
