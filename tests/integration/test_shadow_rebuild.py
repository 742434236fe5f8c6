"""``projections rebuild`` builds into shadow tables and swaps them in only on success: a failed rebuild
leaves the live tables, their tracking and their quarantine exactly as they were (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect, select

from creditbox.bootstrap import Container
from creditbox.clock import FixedClock
from creditbox.projections.framework import Batch
from creditbox.projections.runner import ProjectionFailed
from creditbox.projections.schema import metadata, projection_tracking
from creditbox.projections.shadow import SHADOW
from tests.integration.fragile_projections import UnreachableWorklists, use_projections
from tests.integration.projection_history import dump, run_history


def tracking_rows(conn: Connection) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in conn.execute(select(projection_tracking).order_by(projection_tracking.c.name))]


def snapshot(container: Container) -> tuple[dict[str, list[tuple[Any, ...]]], list[tuple[Any, ...]]]:
    with container.projections.connect() as conn:
        return dump(conn), tracking_rows(conn)


def no_shadow_left(container: Container) -> bool:
    with container.projections.connect() as conn:
        if conn.dialect.name == "postgresql":
            return SHADOW not in inspect(conn).get_schema_names()
    path = container.projections.engine.url.database
    assert path is not None
    return not Path(f"{path}.rebuild").exists()


def foreign_table(diff: object) -> bool:
    """Tables the read-model metadata does not declare (the event store's, Alembic's)."""
    if isinstance(diff, tuple) and diff and diff[0] in ("remove_table", "remove_index"):
        table = diff[1] if diff[0] == "remove_table" else diff[1].table
        return not table.name.startswith(("rm_", "projection_"))
    return False


@pytest.fixture
def followed(container: Container, clock: FixedClock) -> Container:
    run_history(container, clock, catch_up_each_step=True)
    return container


@pytest.mark.parametrize("failing", ["positions", "cases", "audit_trail"])
def test_a_rebuild_that_fails_midway_leaves_the_live_tables_and_tracking_as_they_were(
    followed: Container, clock: FixedClock, failing: str
) -> None:
    container = followed
    clock.set(date(2026, 4, 20))  # a later business date: the shadow values overdue at another date
    before = snapshot(container)
    assert before[0]["rm_positions"] and before[0]["rm_audit_trail"]
    calls = {"n": 0}

    def crash(name: str, batch: Batch) -> None:
        if name == failing:
            calls["n"] += 1
            if calls["n"] == 2:
                raise RuntimeError("the rebuild process died")

    runner = container.projections.runner(batch_size=5)
    runner.before_commit = crash
    with pytest.raises(ProjectionFailed) as failed:
        runner.rebuild()
    assert set(failed.value.failures) == {failing}
    assert snapshot(container) == before
    assert no_shadow_left(container)


def test_a_rebuild_whose_database_fails_leaves_everything_and_a_later_one_succeeds(
    followed: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    container = followed
    before = snapshot(container)
    use_projections(monkeypatch, UnreachableWorklists())
    monkeypatch.setattr(UnreachableWorklists, "down", True)
    with pytest.raises(ProjectionFailed):
        container.projections.rebuild(["worklists", "cases"])
    assert snapshot(container) == before  # neither table swapped: one transaction for both, only on success
    assert container.projections.quarantined() == []  # a database failure is not a poison event
    monkeypatch.setattr(UnreachableWorklists, "down", False)
    container.projections.rebuild(["worklists", "cases"])
    assert snapshot(container) == before
    assert no_shadow_left(container)


def test_a_swapped_in_rebuild_keeps_the_declared_schema_and_the_log_is_followed_from_there(
    followed: Container, clock: FixedClock
) -> None:
    container = followed
    before = snapshot(container)
    container.projections.rebuild()
    assert snapshot(container) == before
    with container.projections.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": False})
        differences = [d for d in compare_metadata(context, metadata) if not foreign_table(d)]
        indexes = {i["name"] for i in inspect(conn).get_indexes("rm_positions")}
    assert differences == []
    assert "ix_rm_positions_company_overdue" in indexes
    # and the next events are applied to the swapped-in tables
    container.dunning().run_due("ACQ", date(2026, 5, 20))
    container.projections.catch_up()
    assert all(s.lag == 0 for s in container.projections.status())
    with container.projections.connect() as conn:
        followed_rows = dump(conn)
    container.projections.rebuild()
    with container.projections.connect() as conn:
        assert dump(conn) == followed_rows
