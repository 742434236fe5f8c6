"""Files written by other software than ours (``tests/fixtures/imports``, made once by LibreOffice
with ``make_fixtures.py``): an ``.xls`` and an ``.ods`` of our layout, and a flat CSV saved as
Italian software saves it. Each imports exactly what the ``.xlsx`` our software wrote imports."""

from __future__ import annotations

from pathlib import Path

import pytest

from creditbox.application.import_results import ImportResult
from creditbox.application.records import Sheet
from creditbox.bootstrap import Container
from tests.conftest import AFTER_THE_SAMPLE_DATA
from tests.fixtures.imports.make_fixtures import ACCENTED_NAME, fixture_data
from tests.flat_exports import FLAT_PROFILE
from tests.integration.test_import_profiles import snapshot, summary

pytestmark = [pytest.mark.use_case, pytest.mark.today(AFTER_THE_SAMPLE_DATA)]

FIXTURES = Path(__file__).parent.parent / "fixtures" / "imports"
COMPANIES = {
    "standard.xlsx": "XLX",
    "standard.xls": "XLS",
    "standard.ods": "ODS",
    "piatto.csv": "CSV",
    "piatto.ods": "FOD",
}


@pytest.fixture
def registered(container: Container) -> Container:
    for company in COMPANIES.values():
        container.companies.register(company, f"Azienda {company}", by="test")
    for flat in ("CSV", "FOD"):
        container.import_profiles().set(flat, "piatto", FLAT_PROFILE, by="test")
    return container


def run(container: Container, name: str, profile: str | None = None) -> ImportResult:
    company = COMPANIES[name]
    parser = container.import_profiles().parser(company, profile)
    return container.importer().run((FIXTURES / name).read_bytes(), name, company, by="test", parser=parser)


def test_the_fixtures_are_what_other_software_writes() -> None:
    assert (FIXTURES / "standard.xls").read_bytes().startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")  # OLE2 (BIFF)
    ods = (FIXTURES / "standard.ods").read_bytes()
    assert ods.startswith(b"PK\x03\x04") and b"application/vnd.oasis.opendocument.spreadsheet" in ods[:200]
    csv = (FIXTURES / "piatto.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        csv.decode("utf-8")  # Windows-1252: 'à' is one byte
    assert ACCENTED_NAME.encode("windows-1252") in csv
    header, first = csv.split(b"\n")[:2]
    assert header.count(b";") == 21 and b"," not in header
    assert b";1.234,50" in csv  # thousands dots, decimal comma
    assert first.split(b";")[19].count(b"/") == 2  # dd/mm/yyyy


def test_xls_ods_and_a_flat_csv_import_the_positions_the_xlsx_imports(registered: Container) -> None:
    data = fixture_data()
    results = {
        name: run(registered, name, "piatto" if name.startswith("piatto") else None)
        for name in ("standard.xlsx", "standard.xls", "standard.ods", "piatto.csv", "piatto.ods")
    }

    for name, result in results.items():
        assert result.rejected == [], (name, result.rejected)
        assert result.sheets[Sheet.BILLS].accepted == data.count(Sheet.BILLS), name
        assert result.sheets[Sheet.CUSTOMERS].accepted == data.count(Sheet.CUSTOMERS), name
    assert results["piatto.csv"].sheets[Sheet.CUSTOMERS].unchanged == data.count(Sheet.BILLS) - data.count(
        Sheet.CUSTOMERS
    )
    for row in data.rows[Sheet.CUSTOMERS]:
        ours = snapshot(registered.positions.load("XLX", row[0]))
        for name, company in COMPANIES.items():
            assert snapshot(registered.positions.load(company, row[0])) == ours, name
            assert summary(registered, company, row[0]) == summary(registered, "XLX", row[0]), name
    first = registered.positions.load("CSV", data.rows[Sheet.CUSTOMERS][0][0])
    assert first.details.name == ACCENTED_NAME
    assert any(bill.amount == 1234.5 for bill in first.bills.values())
