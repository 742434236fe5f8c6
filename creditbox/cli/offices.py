"""``creditbox technical …`` and ``creditbox agency …``: the day's batches for the technical office
and the collection agencies, and what the offices told us besides outcomes (planned dates,
promises to pay)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from creditbox.application.office_batches import ClosedBatch, Progress
from creditbox.application.office_notes import NOTE_KINDS, PLAN, PROMISE, OfficeNote
from creditbox.bootstrap import Container
from creditbox.cli.context import console, container, fail, parse_date, print_json
from creditbox.cli.formats import progress_bar
from creditbox.cli.options import AsJson, Company
from creditbox.domain.money import format_euro
from creditbox.domain.wording import plural
from creditbox.infrastructure.channels.office_batches import LocalBatchFolder

technical = typer.Typer(help="Ufficio tecnico: elenco delle richieste, piani di intervento.", no_args_is_help=True)
agency = typer.Typer(help="Agenzia di recupero: lotti di affidamento, promesse di pagamento.", no_args_is_help=True)

BatchDate = Annotated[str, typer.Option("--date", help="Data del lotto (AAAA-MM-GG o GG/MM/AAAA)")]
OutDir = Annotated[
    Path | None,
    typer.Option("--out", help="Cartella in cui scrivere i file del lotto (default: la cartella del lotto)"),
]


def _close(
    company: str,
    day: str,
    out: Path | None,
    as_json: bool,
    close: Callable[[Container], Callable[[str, date, Progress], list[ClosedBatch]]],
    what: str,
) -> None:
    with container() as c:
        code = c.companies.require(company)
        business_date = parse_date(day, c.clock.today(), option="--date")
        c.projections.after_command()  # inline mode: the actions just recorded are in the outbox
        with progress_bar(quiet=as_json, on_stderr=True) as progress:
            task = progress.add_task("Azioni", total=None)
            batches = close(c)(
                code, business_date, lambda done, total: progress.update(task, completed=done, total=total)
            )
        folder = LocalBatchFolder(c.settings.channel_dir)
        described = [_written(folder, batch, out) for batch in batches]
    if as_json:
        print_json(described)
        return
    if not batches:
        console.print(f"Nessun {what} per il {business_date:%d/%m/%Y}.")
        return
    table = Table("Lotto", "Ufficio", "Richieste", "Nuovo", title=f"Lotti del {business_date:%d/%m/%Y}")
    for batch in batches:
        table.add_row(batch.batch_id, batch.office, str(len(batch.action_keys)), "sì" if batch.new else "no")
    console.print(table)
    for data in described:
        for f in data["files"]:
            console.print(f"{f['path']}  sha256 {f['sha256']}", soft_wrap=True, highlight=False, markup=False)


def _written(folder: LocalBatchFolder, batch: ClosedBatch, out: Path | None) -> dict[str, Any]:
    """Write the batch's files into ``out`` when given; describe the batch with where its files are."""
    target = out if out is not None else folder.batch_folder(batch)
    files = []
    for batch_file in batch.files:
        path = target / batch_file.name
        if out is not None:
            try:
                out.mkdir(parents=True, exist_ok=True)
                path.write_bytes(batch_file.content)
            except OSError as error:
                fail(f"--out: impossibile scrivere {path}: {error}", code=2)
        files.append({"name": batch_file.name, "path": str(path), "sha256": batch_file.sha256})
    return {
        "batch_id": batch.batch_id,
        "company": batch.company,
        "channel": batch.channel,
        "business_date": batch.business_date.isoformat(),
        "office": batch.office,
        "new": batch.new,
        "action_keys": list(batch.action_keys),
        "files": files,
    }


@technical.command("batch")
def technical_batch(company: Company, day: BatchDate, out: OutDir = None, as_json: AsJson = False) -> None:
    """Chiude l'elenco del giorno per l'Ufficio tecnico ("Invio elenco a Uff. Tec.", Excel): limitazioni,
    sospensioni, distacchi e riattivazioni. Richiuderlo ridà lo stesso file."""
    _close(company, day, out, as_json, lambda c: c.technical_batches().close, "elenco per l'Ufficio tecnico")


@agency.command("batch")
def agency_batch(company: Company, day: BatchDate, out: OutDir = None, as_json: AsJson = False) -> None:
    """Chiude il lotto di affidamento del giorno per ogni agenzia di recupero (Excel e CSV). Richiuderlo
    ridà gli stessi file."""
    _close(company, day, out, as_json, lambda c: c.agency_batches().close, "lotto di affidamento")


def _notes(company: str, kind: str, as_json: bool, title: str, headers: Sequence[str]) -> None:
    with container(follow=False) as c:
        code = c.companies.require(company)
        notes = c.office_notes().list(code, kind)
    if as_json:
        print_json([n.as_json() for n in notes])
        return
    if not notes:
        console.print(f"{title}: nessuna.")
        return
    table = Table(*headers, title=f"{title} ({plural(len(notes), 'riga', 'righe')})")
    for note in notes:
        table.add_row(*_note_cells(note))
    console.print(table)


def _note_cells(note: OfficeNote) -> list[str]:
    amount = format_euro(note.amount) if note.amount is not None else ""
    cells = [note.customer_code, note.case_id, note.action_key, f"{note.on_date:%d/%m/%Y}"]
    if note.kind == PROMISE:
        cells.append(amount)
    return [*cells, note.note, note.source]


def print_office_notes(notes: Sequence[OfficeNote]) -> None:
    """A position's planned interventions and promises to pay, below its cases (``positions show``)."""
    if not notes:
        return
    table = Table("Pratica", "Tipo", "Data", "Importo", "Nota", title="Dagli uffici esterni")
    for note in notes:
        amount = format_euro(note.amount) if note.amount is not None else ""
        kind = NOTE_KINDS.get(note.kind, note.kind)
        table.add_row(note.case_id, kind, f"{note.on_date:%d/%m/%Y}", amount, note.note)
    console.print(table)


@technical.command("plans")
def technical_plans(company: Company, as_json: AsJson = False) -> None:
    """Le date di intervento pianificate dall'Ufficio tecnico, per richiesta (dal file del piano)."""
    headers = ("Cliente", "Pratica", "Riferimento", "Data pianificata", "Nota", "File")
    _notes(company, PLAN, as_json, "Interventi pianificati", headers)


@agency.command("promises")
def agency_promises(company: Company, as_json: AsJson = False) -> None:
    """Le promesse di pagamento raccolte dall'agenzia, per affidamento (dal file degli esiti)."""
    headers = ("Cliente", "Pratica", "Riferimento", "Data promessa", "Importo", "Nota", "File")
    _notes(company, PROMISE, as_json, "Promesse di pagamento", headers)
