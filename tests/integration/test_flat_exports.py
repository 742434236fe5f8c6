"""Flat exports (one row per bill, customer and supply repeated) read through a profile: the same
business content as a multi-sheet export lands in the same positions, and repeated data that
disagrees is a rejection naming both rows."""

from __future__ import annotations

import pytest

from creditbox.application.import_results import ImportResult
from creditbox.application.records import Sheet
from creditbox.bootstrap import Container
from creditbox.sample_data import SampleSpec, generate
from tests.conftest import AFTER_THE_SAMPLE_DATA
from tests.flat_exports import FLAT_HEADERS, FLAT_PROFILE, billed_only, flat_csv_bytes, flat_rows
from tests.integration.test_import_profiles import snapshot, summary
from tests.profile_workbooks import PROFILE, every_supply_active, other_layout_bytes

pytestmark = [pytest.mark.use_case, pytest.mark.today(AFTER_THE_SAMPLE_DATA)]

FLAT, SHEETS = "FLT", "NRD"


@pytest.fixture
def registered(container: Container) -> Container:
    container.companies.register(FLAT, "Acque Piatte S.p.A.", by="test")
    container.companies.register(SHEETS, "Acque Nord S.p.A.", by="test")
    container.import_profiles().set(FLAT, "piatto", FLAT_PROFILE, by="test")
    container.import_profiles().set(SHEETS, "nord", PROFILE, by="test")
    return container


def run(container: Container, content: bytes, name: str, company: str, profile: str) -> ImportResult:
    parser = container.import_profiles().parser(company, profile)
    return container.importer(chunk_size=7).run(content, name, company, by="test", parser=parser)


def test_a_flat_csv_and_a_multi_sheet_workbook_import_the_same_positions(registered: Container) -> None:
    data = billed_only(every_supply_active(generate(SampleSpec(customers=15))))
    data.rows[Sheet.CUSTOMERS][0][1] = "Società Idrica Né S.r.l."  # Windows-1252 letters
    flat = flat_csv_bytes(data)
    assert flat.count(b";") > 100 and "Società".encode("windows-1252") in flat  # an Italian CSV, no settings

    from_flat = run(registered, flat, "estrazione.csv", FLAT, "piatto")
    from_sheets = run(registered, other_layout_bytes(data), "estrazione.xlsx", SHEETS, "nord")

    customers, supplies, bills = (data.count(s) for s in (Sheet.CUSTOMERS, Sheet.SUPPLIES, Sheet.BILLS))
    assert from_flat.rejected == [] and from_sheets.rejected == []
    assert from_flat.sheets[Sheet.CUSTOMERS].as_json() == {
        "accepted": customers,
        "unchanged": bills - customers,
        "rejected": 0,
    }
    assert from_flat.sheets[Sheet.SUPPLIES].as_json() == {
        "accepted": supplies,
        "unchanged": bills - supplies,
        "rejected": 0,
    }
    assert from_flat.sheets[Sheet.BILLS].accepted == from_sheets.sheets[Sheet.BILLS].accepted == bills > 50
    for row in data.rows[Sheet.CUSTOMERS]:
        flat_position = registered.positions.load(FLAT, row[0])
        assert snapshot(flat_position) == snapshot(registered.positions.load(SHEETS, row[0]))
        assert summary(registered, FLAT, row[0]) == summary(registered, SHEETS, row[0])
    assert registered.positions.load(FLAT, data.rows[Sheet.CUSTOMERS][0][0]).details.name == "Società Idrica Né S.r.l."

    again = run(registered, flat, "estrazione.csv", FLAT, "piatto")
    assert (again.already_imported, again.events) == (True, 0)


def test_repeated_customer_or_supply_data_that_disagrees_names_both_rows(registered: Container) -> None:
    data = billed_only(every_supply_active(generate(SampleSpec(customers=4))))
    rows = flat_rows(data)
    customer = rows[0][0]
    later = next(i for i, r in enumerate(rows) if i > 0 and r[0] == customer)
    rows[later][1] = "Altro Nome S.p.A."  # Ragione Sociale differs from the first row of that customer
    pod, meter_column = FLAT_HEADERS.index("POD/PDR"), FLAT_HEADERS.index("Matricola")
    supply = rows[0][pod]
    again = next(i for i, r in enumerate(rows) if i > 0 and r[pod] == supply)
    rows[again][meter_column] = "M-DIVERSA"

    result = run(registered, flat_csv_bytes(data, rows), "estrazione.csv", FLAT, "piatto")

    by_row = {(r.row, r.column): r for r in result.rejected}
    name = by_row[(later + 2, "Ragione Sociale")]
    assert name.sheet == "estrazione.csv"
    first_name = rows[0][1]
    assert name.reason == (
        f"il cliente {customer!r} è ripetuto con dati diversi dalla riga 2: Ragione Sociale {first_name!r} alla riga 2,"
        " qui 'Altro Nome S.p.A.'"
    )
    meter = by_row[(again + 2, "Matricola")]
    assert meter.reason.startswith(f"la fornitura {supply!r} è ripetuta con dati diversi dalla riga 2: Matricola ")
    assert meter.reason.endswith("qui 'M-DIVERSA'")
    # The first row's customer went in as written; the bill of the disagreeing row too (its own data is fine).
    assert registered.positions.load(FLAT, customer).details.name == first_name
    assert result.sheets[Sheet.CUSTOMERS].rejected == 1
    assert result.sheets[Sheet.BILLS].rejected == 0
