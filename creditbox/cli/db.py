"""``creditbox db upgrade``: prepare the configured database (event store and read-model schema)."""

from __future__ import annotations

import typer

from creditbox.cli.context import console, container
from creditbox.infrastructure.migrations import upgrade_read_models

app = typer.Typer(help="Database.", no_args_is_help=True)


@app.command("upgrade")
def upgrade() -> None:
    """Crea le tabelle dell'event store e applica le migrazioni Alembic."""
    with container(follow=False) as c:
        # Constructing the application created the event store tables.
        upgrade_read_models(c.database)
        console.print(f"Database pronto: {c.database.scheme}")
