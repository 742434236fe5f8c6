"""The full check of ``creditbox audit verify --full``: every read model rebuilt from the log in the
shadow (``shadow.py``) and compared, row by row, with the live one at the same notification.

The live projections are first brought up to the head of the log; the shadow is built up to that
same notification; then each table is read from both, rows in primary-key order. Nothing of the
live database changes but the catch-up; the shadow is dropped afterwards. Left out, as for the
rebuild: the tables that hold process state rather than what the events say (the outbox, fed by a
projection that is not rebuilt; the due index, which also keeps the scheduler's leases and the
business date each position last ran for, by design different from a rebuild from the log alone).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Table, select

from creditbox.projections.database import WRITE
from creditbox.projections.framework import StateCache
from creditbox.projections.registry import select_projections
from creditbox.projections.schema import due_index, metadata, projection_tracking
from creditbox.projections.schema import quarantine as quarantine_table
from creditbox.projections.shadow import _shadow_engine, rebuilds

if TYPE_CHECKING:
    from creditbox.projections.runner import ProjectionRunner

MAX_KEYS_SHOWN = 5
NOT_FROM_THE_LOG = (due_index,)


def compare_with_shadow(live: ProjectionRunner) -> list[str]:
    """The differences (Italian, one line per table that differs) between the live read models and
    the same read models rebuilt from the log; empty when they are equal."""
    from creditbox.projections.runner import ProjectionRunner

    head = live.head()
    live.catch_up(until=head)
    compared = [p for p in live.projections if rebuilds(p)]
    built = [t for p in compared for t in p.tables]
    tables = [t for t in built if t not in NOT_FROM_THE_LOG]
    differences: list[str] = []
    with _shadow_engine(live.engine) as (shadow, plain):
        with shadow.connect().execution_options(**{WRITE: True}) as conn, conn.begin():
            metadata.create_all(conn, tables=[projection_tracking, quarantine_table, *built])
        builder = ProjectionRunner(
            live.app,
            shadow,
            select_projections([p.name for p in compared]),
            clock=live.clock,
            batch_size=live.batch_size,
            states=StateCache(live.app),
        )
        builder.catch_up(until=head)
        with shadow.connect() as rebuilt, plain.connect() as current:
            for table in tables:
                difference = _compare(table, _rows(current, table), _rows(rebuilt, table))
                if difference:
                    differences.append(difference)
    return differences


def _rows(conn: Connection, table: Table) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    keys = list(table.primary_key.columns) or list(table.columns)
    rows: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    for row in conn.execute(select(table).order_by(*keys)):
        mapping = row._mapping
        rows[tuple(mapping[k] for k in keys)] = tuple(row)
    return rows


def _compare(
    table: Table, live: dict[tuple[Any, ...], tuple[Any, ...]], rebuilt: dict[tuple[Any, ...], tuple[Any, ...]]
) -> str | None:
    missing = [k for k in rebuilt if k not in live]
    extra = [k for k in live if k not in rebuilt]
    changed = [k for k in live.keys() & rebuilt.keys() if live[k] != rebuilt[k]]
    if not (missing or extra or changed):
        return None
    parts = []
    for label, keys in (("mancanti", missing), ("in più", extra), ("diverse", changed)):
        if keys:
            shown = ", ".join("/".join(str(v) for v in k) for k in sorted(keys, key=str)[:MAX_KEYS_SHOWN])
            more = f" e altre {len(keys) - MAX_KEYS_SHOWN}" if len(keys) > MAX_KEYS_SHOWN else ""
            parts.append(f"{len(keys)} righe {label} ({shown}{more})")
    return f"tabella {table.name}: " + "; ".join(parts)
