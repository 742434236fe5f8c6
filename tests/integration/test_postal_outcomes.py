"""The postal provider's A/R outcomes file (CSV and a real ``.xlsx``) recorded on real positions, on
SQLite and PostgreSQL: the letters are steps the workflow executed, sent through the ``posta``
adapter into a closed batch; one row of each outcome (one naming its letter by batch and sequence),
bad rows rejected with sheet, row, column and reason, an unknown key kept as unmatched, and a
re-import that records nothing."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from openpyxl import Workbook

from creditbox.application.inbound import InboundResult
from creditbox.application.ports import OutboxEntry
from creditbox.application.records import BillRecord, CustomerRecord, Rejection, SupplyRecord
from creditbox.bootstrap import Container
from creditbox.domain.codes import ActionCode, SupplyType
from creditbox.domain.workflow.outcomes import StepOutcome
from creditbox.infrastructure.channels.posta import PostaChannel
from creditbox.infrastructure.letters.batches import ClosedBatch
from tests.builders import details, supply
from tests.letter_messages import letter

DUE = date(2026, 1, 31)
OPENED, REGISTERED_DAY = date(2026, 2, 10), date(2026, 2, 15)
KIND = "esiti-postali"
ALLOWED = "consegnata, in giacenza, compiuta giacenza, restituita"


def _customer(c: Container, code: str, supply_type: SupplyType = SupplyType.SUSPENDABLE) -> None:
    records = [
        CustomerRecord(
            code,
            details(name=f"Cliente {code}", mobile="3331234567", address="Via Roma 1", postcode="00184", city="Roma"),
        ),
        SupplyRecord(code, supply(f"S-{code}", supply_type=supply_type)),
        BillRecord(f"B-{code}", code, f"S-{code}", date(2026, 1, 1), DUE, Decimal("150.00")),
    ]
    c.ingestor().ingest("ACQ", records, by="test")


def _letters(c: Container) -> dict[str, OutboxEntry]:
    """The letters the workflow sent: D1..D4 a registered letter (water, domestic: SMS, then A/R),
    N1 a friendly reminder (non-suspendable supply: the reminder first)."""
    c.companies.register("ACQ", "Acque", by="test")
    for code in ("D1", "D2", "D3", "D4"):
        _customer(c, code)
    _customer(c, "N1", SupplyType.NON_SUSPENDABLE)
    c.dunning().run_due("ACQ", OPENED)
    c.dunning().run_due("ACQ", REGISTERED_DAY)
    c.projections.catch_up()
    entries = c.outbox().list("ACQ")
    found = {e.customer_code: e for e in entries if e.channel in ("lettera", "raccomandata")}
    assert {k: (e.action_code, e.channel) for k, e in found.items()} == {
        "D1": (ActionCode.REGISTERED_LETTER, "raccomandata"),
        "D2": (ActionCode.REGISTERED_LETTER, "raccomandata"),
        "D3": (ActionCode.REGISTERED_LETTER, "raccomandata"),
        "D4": (ActionCode.REGISTERED_LETTER, "raccomandata"),
        "N1": (ActionCode.FRIENDLY_REMINDER, "lettera"),
    }
    return found


def _sent_and_closed(c: Container, entries: dict[str, OutboxEntry]) -> ClosedBatch:
    """Each letter through the posta adapter; the registered letters' day closed."""
    channel = PostaChannel(c.settings.channel_dir, c.clock)
    for code, entry in sorted(entries.items()):
        kind = "bonario" if entry.channel == "lettera" else "raccomandata"
        message = letter(
            entry.action_key, kind=kind, customer=code, name=f"Cliente {code}", business_date=entry.business_date
        )
        channel.send(message)
    return c.postal_batches().close("ACQ", REGISTERED_DAY)


HEADER = ["CHIAVE AZIONE", "Lotto", "Progressivo", "Esito", "Data Esito", "Causale", "Numero raccomandata"]


def _rows(entries: dict[str, OutboxEntry], batch: ClosedBatch) -> list[list[str]]:
    sequence_of_d4 = next(n for n, x in enumerate(batch.letters, 1) if x.action_key == entries["D4"].action_key)
    return [
        [entries["D1"].action_key, "", "", "Consegnata", "20/02/2026", "", "RR123456789IT"],
        [entries["D2"].action_key, "", "", "in giacenza", "2026-02-18", "", ""],
        [entries["D3"].action_key, "", "", "COMPIUTA GIACENZA", "01/03/2026", "", ""],
        ["", batch.batch_id, str(sequence_of_d4), "Restituita", "19/02/2026", "sconosciuto", ""],
        [entries["N1"].action_key, "", "", "restituita", "25/02/2026", "trasferito", ""],
        ["ACQ/X9/S-X9/1/2", "", "", "consegnata", "20/02/2026", "", ""],  # no such letter
        [entries["D1"].action_key, "", "", "persa", "20/02/2026", "", ""],  # unknown outcome
        [entries["D2"].action_key, "", "", "consegnata", "31/02/2026", "", ""],  # no such date
        [entries["D3"].action_key, "", "", "restituita", "20/02/2026", "", ""],  # returned, no reason
        ["", "", "", "consegnata", "20/02/2026", "", ""],  # nothing names the letter
        [entries["N1"].action_key, "", "", "in giacenza", "20/02/2026", "", ""],  # an ordinary letter is never held
        [entries["D1"].action_key, "", "", "consegnata", "01/02/2026", "", ""],  # before the letter was sent
    ]


def _csv(rows: list[list[str]]) -> bytes:
    return ("\r\n".join(";".join(r) for r in [HEADER, *rows]) + "\r\n").encode("utf-8-sig")


def _xlsx(rows: list[list[str]]) -> bytes:
    workbook = Workbook()
    info = workbook.active
    assert info is not None
    info.title = "Leggimi"
    info.append(["Esiti del postalizzatore, marzo 2026"])  # a sheet of another kind: passed over
    sheet = workbook.create_sheet("Esiti")
    sheet.append(HEADER)
    for row in rows:
        cells: list[object] = list(row)
        if "/" in row[4] and row[4] != "31/02/2026":  # real date cells, as Excel keeps them
            d, m, y = (int(part) for part in row[4].split("/"))
            cells[4] = date(y, m, d)
        if row[2]:
            cells[2] = int(row[2])  # a number cell
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _expected_rejections(sheet: str) -> list[Rejection]:
    return [
        Rejection(sheet, 8, "Esito", f"esito sconosciuto 'persa' (ammessi: {ALLOWED})"),
        Rejection(sheet, 9, "Data Esito", "data inesistente: '31/02/2026'"),
        Rejection(sheet, 10, "Causale", "causale della restituzione mancante (es. sconosciuto, trasferito, rifiutato)"),
        Rejection(sheet, 11, "Lotto", "chiave dell'azione o lotto mancante"),
        Rejection(sheet, 12, "Esito", "esito 'in giacenza' non previsto per una lettera ordinaria (senza A/R)"),
        Rejection(sheet, 13, "Data Esito", "data esito 01/02/2026 precedente all'esecuzione 15/02/2026"),
    ]


def _step(c: Container, customer: str, seq: int) -> list[tuple[StepOutcome, date]]:
    position = c.positions.load("ACQ", customer)
    [case] = position.dunning.cases.values()
    step = case.step(seq)
    assert step is not None
    return list(step.outcomes)


def _check_recorded(c: Container, result: InboundResult, entries: dict[str, OutboxEntry]) -> None:
    assert (result.accepted, result.duplicates) == (5, 0)
    assert result.details["outcomes"] == {
        "delivered": 1,
        "held": 1,
        "not_delivered": 1,
        "returned": 1,
        "unclaimed": 1,
    }
    assert _step(c, "D1", 2) == [(StepOutcome.DELIVERED, date(2026, 2, 20))]
    assert _step(c, "D2", 2) == [(StepOutcome.HELD, date(2026, 2, 18))]
    assert _step(c, "D3", 2) == [(StepOutcome.UNCLAIMED, date(2026, 3, 1))]
    assert _step(c, "D4", 2) == [(StepOutcome.RETURNED, date(2026, 2, 19))]
    assert _step(c, "N1", 1) == [(StepOutcome.NOT_DELIVERED, date(2026, 2, 25))]
    [unmatched] = result.unmatched
    assert unmatched["reference"] == "ACQ/X9/S-X9/1/2" and unmatched["reason"] == "lettera sconosciuta per la società"
    assert (unmatched["row"], unmatched["outcome"], unmatched["outcome_date"]) == (7, "consegnato", "2026-02-20")


def test_a_csv_of_outcomes_is_recorded_on_the_letters_and_a_reimport_adds_nothing(container: Container) -> None:
    c = container
    entries = _letters(c)
    batch = _sent_and_closed(c, entries)
    content = _csv(_rows(entries, batch))
    result = c.inbound_files().import_file(KIND, "ACQ", "esiti-20260302.csv", content, by="test")
    _check_recorded(c, result, entries)
    assert result.rejected == _expected_rejections("esiti-20260302.csv")
    # The notes of the outcomes name the return reason and the registered number
    history = c.app.events_of(entries["D4"].position_id)
    assert any(getattr(e, "note", "") == "restituita: destinatario sconosciuto" for e in history)
    history = c.app.events_of(entries["D1"].position_id)
    assert any(getattr(e, "note", "") == "raccomandata n. RR123456789IT" for e in history)
    # The same file again: nothing new, the same rows refused and unmatched
    events = len(c.app.events_of(entries["D1"].position_id))
    again = c.inbound_files().import_file(KIND, "ACQ", "esiti-20260302.csv", content, by="test")
    assert (again.accepted, again.duplicates) == (0, 5)
    assert again.rejected == result.rejected and again.unmatched == result.unmatched
    assert len(c.app.events_of(entries["D1"].position_id)) == events


def test_an_excel_file_of_outcomes_is_read_like_the_csv(container: Container) -> None:
    c = container
    entries = _letters(c)
    batch = _sent_and_closed(c, entries)
    rows = _rows(entries, batch)
    result = c.inbound_files().import_file(KIND, "ACQ", "esiti.xlsx", _xlsx(rows), by="test")
    _check_recorded(c, result, entries)
    assert result.rejected == _expected_rejections("Esiti")
    # The CSV of the same outcomes afterwards: all already there
    again = c.inbound_files().import_file(KIND, "ACQ", "esiti.csv", _csv(rows), by="test")
    assert (again.accepted, again.duplicates) == (0, 5)


def test_another_company_cannot_record_on_these_letters(container: Container) -> None:
    c = container
    entries = _letters(c)
    c.companies.register("GAS", "Gas", by="test")
    row = [entries["D1"].action_key, "", "", "consegnata", "20/02/2026", "", ""]
    result = c.inbound_files().import_file(KIND, "GAS", "esiti.csv", _csv([row]), by="test")
    assert result.accepted == 0 and [u["reference"] for u in result.unmatched] == [entries["D1"].action_key]
    assert _step(c, "D1", 2) == []


def test_a_file_that_is_not_an_outcomes_file_is_refused_whole(container: Container) -> None:
    c = container
    c.companies.register("ACQ", "Acque", by="test")
    no_date = b"Chiave azione;Esito\r\nACQ/C1/S1/1/2;consegnata\r\n"
    result = c.inbound_files().import_file(KIND, "ACQ", "esiti.csv", no_date, by="test")
    assert result.rejected == [Rejection("esiti.csv", 1, None, "colonne mancanti: Data esito")]
    assert result.details["refused"] is True
    other = b"Codice cliente;Importo\r\nC1;12,00\r\n"  # another kind of file: nothing silently ignored
    unrelated = c.inbound_files().import_file(KIND, "ACQ", "pagamenti.csv", other, by="test")
    assert [(r.sheet, r.row, r.column) for r in unrelated.rejected] == [("pagamenti.csv", 0, None)]
    assert "nessun foglio con le colonne degli esiti postali" in unrelated.rejected[0].reason
    broken = c.inbound_files().import_file(KIND, "ACQ", "esiti.xlsx", b"PK\x03\x04 non un file", by="test")
    assert broken.accepted == 0 and [r.row for r in broken.rejected] == [0] and broken.details["refused"]
    assert "esiti.xlsx" in broken.rejected[0].reason
