"""``creditbox actions``: the company's *tabella azioni* — show, export, import (Excel), history."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from creditbox.application.actions_tables import HistoryEntry
from creditbox.cli.context import cli_user, console, container, fail_listing, print_json
from creditbox.cli.formats import moment
from creditbox.cli.options import AsJson, ChangeNote, Company, Version
from creditbox.cli.paths import output_file, writing
from creditbox.domain.actions import ActionRow
from creditbox.domain.actions_parsing import FIELD_BY_NAME, format_codes, format_parameters
from creditbox.domain.actions_table import TableVersion
from creditbox.domain.actions_validation import InvalidActionsTable
from creditbox.domain.money import format_euro
from creditbox.domain.wording import plural
from creditbox.infrastructure.excel.actions_workbook import export_table, read_table

app = typer.Typer(help="Tabella azioni (scale di sollecito) dell'azienda.", no_args_is_help=True)


def version_as_json(version: TableVersion) -> dict[str, Any]:
    return {
        "company": version.company,
        "version": version.version,
        "by": version.by,
        "at": version.at.isoformat(),
        "note": version.note,
        "source": version.source,
        "rows": [{"key": row.key, **row.as_event_data()} for row in version.rows],
    }


def history_as_json(entry: HistoryEntry) -> dict[str, Any]:
    version = entry.version
    return {
        "version": version.version,
        "at": version.at.isoformat(),
        "by": version.by,
        "note": version.note,
        "source": version.source,
        "rows": len(version.rows),
        "added": list(entry.diff.added),
        "removed": list(entry.diff.removed),
        "changed": list(entry.diff.changed),
        "reordered": entry.diff.reordered,
    }


@app.command("show")
def show(
    company: Company,
    version: Version = None,
    row_key: Annotated[
        str | None,
        typer.Option(
            "--row", help="Solo questa riga, per chiave (es. ACQUA-DOMESTICI#3[0.00-], come nei passi delle pratiche)"
        ),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Mostra le righe della tabella azioni (versione corrente o indicata)."""
    with container() as c:
        table = c.actions_tables.current(company) if version is None else c.actions_tables.version(company, version)
        if row_key is not None:
            _show_row(table, row_key, as_json)
            return
        if as_json:
            print_json(version_as_json(table))
            return
        console.print(
            f"Tabella azioni [bold]{table.company}[/] versione [bold]{table.version}[/]"
            f" — {moment(table.at)}, {table.by}" + (f": {table.note}" if table.note else "")
        )
        numbers = {id(row): number for number, row in enumerate(table.rows, start=2)}
        for ladder in table.ladder_names:
            steps = table.ladder(ladder)
            first = steps[0]
            console.print(
                f"\n[bold]{ladder}[/] — clienti {_codes(first.customer_types)}, servizi {_codes(first.services)},"
                f" forniture {_codes(first.supply_types)}, stati {_codes(first.supply_statuses)}",
                highlight=False,
            )
            grid = Table("Riga", "Passo", "Azione", "Attesa", "Dopo", "Fascia", "Soglia", "Liv.", "Modalità")
            for row in steps:
                grid.add_row(
                    str(numbers[id(row)]),
                    str(row.seq),
                    f"{row.action_code.code} {row.description}"
                    + (f" [{format_parameters(row.parameters)}]" if row.parameters else ""),
                    f"{row.wait_before_days} gg da {row.start_point.label}",
                    f"{row.wait_after_days} gg",
                    _band(row),
                    format_euro(row.threshold),
                    str(row.approval_level),
                    row.mode.label,
                )
            console.print(grid)


def _show_row(table: TableVersion, key: str, as_json: bool) -> None:
    row = table.row(key)
    number = table.row_number(key) + 1  # the Excel row of the export (header = row 1)
    if as_json:
        print_json({"company": table.company, "version": table.version, "excel_row": number, "key": key,
                    **row.as_event_data()})  # fmt: skip
        return
    console.print(f"Tabella azioni {table.company} versione {table.version}, riga {number} dell'export: {key}")
    for field, value in row.as_event_data().items():
        shown = "|".join(str(v) for v in value) if isinstance(value, list) and field != "parameters" else value
        if field == "parameters":
            shown = format_parameters(row.parameters)
        label = FIELD_BY_NAME[field].header
        console.print(f"  {label}: {shown if shown not in (None, '') else '—'}", highlight=False)


@app.command("export")
def export(
    company: Company,
    out: Annotated[Path, typer.Option("--out", help="File .xlsx da scrivere")],
    version: Version = None,
) -> None:
    """Esporta la tabella azioni in Excel (foglio «Tabella azioni» e «Legenda»)."""
    output_file(out, "--out")
    with container() as c:
        table = c.actions_tables.current(company) if version is None else c.actions_tables.version(company, version)
        with writing(out, "--out"):
            export_table(table, out)
        rows = plural(len(table.rows), "riga", "righe")
        console.print(f"Tabella azioni {table.company} versione {table.version}: {rows} in {out}")


@app.command("import")
def import_table(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="File .xlsx")],
    company: Company,
    note: ChangeNote = None,
) -> None:
    """Importa la tabella azioni da Excel: se valida e diversa, diventa la nuova versione."""
    with container() as c:
        c.actions_tables.table(company)  # unknown company first
        parsed = read_table(file)
        for column in parsed.ignored_columns:
            console.print(f"[yellow]Colonna ignorata:[/] {column}")
        try:
            revision = c.actions_tables.revise_parsed(
                company, parsed, by=cli_user(), note=note, source=f"excel:{file.name}"
            )
        except InvalidActionsTable as error:
            fail_listing("tabella azioni non valida", error.problems, 1)
        if revision.changed:
            console.print(
                f"Tabella azioni {revision.version.company}: salvata la versione {revision.version.version}"
                f" ({revision.diff.summary()})"
            )
        else:
            console.print(
                f"Tabella azioni {revision.version.company}: nessuna modifica"
                f" (resta la versione {revision.version.version})"
            )


@app.command("history")
def history(
    company: Company,
    as_json: AsJson = False,
) -> None:
    """Elenca le versioni della tabella azioni: quando, chi, perché, righe cambiate."""
    with container() as c:
        entries = c.actions_tables.history(company)
        if as_json:
            print_json([history_as_json(entry) for entry in entries])
            return
        grid = Table("Versione", "Data", "Autore", "Origine", "Nota", "Righe", "Modifiche")
        for entry in entries:
            v = entry.version
            grid.add_row(str(v.version), moment(v.at), v.by, v.source, v.note or "", str(len(v.rows)), _changes(entry))
        console.print(grid)


def _codes(codes: frozenset[Any]) -> str:
    return format_codes(codes) or "tutti"


def _band(row: ActionRow) -> str:
    if row.amount_max is None:
        return f"da {format_euro(row.amount_min)}"
    return f"{format_euro(row.amount_min)} – {format_euro(row.amount_max)}"


def _changes(entry: HistoryEntry) -> str:
    if entry.version.version == 1:
        return "versione iniziale"
    lines = [entry.diff.summary()]
    for label, keys in (("+", entry.diff.added), ("-", entry.diff.removed), ("~", entry.diff.changed)):
        lines.extend(f"{label} {key}" for key in keys)
    return "\n".join(lines)
