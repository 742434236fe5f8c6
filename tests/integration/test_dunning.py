"""The dunning service, on the in-memory event store: ticks, idempotency, commands, the outbox."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from creditbox.application.records import BillRecord, CustomerRecord, PaymentRecord, SupplyRecord
from creditbox.bootstrap import Container
from creditbox.clock import FixedClock
from creditbox.domain.codes import ActionCode
from creditbox.domain.errors import NotAllowed
from creditbox.domain.ids import company_id, position_id
from creditbox.domain.workflow.cases import CaseStatus, StepStatus
from creditbox.domain.workflow.outcomes import LockReason, StepOutcome
from creditbox.infrastructure.recording_dispatcher import RecordingDispatcher
from tests.builders import details, supply

pytestmark = pytest.mark.use_case

DUE = date(2026, 1, 31)


def _given_a_water_customer(container: Container, customer: str = "C1", amount: str = "120.00") -> None:
    if not container.app.exists(company_id("ACQ")):
        container.companies.register("ACQ", "Acque", by="test")
    records = [
        CustomerRecord(customer, details(mobile="3331234567", address="Via Roma 1", postcode="00184", city="Roma")),
        SupplyRecord(customer, supply(f"S-{customer}")),
        BillRecord(f"B-{customer}", customer, f"S-{customer}", date(2026, 1, 1), DUE, Decimal(amount)),
    ]
    container.ingestor().ingest("ACQ", records, by="test")


def _events(container: Container, customer: str = "C1") -> list[str]:
    return [type(e).__name__ for e in container.app.repository.event_store.get(position_id("ACQ", customer))]


def test_a_tick_opens_the_case_and_executes_the_first_step(container: Container) -> None:
    _given_a_water_customer(container)
    report = container.dunning().run_due("ACQ", date(2026, 2, 10))
    assert report.positions == 1
    assert report.events["DunningCaseOpened"] == 1
    assert [a.action_code for a in report.actions] == [ActionCode.SMS]
    assert report.actions[0].recipient == "3331234567"
    assert report.actions[0].action_id == "ACQ/C1/S-C1/1/1"
    dispatcher = container.dispatcher
    assert isinstance(dispatcher, RecordingDispatcher)
    assert [a.action_id for a in dispatcher.actions] == ["ACQ/C1/S-C1/1/1"]


def test_running_the_same_date_twice_records_nothing_the_second_time(container: Container) -> None:
    _given_a_water_customer(container)
    container.dunning().run_due("ACQ", date(2026, 2, 10))
    before = container.app.recorder.max_notification_id()
    again = container.dunning().run_due("ACQ", date(2026, 2, 10))
    assert again.event_count == 0 and again.actions == []
    assert container.app.recorder.max_notification_id() == before


def test_nothing_opens_before_the_grace_period(container: Container) -> None:
    _given_a_water_customer(container)
    report = container.dunning().run_due("ACQ", DUE + timedelta(days=9))
    assert report.event_count == 0


def test_the_outbox_lists_the_actions_from_the_event_log(container: Container) -> None:
    _given_a_water_customer(container, "C1")
    _given_a_water_customer(container, "C/2")
    container.dunning().run_due("ACQ", date(2026, 2, 10))
    container.dunning().run_due("ACQ", date(2026, 2, 15))
    listed = container.recorded_actions().list("ACQ")
    assert sorted((a.customer_code, a.seq, a.action_code) for a in listed) == [
        ("C/2", 1, ActionCode.SMS),
        ("C/2", 2, ActionCode.REGISTERED_LETTER),
        ("C1", 1, ActionCode.SMS),
        ("C1", 2, ActionCode.REGISTERED_LETTER),
    ]
    assert container.recorded_actions().list("OTHER") == []


def test_a_proposal_is_confirmed_and_approved_then_runs(container: Container, clock: FixedClock) -> None:
    _given_a_water_customer(container)
    service = container.dunning()
    commands = container.case_commands()
    service.run_due("ACQ", date(2026, 2, 10))
    service.run_due("ACQ", date(2026, 2, 15))
    clock.set(date(2026, 2, 18))
    commands.record_outcome("ACQ", "C1", "S-C1/1", 2, StepOutcome.DELIVERED, date(2026, 2, 18), by="op")
    service.run_due("ACQ", date(2026, 3, 30))  # delivered + 40 days: the limitation is proposed
    position = service.load("ACQ", "C1")
    step = position.case("S-C1/1").step(3)
    assert step is not None and step.status == StepStatus.PROPOSED
    clock.set(date(2026, 3, 30))
    confirmed = commands.confirm_proposal("ACQ", "C1", "S-C1/1", 3, by="op")
    assert confirmed.events == ["ProposalConfirmed"]
    with pytest.raises(NotAllowed, match="livello"):
        commands.approve_step("ACQ", "C1", "S-C1/1", 3, level=0, by="junior")
    approved = commands.approve_step("ACQ", "C1", "S-C1/1", 3, level=1, by="boss")
    assert approved.events == ["StepApproved", "StepExecuted"]  # Monday 30/03/2026: an allowed day
    again = commands.approve_step("ACQ", "C1", "S-C1/1", 3, level=1, by="boss")
    assert again.changed is False and again.events == []


def test_payment_closes_the_case_as_paid(container: Container, clock: FixedClock) -> None:
    _given_a_water_customer(container)
    container.dunning().run_due("ACQ", date(2026, 2, 10))
    container.ingestor().ingest("ACQ", [PaymentRecord("P1", "C1", date(2026, 2, 12), Decimal("115.00"))], by="t")
    report = container.dunning().run_due("ACQ", date(2026, 2, 13))
    assert report.events["CaseClosedAsPaid"] == 1
    position = container.dunning().load("ACQ", "C1")
    assert position.case("S-C1/1").status == CaseStatus.CLOSED_PAID


def test_a_lock_holds_the_ladder_until_lifted(container: Container, clock: FixedClock) -> None:
    _given_a_water_customer(container)
    clock.set(date(2026, 2, 1))
    result = container.case_commands().set_lock("ACQ", "C1", LockReason.COMPLAINT, note="reclamo 12", by="op")
    assert result.lock_id == "B1"
    report = container.dunning().run_due("ACQ", date(2026, 2, 10))
    assert report.events["DunningCaseOpened"] == 1 and report.actions == []
    clock.set(date(2026, 2, 20))
    lifted = container.case_commands().lift_lock("ACQ", "C1", "B1", by="op")
    assert lifted.events[:2] == ["LockLifted", "StepExecuted"]
    assert "LockSet" in _events(container)
