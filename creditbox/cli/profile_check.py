"""``creditbox profiles check FILE --profile NAME --company C``: how a file would be read, importing nothing.

For each of our sheets the file feeds, a table of its first records (``--rows``, default 5) with
our columns (their header beneath), then every problem (sheet, row, column, reason, as written in
their file) and the warnings. Nothing is recorded: the file goes through the import's own parser
and checks within the file, never through the ingestor.

Exit codes: **0** no problem found; **1** problems listed (or an unknown company or profile);
**2** the file cannot be read at all (the reason, as the import would give it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from creditbox.application.import_check import DEFAULT_PREVIEW_ROWS, ImportCheck, check_file
from creditbox.application.imports import profile_label
from creditbox.application.records import UnreadableFile
from creditbox.cli.context import console, container, fail, print_json
from creditbox.cli.options import AsJson, Company

UNREADABLE_EXIT = 2
PROBLEMS_EXIT = 1


def check(
    file: Annotated[Path, typer.Argument(help="File da controllare (.xlsx, .xls, .ods, .csv)")],
    company: Company,
    profile: Annotated[
        str, typer.Option("--profile", help="Profilo di importazione dell'azienda ('default': il formato standard)")
    ],
    rows: Annotated[int, typer.Option("--rows", min=0, max=1000, help="Record mostrati per foglio")] = (
        DEFAULT_PREVIEW_ROWS
    ),
    as_json: AsJson = False,
) -> None:
    """Mostra come verrebbe letto un file con un profilo (prime righe e ogni problema), senza importare nulla."""
    try:
        content = file.read_bytes()
    except OSError as error:
        fail(f"impossibile leggere {str(file)!r}: {error.strerror or error}", UNREADABLE_EXIT)
    with container() as c:
        parser = c.import_profiles().parser(company, profile)  # an unknown profile stops here
        try:
            result = check_file(c.app, parser, content, file.name, company, rows=rows)
        except UnreadableFile as error:
            fail(str(error), UNREADABLE_EXIT)
    if as_json:
        print_json(result.as_json())
    else:
        print_check(result)
    if result.problems:
        raise typer.Exit(PROBLEMS_EXIT)


def print_check(result: ImportCheck) -> None:
    layout = profile_label(result.profile, result.profile_version)
    console.print(
        f"File [bold]{escape(result.file_name)}[/], profilo {escape(layout or '')}, azienda {result.company}",
        highlight=False,
    )
    console.print("[bold]Solo un controllo: nulla è stato importato.[/]")
    for name, sheet in result.sheets.items():
        counts = f"{sheet.records} record letti"
        if sheet.repeated:
            counts += f", di cui {sheet.repeated} ripetuti identici"
        counts += f", {sheet.rejected_rows} righe scartate"
        title = f"{name} ← {sheet.source} ({counts})"
        columns = (f"{ours}\n[dim]{escape(theirs)}[/]" for ours, theirs in sheet.headers.items())
        grid = Table("Riga", *columns, title=title)
        for row, values in sheet.preview:
            grid.add_row(str(row), *(escape(values.get(ours, "")) for ours in sheet.headers))
        console.print(grid)
    for warning in result.warnings:
        console.print(f"[yellow]Avviso:[/] {escape(warning)}", highlight=False)
    if not result.rejected:
        console.print("Nessun problema trovato nel file.")
        return
    problems = Table("Foglio", "Riga", "Colonna", "Motivo", title=f"Problemi ({len(result.rejected)})")
    for r in result.rejected:
        problems.add_row(escape(r.sheet), str(r.row), escape(r.column or ""), escape(r.reason))
    console.print(problems)
