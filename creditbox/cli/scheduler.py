"""``creditbox scheduler``: claims the positions due by the business date from the due index and
hands them to the workers; then hands the pending outbox entries to their channels (the outbox
relay) and makes a pass over the inbox.

In the embedded mode (``memory://``) the workers are the in-process ones — the same ``run_positions``
and ``send_actions`` actors as on Redis or RabbitMQ, in worker threads of this process (no second
code path) — and each round waits for them, then says what they recorded (read back from the event
log). With a real broker the workers are other processes: the round says what it handed over.

One round with ``--once``; otherwise a round every ``--every`` seconds (default: the
``CREDITBOX_SCHEDULER_INTERVAL_SECONDS`` setting) until Ctrl-C or SIGTERM (the first lets the round
finish, a second stops at once: the leases taken expire and the next round claims those positions
again; running a position twice on one date records nothing the second time).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

import typer

from creditbox.application.ports import InboxUnavailable
from creditbox.application.scheduler import Scheduler, SchedulerReport
from creditbox.application.simulation import ROUND_TIMEOUT_SECONDS
from creditbox.bootstrap import Container
from creditbox.cli.context import catch_up_views, console, container, error_console, parse_date, print_json
from creditbox.cli.formats import labelled, print_counts
from creditbox.cli.inbox import StopSignal
from creditbox.cli.observability import observe_process
from creditbox.cli.options import AsJson
from creditbox.domain.errors import Field
from creditbox.domain.wording import plural
from creditbox.infrastructure.health_checks import DUE, OUTBOX, QUEUES
from creditbox.observability import metrics
from creditbox.projections.event_labels import event_label
from creditbox.workers.broker import is_embedded
from creditbox.workers.queue import DramatiqQueue


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
        queue = c.work_queue()
        scheduler = c.scheduler(
            queue=queue, company=code, relay=outbox.relay, inbox=_inbox_pass(c, code) if inbox else None
        )
        embedded = is_embedded(c.settings.broker_url)
        if once:
            report, recorded = _round(c, scheduler, fixed or c.clock.today(), embedded)
            _print(report, recorded, as_json, summary=True)
            return
        interval = every if every is not None else c.settings.scheduler_interval_seconds
        observe_process(c, (DUE, OUTBOX, QUEUES))
        stop = StopSignal()
        with stop.installed():
            error_console.print(
                f"Scheduler avviato: un giro ogni {plural(interval, 'secondo', 'secondi')} (Ctrl-C per fermarlo)"
            )
            try:
                while not stop.is_requested():
                    try:
                        report, recorded = _round(c, scheduler, fixed or c.clock.today(), embedded)
                    except Exception as error:  # the loop outlives a database restart: the next round retries
                        error_console.print(f"[bold red]Errore:[/] giro non riuscito: {error}")
                    else:
                        if report.claimed or as_json:
                            _print(report, recorded, as_json, summary=False)
                    stop.wait(interval)
            except KeyboardInterrupt:
                error_console.print("Interrotto durante un giro: le posizioni non finite tornano dovute.")
        error_console.print("Scheduler fermato.")


def _business_date(c: Container, as_of: str) -> date:
    business_date = parse_date(as_of, c.clock.today(), option="--as-of")
    # A round for a later day would decide, for that day, what no later round could undo.
    c.date_policy().window().check(business_date, Field.BUSINESS_DATE, "--as-of")
    return business_date


def _round(
    c: Container, scheduler: Scheduler, business_date: date, embedded: bool
) -> tuple[SchedulerReport, Recorded | None]:
    """One round. Embedded: wait for the in-process workers to finish what the round handed them (and
    what that handed on: the follow-up's catch-up and relay, the sends), relay once more for the
    actions recorded meanwhile, and read back from the event log what was recorded."""
    logged = c.app.last_notification_id() if embedded else 0
    report = scheduler.run_once(business_date)
    metrics.SCHEDULER_ROUNDS.inc()
    metrics.SCHEDULER_POSITIONS.inc(report.claimed)
    recorded: Recorded | None = None
    if embedded:
        queue = c.work_queue()
        assert isinstance(queue, DramatiqQueue)
        queue.wait(ROUND_TIMEOUT_SECONDS)
        c.projections.after_command()
        c.outbox().relay(queue)
        queue.wait(ROUND_TIMEOUT_SECONDS)
        events, _ = c.app.events_after(logged)
        recorded = Recorded(Counter(name for name, _ in events), len({originator for _, originator in events}))
    catch_up_views(c)
    return report, recorded


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


@dataclass(frozen=True)
class Recorded:
    """What the in-process workers recorded in a round: events by name, and how many positions."""

    events: Counter[str]
    positions: int


def _print(report: SchedulerReport, recorded: Recorded | None, as_json: bool, *, summary: bool) -> None:
    """What the round did: in the embedded mode, the events the workers recorded; with a real
    broker, what it handed the workers (the events are theirs to record)."""
    events: Counter[str] = recorded.events if recorded is not None else Counter()
    changed = recorded.positions if recorded is not None else 0
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
