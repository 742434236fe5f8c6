"""``creditbox import`` through the real command line (Typer's CliRunner)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from creditbox.sample_data import SampleSpec, generate, sample_workbook, with_bad_rows, workbook_bytes
from tests.integration.command_line import run

pytestmark = pytest.mark.cli_or_api


def test_import_prints_a_summary_table(cli_db: str, tmp_path: Path) -> None:
    path = sample_workbook(tmp_path / "clienti.xlsx", SampleSpec(customers=10))
    code, out, _ = run("import", str(path), "--company", "ACQ")
    assert code == 0
    assert "Clienti" in out and "Bollette" in out and "Accettate" in out
    assert "importato" in out


@pytest.mark.postgres_smoke
def test_json_summary_and_second_run_unchanged(cli_db: str, tmp_path: Path) -> None:
    data = generate(SampleSpec(customers=10))
    path = tmp_path / "clienti.xlsx"
    path.write_bytes(workbook_bytes(data))

    code, out, _ = run("import", str(path), "--company", "acq", "--json")
    assert code == 0
    first = json.loads(out)
    assert first["sheets"]["Clienti"] == {"accepted": 10, "unchanged": 0, "rejected": 0}
    assert first["rejected"] == []

    code, out, _ = run("import", str(path), "--company", "ACQ", "--json")
    assert code == 0
    second = json.loads(out)
    assert second["import_id"] == first["import_id"]
    assert second["events"] == 0
    assert all(s["accepted"] == 0 for s in second["sheets"].values())
    assert second["sheets"]["Bollette"]["unchanged"] == data.count("Bollette")


def test_rejected_rows_still_exit_zero_and_are_listed(cli_db: str, tmp_path: Path) -> None:
    data = generate(SampleSpec(customers=10))
    bad = with_bad_rows(data)
    path = tmp_path / "errori.xlsx"
    path.write_bytes(workbook_bytes(data))

    code, out, _ = run("import", str(path), "--company", "ACQ", "--json")

    assert code == 0
    summary = json.loads(out)
    listed = {(r["sheet"], r["row"], r["column"]) for r in summary["rejected"]}
    assert listed == {(b.sheet, b.row, b.column) for b in bad}
    assert all(set(r) == {"sheet", "row", "column", "reason"} for r in summary["rejected"])


def test_an_unreadable_file_exits_non_zero_with_a_clear_message(cli_db: str, tmp_path: Path) -> None:
    path = tmp_path / "clienti.pdf"
    path.write_bytes(b"%PDF-1.7 Codice Cliente;Nominativo")
    code, _, err = run("import", str(path), "--company", "ACQ")
    assert code == 2
    assert "clienti.pdf: formato non supportato (formati accettati:" in err


def test_a_missing_file_exits_non_zero(cli_db: str, tmp_path: Path) -> None:
    code, _, err = run("import", str(tmp_path / "manca.xlsx"), "--company", "ACQ")
    assert code == 2
    assert "impossibile leggere" in err


def test_an_unknown_company_exits_non_zero(cli_db: str, tmp_path: Path) -> None:
    path = sample_workbook(tmp_path / "clienti.xlsx", SampleSpec(customers=3))
    code, _, err = run("import", str(path), "--company", "GAS")
    assert code == 1
    assert "azienda sconosciuta" in err
