"""``creditbox db app-role NAME``: the application's own role, created once and granted the rows of
every table (docs/operations.md, "Database roles"); then the command line works connected as it."""

from __future__ import annotations

from urllib.parse import urlparse

import psycopg
import pytest

from tests.conftest import app_role_name
from tests.integration.command_line import run

pytestmark = [pytest.mark.cli_or_api, pytest.mark.postgres_smoke]


def test_the_app_role_is_created_once_granted_and_the_application_works_as_it(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CREDITBOX_DATABASE_URL", database_url)
    if database_url.startswith("sqlite"):
        code, out, err = run("db", "app-role", "creditbox_app")
        assert code == 2
        assert "solo su PostgreSQL" in out + err
        return
    role = app_role_name(database_url) + "_cli"
    assert run("db", "upgrade").code == 0

    first = run("db", "app-role", role)
    second = run("db", "app-role", role)
    refused = run("db", "app-role", "Creditbox-App")

    assert first.code == 0 and second.code == 0, first.out + first.err + second.err
    assert f"Ruolo {role}" in second.out and "creato" not in second.out
    assert refused.code == 2 and "nome di ruolo non valido" in refused.out + refused.err
    with psycopg.connect(database_url) as conn:
        rights = conn.execute(
            "SELECT has_table_privilege(%(r)s, 'rm_positions', 'SELECT, INSERT, UPDATE, DELETE'),"
            " has_table_privilege(%(r)s, 'rm_positions', 'TRUNCATE'),"
            " has_schema_privilege(%(r)s, current_schema(), 'CREATE')",
            {"r": role},
        ).fetchone()
    assert rights == (True, False, False)

    # The application connected as its role, the owner's URL for the schema.
    parts = urlparse(database_url)
    app_url = parts._replace(netloc=f"{role}@{parts.hostname}:{parts.port or 5432}").geturl()
    monkeypatch.setenv("CREDITBOX_DATABASE_URL", app_url)
    monkeypatch.setenv("CREDITBOX_MIGRATION_DATABASE_URL", database_url)
    added = run("companies", "add", "ACQ", "--name", "Acque Spa")
    upgraded = run("db", "upgrade")
    assert added.code == 0, added.out + added.err
    assert upgraded.code == 0, upgraded.out + upgraded.err
