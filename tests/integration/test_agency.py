"""The collection agency on SQLite and PostgreSQL: a real hand-over goes into the agency's batch
through the outbox, the batch closes as an Excel workbook and a ``;`` CSV (the same bytes when closed
again), and the agency's outcome file — real .xlsx and ``;`` CSV — brings payments (once), promises,
closures and returned cases back onto the position."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO, StringIO
from pathlib import Path

import pytest
from openpyxl import load_workbook

from creditbox.application.agency import payment_id
from creditbox.application.notices import Notice
from creditbox.application.office_notes import PROMISE
from creditbox.application.outbox import message_of
from creditbox.bootstrap import Container, bootstrap
from creditbox.clock import FixedClock
from creditbox.domain.ids import position_id
from creditbox.domain.workflow.outcomes import StepOutcome
from creditbox.infrastructure.excel.writer import DATE_FORMAT, EURO_FORMAT
from creditbox.settings import Settings
from tests.integration.offices import (
    ASSIGNMENT,
    ASSIGNMENT_DAY,
    LIMITATION,
    agency_adapter,
    drive_to_the_offices,
    workbook_bytes,
)

OUTCOME_HEADERS = ["Riferimento affidamento", "Tipo esito", "Data", "Importo", "Riferimento pagamento", "Note"]


@pytest.fixture
def agency(database_url: str, tmp_path: Path, clock: FixedClock) -> Iterator[Container]:
    settings = Settings(database_url=database_url, channel_dir=str(tmp_path / "canali"))
    with bootstrap(settings, clock=clock) as c:
        drive_to_the_offices(c)  # the clock is on the day after the hand-over now
        entry = c.outbox().get(ASSIGNMENT)
        assert entry is not None
        # As the composer gives it: the message with its notice, whose business date places it.
        notice = Notice("ACQ", ASSIGNMENT, "6", "Agenzia di recupero", "S-C2/1", ASSIGNMENT_DAY, "C2", "Anna Bianchi")
        receipt = agency_adapter(c).send(replace(message_of(entry), notice=notice))
        assert not receipt.duplicate and agency_adapter(c).status(ASSIGNMENT) == "sent"
        yield c


def _balance(c: Container) -> Decimal:
    return c.dunning().load("ACQ", "C2").balance()


def _events(c: Container) -> int:
    return int(c.app.recorder.max_notification_id() or 0)


def test_the_assignment_batch_is_an_excel_workbook_and_a_csv(agency: Container) -> None:
    [batch] = agency.agency_batches().close("ACQ", ASSIGNMENT_DAY)
    assert batch.new and batch.office == "ADR1" and batch.action_keys == (ASSIGNMENT,)
    assert batch.batch_id.startswith("ADR-ACQ-ADR1-20260329-")
    xlsx, csv_file = batch.files
    assert (xlsx.name, csv_file.name) == (f"{batch.batch_id}.xlsx", f"{batch.batch_id}.csv")

    workbook = load_workbook(BytesIO(xlsx.content))
    assert workbook.sheetnames == ["Affidamenti", "Bollette", "Solleciti"]
    main = workbook["Affidamenti"]
    header = [cell.value for cell in main[1]]
    row = dict(zip(header, [cell.value for cell in main[2]], strict=True))
    assert row["Riferimento affidamento"] == ASSIGNMENT and row["Data affidamento"] == datetime(2026, 3, 29)
    assert (row["Agenzia"], row["Codice cliente"], row["Nominativo"]) == ("Recuperi Srl", "C2", "Anna Bianchi")
    assert (row["Codice fiscale / P. IVA"], row["Indirizzo"], row["CAP"], row["Comune"], row["Provincia"]) == (
        "BNCNNA80A41L219X",
        "Via Po 2",
        "10121",
        "Torino",
        "TO",
    )
    assert (row["Cellulare"], row["E-mail"], row["Codice fornitura"], row["Servizio"]) == (
        "3470000000",
        "anna@example.it",
        "S-C2",
        "Acqua",
    )
    assert (row["Bollette"], row["Totale scaduto"]) == (1, 300)
    total = header.index("Totale scaduto") + 1
    assert main.cell(2, total).number_format == EURO_FORMAT and main["B2"].number_format == DATE_FORMAT
    assert main.freeze_panes == "A2" and main.auto_filter.ref == "A1:S2"

    bills = [[cell.value for cell in r] for r in workbook["Bollette"].iter_rows(min_row=2)]
    assert bills == [[ASSIGNMENT, "B-C2", "S-C2", datetime(2026, 1, 1), datetime(2026, 1, 31), 300, 300]]
    notices = [[cell.value for cell in r] for r in workbook["Solleciti"].iter_rows(min_row=2)]
    assert notices == [
        [
            ASSIGNMENT,
            1,
            "Sollecito bonario",
            "Sollecito bonario (posta prioritaria)",
            datetime(2026, 2, 10),
            "nessun esito",
            None,
        ],
        [ASSIGNMENT, 2, "Sollecito A/R", "Sollecito A/R", datetime(2026, 2, 25), "consegnato", datetime(2026, 2, 27)],
    ]
    assert workbook["Solleciti"].auto_filter.ref == "A1:G3" and workbook["Bollette"].freeze_panes == "A2"

    assert csv_file.content.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(StringIO(csv_file.content.decode("utf-8-sig")), delimiter=";"))
    assert len(lines) == 2
    line = dict(zip(lines[0], lines[1], strict=True))
    assert (line["Riferimento affidamento"], line["Data affidamento"], line["Totale scaduto"]) == (
        ASSIGNMENT,
        "29/03/2026",
        "300,00",
    )
    assert (line["Numero bolletta"], line["Data scadenza"], line["Residuo"]) == ("B-C2", "31/01/2026", "300,00")
    assert line["Solleciti inviati"] == (
        "1. Sollecito bonario del 10/02/2026 | 2. Sollecito A/R del 25/02/2026: consegnato il 27/02/2026"
    )

    [again] = agency.agency_batches().close("ACQ", ASSIGNMENT_DAY)
    assert not again.new and again.batch_id == batch.batch_id
    assert [f.content for f in again.files] == [xlsx.content, csv_file.content]


def test_payments_and_promises_come_back_once_from_the_agency_workbook(agency: Container) -> None:
    c = agency
    c.clock.set(date(2026, 4, 15))  # type: ignore[attr-defined]
    before = _balance(c)
    assert before == Decimal("300.00")
    content = workbook_bytes(
        "Esiti",
        [
            OUTCOME_HEADERS,
            [ASSIGNMENT, "Pagamento", datetime(2026, 4, 10), 100.5, "INC-1", ""],
            [ASSIGNMENT, "Promessa di pagamento", "30/04/2026", "199,50", None, "saldo a fine mese"],
        ],
    )
    result = c.inbound_files().import_file("agenzia", "ACQ", "esiti.xlsx", content, by="agenzia")
    assert (result.accepted, result.duplicates, result.rejected, result.unmatched) == (2, 0, [], [])
    assert result.details["payments"] == 1 and result.details["amount_collected"] == "100.50"
    assert _balance(c) == Decimal("199.50")
    position = c.dunning().load("ACQ", "C2")
    payment = position.payments[payment_id(ASSIGNMENT, "INC-1")]
    assert (payment.amount, payment.payment_date, payment.method) == (
        Decimal("100.50"),
        date(2026, 4, 10),
        "Agenzia di recupero",
    )
    [promise] = c.office_notes().list("ACQ", PROMISE)
    assert (promise.on_date, promise.amount, promise.note) == (
        date(2026, 4, 30),
        Decimal("199.50"),
        "saldo a fine mese",
    )

    events = _events(c)
    again = c.inbound_files().import_file("agenzia", "ACQ", "esiti.xlsx", content, by="agenzia")
    assert (again.accepted, again.duplicates, again.rejected) == (0, 2, [])
    assert _balance(c) == Decimal("199.50") and _events(c) == events

    # The same agency reference with another amount is not a new payment: refused, named.
    changed = f"Riferimento;Tipo;Data;Importo;Rif. pagamento\n{ASSIGNMENT};incasso;10/04/2026;99,00;INC-1\n"
    [refused] = c.inbound_files().import_file("agenzia", "ACQ", "x.csv", changed.encode(), by="agenzia").rejected
    assert (refused.sheet, refused.row, refused.column) == ("CSV", 2, "Importo"), refused
    assert _balance(c) == Decimal("199.50")


def test_closures_and_returned_cases_from_a_semicolon_csv(agency: Container) -> None:
    c = agency
    c.clock.set(date(2026, 4, 20))  # type: ignore[attr-defined]
    content = (
        "Riferimento affidamento;Tipo esito;Data;Importo;Riferimento pagamento;Note\r\n"
        f"{ASSIGNMENT};pratica restituita;18/04/2026;;;debitore irreperibile\r\n"
    ).encode()
    result = c.inbound_files().import_file("agenzia", "ACQ", "esiti.csv", content, by="agenzia")
    assert (result.accepted, result.rejected) == (1, [])
    step = c.dunning().load("ACQ", "C2").case("S-C2/1").step(3)
    assert step is not None and step.outcomes == [(StepOutcome.NEGATIVE, date(2026, 4, 18))]
    # The note says why: it is the case's history the operators read.
    stored = c.app.repository.event_store.get(position_id("ACQ", "C2"))
    recorded = [e for e in stored if type(e).__name__ == "OutcomeRecorded"]
    assert recorded[-1].note == "Pratica restituita dall'agenzia: debitore irreperibile"

    positive = f"Riferimento;Tipo;Data\n{ASSIGNMENT};chiusura positiva;19/04/2026\n".encode()
    closed = c.inbound_files().import_file("agenzia", "ACQ", "chiusure.csv", positive, by="agenzia")
    assert (closed.accepted, closed.rejected) == (1, [])
    step = c.dunning().load("ACQ", "C2").case("S-C2/1").step(3)
    assert step is not None and step.outcome == StepOutcome.POSITIVE
    again = c.inbound_files().import_file("agenzia", "ACQ", "chiusure.csv", positive, by="agenzia")
    assert (again.accepted, again.duplicates) == (0, 1)


def test_bad_rows_are_rejected_and_unknown_references_kept(agency: Container) -> None:
    c = agency
    c.clock.set(date(2026, 4, 15))  # type: ignore[attr-defined]
    content = (
        "Riferimento affidamento;Tipo esito;Data;Importo;Riferimento pagamento;Note\n"
        f"{ASSIGNMENT};pagamento;10/04/2026;50,00;;\n"
        f"{ASSIGNMENT};pagamento;10/04/2026;-5;INC-2;\n"
        f"{ASSIGNMENT};bonifico;10/04/2026;5;INC-3;\n"
        f"{ASSIGNMENT};pagamento;;5;INC-4;\n"
        f"{ASSIGNMENT};pagamento;10/12/2026;5;INC-5;\n"
        f"{ASSIGNMENT};restituita;10/04/2026;;;\n"
        "ACQ/C2/S-C2/1/9;pagamento;10/04/2026;5;INC-6;\n"
        f"{LIMITATION};chiusura positiva;10/04/2026;;;\n"
    ).encode()
    result = c.inbound_files().import_file("agenzia", "ACQ", "esiti.csv", content, by="agenzia")
    assert [(r.sheet, r.row, r.column) for r in result.rejected] == [
        ("CSV", 2, "Riferimento pagamento"),
        ("CSV", 3, "Importo"),
        ("CSV", 4, "Tipo esito"),
        ("CSV", 5, "Data"),
        ("CSV", 6, "Data"),
        ("CSV", 7, "Note"),
    ]
    assert "futuro" in result.rejected[4].reason or "oltre" in result.rejected[4].reason
    assert [(u["reference"], u["row"]) for u in result.unmatched] == [("ACQ/C2/S-C2/1/9", 8), (LIMITATION, 9)]
    assert result.accepted == 0 and _balance(c) == Decimal("300.00")
