"""The Alembic migrations build exactly the read-model schema the code declares (both backends)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, select, text

from alembic import command
from creditbox.bootstrap import Container
from creditbox.clock import FixedClock
from creditbox.infrastructure.database_url import DatabaseUrl
from creditbox.infrastructure.migrations import alembic_config, upgrade_read_models
from creditbox.projections.row_security import COMPANY_TABLES, enable_statements
from creditbox.projections.schema import cases, metadata, positions, projection_tracking
from tests.integration.projection_history import dump, run_history


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


def test_0004_has_the_positions_projection_rebuilt_with_supplies_and_contacts(
    container: Container, clock: FixedClock
) -> None:
    """A database at 0003 holds rm_positions rows without contacts and no rm_supplies: the upgrade empties
    rm_positions and sets the positions projection back to the start, and the next catch-up fills both."""
    run_history(container, clock)
    with container.projections.connect() as conn:
        expected = dump(conn)
    mobile = positions.c.keys().index("mobile")
    assert expected["rm_supplies"] and any(row[mobile] for row in expected["rm_positions"])
    config = alembic_config(container.database)
    command.downgrade(config, "0003")
    engine = create_engine(container.database.sqlalchemy_url())
    try:
        with engine.connect() as conn:
            assert "rm_supplies" not in inspect(conn).get_table_names()
        command.upgrade(config, "0004")
        with engine.connect() as conn:
            assert conn.scalar(select(positions.c.position_id).limit(1)) is None
            tracked = select(projection_tracking.c.name, projection_tracking.c.notification_id)
            reset = {name: position for name, position in conn.execute(tracked)}
        command.upgrade(config, "head")
    finally:
        engine.dispose()
    assert reset["positions"] == 0 and reset["open_items"] > 0  # only the positions projection starts over
    container.projections.catch_up()
    with container.projections.connect() as conn:
        assert dump(conn) == expected


def test_0006_rebuilds_positions_open_items_and_cases_with_losses_and_waiting(
    container: Container, clock: FixedClock
) -> None:
    """A database at 0005 has no loss, written-off or waiting columns: the upgrade empties the tables of
    the positions, open_items and cases projections and sets those three back to the start; the next
    catch-up fills them as they were."""
    run_history(container, clock)
    with container.projections.connect() as conn:
        expected = dump(conn)
    waiting = cases.c.keys().index("waiting_code")
    assert any(row[waiting] for row in expected["rm_cases"])  # some case waits for something
    config = alembic_config(container.database)
    command.downgrade(config, "0005")
    engine = create_engine(container.database.sqlalchemy_url())
    try:
        command.upgrade(config, "head")
        with engine.connect() as conn:
            assert conn.scalar(select(positions.c.position_id).limit(1)) is None
            tracked = select(projection_tracking.c.name, projection_tracking.c.notification_id)
            reset = {name: position for name, position in conn.execute(tracked)}
    finally:
        engine.dispose()
    assert reset["positions"] == reset["open_items"] == reset["cases"] == 0
    assert reset["worklists"] > 0 and reset["audit_trail"] > 0
    container.projections.catch_up()
    with container.projections.connect() as conn:
        assert dump(conn) == expected


def _is_foreign_table(diff: object) -> bool:
    """Tables the read-model metadata does not declare: eventsourcing's event store, Alembic's
    version table, the baseline's ``schema_info``."""
    if isinstance(diff, tuple) and diff and diff[0] == "remove_table":
        return not diff[1].name.startswith(("rm_", "projection_tracking"))
    return False


def test_0019_puts_row_level_security_on_the_company_tables_and_comes_off_again(database_url: str) -> None:
    """PostgreSQL: every company-keyed table gets its two policies, forced; downgrading to 0017 takes
    them off, and upgrading again (or over tables that already have them) gives the same. SQLite: the
    revision changes nothing, and its round trip works."""
    database = DatabaseUrl(database_url)
    upgrade_read_models(database)
    config = alembic_config(database)
    at_head = _row_security(database)
    command.downgrade(config, "0017")
    at_0017 = _row_security(database)
    command.upgrade(config, "head")
    again = _row_security(database)
    command.downgrade(config, "0017")
    for statement_table in COMPANY_TABLES:  # a table secured by hand before the migration runs
        _execute(database, enable_statements(statement_table))
    command.upgrade(config, "head")
    over_secured = _row_security(database)

    if database.is_sqlite:
        assert at_head == at_0017 == again == over_secured == {}
        return
    secured = {table: (True, True, ["company_rows", "group_rows"]) for table in COMPANY_TABLES}
    assert at_head == again == over_secured == secured
    assert at_0017 == {table: (False, False, []) for table in COMPANY_TABLES}


def _row_security(database: DatabaseUrl) -> dict[str, tuple[bool, bool, list[str]]]:
    """Per company-keyed table: row-level security enabled, forced, and its policies (PostgreSQL)."""
    if not database.is_postgres:
        return {}
    engine = create_engine(database.sqlalchemy_url())
    try:
        with engine.connect() as conn:
            flags = conn.execute(
                text("SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = ANY(:t)"),
                {"t": list(COMPANY_TABLES)},
            ).all()
            policies = conn.execute(
                text("SELECT tablename, policyname FROM pg_policies WHERE tablename = ANY(:t) ORDER BY policyname"),
                {"t": list(COMPANY_TABLES)},
            ).all()
    finally:
        engine.dispose()
    return {name: (enabled, forced, [p for t, p in policies if t == name]) for name, enabled, forced in flags}


def _execute(database: DatabaseUrl, statements: list[str]) -> None:
    if not database.is_postgres:
        return
    engine = create_engine(database.sqlalchemy_url())
    try:
        with engine.begin() as conn:
            for statement in statements:
                conn.exec_driver_sql(statement)
    finally:
        engine.dispose()
