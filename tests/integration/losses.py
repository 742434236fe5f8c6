"""A company with debt out of collection, for the loss tests: written off, settled, lost in litigation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from creditbox.application.records import BillRecord, CustomerRecord, PaymentRecord, Record, SupplyRecord
from creditbox.bootstrap import Container
from creditbox.domain.ids import company_id
from creditbox.domain.workflow.outcomes import LitigationResult, WriteOffKind
from tests.builders import details, supply

DUE = date(2026, 1, 31)
DECIDED = date(2026, 2, 20)
AS_OF = date(2026, 3, 2)  # the container fixture's clock


def _customer(code: str, amount: str, *, later: str | None = None) -> list[Record]:
    contacts = details(name=f"Cliente {code}", mobile="3331234567", address="Via Roma 1", postcode="00184", city="Roma")
    records: list[Record] = [
        CustomerRecord(code, contacts),
        SupplyRecord(code, supply(f"S-{code}")),
        BillRecord(f"B-{code}", code, f"S-{code}", date(2026, 1, 1), DUE, Decimal(amount)),
    ]
    if later is not None:  # a bill due after the case closed: still in collection
        records.append(BillRecord(f"L-{code}", code, f"S-{code}", date(2026, 3, 1), date(2026, 3, 31), Decimal(later)))
    return records


def given_debt_out_of_collection(c: Container) -> None:
    """WO: 300.00 written off (and 50.00 due 31/03 still in collection); ST: 300.00 settled for 100.00
    (nothing paid: 300.00 out of collection); LT: 3000.00 unrecoverable in litigation; LP: 3000.00
    partially recovered in litigation, 1000.00 paid (2000.00 lost); LIVE: 120.00 overdue in collection."""
    if not c.app.exists(company_id("ACQ")):
        c.companies.register("ACQ", "Acque", by="test")
    records = [
        *_customer("WO", "300.00", later="50.00"),
        *_customer("ST", "300.00"),
        *_customer("LT", "3000.00"),
        *_customer("LP", "3000.00"),
        *_customer("LIVE", "120.00"),
    ]
    c.ingestor().ingest("ACQ", records, by="test")
    c.dunning().run_due("ACQ", date(2026, 2, 10))
    commands = c.case_commands()
    commands.request_write_off("ACQ", "WO", "S-WO/1", by="op", business_date=DECIDED)
    commands.approve_write_off("ACQ", "WO", "S-WO/1", 1, by="boss", business_date=DECIDED)
    commands.request_write_off(
        "ACQ", "ST", "S-ST/1", WriteOffKind.SETTLEMENT, Decimal("100.00"), by="op", business_date=DECIDED
    )
    commands.approve_write_off("ACQ", "ST", "S-ST/1", 1, by="boss", business_date=DECIDED)
    for code, result in (("LT", LitigationResult.UNRECOVERABLE), ("LP", LitigationResult.PARTIALLY_RECOVERED)):
        commands.hand_over_to_litigation("ACQ", code, f"S-{code}/1", 2, by="boss", business_date=DECIDED)
        commands.record_litigation_outcome("ACQ", code, f"S-{code}/1", result, Decimal("0.00"), DECIDED, by="legal")
    c.ingestor().ingest("ACQ", [PaymentRecord("P-LP", "LP", date(2026, 2, 25), Decimal("1000.00"))], by="test")
    c.projections.catch_up()
