"""``creditbox actions`` through the real command line (Typer's CliRunner)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from creditbox.infrastructure.excel.actions_workbook import TABLE_SHEET
from tests.integration.command_line import run

pytestmark = pytest.mark.cli_or_api


@pytest.mark.postgres_smoke
def test_export_import_unchanged_then_edited_then_history(cli_db: str, tmp_path: Path) -> None:
    target = tmp_path / "tabella.xlsx"
    code, out, _ = run("actions", "export", "--company", "acq", "--out", str(target))
    assert code == 0 and "35 righe" in out and target.exists()

    code, out, _ = run("actions", "import", str(target), "--company", "ACQ")
    assert code == 0 and "nessuna modifica" in out

    workbook = load_workbook(target)
    workbook[TABLE_SHEET]["K2"] = 45  # ENTI seq 1: wait after 30 -> 45
    workbook.save(target)
    code, out, _ = run(
        "--by", "mario", "actions", "import", str(target), "--company", "ACQ", "--note", "PEC: 45 giorni"
    )
    assert code == 0 and "versione 2" in out

    code, out, _ = run("actions", "history", "--company", "ACQ", "--json")
    history = json.loads(out)
    assert [h["version"] for h in history] == [1, 2]
    assert history[1]["note"] == "PEC: 45 giorni" and history[1]["source"] == "excel:tabella.xlsx"
    assert history[1]["changed"] == ["ENTI#1[0.00-]"] and history[1]["by"] == "mario"

    code, out, _ = run("actions", "show", "--company", "ACQ", "--version", "1", "--json")
    assert json.loads(out)["rows"][0]["wait_after_days"] == 30
    code, out, _ = run("actions", "show", "--company", "ACQ", "--json")
    shown = json.loads(out)
    assert shown["version"] == 2 and shown["rows"][0]["wait_after_days"] == 45
    assert shown["rows"][0]["key"] == "ENTI#1[0.00-]"

    # The audit path: a step records (table_version, row_key); the row as it was in that version.
    code, out, _ = run("actions", "show", "--company", "ACQ", "--version", "1", "--row", "ENTI#1[0.00-]", "--json")
    row = json.loads(out)
    assert (row["version"], row["excel_row"], row["wait_after_days"]) == (1, 2, 30)


def test_an_invalid_import_lists_every_problem_and_exits_non_zero(cli_db: str, tmp_path: Path) -> None:
    target = tmp_path / "tabella.xlsx"
    run("actions", "export", "--company", "ACQ", "--out", str(target))
    workbook = load_workbook(target)
    sheet = workbook[TABLE_SHEET]
    sheet["G3"] = 42
    sheet["P10"] = "sometimes"
    sheet["Q8"] = "tech=explode"
    workbook.save(target)
    code, _, err = run("actions", "import", str(target), "--company", "ACQ")
    assert code == 1
    assert "3 problemi" in err and "Nulla è stato salvato" in err
    assert "riga 3 (ENTI passo 2) colonna «Codice azione»: codice sconosciuto 42" in err
    assert "riga 8 (ACQUA-DOMESTICI passo 3): valore sconosciuto del parametro tech: 'explode'" in err
    assert "riga 10 (ACQUA-DOMESTICI passo 5) colonna «Modalità»: valore sconosciuto 'sometimes'" in err
    code, out, _ = run("actions", "history", "--company", "ACQ", "--json")
    assert len(json.loads(out)) == 1


def test_human_readable_history_and_show(cli_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # a wide terminal: rich wraps cells at 80
    code, out, _ = run("actions", "history", "--company", "ACQ")
    assert code == 0 and "iniziale" in out and "standard" in out
    code, out, _ = run("actions", "show", "--company", "ACQ")
    assert code == 0 and "versione 1" in out
    assert "ACQUA-DOMESTICI" in out and "automatico" in out


def test_an_unknown_company_or_version_is_a_clear_error(cli_db: str, tmp_path: Path) -> None:
    code, _, err = run("actions", "show", "--company", "NOPE")
    assert code == 1 and "azienda sconosciuta" in err
    code, _, err = run("actions", "show", "--company", "ACQ", "--version", "9")
    assert code == 1 and "versione 9" in err
    code, _, err = run("actions", "show", "--company", "ACQ", "--row", "NESSUNA#1[0.00-]")
    assert code == 1 and "riga 'NESSUNA#1[0.00-]' assente nella versione 1" in err
