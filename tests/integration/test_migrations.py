"""The Alembic migrations build exactly the read-model schema the code declares (both backends)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from creditbox.infrastructure.database_url import DatabaseUrl
from creditbox.infrastructure.migrations import upgrade_read_models
from creditbox.projections.schema import metadata


def test_migrations_match_the_declared_schema(database_url: str) -> None:
    database = DatabaseUrl(database_url)
    upgrade_read_models(database)
    engine = create_engine(database.sqlalchemy_url())
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": False})
            differences = [diff for diff in compare_metadata(context, metadata) if not _is_foreign_table(diff)]
    finally:
        engine.dispose()
    assert differences == []


def _is_foreign_table(diff: object) -> bool:
    """Tables the read-model metadata does not declare: eventsourcing's event store, Alembic's
    version table, the baseline's ``schema_info``."""
    if isinstance(diff, tuple) and diff and diff[0] == "remove_table":
        return not diff[1].name.startswith(("rm_", "projection_tracking"))
    return False
