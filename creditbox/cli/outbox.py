"""``creditbox outbox …``: the outbox entries of a company (``list``), handing the due ones to the
workers (``send``), the entries left ``sending`` (``reconcile``) and, once at the upgrade of a store
recorded before the outbox existed, the history already sent (``mark-sent``)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from creditbox.application.outbox import HistoryMarking, describe_entry, status_label
from creditbox.application.ports import ActionToDispatch, HistoryCutoff, OutboxEntry
from creditbox.cli.choices import outbox_status
from creditbox.cli.context import cli_user, console, container, fail, parse_date, parse_timestamp, print_json
from creditbox.cli.options import AsJson, By, Company
from creditbox.domain.wording import plural
from creditbox.workers.broker import is_embedded

app = typer.Typer(help="Azioni da eseguire (outbox).", no_args_is_help=True)


@app.command("list")
def outbox_list(
    company: Company,
    status: Annotated[
        str | None,
        typer.Option(
            "--status",
            help="Solo le azioni in questo stato: in attesa, in invio, inviato, fallito, incerto, segnato come inviato",
        ),
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
        console.print(entries_table(entries, title="Outbox"))


def entries_table(entries: list[OutboxEntry], *, title: str) -> Table:
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
        title=title,
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
    return table


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


HISTORY_REASON = "azione registrata prima dell'outbox, già inviata dal sistema di allora"


@app.command("mark-sent")
def outbox_mark_sent(
    company: Company,
    before: Annotated[
        str | None,
        typer.Option("--before", help="Le azioni con data contabile precedente a questa (AAAA-MM-GG)"),
    ] = None,
    recorded_before: Annotated[
        str | None,
        typer.Option(
            "--recorded-before",
            help="Le azioni registrate prima di questo istante (AAAA-MM-GGTHH:MM[:SS], ora locale)",
        ),
    ] = None,
    reason: Annotated[str, typer.Option("--reason", help="Perché si segnano come inviate")] = HISTORY_REASON,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Solo contare e mostrare: nulla cambia")] = False,
    by: By = None,
    as_json: AsJson = False,
) -> None:
    """Segna come inviate, senza inviarle, le azioni registrate prima che esistesse l'outbox (già inviate
    dal sistema di allora): da eseguire una volta, all'aggiornamento, prima di avviare lo scheduler.
    Cambia solo le azioni «in attesa»; rieseguirlo non segna nulla di nuovo."""
    if before is None and recorded_before is None:
        fail("indicare --before DATA e/o --recorded-before ISTANTE", code=2)
    with container() as c:
        code = c.companies.require(company)
        now = c.clock.now()
        first = parse_date(before, c.clock.today(), option="--before") if before is not None else None
        recorded = parse_timestamp(recorded_before, getattr(now, "tzinfo", None), option="--recorded-before")
        if first is not None and first > c.clock.today():
            fail(f"--before: {first:%d/%m/%Y} è dopo la data contabile di oggi", code=2)
        if recorded is not None and recorded > now:
            fail(f"--recorded-before: {recorded:%d/%m/%Y %H:%M} è nel futuro", code=2)
        # Every action already recorded gets its outbox entry first: one the projection inserted later
        # would be pending, and sent.
        c.projections.runner(["outbox"]).catch_up()
        marking = c.outbox().mark_history_sent(
            code, HistoryCutoff(first, recorded), reason=reason, by=cli_user(by), dry_run=dry_run
        )
        if as_json:
            print_json(marking_json(marking))
            return
        if marking.first:
            shown = f" (le prime {len(marking.first)})" if marking.count > len(marking.first) else ""
            console.print(entries_table(marking.first, title=f"Azioni precedenti all'outbox{shown}"))
        if marking.dry_run:
            would = "sarebbe segnata come inviata" if marking.count == 1 else "sarebbero segnate come inviate"
            console.print(f"Prova, nulla è cambiato: {plural(marking.count, 'azione', 'azioni')} {would}")
        else:
            console.print(f"Azioni segnate come inviate: {marking.count} (nota: {escape(marking.note)})")


def marking_json(marking: HistoryMarking) -> dict[str, Any]:
    cutoff = marking.cutoff
    return {
        "company": marking.company,
        "before": cutoff.before.isoformat() if cutoff.before is not None else None,
        "recorded_before": cutoff.recorded_before.isoformat() if cutoff.recorded_before is not None else None,
        "dry_run": marking.dry_run,
        "count": marking.count,
        "note": marking.note,
        "first": [describe_entry(e) for e in marking.first],
    }
