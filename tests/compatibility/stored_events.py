"""The portable export of an event store, and what the generator and the test do with it.

An export is a JSON Lines file: one stored event a line, in notification order, with its
notification ``id``, ``originator_id``, ``originator_version``, ``topic`` and ``state`` (the stored
JSON text, exactly as the recorder holds it). It does not depend on SQLite or PostgreSQL: the test
inserts the same events into a fresh store of either through the recorder.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.domain import CanMutateAggregate
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from creditbox.domain.position import Position
from creditbox.infrastructure.event_store import CreditBoxApplication
from tests.compatibility.digest import state_digest

HERE = Path(__file__).parent
POSITION_TOPICS = "creditbox.position."
# Declared by Position as the base of its creation event, never recorded itself: the creation
# event is CustomerRegistered (the ``@event`` on ``__init__``).
NEVER_RECORDED = frozenset({"creditbox.position.Created"})
PAGE = 1000


def export_path(version: str) -> Path:
    return HERE / f"event_store_{version}.jsonl"


def expected_path(version: str) -> Path:
    return HERE / f"expected_states_{version}.json"


def export_events(app: CreditBoxApplication) -> list[dict[str, Any]]:
    """Every stored event of ``app``, in notification order."""
    exported: list[dict[str, Any]] = []
    start = 1
    while page := app.recorder.select_notifications(start=start, limit=PAGE):
        exported.extend(
            {
                "id": n.id,
                "originator_id": str(n.originator_id),
                "originator_version": n.originator_version,
                "topic": n.topic,
                "state": n.state.decode("utf-8"),
            }
            for n in page
        )
        start = page[-1].id + 1
    return exported


def write_export(path: Path, events: Iterable[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for exported in events:
            out.write(json.dumps(exported, ensure_ascii=False) + "\n")


def read_export(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def stored_event(exported: dict[str, Any]) -> StoredEvent:
    return StoredEvent(
        originator_id=UUID(exported["originator_id"]),
        originator_version=int(exported["originator_version"]),
        topic=exported["topic"],
        state=exported["state"].encode("utf-8"),
    )


def import_events(app: CreditBoxApplication, exported: list[dict[str, Any]]) -> None:
    """Insert the exported events, in their order, into ``app``'s (empty) store."""
    app.recorder.insert_events([stored_event(e) for e in exported])


def originators(exported: list[dict[str, Any]]) -> list[UUID]:
    """The aggregates of the export, in the order of their first event."""
    return [UUID(i) for i in dict.fromkeys(e["originator_id"] for e in exported)]


def replayed_digests(app: CreditBoxApplication, exported: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The digest of every aggregate of the export, replayed from ``app``'s store."""
    return {str(i): state_digest(app.repository.get(i)) for i in originators(exported)}


def position_event_topics() -> set[str]:
    """The topics of the events a Position records: the event classes nested in ``Position`` or
    attached to it as class attributes, those it lists in ``RECORDED_EVENTS``, and the subclasses
    of its event base class; the bases
    of other event classes (``Position.Event``) and ``NEVER_RECORDED`` are not recorded themselves."""
    candidates: set[type] = set()
    for _, value in inspect.getmembers(Position, inspect.isclass):
        if issubclass(value, CanMutateAggregate):
            candidates.add(value)
    candidates.update(getattr(Position, "RECORDED_EVENTS", ()))  # explicit event classes
    pending: list[type] = [Position.Event]
    while pending:
        klass = pending.pop()
        candidates.add(klass)
        pending.extend(klass.__subclasses__())
    bases = {base for klass in candidates for base in klass.__mro__[1:]}
    return {
        topic for klass in candidates if klass not in bases and (topic := get_topic(klass)).startswith(POSITION_TOPICS)
    } - NEVER_RECORDED
