"""``creditbox inbound import``, ``creditbox receipts import`` and ``creditbox inbound unmatched`` through
the real command line: receipts recorded on their notices, a second import changing nothing, the
unmatched receipt on the worklist (screen, JSON, formatted Excel), an unreadable file refused with exit 2
while the others go in, an unknown kind refused naming the kinds there are."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from creditbox.bootstrap import bootstrap
from creditbox.clock import FixedClock
from creditbox.domain.workflow.outcomes import StepOutcome
from creditbox.settings import Settings
from tests.integration.command_line import run, use_database
from tests.integration.test_pec_receipts import FIXTURES, given_public_bodies_with_a_pec_notice

pytestmark = pytest.mark.cli_or_api


@pytest.fixture
def receipts_cli(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, clock: FixedClock) -> Path:
    """The command line on the test's database, with ACQ's public bodies sent a PEC each."""
    evidence = tmp_path / "prove"
    monkeypatch.setenv("CREDITBOX_EVIDENCE_DIR", str(evidence))
    use_database(database_url, monkeypatch, company="ACQ", name="Acque")
    with bootstrap(Settings(database_url=database_url), clock=clock) as c:
        given_public_bodies_with_a_pec_notice(c)
    return evidence


def _outcomes(database_url: str, customer: str) -> list[tuple[StepOutcome, date]]:
    with bootstrap(Settings(database_url=database_url)) as c:
        case = c.positions.load("ACQ", customer).dunning.cases[f"S-{customer}/1"]
        return list(case.steps[0].outcomes)


@pytest.mark.postgres_smoke
def test_receipts_import_records_the_outcomes_and_again_changes_nothing(receipts_cli: Path, database_url: str) -> None:
    files = [str(FIXTURES / n) for n in ("avvenuta-consegna.eml", "errore-consegna.eml", "sconosciuta.eml")]

    code, out, err = run("receipts", "import", *files, "--company", "ACQ", "--json")

    assert code == 0, out + err
    results = json.loads(out)
    assert [(r["accepted"], len(r["unmatched"])) for r in results] == [(1, 0), (1, 0), (0, 1)]
    assert _outcomes(database_url, "E1") == [(StepOutcome.DELIVERED, date(2026, 2, 10))]
    assert _outcomes(database_url, "E2") == [(StepOutcome.NOT_DELIVERED, date(2026, 2, 11))]
    assert len(list(receipts_cli.glob("ACQ/*/*.eml"))) == 3

    code, out, err = run("inbound", "import", "ricevute", *files, "--company", "ACQ", "--json")

    assert code == 0, out + err
    assert [r["duplicates"] for r in json.loads(out)] == [1, 1, 1]
    assert _outcomes(database_url, "E1") == [(StepOutcome.DELIVERED, date(2026, 2, 10))]


def test_the_unmatched_answers_on_screen_in_json_and_in_excel(receipts_cli: Path, tmp_path: Path) -> None:
    assert run("receipts", "import", str(FIXTURES / "sconosciuta.eml"), "--company", "ACQ").code == 0

    code, out, _ = run("inbound", "unmatched", "--company", "ACQ")
    assert code == 0 and "Risposte non abbinate — ACQ" in out and "ACQ/NESSUNO" in out

    code, out, _ = run("inbound", "unmatched", "--company", "ACQ", "--kind", "Ricevute PEC", "--json")
    [answer] = json.loads(out)
    assert answer["reference"] == "<ACQ/NESSUNO/S-NESSUNO/1/1@pec.acque.example.it>"
    assert answer["kind"] == "ricevute" and "nessun invio" in answer["reason"]

    target = tmp_path / "non-abbinate.xlsx"
    code, out, _ = run("inbound", "unmatched", "--company", "ACQ", "--out", str(target))
    assert code == 0 and "1 riga scritta" in out
    sheet = load_workbook(target).active
    assert sheet is not None and sheet.title == "Risposte non abbinate"
    assert [c.value for c in sheet[1]][:4] == ["Ricevuto il", "Tipo di file", "Riferimento", "Motivo"]
    assert sheet["B2"].value == "Ricevute PEC" and sheet["H2"].value == "avvenuta-consegna"
    assert sheet["F2"].value is None and sheet["G2"].value is None  # a receipt is a whole file: no sheet, no row
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref is not None
    assert sheet["A2"].number_format == "DD/MM/YYYY HH:MM"


def test_an_unreadable_file_is_refused_with_exit_2_and_the_others_go_in(
    receipts_cli: Path, tmp_path: Path, database_url: str
) -> None:
    bad = tmp_path / "nota.eml"
    bad.write_bytes(b"Subject: non una ricevuta\r\n\r\ntesto\r\n")

    code, _, err = run("receipts", "import", str(bad), str(FIXTURES / "non-accettazione.eml"), "--company", "ACQ")

    assert code == 2
    assert "daticert.xml assente" in err and "nota.eml" in err
    assert _outcomes(database_url, "E3") == [(StepOutcome.NOT_DELIVERED, date(2026, 2, 10))]


def test_an_unknown_kind_is_refused_naming_the_kinds(receipts_cli: Path) -> None:
    code, _, err = run("inbound", "import", "cartoline", str(FIXTURES / "accettazione.eml"), "--company", "ACQ")

    assert code == 2 and "tipo di file in arrivo sconosciuto" in err and "ricevute" in err


def test_a_missing_file_is_refused_before_anything_is_recorded(receipts_cli: Path, database_url: str) -> None:
    code, _, err = run(
        "receipts", "import", str(FIXTURES / "accettazione.eml"), "/nessuna/cartella/x.eml", "--company", "ACQ"
    )

    assert code == 2 and "impossibile leggere" in err
    assert _outcomes(database_url, "E1") == []
