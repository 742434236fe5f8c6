"""Customers whose cases were handed over to litigation, for the legal proceedings tests."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from creditbox.application.records import BillRecord, CustomerRecord, Record, SupplyRecord
from creditbox.bootstrap import Container
from creditbox.domain.ids import company_id
from tests.builders import details, supply

DUE = date(2026, 1, 31)
OPENED = date(2026, 2, 10)
HANDED_OVER = date(2026, 2, 20)
TODAY = date(2026, 3, 2)  # the container fixture's clock

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def legal_documents_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The documents of every test (and of the commands it runs) go under its own folder."""
    folder = tmp_path / "documenti-legali"
    monkeypatch.setenv("CREDITBOX_LEGAL_DOCUMENTS_DIR", str(folder))
    return folder


def customer_records(code: str, amount: str = "3000.00") -> list[Record]:
    contacts = details(name=f"Cliente {code}", mobile="3331234567", address="Via Roma 1", postcode="00184", city="Roma")
    return [
        CustomerRecord(code, contacts),
        SupplyRecord(code, supply(f"S-{code}")),
        BillRecord(f"B-{code}", code, f"S-{code}", date(2026, 1, 1), DUE, Decimal(amount)),
    ]


def given_cases_in_litigation(c: Container, *codes: str) -> None:
    """One customer per code, each with case ``S-<code>/1`` handed over to litigation on 20/02/2026."""
    if not c.app.exists(company_id("ACQ")):
        c.companies.register("ACQ", "Acque", by="test")
    c.ingestor().ingest("ACQ", [r for code in codes for r in customer_records(code)], by="test")
    c.dunning().run_due("ACQ", OPENED)
    commands = c.case_commands()
    for code in codes:
        commands.hand_over_to_litigation("ACQ", code, f"S-{code}/1", 2, by="boss", business_date=HANDED_OVER)
