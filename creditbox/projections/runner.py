"""Follows the notification log and feeds batches to projections, exactly once.

Each notification is read and decoded once for all the projections run together; each projection
then applies the part of the batch it has not seen, in its own transaction, together with moving
its tracking position (guarded: a concurrent runner makes the transaction roll back). When a projection's
``apply`` fails, the batch is applied again aggregate by aggregate (:mod:`creditbox.projections.poison`):
the events that fail, and the later events of the same aggregates, go to the quarantine
(:mod:`creditbox.projections.quarantine`), the tracking moves past them and every other aggregate
stays current; :meth:`ProjectionRunner.retry` applies them after a fix. A projection that fails
otherwise (the database, not an event) is rolled back and left where it was; the others go on, and
the failure is raised at the end of the catch-up. Restarting resumes from the tracked positions.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.persistence import Notification
from sqlalchemy import Connection, Engine, delete

from creditbox.clock import Clock
from creditbox.infrastructure.event_store import CreditBoxApplication
from creditbox.projections import poison, quarantine, tracking
from creditbox.projections.database import WRITE, quoted_name
from creditbox.projections.framework import Batch, DateRelative, Item, Projection, StateCache
from creditbox.projections.lookups import Lookups
from creditbox.projections.updates import ProjectionUpdates, RetryOutcome

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 5000
# Young-generation threshold of the cyclic GC while catching up (Python's default is 700): decoding and
# replaying allocate many short-lived objects, and frequent collections scan the warm aggregate cache.
GC_THRESHOLD = 50_000
# A long catch-up refreshes the planner statistics of its tables every so many batches (PostgreSQL).
ANALYZE_EVERY = 20


@contextmanager
def fewer_collections() -> Iterator[None]:
    previous = gc.get_threshold()
    gc.set_threshold(max(previous[0], GC_THRESHOLD), *previous[1:])
    try:
        yield
    finally:
        gc.set_threshold(*previous)


NO_QUARANTINE = quarantine.Counts(0, 0)


@dataclass(frozen=True)
class ProjectionStatus:
    name: str
    position: int
    head: int
    as_of: date | None
    quarantined: quarantine.Counts = NO_QUARANTINE

    @property
    def lag(self) -> int:
        return max(0, self.head - self.position)


class ProjectionFailed(RuntimeError):
    def __init__(self, failures: dict[str, BaseException]) -> None:
        self.failures = failures
        names = ", ".join(f"{name}: {error!r}" for name, error in failures.items())
        super().__init__(f"proiezioni non aggiornate: {names}")


class ProjectionRunner(ProjectionUpdates):
    def __init__(
        self,
        app: CreditBoxApplication,
        engine: Engine,
        projections: Sequence[Projection],
        *,
        clock: Clock,
        batch_size: int = DEFAULT_BATCH_SIZE,
        states: StateCache | None = None,
    ) -> None:
        self.app = app
        self.engine = engine
        self.projections = list(projections)
        self.clock = clock
        self.batch_size = batch_size
        self.states = states or StateCache(app)
        self.lookups = Lookups(app)
        self._lock = threading.RLock()
        self._subjects: dict[UUID, poison.Subject] = {}
        # A test hook: called with (projection name, batch) inside the transaction, before tracking moves.
        self.before_commit: Callable[[str, Batch], None] | None = None

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.projections]

    # ---- status ---------------------------------------------------------------------------

    def head(self) -> int:
        return int(self.app.recorder.max_notification_id() or 0)

    def status(self) -> list[ProjectionStatus]:
        head = self.head()
        with self.engine.connect() as conn:
            found = tracking.read(conn, self.names)
            held = quarantine.counts(conn)
        return [
            ProjectionStatus(n, t.notification_id, head, t.as_of, held.get(n, NO_QUARANTINE)) for n, t in found.items()
        ]

    def quarantined(self) -> list[quarantine.Quarantined]:
        with self.engine.connect() as conn:
            return quarantine.listing(conn, self.names)

    # ---- catching up ----------------------------------------------------------------------

    def catch_up(self, *, until: int | None = None) -> int:
        """Apply every notification up to ``until`` (default: the head now). Returns how many were read."""
        with self._lock, fewer_collections():
            self._ensure_tracking()
            failures: dict[str, BaseException] = {}
            as_of = self.clock.today()
            self._revalue(as_of)
            head = self.head() if until is None else until
            read = batches = 0
            with self._connect() as conn:  # one connection for the whole catch-up, one transaction per update
                while True:
                    active = [p for p in self.projections if p.name not in failures]
                    with conn.begin():
                        found = tracking.read(conn, [p.name for p in active])
                    positions = {n: t.notification_id for n, t in found.items()}
                    start = min(positions.values(), default=head) + 1
                    if not active or start > head:
                        break
                    notifications = self.app.recorder.select_notifications(
                        start=start, limit=self.batch_size, stop=head
                    )
                    if not notifications:
                        break
                    read += len(notifications)
                    self._apply(conn, self.decode(notifications), active, positions, as_of, failures)
                    batches += 1
                    if batches % ANALYZE_EVERY == 0:
                        self._analyze(conn, active)
            if failures:
                raise ProjectionFailed(failures)
            return read

    def process(self, notifications: Sequence[Notification]) -> None:
        """Apply the given notifications (each projection skips what it has already seen)."""
        with self._lock:
            self._ensure_tracking()
            failures: dict[str, BaseException] = {}
            with self._connect() as conn:
                with conn.begin():
                    positions = {n: t.notification_id for n, t in tracking.read(conn, self.names).items()}
                items = self.decode(notifications)
                self._apply(conn, items, self.projections, positions, self.clock.today(), failures)
            if failures:
                raise ProjectionFailed(failures)

    def reset(self) -> None:
        """Empty the projections' tables and put their tracking back to zero, in one transaction."""
        with self._lock:
            self._ensure_tracking()
            with self.engine.connect().execution_options(**{WRITE: True}) as conn, conn.begin():
                for projection in self.projections:
                    for table in reversed(projection.tables):
                        if conn.dialect.name == "postgresql":
                            conn.exec_driver_sql(f'TRUNCATE TABLE "{table.name}"')  # no dead rows left behind
                        else:
                            conn.execute(delete(table))
                    tracking.reset(conn, projection.name)
            self.states.clear()

    def rebuild(self) -> int:
        """Rebuild from the first notification into shadow tables, swapped in only on success."""
        from creditbox.projections.shadow import rebuild_in_shadow  # the shadow build runs a runner

        with self._lock:
            self._ensure_tracking()
            read = rebuild_in_shadow(self)
            self.states.clear()
            return read

    def retry(self) -> RetryOutcome:
        """Apply the quarantined events again, aggregate by aggregate in notification order, each
        aggregate in its own transaction; those that apply leave the quarantine."""
        with self._lock:
            self._ensure_tracking()
            outcome = RetryOutcome()
            self.lookups.forget()
            with self._connect() as conn:
                for projection in self.projections:
                    with conn.begin():
                        waiting = quarantine.of_projection(conn, projection.name)
                    for originator_id in dict.fromkeys(UUID(q.originator_id) for q in waiting):
                        released = self._retry_aggregate(conn, projection, originator_id)
                        outcome.add(projection.name, released)
            return outcome

    # ---- internals ------------------------------------------------------------------------

    def _analyze(self, conn: Connection, projections: Sequence[Projection]) -> None:
        """PostgreSQL: refresh the planner's statistics of tables growing fast in a long catch-up (a
        rebuild starts from empty tables, and stale statistics would turn index lookups into scans)."""
        if conn.dialect.name != "postgresql":
            return
        with conn.begin():
            for projection in projections:
                for table in projection.tables:
                    conn.exec_driver_sql(f"ANALYZE {quoted_name(conn, table)}")

    def _connect(self) -> Connection:
        return self.engine.connect().execution_options(**{WRITE: True})

    def _ensure_tracking(self) -> None:
        with self._connect() as conn, conn.begin():
            tracking.ensure(conn, self.names)

    def _apply(
        self,
        conn: Connection,
        items: list[Item],
        projections: Sequence[Projection],
        positions: dict[str, int],
        as_of: date,
        failures: dict[str, BaseException],
    ) -> None:
        if not items:
            return
        self.lookups.forget()
        batch = Batch(items, self.states, as_of=as_of, lookups=self.lookups)
        for projection in projections:
            position = positions[projection.name]
            if position >= batch.last_id:
                continue  # seen already: feeding it again changes nothing
            part = batch.since(position)
            self._update(conn, projection, part, position, failures)

    def _revalue(self, as_of: date) -> None:
        """Bring date-relative columns to ``as_of`` (the business date), in the projection's transaction."""
        for projection in self.projections:
            if not isinstance(projection, DateRelative):
                continue
            try:
                with self.engine.connect().execution_options(**{WRITE: True}) as conn, conn.begin():
                    current = tracking.read(conn, [projection.name])[projection.name]
                    if current.as_of == as_of:
                        continue
                    projection.revalue(conn, self.states, current.as_of, as_of)
                    tracking.set_as_of(conn, projection.name, as_of)
            except Exception:  # the rows keep their old valuation; the next catch-up tries again
                log.exception("projection %s failed to revalue at %s", projection.name, as_of)


class Waiter:
    """Sleeps until the event store may have something new: polling on SQLite."""

    def __init__(self, poll_interval: float) -> None:
        self.poll_interval = poll_interval

    def wait(self, stop: threading.Event) -> None:
        stop.wait(self.poll_interval)

    def close(self) -> None:
        return None


class PostgresWaiter(Waiter):
    """Woken by the ``NOTIFY`` eventsourcing's PostgreSQL recorder sends with every insert of events;
    the poll interval is only a safety net."""

    def __init__(self, conninfo: str, channel: str, poll_interval: float) -> None:
        super().__init__(poll_interval)
        self._conninfo = conninfo
        self._channel = channel
        self._conn: psycopg.Connection[Any] | None = self._listen()

    def _listen(self) -> psycopg.Connection[Any]:
        import psycopg
        from psycopg import sql

        conn = psycopg.connect(self._conninfo, autocommit=True)
        conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self._channel)))
        return conn

    def wait(self, stop: threading.Event) -> None:
        """Until a notification, the poll interval or ``stop``. A lost connection (the database
        restarting) is no error: this wait sleeps the interval, the next one listens again — the
        catch-up after each wait reads whatever was written meanwhile."""
        import psycopg

        remaining = self.poll_interval
        step = min(0.25, self.poll_interval)  # check ``stop`` now and then
        try:
            if self._conn is None or self._conn.closed:
                self._conn = self._listen()
            while remaining > 0 and not stop.is_set():
                for _ in self._conn.notifies(timeout=step, stop_after=1):
                    return
                remaining -= step
        except psycopg.Error as error:
            log.warning("in ascolto delle notifiche: connessione persa (%s), riprovo", error)
            self.close()
            stop.wait(max(remaining, 0.0))

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def follow(
    runner: ProjectionRunner,
    waiter: Waiter,
    stop: threading.Event,
    after: Callable[[int], object] | None = None,
) -> None:
    """Catch up, wait for news, repeat until ``stop`` is set (``creditbox projections run``).

    The waiter listens before the first catch-up, so nothing written meanwhile is missed. A failing
    projection is logged and retried at the next round; the others keep going. ``after`` is called
    with the number of notifications read after each catch-up that read some (the outbox projector
    relays the new entries to the workers at once); its failure is logged, never fatal.
    """
    try:
        while not stop.is_set():
            try:
                read = runner.catch_up()
            except ProjectionFailed as failed:
                log.error("%s", failed)
                stop.wait(waiter.poll_interval)
            except Exception:  # the database restarting (reading the head of the log): the next round retries
                log.exception("aggiornamento delle proiezioni non riuscito")
                stop.wait(waiter.poll_interval)
            else:
                if read and after is not None:
                    try:
                        after(read)
                    except Exception:  # the next catch-up (or the scheduler's relay) tries again
                        log.exception("dopo l'aggiornamento delle proiezioni")
            waiter.wait(stop)
    finally:
        waiter.close()
