"""``creditbox db``: prepare the configured database (event store and read-model schema) and the
application's own role (docs/operations.md, "Database roles")."""

from __future__ import annotations

from typing import Annotated

import psycopg
import typer

from creditbox.cli.context import console, container, fail
from creditbox.infrastructure.app_role import InvalidRoleName, grant_app_role
from creditbox.infrastructure.database_url import DatabaseUrl
from creditbox.infrastructure.migrations import upgrade_read_models
from creditbox.settings import Settings

app = typer.Typer(help="Database.", no_args_is_help=True)


@app.command("upgrade")
def upgrade() -> None:
    """Crea le tabelle dell'event store e applica le migrazioni Alembic (come proprietario dello schema)."""
    with container(follow=False) as c:
        # Constructing the application created the event store tables (as the owner, when a
        # migration URL is set).
        upgrade_read_models(c.projections.owner)
        console.print(f"Database pronto: {c.database.scheme}")


@app.command("app-role")
def app_role(
    name: Annotated[str, typer.Argument(help="Nome del ruolo PostgreSQL dell'applicazione, ad es. creditbox_app")],
) -> None:
    """Crea (se manca) il ruolo dell'applicazione e gli concede le righe di tabelle e sequenze.

    Si collega come proprietario dello schema (CREDITBOX_MIGRATION_DATABASE_URL, altrimenti
    CREDITBOX_DATABASE_URL). Il ruolo non possiede nulla ed è soggetto alla sicurezza per riga."""
    settings = Settings()
    owner = DatabaseUrl(settings.migration_database_url or settings.database_url)
    if not owner.is_postgres:
        fail("il ruolo dell'applicazione serve solo su PostgreSQL (SQLite non ha ruoli né sicurezza per riga)", 2)
    try:
        created = grant_app_role(owner, name)
    except InvalidRoleName as error:
        fail(str(error), 2)
    except psycopg.Error as error:
        fail(f"ruolo {name!r} non preparato: {error}")
    console.print(f"Ruolo {name} {'creato e ' if created else ''}autorizzato su tabelle e sequenze")
