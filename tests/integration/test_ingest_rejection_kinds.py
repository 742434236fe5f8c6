"""The Ingestor gives every rejected record a kind (from the refusal's type) and a column (on
the in-memory event store); accepted and unchanged records have no kind."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from creditbox.application.records import (
    BillRecord,
    Column,
    CustomerRecord,
    Outcome,
    PaymentRecord,
    RejectionKind,
    SupplyRecord,
)
from creditbox.bootstrap import Container
from tests.builders import details, supply

pytestmark = pytest.mark.use_case

JAN = date(2026, 1, 1)
END_JAN = date(2026, 1, 31)


def test_each_refusal_gets_its_kind_and_column(container: Container) -> None:
    container.companies.register("ACQ", "Acque", by="test")
    first = container.ingestor().ingest(
        "ACQ",
        [
            CustomerRecord("C1", details()),
            SupplyRecord("C1", supply("S1")),
            CustomerRecord("C2", details(name="Bianchi")),
            BillRecord("B1", "C1", "S1", JAN, END_JAN, Decimal("100.00")),
            PaymentRecord("P1", "C1", date(2026, 2, 5), Decimal("40.00")),
        ],
        by="test",
    )
    assert [r.kind for r in first.results] == [None] * 5

    report = container.ingestor().ingest(
        "ACQ",
        [
            BillRecord("B2", "C1", "S1", JAN, END_JAN, Decimal("0.00")),
            BillRecord("B3", "C1", "S1", END_JAN, JAN, Decimal("10.00")),
            BillRecord("B1", "C1", "S1", JAN, END_JAN, Decimal("120.00")),
            BillRecord("B4", "C1", "S9", JAN, END_JAN, Decimal("10.00")),
            BillRecord("B5", "C2", "S1", JAN, END_JAN, Decimal("10.00")),
            PaymentRecord("P2", "C1", date(2026, 2, 5), Decimal("5.00"), bill_number="B9"),
            PaymentRecord("P1", "C1", date(2026, 2, 6), Decimal("40.00")),
            SupplyRecord("C2", supply("S1")),
            SupplyRecord("NOBODY", supply("S7")),
        ],
        by="test",
    )

    assert all(r.outcome is Outcome.REJECTED for r in report.results)
    assert [(r.kind, r.column) for r in report.results] == [
        (RejectionKind.INVALID, Column.AMOUNT),
        (RejectionKind.INVALID, Column.DUE_DATE),
        (RejectionKind.CONFLICT, Column.AMOUNT),
        (RejectionKind.NOT_FOUND, Column.SUPPLY_CODE),
        (RejectionKind.CONFLICT, Column.SUPPLY_CODE),
        (RejectionKind.NOT_FOUND, Column.BILL_NUMBER),
        (RejectionKind.CONFLICT, Column.PAYMENT_DATE),
        (RejectionKind.CONFLICT, Column.SUPPLY_CODE),
        (RejectionKind.UNKNOWN_CUSTOMER, Column.CUSTOMER_CODE),
    ]
