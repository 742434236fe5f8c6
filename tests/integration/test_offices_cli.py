"""``creditbox technical batch|plans`` and ``creditbox agency batch|promises`` through the real command
line, on positions driven to the technical office and the agency."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from creditbox.bootstrap import bootstrap
from creditbox.clock import FixedClock
from creditbox.settings import Settings
from tests.integration.command_line import run
from tests.integration.offices import (
    ASSIGNMENT,
    LIMITATION,
    agency_adapter,
    drive_to_the_offices,
    technical_adapter,
    workbook_bytes,
)

pytestmark = pytest.mark.cli_or_api


@pytest.fixture
def sent(database_url: str, channel_folder: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The limitation and the hand-over, sent to their offices; the command line on the same
    database and channel folder."""
    monkeypatch.setenv("CREDITBOX_DATABASE_URL", database_url)
    clock = FixedClock(date(2026, 2, 10))
    with bootstrap(Settings(database_url=database_url, channel_dir=str(channel_folder)), clock=clock) as c:
        drive_to_the_offices(c)
        assert c.outbox(channel=technical_adapter(c)).send(LIMITATION).result == "sent"
        clock.set(date(2026, 3, 29))
        assert c.outbox(channel=agency_adapter(c)).send(ASSIGNMENT).result == "sent"
        clock.set(date(2026, 4, 2))
        plan = workbook_bytes("Piano", [["Riferimento", "Data pianificata"], [LIMITATION, "01/04/2026"]])
        assert c.inbound_files().import_file("ufficio-tecnico", "ACQ", "piano.xlsx", plan, by="ut").accepted == 1
        promise = f"Riferimento;Tipo;Data;Importo\n{ASSIGNMENT};promessa;30/04/2026;150,00\n".encode()
        assert c.inbound_files().import_file("agenzia", "ACQ", "esiti.csv", promise, by="adr").accepted == 1
    return database_url


@pytest.mark.postgres_smoke
def test_technical_batch_writes_the_list_and_gives_the_same_file_again(sent: str, tmp_path: Path) -> None:
    out = tmp_path / "uscita"
    code, stdout, err = run(
        "technical", "batch", "--company", "ACQ", "--date", "30/03/2026", "--out", str(out), "--json"
    )
    assert code == 0, stdout + err
    [batch] = json.loads(stdout)
    assert batch["new"] is True and batch["action_keys"] == [LIMITATION] and batch["office"] == "UT"
    [written] = batch["files"]
    path = Path(written["path"])
    assert path.parent == out and path.name == f"{batch['batch_id']}.xlsx"
    first = path.read_bytes()
    sheet = load_workbook(path).worksheets[0]
    assert sheet["A2"].value == "Limitazione" and sheet["B2"].value == LIMITATION

    code, stdout, err = run(
        "technical", "batch", "--company", "ACQ", "--date", "2026-03-30", "--out", str(out), "--json"
    )
    assert code == 0, stdout + err
    [again] = json.loads(stdout)
    assert again["new"] is False and again["batch_id"] == batch["batch_id"] and path.read_bytes() == first


def test_agency_batch_in_italian_and_nothing_on_an_empty_day(sent: str) -> None:
    code, stdout, err = run("agency", "batch", "--company", "ACQ", "--date", "2026-03-29")
    assert code == 0, stdout + err
    assert "ADR-ACQ-ADR1-20260329-" in stdout and ".csv" in stdout and "Lotti del 29/03/2026" in stdout
    code, stdout, err = run("agency", "batch", "--company", "ACQ", "--date", "2026-03-28")
    assert code == 0 and "Nessun lotto di affidamento per il 28/03/2026" in stdout


def test_plans_and_promises_are_listed(sent: str) -> None:
    code, stdout, err = run("technical", "plans", "--company", "ACQ", "--json")
    assert code == 0, stdout + err
    [plan] = json.loads(stdout)
    assert (plan["action_key"], plan["date"], plan["kind_label"]) == (
        LIMITATION,
        "2026-04-01",
        "intervento pianificato",
    )
    code, stdout, err = run("agency", "promises", "--company", "ACQ")
    assert code == 0, stdout + err
    assert "Promesse di pagamento" in stdout and "30/04/2026" in stdout and "150,00 €" in stdout


def test_a_bad_date_or_an_unknown_company_is_refused(sent: str) -> None:
    code, _, err = run("technical", "batch", "--company", "ACQ", "--date", "30-30-2026")
    assert code == 2 and "--date" in err
    code, _, err = run("agency", "batch", "--company", "NOPE", "--date", "2026-03-29")
    assert code != 0 and "NOPE" in err


def test_the_position_shows_its_planned_intervention_and_promise(sent: str) -> None:
    code, stdout, err = run("positions", "show", "C1", "--company", "ACQ", "--json")
    assert code == 0, stdout + err
    [plan] = json.loads(stdout)["office_notes"]
    assert (plan["kind"], plan["case_id"], plan["date"]) == ("plan", "S-C1/1", "2026-04-01")
    code, stdout, err = run("positions", "show", "C2", "--company", "ACQ")
    assert code == 0, stdout + err
    assert "Dagli uffici esterni" in stdout and "promessa di pagamento" in stdout and "150,00 €" in stdout
