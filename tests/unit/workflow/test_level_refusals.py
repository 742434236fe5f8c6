"""A refusal for an insufficient authorisation level is a ``LevelTooLow`` (what the API answers
403 for); a refusal because of the case's state is a plain ``NotAllowed``."""

from __future__ import annotations

from decimal import Decimal

import pytest

from creditbox.domain.codes import ActionCode
from creditbox.domain.errors import LevelTooLow, NotAllowed
from creditbox.domain.workflow.cases import StepStatus
from creditbox.domain.workflow.ladder import StaticTable
from creditbox.domain.workflow.outcomes import WriteOffKind
from tests.unit.workflow.scenario import Scenario
from tests.unit.workflow.test_branches import OPENED, _row

NEEDS_LEVEL_3 = StaticTable(1, (_row(1, ActionCode.SMS, approval_level=3),))


def _awaiting_approval() -> Scenario:
    scenario = Scenario.given(table=NEEDS_LEVEL_3)
    scenario.tick(OPENED)
    step = scenario.case.pending_step
    assert step is not None and step.status == StepStatus.AWAITING_APPROVAL
    return scenario


def _write_off_requested(amount: str) -> Scenario:
    scenario = Scenario.given(amount=amount)
    scenario.tick(OPENED)
    scenario.position.request_write_off("S1/1", WriteOffKind.WRITE_OFF, Decimal("0"), OPENED, "", by="op")
    scenario.collect()
    return scenario


def test_approving_or_refusing_a_step_below_its_level() -> None:
    scenario = _awaiting_approval()
    with pytest.raises(LevelTooLow):
        scenario.position.approve_step("S1/1", 1, 2, scenario.settings, OPENED, by="boss")
    with pytest.raises(LevelTooLow):
        scenario.position.refuse_step("S1/1", 1, 2, OPENED, "no", by="boss")
    assert scenario.collect() == []
    scenario.position.approve_step("S1/1", 1, 3, scenario.settings, OPENED, by="boss")
    assert scenario.collect() == ["StepApproved"]


def test_a_write_off_above_the_ceiling_of_the_level_or_without_a_level() -> None:
    scenario = _write_off_requested("3000.00")  # default ceilings: 1 → 1000, 2 → 10000
    with pytest.raises(LevelTooLow):
        scenario.position.approve_write_off("S1/1", 1, scenario.settings, OPENED, by="boss")
    with pytest.raises(LevelTooLow):
        scenario.position.approve_write_off("S1/1", 0, scenario.settings, OPENED, by="op")
    with pytest.raises(LevelTooLow):
        scenario.position.refuse_write_off("S1/1", 0, OPENED, "no", by="op")
    assert scenario.collect() == []
    scenario.position.approve_write_off("S1/1", 2, scenario.settings, OPENED, by="boss")
    assert "WriteOffApproved" in scenario.collect()


def test_a_hand_over_to_litigation_below_the_company_s_level() -> None:
    scenario = Scenario.given(amount="3000.00")
    scenario.tick(OPENED)
    level = scenario.settings.litigation_approval_level
    with pytest.raises(LevelTooLow):
        scenario.position.hand_over_to_litigation("S1/1", level - 1, scenario.settings, OPENED, by="op")


def test_a_command_that_does_not_fit_the_state_is_not_a_level_refusal() -> None:
    scenario = Scenario.given()
    assert scenario.tick(OPENED) == ["DunningCaseOpened", "StepExecuted"]  # not a proposal
    with pytest.raises(NotAllowed) as error:
        scenario.position.confirm_proposal("S1/1", 1, OPENED, by="op")
    assert not isinstance(error.value, LevelTooLow)
    with pytest.raises(NotAllowed) as no_request:
        scenario.position.approve_write_off("S1/1", 3, scenario.settings, OPENED, by="boss")
    assert not isinstance(no_request.value, LevelTooLow)
