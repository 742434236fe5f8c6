"""The ageing flags the bills under the two-year limitation of L. 205/2017 (*prescrivibile*): past
their due date + 2 years **and** covered (domestic or non-domestic customer, electricity, gas or water
due after the service's start date). ``past_limit`` keeps counting every bill past the two years; the
new ``time_barred`` is the part of it the law covers — in the summary, per customer and in the Excel
export and the command's output.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from creditbox.application.records import BillRecord, CustomerRecord, Record, SupplyRecord
from creditbox.bootstrap import Container
from creditbox.domain.codes import CustomerType, Service
from creditbox.projections.queries.ageing import ageing_by_position, ageing_summary
from tests.builders import details, supply
from tests.integration.command_line import invoke

AS_OF = date(2026, 3, 2)
OLD = date(2023, 1, 15)  # + 2 years = 15/01/2025, before AS_OF
# customer → (type, service, due date, amount, prescrivibile?)
CUSTOMERS = {
    "D1": (CustomerType.DOMESTIC, Service.WATER, OLD, "100.00", True),
    "N1": (CustomerType.NON_DOMESTIC, Service.GAS, OLD, "200.00", True),  # maybe a micro-business
    "T1": (CustomerType.DOMESTIC, Service.TELEPHONE, OLD, "300.00", False),  # telephone: not covered
    "L1": (CustomerType.LARGE_ACCOUNT, Service.ELECTRICITY, OLD, "400.00", False),  # not a micro-business
    "W1": (CustomerType.DOMESTIC, Service.WATER, date(2019, 12, 31), "500.00", False),  # due before 1/1/2020
    "R1": (CustomerType.DOMESTIC, Service.ELECTRICITY, date(2025, 1, 10), "600.00", False),  # two years not run
}


@pytest.fixture
def ages(container: Container) -> None:
    container.companies.register("ACQ", "Acque", by="test")
    records: list[Record] = []
    for code, (kind, service, due, amount, _) in CUSTOMERS.items():
        records += [
            CustomerRecord(code, details(f"Cliente {code}", kind)),
            SupplyRecord(code, supply(f"S{code}", service)),
            BillRecord(f"B{code}", code, f"S{code}", due.replace(day=1), due, Decimal(amount)),
        ]
    container.ingestor().ingest("ACQ", records, by="test")
    container.projections.catch_up()


def test_the_ageing_counts_the_prescrivibili_apart(container: Container, ages: None) -> None:
    with container.projections.connect() as conn:
        summary = ageing_summary(conn, "ACQ", AS_OF)
        rows = {r.customer_code: r for r in ageing_by_position(conn, "ACQ", AS_OF, limit=50).items}
    assert summary.past_limit == Decimal("1500.00") and summary.past_limit_count == 5
    assert summary.time_barred == Decimal("300.00") and summary.time_barred_count == 2
    expected = {code: Decimal(spec[3]) if spec[4] else Decimal("0.00") for code, spec in CUSTOMERS.items()}
    assert {code: row.time_barred for code, row in rows.items()} == expected


@pytest.mark.cli_or_api
def test_the_ageing_export_and_output_show_the_prescrivibili(
    container: Container, ages: None, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CREDITBOX_DATABASE_URL", database_url)
    monkeypatch.setenv("COLUMNS", "250")
    target = tmp_path / "anzianita.xlsx"
    result = invoke("ageing", "--company", "ACQ", "--as-of", AS_OF.isoformat(), "--out", str(target))
    assert result.exit_code == 0, result.output
    book = load_workbook(target)
    totals = {row[0]: row[1] for row in book["Riepilogo"].iter_rows(min_row=2, values_only=True)}
    assert totals["di cui prescrivibile (L. 205/2017)"] == 300
    detail = book.worksheets[1]
    headers = [c.value for c in detail[1]]
    column = headers.index("Prescrivibile (L. 205/2017)")
    by_customer = {row[0]: row[column] for row in detail.iter_rows(min_row=2, values_only=True)}
    assert by_customer["D1"] == 100 and by_customer["N1"] == 200 and by_customer["T1"] == 0
    assert "€" in detail.cell(row=2, column=column + 1).number_format
    result = invoke("ageing", "--company", "ACQ", "--as-of", AS_OF.isoformat())
    assert result.exit_code == 0, result.output
    assert "di cui prescrivibile (L. 205/2017) 300,00 € (2 bollette)" in result.output
