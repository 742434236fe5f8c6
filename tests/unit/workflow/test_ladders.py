"""Every ladder of the standard table walked to its end (given a supply, when days pass and an
operator works the worklist, then the steps run in order and the case ends as the table says)."""

from __future__ import annotations

from datetime import date

import pytest

from creditbox.domain.codes import ActionCode as A
from creditbox.domain.codes import CustomerType, Service, SupplyStatus, SupplyType
from creditbox.domain.workflow.cases import CaseStatus, StepStatus
from creditbox.domain.workflow.outcomes import SkipReason
from tests.unit.workflow.scenario import Scenario, walk

END = date(2027, 6, 30)

LADDERS = {
    # name: (classification, executed steps with a large debt, with a small debt)
    "ACQUA-DOMESTICI": (
        {"customer_type": CustomerType.DOMESTIC, "service": Service.WATER},
        [(1, A.SMS), (2, A.REGISTERED_LETTER), (3, A.TECHNICAL_OFFICE), (4, A.TECHNICAL_OFFICE),
         (5, A.COLLECTION_AGENCY), (6, A.LITIGATION)],
        [(1, A.SMS), (2, A.REGISTERED_LETTER), (3, A.TECHNICAL_OFFICE), (4, A.TECHNICAL_OFFICE),
         (5, A.COLLECTION_AGENCY), (7, A.WRITE_OFF_REQUEST)],
    ),
    "SOSPENDIBILI": (
        {"customer_type": CustomerType.NON_DOMESTIC, "service": Service.GAS},
        [(1, A.EMAIL), (2, A.FRIENDLY_REMINDER), (3, A.REGISTERED_LETTER), (4, A.TECHNICAL_OFFICE),
         (5, A.REGISTERED_LETTER), (6, A.COLLECTION_AGENCY), (7, A.LITIGATION)],
        [(1, A.EMAIL), (2, A.FRIENDLY_REMINDER), (3, A.REGISTERED_LETTER), (4, A.TECHNICAL_OFFICE),
         (5, A.REGISTERED_LETTER), (6, A.COLLECTION_AGENCY), (8, A.WRITE_OFF_REQUEST)],
    ),
    "TELEFONO": (
        {"customer_type": CustomerType.DOMESTIC, "service": Service.TELEPHONE},
        [(1, A.SMS), (2, A.EMAIL), (3, A.REGISTERED_LETTER), (4, A.TECHNICAL_OFFICE), (5, A.COLLECTION_AGENCY),
         (6, A.LITIGATION)],
        [(1, A.SMS), (2, A.EMAIL), (3, A.REGISTERED_LETTER), (4, A.TECHNICAL_OFFICE), (5, A.COLLECTION_AGENCY),
         (7, A.WRITE_OFF_REQUEST)],
    ),
    "NON-SOSPENDIBILI": (
        {"service": Service.ELECTRICITY, "supply_type": SupplyType.NON_SUSPENDABLE},
        [(1, A.FRIENDLY_REMINDER), (2, A.REGISTERED_LETTER), (3, A.COLLECTION_AGENCY), (4, A.LITIGATION)],
        [(1, A.FRIENDLY_REMINDER), (2, A.REGISTERED_LETTER), (3, A.COLLECTION_AGENCY), (5, A.WRITE_OFF_REQUEST)],
    ),
    "CESSATI": (
        {"service": Service.GAS, "status": SupplyStatus.TERMINATED},
        [(1, A.REGISTERED_LETTER), (2, A.COLLECTION_AGENCY), (3, A.LITIGATION)],
        [(1, A.REGISTERED_LETTER), (2, A.COLLECTION_AGENCY), (4, A.WRITE_OFF_REQUEST)],
    ),
    "ENTI": (
        {"customer_type": CustomerType.PUBLIC_BODY, "service": Service.WATER},
        [(1, A.PEC), (2, A.LITIGATION)],
        [(1, A.PEC), (2, A.LITIGATION)],
    ),
    "ENTI-FORNITURA": (
        {"customer_type": CustomerType.NON_DOMESTIC, "service": Service.WATER, "supply_type": SupplyType.PUBLIC_BODY},
        [(1, A.PEC), (2, A.LITIGATION)],
        [(1, A.PEC), (2, A.LITIGATION)],
    ),
}  # fmt: skip


@pytest.mark.parametrize("ladder", sorted(LADDERS))
@pytest.mark.parametrize("amount", ["1500.00", "300.00"])
def test_every_ladder_runs_to_its_end(ladder: str, amount: str) -> None:
    classification, large, small = LADDERS[ladder]
    scenario = Scenario.given(amount=amount, **classification)  # type: ignore[arg-type]
    walk(scenario, END)
    case = scenario.case
    assert case.ladder == ladder
    expected = large if amount == "1500.00" else small
    assert scenario.executed() == expected
    last_code = expected[-1][1]
    assert case.status == (CaseStatus.IN_LITIGATION if last_code == A.LITIGATION else CaseStatus.CLOSED_WRITTEN_OFF)
    skipped = [s for s in case.steps if s.status == StepStatus.SKIPPED]
    assert all(s.skipped_reason == SkipReason.AMOUNT_BAND for s in skipped)
    # every decision names the table version and row it came from
    for event in scenario.events_named("StepExecuted") + scenario.events_named("StepSkipped"):
        assert event.table_version == 1
        assert event.row_key.startswith(f"{ladder}#{event.seq}[")


def test_due_dates_follow_the_table_waits() -> None:
    """ACQUA-DOMESTICI: SMS at opening (due + grace), A/R 5 days later, limitation 40 days after delivery."""
    scenario = Scenario.given(amount="1500.00")
    walk(scenario, date(2026, 4, 15), delay=3)
    steps = {s.seq: s for s in scenario.case.steps}
    assert scenario.case.opened_on == date(2026, 2, 10)  # 31/01 + 10 days grace
    assert steps[1].executed_on == date(2026, 2, 10)
    assert steps[2].executed_on == date(2026, 2, 15)  # previous_sent + 0, after wait_after 5
    assert steps[2].delivered_on == date(2026, 2, 18)
    assert steps[3].business_date == date(2026, 3, 30)  # proposed: delivered + 40 (a Monday)
    assert steps[3].executed_on == date(2026, 3, 30)  # confirmed and approved the same day
