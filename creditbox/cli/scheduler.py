"""``creditbox scheduler``: claims the positions due by the business date from the due index and
hands them to the workers (in this process in the embedded mode, ``memory://``); then hands the
pending outbox entries to their channels (the outbox relay) and makes a pass over the inbox.

One round with ``--once``; otherwise a round every ``--every`` seconds (default: the
``CREDITBOX_SCHEDULER_INTERVAL_SECONDS`` setting) until Ctrl-C or SIGTERM (the first lets the round
finish, a second stops at once: the leases taken expire and the next round claims those positions
again; running a position twice on one date records nothing the second time).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

import typer

from creditbox.application.ports import InboxUnavailable, WorkQueue
from creditbox.application.scheduler import InlineQueue, SchedulerReport
from creditbox.bootstrap import Container
from creditbox.cli.context import catch_up_views, cli_user, console, container, error_console, parse_date, print_json
from creditbox.cli.formats import labelled, print_counts
from creditbox.cli.inbox import StopSignal
from creditbox.cli.options import AsJson
from creditbox.domain.errors import Field
from creditbox.domain.wording import plural
from creditbox.projections.event_labels import event_label
from creditbox.workers.broker import is_embedded


def scheduler(
    once: Annotated[bool, typer.Option("--once", help="Un solo giro, poi termina")] = False,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Data lavorativa (AAAA-MM-GG; default: oggi, a ogni giro)")
    ] = None,
    every: Annotated[
        float | None,
        typer.Option("--every", min=0.1, help="Secondi tra un giro e il successivo (default: impostazione)"),
    ] = None,
    company: Annotated[str | None, typer.Option("--company", help="Solo le posizioni di questa azienda")] = None,
    inbox: Annotated[
        bool, typer.Option("--inbox/--no-inbox", help="A ogni giro importa anche i file della inbox")
    ] = True,
    as_json: AsJson = False,
) -> None:
    """Esegue a ogni giro le posizioni dovute alla data lavorativa (indice delle scadenze) e la inbox."""
    with container(follow=False) as c:
        code = c.companies.require(company) if company is not None else None
        fixed = _business_date(c, as_of) if as_of is not None else None
        outbox = c.outbox()
        queue = _queue(c, outbox.send)
        scheduler = c.scheduler(
            queue=queue, company=code, relay=outbox.relay, inbox=_inbox_pass(c, code) if inbox else None
        )
        if once:
            report = scheduler.run_once(fixed or c.clock.today())
            catch_up_views(c)
            _print(report, queue, as_json, summary=True)
            return
        interval = every if every is not None else c.settings.scheduler_interval_seconds
        stop = StopSignal()
        with stop.installed():
            error_console.print(
                f"Scheduler avviato: un giro ogni {plural(interval, 'secondo', 'secondi')} (Ctrl-C per fermarlo)"
            )
            try:
                while not stop.is_requested():
                    if isinstance(queue, InlineQueue):
                        queue.reports.clear()
                    try:
                        report = scheduler.run_once(fixed or c.clock.today())
                    except Exception as error:  # the loop outlives a database restart: the next round retries
                        error_console.print(f"[bold red]Errore:[/] giro non riuscito: {error}")
                    else:
                        catch_up_views(c)
                        if report.claimed or as_json:
                            _print(report, queue, as_json, summary=False)
                    stop.wait(interval)
            except KeyboardInterrupt:
                error_console.print("Interrotto durante un giro: le posizioni non finite tornano dovute.")
        error_console.print("Scheduler fermato.")


def _business_date(c: Container, as_of: str) -> date:
    business_date = parse_date(as_of, c.clock.today(), option="--as-of")
    # A round for a later day would decide, for that day, what no later round could undo.
    c.date_policy().window().check(business_date, Field.BUSINESS_DATE, "--as-of")
    return business_date


def _queue(c: Container, send: Callable[[str], object]) -> WorkQueue:
    """Where the work goes: in the embedded mode (``memory://``) this process runs the due positions
    and hands each pending action to its channel; otherwise the workers of the broker do both."""
    if is_embedded(c.settings.broker_url):
        return InlineQueue(c.dunning(), send=send, by=cli_user())
    return c.work_queue()


def _inbox_pass(c: Container, company: str | None) -> Any:
    """A pass over the inbox (the same code as ``creditbox inbox run``); a missing inbox root is
    no error for the scheduler: it just has no inbox."""
    inbox = c.inbox()

    def run() -> object:
        try:
            return inbox.run_pass(company)
        except InboxUnavailable:
            return None

    return run


def _print(report: SchedulerReport, queue: WorkQueue, as_json: bool, *, summary: bool) -> None:
    """What the round did: the events recorded when it ran the positions itself; with workers, what
    it handed them (the events are theirs to record)."""
    events: Counter[str] = Counter()
    changed = 0
    if isinstance(queue, InlineQueue):
        events = queue.events()
        changed = sum(r.changed for r in queue.reports)
    files = getattr(report.inbox, "files", None) or []
    if as_json:
        print_json(
            {
                "business_date": report.business_date.isoformat(),
                "positions": report.claimed,
                "changed": changed,
                "companies": dict(report.by_company),
                "events": dict(events),
                "inbox_files": len(files),
            }
        )
        return
    console.print(
        f"Scheduler al {report.business_date:%d/%m/%Y}: "
        f"{plural(report.claimed, 'posizione dovuta', 'posizioni dovute')}, "
        f"{plural(changed, 'aggiornata', 'aggiornate')}, "
        f"{plural(sum(events.values()), 'evento', 'eventi')}"
        + (f", {plural(len(files), 'file della inbox', 'file della inbox')}" if files else "")
    )
    if summary:
        print_counts("Eventi", labelled(events, event_label))
