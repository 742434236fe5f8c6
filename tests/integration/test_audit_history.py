"""``creditbox audit history`` and the two cuts of a history (``application/history.py``).

- Over generated histories (business days in order, each with bills, payments, dunning runs and
  outcomes), the position replayed **as of** a business date equals the position as it was saved at
  the end of that day, and the position replayed **as recorded at** the instant after that day equals
  it too: a replay is what the system knew then, not today's state valued at a date.
- The CLI prints every event with its business date, recording time, author and Italian description;
  ``--as-recorded-at`` leaves out what was recorded later; the API's history route takes the same cut.
"""

from __future__ import annotations

import itertools
import json
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from creditbox.application.records import BillRecord, CustomerRecord, PaymentRecord, SupplyRecord
from creditbox.bootstrap import Container
from creditbox.clock import FixedClock
from creditbox.domain.errors import NotFound
from creditbox.domain.ids import position_id
from creditbox.domain.workflow.outcomes import MESSAGE_CODES, StepOutcome
from tests.builders import details, supply
from tests.compatibility.digest import state_digest
from tests.integration.command_line import run, use_database

FIRST_DAY = date(2026, 1, 5)
CONTACTS = details(mobile="3331234567", address="Via Roma 1", postcode="00184", city="Roma")
customers = itertools.count(1)

# One business day: its distance from the day before, a bill (days to its due date, amount), a
# payment, a dunning run, a delivery outcome for the first executed message step without one.
day_plan = st.fixed_dictionaries(
    {
        "gap": st.integers(min_value=1, max_value=20),
        "bill": st.none() | st.tuples(st.integers(min_value=0, max_value=10), st.integers(min_value=10, max_value=400)),
        "payment": st.none() | st.integers(min_value=5, max_value=300),
        "run": st.booleans(),
        "outcome": st.booleans(),
    }
)


def _live_day(container: Container, customer: str, day: date, plan: dict[str, Any], n: int) -> None:
    ingest = container.ingestor().ingest
    if plan["bill"] is not None:
        to_due, amount = plan["bill"]
        due = day + timedelta(days=to_due)
        bill = BillRecord(f"B{customer}-{n}", customer, f"S{customer}", day, due, Decimal(amount))
        ingest("ACQ", [bill], by="t")
    if plan["payment"] is not None:
        ingest("ACQ", [PaymentRecord(f"P{customer}-{n}", customer, day, Decimal(plan["payment"]))], by="t")
    if plan["run"]:
        container.dunning().run_due("ACQ", day)
    if plan["outcome"]:
        _deliver_one(container, customer, day)


def _deliver_one(container: Container, customer: str, day: date) -> None:
    position = container.positions.load("ACQ", customer)
    for case in position.dunning.cases.values():
        for step in case.steps:
            if step.status.value == "executed" and not step.outcomes and step.action_code in MESSAGE_CODES:
                commands = container.case_commands()
                commands.record_outcome("ACQ", customer, case.case_id, step.seq, StepOutcome.DELIVERED, day, by="t")
                return


@pytest.mark.use_case
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plans=st.lists(day_plan, min_size=2, max_size=8))
def test_replays_by_business_date_and_by_recording_time_equal_the_position_then(
    container: Container, clock: FixedClock, plans: list[dict[str, Any]]
) -> None:
    customer = f"C{next(customers)}"  # each example its own customer: the container outlives them
    # Master data (the registration) has no business date of its own: it takes the date of the first
    # dated event, so the first day always issues a bill (see ``application/history.py``).
    plans[0] = {**plans[0], "bill": plans[0]["bill"] or (5, 100)}
    try:
        container.companies.require("ACQ")
    except NotFound:
        container.companies.register("ACQ", "Acque", by="t")
    clock.set(FIRST_DAY)
    container.ingestor().ingest(
        "ACQ", [CustomerRecord(customer, CONTACTS), SupplyRecord(customer, supply(f"S{customer}"))], by="t"
    )
    day = FIRST_DAY
    snapshots: list[tuple[date, datetime, dict[str, Any]]] = []
    for n, plan in enumerate(plans):
        day += timedelta(days=plan["gap"])
        clock.set(day)
        _live_day(container, customer, day, plan, n)
        saved = container.app.repository.get(position_id("ACQ", customer))
        time.sleep(0.002)
        snapshots.append((day, datetime.now(UTC), state_digest(saved)))
        time.sleep(0.002)
    zone = clock.now().tzinfo
    for on, instant, expected in snapshots:
        by_date = container.positions.history("ACQ", customer, as_of=on, zone=zone).position
        assert by_date is not None
        assert state_digest(by_date) == expected, f"as of {on}"
        by_time = container.positions.history("ACQ", customer, as_of=None, zone=zone, as_recorded_at=instant)
        assert by_time.position is not None
        assert state_digest(by_time.position) == expected, f"as recorded at {instant}"


# ---- the command and the route -------------------------------------------------------------------


@pytest.fixture
def recorded(container: Container, clock: FixedClock, database_url: str, monkeypatch: pytest.MonkeyPatch) -> datetime:
    """C1 with an overdue bill and its first reminder; then (recorded later) a payment. Returns an
    instant between the two."""
    use_database(database_url, monkeypatch, company="ACQ", name="Acque")
    monkeypatch.setenv("COLUMNS", "250")
    ingest = container.ingestor().ingest
    clock.set(date(2026, 2, 10))
    ingest("ACQ", [CustomerRecord("C1", CONTACTS), SupplyRecord("C1", supply("S1"))], by="test")
    ingest("ACQ", [BillRecord("B1", "C1", "S1", date(2026, 1, 1), date(2026, 1, 31), Decimal("120.00"))], by="test")
    container.dunning().run_due("ACQ", date(2026, 2, 10))
    time.sleep(0.01)
    between = datetime.now(UTC)
    time.sleep(0.01)
    ingest("ACQ", [PaymentRecord("P1", "C1", date(2026, 2, 5), Decimal("120.00"))], by="feed")
    return between


def _history(*args: str) -> dict[str, Any]:
    code, out, err = run("audit", "history", "C1", "--company", "ACQ", *args, "--json")
    assert code == 0, out + err
    return dict(json.loads(out))


@pytest.mark.cli_or_api
@pytest.mark.postgres_smoke
def test_audit_history_lists_every_event_with_who_when_and_what(recorded: datetime) -> None:
    everything = _history()
    types = [e["type"] for e in everything["events"]]
    assert types[0] == "CustomerRegistered"
    assert "BillIssued" in types and "DunningCaseOpened" in types and types[-1] == "PaymentReceived"
    assert [e["version"] for e in everything["events"]] == list(range(1, len(types) + 1))
    payment = everything["events"][-1]
    assert payment["by"] == "feed" and payment["business_date"] == "2026-02-05"
    assert "120,00" in payment["description"]
    assert all(e["description"] for e in everything["events"])
    assert everything["position"]["balance"] == "0.00"


@pytest.mark.cli_or_api
def test_as_recorded_at_shows_what_the_system_showed_then(recorded: datetime) -> None:
    # The payment is dated 5 February: a business-date cut at 10 February includes it...
    by_date = _history("--as-of", "2026-02-10")
    assert by_date["events"][-1]["type"] == "PaymentReceived"
    # ...but it was recorded after ``recorded``: the system did not show it then.
    then = _history("--as-recorded-at", recorded.isoformat())
    assert "PaymentReceived" not in [e["type"] for e in then["events"]]
    assert then["position"]["balance"] == "120.00"
    assert any("registrati dopo esclusi" in note for note in then["notes"])
    code, out, err = run("audit", "history", "C1", "--company", "ACQ")
    assert code == 0, err
    assert "Storia del cliente C1" in out
    assert "120,00" in out


@pytest.mark.cli_or_api
def test_a_bad_instant_is_refused_with_exit_code_2(recorded: datetime) -> None:
    code, _, err = run("audit", "history", "C1", "--company", "ACQ", "--as-recorded-at", "ieri")
    assert code == 2
    assert "--as-recorded-at" in err and "istante non valido" in err
