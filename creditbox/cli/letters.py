"""``creditbox letters``: the daily postal batches of the letters, and the provider's A/R outcomes.

- ``letters batch --company C --date D [--out DIR] [--zip] [--json]`` closes the day's batch and
  writes its PDFs and CSV manifest (and the ZIP); closing the same day again writes the same bytes;
- ``letters batches --company C [--json]`` lists the days' batches, open and closed;
- ``letters outcomes import FILE --company C [--json]`` imports the provider's outcomes file (CSV or
  Excel) through the same entry point as every inbound file (kind ``esiti-postali``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import Progress, TaskID
from rich.table import Table

from creditbox.cli.context import cli_user, console, container, fail, parse_date, print_json
from creditbox.cli.formats import progress_bar
from creditbox.cli.options import AsJson, Company
from creditbox.infrastructure.letters.batches import BatchDamaged
from creditbox.infrastructure.letters.outcomes import KIND

UNREADABLE_EXIT = 2
MAX_REJECTIONS_SHOWN = 50

app = typer.Typer(help="Lettere: lotti postali giornalieri ed esiti delle raccomandate A/R.", no_args_is_help=True)
outcomes_app = typer.Typer(help="Esiti postali delle raccomandate A/R.", no_args_is_help=True)
app.add_typer(outcomes_app, name="outcomes")


class _LettersProgress:
    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._task: object = None
        self._reading: TaskID | None = None

    def reading(self, done: int, total: int) -> None:
        """A file being read (bytes or rows, as the reader counts them): a bar of its own."""
        if self._reading is None:
            self._reading = self._progress.add_task("Lettura del file", total=total or None)
        self._progress.update(self._reading, completed=done)

    def start(self, total: int) -> None:
        self._task = self._progress.add_task("Lettere del lotto", total=total)

    def advance(self, rows: int) -> None:
        if self._task is not None:
            self._progress.advance(self._task, rows)  # type: ignore[arg-type]


@app.command("batch")
def close_batch(
    company: Company,
    day: Annotated[str, typer.Option("--date", help="Giorno del lotto (AAAA-MM-GG o GG/MM/AAAA)")],
    out: Annotated[
        Path | None, typer.Option("--out", help="Cartella dove scrivere il lotto (default: lotto/ nel giorno)")
    ] = None,
    with_zip: Annotated[bool, typer.Option("--zip", help="Anche un file ZIP con PDF e distinta")] = False,
    as_json: AsJson = False,
) -> None:
    """Chiude il lotto postale del giorno e scrive i PDF e la distinta CSV per il postalizzatore."""
    when = parse_date(day, date.min, option="--date")
    if out is not None and out.exists() and not out.is_dir():
        fail(f"--out: {str(out)!r} non è una cartella", UNREADABLE_EXIT)
    with container(follow=False) as c:
        code = c.companies.require(company)
        try:
            with progress_bar(quiet=as_json, on_stderr=True) as progress:
                follow = _LettersProgress(progress)
                batch = c.postal_batches().close(code, when, out, with_zip=with_zip, progress=follow)
        except BatchDamaged as error:
            fail(str(error))
        except OSError as error:
            fail(f"impossibile scrivere il lotto: {error.strerror or error}")
    if as_json:
        print_json(batch.as_json())
        return
    summary = batch.as_json()
    console.print(
        f"Lotto [bold]{escape(batch.batch_id)}[/] del {when:%d/%m/%Y}: {summary['letters']} lettere "
        f"({summary['registered']} raccomandate A/R), {summary['pages']} pagine."
    )
    console.print(f"Distinta: {escape(str(batch.manifest))}")
    if batch.zip is not None:
        console.print(f"ZIP: {escape(str(batch.zip))}")


@app.command("batches")
def list_batches(company: Company, as_json: AsJson = False) -> None:
    """Elenca i lotti postali dell'azienda, aperti e chiusi, dal più recente."""
    with container(follow=False) as c:
        code = c.companies.require(company)
        batches = c.postal_batches().batches(code)
    if as_json:
        print_json([b.as_json() for b in batches])
        return
    table = Table("Giorno", "Stato", "Lotto", "Lettere", "Raccomandate A/R", title=f"Lotti postali {code}")
    for b in batches:
        table.add_row(
            f"{b.day:%d/%m/%Y}",
            "chiuso" if b.closed else "aperto",
            b.batch_id or "—",
            str(b.letters),
            str(b.registered),
        )
    console.print(table)


@outcomes_app.command("import")
def import_outcomes(
    file: Annotated[Path, typer.Argument(help="File degli esiti del postalizzatore (.csv o .xlsx)")],
    company: Company,
    as_json: AsJson = False,
) -> None:
    """Importa gli esiti delle raccomandate A/R (consegnata, in giacenza, compiuta giacenza, restituita)."""
    try:
        content = file.read_bytes()
    except OSError as error:
        fail(f"impossibile leggere {str(file)!r}: {error.strerror or error}", UNREADABLE_EXIT)
    with container() as c:
        code = c.companies.require(company)
        result = c.inbound_files().import_file(KIND, code, file.name, content, by=cli_user())
    if as_json:
        print_json(result.as_json())
    else:
        console.print(
            f"{escape(file.name)}: {result.accepted} esiti registrati, {result.duplicates} già presenti, "
            f"{len(result.unmatched)} senza corrispondenza, {len(result.rejected)} righe scartate."
        )
        for item in result.unmatched:
            console.print(f"  senza corrispondenza: {escape(str(item['reference']))} ({escape(str(item['reason']))})")
        for rejection in result.rejected[:MAX_REJECTIONS_SHOWN]:
            where = f"{rejection.sheet} riga {rejection.row}" + (f", {rejection.column}" if rejection.column else "")
            console.print(f"  scartata: {escape(where)}: {escape(rejection.reason)}")
        if len(result.rejected) > MAX_REJECTIONS_SHOWN:
            console.print(f"  ... e altre {len(result.rejected) - MAX_REJECTIONS_SHOWN} righe scartate")
    if result.details.get("refused"):  # nothing of the file could be read
        raise typer.Exit(UNREADABLE_EXIT)
