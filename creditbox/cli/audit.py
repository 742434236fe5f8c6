"""``creditbox audit …``: what auditors and lawyers read (``seal`` and ``verify``: ``cli/integrity.py``).

``audit history CUSTOMER --company C [--as-of DATE] [--as-recorded-at TIMESTAMP] [--json]``: the full
ordered history of a position — every event with its business date, when it was recorded, who did it
and an Italian description — cut by business date ("what did we know of this debt on 1 March") and/or
by recording time ("what did the system show on 1 March at 10:00"), with the position as it then
stood, replayed from exactly those events (``application/history.py``, the same code as
``positions show --as-of`` and the API's history route).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from creditbox.application.dossier_check import DossierCheck
from creditbox.application.history import PositionHistory
from creditbox.cli import integrity
from creditbox.cli.context import console, container, fail, parse_date, parse_timestamp, print_json
from creditbox.cli.options import AsJson, AsOf, AsRecordedAt, Company, Customer
from creditbox.domain.money import format_euro
from creditbox.projections.describe import plain

app = typer.Typer(
    help="Revisione: storia delle posizioni, catena degli eventi, sigilli, verifica.", no_args_is_help=True
)
integrity.register(app)  # audit seal, audit verify


@app.command("history")
def history(
    customer: Customer,
    company: Company,
    as_of: AsOf = None,
    as_recorded_at: AsRecordedAt = None,
    as_json: AsJson = False,
) -> None:
    """Storia completa di una posizione: ogni evento con data contabile, registrazione, autore e descrizione."""
    with container() as c:
        code = c.companies.require(company)
        zone = getattr(c.clock.now(), "tzinfo", None)
        day = parse_date(as_of, c.clock.today(), option="--as-of") if as_of is not None else None
        recorded = parse_timestamp(as_recorded_at, zone, option="--as-recorded-at")
        found = c.positions.history(code, customer, as_of=day, zone=zone, as_recorded_at=recorded)
        if as_json:
            print_json(history_as_json(code, customer, day, recorded, found))
        else:
            print_history(code, customer, day, recorded, found, zone)


@app.command("verify-dossier")
def verify_dossier(
    file: Annotated[Path, typer.Argument(help="Il fascicolo (ZIP) da verificare", show_default=False)],
    offline: Annotated[
        bool, typer.Option("--offline", help="Solo contro sé stesso, senza confrontarlo con l'archivio degli eventi")
    ] = False,
    as_json: AsJson = False,
) -> None:
    """Verifica un fascicolo probatorio: ogni file contro il manifesto (SHA-256, mancanti, aggiunti) e la
    storia degli eventi contro l'archivio; esce con codice 1 a ogni rilievo."""
    if not file.is_file():
        fail(f"fascicolo {str(file)!r} non trovato", 2)
    try:
        data = file.read_bytes()
    except OSError as error:
        fail(f"fascicolo {str(file)!r} illeggibile: {error.strerror or error}", 2)
    with container(follow=False) as c:
        check = c.dossier_verifier().verify(data, live=not offline)
    if as_json:
        print_json(check.as_json())
    else:
        _print_check(file, check)
    if not check.clean:
        raise typer.Exit(1)


def _print_check(file: Path, check: DossierCheck) -> None:
    who = f"cliente {check.customer_code} ({check.company})" if check.customer_code else "fascicolo"
    if check.clean:
        where = " e con l'archivio degli eventi" if check.live_checked else ""
        console.print(
            f"[green]Fascicolo {escape(str(file))} integro[/]: {escape(who)}, {check.files} file coerenti con il "
            f"manifesto{where}."
        )
        return
    console.print(f"[bold red]Fascicolo {escape(str(file))} difforme[/] ({escape(who)}): {len(check.findings)} rilievi")
    for finding in check.findings:
        console.print(f"  - {escape(finding.file or 'fascicolo')}: {escape(finding.message)}", soft_wrap=True)


def history_as_json(
    company: str, customer: str, as_of: date | None, recorded: datetime | None, found: PositionHistory
) -> dict[str, Any]:
    position = found.position
    return {
        "company": company,
        "customer_code": customer,
        "as_of": as_of.isoformat() if as_of is not None else None,
        "as_recorded_at": recorded.isoformat() if recorded is not None else None,
        "events": [
            {
                "version": entry.version,
                "type": entry.type,
                "business_date": entry.business_date.isoformat(),
                "recorded_at": entry.recorded_at.isoformat(),
                "by": entry.by,
                "description": entry.description,
                "data": plain(entry.data),
            }
            for entry in found.entries
        ],
        "position": None
        if position is None
        else {
            "version": position.version,
            "balance": str(position.balance(as_of or date.max)),
            "cases": sorted(position.dunning.cases),
        },
        "notes": found.notes,
    }


def print_history(
    company: str, customer: str, as_of: date | None, recorded: datetime | None, found: PositionHistory, zone: Any
) -> None:
    cut = []
    if as_of is not None:
        cut.append(f"data contabile fino al {as_of:%d/%m/%Y}")
    if recorded is not None:
        cut.append(f"registrato fino al {recorded:%d/%m/%Y %H:%M:%S}")
    title = f"Storia del cliente {customer} ({company})" + (f" — {', '.join(cut)}" if cut else "")
    table = Table(title=escape(title))
    for header in ("N.", "Data contabile", "Registrato il", "Da", "Evento"):
        table.add_column(header)
    for entry in found.entries:
        at = entry.recorded_at.astimezone(zone) if zone is not None else entry.recorded_at
        table.add_row(
            str(entry.version),
            f"{entry.business_date:%d/%m/%Y}",
            f"{at:%d/%m/%Y %H:%M:%S}",
            escape(entry.by or ""),
            escape(entry.description),
        )
    console.print(table)
    position = found.position
    if position is not None:
        on = as_of or date.max
        console.print(
            f"Eventi: {len(found.entries)}; saldo ricostruito: {format_euro(position.balance(on))}; "
            f"pratiche: {len(position.dunning.cases)}"
        )
    for note in found.notes:
        console.print(f"[yellow]{escape(note)}[/]")
