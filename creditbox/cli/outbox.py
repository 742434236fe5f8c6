"""``creditbox outbox list``: the outbox entries of a company, each with its status and attempts."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

import typer
from rich.table import Table

from creditbox.application.outbox import describe_entry, status_label
from creditbox.application.ports import ActionToDispatch
from creditbox.cli.choices import outbox_status
from creditbox.cli.context import console, container, parse_date, print_json
from creditbox.cli.options import AsJson, Company
from creditbox.workers.broker import is_embedded

app = typer.Typer(help="Azioni da eseguire (outbox).", no_args_is_help=True)


@app.command("list")
def outbox_list(
    company: Company,
    status: Annotated[
        str | None,
        typer.Option("--status", help="Solo le azioni in questo stato: in attesa, in invio, inviato, fallito, incerto"),
    ] = None,
    since: Annotated[str | None, typer.Option("--since", help="Dalla data (AAAA-MM-GG)")] = None,
    limit: Annotated[int | None, typer.Option("--limit", help="Al massimo N azioni")] = None,
    as_json: AsJson = False,
) -> None:
    """Elenca le azioni consegnate ai canali (SMS, e-mail, lettere, PEC, uffici), con stato e tentativi."""
    wanted = outbox_status(status) if status is not None else None
    with container() as c:
        code = c.companies.require(company)
        c.projections.after_command()  # inline mode: the actions just recorded are in the outbox
        first = parse_date(since, date.min, option="--since") if since else None
        entries = c.outbox().list(code, status=wanted, since=first, limit=limit)
        if as_json:
            print_json([describe_entry(e) for e in entries])
            return
        table = Table(
            "Data",
            "Cliente",
            "Pratica",
            "Passo",
            "Azione",
            "Canale",
            "Destinatario",
            "Stato",
            "Tentativi",
            title="Outbox",
        )
        for e in entries:
            table.add_row(
                f"{e.business_date:%d/%m/%Y}",
                e.customer_code,
                e.case_id,
                str(e.seq) if e.seq is not None else "—",
                str(e.payload.get("description") or e.action_code.label),
                e.channel,
                e.recipient or "",
                status_label(e.status),
                str(e.attempts),
            )
        console.print(table)


def action_json(a: ActionToDispatch) -> dict[str, Any]:
    """An action handed to the channels, as ``tick --json`` shows it."""
    return {
        "action_id": a.action_id,
        "company": a.company,
        "customer_code": a.customer_code,
        "supply_code": a.supply_code,
        "case_id": a.case_id,
        "seq": a.seq,
        "action_code": a.action_code.code,
        "action_label": a.action_code.label,
        "description": a.description,
        "recipient": a.recipient,
        "parameters": a.parameters,
        "overdue": str(a.overdue),
        "business_date": a.business_date.isoformat(),
    }


@app.command("send")
def outbox_send() -> None:
    """Consegna ai processi di lavoro le azioni in attesa il cui tentativo è dovuto (con il broker in
    memoria le invia subito, dentro questo processo)."""
    with container() as c:
        c.projections.after_command()
        queue = c.work_queue()
        handed = c.outbox().relay(queue)
        wait = getattr(queue, "wait", None)
        if wait is not None and is_embedded(c.settings.broker_url):
            wait()
        console.print(f"Azioni consegnate ai processi di lavoro: {handed}")


@app.command("reconcile")
def outbox_reconcile(
    after: Annotated[
        float | None,
        typer.Option(
            "--after", min=0, help="Secondi in invio oltre i quali verificare (default: CREDITBOX_OUTBOX_LEASE_SECONDS)"
        ),
    ] = None,
) -> None:
    """Verifica con il canale le azioni rimaste «in invio» (un processo interrotto): inviate se il canale
    le ha, altrimenti «incerte», da decidere a mano. Nessuna viene inviata di nuovo."""
    with container() as c:
        seconds = after if after is not None else c.settings.outbox_lease_seconds
        report = c.outbox().reconcile(timedelta(seconds=seconds))
        console.print(f"Riconciliate: {len(report.sent)} inviate, {len(report.uncertain)} incerte")
