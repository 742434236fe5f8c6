"""The base of the events a position records, each a class with an explicit topic.

A concrete event declares ``TOPIC``: the name its stored events are found by, which must never
change (renaming a class must not orphan what is stored). Declaring it registers the class under
that topic, so stored events resolve to it on any backend.
"""

from __future__ import annotations

from typing import Any, ClassVar

from eventsourcing.domain import Aggregate
from eventsourcing.utils import register_topic

POSITION_TOPIC_PREFIX = "creditbox.position."


class RecordedEvent(Aggregate.Event):
    """An event recorded on an aggregate by someone (``by``: an operator, an import, the scheduler)."""

    TOPIC: ClassVar[str]
    by: str

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "TOPIC" in cls.__dict__:  # a concrete event: its stored events resolve to it
            register_topic(cls.TOPIC, cls)


def concrete_events(topic_prefix: str) -> tuple[type[RecordedEvent], ...]:
    """Every concrete event class whose topic starts with ``topic_prefix``, by name."""
    found: list[type[RecordedEvent]] = []
    pending: list[type[RecordedEvent]] = [RecordedEvent]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if "TOPIC" in cls.__dict__ and cls.TOPIC.startswith(topic_prefix):
            found.append(cls)
    return tuple(sorted(found, key=lambda c: c.__name__))
