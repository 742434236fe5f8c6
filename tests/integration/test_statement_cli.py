"""``creditbox statement``: the statement of account on screen, in JSON, as Excel and as PDF, with the
company's own rate file; its refusals (unknown customer, bad format, bad rate file).

The customer: a business (non-domestic) with an electricity supply; bill F1 1.000,00 € due 31/12/2025,
400,00 € paid on 31/01/2026 naming it; statement on 02/03/2026. D.Lgs. 231/2002 at 10,15% (ECB 2,15% + 8):
  01/01–31/01/2026: 31 days on 1000: 1000 × 10,15 × 31 / 36500 = 314650 / 36500 = 8,6205… → 8,62
  01/02–02/03/2026: 30 days on  600:  600 × 10,15 × 30 / 36500 = 182700 / 36500 = 5,0054… → 5,01
interest 13,63; flat compensation 40,00; principal 600,00; total 653,63.
"""

from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from creditbox.application.records import BillRecord, CustomerRecord, PaymentRecord, SupplyRecord
from creditbox.bootstrap import Container
from creditbox.domain.codes import CustomerType, Service
from tests.builders import details, supply
from tests.integration.command_line import run, use_database

pytestmark = pytest.mark.cli_or_api
STATEMENT = ("statement", "C1", "--company", "ACQ", "--as-of", "2026-03-02")


@pytest.fixture
def business(container: Container, database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    use_database(database_url, monkeypatch, company="ACQ", name="Energia Nord S.p.A.")
    monkeypatch.setenv("COLUMNS", "250")
    ingest = container.ingestor().ingest
    customer = details("Officina Verdi S.r.l.", CustomerType.NON_DOMESTIC, vat_number="01234567890")
    ingest("ACQ", [CustomerRecord("C1", customer), SupplyRecord("C1", supply("S1", Service.ELECTRICITY))], by="t")
    ingest("ACQ", [BillRecord("F1", "C1", "S1", date(2025, 12, 1), date(2025, 12, 31), Decimal("1000.00"))], by="t")
    ingest("ACQ", [PaymentRecord("P1", "C1", date(2026, 1, 31), Decimal("400.00"), "F1")], by="t")


def _json(*extra: str) -> dict[str, Any]:
    code, out, err = run(*STATEMENT, *extra, "--json")
    assert code == 0, out + err
    return dict(json.loads(out))


@pytest.mark.postgres_smoke
def test_the_statement_in_json_matches_the_hand_computation(business: None) -> None:
    found = _json()
    assert found["totals"] == {
        "billed": "1000.00",
        "credited": "0.00",
        "paid": "400.00",
        "principal": "600.00",
        "interest": "13.63",
        "compensation": "40.00",
        "total": "653.63",
        "credit": "0.00",
    }
    assert [(i["from"], i["to"], i["days"], i["base"], i["rate"], i["amount"]) for i in found["interest"]] == [
        ("2026-01-01", "2026-01-31", 31, "1000.00", "10.15", "8.62"),
        ("2026-02-01", "2026-03-02", 30, "600.00", "10.15", "5.01"),
    ]
    kinds = [(m["date"], m["kind"], m["document"]) for m in found["movements"]]
    assert kinds == [
        ("2025-12-01", "Bolletta", "F1"),
        ("2026-01-01", "Indennizzo forfettario", "F1"),
        ("2026-01-31", "Pagamento", "P1"),
        ("2026-03-02", "Interessi di mora", "F1"),
    ]
    assert found["movements"][-1]["balance"] == "653.63"
    assert found["bills"][0]["limitation"]["label"] == "Soggetta a prescrizione biennale"


def test_excel_and_pdf_files(business: None, tmp_path: Path) -> None:
    workbook = tmp_path / "estratti" / "C1.xlsx"
    code, out, err = run(*STATEMENT, "--out", str(workbook))
    assert code == 0, out + err
    assert "Estratto conto (Excel) scritto in" in out and "653,63 €" in out
    book = load_workbook(workbook)
    assert book.sheetnames == ["Riepilogo", "Bollette", "Movimenti", "Interessi"]
    assert [row[6] for row in book["Interessi"].iter_rows(min_row=2, values_only=True)] == [8.62, 5.01]
    document = tmp_path / "C1.pdf"
    code, out, err = run(*STATEMENT, "--format", "pdf", "--out", str(document))
    assert code == 0, out + err
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(document.read_bytes())).pages)
    for expected in ("Energia Nord S.p.A.", "Officina Verdi S.r.l.", "F1", "P1", "653,63 €", "13,63 €", "40,00 €"):
        assert expected in text, expected
    # The Italian name of the format is accepted too; the extension alone chooses PDF.
    assert run(*STATEMENT, "--format", "Excel", "--out", str(tmp_path / "b.xlsx")).code == 0
    assert run(*STATEMENT, "--out", str(tmp_path / "c.pdf")).code == 0
    assert (tmp_path / "c.pdf").read_bytes()[:5] == b"%PDF-"


def test_a_company_rate_file_replaces_the_shipped_one(business: None, tmp_path: Path) -> None:
    rates = tmp_path / "tassi.csv"
    rates.write_text(
        "kind,from,to,rate,source\n"
        "moratorio_231,2026-01-01,2026-06-30,7.30,accordo commerciale\n"
        "indennizzo_231,2013-01-01,9999-12-31,40.00,D.Lgs. 231/2002 art. 6\n",
        encoding="utf-8",
    )
    # 1000 × 7,3 × 31 / 36500 = 6,20; 600 × 7,3 × 30 / 36500 = 3,60
    found = _json("--rates", str(rates))
    assert [i["amount"] for i in found["interest"]] == ["6.20", "3.60"]
    assert found["interest"][0]["source"] == "accordo commerciale"
    rates.write_text("kind,from,to,rate,source\nmoratorio_231,2026-01-01,2026-06-30,sette,x\n", encoding="utf-8")
    code, _, err = run(*STATEMENT, "--rates", str(rates))
    assert code == 2 and "tassi.csv, riga 2, colonna 'rate'" in err


def test_refusals(business: None, tmp_path: Path) -> None:
    code, _, err = run("statement", "C9", "--company", "ACQ", "--as-of", "2026-03-02")
    assert code == 1 and "cliente 'C9' sconosciuto" in err
    code, _, err = run(*STATEMENT, "--format", "doc", "--out", str(tmp_path / "x.doc"))
    assert code == 2 and "formato sconosciuto" in err
    code, _, err = run(*STATEMENT, "--out", str(tmp_path))
    assert code == 2 and "è una cartella" in err
    code, out, err = run(*STATEMENT)
    assert code == 0, err
    assert "Estratto conto — C1 Officina Verdi S.r.l." in out and "totale 653,63 €" in out
