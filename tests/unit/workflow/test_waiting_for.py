"""What an open case waits for: a code and an Italian label, never null while something blocks it."""

from __future__ import annotations

from datetime import date, timedelta

from creditbox.domain.codes import Service, SupplyType
from creditbox.domain.workflow.outcomes import LockReason, StepOutcome
from creditbox.domain.workflow.waiting import LockSpan, Waiting, WaitingCode, table_version_of, waiting_of, waiting_on
from tests.unit.workflow.scenario import DUE, Scenario

OPENED = DUE + timedelta(days=10)  # 10/02/2026
LETTER_SENT = OPENED + timedelta(days=5)  # 15/02/2026


def _waiting(scenario: Scenario, on: date, *, with_table: bool = True) -> Waiting | None:
    case = scenario.case
    table = scenario.table if with_table and table_version_of(case) == scenario.table.version else None
    position = scenario.position
    supply = position.supplies[case.supply_code]
    locks = list(position.dunning.locks.values())
    return waiting_of(case, locks, on, table, position.details, supply, case.overdue_at_opening)


def _letter_sent() -> Scenario:
    scenario = Scenario.given()
    scenario.tick(OPENED)
    scenario.days(LETTER_SENT)
    assert scenario.executed()[-1][0] == 2  # the registered letter
    return scenario


def test_a_registered_letter_waits_for_its_delivery_proof_with_and_without_the_table() -> None:
    scenario = _letter_sent()
    for with_table in (True, False):
        waiting = _waiting(scenario, LETTER_SENT + timedelta(days=3), with_table=with_table)
        assert waiting is not None and waiting.code == WaitingCode.DELIVERY_PROOF
        assert waiting.label.startswith("prova di consegna del passo 2 (Sollecito A/R)")


def test_a_held_letter_still_waits_and_says_so() -> None:
    scenario = _letter_sent()
    scenario.outcome(2, StepOutcome.HELD, LETTER_SENT + timedelta(days=2))
    waiting = _waiting(scenario, LETTER_SENT + timedelta(days=3))
    assert waiting == Waiting(WaitingCode.DELIVERY_PROOF, "prova di consegna del passo 2 (Sollecito A/R) (in giacenza)")


def test_a_delivered_letter_waits_only_for_a_date() -> None:
    scenario = _letter_sent()
    scenario.outcome(2, StepOutcome.DELIVERED, LETTER_SENT + timedelta(days=2))
    assert _waiting(scenario, LETTER_SENT + timedelta(days=3)) is None


def test_a_returned_letter_waits_for_the_failed_delivery_to_be_handled() -> None:
    scenario = _letter_sent()
    scenario.outcome(2, StepOutcome.RETURNED, LETTER_SENT + timedelta(days=2))
    waiting = _waiting(scenario, LETTER_SENT + timedelta(days=3))
    assert waiting is not None and waiting.code == WaitingCode.FAILED_DELIVERY


def test_an_active_complaint_lock_is_what_the_case_waits_for() -> None:
    # Given a case with the SMS sent, then a complaint lock on the supply from 12/02 until 28/02
    scenario = Scenario.given()
    scenario.tick(OPENED)
    scenario.position.set_lock(LockReason.COMPLAINT, "S1", date(2026, 2, 12), date(2026, 2, 28), "", by="op")
    scenario.collect()
    # Then while the lock is active the case waits for it, with reason, id, scope and dates
    waiting = _waiting(scenario, date(2026, 2, 20))
    assert waiting == Waiting(WaitingCode.LOCK, "sblocco: reclamo B1 (fornitura S1, dal 12/02/2026 fino al 28/02/2026)")
    # And before it starts and after it ends, it does not
    assert _waiting(scenario, date(2026, 2, 11)) is None
    assert _waiting(scenario, date(2026, 3, 1)) is None


def test_a_customer_wide_lock_until_lifted_and_its_lifting() -> None:
    scenario = Scenario.given()
    scenario.tick(OPENED)
    scenario.position.set_lock(LockReason.DISPUTE, None, OPENED, None, "", by="op")
    scenario.collect()
    waiting = _waiting(scenario, date(2026, 6, 1))
    assert waiting is not None and waiting.code == WaitingCode.LOCK
    assert "contestazione B1 (intero cliente, dal 10/02/2026 fino a revoca)" in waiting.label
    scenario.position.lift_lock("B1", date(2026, 3, 1), "", by="op")
    scenario.collect()
    assert _waiting(scenario, date(2026, 6, 1)) is None


def test_a_technical_office_request_waits_for_its_outcome() -> None:
    # Given a gas supply walked to its technical-office step (suspension, approved)
    scenario = Scenario.given(amount="300.00", service=Service.GAS, supply_type=SupplyType.SUSPENDABLE)
    scenario.tick(OPENED)
    for _ in range(120):
        last = scenario.case.last_executed
        if last is not None and last.action_code.code == 7:
            break
        scenario.days(scenario.today + timedelta(days=1), operator=True)
        for step in scenario.case.steps:
            if step.status.value == "executed" and not step.outcomes and step.action_code.code != 7:
                scenario.outcome(step.seq, StepOutcome.DELIVERED)
    waiting = _waiting(scenario, scenario.today)
    assert waiting is not None and waiting.code == WaitingCode.OUTCOME
    assert waiting.label.startswith(f"esito del passo {scenario.case.last_executed.seq}")  # type: ignore[union-attr]


def test_a_closed_case_waits_for_nothing() -> None:
    scenario = Scenario.given()
    scenario.tick(OPENED)
    scenario.pay("120.00", OPENED + timedelta(days=1))
    scenario.tick(OPENED + timedelta(days=2))
    assert not scenario.case.is_open and _waiting(scenario, OPENED + timedelta(days=3)) is None


def test_lock_spans_apply_on_their_days_after_the_status_and_before_the_rest() -> None:
    span = LockSpan(date(2026, 3, 10), date(2026, 3, 20), None, "reclamo B1 (intero cliente, …)")
    lifted = LockSpan(date(2026, 3, 1), None, date(2026, 3, 5), "contestazione B2 (…)")
    proof = Waiting(WaitingCode.DELIVERY_PROOF, "prova di consegna del passo 2 (Sollecito A/R)")
    plan = Waiting(WaitingCode.PLAN, "piano di rientro in corso")
    assert waiting_on(proof, [span, lifted], date(2026, 3, 9), is_open=True) == proof
    assert waiting_on(proof, [span, lifted], date(2026, 3, 3), is_open=True) == Waiting(
        WaitingCode.LOCK, "sblocco: contestazione B2 (…)"
    )
    assert waiting_on(proof, [span], date(2026, 3, 15), is_open=True) == Waiting(
        WaitingCode.LOCK, "sblocco: reclamo B1 (intero cliente, …)"
    )
    assert waiting_on(None, [span], date(2026, 3, 15), is_open=True) is not None
    assert waiting_on(proof, [span], date(2026, 3, 21), is_open=True) == proof
    assert waiting_on(plan, [span], date(2026, 3, 15), is_open=True) == plan  # the status comes first
    assert waiting_on(None, [span], date(2026, 3, 15), is_open=False) is None  # closed: nothing
