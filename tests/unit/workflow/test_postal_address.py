"""Letters (friendly reminder, code 3; registered letter, code 4) need a complete postal address:
without one the step is skipped with its reason, like an SMS without a mobile, never sent empty."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from creditbox.domain.codes import ActionCode, Service, SupplyType
from creditbox.domain.workflow.cases import StepStatus
from creditbox.domain.workflow.ladder import contact_for, missing_postal_parts, postal_address
from creditbox.domain.workflow.outcomes import SkipReason, StepOutcome
from tests.unit.workflow.scenario import DUE, Scenario, customer

OPENED = DUE + timedelta(days=10)


@pytest.mark.parametrize(
    ("contacts", "missing"),
    [
        ({"address": None, "postcode": None, "city": None, "province": None}, ["indirizzo", "CAP", "comune"]),
        ({"address": None}, ["indirizzo"]),
        ({"postcode": None}, ["CAP"]),
        ({"city": "   "}, ["comune"]),
        ({"address": "", "city": ""}, ["indirizzo", "comune"]),
    ],
)
def test_an_incomplete_address_names_what_is_missing(contacts: dict[str, str | None], missing: list[str]) -> None:
    # Given a customer whose address lacks some parts
    details = customer(**contacts)
    # Then no letter address is made, and the missing parts are named
    assert missing_postal_parts(details) == missing
    assert postal_address(details) is None
    for code in (ActionCode.FRIENDLY_REMINDER, ActionCode.REGISTERED_LETTER):
        assert contact_for(code, details) == (None, SkipReason.MISSING_ADDRESS)


def test_a_complete_address_is_the_recipient_the_province_optional() -> None:
    assert contact_for(ActionCode.REGISTERED_LETTER, customer()) == ("Via Roma 1, 00100 Roma (RM)", None)
    assert postal_address(customer(province=None, city=" Roma ")) == "Via Roma 1, 00100 Roma"


@pytest.mark.parametrize("contacts", [{"address": None}, {"postcode": None}, {"city": " "}])
def test_a_registered_letter_without_address_is_skipped_onto_the_worklist(contacts: dict[str, str | None]) -> None:
    # Given a water customer (SMS, then registered letter) without a complete address
    scenario = Scenario.given(**contacts)
    # When the case opens and the letter falls due (5 days after the SMS)
    names = scenario.tick(OPENED) + scenario.days(OPENED + timedelta(days=5))
    # Then the SMS goes, the letter is skipped with its reason and detail, nothing is sent empty
    assert names == ["DunningCaseOpened", "StepExecuted", "StepSkipped"]
    skipped = scenario.events_named("StepSkipped")[0]
    assert (skipped.seq, skipped.action_code, skipped.reason) == (
        2,
        ActionCode.REGISTERED_LETTER,
        SkipReason.MISSING_ADDRESS,
    )
    assert skipped.reason.needs_attention
    assert skipped.detail.startswith("indirizzo postale mancante o incompleto: manca ")
    assert all(e.recipient for e in scenario.events_named("StepExecuted"))


def test_a_friendly_reminder_without_address_is_skipped() -> None:
    # Given a non-suspendable supply (friendly reminder, then registered letter) and no address at all
    scenario = Scenario.given(
        supply_type=SupplyType.NON_SUSPENDABLE, service=Service.GAS, address=None, postcode=None, city=None
    )
    # When the case opens and the reminder's wait has passed
    scenario.tick(OPENED)
    scenario.days(OPENED + timedelta(days=20))
    # Then both letters are skipped for the missing address, none executed
    skipped = [(e.action_code, e.reason) for e in scenario.events_named("StepSkipped")]
    assert skipped[:2] == [
        (ActionCode.FRIENDLY_REMINDER, SkipReason.MISSING_ADDRESS),
        (ActionCode.REGISTERED_LETTER, SkipReason.MISSING_ADDRESS),
    ]
    assert not [e for e in scenario.events_named("StepExecuted") if e.action_code in (3, 4)]


def test_an_approved_letter_whose_address_was_removed_is_skipped_not_sent() -> None:
    # Given a suspendable gas supply walked up to the approval of its contractual-termination letter (step 5)
    scenario = Scenario.given(amount="300.00", service=Service.GAS)
    scenario.tick(OPENED)
    for _ in range(200):
        pending = scenario.case.pending_step
        if pending is not None and pending.action_code == ActionCode.REGISTERED_LETTER:
            break
        scenario.days(scenario.today + timedelta(days=1))
        for step in scenario.case.steps:
            if step.status == StepStatus.EXECUTED and not step.outcomes:
                office = step.action_code == ActionCode.TECHNICAL_OFFICE
                scenario.outcome(step.seq, StepOutcome.POSITIVE if office else StepOutcome.DELIVERED)
        if pending is not None:
            scenario.work_worklist()
    pending = scenario.case.pending_step
    assert pending is not None and pending.action_code == ActionCode.REGISTERED_LETTER
    scenario.position.confirm_proposal(scenario.case.case_id, pending.seq, scenario.today, by="op")
    scenario.collect()
    # When the address is removed before the approved letter runs
    scenario.position.update_details(customer(address=None), by="billing")
    scenario.collect()
    scenario.position.approve_step(scenario.case.case_id, pending.seq, 3, scenario.settings, scenario.today, by="boss")
    scenario.collect()
    names = scenario.tick()
    # Then the step is skipped for the missing address instead of executed with no recipient
    assert names[0] == "StepSkipped"
    step = scenario.case.step(pending.seq)
    assert step is not None and step.status == StepStatus.SKIPPED
    assert step.skipped_reason == SkipReason.MISSING_ADDRESS


def test_a_skipped_letter_leaves_the_case_open_with_the_step_recorded_as_skipped() -> None:
    # Given the registered letter skipped for a missing postcode
    scenario = Scenario.given(postcode=None)
    scenario.tick(OPENED)
    scenario.days(OPENED + timedelta(days=5))
    # Then the case stays open, the letter is a skipped step and the SMS the last one executed
    assert scenario.case.is_open and scenario.case.opened_on == date(2026, 2, 10)
    letter = scenario.case.step(2)
    assert letter is not None and letter.status == StepStatus.SKIPPED
    assert letter.skipped_detail == "indirizzo postale mancante o incompleto: manca CAP"
    assert scenario.case.last_executed is not None and scenario.case.last_executed.action_code == ActionCode.SMS
