"""``creditbox inbox run``: import the files dropped in the companies' inbox folders.

One pass by default; ``--every SECONDS`` runs pass after pass (the production timer until the
workers exist) until Ctrl-C or SIGTERM: the first signal lets the file being imported finish and
stops, a second one stops at once (safe too: the next pass imports the file again, idempotently).

Exit code of a single pass: 0 when every file was filed away (in ``done/`` or ``failed/``) or is
still being written; 1 when a file was left in error, a folder names no registered company (or a
company's subfolder none of its import profiles), or the inbox root is missing.
"""

from __future__ import annotations

import json
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

import typer
from rich.console import Console
from rich.markup import escape

from creditbox.application.inbox import Inbox
from creditbox.application.inbox_results import FileOutcome, FileStatus, InboxPass
from creditbox.application.ports import InboxUnavailable
from creditbox.bootstrap import Container
from creditbox.cli.context import catch_up_views, console, container, error_console, fail, print_json
from creditbox.domain.wording import plural
from creditbox.infrastructure.inbox_folder import DEFAULT_MIN_AGE

app = typer.Typer(
    help="Inbox: file del gestionale depositati nella cartella di ogni azienda, importati a tempo.",
    no_args_is_help=True,
)


@app.command("run")
def run(
    company: str | None = typer.Option(None, "--company", help="Solo la cartella di questa azienda"),
    root: Path | None = typer.Option(
        None, "--root", help="Cartella della inbox (predefinita: CREDITBOX_INBOX_DIR, altrimenti 'inbox')"
    ),
    every: float | None = typer.Option(
        None, "--every", min=0.0, help="Un passaggio ogni SECONDS secondi, finché non viene interrotto (Ctrl-C)"
    ),
    passes: int | None = typer.Option(None, "--passes", min=1, help="Con --every: fermarsi dopo N passaggi"),
    min_age: float = typer.Option(
        DEFAULT_MIN_AGE,
        "--min-age",
        min=0.0,
        help="Secondi senza modifiche prima di importare un file (in copia)",
    ),
    as_json: bool = typer.Option(
        False, "--json", help="Riepilogo del passaggio in JSON (una riga per passaggio con --every)"
    ),
) -> None:
    """Importa i file .xlsx delle cartelle delle aziende e li sposta in done/ o failed/ con il loro esito.

    I file di una sottocartella dell'azienda (ACQ/nord/) sono letti con il profilo di importazione che nomina."""
    lines = error_console if as_json else console
    if every is None:
        with container() as c:
            code = c.companies.require(company) if company is not None else None
            try:
                outcome = c.inbox(_root(root), min_age=min_age).run_pass(code, on_file=_printer(lines))
            except InboxUnavailable as error:
                fail(str(error))
        _report(outcome, as_json, lines)
        if outcome.needs_attention:
            raise typer.Exit(1)
        return
    with container(follow=False) as c:
        code = c.companies.require(company) if company is not None else None
        inbox = c.inbox(_root(root), min_age=min_age)
        try:
            _loop(c, inbox, code, every, passes, as_json, lines)
        except InboxUnavailable as error:
            fail(str(error))


def _root(root: Path | None) -> str | None:
    return str(root) if root is not None else None


def _loop(
    c: Container, inbox: Inbox, company: str | None, every: float, passes: int | None, as_json: bool, lines: Console
) -> None:
    stop = StopSignal()
    done = 0
    warned: set[str] = set()
    with stop.installed():
        lines.print(f"Inbox avviata: un passaggio ogni {plural(every, 'secondo', 'secondi')} (Ctrl-C per fermarla)")
        try:
            while not stop.is_requested():
                try:
                    outcome = inbox.run_pass(company, on_file=_printer(lines), should_stop=stop.is_requested)
                except InboxUnavailable as error:
                    if done == 0:
                        raise  # a wrong root: say so at once rather than retry forever
                    error_console.print(f"[bold red]Errore:[/] {escape(str(error))}")
                except Exception as error:  # the timer outlives a database restart: the next pass tries again
                    error_console.print(f"[bold red]Errore:[/] passaggio non riuscito: {escape(str(error))}")
                else:
                    if as_json:
                        typer.echo(json.dumps(outcome.as_json(), ensure_ascii=False, default=str))
                    else:
                        _report_quietly(outcome, lines, warned)
                    _catch_up(c)
                done += 1
                if passes is not None and done >= passes:
                    break
                stop.wait(every)
        except KeyboardInterrupt:
            lines.print("Interrotta durante un file: il prossimo passaggio lo importa di nuovo (senza doppioni).")
    lines.print("Inbox fermata.")


def _catch_up(c: Container) -> None:
    catch_up_views(c)


def _printer(lines: Console) -> Callable[[FileOutcome], None]:
    def print_file(outcome: FileOutcome) -> None:
        lines.print(describe(outcome), soft_wrap=True)

    return print_file


def describe(f: FileOutcome) -> str:
    """One line per file, as the operator reads it; a file of a profile folder names the profile
    and version it is read with (``ACQ/nord/gennaio.xlsx (profilo nord, versione 2)``)."""
    where = escape(f"{f.folder}/{f.file_name}")
    if f.profile_version is not None:
        where += escape(f" (profilo {f.profile}, versione {f.profile_version})")
    if f.status is FileStatus.DONE and f.result is not None:
        r, t = f.result, f.result.totals
        state = "già importato, nessuna modifica" if r.already_imported and not r.events else "importato"
        counts = f"accettate {t.accepted}, invariate {t.unchanged}, scartate {t.rejected}; eventi {r.events}"
        return f"[green]{state}[/] {where} → {escape(f.moved_to or '')}: {counts}"
    if f.status is FileStatus.FAILED:
        return f"[red]non importato[/] {where} → {escape(f.moved_to or '')}: {escape(f.reason or '')}"
    if f.status is FileStatus.WAITING:
        return f"[yellow]in attesa[/] {where}: {escape(f.reason or '')}"
    return f"[bold red]errore[/] {where}, lasciato nella cartella: {escape(f.reason or '')}"


def _summary(outcome: InboxPass) -> str:
    if outcome.busy:
        return "Un altro processo sta elaborando la inbox: passaggio saltato."
    counts = ", ".join(
        f"{label} {outcome.count(status)}"
        for status, label in (
            (FileStatus.DONE, "importati"),
            (FileStatus.FAILED, "non importati"),
            (FileStatus.WAITING, "in attesa"),
            (FileStatus.ERROR, "errori"),
        )
    )
    stopped = " (interrotto)" if outcome.stopped else ""
    return f"Passaggio delle {outcome.started_at:%H:%M:%S} su {escape(outcome.root)}: {counts}{stopped}"


def _warnings(outcome: InboxPass) -> list[str]:
    notes = [f"[yellow]Cartella {escape(u.folder)}:[/] {escape(u.reason)}" for u in outcome.unknown_folders]
    notes += [
        f"[yellow]Nessuna cartella per l'azienda {m}[/] in {escape(outcome.root)}" for m in outcome.missing_folders
    ]
    return notes


def _report(outcome: InboxPass, as_json: bool, lines: Console) -> None:
    for note in _warnings(outcome):
        lines.print(note, soft_wrap=True)
    if as_json:
        print_json(outcome.as_json())
    else:
        lines.print(_summary(outcome), soft_wrap=True)


def _report_quietly(outcome: InboxPass, lines: Console, warned: set[str]) -> None:
    """In the loop: a summary only for passes that saw files; the folder warnings again only when
    they change (not every few seconds)."""
    notes = _warnings(outcome)
    if set(notes) != warned:
        for note in notes:
            lines.print(note, soft_wrap=True)
        warned.clear()
        warned.update(notes)
    if outcome.files or outcome.busy:
        lines.print(_summary(outcome), soft_wrap=True)


class StopSignal:
    """Ctrl-C / SIGTERM: the first asks to stop after the current file, the second stops at once."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def is_requested(self) -> bool:
        return self._event.is_set()

    def wait(self, seconds: float) -> None:
        self._event.wait(seconds)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self._event.is_set():
            raise KeyboardInterrupt
        self._event.set()
        error_console.print("Arresto richiesto: termino il file in corso (di nuovo Ctrl-C per uscire subito)")

    @contextmanager
    def installed(self) -> Iterator[None]:
        """Handle SIGINT and SIGTERM meanwhile (signals reach the main thread only: elsewhere
        Ctrl-C keeps its default), then put the previous handlers back."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {signum: signal.signal(signum, self._handle) for signum in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
