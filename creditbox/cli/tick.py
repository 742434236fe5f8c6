"""``creditbox tick``: run everything due on a business date (idempotent)."""

from __future__ import annotations

from typing import Annotated

import typer

from creditbox.cli.context import cli_user, console, container, parse_date, print_json
from creditbox.cli.formats import labelled, print_counts, progress_bar
from creditbox.cli.options import AsJson, Company
from creditbox.cli.outbox import action_json
from creditbox.domain.errors import Field
from creditbox.domain.wording import plural
from creditbox.projections.event_labels import event_label


def tick(
    company: Company,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Data lavorativa (AAAA-MM-GG; default: oggi)")] = None,
    as_json: AsJson = False,
) -> None:
    """Esegue tutto ciò che è dovuto alla data indicata (idempotente: rieseguito non fa nulla)."""
    with container() as c:
        business_date = parse_date(as_of, c.clock.today(), option="--as-of")
        # A tick for a later day would decide, for that day, what no later tick could undo.
        c.date_policy().window().check(business_date, Field.BUSINESS_DATE, "--as-of")
        with progress_bar(quiet=as_json, on_stderr=True) as progress:
            task = progress.add_task("Posizioni", total=None)
            report = c.dunning().run_due(
                company,
                business_date,
                by=cli_user(),
                on_progress=lambda done, total: progress.update(task, completed=done, total=total),
            )
        if as_json:
            print_json(
                {
                    "company": report.company,
                    "business_date": business_date.isoformat(),
                    "positions": report.positions,
                    "changed": report.changed,
                    "events": dict(report.events),
                    "actions": [action_json(a) for a in report.actions],
                }
            )
            return
        console.print(
            f"Azienda [bold]{report.company}[/] al {business_date:%d/%m/%Y}: "
            f"{plural(report.positions, 'posizione', 'posizioni')}, "
            f"{plural(report.changed, 'aggiornata', 'aggiornate')}, "
            f"{plural(report.event_count, 'evento', 'eventi')}, {plural(len(report.actions), 'azione', 'azioni')}"
        )
        print_counts("Eventi", labelled(report.events, event_label))
