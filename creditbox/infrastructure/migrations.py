"""Runs the Alembic migrations that own the read-model schema."""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config

from alembic import command
from creditbox.infrastructure.database_url import DatabaseUrl
from creditbox.infrastructure.schema_lock import schema_lock

ALEMBIC_DIR = Path(__file__).resolve().parents[2] / "alembic"


def alembic_config(database: DatabaseUrl) -> Config:
    config = Config()
    config.set_main_option("script_location", str(ALEMBIC_DIR))
    config.set_main_option("sqlalchemy.url", database.sqlalchemy_url().replace("%", "%%"))
    return config


def upgrade_read_models(database: DatabaseUrl, revision: str = "head") -> None:
    """Apply the pending migrations, one process at a time (the others then find nothing to do)."""
    with schema_lock(database):
        command.upgrade(alembic_config(database), revision)
