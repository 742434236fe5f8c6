"""``creditbox import --report FILE.xlsx`` through the real command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from creditbox.sample_data import SampleSpec, generate, with_bad_rows, workbook_bytes
from tests.integration.command_line import invoke

pytestmark = pytest.mark.cli_or_api


@pytest.mark.postgres_smoke
def test_the_report_lists_the_rejected_rows_and_json_stays_clean(cli_db: str, tmp_path: Path) -> None:
    data = generate(SampleSpec(customers=8))
    bad = with_bad_rows(data)
    source = tmp_path / "errori.xlsx"
    source.write_bytes(workbook_bytes(data))
    report = tmp_path / "rapporti" / "errori.scarti.xlsx"

    result = invoke("import", str(source), "--company", "ACQ", "--json", "--report", str(report))

    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)  # the note about the report goes to stderr
    assert "Rapporto scritto in" in result.stderr
    book = load_workbook(report)
    lines = list(book["Scarti"].iter_rows(min_row=2, values_only=True))
    assert {(s, r, c) for s, r, c, _ in lines} == {(b.sheet, b.row, b.column) for b in bad}
    total = list(book["Riepilogo"].iter_rows(values_only=True))[-1]
    assert total[5:] == ("Totale", summary["totals"]["accepted"], 0, summary["totals"]["rejected"])


def test_an_unreadable_file_still_gets_a_report_and_exits_2(cli_db: str, tmp_path: Path) -> None:
    source = tmp_path / "clienti.csv"
    source.write_text("Codice Cliente;Nominativo\nC1;Rossi\n")  # a CSV of our layout without a required column
    report = tmp_path / "clienti.scarti.xlsx"

    result = invoke("import", str(source), "--company", "ACQ", "--report", str(report))

    assert result.exit_code == 2
    reason = "clienti.csv: nel foglio 'clienti.csv' mancano le colonne obbligatorie: Tipologia Cliente"
    assert "mancano le colonne obbligatorie" in result.stderr
    summary = list(load_workbook(report)["Riepilogo"].iter_rows(min_row=2, values_only=True))
    assert len(summary) == 1
    assert summary[0][4] == f"non importato: {reason}"


def test_a_report_that_cannot_be_written_is_refused_before_the_import(cli_db: str, tmp_path: Path) -> None:
    source = tmp_path / "gennaio.xlsx"
    source.write_bytes(workbook_bytes(generate(SampleSpec(customers=3))))
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")

    result = invoke("import", str(source), "--company", "ACQ", "--report", str(blocker / "r.xlsx"))

    assert result.exit_code == 2
    assert "importato" not in result.stdout
    assert "è un file, non una cartella" in " ".join(result.stderr.split())
