"""Each branch of the workflow, given/when/then, without a database."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from creditbox.domain.actions import ActionRow, StartPoint, StepMode
from creditbox.domain.codes import ActionCode, CustomerType, Service, SupplyStatus, SupplyType
from creditbox.domain.errors import InvalidCommand, NotAllowed
from creditbox.domain.workflow.cases import CaseStatus, StepStatus
from creditbox.domain.workflow.ladder import StaticTable
from creditbox.domain.workflow.outcomes import LitigationResult, LockReason, SkipReason, StepOutcome, WriteOffKind
from creditbox.domain.workflow.plans import split_evenly
from tests.unit.workflow.scenario import DUE, Scenario, walk

OPENED = DUE + timedelta(days=10)  # 10/02/2026


def _row(seq: int, code: ActionCode, *, tech: str | None = None, **extra: object) -> ActionRow:
    data: dict[str, object] = {
        "ladder": "X",
        "seq": seq,
        "action_code": code,
        "description": f"passo {seq}",
        "wait_before_days": 0,
        "start_point": StartPoint.OPENED if seq == 1 else StartPoint.PREVIOUS_SENT,
        "wait_after_days": 0,
        "amount_min": Decimal("0"),
        "amount_max": None,
        "threshold": Decimal("10"),
        "approval_level": 0,
        "mode": StepMode.AUTO,
        "parameters": (("tech", tech),) if tech else (),
    }
    data.update(extra)
    return ActionRow(**data)  # type: ignore[arg-type]


class TestOpening:
    def test_threshold_not_reached_opens_nothing(self) -> None:
        scenario = Scenario.given(amount="9.99")
        assert scenario.days(date(2026, 6, 30), operator=True) == []
        assert scenario.position.dunning.cases == {}

    def test_the_case_opens_after_the_grace_period(self) -> None:
        scenario = Scenario.given()
        assert scenario.tick(OPENED - timedelta(days=1)) == []
        assert scenario.tick(OPENED) == ["DunningCaseOpened", "StepExecuted"]
        opened = scenario.events_named("DunningCaseOpened")[0]
        assert (opened.ladder, opened.overdue, opened.table_version) == ("ACQUA-DOMESTICI", Decimal("120.00"), 1)
        assert opened.row_key == "ACQUA-DOMESTICI#1[0.00-]"

    def test_ticking_the_same_day_twice_records_nothing(self) -> None:
        scenario = Scenario.given()
        scenario.tick(OPENED)
        assert scenario.tick(OPENED) == []

    def test_a_tick_for_an_earlier_day_decides_nothing(self) -> None:
        scenario = Scenario.given()
        walk(scenario, date(2026, 2, 20))
        scenario.pay("120.00", date(2026, 2, 20))
        assert scenario.tick(date(2026, 2, 20)) == ["CaseClosedAsPaid"]
        # Re-running an older day: as of 15/02 the bill was unpaid, but the case was settled since;
        # business dates only move forward, so nothing reopens (and nothing runs back in time).
        assert scenario.tick(date(2026, 2, 15)) == []
        assert scenario.tick(OPENED) == []
        assert [c.status for c in scenario.position.dunning.cases.values()] == [CaseStatus.CLOSED_PAID]
        assert scenario.tick(date(2026, 2, 21)) == []  # and later days go on as usual

    def test_a_bill_falling_due_while_open_joins_the_case(self) -> None:
        scenario = Scenario.given()
        scenario.tick(OPENED)
        scenario.bill("B2", date(2026, 2, 20), "80.00")
        assert scenario.tick(date(2026, 2, 21)) == ["BillsJoinedCase", "StepExecuted"]
        assert scenario.case.bills == ["B1", "B2"]
        assert len(scenario.position.dunning.cases) == 1
        assert scenario.events_named("BillsJoinedCase")[0].overdue == Decimal("200.00")


class TestPayments:
    def test_paid_mid_ladder_closes_the_case(self) -> None:
        scenario = Scenario.given()
        walk(scenario, date(2026, 2, 20))
        assert scenario.pay("115.00", date(2026, 2, 20)) == ["PaymentReceived"]
        assert scenario.tick() == ["CaseClosedAsPaid"]
        assert scenario.case.status == CaseStatus.CLOSED_PAID
        assert scenario.days(date(2026, 9, 1), operator=True) == []  # a closed case runs nothing

    def test_paid_while_suspended_requests_reactivation(self) -> None:
        scenario = Scenario.given(amount="500.00")
        walk(scenario, date(2026, 5, 10), office=StepOutcome.POSITIVE)
        assert scenario.position.supplies["S1"].status == SupplyStatus.SUSPENDED
        assert "SupplySuspended" in [type(e).__name__ for e in scenario.history]
        scenario.pay("500.00")
        assert scenario.tick() == ["CaseClosedAsPaid", "ReactivationRequested"]
        assert scenario.position.supplies["S1"].status == SupplyStatus.TO_BE_REACTIVATED
        scenario.position.record_reactivation_outcome(scenario.case.case_id, True, scenario.today, "", by="ut")
        assert scenario.collect() == ["SupplyReactivated"]
        assert scenario.position.supplies["S1"].status == SupplyStatus.ACTIVE

    def test_a_later_overdue_bill_opens_a_new_case_from_step_1(self) -> None:
        scenario = Scenario.given()
        scenario.tick(OPENED)
        scenario.pay("120.00")
        scenario.tick()
        scenario.bill("B2", date(2026, 3, 31), "50.00")
        names = scenario.days(date(2026, 4, 10))
        assert names[-2:] == ["DunningCaseOpened", "StepExecuted"]
        assert scenario.case.case_id == "S1/2" and scenario.executed() == [(1, ActionCode.SMS)]


class TestOutcomes:
    def test_failed_delivery_is_surfaced_and_blocks_the_delivered_step(self) -> None:
        scenario = Scenario.given()
        scenario.days(date(2026, 2, 15))
        assert scenario.outcome(2, StepOutcome.RETURNED) == ["OutcomeRecorded", "DeliveryFailed"]
        scenario.days(date(2026, 6, 30), operator=True)
        assert scenario.executed() == [(1, ActionCode.SMS), (2, ActionCode.REGISTERED_LETTER)]
        assert scenario.case.steps[-1].delivery_failed

    def test_held_then_unclaimed_counts_as_delivered(self) -> None:
        scenario = Scenario.given()
        scenario.days(date(2026, 2, 15))
        scenario.outcome(2, StepOutcome.HELD, date(2026, 2, 18))
        assert scenario.days(date(2026, 4, 30)) == []
        scenario.outcome(2, StepOutcome.UNCLAIMED)  # compiuta giacenza on 30/04: legally delivered
        assert scenario.days(date(2026, 6, 8)) == []
        assert scenario.tick(date(2026, 6, 9)) == ["StepProposed"]  # 40 days later

    def test_an_outcome_the_channel_cannot_give_is_refused(self) -> None:
        scenario = Scenario.given()
        scenario.tick(OPENED)
        with pytest.raises(InvalidCommand, match="non previsto"):
            scenario.outcome(1, StepOutcome.POSITIVE)

    def test_tech_office_negative_moves_on_from_the_outcome_date(self) -> None:
        scenario = Scenario.given(amount="500.00")
        walk(scenario, date(2026, 3, 30))  # limitation executed on 29/03 (delivered 17/02 + 40), no answer yet
        assert scenario.case.steps[-1].seq == 3 and scenario.case.steps[-1].executed_on == date(2026, 3, 29)
        scenario.outcome(3, StepOutcome.NEGATIVE, date(2026, 4, 1))
        assert scenario.days(date(2026, 4, 22)) == []  # the limitation's wait_after: 25 days
        assert scenario.tick(date(2026, 4, 23)) == ["StepProposed"]

    def test_agency_positive_waits_for_the_payment(self) -> None:
        scenario = Scenario.given(amount="300.00", service=Service.ELECTRICITY, supply_type=SupplyType.NON_SUSPENDABLE)
        walk(scenario, date(2027, 3, 1), office=StepOutcome.POSITIVE)
        case = scenario.case
        assert case.steps[-1].action_code == ActionCode.COLLECTION_AGENCY
        assert case.status == CaseStatus.OPEN
        scenario.pay("300.00")
        assert scenario.tick() == ["CaseClosedAsPaid"]

    def test_agency_negative_goes_to_the_write_off_request(self) -> None:
        scenario = Scenario.given(amount="300.00", customer_type=CustomerType.NON_DOMESTIC, service=Service.GAS)
        walk(scenario, date(2027, 3, 1), office=StepOutcome.NEGATIVE)
        assert scenario.executed()[-1] == (8, ActionCode.WRITE_OFF_REQUEST)
        assert scenario.case.status == CaseStatus.CLOSED_WRITTEN_OFF


class TestApprovals:
    def _at_write_off(self) -> Scenario:
        scenario = Scenario.given(amount="300.00", service=Service.ELECTRICITY, supply_type=SupplyType.NON_SUSPENDABLE)
        walk(scenario, date(2026, 6, 26))  # agency on 29/03 (delivered + 30), negative on 31/03
        assert scenario.tick(date(2026, 6, 27)) == ["StepSkipped", "StepProposed"]  # 29/03 + 90 days
        step = scenario.case.pending_step
        assert step is not None and step.action_code == ActionCode.WRITE_OFF_REQUEST
        assert step.status == StepStatus.PROPOSED
        scenario.position.confirm_proposal(scenario.case.case_id, step.seq, scenario.today, by="op")
        scenario.collect()
        return scenario

    def test_a_too_low_level_cannot_approve(self) -> None:
        scenario = self._at_write_off()
        with pytest.raises(NotAllowed, match="livello di autorizzazione 0 insufficiente"):
            scenario.position.approve_step("S1/1", 5, 0, scenario.settings, scenario.today, by="junior")
        assert scenario.collect() == []

    def test_write_off_ceiling_of_the_level_is_enforced(self) -> None:
        scenario = self._at_write_off()
        settings = scenario.settings.with_changes(write_off_ceilings={1: Decimal("100.00"), 2: Decimal("1000.00")})
        with pytest.raises(NotAllowed, match="massimale"):
            scenario.position.approve_step("S1/1", 5, 1, settings, scenario.today, by="boss")
        scenario.position.approve_step("S1/1", 5, 2, settings, scenario.today, by="boss")
        assert scenario.collect() == ["StepApproved"]

    def test_write_off_approved_closes_the_case(self) -> None:
        scenario = self._at_write_off()
        scenario.position.approve_step("S1/1", 5, 1, scenario.settings, scenario.today, by="boss")
        scenario.collect()
        assert scenario.tick() == ["StepExecuted", "CaseWrittenOff"]
        assert scenario.case.status == CaseStatus.CLOSED_WRITTEN_OFF
        # the written-off bill never opens another case
        assert scenario.days(date(2026, 12, 31)) == []

    def test_write_off_refused_leaves_the_ladder_exhausted(self) -> None:
        scenario = self._at_write_off()
        scenario.position.refuse_step("S1/1", 5, 1, scenario.today, "no", by="boss")
        assert scenario.collect() == ["StepRefused"]
        assert scenario.tick() == ["LadderExhausted"]
        assert scenario.case.status == CaseStatus.LADDER_EXHAUSTED and scenario.case.is_open

    def test_manual_write_off_request_approved_and_refused(self) -> None:
        scenario = Scenario.given(amount="300.00")
        scenario.tick(OPENED)
        scenario.position.request_write_off("S1/1", WriteOffKind.WRITE_OFF, Decimal("0"), OPENED, "", by="op")
        scenario.position.refuse_write_off("S1/1", 1, OPENED, "no", by="boss")
        assert scenario.collect() == ["WriteOffRequested", "WriteOffRefused"]
        assert scenario.case.is_open
        scenario.position.request_write_off("S1/1", WriteOffKind.SETTLEMENT, Decimal("200"), OPENED, "accordo", by="op")
        scenario.position.approve_write_off("S1/1", 1, scenario.settings, OPENED, by="boss")
        assert scenario.collect() == ["WriteOffRequested", "WriteOffApproved", "CaseWrittenOff"]
        assert scenario.case.status == CaseStatus.CLOSED_SETTLED

    def test_litigation_by_hand_and_its_outcome(self) -> None:
        scenario = Scenario.given(amount="3000.00")
        scenario.tick(OPENED)
        with pytest.raises(NotAllowed):
            scenario.position.hand_over_to_litigation("S1/1", 1, scenario.settings, OPENED, by="op")
        scenario.position.hand_over_to_litigation("S1/1", 2, scenario.settings, OPENED, by="boss")
        assert scenario.collect() == ["HandedOverToLitigation"]
        assert scenario.days(date(2026, 6, 1), operator=True) == []  # the legal team has it
        scenario.position.record_litigation_outcome(
            "S1/1", LitigationResult.UNRECOVERABLE, Decimal("0"), scenario.today, "", by="legal"
        )
        assert scenario.collect() == ["LitigationOutcomeRecorded"]
        assert scenario.case.status == CaseStatus.CLOSED_LITIGATION


class TestLocks:
    def test_lock_until_a_date(self) -> None:
        scenario = Scenario.given()
        scenario.position.set_lock(LockReason.MANUAL, "S1", DUE, date(2026, 3, 1), "", by="op")
        scenario.collect()
        names = scenario.days(date(2026, 3, 1))
        assert names == ["DunningCaseOpened"]  # opened, nothing executed
        assert scenario.tick(date(2026, 3, 2)) == ["StepExecuted"]

    def test_complaint_lock_blocks_notices_and_suspension_until_lifted(self) -> None:
        scenario = Scenario.given(amount="500.00")
        walk(scenario, date(2026, 3, 1))
        lock_id, new = scenario.position.set_lock(LockReason.COMPLAINT, None, scenario.today, None, "", by="op")
        assert new and lock_id == "B1"
        scenario.collect()
        walk(scenario, date(2026, 6, 1))
        assert scenario.case.steps[-1].seq == 2
        scenario.position.lift_lock(lock_id, scenario.today, "risolto", by="op")
        scenario.collect()
        assert scenario.tick() == ["StepProposed"]

    def test_the_same_lock_twice_is_not_duplicated(self) -> None:
        scenario = Scenario.given()
        first = scenario.position.set_lock(LockReason.DISPUTE, None, DUE, None, "x", by="op")
        again = scenario.position.set_lock(LockReason.DISPUTE, None, DUE, None, "x", by="op")
        assert first == ("B1", True) and again == ("B1", False)
        assert scenario.collect() == ["LockSet"]


class TestPlans:
    def _with_plan(self) -> Scenario:
        scenario = Scenario.given(amount="300.00")
        scenario.days(date(2026, 2, 20))
        scenario.outcome(2, StepOutcome.DELIVERED, date(2026, 2, 18))
        schedule = split_evenly(Decimal("300.00"), 3, date(2026, 3, 15))
        scenario.position.agree_plan("S1/1", schedule, scenario.today, by="op")
        assert scenario.collect() == ["RepaymentPlanAgreed"]
        assert scenario.case.status == CaseStatus.PAUSED
        return scenario

    def test_plan_kept_closes_the_case(self) -> None:
        scenario = self._with_plan()
        for due in (date(2026, 3, 14), date(2026, 4, 14), date(2026, 5, 14)):
            scenario.days(due)
            scenario.pay("100.00")
        scenario.days(date(2026, 5, 20))
        names = [type(e).__name__ for e in scenario.history]
        assert names.count("InstalmentPaid") == 3 and names[-1] == "RepaymentPlanCompleted"
        assert scenario.case.status == CaseStatus.CLOSED_PLAN_COMPLETED
        assert "StepExecuted" not in names[names.index("RepaymentPlanAgreed") :]

    def test_plan_broken_resumes_the_ladder(self) -> None:
        scenario = self._with_plan()
        scenario.days(date(2026, 3, 14))
        scenario.pay("100.00")
        names = scenario.days(date(2026, 4, 21), operator=True)  # second instalment missed (15/04 + 5 days)
        assert names[:3] == ["InstalmentPaid", "InstalmentMissed", "RepaymentPlanBroken"]
        assert scenario.case.status == CaseStatus.OPEN
        assert names[3:] == ["StepProposed", "ProposalConfirmed", "StepApproved", "StepExecuted"]

    def test_plan_total_must_match_the_overdue(self) -> None:
        scenario = Scenario.given(amount="300.00")
        scenario.tick(OPENED)
        with pytest.raises(InvalidCommand, match="totale delle rate"):
            scenario.position.agree_plan("S1/1", [(date(2026, 3, 1), Decimal("100"))], OPENED, by="op")


class TestSuspensionRules:
    SUSPEND = StaticTable(1, (_row(1, ActionCode.TECHNICAL_OFFICE, tech="suspend"), _row(2, ActionCode.SMS)))

    def test_suspension_due_on_a_forbidden_day_moves_to_the_next_allowed_day(self) -> None:
        # Opens Friday 03/04/2026: Saturday, Easter Sunday (eve of Easter Monday), Easter Monday are forbidden.
        scenario = Scenario.given(due=date(2026, 3, 24), table=self.SUSPEND)
        scenario.tick(date(2026, 4, 2))
        assert scenario.days(date(2026, 4, 6)) == ["DunningCaseOpened"]
        assert scenario.tick(date(2026, 4, 7))[0] == "StepExecuted"
        assert scenario.case.steps[0].executed_on == date(2026, 4, 7)

    def test_never_a_suspension_for_a_non_suspendable_supply(self) -> None:
        scenario = Scenario.given(supply_type=SupplyType.NON_SUSPENDABLE, table=self.SUSPEND)
        assert scenario.tick(date(2026, 2, 10)) == [
            "DunningCaseOpened",
            "StepSkipped",
            "StepExecuted",
            "LadderExhausted",
        ]
        assert scenario.case.steps[0].skipped_reason == SkipReason.NOT_SUSPENDABLE

    def test_never_a_suspension_for_a_public_body(self) -> None:
        scenario = Scenario.given(customer_type=CustomerType.PUBLIC_BODY, table=self.SUSPEND)
        scenario.tick(date(2026, 2, 10))
        assert scenario.case.steps[0].skipped_reason == SkipReason.NOT_SUSPENDABLE


class TestMissingContacts:
    def test_missing_pec_skips_the_pec_with_its_reason(self) -> None:
        scenario = Scenario.given(customer_type=CustomerType.PUBLIC_BODY, pec=None)
        assert scenario.tick(OPENED) == ["DunningCaseOpened", "StepSkipped"]
        skipped = scenario.events_named("StepSkipped")[0]
        assert (skipped.seq, skipped.reason) == (1, SkipReason.MISSING_PEC)
        assert skipped.reason.needs_attention
        # skipped steps are transparent: litigation counts from the opening (+30 days)
        assert scenario.days(OPENED + timedelta(days=30)) == ["StepProposed"]

    def test_missing_mobile_skips_the_sms(self) -> None:
        scenario = Scenario.given(mobile=None)
        assert scenario.tick(OPENED) == ["DunningCaseOpened", "StepSkipped", "StepExecuted"]
        assert scenario.case.steps[0].skipped_reason == SkipReason.MISSING_MOBILE
        assert scenario.executed() == [(2, ActionCode.REGISTERED_LETTER)]
