"""Saving a long run of batches through a second process, so that writing overlaps computing.

A big import is GIL-bound Python end to end: parsing, applying records to positions, encoding
events, then (inside psycopg) dumping every stored event into the text of one array parameter
and waiting for PostgreSQL. A thread cannot overlap those (measured: two threads fighting over
the GIL made the import slower), a process can. ``BackgroundEventWriter`` keeps the logical
order of a single writer: this process collects and encodes the events of each batch with the
application's own mapper and hands the stored events to one writer process, which appends
each batch with eventsourcing's own application recorder, one atomic ``insert_events`` a
batch, in the order sent. Nothing is reordered, merged or split, so the store ends up exactly
as ``app.save(*batch)`` would have left it, batch after batch.

Failure is never silent: the first error the writer meets (a conflicting version written by
someone else meanwhile, the database gone) stops it; the error is raised here at the next
``save`` or at ``close``; the batches before it are committed, the ones after it are not sent.
A run that fails is simply run again: positions already saved report their records unchanged.

Only for PostgreSQL: SQLite has one writer anyway and is fast enough in process.
"""

from __future__ import annotations

import pickle
import socket
import subprocess
import sys
from collections.abc import Mapping
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from eventsourcing.persistence import InfrastructureFactory, StoredEvent
from eventsourcing.utils import Environment

if TYPE_CHECKING:  # the writer process imports this module: keep its imports light
    from creditbox.infrastructure.event_store import CreditBoxApplication

# Batches sent and not yet acknowledged: enough to keep the writer busy, few enough that an
# error surfaces promptly and memory stays bounded.
DEFAULT_MAX_IN_FLIGHT = 3

_Batch = tuple[list[Any], list[int], list[str], list[bytes]]


class BackgroundWriteFailed(RuntimeError):
    """The writer process stopped without saying why (killed, crashed)."""


class BackgroundEventWriter:
    """``save(*aggregates)`` batch after batch, written by a second process; ``close()`` waits
    for every batch to be committed and raises the writer's error, if any. A context manager."""

    def __init__(self, app: CreditBoxApplication, *, max_in_flight: int = DEFAULT_MAX_IN_FLIGHT) -> None:
        self._mapper = app.mapper
        self._max_in_flight = max_in_flight
        self._in_flight = 0
        self._failure: BaseException | None = None
        # A plain child interpreter (not multiprocessing's spawn, which re-runs the caller's main
        # script: a script without the ``__main__`` guard would import itself again), talking
        # over a socket pair with multiprocessing's message framing. Its settings, password
        # included, go over the socket, not on the command line.
        ours, theirs = socket.socketpair()
        with theirs:
            self._process = subprocess.Popen(
                [sys.executable, "-m", __name__, str(theirs.fileno())],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
            )
        self._connection = Connection(ours.detach())
        env = {**app.env, "CREATE_TABLE": "n", "POSTGRES_POOL_SIZE": "1", "POSTGRES_MAX_OVERFLOW": "0"}
        self._connection.send((app.name, env))
        self._closed = False

    @property
    def pid(self) -> int:
        return self._process.pid

    def save(self, *aggregates: Any) -> None:
        self._raise_failure()
        stored = [self._mapper.to_stored_event(event) for agg in aggregates for event in agg.collect_events()]
        if not stored:
            return
        batch: _Batch = (
            [s.originator_id for s in stored],
            [s.originator_version for s in stored],
            [s.topic for s in stored],
            [s.state for s in stored],
        )
        while self._in_flight >= self._max_in_flight:
            self._receive()
            self._raise_failure()
        try:
            self._connection.send_bytes(pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:  # the writer is gone: say so, whatever the pipe says
            self._failure = BackgroundWriteFailed("il processo di scrittura si è interrotto")
            self._raise_failure()
        self._in_flight += 1

    def close(self) -> None:
        """Wait for every batch sent to be committed; raise the writer's error, if any."""
        if self._closed:
            return
        self._closed = True
        try:
            while self._in_flight and self._failure is None:
                self._receive()
            if self._failure is None:
                self._connection.send_bytes(b"")  # no more batches
        except (EOFError, OSError):
            self._failure = self._failure or BackgroundWriteFailed("il processo di scrittura si è interrotto")
        finally:
            self._stop(wait_seconds=30)
        self._raise_failure()

    def abandon(self) -> None:
        """Stop without waiting (the run failed here): batches already committed stay committed."""
        if self._closed:
            return
        self._closed = True
        self._process.terminate()
        self._stop(wait_seconds=30)

    def _stop(self, *, wait_seconds: float) -> None:
        try:
            self._process.wait(timeout=wait_seconds)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._connection.close()

    def __enter__(self) -> BackgroundEventWriter:
        return self

    def __exit__(self, exc_type: object, exc: object, traceback: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abandon()

    def _receive(self) -> None:
        try:
            reply = self._connection.recv()
        except (EOFError, OSError):
            self._failure = BackgroundWriteFailed("il processo di scrittura si è interrotto")
            self._in_flight = 0
            return
        self._in_flight -= 1
        if reply is not None:
            self._failure = reply
            self._in_flight = 0

    def _raise_failure(self) -> None:
        if self._failure is not None:
            failure, self._failure = self._failure, None
            self.abandon()
            raise failure


def main(argv: list[str]) -> None:
    """The writer process: ``python -m creditbox.infrastructure.background_writer FD``."""
    connection = Connection(int(argv[1]))
    name, env = connection.recv()
    _write_batches(connection, name, env)


def _write_batches(connection: Connection, name: str, env: Mapping[str, str]) -> None:
    """The writer process: append each batch received, answer None or the error, stop at the
    first error or at the empty message."""
    recorder = InfrastructureFactory.construct(Environment(name, dict(env))).application_recorder()
    while True:
        try:
            message = connection.recv_bytes()
        except EOFError:
            return
        if not message:
            return
        ids, versions, topics, states = pickle.loads(message)
        try:
            recorder.insert_events([StoredEvent(*fields) for fields in zip(ids, versions, topics, states, strict=True)])
        except Exception as error:  # every error goes back to the process that sent the batch
            connection.send(_picklable(error))
            return
        connection.send(None)


def _picklable(error: Exception) -> BaseException:
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return BackgroundWriteFailed(f"{type(error).__name__}: {error}")
    return error


if __name__ == "__main__":
    main(sys.argv)
