"""The read models as the composition root wires them: ``container.projections``.

``catch_up()`` brings every projection up to the head of the notification log, in-process: the
embedded mode calls it after each command (``after_command()``), so what a command wrote is visible
to the next query. In production (``CREDITBOX_PROJECTIONS=external``) ``creditbox projections run``
processes follow the log instead and ``after_command()`` does nothing; ``catch_up()`` stays safe to
call either way (tracking positions guard against applying anything twice).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from creditbox.clock import Clock
from creditbox.infrastructure.company_scope import GROUP_SCOPE, group_scope
from creditbox.infrastructure.database_url import DatabaseUrl
from creditbox.infrastructure.event_store import CreditBoxApplication
from creditbox.infrastructure.migrations import alembic_config, upgrade_read_models
from creditbox.projections import quarantine
from creditbox.projections.database import create_read_model_engine
from creditbox.projections.framework import StateCache
from creditbox.projections.quarantine import Quarantined
from creditbox.projections.registry import select_projections
from creditbox.projections.runner import (
    PostgresWaiter,
    ProjectionFailed,
    ProjectionRunner,
    ProjectionStatus,
    RetryOutcome,
    Waiter,
)

log = logging.getLogger(__name__)

INLINE = "inline"
EXTERNAL = "external"


class ReadModels:
    def __init__(
        self,
        app: CreditBoxApplication,
        database: DatabaseUrl,
        clock: Clock,
        *,
        mode: str = INLINE,
        pool_size: int = 5,
        owner: DatabaseUrl | None = None,
        default_scope: str = GROUP_SCOPE,
    ) -> None:
        """``owner``: the URL the migrations run with (the schema's owner) when the application
        connects as a role of its own (``CREDITBOX_MIGRATION_DATABASE_URL``); default ``database``.
        ``default_scope``: the company scope of the work done outside any request (the group's)."""
        if mode not in (INLINE, EXTERNAL):
            raise ValueError(f"modalità proiezioni non valida: {mode!r} (usare {INLINE!r} o {EXTERNAL!r})")
        self.app = app
        self.database = database
        self.owner = owner or database
        self.clock = clock
        self.mode = mode
        self.engine: Engine = create_read_model_engine(database, pool_size=pool_size, default_scope=default_scope)
        self.states = StateCache(app)
        self._schema_ready = False
        self._schema_lock = threading.Lock()
        self._runner: ProjectionRunner | None = None

    # ---- schema ---------------------------------------------------------------------------

    def ensure_schema(self) -> None:
        """Apply the Alembic migrations if the database is not at head (once per process), as the owner."""
        if self._schema_ready:
            return
        with self._schema_lock:
            if self._schema_ready:
                return
            head = ScriptDirectory.from_config(alembic_config(self.database)).get_current_head()
            with self.engine.connect() as conn:
                current = MigrationContext.configure(conn).get_current_revision()
            if current != head:
                upgrade_read_models(self.owner)
            self._schema_ready = True

    # ---- running --------------------------------------------------------------------------

    def runner(self, names: Iterable[str] | None = None, *, batch_size: int | None = None) -> ProjectionRunner:
        """A runner for the named projections (all by default), sharing this process's state cache."""
        self.ensure_schema()
        runner = ProjectionRunner(
            self.app, self.engine, select_projections(names), clock=self.clock, states=self.states
        )
        if batch_size is not None:
            runner.batch_size = batch_size
        return runner

    @property
    def all(self) -> ProjectionRunner:
        if self._runner is None:
            self._runner = self.runner()
        return self._runner

    def catch_up(self) -> int:
        """Apply every new notification to every projection; returns how many notifications were read."""
        with group_scope():  # the projectors write the rows of every company
            return self.all.catch_up()

    def after_command(self) -> ProjectionFailed | None:
        """Called by the CLI and the API after each command: catches up when running inline.

        Never raises: the command has been recorded, and its answer is its own result. A failure of
        the catch-up is logged and returned (the CLI warns); the views catch up at the next command,
        or with ``creditbox projections catch-up``. (Poison events do not fail it: they are quarantined.)
        """
        if self.mode != INLINE:
            return None
        try:
            self.catch_up()
        except ProjectionFailed as failed:
            log.error("read models not caught up after the command: %s", failed)
            return failed
        except Exception as error:  # the database or the schema: the write itself is already committed
            log.exception("read models not caught up after the command")
            return ProjectionFailed({"*": error})
        return None

    def waiter(self, poll_interval: float = 1.0) -> Waiter:
        """LISTEN/NOTIFY on PostgreSQL, polling on SQLite."""
        if self.database.is_postgres:
            channel = getattr(self.app.recorder, "channel_name", None)
            if isinstance(channel, str):
                return PostgresWaiter(self.database.psycopg_conninfo(), channel, poll_interval)
        return Waiter(poll_interval)

    def status(self) -> list[ProjectionStatus]:
        with group_scope():
            return self.all.status()

    def compare_with_rebuild(self) -> list[str]:
        """Every read model rebuilt from the log in a scratch schema and compared with the live one
        (``audit verify --full``): the differences, one line per table (empty: equal)."""
        from creditbox.projections.shadow_check import compare_with_shadow

        with group_scope():
            return compare_with_shadow(self.runner())

    def rebuild(self, names: Iterable[str] | None = None) -> int:
        """Rebuild into shadow tables, swapped in only on success (a failure leaves the live ones)."""
        with group_scope():
            return self.runner(names).rebuild()

    def quarantined(self, names: Iterable[str] | None = None, *, limit: int | None = None) -> list[Quarantined]:
        """The quarantined events (of the named projections, all by default), in notification order."""
        wanted = None if not names else [p.name for p in select_projections(names)]
        with group_scope(), self.connect() as conn:
            return quarantine.listing(conn, wanted, limit=limit)

    def quarantine_counts(self) -> dict[str, quarantine.Counts]:
        """Per projection: events that failed, events held behind them (empty: nothing in quarantine)."""
        with group_scope(), self.connect() as conn:
            return quarantine.counts(conn)

    def retry(self, names: Iterable[str] | None = None) -> RetryOutcome:
        """Apply the quarantined events again (after a fix); those that apply leave the quarantine."""
        with group_scope():
            return self.runner(names).retry()

    # ---- queries --------------------------------------------------------------------------

    def connect(self) -> Connection:
        """A connection for the query functions (``with container.projections.connect() as conn``)."""
        self.ensure_schema()
        return self.engine.connect()

    def close(self) -> None:
        self.engine.dispose()
