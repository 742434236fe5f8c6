"""Positions driven through the workflow to the technical office and to the collection agency, and
the office adapters that take their actions (shared by the tests of both offices and their CLI)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO
from typing import Any

from openpyxl import Workbook

from creditbox.application.ports import AdapterSpec
from creditbox.application.records import BillRecord, CustomerRecord, PaymentRecord, SupplyRecord
from creditbox.bootstrap import Container
from creditbox.clock import FixedClock
from creditbox.domain.codes import Service, SupplyType
from creditbox.domain.documents import SupplyDetails
from creditbox.domain.ids import company_id
from creditbox.domain.workflow.outcomes import StepOutcome
from creditbox.infrastructure.channels.office_batches import (
    OfficeBatchChannel,
    agency_from_spec,
    technical_office_from_spec,
)
from tests.builders import details

LIMITATION = "ACQ/C1/S-C1/1/3"  # water, domestic: limitation requested on 30/03/2026
SUSPENSION = "ACQ/C1/S-C1/1/4"  # then the suspension, on 28/04/2026
REACTIVATION = "ACQ/C1/S-C1/1/riattivazione"  # paid on 30/04/2026: reactivation requested
ASSIGNMENT = "ACQ/C2/S-C2/1/3"  # not suspendable: handed to the agency on 29/03/2026
FIRST_SMS = "ACQ/C1/S-C1/1/1"
LIMITATION_DAY, ASSIGNMENT_DAY = date(2026, 3, 30), date(2026, 3, 29)


def _no_secret(name: str) -> str:
    raise KeyError(name)


def technical_adapter(c: Container, **options: Any) -> OfficeBatchChannel:
    spec = AdapterSpec("ACQ", "ufficio_tecnico", "ufficio-tecnico", options, _no_secret)
    return technical_office_from_spec(spec, c.clock, c.settings.channel_dir)


def agency_adapter(c: Container, agency: str = "ADR1", name: str = "Recuperi Srl") -> OfficeBatchChannel:
    spec = AdapterSpec("ACQ", "agenzia", "agenzia", {"agency": agency, "agency_name": name}, _no_secret)
    return agency_from_spec(spec, c.clock, c.settings.channel_dir)


def _clock(c: Container) -> FixedClock:
    assert isinstance(c.clock, FixedClock)
    return c.clock


def given_customers(c: Container) -> None:
    """C1: domestic water, suspendable (meter and address known); C2: water, not suspendable."""
    if not c.app.exists(company_id("ACQ")):
        c.companies.register("ACQ", "Acque Spa", by="test")
    records = [
        CustomerRecord(
            "C1", details(mobile="3331234567", address="Via Roma 1", postcode="00184", city="Roma", province="RM")
        ),
        SupplyRecord(
            "C1",
            SupplyDetails("S-C1", Service.WATER, SupplyType.SUSPENDABLE, meter="MT-0042", address="Via Roma 1, Roma"),
        ),
        BillRecord("B-C1", "C1", "S-C1", date(2026, 1, 1), date(2026, 1, 31), Decimal("120.00")),
        CustomerRecord(
            "C2",
            details(
                name="Anna Bianchi",
                fiscal_code="BNCNNA80A41L219X",
                address="Via Po 2",
                postcode="10121",
                city="Torino",
                province="TO",
                email="anna@example.it",
                mobile="3470000000",
            ),
        ),
        SupplyRecord("C2", SupplyDetails("S-C2", Service.WATER, SupplyType.NON_SUSPENDABLE, address="Via Po 2")),
        BillRecord("B-C2", "C2", "S-C2", date(2026, 1, 1), date(2026, 1, 31), Decimal("300.00")),
    ]
    c.ingestor().ingest("ACQ", records, by="test")


def _run(c: Container, day: date) -> None:
    _clock(c).set(day)
    c.dunning().run_due("ACQ", day)


def drive_to_the_offices(c: Container) -> None:
    """C1 to its limitation request (30/03/2026), C2 to its hand-over to the agency (29/03/2026)."""
    given_customers(c)
    commands = c.case_commands()
    for day in (date(2026, 2, 10), date(2026, 2, 15), date(2026, 2, 25)):
        _run(c, day)
    _clock(c).set(date(2026, 2, 27))
    commands.record_outcome("ACQ", "C1", "S-C1/1", 2, StepOutcome.DELIVERED, date(2026, 2, 18), by="op")
    commands.record_outcome("ACQ", "C2", "S-C2/1", 2, StepOutcome.DELIVERED, date(2026, 2, 27), by="op")
    _run(c, ASSIGNMENT_DAY)
    _run(c, LIMITATION_DAY)  # the limitation is proposed
    commands.confirm_proposal("ACQ", "C1", "S-C1/1", 3, by="op")
    commands.approve_step("ACQ", "C1", "S-C1/1", 3, level=1, by="boss")
    c.projections.catch_up()


def drive_to_the_reactivation(c: Container) -> None:
    """After ``drive_to_the_offices``: the limitation done, the supply suspended, then paid."""
    commands = c.case_commands()
    _clock(c).set(date(2026, 4, 2))
    commands.record_outcome("ACQ", "C1", "S-C1/1", 3, StepOutcome.POSITIVE, date(2026, 4, 2), by="op")
    _run(c, date(2026, 4, 27))  # the suspension is proposed
    _clock(c).set(date(2026, 4, 28))
    commands.confirm_proposal("ACQ", "C1", "S-C1/1", 4, by="op")
    commands.approve_step("ACQ", "C1", "S-C1/1", 4, level=1, by="boss")
    _clock(c).set(date(2026, 4, 29))
    commands.record_outcome("ACQ", "C1", "S-C1/1", 4, StepOutcome.POSITIVE, date(2026, 4, 29), by="op")
    c.ingestor().ingest("ACQ", [PaymentRecord("P-C1", "C1", date(2026, 4, 30), Decimal("120.00"))], by="test")
    _run(c, date(2026, 4, 30))  # closed as paid: the reactivation is requested
    c.projections.catch_up()


def workbook_bytes(sheet: str, rows: list[list[object]]) -> bytes:
    """A real .xlsx with one sheet; the first row is the header."""
    workbook = Workbook()
    ws = workbook.active
    assert ws is not None
    ws.title = sheet
    for row in rows:
        ws.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
