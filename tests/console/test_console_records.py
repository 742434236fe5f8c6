"""The console's record pages over HTTP: the statement of account (Excel and PDF), the actions table
(read, downloaded, edited in Excel and uploaded back, refused with its problems, its history), a bank
file uploaded with its report and a credit matched by hand, the audit page's integrity check."""

from __future__ import annotations

import json
from io import BytesIO
from zipfile import ZipFile

import pytest
from openpyxl import load_workbook

from tests.bank_company import payments
from tests.bank_company import seed as seed_bank_customers
from tests.bank_files import fixture
from tests.console.conftest import OWN, Console
from tests.console.test_console_security import csrf_of

pytestmark = pytest.mark.cli_or_api

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TABLE = f"/console/{OWN}/tabella-azioni"


@pytest.mark.postgres_smoke
def test_the_statement_of_account_downloads_as_excel_and_pdf(console: Console) -> None:
    client = console.sign_in("revisore")
    page = client.get(f"/console/{OWN}/clienti/C2?al=2026-02-20")
    assert 'id="estratto-excel"' in page.text and "estratto-conto?formato=xlsx&amp;al=2026-02-20" in page.text
    excel = client.get(f"/console/{OWN}/clienti/C2/estratto-conto?formato=xlsx")
    assert excel.status_code == 200 and excel.headers["content-type"] == XLSX
    assert 'filename="estratto-conto-ACQ-C2-2026-03-02.xlsx"' in excel.headers["content-disposition"]
    book = load_workbook(BytesIO(excel.content))
    cells = [str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert "BC2" in cells
    pdf = client.get(f"/console/{OWN}/clienti/C2/estratto-conto?formato=pdf&al=2026-02-20")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert "2026-02-20.pdf" in pdf.headers["content-disposition"]
    assert client.get(f"/console/{OWN}/clienti/C404/estratto-conto").status_code == 404


def test_the_actions_table_is_read_downloaded_edited_in_excel_and_uploaded_back(console: Console) -> None:
    first = console.container.actions_tables.current(OWN).version
    reader = console.sign_in("mario.rossi")
    page = reader.get(TABLE)
    assert page.status_code == 200 and f"versione {first}" in page.text and 'id="carica-tabella"' not in page.text
    refused = reader.post(TABLE, data={"csrf": csrf_of(page.text)}, files={"file": ("t.xlsx", b"PK\x03\x04")})
    assert refused.status_code == 403

    admin = console.sign_in("elena.neri")
    page = admin.get(TABLE)
    assert 'id="carica-tabella"' in page.text
    download = admin.get(f"{TABLE}/excel")
    disposition = download.headers["content-disposition"]
    assert download.status_code == 200 and f'filename="tabella-azioni-ACQ-v{first}.xlsx"' in disposition
    book = load_workbook(BytesIO(download.content))
    sheet = book["Tabella azioni"]
    headers = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=headers.index("Descrizione") + 1, value="Primo sollecito rivisto")
    edited = BytesIO()
    book.save(edited)
    uploaded = admin.post(
        TABLE,
        data={"csrf": csrf_of(page.text), "nota": "testo del primo sollecito"},
        files={"file": ("tabella.xlsx", edited.getvalue(), XLSX)},
    )
    assert f"Salvata la versione {first + 1} (1 modificata)" in uploaded.text
    assert "Primo sollecito rivisto" in uploaded.text and "testo del primo sollecito" in uploaded.text
    assert "modificata: <code>" in uploaded.text and "excel:tabella.xlsx" in uploaded.text
    assert console.container.actions_tables.current(OWN).by == "elena.neri"
    old = admin.get(f"{TABLE}?versione={first}")
    assert f"(in vigore: {first + 1})" in old.text and "Primo sollecito rivisto" not in old.text

    sheet.cell(row=2, column=headers.index("Passo") + 1, value="primo")
    broken = BytesIO()
    book.save(broken)
    bad = admin.post(
        TABLE, data={"csrf": csrf_of(uploaded.text)}, files={"file": ("rotta.xlsx", broken.getvalue(), XLSX)}
    )
    assert bad.status_code == 422 and 'id="problemi"' in bad.text and "riga 2" in bad.text
    assert console.container.actions_tables.current(OWN).version == first + 1


@pytest.mark.postgres_smoke
def test_a_bank_file_is_uploaded_its_report_read_and_a_credit_matched_by_hand(console: Console) -> None:
    seed_bank_customers(console.container, OWN, register=False)
    feed = console.sign_in("carla.bianchi")
    page = feed.get(f"/console/{OWN}/banca")
    assert 'id="carica-banca"' in page.text and 'id="incassi"' not in page.text  # the feed reads no positions
    report = feed.post(
        f"/console/{OWN}/banca",
        data={"csrf": csrf_of(page.text)},
        files={"file": ("notifica.xml", fixture("camt054_v08_notifica.xml"), "application/xml")},
    )
    assert report.status_code == 200 and 'id="rapporto-banca"' in report.text
    assert '<dd id="da-abbinare">2</dd>' in report.text and "REGALO DI NATALE" in report.text
    again = feed.post(
        f"/console/{OWN}/banca",
        data={"csrf": csrf_of(page.text)},
        files={"file": ("notifica.xml", fixture("camt054_v08_notifica.xml"), "application/xml")},
    )
    assert '<dd id="doppi">7</dd>' in again.text
    hostile = feed.post(
        f"/console/{OWN}/banca", data={"csrf": csrf_of(page.text)}, files={"file": ("x.xml", b"<a>", "text/xml")}
    )
    assert "non importato" in hostile.text

    operator = console.sign_in("mario.rossi")
    listed = operator.get(f"/console/{OWN}/banca")
    assert '<span class="muted" id="totale-da-abbinare">2</span>' in listed.text
    credit_id = next(
        e.credit_id
        for e in console.container.bank_files().unmatched(OWN)
        if e.remittance == "BOLLETTE B2026000106 B2026000107"
    )
    matched = operator.post(
        f"/console/{OWN}/banca/abbinamenti",
        data={"csrf": csrf_of(listed.text), "movimento": credit_id, "cliente": "C007", "bolletta": "B2026000107"},
    )
    assert "Incasso abbinato al cliente C007" in matched.text
    assert '<span class="muted" id="totale-da-abbinare">1</span>' in matched.text
    assert [str(p.amount) for p in payments(console.container, "C007")] == ["160.00"]


def test_the_audit_page_runs_the_integrity_check_of_the_company(console: Console) -> None:
    operator = console.sign_in("mario.rossi")
    assert operator.get(f"/console/{OWN}/revisione").status_code == 200  # operators read histories too
    auditor = console.sign_in("revisore")
    page = auditor.get(f"/console/{OWN}/revisione")
    assert "Nessuna verifica dalla console" in page.text
    checked = auditor.post(f"/console/{OWN}/revisione/verifica", data={"csrf": csrf_of(page.text)})
    assert "Verifica completata" in checked.text and "nessun rilievo" in checked.text
    assert "Nessun rilievo: le catene dell'azienda sono integre." in checked.text and "da revisore" in checked.text
    feed = console.sign_in("carla.bianchi")
    assert feed.get(f"/console/{OWN}/revisione").status_code == 403


def test_the_audit_page_exports_the_evidence_dossier_of_a_customer(console: Console) -> None:
    auditor = console.sign_in("revisore")
    page = auditor.get(f"/console/{OWN}/revisione")
    assert 'id="scarica-fascicolo"' in page.text
    token = csrf_of(page.text)
    dossier = auditor.post(f"/console/{OWN}/revisione/fascicolo", data={"csrf": token, "cliente": "C2"})
    assert dossier.status_code == 200 and dossier.headers["content-type"] == "application/zip"
    with ZipFile(BytesIO(dossier.content)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert (manifest["company"], manifest["customer_code"]) == (OWN, "C2")
    unknown = auditor.post(f"/console/{OWN}/revisione/fascicolo", data={"csrf": token, "cliente": "C404"})
    assert unknown.status_code == 404
    forged = auditor.post(f"/console/{OWN}/revisione/fascicolo", data={"csrf": "x", "cliente": "C2"})
    assert forged.status_code == 403
    other = console.sign_in("gas.operatore")
    assert other.post(f"/console/{OWN}/revisione/fascicolo", data={"cliente": "C2"}).status_code in (403, 404)
