"""Business dates at the storage-backed boundaries (the use cases, on the in-memory event store): the Excel import (real
``.xlsx`` files), the ingestor (payments ahead of the business date), the case commands (outcomes,
locks, lifts, business dates ahead of today) and the correction of an outcome recorded by mistake.

The container's clock says 02/03/2026; the tolerance is the default one day.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import Workbook

from creditbox.application.records import BillRecord, CustomerRecord, PaymentRecord, Sheet, SupplyRecord
from creditbox.bootstrap import Container
from creditbox.clock import FixedClock
from creditbox.domain.business_dates import DateInFuture, DateOutOfRange
from creditbox.domain.errors import Field
from creditbox.domain.ids import company_id, position_id
from creditbox.domain.workflow.cases import StepStatus
from creditbox.domain.workflow.outcomes import LockReason, StepOutcome
from creditbox.sample_data import BadRow, SampleSpec, generate
from tests.builders import details, supply
from tests.conftest import AFTER_THE_SAMPLE_DATA
from tests.profile_workbooks import PROFILE, every_supply_active, other_layout_bytes, their_location

pytestmark = pytest.mark.use_case

TODAY = date(2026, 3, 2)
DUE = date(2026, 1, 31)
CASE = "S-C1/1"


def _workbook(bills: list[list[Any]], payments: list[list[Any]]) -> bytes:
    book = Workbook()
    customers = book.active
    assert customers is not None
    customers.title = "Clienti"
    customers.append(["Codice Cliente", "Nominativo", "Tipologia Cliente"])
    customers.append(["C1", "Mario Rossi", 1])
    supplies = book.create_sheet("Forniture")
    supplies.append(["Codice Cliente", "Codice Fornitura", "Tipologia Servizio", "Tipologia Fornitura", "Stato"])
    supplies.append(["C1", "S1", 1, 1, 1])
    sheet = book.create_sheet("Bollette")
    sheet.append(
        ["Numero Bolletta", "Codice Cliente", "Codice Fornitura", "Data Emissione", "Data Scadenza", "Importo"]
    )
    for row in bills:
        sheet.append(row)
    paid = book.create_sheet("Pagamenti")
    paid.append(["Id Pagamento", "Codice Cliente", "Numero Bolletta", "Data Pagamento", "Importo"])
    for row in payments:
        paid.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class TestTheExcelImport:
    def test_every_date_outside_the_range_is_a_row_rejection_naming_sheet_row_and_column(
        self, container: Container
    ) -> None:
        container.companies.register("ACQ", "Acque", by="test")
        content = _workbook(
            bills=[
                ["B1", "C1", "S1", date(2026, 1, 1), date(2026, 1, 31), 100],  # row 2: good
                ["B2", "C1", "S1", date(9999, 12, 1), date(9999, 12, 31), 100],  # row 3: the reproduction
                ["B3", "C1", "S1", date(2026, 1, 1), "31/12/2100", 100],  # row 4: the day after the range
                ["B4", "C1", "S1", "0001-01-01", date(2026, 1, 31), 100],  # row 5: year 1
                ["B5", "C1", "S1", date(1989, 12, 31), date(2026, 1, 31), 100],  # row 6: the day before
                ["B6", "C1", "S1", date(1990, 1, 1), date(2099, 12, 31), 100],  # row 7: the bounds, good
            ],
            payments=[
                ["P1", "C1", "B1", date(2026, 2, 10), 10],  # row 2: good
                ["P2", "C1", "B1", date(2100, 1, 1), 10],  # row 3: out of range
                ["P3", "C1", "B1", date(2026, 3, 10), 10],  # row 4: beyond today + 1 day
                ["P4", "C1", "B1", "01/03/2029", 10],  # row 5: a mistyped year
                ["P5", "C1", "B1", date(2026, 3, 3), 10],  # row 6: just inside the tolerance, good
            ],
        )

        result = container.importer().run(content, "date.xlsx", "ACQ", by="test")

        where = {(r.sheet, r.row, r.column) for r in result.rejected}
        assert where == {
            ("Bollette", 3, "Data Emissione"),
            ("Bollette", 3, "Data Scadenza"),  # each bad cell of the row is named
            ("Bollette", 4, "Data Scadenza"),
            ("Bollette", 5, "Data Emissione"),
            ("Bollette", 6, "Data Emissione"),
            ("Pagamenti", 3, "Data Pagamento"),
            ("Pagamenti", 4, "Data Pagamento"),
            ("Pagamenti", 5, "Data Pagamento"),
        }
        reasons = {(r.sheet, r.row): r.reason for r in result.rejected}
        assert "fuori dall'intervallo ammesso (dal 01/01/1990 al 31/12/2099)" in reasons[("Bollette", 3)]
        assert "successiva alla data odierna (02/03/2026)" in reasons[("Pagamenti", 4)]
        assert "01/03/2029" in reasons[("Pagamenti", 5)]
        position = container.positions.load("ACQ", "C1")
        assert sorted(position.bills) == ["B1", "B6"] and sorted(position.payments) == ["P1", "P5"]

    def test_the_workflow_then_runs_for_every_company_with_no_poison_date_stored(self, container: Container) -> None:
        container.companies.register("ACQ", "Acque", by="test")
        content = _workbook(bills=[["B9", "C1", "S1", date(9999, 12, 1), date(9999, 12, 31), 100]], payments=[])
        container.importer().run(content, "poison.xlsx", "ACQ", by="test")

        report = container.dunning().run_due("ACQ", TODAY)

        assert container.positions.load("ACQ", "C1").bills == {}
        # The tick runs (nothing poisons it) and, nothing being due, looks at no position (the due index).
        assert report.positions == 0 and report.event_count == 0


def _given_a_water_customer(container: Container) -> None:
    if not container.app.exists(company_id("ACQ")):
        container.companies.register("ACQ", "Acque", by="test")
    records = [
        CustomerRecord("C1", details(mobile="3331234567", address="Via Roma 1", postcode="00100", city="Roma")),
        SupplyRecord("C1", supply("S-C1")),
        BillRecord("B-C1", "C1", "S-C1", date(2026, 1, 1), DUE, Decimal("120.00")),
    ]
    container.ingestor().ingest("ACQ", records, by="test")


@pytest.fixture
def letter_sent(container: Container, clock: FixedClock) -> Container:
    """Case S-C1/1: SMS on 10/02/2026, registered letter (step 2) on 15/02; the clock on 18/02."""
    _given_a_water_customer(container)
    container.dunning().run_due("ACQ", date(2026, 2, 10))
    container.dunning().run_due("ACQ", date(2026, 2, 15))
    clock.set(date(2026, 2, 18))
    return container


class TestFactsAndCommandsAheadOfTheBusinessDate:
    @pytest.mark.parametrize("day", [date(2026, 2, 20), date(2029, 2, 18), date(2099, 12, 31)], ids=str)
    def test_an_outcome_beyond_the_tolerance_is_refused_and_nothing_is_recorded(
        self, letter_sent: Container, day: date
    ) -> None:
        before = letter_sent.app.recorder.max_notification_id()
        with pytest.raises(DateInFuture) as refused:
            letter_sent.case_commands().record_outcome("ACQ", "C1", CASE, 2, StepOutcome.DELIVERED, day, by="op")
        assert refused.value.field is Field.OUTCOME_DATE
        assert letter_sent.app.recorder.max_notification_id() == before

    @pytest.mark.parametrize("day", [date(1, 1, 1), date(9999, 12, 31), date.max], ids=str)
    def test_an_outcome_outside_the_range_is_refused(self, letter_sent: Container, day: date) -> None:
        with pytest.raises(DateOutOfRange):
            letter_sent.case_commands().record_outcome("ACQ", "C1", CASE, 2, StepOutcome.DELIVERED, day, by="op")

    def test_an_outcome_just_inside_the_tolerance_is_recorded(self, letter_sent: Container) -> None:
        result = letter_sent.case_commands().record_outcome(
            "ACQ", "C1", CASE, 2, StepOutcome.DELIVERED, date(2026, 2, 19), by="op"
        )
        assert result.changed and result.events[0] == "OutcomeRecorded"

    def test_locks_lifts_and_command_dates_beyond_the_tolerance_are_refused(self, letter_sent: Container) -> None:
        commands = letter_sent.case_commands()
        with pytest.raises(DateInFuture) as lock:
            commands.set_lock("ACQ", "C1", LockReason.MANUAL, start=date(2027, 2, 18), by="op")
        lock_id = commands.set_lock("ACQ", "C1", LockReason.MANUAL, until=date(2099, 12, 31), by="op").lock_id
        assert lock_id is not None
        with pytest.raises(DateInFuture) as lift:
            commands.lift_lock("ACQ", "C1", lock_id, date(2026, 2, 25), by="op")
        with pytest.raises(DateInFuture) as write_off:
            commands.request_write_off("ACQ", "C1", CASE, by="op", business_date=date(2026, 3, 1))
        assert (lock.value.field, lift.value.field, write_off.value.field) == (
            Field.LOCK_START,
            Field.LIFTED_ON,
            Field.BUSINESS_DATE,
        )
        with pytest.raises(DateOutOfRange):
            commands.set_lock("ACQ", "C1", LockReason.MANUAL, until=date(2100, 1, 1), by="op")

    @pytest.mark.parametrize(
        ("paid", "accepted"),
        [(date(2026, 3, 3), True), (date(2026, 3, 2), True), (date(2026, 3, 4), False), (date(2099, 1, 1), False)],
        ids=str,
    )
    def test_a_payment_ahead_of_today_is_a_rejection_on_its_date_column(
        self, container: Container, paid: date, accepted: bool
    ) -> None:
        _given_a_water_customer(container)
        report = container.ingestor().ingest("ACQ", [PaymentRecord("P1", "C1", paid, Decimal("10.00"))], by="feed")
        result = report.results[0]
        assert (result.outcome.value == "accepted") is accepted
        if not accepted:
            assert result.column == "Data Pagamento" and "successiva alla data odierna" in (result.reason or "")


class TestCorrectingAnOutcome:
    def test_an_outcome_dated_years_ahead_blocks_the_case_until_corrected_then_the_case_follows_the_correction(
        self, letter_sent: Container, clock: FixedClock
    ) -> None:
        # Recorded before the guard existed (straight through the domain): delivered on 18/02/2029.
        service = letter_sent.dunning()
        position = service.load("ACQ", "C1")
        position.record_outcome(CASE, 2, StepOutcome.DELIVERED, date(2029, 2, 18), "", by="op")
        service.save(position)
        service.run_due("ACQ", date(2026, 3, 30))
        assert service.load("ACQ", "C1").case(CASE).step(3) is None  # blocked until 2029

        clock.set(date(2026, 3, 30))
        corrected = letter_sent.case_commands().correct_outcome(
            "ACQ", "C1", CASE, 2, StepOutcome.DELIVERED, date(2026, 2, 18), "anno digitato male", by="supervisore"
        )

        assert corrected.changed and corrected.events[:2] == ["OutcomeCorrected", "StepProposed"]
        step = service.load("ACQ", "C1").case(CASE).step(3)
        assert step is not None and step.status == StepStatus.PROPOSED  # delivered 18/02 + 40 days
        events = list(letter_sent.app.repository.event_store.get(position_id("ACQ", "C1")))
        recorded = [e for e in events if type(e).__name__ == "OutcomeRecorded"]
        fixed = [e for e in events if type(e).__name__ == "OutcomeCorrected"]
        assert [(e.outcome_date, e.by) for e in recorded] == [(date(2029, 2, 18), "op")]
        assert [(e.replaced_date, e.outcome_date, e.by, e.reason) for e in fixed] == [
            (date(2029, 2, 18), date(2026, 2, 18), "supervisore", "anno digitato male")
        ]

    def test_a_wrong_outcome_is_corrected_and_the_case_proceeds_and_the_same_correction_again_changes_nothing(
        self, letter_sent: Container, clock: FixedClock
    ) -> None:
        commands = letter_sent.case_commands()
        commands.record_outcome("ACQ", "C1", CASE, 2, StepOutcome.RETURNED, date(2026, 2, 18), by="op")
        letter_sent.dunning().run_due("ACQ", date(2026, 3, 30))
        assert letter_sent.dunning().load("ACQ", "C1").case(CASE).step(3) is None  # waits for a delivery proof

        clock.set(date(2026, 3, 30))
        first = commands.correct_outcome(
            "ACQ", "C1", CASE, 2, StepOutcome.DELIVERED, date(2026, 2, 18), "era consegnata", by="op2"
        )
        again = commands.correct_outcome(
            "ACQ", "C1", CASE, 2, StepOutcome.DELIVERED, date(2026, 2, 18), "era consegnata", by="op2"
        )

        assert first.changed and "StepProposed" in first.events
        assert again.changed is False and again.events == []
        step = letter_sent.dunning().load("ACQ", "C1").case(CASE).step(2)
        assert step is not None and step.outcomes == [(StepOutcome.DELIVERED, date(2026, 2, 18))]

    def test_a_correction_needs_a_reason_an_outcome_to_correct_and_a_date_within_the_window(
        self, letter_sent: Container
    ) -> None:
        commands = letter_sent.case_commands()
        with pytest.raises(Exception, match="nessun esito registrato"):
            commands.correct_outcome("ACQ", "C1", CASE, 2, StepOutcome.DELIVERED, date(2026, 2, 18), "x", by="op")
        commands.record_outcome("ACQ", "C1", CASE, 2, StepOutcome.RETURNED, date(2026, 2, 18), by="op")
        with pytest.raises(Exception, match="motivo della correzione"):
            commands.correct_outcome("ACQ", "C1", CASE, 2, StepOutcome.DELIVERED, date(2026, 2, 18), " ", by="op")
        with pytest.raises(DateInFuture):
            commands.correct_outcome("ACQ", "C1", CASE, 2, StepOutcome.DELIVERED, date(2029, 2, 18), "x", by="op")
        with pytest.raises(Exception, match="nessun esito 'consegnato'"):
            commands.correct_outcome(
                "ACQ",
                "C1",
                CASE,
                2,
                StepOutcome.HELD,
                date(2026, 2, 18),
                "x",
                (StepOutcome.DELIVERED, date(2026, 2, 17)),
                by="op",
            )


@pytest.mark.today(AFTER_THE_SAMPLE_DATA)
def test_their_layout_refuses_dates_outside_the_range_where_they_are_in_their_file(container: Container) -> None:
    container.companies.register("NRD", "Acque Nord", by="test")
    container.import_profiles().set("NRD", "nord", PROFILE, by="test")
    data = every_supply_active(generate(SampleSpec(customers=3)))
    bills, payments = data.rows[Sheet.BILLS], data.rows[Sheet.PAYMENTS]
    bills[0][4] = date(9999, 12, 31)  # due date, written 31.12.9999 in their file
    bills[1][3] = date(1989, 12, 31)  # issue date, 31.12.1989
    payments[0][3] = date(2100, 1, 1)  # payment date, 21000101
    bad = [
        BadRow(Sheet.BILLS, 2, "Data Scadenza", ""),
        BadRow(Sheet.BILLS, 3, "Data Emissione", ""),
        BadRow(Sheet.PAYMENTS, 2, "Data Pagamento", ""),
    ]

    parser = container.import_profiles().parser("NRD", "nord")
    result = container.importer().run(other_layout_bytes(data), "nord.xlsx", "NRD", by="test", parser=parser)

    assert {(r.sheet, r.row, r.column) for r in result.rejected} == {their_location(b) for b in bad}
    assert all("fuori dall'intervallo ammesso" in r.reason for r in result.rejected)
