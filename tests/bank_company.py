"""The company the bank files of ``tests/bank_files.py`` are about: customers C001…C007, one bill each."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from creditbox.application.records import BillRecord, CustomerRecord, Record, SupplyRecord
from creditbox.bootstrap import Container
from creditbox.domain.documents import Payment
from tests.bank_files import BILLS, COMPANY
from tests.builders import details, supply

BY = "test"


def seed(container: Container, company: str = COMPANY, *, register: bool = True) -> str:
    """Register the company (unless ``register`` is False: it is already) and its customers, supplies
    and bills; returns the company's code."""
    code = container.companies.register(company, "Acque del Gruppo", by=BY).code if register else company
    records: list[Record] = []
    for customer, (number, amount) in BILLS.items():
        supply_code = f"S{customer[1:]}"
        records += [
            CustomerRecord(customer, details(f"Cliente {customer}")),
            SupplyRecord(customer, supply(supply_code)),
            BillRecord(number, customer, supply_code, date(2026, 1, 10), date(2026, 2, 10), Decimal(amount)),
        ]
    report = container.ingestor().ingest(code, records, by=BY)
    assert all(r.reason is None for r in report.results), report.results
    return code


def payments(container: Container, customer: str, company: str = COMPANY) -> list[Payment]:
    """The payments (and reversals) recorded on a customer's position."""
    return list(container.positions.load(company, customer).payments.values())


def all_payments(container: Container, company: str = COMPANY) -> dict[str, list[tuple[str, Decimal, str | None]]]:
    """Every customer's payments as (id, amount, bill), sorted."""
    return {
        customer: sorted((p.payment_id, p.amount, p.bill_number) for p in payments(container, customer, company))
        for customer in BILLS
    }
