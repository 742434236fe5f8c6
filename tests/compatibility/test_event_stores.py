"""Stored events written by the code of each past version load with today's code into the same states.

``event_store_<version>.jsonl`` holds every event a small but complete history recorded by the code
of that version (see ``generate_event_store.py`` and the README): each test inserts them, text for
text, into a fresh store of its backend (SQLite and PostgreSQL) and reads them back with today's code.
v1 was written before the event classes were written out (issue 10); v2 adds the outbox's send
failures (issue 11); v3 the milestones of the legal proceedings (issue 14).
"""

from __future__ import annotations

import inspect
import json
from typing import Any

import pytest
from eventsourcing.domain import CanMutateAggregate
from eventsourcing.utils import resolve_topic

from creditbox.bootstrap import Container
from creditbox.projections.queries.cases import list_cases
from creditbox.projections.queries.paging import MAX_LIMIT
from creditbox.projections.queries.positions import list_positions
from tests.compatibility.digest import as_then
from tests.compatibility.stored_events import (
    POSITION_TOPICS,
    expected_path,
    export_path,
    import_events,
    position_event_topics,
    read_export,
    replayed_digests,
)

VERSIONS = ("v1", "v2", "v3")
EXPORTS = {version: read_export(export_path(version)) for version in VERSIONS}
EXPECTATIONS: dict[str, dict[str, dict[str, Any]]] = {
    version: json.loads(expected_path(version).read_text("utf-8")) for version in VERSIONS
}
# The decisions that record the settings version since settings are versioned; before, they had none.
VERSIONED_DECISIONS = {
    POSITION_TOPICS + name
    for name in (
        "DunningCaseOpened",
        "StepExecuted",
        "StepApproved",
        "InstalmentPaid",
        "InstalmentMissed",
        "WriteOffApproved",
        "HandedOverToLitigation",
    )
}


@pytest.fixture(params=VERSIONS)
def version(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def replayed(container: Container, version: str) -> Container:
    """A fresh store of the backend holding the version's stored events."""
    import_events(container.app, EXPORTS[version])
    return container


def test_the_store_holds_the_exported_events_text_for_text(replayed: Container, version: str) -> None:
    exported = EXPORTS[version]
    stored = replayed.app.recorder.select_notifications(start=1, limit=len(exported) + 1)
    assert [(str(n.originator_id), n.originator_version, n.topic, n.state.decode("utf-8")) for n in stored] == [
        (e["originator_id"], e["originator_version"], e["topic"], e["state"]) for e in exported
    ]


def test_every_aggregate_replays_into_the_state_it_had(replayed: Container, version: str) -> None:
    exported, expected_states = EXPORTS[version], EXPECTATIONS[version]
    replayed_states = replayed_digests(replayed.app, exported)
    assert replayed_states.keys() == expected_states.keys()
    first_topic = {e["originator_id"]: e["topic"] for e in reversed(exported)}
    for aggregate_id, expected in expected_states.items():
        named = " ".join(str(expected.get(key, "")) for key in ("company", "customer_code", "code", "name"))
        replayed_state = as_then(replayed_states[aggregate_id], expected)
        assert replayed_state == expected, f"{first_topic[aggregate_id]} {aggregate_id} {named}"


def test_every_topic_resolves_to_an_event_class(version: str) -> None:
    exported = EXPORTS[version]
    for topic in sorted({e["topic"] for e in exported}):
        event_class = resolve_topic(topic)
        assert inspect.isclass(event_class) and issubclass(event_class, CanMutateAggregate), topic


def test_the_exports_cover_every_event_a_position_records() -> None:
    # A new event class of Position needs its own compatibility coverage: a new version file
    # (see the README) that records it.
    exported = {e["topic"] for v in VERSIONS for e in EXPORTS[v] if e["topic"].startswith(POSITION_TOPICS)}
    assert position_event_topics() - exported == set()
    assert exported - position_event_topics() == set()  # nothing the Position no longer records


def test_the_export_holds_decisions_with_and_without_a_settings_version(version: str) -> None:
    exported = EXPORTS[version]

    def shapes(topic: str) -> set[bool]:
        return {"settings_version" in json.loads(e["state"]) for e in exported if e["topic"] == topic}

    assert {topic: shapes(topic) for topic in VERSIONED_DECISIONS} == {t: {True, False} for t in VERSIONED_DECISIONS}


def test_the_read_models_rebuilt_from_the_store_answer(replayed: Container, version: str) -> None:
    expected_states = EXPECTATIONS[version]
    replayed.projections.rebuild()
    assert replayed.projections.quarantine_counts() == {}
    positions = [state for state in expected_states.values() if "dunning" in state]
    with replayed.projections.connect() as conn:
        for company in sorted({p["company"] for p in positions}):
            listed = list_positions(conn, company, limit=MAX_LIMIT).items
            assert sorted(row.customer_code for row in listed) == sorted(
                p["customer_code"] for p in positions if p["company"] == company
            )
            cases = list_cases(conn, company, open_only=False, limit=MAX_LIMIT).items
            assert sorted((row.customer_code, row.case_id, row.status) for row in cases) == sorted(
                (p["customer_code"], f"{company}/{p['customer_code']}/{case_id}", case["status"])
                for p in positions
                if p["company"] == company
                for case_id, case in p["dunning"]["cases"].items()
            )
