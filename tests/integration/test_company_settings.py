"""Company settings, on the in-memory event store: versions with who/when/why, and the workflow following
the version in force (grace period, the company's own days, write-off ceilings, instalment tolerance)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from eventsourcing.utils import resolve_topic

from creditbox.application.records import BillRecord, CustomerRecord, PaymentRecord, SupplyRecord
from creditbox.bootstrap import Container
from creditbox.domain.actions import ActionRow, StartPoint, StepMode
from creditbox.domain.codes import ActionCode
from creditbox.domain.company import COMPANY_REGISTERED, COMPANY_SETTINGS_CHANGED
from creditbox.domain.company_settings_document import InvalidCompanySettings
from creditbox.domain.errors import Conflict, LevelTooLow
from creditbox.domain.ids import company_id, position_id
from tests.builders import details, supply

pytestmark = pytest.mark.use_case


def _customer(container: Container, company: str, customer: str, due: date, amount: str = "120.00") -> None:
    records = [
        CustomerRecord(customer, details(mobile="3331234567", address="Via Roma 1", city="Roma")),
        SupplyRecord(customer, supply(f"S-{customer}")),
        BillRecord(f"B-{customer}", customer, f"S-{customer}", date(2026, 1, 1), due, Decimal(amount)),
    ]
    container.ingestor().ingest(company, records, by="test")


def _events(container: Container, company: str, customer: str) -> list[Any]:
    return list(container.app.repository.event_store.get(position_id(company, customer)))


def _named(container: Container, company: str, customer: str, name: str) -> list[Any]:
    return [e for e in _events(container, company, customer) if type(e).__name__ == name]


def test_a_shorter_grace_period_opens_the_case_earlier_a_longer_one_later(container: Container) -> None:
    # Given two companies with the standard grace period (10 days) and a bill due 31/01 in each
    for code in ("ACQ", "GAS"):
        container.companies.register(code, code, by="test")
        _customer(container, code, "C1", date(2026, 1, 31))
    settings = container.company_settings()

    # When ACQ shortens it to 3 days and GAS lengthens it to 20
    settings.change("ACQ", {"grace_period_days": 3}, by="anna", note="delibera 12/2026")
    settings.change("GAS", {"grace_period_days": "20"}, by="anna")

    # Then on 05/02 (5 days after the due date) ACQ opens the case, GAS does not
    assert container.dunning().run_due("ACQ", date(2026, 2, 5)).events["DunningCaseOpened"] == 1
    assert container.dunning().run_due("GAS", date(2026, 2, 5)).event_count == 0
    # and GAS still waits on 10/02, when the standard 10 days would have opened it; it opens on 20/02
    assert container.dunning().run_due("GAS", date(2026, 2, 19)).event_count == 0
    assert container.dunning().run_due("GAS", date(2026, 2, 20)).events["DunningCaseOpened"] == 1
    # and each opening records the settings version that decided it
    assert _named(container, "ACQ", "C1", "DunningCaseOpened")[0].settings_version == 2
    assert _named(container, "GAS", "C1", "DunningCaseOpened")[0].settings_version == 2


SUSPEND_FIRST = (
    ActionRow(
        "X", 1, ActionCode.TECHNICAL_OFFICE, "Sospensione", 0, StartPoint.OPENED, 0,
        Decimal("0.00"), None, Decimal("10.00"), 0, StepMode.AUTO, parameters=(("tech", "suspend"),),
    ),
    ActionRow(
        "X", 2, ActionCode.SMS, "SMS", 0, StartPoint.PREVIOUS_SENT, 0,
        Decimal("0.00"), None, Decimal("10.00"), 0, StepMode.AUTO,
    ),
)  # fmt: skip


def test_no_suspension_on_the_patron_saints_day_nor_on_its_eve(container: Container) -> None:
    # Given two companies whose ladder starts with a suspension; ACQ adds its patron saint's day (24/06)
    for code in ("ACQ", "BIS"):
        container.companies.register(code, code, by="test")
        container.actions_tables.revise(code, SUSPEND_FIRST, by="test")
        _customer(container, code, "C1", date(2026, 6, 13))  # 10 days of grace: opens on Tuesday 23/06
    container.company_settings().change(
        "ACQ", {"company_days": [{"date": "24/06", "label": "San Giovanni Battista"}]}, by="anna", note="patrono"
    )

    # When the cases open on Tuesday 23/06 and the days go by
    for day in (23, 24, 25):
        container.dunning().run_due("ACQ", date(2026, 6, day))
        container.dunning().run_due("BIS", date(2026, 6, day))

    # Then BIS suspends at once on 23/06; ACQ neither on the eve (23/06) nor on the day (24/06), but on 25/06
    def suspended_on(code: str) -> list[date]:
        return [e.business_date for e in _named(container, code, "C1", "StepExecuted") if e.seq == 1]

    assert suspended_on("BIS") == [date(2026, 6, 23)]
    assert suspended_on("ACQ") == [date(2026, 6, 25)]
    assert _named(container, "ACQ", "C1", "StepExecuted")[0].settings_version == 2


def test_a_one_off_company_day_only_blocks_that_year(container: Container) -> None:
    # Given a one-off closure on Wednesday 24/06/2026 only (the eves rule off)
    container.companies.register("ACQ", "Acque", by="test")
    container.actions_tables.revise("ACQ", SUSPEND_FIRST, by="test")
    container.company_settings().change(
        "ACQ",
        {"company_days": [{"date": "2027-06-24", "label": "chiusura"}], "suspension_forbidden_on_holiday_eves": False},
        by="anna",
    )
    _customer(container, "ACQ", "C1", date(2026, 6, 14))

    # When the case opens on 24/06/2026 (not the closure's year)
    container.dunning().run_due("ACQ", date(2026, 6, 24))

    # Then the suspension is requested that day
    executed = _named(container, "ACQ", "C1", "StepExecuted")
    assert (executed[0].seq, executed[0].business_date) == (1, date(2026, 6, 24))


def _written_off_request(container: Container, amount: str = "120.00") -> None:
    container.companies.register("ACQ", "Acque", by="test")
    _customer(container, "ACQ", "C1", date(2026, 1, 31), amount)
    container.dunning().run_due("ACQ", date(2026, 2, 10))
    container.case_commands().request_write_off("ACQ", "C1", "S-C1/1", by="op", business_date=date(2026, 2, 11))


def test_a_lowered_write_off_ceiling_refuses_the_approval_at_that_level(container: Container) -> None:
    # Given a write-off request of 120.00 that level 1 (ceiling 1000.00) could approve
    _written_off_request(container)

    # When the ceilings of levels 1 and 2 are lowered to 100.00
    revision = container.company_settings().change(
        "ACQ", {"write_off_ceilings": {"1": "100.00", "2": "100.00", "3": "5000.00"}}, by="cda", note="prudenza"
    )
    assert revision.changed and revision.fields == ("write_off_ceilings",)

    # Then levels 1 and 2 are refused, naming the new ceiling; level 3 approves
    commands = container.case_commands()
    for level in (1, 2):
        with pytest.raises(LevelTooLow, match=r"massimale di stralcio del livello \d \(100.00\)"):
            commands.approve_write_off("ACQ", "C1", "S-C1/1", level, by="boss", business_date=date(2026, 2, 12))
    result = commands.approve_write_off("ACQ", "C1", "S-C1/1", 3, by="boss", business_date=date(2026, 2, 12))
    assert "CaseWrittenOff" in result.events
    # and the approval records the settings version it was checked against
    assert _named(container, "ACQ", "C1", "WriteOffApproved")[0].settings_version == 2


def test_a_raised_litigation_level_refuses_a_lower_supervisor(container: Container) -> None:
    _written_off_request(container)
    container.company_settings().change("ACQ", {"litigation_approval_level": 3}, by="cda")

    with pytest.raises(LevelTooLow, match="serve almeno il livello 3"):
        container.case_commands().hand_over_to_litigation("ACQ", "C1", "S-C1/1", 2, by="boss")
    container.case_commands().hand_over_to_litigation("ACQ", "C1", "S-C1/1", 3, by="boss")
    assert _named(container, "ACQ", "C1", "HandedOverToLitigation")[0].settings_version == 2


def test_the_history_lists_every_version_with_who_when_why_and_what_changed(container: Container, clock: Any) -> None:
    # Given a company and three changes, one of them identical to the version in force
    container.companies.register("ACQ", "Acque", by="admin")
    settings = container.company_settings()
    settings.change("ACQ", {"grace_period_days": 15}, by="anna", note="più tempo ai clienti")
    unchanged = settings.change("ACQ", {"grace_period_days": 15}, by="anna")
    settings.change(
        "ACQ",
        {"suspension_forbidden_weekdays": ["giovedì", "ven", "6"], "instalment_tolerance_amount": "2.50"},
        by="bruno",
        source="api",
    )

    # Then the identical change made no version, and the history has three
    assert not unchanged.changed and unchanged.version.version == 2
    history = settings.history("ACQ")
    assert [(h.version.version, h.version.by, h.version.note) for h in history] == [
        (1, "admin", None),
        (2, "anna", "più tempo ai clienti"),
        (3, "bruno", None),
    ]
    assert history[1].fields == ("grace_period_days",)
    assert history[2].fields == ("suspension_forbidden_weekdays", "instalment_tolerance_amount")
    assert history[2].version.source == "api" and history[2].version.at == clock.now()
    # and every version reads back as it was adopted
    assert settings.version("ACQ", 1).settings.grace_period_days == 10
    assert settings.current("ACQ").settings.suspension_forbidden_weekdays == (3, 4, 6)
    assert settings.current("ACQ").settings.instalment_tolerance_amount == Decimal("2.50")


def test_an_invalid_change_lists_every_problem_and_saves_nothing(container: Container) -> None:
    container.companies.register("ACQ", "Acque", by="test")
    settings = container.company_settings()

    with pytest.raises(InvalidCompanySettings) as refused:
        settings.change(
            "ACQ",
            {
                "grace_period_days": -1,
                "suspension_forbidden_weekdays": ["venerdì", "festa"],
                "company_days": [{"date": "30/02", "label": "x"}, {"date": "06-24"}],
                "write_off_ceilings": {"1": "500.00", "2": "100.00"},
                "instalment_tolerance_amount": "1_000",
                "litigation_approval_level": 10,
                "colour": "blue",
            },
            by="anna",
        )

    fields = [p.field for p in refused.value.problems]
    assert fields == [
        "colour",
        "grace_period_days",
        "suspension_forbidden_weekdays.1",
        "company_days.0.date",
        "company_days.1.label",
        "write_off_ceilings.2",
        "instalment_tolerance_amount",
        "litigation_approval_level",
    ]
    assert "impostazioni non valide (8 problemi)" in str(refused.value)
    assert len(settings.history("ACQ")) == 1


def test_a_change_based_on_an_older_version_is_refused(container: Container) -> None:
    container.companies.register("ACQ", "Acque", by="test")
    settings = container.company_settings()
    settings.change("ACQ", {"grace_period_days": 12}, by="anna", expected_version=1)

    with pytest.raises(Conflict, match="versione 2, non 1"):
        settings.change("ACQ", {"grace_period_days": 14}, by="bruno", expected_version=1)
    assert settings.current("ACQ").settings.grace_period_days == 12


def _store_legacy(container: Container, topic: str, originator_version: int, state: dict[str, Any]) -> None:
    """Write an event in the shape the code before versioned settings wrote it."""
    event = object.__new__(resolve_topic(topic))
    timestamp = container.clock.now()
    object.__setattr__(
        event,
        "__dict__",
        {
            "originator_id": company_id("OLD"),
            "originator_version": originator_version,
            "timestamp": timestamp,
            **state,
        },
    )
    container.app.recorder.insert_events([container.app.mapper.to_stored_event(event)])


def test_events_written_before_settings_were_versioned_still_load(container: Container) -> None:
    # Given a company registered and changed by the code before this feature (no version, at, note;
    # no company days, no instalment tolerance amount)
    old_settings = {
        "grace_period_days": 7,
        "suspension_forbidden_weekdays": [4, 5],
        "suspension_forbidden_on_holidays": True,
        "suspension_forbidden_on_holiday_eves": True,
        "write_off_ceilings": {"1": Decimal("1000.00"), "2": Decimal("10000.00"), "3": Decimal("1000000.00")},
    }
    registered = {"originator_topic": "creditbox.company.Company", "by": "cli", "code": "OLD", "name": "Vecchia",
                  "settings": old_settings}  # fmt: skip
    _store_legacy(container, COMPANY_REGISTERED, 1, registered)
    changed = {"by": "cli", "settings": {**old_settings, "grace_period_days": 9, "instalment_tolerance_days": 4}}
    _store_legacy(container, COMPANY_SETTINGS_CHANGED, 2, changed)

    # When it is read back
    history = container.company_settings().history("OLD")

    # Then both versions are there, the missing fields at the values hard-coded then
    assert [(h.version.version, h.version.by, h.version.at) for h in history] == [(1, "cli", None), (2, "cli", None)]
    current = container.company_settings().current("OLD").settings
    assert (current.grace_period_days, current.instalment_tolerance_days, current.litigation_approval_level) == (
        9,
        4,
        2,
    )
    assert current.company_days == () and current.instalment_tolerance_amount == Decimal("0.00")
    # and a new change continues the numbering
    revision = container.company_settings().change("OLD", {"grace_period_days": 11}, by="anna")
    assert revision.version.version == 3
    assert container.company_settings().current("OLD").settings.grace_period_days == 11


def test_instalments_paid_within_the_amount_tolerance_count_as_paid(container: Container) -> None:
    # Given a case of 300.00 with a plan of three instalments, and a tolerance of 1.00 on instalments
    container.companies.register("ACQ", "Acque", by="test")
    container.company_settings().change("ACQ", {"instalment_tolerance_amount": "1.00"}, by="anna")
    _customer(container, "ACQ", "C1", date(2026, 1, 31), "300.00")
    container.dunning().run_due("ACQ", date(2026, 2, 10))
    schedule = [(date(2026, 3, 1), Decimal("100.00")), (date(2026, 4, 1), Decimal("100.00")),
                (date(2026, 5, 1), Decimal("100.00"))]  # fmt: skip
    container.case_commands().agree_plan("ACQ", "C1", "S-C1/1", schedule, by="op", business_date=date(2026, 2, 11))

    # When the customer pays 99.50 (0.50 short) before the first instalment's due date
    container.ingestor().ingest("ACQ", [PaymentRecord("P1", "C1", date(2026, 2, 25), Decimal("99.50"))], by="test")
    container.dunning().run_due("ACQ", date(2026, 3, 10))

    # Then the first instalment is paid (recording the settings version), nothing is missed
    paid = _named(container, "ACQ", "C1", "InstalmentPaid")
    assert [(e.number, e.settings_version) for e in paid] == [(1, 2)]
    assert _named(container, "ACQ", "C1", "InstalmentMissed") == []
