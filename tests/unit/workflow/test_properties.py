"""Properties of the workflow over random interleavings of bills, payments, outcomes, locks and ticks."""

from __future__ import annotations

import contextlib
from datetime import date, timedelta
from decimal import Decimal
from functools import reduce
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from creditbox.domain.codes import CustomerType, Service, SupplyType
from creditbox.domain.company import CompanySettings
from creditbox.domain.documents import SupplyDetails
from creditbox.domain.errors import DomainError
from creditbox.domain.position import Position
from creditbox.domain.workflow.calendar import SuspensionCalendar
from creditbox.domain.workflow.cases import StepStatus
from creditbox.domain.workflow.ladder import is_interruption
from creditbox.domain.workflow.outcomes import LockReason, StepOutcome, allowed_outcomes
from tests.unit.workflow.scenario import customer
from tests.unit.workflow.table import standard_table

START = date(2026, 1, 1)
SUPPLIES = {
    "W": (Service.WATER, SupplyType.SUSPENDABLE),
    "G": (Service.GAS, SupplyType.SUSPENDABLE),
    "N": (Service.ELECTRICITY, SupplyType.NON_SUSPENDABLE),
    "P": (Service.WATER, SupplyType.PUBLIC_BODY),
}
TABLE = standard_table()
SETTINGS = CompanySettings()
CALENDAR = SuspensionCalendar(SETTINGS)

ops = st.lists(
    st.one_of(
        st.tuples(st.just("tick"), st.integers(1, 30)),
        st.tuples(st.just("bill"), st.sampled_from(sorted(SUPPLIES)), st.integers(5, 2500), st.integers(-20, 20)),
        st.tuples(st.just("pay"), st.integers(5, 1500)),
        st.tuples(st.just("outcome"), st.sampled_from(list(StepOutcome)), st.integers(0, 5)),
        st.tuples(st.just("lock"), st.sampled_from([None, *sorted(SUPPLIES)]), st.integers(1, 40)),
        st.tuples(st.just("operator"), st.integers(0, 3)),
    ),
    min_size=1,
    max_size=40,
)


def _position(customer_type: CustomerType) -> Position:
    position = Position.register("ACQ", "C1", customer(customer_type), by="t")
    for code, (service, supply_type) in SUPPLIES.items():
        position.register_supply(SupplyDetails(code, service, supply_type), by="t")
    return position


def _apply(position: Position, op: tuple[Any, ...], today: date, n: int) -> date:
    kind = op[0]
    if kind == "tick":
        for _ in range(op[1]):
            today += timedelta(days=1)
            position.run_workflow(TABLE, SETTINGS, today, by="scheduler")
            # running the same day twice records nothing the second time
            assert position.run_workflow(TABLE, SETTINGS, today, by="scheduler") == 0
    elif kind == "bill":
        due = today + timedelta(days=op[3])
        position.issue_bill(f"B{n}", op[1], due - timedelta(days=30), due, Decimal(op[2]), by="t")
    elif kind == "pay":
        position.receive_payment(f"P{n}", today, Decimal(op[1]), by="t")
    else:
        with contextlib.suppress(DomainError):  # an operator command that does not apply now
            _operator_command(position, op, today)
    return today


def _operator_command(position: Position, op: tuple[Any, ...], today: date) -> None:
    kind = op[0]
    if kind == "lock":
        position.set_lock(LockReason.COMPLAINT, op[1], today, today + timedelta(days=op[2]), "", by="op")
        return
    for case in position.dunning.cases.values():
        if kind == "outcome":
            executed = [s for s in case.steps if s.status == StepStatus.EXECUTED]
            if executed:
                step = executed[op[2] % len(executed)]
                if op[1] in allowed_outcomes(step.action_code):
                    position.record_outcome(case.case_id, step.seq, op[1], today, "", by="op")
        elif kind == "operator" and case.is_open and case.pending_step is not None:
            step = case.pending_step
            if step.status == StepStatus.PROPOSED:
                position.confirm_proposal(case.case_id, step.seq, today, by="op")
            elif step.status == StepStatus.AWAITING_APPROVAL:
                position.approve_step(case.case_id, step.seq, op[1], SETTINGS, today, by="boss")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops, st.sampled_from([CustomerType.DOMESTIC, CustomerType.NON_DOMESTIC, CustomerType.PUBLIC_BODY]))
def test_workflow_invariants(operations: list[tuple[Any, ...]], customer_type: CustomerType) -> None:
    position = _position(customer_type)
    history: list[Any] = list(position.collect_events())
    today = START
    for n, op in enumerate(operations):
        today = _apply(position, op, today, n)
        history.extend(position.collect_events())
        # never two open cases on one supply
        for code in SUPPLIES:
            assert sum(1 for c in position.dunning.cases_of(code) if c.is_open) <= 1

    closed_on: dict[str, int] = {}
    last_seq: dict[str, int] = {}
    for index, event in enumerate(history):
        name = type(event).__name__
        case_id = getattr(event, "case_id", None)
        if name in ("CaseClosedAsPaid", "CaseWrittenOff", "RepaymentPlanCompleted", "LitigationOutcomeRecorded"):
            closed_on[case_id] = index
        if name in ("StepExecuted", "StepSkipped", "StepProposed", "ApprovalRequested"):
            # a closed case runs nothing
            assert case_id not in closed_on
        if name in ("StepSkipped", "StepProposed", "ApprovalRequested") or (
            name == "StepExecuted" and event.seq > last_seq.get(case_id, 0)
        ):
            # steps of a case run in sequence order
            assert event.seq > last_seq.get(case_id, 0)
            last_seq[case_id] = event.seq
        if name == "StepExecuted" and is_interruption(event.action_code, event.parameters.get("tech")):
            supply = position.supplies[event.supply_code]
            # never a suspension request for supply type 2 or 4, a public body, or on a forbidden day
            assert supply.supply_type not in (SupplyType.NON_SUSPENDABLE, SupplyType.PUBLIC_BODY)
            assert customer_type != CustomerType.PUBLIC_BODY
            assert not CALENDAR.is_forbidden(event.business_date)

    # replaying the events gives an equal position
    replayed = reduce(lambda aggregate, event: event.mutate(aggregate), history, None)
    assert isinstance(replayed, Position)
    assert replayed.dunning == position.dunning
    assert replayed.supplies == position.supplies
    assert replayed.version == position.version
