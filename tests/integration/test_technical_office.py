"""The technical office on SQLite and PostgreSQL: requests of real positions go into the day's batch
through the outbox, the batch closes as a formatted Excel list (the same bytes when closed again),
and the office's plan and outcomes come back from a real .xlsx file (the list itself, filled in)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook

from creditbox.application.notices import Notice
from creditbox.application.office_notes import PLAN
from creditbox.application.ports import ChannelMessage
from creditbox.bootstrap import Container, bootstrap
from creditbox.clock import FixedClock
from creditbox.domain.codes import SupplyStatus
from creditbox.domain.workflow.cases import Reactivation
from creditbox.domain.workflow.outcomes import StepOutcome
from creditbox.infrastructure.excel.writer import DATE_FORMAT, EURO_FORMAT
from creditbox.settings import Settings
from tests.integration.offices import (
    FIRST_SMS,
    LIMITATION,
    LIMITATION_DAY,
    REACTIVATION,
    drive_to_the_offices,
    drive_to_the_reactivation,
    technical_adapter,
    workbook_bytes,
)

HEADERS = [
    "Tipo richiesta",
    "Riferimento",
    "Codice cliente",
    "Nominativo",
    "Codice fornitura",
    "Servizio",
    "Indirizzo fornitura",
    "Matricola / POD-PDR",
    "Importo scaduto",
    "Data richiesta",
    "Pratica",
    "Data pianificata",
    "Esito",
    "Data esito",
    "Motivo",
]


@pytest.fixture
def offices(database_url: str, tmp_path: Path, clock: FixedClock) -> Iterator[Container]:
    settings = Settings(database_url=database_url, channel_dir=str(tmp_path / "canali"))
    with bootstrap(settings, clock=clock) as c:
        drive_to_the_offices(c)
        yield c


def _send(c: Container, key: str) -> str:
    return c.outbox(channel=technical_adapter(c)).send(key).result


def _events(c: Container) -> int:
    return int(c.app.recorder.max_notification_id() or 0)


def test_a_request_goes_into_the_day_batch_once_and_closes_as_a_formatted_list(offices: Container) -> None:
    c = offices
    assert _send(c, LIMITATION) == "sent"
    adapter = technical_adapter(c)
    again = adapter.send(ChannelMessage(LIMITATION, "ACQ", "ufficio_tecnico", None, "s", "t"))
    assert again.duplicate and adapter.status(LIMITATION) == "sent" and adapter.status(FIRST_SMS) == "unknown"

    [batch] = c.technical_batches().close("ACQ", LIMITATION_DAY)
    assert batch.new and batch.action_keys == (LIMITATION,) and batch.batch_id.startswith("UT-ACQ-UT-20260330-")
    [xlsx] = batch.files
    sheet = load_workbook(BytesIO(xlsx.content)).worksheets[0]
    assert sheet.title == "Invio elenco a Uff. Tec."
    assert [cell.value for cell in sheet[1]] == HEADERS
    row = [cell.value for cell in sheet[2]]
    assert row[:11] == [
        "Limitazione",
        LIMITATION,
        "C1",
        "Mario Rossi",
        "S-C1",
        "Acqua",
        "Via Roma 1, Roma",
        "MT-0042",
        120,
        datetime(2026, 3, 30),
        "S-C1/1",
    ]
    assert row[11:] == [None, None, None, None]  # for the office to fill in
    assert sheet["I2"].number_format == EURO_FORMAT and sheet["J2"].number_format == DATE_FORMAT
    assert sheet["L2"].number_format == DATE_FORMAT
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:O2"
    assert sheet.column_dimensions["B"].width == 34 and sheet.column_dimensions["D"].width >= len("Mario Rossi")
    assert sheet.max_row == 2

    # Closed again: the same batch, the same bytes; nothing new.
    [again_closed] = c.technical_batches().close("ACQ", LIMITATION_DAY)
    assert not again_closed.new and again_closed.batch_id == batch.batch_id
    assert again_closed.files[0].content == xlsx.content


def test_a_request_after_the_close_goes_into_a_second_batch_of_the_day(offices: Container) -> None:
    c = offices
    _send(c, LIMITATION)
    [first] = c.technical_batches().close("ACQ", LIMITATION_DAY)
    # A request whose action the outbox does not know (another system's): drawn from its notice.
    notice = Notice(
        "ACQ",
        "ACQ/C7/S-C7/1/4",
        "7",
        "Richiesta Ufficio tecnico",
        "S-C7/1",
        LIMITATION_DAY,
        "C7",
        "Luigi Verdi",
        total=Decimal("80.00"),
        parameters={"tech": "disconnect"},
    )
    message = ChannelMessage(notice.action_key, "ACQ", "ufficio_tecnico", None, "s", "t", notice=notice)
    assert not technical_adapter(c).send(message).duplicate
    batches = c.technical_batches().close("ACQ", LIMITATION_DAY)
    assert [b.action_keys for b in batches if b.new] == [(notice.action_key,)]
    assert {b.batch_id for b in batches} >= {first.batch_id}
    [second] = [b for b in batches if b.new]
    row = [cell.value for cell in load_workbook(BytesIO(second.files[0].content)).worksheets[0][2]]
    assert row[:4] == ["Distacco", notice.action_key, "C7", "Luigi Verdi"] and row[8] == 80


def _answers(rows: list[list[object]]) -> bytes:
    return workbook_bytes("Invio elenco a Uff. Tec.", [HEADERS, *rows])


def _row(
    key: str, planned: object = None, outcome: object = None, when: object = None, why: object = None
) -> list[object]:
    sent = ["Limitazione", key, "C1", "Mario Rossi", "S-C1", "Acqua", "", "", 120, None, "S-C1/1"]
    return [*sent, planned, outcome, when, why]


def test_the_plan_then_the_outcome_come_back_from_the_office_file(offices: Container) -> None:
    c = offices
    _send(c, LIMITATION)
    [batch] = c.technical_batches().close("ACQ", LIMITATION_DAY)
    # The office fills in the list it received.
    workbook = load_workbook(BytesIO(batch.files[0].content))
    workbook.worksheets[0]["L2"] = datetime(2026, 4, 1)
    planned = BytesIO()
    workbook.save(planned)
    inbound = c.inbound_files()

    result = inbound.import_file("ufficio-tecnico", "ACQ", "piano.xlsx", planned.getvalue(), by="ufficio")
    assert (result.accepted, result.duplicates, result.rejected, result.unmatched) == (1, 0, [], [])
    assert result.details["plans"] == 1
    [note] = c.office_notes().list("ACQ", PLAN)
    assert (note.action_key, note.on_date, note.customer_code, note.case_id) == (
        LIMITATION,
        date(2026, 4, 1),
        "C1",
        "S-C1/1",
    )
    step = c.dunning().load("ACQ", "C1").case("S-C1/1").step(3)
    assert step is not None and step.outcomes == []  # a plan is no outcome

    c.clock.set(date(2026, 4, 2))  # type: ignore[attr-defined]
    outcomes = _answers([_row(LIMITATION, "01/04/2026", "Eseguito", "02/04/2026")])
    result = inbound.import_file("ufficio-tecnico", "ACQ", "esiti.xlsx", outcomes, by="ufficio")
    assert (result.accepted, result.duplicates, result.rejected) == (1, 1, [])  # the plan again: a duplicate
    step = c.dunning().load("ACQ", "C1").case("S-C1/1").step(3)
    assert step is not None and step.outcomes == [(StepOutcome.POSITIVE, date(2026, 4, 2))]

    before = _events(c)
    again = inbound.import_file("ufficio-tecnico", "ACQ", "esiti.xlsx", outcomes, by="ufficio")
    assert (again.accepted, again.duplicates) == (0, 2)
    assert _events(c) == before and len(c.office_notes().list("ACQ")) == 1


def test_bad_rows_are_rejected_with_sheet_row_column_and_reason_and_unknown_keys_kept(offices: Container) -> None:
    c = offices
    c.clock.set(date(2026, 4, 2))  # type: ignore[attr-defined]
    content = _answers(
        [
            _row(LIMITATION, outcome="forse", when="02/04/2026"),
            _row(LIMITATION, outcome="non eseguito", when="02/04/2026"),
            _row(LIMITATION, outcome="eseguito", when="31/12/2026"),
            _row(LIMITATION, planned="32/04/2026"),
            _row(LIMITATION, outcome="eseguito", when="29/03/2026"),
            _row("ACQ/C1/S-C1/9/9", planned="01/04/2026"),
            _row(FIRST_SMS, outcome="eseguito", when="02/04/2026"),
            _row(LIMITATION),  # sent back without an answer
        ]
    )
    result = c.inbound_files().import_file("ufficio-tecnico", "ACQ", "esiti.xlsx", content, by="ufficio")
    rejected = [(r.sheet, r.row, r.column) for r in result.rejected]
    assert rejected == [
        ("Invio elenco a Uff. Tec.", 2, "Esito"),
        ("Invio elenco a Uff. Tec.", 3, "Motivo"),
        ("Invio elenco a Uff. Tec.", 4, "Data esito"),
        ("Invio elenco a Uff. Tec.", 5, "Data pianificata"),
        ("Invio elenco a Uff. Tec.", 6, "Data esito"),
    ]
    reasons = [r.reason for r in result.rejected]
    assert "esito sconosciuto" in reasons[0] and "motivo obbligatorio" in reasons[1]
    assert "precedente all'esecuzione" in reasons[4]
    assert [(u["reference"], u["row"]) for u in result.unmatched] == [("ACQ/C1/S-C1/9/9", 7), (FIRST_SMS, 8)]
    assert "Ufficio tecnico" in str(result.unmatched[1]["reason"])
    assert result.accepted == 0 and result.details["rows_without_answer"] == 1
    step = c.dunning().load("ACQ", "C1").case("S-C1/1").step(3)
    assert step is not None and step.outcomes == [] and c.office_notes().list("ACQ") == []


def test_a_file_without_the_reference_column_or_not_a_table_is_refused(offices: Container) -> None:
    inbound = offices.inbound_files()
    no_key = workbook_bytes("Foglio1", [["Codice", "Esito"], ["x", "eseguito"]])
    [problem] = inbound.import_file("ufficio-tecnico", "ACQ", "a.xlsx", no_key, by="u").rejected
    assert (problem.sheet, problem.row, problem.column) == ("Foglio1", 1, "Riferimento")
    [broken] = inbound.import_file("ufficio-tecnico", "ACQ", "b.xlsx", b"PK\x03\x04 rotto", by="u").rejected
    assert broken.row == 0 and "b.xlsx" in broken.reason


def test_the_office_reactivates_a_supply_from_its_file(offices: Container) -> None:
    c = offices
    drive_to_the_reactivation(c)
    assert _send(c, REACTIVATION) == "sent"
    [batch] = c.technical_batches().close("ACQ", date(2026, 4, 30))
    row = [cell.value for cell in load_workbook(BytesIO(batch.files[0].content)).worksheets[0][2]]
    assert row[:3] == ["Riattivazione", REACTIVATION, "C1"]
    c.clock.set(date(2026, 5, 4))  # type: ignore[attr-defined]
    content = _answers([_row(REACTIVATION, outcome="eseguito", when="04/05/2026")])
    result = c.inbound_files().import_file("ufficio-tecnico", "ACQ", "riattivazioni.xlsx", content, by="ufficio")
    assert (result.accepted, result.rejected) == (1, [])
    position = c.dunning().load("ACQ", "C1")
    assert position.case("S-C1/1").reactivation == Reactivation.DONE
    assert position.supplies["S-C1"].status == SupplyStatus.ACTIVE
