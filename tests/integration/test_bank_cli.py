"""``creditbox bank import | unmatched | allocate`` through the real command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from creditbox.bootstrap import bootstrap
from creditbox.settings import Settings
from tests.bank_company import payments, seed
from tests.bank_files import FIXTURES
from tests.hostile_xml import BILLION_LAUGHS
from tests.integration.command_line import run, use_database

pytestmark = pytest.mark.cli_or_api

NOTIFICATION = str(FIXTURES / "camt054_v08_notifica.xml")
STATEMENT = str(FIXTURES / "camt053_v08_estratto.xml")


@pytest.fixture
def company(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    use_database(database_url, monkeypatch, company="ACQ", name="Acque del Gruppo")
    with bootstrap(Settings(database_url=database_url)) as c:
        seed(c, "ACQ", register=False)
    return database_url


def flat(text: str) -> str:
    """The output with its line wraps undone (the console wraps at its width)."""
    return " ".join(text.split())


def worklist(database_url: str) -> list[dict[str, object]]:
    code, out, err = run("bank", "unmatched", "--company", "ACQ", "--json")
    assert code == 0, err
    rows: list[dict[str, object]] = json.loads(out)
    return rows


@pytest.mark.postgres_smoke
def test_import_shows_the_counts_the_worklist_and_the_balances(company: str) -> None:
    code, out, err = run("bank", "import", STATEMENT, "--company", "ACQ")
    assert code == 0, err
    out = flat(out)
    assert "estratto conto camt.053.001.08 (validato con lo schema ufficiale)" in out
    assert "Incassi registrati" in out and "Incassi da abbinare" in out
    assert "Saldi dell'estratto STM-20260220-1: quadrano" in out
    assert "REGALO" in out and "COMMISSIONI" in out  # the worklist and the fee, in their tables
    again = run("bank", "import", STATEMENT, "--company", "ACQ", "--json")
    summary = json.loads(again.out)
    assert (summary["accepted"], summary["duplicates"], summary["unmatched"]) == (0, 9, [])


def test_a_statement_that_does_not_add_up_is_reported_in_the_output(company: str) -> None:
    code, out, err = run("bank", "import", str(FIXTURES / "camt053_v08_non_quadra.xml"), "--company", "ACQ")
    assert code == 0, err
    out = flat(out)
    assert "Attenzione:" in out and "i saldi non quadrano" in out and "differenza 10,00 €" in out


def test_a_refused_file_exits_2_and_records_nothing(company: str, tmp_path: Path) -> None:
    bomb = tmp_path / "bombe.xml"
    bomb.write_bytes(BILLION_LAUGHS)
    code, _, err = run("bank", "import", str(bomb), "--company", "ACQ")
    assert code == 2 and "DOCTYPE" in err
    assert worklist(company) == []
    assert run("bank", "import", str(tmp_path / "manca.xml"), "--company", "ACQ").code == 2
    assert run("bank", "import", NOTIFICATION, "--company", "NONE").code == 1


@pytest.mark.postgres_smoke
def test_an_operator_allocates_a_credit_of_the_worklist(company: str) -> None:
    assert run("bank", "import", NOTIFICATION, "--company", "ACQ", "--json").code == 0
    [ambiguous] = [row for row in worklist(company) if row["problem"] == "ambiguous"]
    credit_id = str(ambiguous["credit_id"])
    assert run("operators", "add", "anna.verdi", "--company", "ACQ", "--role", "revisore").code == 0
    assert run("operators", "add", "mario.rossi", "--company", "ACQ", "--role", "operatore").code == 0
    refused = run("bank", "allocate", credit_id, "--customer", "C006", "--company", "ACQ", "--by", "anna.verdi")
    assert refused.code == 2 and "non può" in flat(refused.err)
    done = run(
        "bank", "allocate", credit_id, "--customer", "C006", "--bill", "B2026000106",
        "--company", "ACQ", "--by", "mario.rossi",
    )  # fmt: skip
    assert done.code == 0, done.err
    assert f"Incasso {credit_id}" in flat(done.out) and "cliente C006, bolletta B2026000106" in flat(done.out)
    assert credit_id not in {row["credit_id"] for row in worklist(company)}
    with bootstrap(Settings(database_url=company)) as c:
        [payment] = payments(c, "C006")
    assert (str(payment.amount), payment.bill_number, payment.payment_id) == (
        "160.00",
        "B2026000106",
        f"BANCA-{credit_id}",
    )
    other = run("bank", "allocate", credit_id, "--customer", "C007", "--company", "ACQ", "--by", "mario.rossi")
    assert other.code == 1 and "non è da abbinare" in flat(other.err)


def test_the_worklist_exports_to_a_formatted_workbook(company: str, tmp_path: Path) -> None:
    run("bank", "import", NOTIFICATION, "--company", "ACQ", "--json")
    target = tmp_path / "da-abbinare.xlsx"
    code, out, err = run("bank", "unmatched", "--company", "ACQ", "--out", str(target))
    assert code == 0, err
    assert "2 righe scritte" in out
    sheet = load_workbook(target).active
    assert sheet is not None and sheet.title == "Incassi da abbinare"
    headers = [cell.value for cell in sheet[1]]
    assert headers[:4] == ["Id movimento", "Data valuta", "Data contabile", "Importo"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:O3"
    amounts = {sheet.cell(row=r, column=8).value: sheet.cell(row=r, column=4) for r in (2, 3)}
    assert amounts["REGALO DI NATALE"].value == 33 and "€" in amounts["REGALO DI NATALE"].number_format
    assert sheet.cell(row=2, column=2).number_format == "DD/MM/YYYY"
