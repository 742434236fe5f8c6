"""Every event of every aggregate reads as an Italian sentence in the audit trail (no fallback to
the bare event name and its data), and every aggregate has an Italian label."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from eventsourcing.domain import Aggregate

import creditbox.domain.actions_table
import creditbox.domain.chain_seal
import creditbox.domain.company
import creditbox.domain.document_ownership
import creditbox.domain.import_profile
import creditbox.domain.imports
import creditbox.domain.operators
import creditbox.domain.position
import creditbox.domain.supply_ownership
import creditbox.domain.tokens  # noqa: F401  (the modules above define the aggregates)
from creditbox.projections.describe import AGGREGATES, DESCRIBERS
from creditbox.projections.event_labels import EVENT_LABELS


def _aggregates(cls: type = Aggregate) -> Iterator[type]:
    for sub in cls.__subclasses__():
        if sub.__module__.startswith("creditbox."):
            yield sub
        yield from _aggregates(sub)


AGGREGATE_CLASSES = sorted(set(_aggregates()), key=lambda c: c.__name__)
EVENTS = sorted(
    {
        *(
            (aggregate.__name__, name)
            for aggregate in AGGREGATE_CLASSES
            for name, value in vars(aggregate).items()
            if isinstance(value, type) and issubclass(value, Aggregate.Event) and name not in ("Event", "Created")
        ),
        *(
            (aggregate.__name__, event.__name__)
            for aggregate in AGGREGATE_CLASSES
            for event in getattr(aggregate, "RECORDED_EVENTS", ())
        ),
    }
)


def test_the_domain_has_the_aggregates_we_expect() -> None:
    assert len(AGGREGATE_CLASSES) >= 8 and len(EVENTS) >= 40


@pytest.mark.parametrize(("aggregate", "event"), EVENTS)
def test_every_event_has_an_italian_description(aggregate: str, event: str) -> None:
    assert event in DESCRIBERS, f"{aggregate}.{event} has no describer in projections/describe.py"


@pytest.mark.parametrize(("aggregate", "event"), EVENTS)
def test_every_event_has_a_short_italian_name_for_counts(aggregate: str, event: str) -> None:
    assert event in EVENT_LABELS, f"{aggregate}.{event} has no short name in projections/event_labels.py"
    assert EVENT_LABELS[event] != event and EVENT_LABELS[event][:1].islower()


@pytest.mark.parametrize("aggregate", [c.__name__ for c in AGGREGATE_CLASSES])
def test_every_aggregate_has_an_italian_label(aggregate: str) -> None:
    assert aggregate in AGGREGATES
