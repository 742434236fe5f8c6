"""``/readyz`` and ``/healthz`` when the database goes away under a running API: a PostgreSQL database
of this test's own, dropped while the API is up (the connections are ended by the server)."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import urlparse

import psycopg
import pytest
from fastapi.testclient import TestClient
from psycopg import sql

from creditbox.api.app import create_app
from creditbox.bootstrap import bootstrap
from creditbox.settings import Settings


@pytest.mark.postgres
def test_a_missing_database_is_not_ready_with_a_problem_document(postgres_url: str, tmp_path: Path) -> None:
    parts = urlparse(postgres_url)
    name = f"{parts.path.lstrip('/')}_readyz"
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    container = bootstrap(
        Settings(database_url=parts._replace(path=f"/{name}").geturl(), channel_dir=str(tmp_path / "canali"))
    )
    try:
        with TestClient(create_app(container, close_container=False)) as client:
            ready = client.get("/readyz")
            assert ready.status_code == 200, ready.text

            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))

            started = time.monotonic()
            gone = client.get("/readyz")
            assert gone.status_code == 503
            assert time.monotonic() - started < 20  # each check waited for at most 3 s
            assert gone.headers["content-type"] == "application/problem+json"
            problem = gone.json()
            assert problem["type"] == "urn:creditbox:problem:not-ready" and problem["status"] == 503
            assert problem["detail"].startswith("database: ")  # not reachable, or no answer in time
            checks = {c["name"]: c for c in problem["checks"]}
            assert not checks["database"]["ok"]
            assert not checks["migrations"]["ok"] and not checks["projections"]["ok"]
            assert checks["broker"]["ok"]  # memory://: still there
    finally:
        try:
            container.close()
        finally:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
