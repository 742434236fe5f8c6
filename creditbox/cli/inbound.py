"""``creditbox inbound``: the files that come back from the channels (PEC receipts, postal outcomes, the
technical office's and the agency's files), imported through the same code as the API and the inbox;
and the worklist of the answers that matched nothing. ``creditbox receipts import`` is the same import
for PEC receipts (kind ``ricevute``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.markup import escape
from rich.table import Table

from creditbox.application.inbound import InboundFiles, InboundResult
from creditbox.application.ports import AdapterSpec
from creditbox.bootstrap import Container
from creditbox.cli.choices import choice
from creditbox.cli.context import cli_user, console, container, error_console, fail, print_json
from creditbox.cli.formats import progress_bar
from creditbox.cli.options import AsJson, Company
from creditbox.cli.paths import output_file, writing
from creditbox.domain.wording import plural
from creditbox.infrastructure.excel.unmatched_export import write_unmatched
from creditbox.infrastructure.pec.mailbox import ImapUnavailable
from creditbox.infrastructure.secrets import read_secret

RECEIPTS = "ricevute"
RECEIPTS_CHANNEL = "pec"
REFUSED_EXIT = 2  # a file could not be read at all (the others are imported all the same)
MAX_SHOWN = 20

app = typer.Typer(help="File in arrivo dai canali: ricevute PEC, esiti postali, uffici, agenzie.", no_args_is_help=True)
receipts_app = typer.Typer(help="Ricevute PEC (accettazione, consegna, mancata consegna, ...).", no_args_is_help=True)

Files = Annotated[list[Path], typer.Argument(help="File da importare (uno o più)")]


def _kind(inbound: InboundFiles, text: str) -> str:
    options = {i.kind: (i.kind, i.label) for i in inbound.kinds()}
    return choice(text, options, "tipo di file in arrivo")


@app.command("import")
def inbound_import(
    kind: Annotated[str, typer.Argument(help="Tipo di file: ricevute, esiti-postali, ufficio-tecnico, agenzia, ...")],
    files: Files,
    company: Company,
    as_json: AsJson = False,
) -> None:
    """Importa file in arrivo di un tipo: ogni risposta diventa l'esito della sua azione; quelle non
    abbinate restano nella lista «Risposte non abbinate». Importare di nuovo lo stesso file non cambia nulla."""
    _import_files(kind, files, company, as_json)


@receipts_app.command("import")
def receipts_import(files: Files, company: Company, as_json: AsJson = False) -> None:
    """Importa ricevute PEC (.eml): accettazione, avvenuta consegna, mancata consegna, ... diventano
    l'esito di consegna della PEC a cui rispondono; ogni ricevuta è conservata come prova."""
    _import_files(RECEIPTS, files, company, as_json)


def _import_files(kind_text: str, files: list[Path], company: str, as_json: bool) -> None:
    contents: list[tuple[str, bytes]] = []
    for file in files:  # every file is read before anything is recorded
        try:
            contents.append((file.name, file.read_bytes()))
        except OSError as error:
            fail(f"impossibile leggere {str(file)!r}: {error.strerror or error}", REFUSED_EXIT)
    with container() as c:
        code = c.companies.require(company)
        inbound = c.inbound_files()
        kind = _kind(inbound, kind_text)
        results: list[InboundResult] = []
        with progress_bar(quiet=as_json, on_stderr=True) as progress:
            task = progress.add_task("File importati", total=len(contents))
            for name, content in contents:
                results.append(inbound.import_file(kind, code, name, content, by=cli_user()))
                progress.advance(task)
    if as_json:
        print_json([r.as_json() for r in results])
    else:
        _print_results(results)
    refused = [r for r in results if r.rejected and not (r.accepted or r.duplicates or r.unmatched)]
    if refused:
        raise typer.Exit(REFUSED_EXIT)


def _print_results(results: list[InboundResult]) -> None:
    table = Table("File", "Registrate", "Già presenti", "Non abbinate", "Scartate", title="File in arrivo")
    for r in results:
        table.add_row(
            escape(r.filename), str(r.accepted), str(r.duplicates), str(len(r.unmatched)), str(len(r.rejected))
        )
    console.print(table)
    unmatched = [(r.filename, u) for r in results for u in r.unmatched]
    if unmatched:
        console.print(f"{plural(len(unmatched), 'risposta non abbinata', 'risposte non abbinate')}:")
        for name, item in unmatched[:MAX_SHOWN]:
            console.print(f"  - {name}: {item.get('reference', '')}: {item.get('reason', '')}", markup=False)
    rejected = [rejection for r in results for rejection in r.rejected]
    for rejection in rejected[:MAX_SHOWN]:
        error_console.print(
            f"Scartato: {rejection.sheet}, riga {rejection.row}"
            + (f", {rejection.column}" if rejection.column else "")
            + f": {rejection.reason}",
            markup=False,
        )


@app.command("unmatched")
def inbound_unmatched(
    company: Company,
    kind: Annotated[str | None, typer.Option("--kind", help="Solo i file di questo tipo (es. ricevute)")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="File Excel da scrivere (.xlsx)")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Righe a video (l'Excel le contiene tutte)")] = 50,
    as_json: AsJson = False,
) -> None:
    """Risposte non abbinate: ricevute e esiti che non corrispondono a nessuna azione dell'azienda."""
    if out is not None:
        output_file(out, "--out")
    with container(follow=False) as c:
        code = c.companies.require(company)
        inbound = c.inbound_files()
        wanted = _kind(inbound, kind) if kind is not None else None
        answers = inbound.unmatched(code, kind=wanted)
        labels = {i.kind: i.label for i in inbound.kinds()}
        zone = ZoneInfo(c.settings.timezone)
    if out is not None:
        with writing(out, "--out"):
            write_unmatched(answers, labels, zone, out)
        console.print(f"{plural(len(answers), 'riga scritta', 'righe scritte')} in {out}")
        return
    if as_json:
        print_json([a.as_json() for a in answers])
        return
    table = Table("Ricevuto il", "Tipo", "Riferimento", "Motivo", "File", title=f"Risposte non abbinate — {code}")
    for a in answers[:limit]:
        table.add_row(
            f"{a.received_at.astimezone(zone):%d/%m/%Y %H:%M}",
            escape(labels.get(a.kind, a.kind)),
            escape(a.reference),
            escape(a.reason),
            escape(a.filename),
        )
    console.print(table)
    if len(answers) > limit:
        console.print(f"… e altre {len(answers) - limit} (usare --out per l'elenco completo)")


PASSWORD_VARIABLE = "CREDITBOX_PEC_PASSWORD"


@receipts_app.command("poll")
def receipts_poll(
    company: Company,
    host: Annotated[
        str | None,
        typer.Option(
            "--host",
            help="Server IMAP della casella PEC (connessione TLS); senza: la casella della configurazione "
            "del canale pec dell'azienda (opzioni imap_*, segreto della password)",
        ),
    ] = None,
    user: Annotated[str | None, typer.Option("--user", help="Utente della casella PEC")] = None,
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Porta IMAPS")] = 993,
    folder: Annotated[str, typer.Option("--folder", help="Cartella da leggere")] = "INBOX",
    done_folder: Annotated[
        str | None, typer.Option("--done-folder", help="Cartella in cui spostare le ricevute importate")
    ] = None,
    ca_file: Annotated[
        Path | None,
        typer.Option("--ca-file", help="Certificati affidabili (default: quelli di sistema)"),
    ] = None,
    password_file: Annotated[
        Path | None,
        typer.Option("--password-file", help=f"File con la password (default: variabile {PASSWORD_VARIABLE})"),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Legge le nuove ricevute dalla casella PEC (IMAP su TLS) e le importa; ognuna è poi marcata (o
    spostata) nella casella, così la lettura successiva non la riprende."""
    with container() as c:
        code = c.companies.require(company)
        if host is None:
            spec = _configured_mailbox(c, code)
        else:
            if not user:
                fail("--user: l'utente della casella PEC è obbligatorio con --host", REFUSED_EXIT)
            password = _password(password_file)
            options = {
                "imap_host": host,
                "imap_port": port,
                "imap_username": user,
                "imap_folder": folder,
                "imap_done_folder": done_folder,
                "ca_file": str(ca_file) if ca_file is not None else None,
            }
            spec = AdapterSpec(code, RECEIPTS_CHANNEL, "pec", options, secret=lambda name: password)
        try:
            result = c.poll_receipts(spec)
        except ImapUnavailable as error:
            fail(str(error))
    if as_json:
        print_json(result.as_json())
        return
    console.print(
        f"Messaggi letti: {result.messages}; ricevute registrate: {result.accepted}, già presenti: "
        f"{result.duplicates}, non abbinate: {result.unmatched}; messaggi non ricevute: {result.rejected}"
    )
    for left in result.errors:
        error_console.print(f"Lasciato per la prossima lettura: {left}", markup=False)


def _configured_mailbox(c: Container, company: str) -> AdapterSpec:
    """The PEC mailbox the company's channel configuration names (the ``pec`` channel's ``imap_*``
    options and secrets), so that a scheduled poll needs no option but the company."""
    spec = c.channel_config().effective(company).adapter_spec(RECEIPTS_CHANNEL, read_secret)
    if spec.adapter != "pec" or not spec.options.get("imap_host"):
        fail(
            f"il canale pec di {company} non ha una casella IMAP configurata (adattatore pec con opzione "
            "imap_host): indicarla con --host e --user, o nella configurazione dei canali",
            REFUSED_EXIT,
        )
    return spec


def _password(path: Path | None) -> str:
    """The mailbox password from a file or the environment: never an option (it would show in the
    process list and the shell's history)."""
    if path is not None:
        try:
            return path.read_text("utf-8").strip()
        except OSError as error:
            fail(f"--password-file: impossibile leggere {str(path)!r}: {error.strerror or error}", REFUSED_EXIT)
    value = os.environ.get(PASSWORD_VARIABLE)
    if not value:
        fail(f"password della casella PEC mancante: --password-file o variabile {PASSWORD_VARIABLE}", REFUSED_EXIT)
    return value
