"""``creditbox audit seal|verify``: seal the event store's hash chains, verify them (``docs/audit.md``).

``register(group)`` adds both commands to a group of commands (the ``audit`` group, which other
commands share); ``app`` is a group holding them alone.
"""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table

from creditbox.application.integrity import Sealed, Verification
from creditbox.cli.context import cli_user, console, container, fail, print_json
from creditbox.cli.formats import progress_bar
from creditbox.domain.wording import plural

FINDINGS_EXIT = 3  # the store holds findings (not a usage error, not a failure to run)
JSON = typer.Option(False, "--json", help="Risultato in JSON")


def seal(as_json: bool = JSON) -> None:
    """Sigilla le teste di tutte le catene in una radice di Merkle, registrata come evento; stampa la
    radice da pubblicare o marcare temporalmente fuori da CreditBox."""
    with container(follow=False) as c:
        sealed = c.integrity().seal(by=cli_user())
        c.projections.after_command()
    if as_json:
        print_json(sealed.as_json())
        return
    _print_seal(sealed)


def _print_seal(sealed: Sealed) -> None:
    console.print(f"Sigillo registrato il {sealed.sealed_at:%d/%m/%Y %H:%M:%S %Z} da {escape(sealed.sealed_by)}")
    console.print(f"  catene: {sealed.chains}, eventi: {sealed.links}")
    console.print(f"  radice: [bold]{sealed.root}[/]")


def verify(
    company: str | None = typer.Option(None, "--company", help="Solo le catene di questa azienda"),
    full: bool = typer.Option(
        False, "--full", help="Ricostruisce anche ogni modello di lettura in uno schema di prova e lo confronta"
    ),
    as_json: bool = JSON,
) -> None:
    """Ricalcola la catena di ogni evento e controlla l'ultimo sigillo; indica posizione, evento e campo di
    ogni modifica, cancellazione, inserimento o riordino fatto a mano nel database. Esce con codice 3 se
    trova rilievi."""
    with container(follow=False) as c:
        integrity = c.integrity()
        if company is not None and c.companies.get(company) is None:
            fail(f"azienda sconosciuta: {company}", 2)
        with progress_bar(quiet=as_json, on_stderr=True) as progress:
            task = progress.add_task("Verifica della catena", total=c.app.last_notification_id() or None)
            result = integrity.verify(company=company, progress=lambda n: progress.advance(task, n))
        differences: list[str] = []
        if full:
            with progress_bar(quiet=as_json, on_stderr=True) as progress:
                progress.add_task("Ricostruzione dei modelli di lettura", total=None)
                differences = c.projections.compare_with_rebuild()
    if as_json:
        data = result.as_json()
        if full:
            data["modelli_di_lettura"] = {"uguali": not differences, "differenze": differences}
            data["integro"] = result.clean and not differences
        print_json(data)
    else:
        _print_verification(result, differences if full else None)
    if result.findings or differences:
        raise typer.Exit(FINDINGS_EXIT)


def _print_verification(result: Verification, differences: list[str] | None) -> None:
    console.print(
        f"Verificate {plural(result.chains, 'catena', 'catene')}, {plural(result.events, 'evento', 'eventi')}"
        + (f" ({result.backfilled} sigillati a posteriori dalla migrazione)" if result.backfilled else "")
    )
    if result.seal is None:
        console.print("Nessun sigillo registrato: creditbox audit seal")
    else:
        console.print(f"Ultimo sigillo: {result.seal.sealed_at:%d/%m/%Y %H:%M} radice {result.seal.root}")
    if result.findings:
        table = Table("Tipo", "Azienda", "Cliente", "Versione", "Evento", "Campi", "Rilievo", title="Rilievi")
        for f in result.findings:
            table.add_row(
                f.kind,
                f.company or "—",
                f.customer_code or "—",
                str(f.version) if f.version is not None else "—",
                (f.topic or "—").rsplit(".", 1)[-1],
                ", ".join(f.fields) or "—",
                escape(f.message),
            )
        console.print(table)
    if differences is not None:
        if differences:
            console.print("[red]Modelli di lettura diversi dalla ricostruzione:[/]")
            for line in differences:
                console.print(f"  - {escape(line)}")
        else:
            console.print("Modelli di lettura: uguali alla ricostruzione dagli eventi.")
    if result.findings or differences:
        console.print(f"[bold red]{plural(len(result.findings) + len(differences or []), 'rilievo', 'rilievi')}[/]")
    else:
        console.print("[green]Nessun rilievo: l'archivio degli eventi è integro.[/]")


def register(group: typer.Typer) -> None:
    """Add ``seal`` and ``verify`` to ``group``."""
    group.command("seal")(seal)
    group.command("verify")(verify)


app = typer.Typer(help="Revisione: catena degli eventi, sigilli, verifica.", no_args_is_help=True)
register(app)
