"""A scripted history for the read-model tests: customers, bills, payments, ticks, outcomes, a plan."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from creditbox.application.records import BillRecord, CustomerRecord, PaymentRecord, Record, SupplyRecord
from creditbox.bootstrap import Container
from creditbox.clock import FixedClock
from creditbox.domain.codes import CustomerType, Service, SupplyType
from creditbox.domain.workflow.outcomes import StepOutcome
from creditbox.projections.schema import due_index, metadata, projection_tracking
from tests.builders import details, supply

DUE = date(2026, 1, 31)
END = date(2026, 4, 2)
BY = "test"


def customer(code: str, *, mobile: str | None = "3330000000", **extra: Any) -> list[Record]:
    """A customer with a complete postal address (letters need one) and a water supply."""
    extra = {"address": f"Via Roma {code}", "postcode": "00184", "city": "Roma", **extra}
    return [
        CustomerRecord(code, details(name=f"Cliente {code}", mobile=mobile, **extra)),  # type: ignore[arg-type]
        SupplyRecord(code, supply(f"S-{code}")),
    ]


def bill(code: str, number: str, amount: str, due: date = DUE) -> BillRecord:
    return BillRecord(number, code, f"S-{code}", due.replace(day=1), due, Decimal(amount))


def run_history(container: Container, clock: FixedClock, *, catch_up_each_step: bool = True) -> None:
    """Feeds the history; with ``catch_up_each_step`` the projections follow it step by step."""

    def step() -> None:
        if catch_up_each_step:
            container.projections.catch_up()

    container.companies.register("ACQ", "Acque", by=BY)
    records: list[Record] = [
        *customer("C1"),
        bill("C1", "B1", "120.00"),
        *customer("C2"),
        bill("C2", "B2", "80.00"),
        *customer("C3", mobile=None),
        bill("C3", "B3", "60.00"),
        *customer("C4"),
        bill("C4", "B4", "50.00"),
        *customer("C5", email="c5@example.it"),
        bill("C5", "B5", "300.00"),
        bill("C5", "B5b", "40.00", due=date(2024, 3, 15)),  # close to the 2-year limit
        *customer("C6", customer_type=CustomerType.NON_DOMESTIC),
        bill("C6", "B6", "100.00"),
        BillRecord("NC6", "C6", "S-C6", date(2026, 1, 10), date(2026, 1, 10), Decimal("-30.00")),
        PaymentRecord("P6", "C6", date(2026, 1, 20), Decimal("20.00")),
        PaymentRecord("R6", "C6", date(2026, 1, 25), Decimal("-20.00")),
        *customer("C7"),
        bill("C7", "B7", "70.00", due=date(2026, 5, 31)),  # not yet due
    ]
    gas = CustomerRecord("G1", details(name="Gas Srl", customer_type=CustomerType.NON_DOMESTIC, email="g@x.it"))
    records += [gas, SupplyRecord("G1", supply("S-G1", Service.GAS, SupplyType.SUSPENDABLE)), bill("G1", "BG1", "500")]
    container.ingestor(chunk_size=3).ingest("ACQ", records, by=BY)
    step()
    dunning, commands = container.dunning(), container.case_commands()
    clock.set(date(2026, 2, 10))
    dunning.run_due("ACQ", date(2026, 2, 10))
    step()
    container.ingestor().ingest("ACQ", [PaymentRecord("P4", "C4", date(2026, 2, 12), Decimal("50.00"))], by=BY)
    step()
    clock.set(date(2026, 2, 15))
    dunning.run_due("ACQ", date(2026, 2, 15))
    step()
    clock.set(date(2026, 2, 20))  # outcomes are recorded once they happened, never ahead of the clock
    commands.record_outcome("ACQ", "C1", "S-C1/1", 2, StepOutcome.RETURNED, date(2026, 2, 19), by=BY)
    commands.record_outcome("ACQ", "C2", "S-C2/1", 2, StepOutcome.DELIVERED, date(2026, 2, 20), by=BY)
    step()
    commands.agree_plan(
        "ACQ",
        "C5",
        "S-C5/1",
        [(date(2026, 3, 15), Decimal("170.00")), (date(2026, 4, 15), Decimal("170.00"))],
        by=BY,
        business_date=date(2026, 2, 16),
    )
    step()
    clock.set(END)
    dunning.run_due("ACQ", END)
    container.ingestor().ingest("ACQ", [PaymentRecord("P2", "C2", END, Decimal("10.00"))], by=BY)
    step()


def dump(conn: Connection) -> dict[str, list[tuple[Any, ...]]]:
    """Every read-model table, rows sorted by primary key (tracking left out, and the due index: it holds
    the scheduler's state too — its leases, the business date each position last ran for and the
    wake-up written back then, from which the next ones are computed — so a table rebuilt from the
    log alone differs from it by design; ``test_due_index`` checks it)."""
    tables = {}
    for table in metadata.sorted_tables:
        if table is projection_tracking or table is due_index:
            continue
        query = select(table).order_by(*table.primary_key.columns)
        tables[table.name] = [tuple(row) for row in conn.execute(query)]
    return tables
