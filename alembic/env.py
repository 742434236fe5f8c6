"""Alembic environment: the URL comes from CreditBox's settings (set by creditbox.infrastructure.migrations)."""

from __future__ import annotations

from sqlalchemy import engine_from_config, pool

from alembic import context
from creditbox.projections.schema import metadata as read_model_metadata

config = context.config
target_metadata = read_model_metadata


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Autogenerate compares only the read-model tables: the event store and others' tables are left alone."""
    return not (type_ == "table" and reflected and compare_to is None)


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    with connectable.connect() as connection:
        if connection.dialect.name == "postgresql":
            # The migrations work on every company's rows: the row-level security's group scope
            # (an owner that is no superuser is held to the policies too: they are FORCEd).
            connection.exec_driver_sql("SELECT set_config('creditbox.company', '*', false)")
            connection.commit()
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,
            include_object=include_object,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
