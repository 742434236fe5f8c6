"""``creditbox outbox list``: the actions recorded for the channels (SMS, e-mail, letters, PEC, offices)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import typer
from rich.table import Table

from creditbox.application.ports import ActionToDispatch
from creditbox.cli.context import console, container, parse_date, print_json
from creditbox.cli.options import AsJson, Company
from creditbox.domain.money import format_euro

app = typer.Typer(help="Azioni da eseguire (outbox).", no_args_is_help=True)


@app.command("list")
def outbox_list(
    company: Company,
    since: Annotated[str | None, typer.Option("--since", help="Dalla data (AAAA-MM-GG)")] = None,
    limit: Annotated[int | None, typer.Option("--limit", help="Al massimo N azioni")] = None,
    as_json: AsJson = False,
) -> None:
    """Elenca le azioni registrate per i canali (SMS, e-mail, lettere, PEC, uffici)."""
    with container() as c:
        code = c.companies.require(company)
        first = parse_date(since, date.min, option="--since") if since else None
        actions = c.outbox().list(code, since=first, limit=limit)
        if as_json:
            print_json([action_json(a) for a in actions])
            return
        table = Table("Data", "Cliente", "Pratica", "Passo", "Azione", "Destinatario", "Scaduto", title="Outbox")
        for a in actions:
            table.add_row(
                f"{a.business_date:%d/%m/%Y}",
                a.customer_code,
                a.case_id,
                str(a.seq) if a.seq is not None else "—",
                a.description,
                a.recipient or "",
                format_euro(a.overdue),
            )
        console.print(table)


def action_json(a: ActionToDispatch) -> dict[str, Any]:
    """An action handed to the channels, as ``outbox list --json`` and ``tick --json`` show it."""
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
