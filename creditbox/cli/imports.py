"""``creditbox import FILE --company CODE [--profile NAME]``: import a billing-system workbook (default
layout, or the layout a company's import profile describes).

Exit 0 when the file was processed (even with rejected rows); 2 when the file cannot be read at
all (not an xlsx, no known sheet, missing required column, missing file); 1 for an unknown company
or an unknown profile (nothing is read). A ``--report`` naming a folder, a missing folder or the
imported file itself is refused before anything is read (exit 2).
``--report FILE.xlsx`` also writes the outcome as a formatted workbook (``Riepilogo``, ``Scarti``),
for a processed file and for one that could not be read.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress
from rich.table import Table

from creditbox.application.import_results import ImportResult
from creditbox.application.imports import profile_label
from creditbox.application.records import UnreadableFile
from creditbox.cli.context import cli_user, console, container, error_console, fail, print_json
from creditbox.cli.formats import progress_bar
from creditbox.cli.options import Company
from creditbox.cli.paths import REFUSED, output_file
from creditbox.infrastructure.excel.import_report import write_import_report, write_refused_report

UNREADABLE_EXIT = 2
MAX_REJECTIONS_SHOWN = 50


class RichImportProgress:
    """Rich progress bars: the file being read (bytes of a CSV file, rows of a workbook), then the
    rows being applied."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._task: object = None
        self._reading: object = None
        self._read_total = 0

    def reading(self, done: int, total: int) -> None:
        if self._reading is None:
            self._reading = self._progress.add_task("Lettura del file", total=total)
        self._read_total = total
        self._progress.update(self._reading, completed=done, total=total)  # type: ignore[arg-type]

    def start(self, total: int) -> None:
        if self._reading is not None:  # the file is read: its bar ends full
            self._progress.update(self._reading, completed=self._read_total)  # type: ignore[arg-type]
        self._task = self._progress.add_task("Importazione righe", total=total)

    def advance(self, rows: int) -> None:
        if self._task is not None:
            self._progress.advance(self._task, rows)  # type: ignore[arg-type]


def import_file(
    file: Annotated[Path, typer.Argument(help="Cartella di lavoro .xlsx (formato standard o del profilo indicato)")],
    company: Company,
    as_json: bool = typer.Option(False, "--json", help="Riepilogo in JSON"),
    profile: str | None = typer.Option(
        None, "--profile", help="Profilo di importazione dell'azienda (default: il formato standard)"
    ),
    report: Path | None = typer.Option(
        None, "--report", help="Rapporto Excel dell'esito da scrivere (.xlsx: fogli Riepilogo e Scarti)"
    ),
) -> None:
    """Importa clienti, forniture, bollette e pagamenti da un file Excel."""
    if report is not None:  # checked before anything is read or recorded
        output_file(report, "--report", inputs=[file])
    try:
        content = file.read_bytes()
    except OSError as error:
        fail(f"impossibile leggere {str(file)!r}: {error.strerror or error}", UNREADABLE_EXIT)
    with container() as c:
        importer = c.importer()
        parser = c.import_profiles().parser(company, profile)  # an unknown profile stops here: nothing read
        try:
            with progress_bar(quiet=as_json) as progress:
                result = importer.run(
                    content, file.name, company, by=cli_user(), progress=RichImportProgress(progress), parser=parser
                )
        except UnreadableFile as error:
            if report is not None:
                code, name, reason, now = c.companies.require(company), file.name, str(error), c.clock.now()
                layout = profile_label(parser.profile, parser.profile_version)
                _write_report(
                    report, as_json, lambda target: write_refused_report(code, name, reason, now, target, layout)
                )
            fail(str(error), UNREADABLE_EXIT)
        if as_json:
            print_json(result.as_json())
        else:
            print_result(result)
        if report is not None:
            now = c.clock.now()
            _write_report(report, as_json, lambda target: write_import_report(result, now, target))


def _write_report(report: Path, as_json: bool, write: Callable[[Path], None]) -> None:
    try:
        write(report)
    except OSError as error:
        fail(f"impossibile scrivere il rapporto {str(report)!r}: {error.strerror or error}", REFUSED)
    # With --json the standard output is the summary alone: the note goes to the error stream.
    (error_console if as_json else console).print(f"Rapporto scritto in {report}")


def print_result(result: ImportResult) -> None:
    state = "già importato: nessuna modifica" if result.already_imported and not result.events else "importato"
    console.print(f"File [bold]{result.file_name}[/] {state} (azienda {result.company}, import {result.import_id})")
    table = Table("Foglio", "Accettate", "Invariate", "Scartate", title="Righe")
    for name, counts in result.sheets.items():
        table.add_row(name, str(counts.accepted), str(counts.unchanged), str(counts.rejected))
    totals = result.totals
    table.add_row("[bold]Totale[/]", str(totals.accepted), str(totals.unchanged), str(totals.rejected))
    console.print(table)
    console.print(f"Eventi registrati: {result.events}")
    for warning in result.warnings:
        console.print(f"[yellow]Avviso:[/] {warning}")
    if result.rejected:
        rejected = Table("Foglio", "Riga", "Colonna", "Motivo", title="Righe scartate")
        for r in result.rejected[:MAX_REJECTIONS_SHOWN]:
            rejected.add_row(r.sheet, str(r.row), r.column or "", r.reason)
        console.print(rejected)
        if len(result.rejected) > MAX_REJECTIONS_SHOWN:
            console.print(
                f"… e altre {len(result.rejected) - MAX_REJECTIONS_SHOWN} (usare --json per l'elenco completo)"
            )
