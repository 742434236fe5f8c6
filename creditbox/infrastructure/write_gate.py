"""One writer at a time per process on SQLite; a bounded wait for it.

SQLite has one write lock for the whole file. Writers of one process that race for it queue inside
the event store's connection pool, whose wait is short and fixed: under a burst of writes (twenty
payments at once) most of them used to fail with ``ConnectionUnavailableError``. The gate makes the
writers of a process take turns *before* they touch the database — a command holds it from the
moment it reads its aggregates to the moment its events are stored, so two commands of one process
never clash on a version either — and makes the wait for a turn bounded and explicit: past
``wait`` seconds it raises :class:`DatabaseBusy`, which the edges turn into "busy, retry later"
(HTTP 503 with ``Retry-After``). The gate is re-entrant: a command that saves several times holds it
once.

On PostgreSQL the gate is open (row locks and the version check of the event store let writes of
different aggregates run in parallel; clashes on one aggregate are retried by the caller).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class DatabaseBusy(TimeoutError):
    """The database could not be had for a write within the configured wait."""


class WriteGate:
    def __init__(self, *, serialise: bool, wait: float) -> None:
        self.serialise = serialise
        self.wait = wait
        self._lock = threading.RLock()

    @contextmanager
    def hold(self, deadline: float | None = None) -> Iterator[None]:
        """Hold the gate until the block ends; wait at most until ``deadline`` (``time.monotonic()``
        clock) or ``wait`` seconds, then raise :class:`DatabaseBusy`."""
        if not self.serialise:
            yield
            return
        timeout = self.wait if deadline is None else max(0.0, deadline - time.monotonic())
        if not self._lock.acquire(timeout=timeout):
            raise DatabaseBusy(f"archivio occupato da altre scritture da oltre {self.wait:g} s")
        try:
            yield
        finally:
            self._lock.release()
