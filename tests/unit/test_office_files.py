"""The offices' files without a database: the lists carry no wall-clock time (the same bytes each time), the
answer files are read from real .xlsx and CSV bytes, cells are checked with Italian reasons, the
batch folder survives leftovers of a crash, and the adapters refuse a configuration without an agency."""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest

from creditbox.application.agency import Assignment, NoticeSent, payment_id
from creditbox.application.answer_tables import CellProblem, UnreadableAnswers, cell_amount, cell_date
from creditbox.application.notices import NoticeBill
from creditbox.application.office_batches import BatchFile, BatchItem, ClosedBatch, batch_id
from creditbox.application.ports import AdapterSpec, ChannelMessage
from creditbox.application.technical_office import TechnicalRequest
from creditbox.clock import FixedClock
from creditbox.infrastructure.channels.office_batches import (
    LocalBatchFolder,
    OfficeBatchChannel,
    agency_from_spec,
    technical_office_from_spec,
)
from creditbox.infrastructure.excel.answer_tables import AnswerTableReader
from creditbox.infrastructure.excel.office_lists import assignment_csv, technical_list
from tests.integration.offices import workbook_bytes

DAY = date(2026, 3, 30)
REQUEST = TechnicalRequest(
    "Sospensione",
    "ACQ/C1/S1/1/4",
    "C1",
    "Mario Rossi",
    "S1",
    "Gas",
    "Via Roma 1",
    "PDR-1",
    Decimal("80.10"),
    DAY,
    "S1/1",
)


def test_the_list_carries_only_the_business_date_so_its_bytes_repeat() -> None:
    first = technical_list("UT-ACQ-UT-20260330-x", DAY, [REQUEST])
    second = technical_list("UT-ACQ-UT-20260330-x", DAY, [REQUEST])
    assert first == second
    with zipfile.ZipFile(BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2026, 3, 30, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert core.count("2026-03-30T00:00:00Z") == 2  # created and modified: the business date
    assert technical_list("UT-ACQ-UT-20260330-x", DAY, [REQUEST, REQUEST]) != first


def test_batch_ids_depend_on_the_actions_not_their_order() -> None:
    one = batch_id("UT", "ACQ", DAY, "UT", ["b", "a"])
    assert one == batch_id("UT", "ACQ", DAY, "UT", ["a", "b"]) and one.startswith("UT-ACQ-UT-20260330-")
    assert one != batch_id("UT", "ACQ", DAY, "UT", ["a"]) and one != batch_id("UT", "ACQ", DAY, "GAS", ["a", "b"])


def _assignment(name: str) -> Assignment:
    bill = NoticeBill("B1", date(2026, 1, 1), date(2026, 1, 31), Decimal("1234.50"), Decimal("1000.00"))
    sent = NoticeSent(1, "Sollecito A/R", "Sollecito A/R", date(2026, 2, 1), "compiuta giacenza", date(2026, 3, 5))
    return Assignment(
        "ACQ/C1/S1/1/3", DAY, "Recuperi", "C1", name, "", "", "", "", "", "", "", "", "S1", "Acqua", "", "S1/1",
        (bill,), Decimal("1000.00"), (sent,),
    )  # fmt: skip


def test_the_csv_keeps_formulas_out_and_writes_italian_amounts() -> None:
    text = assignment_csv([_assignment("=HYPERLINK(1)")]).decode("utf-8-sig")
    header, line = text.splitlines()
    cells = dict(zip(header.split(";"), line.split(";"), strict=True))
    assert cells["Nominativo"] == "'=HYPERLINK(1)"
    assert (cells["Importo bolletta"], cells["Residuo"], cells["Totale scaduto"]) == (
        "1.234,50",
        "1.000,00",
        "1.000,00",
    )
    assert cells["Solleciti inviati"] == "1. Sollecito A/R del 01/02/2026: compiuta giacenza il 05/03/2026"


def test_answer_files_are_read_from_excel_and_csv() -> None:
    reader = AnswerTableReader()
    xlsx = workbook_bytes("Esiti", [["Riferimento", "Data"], ["K1", datetime(2026, 4, 1)], [None, None], ["K2", "x"]])
    [table] = reader.read("a.xlsx", xlsx)
    assert table.sheet == "Esiti" and table.headers == ("Riferimento", "Data")
    assert [(r.number, r.values[0]) for r in table.rows] == [(2, "K1"), (4, "K2")]  # the empty row skipped
    [semicolons] = reader.read("a.csv", "\ufeffRiferimento;Motivo\nK1;contatore inaccessibile\n".encode())
    assert semicolons.headers == ("Riferimento", "Motivo") and semicolons.rows[0].values == (
        "K1",
        "contatore inaccessibile",
    )
    [commas] = reader.read("b.csv", "Riferimento,Motivo\r\nK1,città\r\n".encode("cp1252"))
    assert commas.rows[0].values == ("K1", "città")
    with pytest.raises(UnreadableAnswers, match="vuoto"):
        reader.read("c.csv", b"")
    with pytest.raises(UnreadableAnswers, match=r"d\.xlsx"):
        reader.read("d.xlsx", b"PK\x03\x04 not a workbook")


def test_cells_are_checked_with_a_reason() -> None:
    assert cell_date("01/04/2026", "Data") == date(2026, 4, 1) and cell_date("2026-04-01", "Data") == date(2026, 4, 1)
    assert cell_amount("1.234,56", "Importo") == Decimal("1234.56") and cell_amount(12.5, "Importo") == Decimal("12.50")
    for value, reason in (("", "mancante"), ("31/02/2026", "non valida")):
        with pytest.raises(CellProblem, match=reason) as problem:
            cell_date(value, "Data")
        assert problem.value.column == "Data"
    for amount, reason in (("0", "maggiore di zero"), ("abc", "non valido"), ("1,234", "più di due decimali")):
        with pytest.raises(CellProblem, match=reason):
            cell_amount(amount, "Importo")


def test_payment_ids_are_stable_short_and_distinct() -> None:
    key = "ACQ/" + "C" * 60 + "/S1/1/3"
    one = payment_id(key, "INC-" + "9" * 80)
    assert one == payment_id(key, "INC-" + "9" * 80) and len(one) <= 64
    assert one != payment_id(key, "INC-" + "9" * 81)  # the cut reference alone would not tell them apart
    assert payment_id("ACQ/C1/S1/1/3", "INC-1") != payment_id("ACQ/C2/S2/1/3", "INC-1")


def test_the_folder_ignores_leftovers_of_a_crash_and_keeps_a_batch_once(tmp_path: Path) -> None:
    folder = LocalBatchFolder(tmp_path)
    channel = OfficeBatchChannel(folder, FixedClock(DAY), "ufficio_tecnico", "UT", "Ufficio tecnico")
    assert not channel.send(ChannelMessage("ACQ/C1/S1/1/4", "ACQ", "ufficio_tecnico", None, "s", "t")).duplicate
    day = tmp_path / "ACQ" / "ufficio_tecnico" / "aperti" / "2026-03-30" / "UT"
    (day / ".tmp-abc.part").write_text("{half")  # a send that died mid-way
    [item] = folder.open_items("ACQ", "ufficio_tecnico", DAY)
    assert item == BatchItem("ACQ/C1/S1/1/4", "ACQ", "ufficio_tecnico", DAY, "UT", "Ufficio tecnico")

    batch = ClosedBatch(
        "UT-1", "ACQ", "ufficio_tecnico", DAY, "UT", (item.action_key,), (BatchFile("UT-1.xlsx", b"x"),)
    )
    (tmp_path / "ACQ" / "ufficio_tecnico" / "lotti" / "2026-03-30" / ".tmp-dead").mkdir(
        parents=True
    )  # a close that died
    assert folder.keep(batch) == batch
    other = ClosedBatch(
        "UT-1", "ACQ", "ufficio_tecnico", DAY, "UT", (item.action_key,), (BatchFile("UT-1.xlsx", b"y"),)
    )
    assert folder.keep(other).files == batch.files  # kept once, never rewritten
    assert [b.batch_id for b in folder.closed_batches("ACQ", "ufficio_tecnico", DAY)] == ["UT-1"]


def _spec(adapter: str, **options: str) -> AdapterSpec:
    return AdapterSpec("ACQ", adapter.replace("-", "_"), adapter, options, lambda name: name)


def test_the_agency_adapter_needs_the_agency_code(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="codice dell'agenzia"):
        agency_from_spec(_spec("agenzia"), FixedClock(DAY), str(tmp_path))
    office = technical_office_from_spec(_spec("ufficio-tecnico", office="GAS"), FixedClock(DAY), str(tmp_path))
    office.send(ChannelMessage("ACQ/C1/S1/1/4", "ACQ", "ufficio_tecnico", None, "s", "t"))
    assert (tmp_path / "ACQ" / "ufficio_tecnico" / "aperti" / "2026-03-30" / "GAS").is_dir()


def test_the_composition_root_names_both_adapters(tmp_path: Path) -> None:
    from creditbox.bootstrap import OFFICE_ADAPTERS

    agency = OFFICE_ADAPTERS["agenzia"](_spec("agenzia", agency="ADR9"), FixedClock(DAY), str(tmp_path))
    agency.send(ChannelMessage("ACQ/C1/S1/1/6", "ACQ", "agenzia", None, "s", "t"))
    assert agency.status("ACQ/C1/S1/1/6") == "sent"
    assert (tmp_path / "ACQ" / "agenzia" / "aperti" / "2026-03-30" / "ADR9").is_dir()
    office = OFFICE_ADAPTERS["ufficio-tecnico"](_spec("ufficio-tecnico"), FixedClock(DAY), str(tmp_path))
    assert office.status("ACQ/C1/S1/1/6") == "unknown"  # another channel's action
