"""``creditbox profiles``: the company's import profiles (*convertitore*) — set, list, show, history,
check (``profile_check.py``: how a file would be read, importing nothing).

A profile is a JSON file describing another workbook layout in terms of ours (docs/excel-import.md);
``creditbox import FILE --company CODE --profile NAME`` then reads files in that layout.
Exit 1 for an unknown company or profile and for an invalid profile (every problem listed,
nothing saved); 2 for a file that cannot be read or is not JSON.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from creditbox.cli.context import cli_user, console, container, fail, fail_listing, print_json
from creditbox.cli.formats import moment
from creditbox.cli.options import AsJson, ChangeNote, Company, Version
from creditbox.cli.profile_check import check
from creditbox.domain.import_profile import ProfileVersion
from creditbox.domain.import_profile_rules import ColumnMapping, InvalidImportProfile

UNREADABLE_EXIT = 2

ProfileName = Annotated[str, typer.Argument(help="Nome del profilo")]

app = typer.Typer(
    help="Profili di importazione (convertitore): altri formati Excel descritti rispetto a quello standard.",
    no_args_is_help=True,
)
app.command("check")(check)


def version_as_json(version: ProfileVersion) -> dict[str, Any]:
    return {
        "company": version.company,
        "name": version.name,
        "version": version.version,
        "by": version.by,
        "at": version.at.isoformat(),
        "note": version.note,
        "source": version.source,
        "profile": version.content,
    }


def _sheets(version: ProfileVersion) -> str:
    return ", ".join(f"{s.sheet} ← {s.source!r}" for s in version.document.sheets)


@app.command("set")
def set_profile(
    file: Annotated[Path, typer.Argument(help="Profilo in JSON (vedi docs/excel-import.md)")],
    company: Company,
    name: Annotated[str, typer.Option("--name", help="Nome del profilo (es. sap-nord)")],
    note: ChangeNote = None,
) -> None:
    """Crea un profilo o ne salva una nuova versione (se valido e diverso dalla corrente)."""
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        fail(f"impossibile leggere {str(file)!r}: {getattr(error, 'strerror', None) or error}", UNREADABLE_EXIT)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        fail(
            f"{file.name}: non è un JSON valido (riga {error.lineno}, colonna {error.colno}: {error.msg})",
            UNREADABLE_EXIT,
        )
    with container() as c:
        try:
            revision = c.import_profiles().set(
                company, name, data, by=cli_user(), note=note, source=f"json:{file.name}"
            )
        except InvalidImportProfile as error:
            fail_listing("profilo di importazione non valido", error.problems, 1)
        v = revision.version
        if revision.changed:
            console.print(f"Profilo {v.name!r} di {v.company}: salvata la versione {v.version} ({_sheets(v)})")
        else:
            console.print(f"Profilo {v.name!r} di {v.company}: nessuna modifica (resta la versione {v.version})")


@app.command("list")
def list_profiles(company: Company, as_json: AsJson = False) -> None:
    """Elenca i profili dell'azienda (oltre a 'default', il formato standard)."""
    with container() as c:
        profiles = c.import_profiles().list(company)
        if as_json:
            print_json([version_as_json(p.current) for p in profiles])
            return
        if not profiles:
            console.print("Nessun profilo: si importa con il formato standard ('default').")
            return
        grid = Table("Nome", "Versione", "Data", "Autore", "Fogli", "Descrizione")
        for profile in profiles:
            v = profile.current
            grid.add_row(v.name, str(v.version), moment(v.at), v.by, _sheets(v), v.document.description or "")
        console.print(grid)


@app.command("show")
def show(
    name: ProfileName,
    company: Company,
    version: Version = None,
    as_json: Annotated[bool, typer.Option("--json", help="Output JSON (il profilo com'è salvato)")] = False,
) -> None:
    """Mostra un profilo (versione corrente o indicata): fogli, intestazioni, valori predefiniti e mappe."""
    with container() as c:
        profiles = c.import_profiles()
        v = profiles.current(company, name) if version is None else profiles.version(company, name, version)
        if as_json:
            print_json(version_as_json(v))
            return
        console.print(
            f"Profilo [bold]{v.name}[/] di [bold]{v.company}[/] versione [bold]{v.version}[/]"
            f" — {moment(v.at)}, {v.by}" + (f": {v.note}" if v.note else ""),
            highlight=False,
        )
        if v.document.description:
            console.print(v.document.description, highlight=False)
        if v.document.date_format:
            console.print(f"Formato delle date: {v.document.date_format}", highlight=False)
        for sheet in v.document.sheets:
            console.print(
                f"\n[bold]{sheet.sheet}[/] ← foglio {sheet.source!r}, intestazione alla riga {sheet.header_row}",
                highlight=False,
            )
            grid = Table("Colonna CreditBox", "Vostra intestazione", "Predefinito", "Valori", "Formato")
            for column in sheet.columns:
                grid.add_row(*_column_cells(column))
            console.print(grid)


def _column_cells(column: ColumnMapping) -> tuple[str, str, str, str, str]:
    values = ", ".join(f"{theirs} → {ours}" for theirs, ours in column.values)
    default = "" if column.default is None else str(column.default)
    return column.column, column.header or "—", default, values, column.date_format or ""


@app.command("history")
def history(name: ProfileName, company: Company, as_json: AsJson = False) -> None:
    """Elenca le versioni di un profilo: quando, chi, da dove, perché."""
    with container() as c:
        versions = c.import_profiles().history(company, name)
        if as_json:
            print_json([version_as_json(v) for v in versions])
            return
        grid = Table("Versione", "Data", "Autore", "Origine", "Nota", "Fogli")
        for v in versions:
            grid.add_row(str(v.version), moment(v.at), v.by, v.source, v.note or "", _sheets(v))
        console.print(grid)
