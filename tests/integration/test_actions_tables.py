"""The actions-table use cases, on the in-memory event store: the standard table at registration, revisions,
history, and the Excel round trip through real .xlsx files."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from openpyxl import load_workbook

from creditbox.application.companies import CompanyDirectory
from creditbox.bootstrap import Container
from creditbox.clock import FixedClock
from creditbox.domain.actions_validation import InvalidActionsTable
from creditbox.domain.errors import InvalidCommand, NotFound
from creditbox.domain.ids import company_id
from creditbox.infrastructure.actions_csv import standard_rows
from creditbox.infrastructure.excel.actions_workbook import LEGEND_SHEET, TABLE_SHEET, export_table, read_table

pytestmark = pytest.mark.use_case

HEADERS = [
    "Scala", "Passo", "Tipologie cliente", "Servizi", "Tipologie fornitura", "Stati fornitura", "Codice azione",
    "Descrizione", "Attesa prima (gg)", "Decorrenza", "Attesa dopo (gg)", "Importo minimo", "Importo massimo",
    "Soglia minima", "Livello autorizzativo", "Modalità", "Parametri",
]  # fmt: skip


@pytest.fixture
def acq(container: Container) -> str:
    return container.companies.register("ACQ", "Acque Spa", by="test").code


def import_xlsx(container: Container, path: Path, note: str | None = None) -> object:
    return container.actions_tables.revise_parsed(
        "ACQ", read_table(path), by="test", note=note, source=f"excel:{path.name}"
    )


def test_a_new_company_starts_with_the_standard_table_as_version_1(container: Container, acq: str) -> None:
    current = container.actions_tables.current(acq)
    assert current.version == 1
    assert len(current.rows) == 35
    assert current.rows == standard_rows()
    assert (current.by, current.source, current.at) == ("test", "standard", container.clock.now())
    assert [h.version.version for h in container.actions_tables.history(acq)] == [1]


def test_the_company_and_its_table_are_saved_together(container: Container) -> None:
    broken = CompanyDirectory(container.app, standard_actions=lambda: [], clock=container.clock)
    with pytest.raises(InvalidActionsTable):
        broken.register("GAS", "Gas Spa", by="test")
    assert not container.app.exists(company_id("GAS"))


def test_an_unknown_company_has_no_table(container: Container) -> None:
    with pytest.raises(NotFound, match="azienda sconosciuta"):
        container.actions_tables.current("NOPE")


def test_revise_makes_version_2_and_version_1_stays_readable(container: Container, acq: str, clock: FixedClock) -> None:
    rows = list(standard_rows())
    rows[4] = replace(rows[4], wait_after_days=7)
    clock.advance(days=3)
    revision = container.actions_tables.revise(acq, rows, by="admin", note="SMS 7 giorni")
    assert revision.changed and revision.version.version == 2
    assert revision.diff.changed == (rows[4].key,)
    assert container.actions_tables.current(acq).rows[4].wait_after_days == 7
    assert container.actions_tables.version(acq, 1).rows[4].wait_after_days == 5
    entry = container.actions_tables.history(acq)[1]
    assert (entry.version.by, entry.version.note, entry.version.at) == ("admin", "SMS 7 giorni", clock.now())
    assert entry.diff.summary() == "1 modificata"


def test_an_identical_revision_adds_no_version(container: Container, acq: str) -> None:
    revision = container.actions_tables.revise(acq, standard_rows(), by="admin")
    assert not revision.changed
    assert len(container.actions_tables.history(acq)) == 1


def test_an_invalid_revision_is_refused_with_every_problem(container: Container, acq: str) -> None:
    rows = list(standard_rows())
    rows[0] = replace(rows[0], wait_before_days=-1)
    rows[5] = replace(rows[5], description="")
    with pytest.raises(InvalidActionsTable) as refused:
        container.actions_tables.revise(acq, rows, by="admin")
    assert [(p.row, p.message) for p in refused.value.problems] == [
        (1, "attesa prima negativa: -1 giorno"),
        (6, "descrizione mancante"),
    ]
    assert container.actions_tables.current(acq).version == 1


class TestExcelRoundTrip:
    def test_the_export_has_italian_headers_codes_as_text_and_a_legend(
        self, container: Container, acq: str, tmp_path: Path
    ) -> None:
        target = tmp_path / "tabella.xlsx"
        export_table(container.actions_tables.current(acq), target)
        workbook = load_workbook(target)
        assert workbook.sheetnames == [TABLE_SHEET, LEGEND_SHEET]
        sheet = workbook[TABLE_SHEET]
        assert [c.value for c in sheet[1]] == HEADERS
        assert sheet.max_row == 36
        enti = [c.value for c in sheet[2]]
        assert enti[:7] == ["ENTI", 1, "4", None, None, "1|2|4", 5]
        assert sheet["F2"].data_type == "s"
        legend = {(r[0], r[1]): r[2] for r in workbook[LEGEND_SHEET].iter_rows(min_row=2, values_only=True)}
        assert legend[("Codice azione", "7")] == "Richiesta Ufficio tecnico"
        assert legend[("Tipologie cliente", "4")] == "Ente"
        assert legend[("Decorrenza", "previous_delivered")] == "consegna passo precedente"

    def test_export_then_import_unchanged_adds_no_version(self, container: Container, acq: str, tmp_path: Path) -> None:
        target = tmp_path / "tabella.xlsx"
        export_table(container.actions_tables.current(acq), target)
        revision = import_xlsx(container, target)
        assert not revision.changed  # type: ignore[attr-defined]
        assert len(container.actions_tables.history(acq)) == 1

    def test_editing_a_wait_in_excel_makes_version_2(self, container: Container, acq: str, tmp_path: Path) -> None:
        target = tmp_path / "tabella.xlsx"
        export_table(container.actions_tables.current(acq), target)
        workbook = load_workbook(target)
        sheet = workbook[TABLE_SHEET]
        assert sheet["A8"].value == "ACQUA-DOMESTICI" and sheet["B8"].value == 3
        sheet["I8"] = 45  # Attesa prima (gg) of the water limitation step
        workbook.save(target)
        import_xlsx(container, target, note="limitazione a 45 giorni")
        assert container.actions_tables.current(acq).version == 2
        assert container.actions_tables.current(acq).ladder("ACQUA-DOMESTICI")[2].wait_before_days == 45
        assert container.actions_tables.version(acq, 1).ladder("ACQUA-DOMESTICI")[2].wait_before_days == 40
        history = container.actions_tables.history(acq)
        assert history[1].version.source == "excel:tabella.xlsx"
        assert history[1].diff.changed == ("ACQUA-DOMESTICI#3[0.00-]",)

    def test_an_invalid_workbook_lists_each_bad_row_and_saves_nothing(
        self, container: Container, acq: str, tmp_path: Path
    ) -> None:
        target = tmp_path / "tabella.xlsx"
        export_table(container.actions_tables.current(acq), target)
        workbook = load_workbook(target)
        sheet = workbook[TABLE_SHEET]
        sheet["G3"] = 42  # unknown action code
        sheet["K5"] = -2  # negative wait after
        sheet["J6"] = "previous_sent"  # ACQUA-DOMESTICI seq 1 must start at opened
        sheet["L14"], sheet["M14"] = 200, 100  # empty amount band
        workbook.save(target)
        with pytest.raises(InvalidActionsTable) as refused:
            import_xlsx(container, target)
        problems = refused.value.problems
        assert [p.row for p in problems] == [3, 5, 6, 14]
        assert problems[0].column == "Codice azione" and "42" in problems[0].message
        assert str(problems[1]) == "riga 5 (ENTI-FORNITURA passo 2): attesa dopo negativa: -2 giorni"
        assert "primo passo" in problems[2].message and problems[2].ladder == "ACQUA-DOMESTICI"
        assert "importo minimo (200.00)" in problems[3].message
        assert len(container.actions_tables.history(acq)) == 1

    def test_a_file_that_is_not_a_workbook_is_a_clear_error(self, tmp_path: Path) -> None:
        target = tmp_path / "tabella.xlsx"
        target.write_text("ladder,seq\n")
        with pytest.raises(InvalidCommand, match="file Excel non leggibile"):
            read_table(target)
