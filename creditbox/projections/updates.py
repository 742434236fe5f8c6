"""One projection's update transactions: the fast path, the poison path, holding, retrying.

The runner (:class:`creditbox.projections.runner.ProjectionRunner`) reads and decodes the log; for
each projection and batch, :meth:`ProjectionUpdates._update` applies the part the projection has not
seen in one transaction with the move of its tracking position. When the projection's ``apply``
raises on the events, the transaction is rolled back and :meth:`ProjectionUpdates._apply_isolating`
applies the batch again, isolating the events that fail (:mod:`creditbox.projections.poison`) into the
quarantine (:mod:`creditbox.projections.quarantine`) with the later events of their aggregates.
:meth:`ProjectionUpdates._retry_aggregate` applies an aggregate's quarantined events again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification
from sqlalchemy import Connection

from creditbox.clock import Clock
from creditbox.infrastructure.event_store import CreditBoxApplication
from creditbox.projections import poison, quarantine, tracking
from creditbox.projections.audit_trail import subject_from_creation
from creditbox.projections.framework import Batch, Item, Projection, StateCache, Undecodable
from creditbox.projections.lookups import Lookups

log = logging.getLogger(__name__)


def relax_durability(conn: Connection) -> None:
    """PostgreSQL: don't wait for the WAL flush at commit. A crash can lose the last projection commits,
    but never half of one (views and tracking go together), so they are simply applied again."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")


class _Poisoned(Exception):
    """``apply`` failed on the batch's events: the transaction is rolled back, the slow path follows."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


@dataclass
class RetryOutcome:
    """What a retry did, per projection: aggregates released and aggregates still in quarantine."""

    released: dict[str, int] = field(default_factory=dict)
    still: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, released: bool) -> None:
        target = self.released if released else self.still
        target[name] = target.get(name, 0) + 1


class ProjectionUpdates:
    """The update paths of :class:`~creditbox.projections.runner.ProjectionRunner` (its base class)."""

    app: CreditBoxApplication
    clock: Clock
    states: StateCache
    lookups: Lookups
    before_commit: Callable[[str, Batch], None] | None
    _subjects: dict[UUID, poison.Subject]

    def decode(self, notifications: Sequence[Notification]) -> list[Item]:
        mapper = self.app.mapper
        to_domain_event = mapper.to_domain_event
        plain_json = mapper.cipher is None and mapper.compressor is None
        try:
            return [Item(n.id, to_domain_event(n), n.state if plain_json else None) for n in notifications]
        except Exception:  # one of them does not decode: find it, the others are decoded as usual
            return [self._decode_one(n, plain_json) for n in notifications]

    def _decode_one(self, notification: Notification, plain_json: bool) -> Item:
        try:
            event = self.app.mapper.to_domain_event(notification)
        except Exception as error:
            log.error("notification %s does not decode: %s", notification.id, poison.error_text(error))
            version = int(notification.originator_version)
            originator_id = UUID(str(notification.originator_id))
            return Item(notification.id, Undecodable(originator_id, version, notification.topic, error))
        return Item(notification.id, event, notification.state if plain_json else None)

    def _update(
        self, conn: Connection, projection: Projection, part: Batch, position: int, failures: dict[str, BaseException]
    ) -> None:
        """One projection's update with ``part``: whole, or isolating its poison events when ``apply`` fails."""
        try:
            try:
                self._apply_whole(conn, projection, part, position)
            except _Poisoned as poisoned:
                log.warning(
                    "projection %s failed on notifications %s..%s (%s): isolating the events that fail",
                    projection.name,
                    part.first_id,
                    part.last_id,
                    poison.error_text(poisoned.error),
                )
                self.states.clear()
                self._apply_isolating(conn, projection, part, position)
        except tracking.TrackingMoved:
            log.info("projection %s moved by another runner; re-reading", projection.name)
        except Exception as error:
            log.exception("projection %s failed on notifications %s..%s", projection.name, part.first_id, part.last_id)
            self.states.clear()
            failures[projection.name] = error

    def _begin_update(self, conn: Connection, name: str) -> set[UUID]:
        """In the update's transaction: hold the tracking row, and read the aggregates held in quarantine."""
        relax_durability(conn)
        tracking.lock(conn, name)
        return quarantine.held_originators(conn, name)

    def _apply_whole(self, conn: Connection, projection: Projection, part: Batch, position: int) -> None:
        """The fast path: the whole part in one transaction (but the aggregates held in quarantine)."""
        with conn.begin():
            held = self._begin_update(conn, projection.name)
            blocked = [oid for oid in part.originators() if oid in held]
            applied = part.only(set(part.originators()) - held) if blocked else part
            broken = applied.undecodable()
            if broken:
                raise _Poisoned(next(iter(broken.values())).error)
            if applied.items:
                try:
                    projection.apply(applied, conn)
                except Exception as error:
                    if poison.isolatable(error):
                        raise _Poisoned(error) from error
                    raise
            self._hold(conn, projection.name, part, blocked)
            self._finish(conn, projection.name, part, position)

    def _apply_isolating(self, conn: Connection, projection: Projection, part: Batch, position: int) -> None:
        """The slow path, after ``apply`` failed: find the aggregates and events that fail, quarantine
        them (with the aggregates' later events), apply everything else, move the tracking."""
        with conn.begin():
            held = self._begin_update(conn, projection.name)
            blocked = [oid for oid in part.originators() if oid in held]
            broken = part.undecodable()
            todo = [oid for oid in part.originators() if oid not in held and oid not in broken]
            failing = [
                *(oid for oid in broken if oid not in held),
                *poison.failing_aggregates(conn, projection, part, todo),
            ]
            rows: list[dict[str, Any]] = []
            for originator_id in failing:
                items = list(part.only({originator_id}).items)
                found = poison.first_poison(conn, projection, items, part)
                if found is None:
                    continue  # one at a time they all applied
                index, error = found
                log.error(
                    "projection %s: notification %s (aggregate %s) quarantined: %s",
                    projection.name,
                    items[index].notification_id,
                    originator_id,
                    poison.error_text(error),
                )
                rows += poison.quarantine_rows(
                    projection.name,
                    items[index:],
                    error=poison.error_text(error),
                    held_behind=None,
                    subject=self._subject,
                )
            quarantine.put(conn, rows)
            self._hold(conn, projection.name, part, blocked)
            self._finish(conn, projection.name, part, position)

    def _hold(self, conn: Connection, name: str, part: Batch, blocked: Sequence[UUID]) -> None:
        """The events of aggregates already in quarantine wait behind their first quarantined event."""
        if not blocked:
            return
        behind = quarantine.first_of(conn, name, blocked)
        rows: list[dict[str, Any]] = []
        for originator_id in blocked:
            items = part.only({originator_id}).items
            rows += poison.quarantine_rows(
                name, items, error="", held_behind=behind[originator_id], subject=self._subject
            )
        quarantine.put(conn, rows)

    def _finish(self, conn: Connection, name: str, part: Batch, position: int) -> None:
        if self.before_commit is not None:
            self.before_commit(name, part)
        tracking.advance(conn, name, position, part.last_id)

    def _subject(self, originator_id: UUID) -> poison.Subject:
        """Company and customer code of an aggregate, from its first event (None, None if unreadable)."""
        found = self._subjects.get(originator_id)
        if found is not None:
            return found
        subject: poison.Subject = (None, None)
        try:
            stored = self.app.recorder.select_events(originator_id, lte=1, limit=1)
            if stored:
                event = self.app.mapper.to_domain_event(stored[0])
                subject = subject_from_creation(event, vars(event)) or (None, None)
        except Exception:  # the subject only labels the quarantine row
            log.exception("aggregate %s: company and customer not readable", originator_id)
        self._subjects[originator_id] = subject
        return subject

    def _fetch(self, notification_ids: Sequence[int]) -> list[Item]:
        notifications = []
        for nid in notification_ids:
            found = self.app.recorder.select_notifications(start=nid, limit=1)
            if found and found[0].id == nid:
                notifications.append(found[0])
        return self.decode(notifications)

    def _retry_aggregate(self, conn: Connection, projection: Projection, originator_id: UUID) -> bool:
        """Apply one aggregate's quarantined events; on a failure apply those before the first that
        fails and keep the rest. True when the aggregate left the quarantine."""
        name = projection.name
        try:
            with conn.begin():
                self._begin_update(conn, name)
                waiting = [q for q in quarantine.of_projection(conn, name) if q.originator_id == str(originator_id)]
                if not waiting:
                    return True
                items = self._fetch([q.notification_id for q in waiting])
                attempts = max(q.attempts for q in waiting) + 1
                batch = Batch(items, self.states, as_of=self.clock.today(), lookups=self.lookups, contiguous=False)
                failed = batch.undecodable() or poison.failing_aggregates(conn, projection, batch, [originator_id])
                quarantine.release(conn, name, originator_id)
                if not failed:
                    log.info("projection %s: aggregate %s released from quarantine", name, originator_id)
                    return True
                found = poison.first_poison(conn, projection, items, batch)
                if found is None:
                    return True
                index, error = found
                quarantine.put(
                    conn,
                    poison.quarantine_rows(
                        name,
                        items[index:],
                        error=poison.error_text(error),
                        held_behind=None,
                        subject=self._subject,
                        attempts=attempts,
                    ),
                )
                log.error("projection %s: aggregate %s still fails: %s", name, originator_id, poison.error_text(error))
                return False
        except Exception:
            log.exception("projection %s: retry of aggregate %s failed", name, originator_id)
            self.states.clear()
            return False
