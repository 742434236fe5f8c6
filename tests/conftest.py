"""Shared fixtures. Integration tests run against real services and *fail* when one is missing.

Backends: a test that takes ``database_url`` or ``container`` runs once per backend of its kind, chosen
by its markers (``backends_of``):

- by default (infrastructure, projections, queries, migrations): on SQLite (a file in tmp) **and** on
  PostgreSQL (``CREDITBOX_TEST_POSTGRES_URL``, default ``postgresql://postgres@127.0.0.1:5432/creditbox_test``;
  the database is created if missing and emptied before each test);
- ``cli_or_api`` (the command line and the HTTP API, which add no storage of their own): on SQLite only;
  those also marked ``postgres_smoke``, a chosen few per command group and route family, on PostgreSQL too;
- ``app_role``: also on PostgreSQL with the application connected as its own role, no owner of anything
  and held to the row-level security (``[postgres_app_role]``: the schema made by the owner, the role
  created and granted by ``grant_app_role``, ``migration_database_url`` the owner's); ``app_role(only=True)``:
  on that backend only (what only the row-level security holds, a query that lost its company filter);
- ``use_case`` (the application services alone, no read model, no second process): on eventsourcing's
  in-memory event store (``bootstrap(..., events_in_memory=True)``); ``container`` is the only backend
  fixture such a test may take (it has no ``database_url``).

PostgreSQL missing is a failure, not a skip. The backend shows in the test id (``[sqlite]``,
``[postgres]``, ``[memory]``): ``pytest -k postgres`` runs the PostgreSQL cases.
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
from creditbox.infrastructure.app_role import grant_app_role
from creditbox.infrastructure.database_url import DatabaseUrl
from creditbox.settings import Settings

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/creditbox_test"
SQLITE, POSTGRES, MEMORY = "sqlite", "postgres", "memory"
APP_ROLE = "postgres_app_role"
BACKENDS = [SQLITE, POSTGRES]


def backends_of(test: pytest.Item) -> list[str]:
    """The backends a test runs on, from its markers (the module docstring says why)."""
    if test.get_closest_marker("use_case") is not None:
        return [MEMORY]
    app_role = test.get_closest_marker("app_role")
    if app_role is not None and app_role.kwargs.get("only"):
        return [APP_ROLE]  # what only the row-level security holds (a query that lost its company filter)
    extra = [APP_ROLE] if app_role is not None else []
    if test.get_closest_marker("cli_or_api") is not None:
        return (BACKENDS if test.get_closest_marker("postgres_smoke") is not None else [SQLITE]) + extra
    return BACKENDS + extra


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", backends_of(metafunc.definition))


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


@pytest.fixture(autouse=True)
def channel_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test's file channel writes into its own folder (also the commands run by a test, which
    read ``CREDITBOX_CHANNEL_DIR``), never into the working directory."""
    folder = tmp_path / "channels"
    monkeypatch.setenv("CREDITBOX_CHANNEL_DIR", str(folder))
    return folder


@pytest.fixture(scope="session")
def postgres_url() -> str:
    url = postgres_test_url()
    try:
        _ensure_database(url)
    except psycopg.OperationalError as error:
        pytest.fail(f"PostgreSQL is required for the integration tests and is not reachable at {url}: {error}")
    return url


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if backend == SQLITE:
        return f"sqlite:///{tmp_path / 'creditbox.sqlite3'}"
    if backend in (POSTGRES, APP_ROLE):
        url: str = request.getfixturevalue("postgres_url")
        reset_postgres(url)
        return url
    pytest.fail(f"{request.node.nodeid} runs on the in-memory event store (use_case): it has no database URL")


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
def container(backend: str, request: pytest.FixtureRequest, tmp_path: Path, clock: FixedClock) -> Iterator[Container]:
    channels = str(tmp_path / "canali")  # the file channel writes under tmp, never in the working folder
    if backend == MEMORY:
        # The events in memory; the read models (the due index, the outbox) go to a file in tmp.
        read_models = Settings(database_url=f"sqlite:///{tmp_path / 'read-models.sqlite3'}", channel_dir=channels)
        with bootstrap(read_models, clock=clock, events_in_memory=True) as c:
            yield c
        return
    database_url: str = request.getfixturevalue("database_url")
    settings = Settings(database_url=database_url, channel_dir=channels)
    if backend == APP_ROLE:
        settings = Settings(
            database_url=app_role_url(database_url), migration_database_url=database_url, channel_dir=channels
        )
    with bootstrap(settings, clock=clock) as c:
        yield c


def app_role_name(owner_url: str) -> str:
    """The application's role of the tests: one per test database (roles are shared by the cluster)."""
    database = urlparse(owner_url).path.lstrip("/") or "postgres"
    return "creditbox_app_" + "".join(ch if ch.isalnum() else "_" for ch in database.lower())[:40]


def app_role_url(owner_url: str) -> str:
    """``owner_url`` connected as the application's role (created and granted as the owner: idempotent,
    and again after each reset of the schema, which drops the grants). The server trusts local roles."""
    role = app_role_name(owner_url)
    grant_app_role(DatabaseUrl(owner_url), role)
    parts = urlparse(owner_url)
    host = parts.hostname or "127.0.0.1"
    return parts._replace(netloc=f"{role}@{host}:{parts.port or 5432}").geturl()
