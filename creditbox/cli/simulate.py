"""``creditbox simulate``: the workflow day by day while a simulated outside world answers.

Each day is a round of the scheduler on the in-process broker (``memory://``, whatever
``CREDITBOX_BROKER_URL`` says: the simulation waits for its own workers): the ``run_position`` and
``send_action`` actors run in worker threads of this process and the messages are written by the
file channel under ``CREDITBOX_CHANNEL_DIR``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Annotated, Any

import typer
from rich.table import Table

from creditbox.application.simulation import SimulatedWorld, SimulationSummary
from creditbox.bootstrap import Container, bootstrap
from creditbox.cli.choices import choice
from creditbox.cli.context import console, fail, parse_date, print_json
from creditbox.cli.formats import labelled, print_counts, progress_bar
from creditbox.cli.options import AsJson, Company
from creditbox.clock import FixedClock
from creditbox.domain.errors import DomainError
from creditbox.domain.wording import plural
from creditbox.domain.workflow.cases import CaseStatus
from creditbox.projections.outbox import channel_label
from creditbox.settings import Settings
from creditbox.workers.broker import MEMORY


def simulate(
    company: Company,
    start: Annotated[str, typer.Option("--from", help="Primo giorno (AAAA-MM-GG)")],
    end: Annotated[str, typer.Option("--to", help="Ultimo giorno (AAAA-MM-GG)")],
    channel_outcomes: Annotated[
        str,
        typer.Option(
            "--channel-outcomes",
            help="'simulati' (simulated): consegne, esiti e pagamenti simulati; 'nessuno' (none): nessuno",
        ),
    ] = "none",
    seed: Annotated[int, typer.Option("--seed", help="Seme della simulazione (stesso seme, stessa storia)")] = 1,
    operator: Annotated[
        bool, typer.Option("--operator/--no-operator", help="Un operatore conferma e approva le proposte")
    ] = True,
    as_json: AsJson = False,
) -> None:
    """Simula il flusso giorno per giorno (registra gli eventi nel database configurato)."""
    simulated = choice(channel_outcomes, {True: ("simulated", "simulati"), False: ("none", "nessuno")}, "esiti")
    first, last = parse_date(start, date.today(), option="--from"), parse_date(end, date.today(), option="--to")
    if last < first:
        fail("--to precede --from")
    clock = FixedClock(first)
    world = SimulatedWorld(seed, play=simulated)
    with _simulation_container(clock) as c:
        code = c.companies.require(company)
        simulator = c.simulator(code, world, clock.set, operator=operator)
        total = (last - first).days + 1
        with progress_bar(quiet=as_json, on_stderr=True) as progress:
            task = progress.add_task("Giorni simulati", total=total)
            summary = simulator.run(code, first, last, on_day=lambda _: progress.advance(task))
        if as_json:
            print_json(summary_json(summary))
        else:
            print_summary(summary)


@contextmanager
def _simulation_container(clock: FixedClock) -> Iterator[Container]:
    try:
        with bootstrap(Settings(broker_url=MEMORY), clock=clock) as c:
            yield c
    except DomainError as error:
        fail(str(error))


def summary_json(summary: SimulationSummary) -> dict[str, Any]:
    return {
        "company": summary.company,
        "from": summary.start.isoformat(),
        "to": summary.end.isoformat(),
        "days": summary.days,
        "cases_by_ladder": dict(summary.cases_by_ladder),
        "cases_by_status": dict(summary.cases_by_status),
        "cases_by_step": [
            {"ladder": ladder, "seq": seq, "action": label, "cases": n}
            for (ladder, seq, label), n in sorted(summary.cases_by_step.items())
        ],
        "actions_by_code": dict(summary.actions_by_code),
        "sent_by_channel": dict(summary.sent_by_channel),
        "rounds": summary.rounds,
        "positions_run": summary.positions_run,
        "events": dict(summary.events),
        "payments": summary.payments,
        "outcomes": summary.outcomes,
        "confirmations": summary.confirmations,
    }


def print_summary(summary: SimulationSummary) -> None:
    console.print(
        f"Simulazione azienda [bold]{summary.company}[/] dal {summary.start:%d/%m/%Y} al {summary.end:%d/%m/%Y} "
        f"({plural(summary.days, 'giorno', 'giorni')}): {plural(summary.payments, 'pagamento', 'pagamenti')}, "
        f"{plural(summary.outcomes, 'esito', 'esiti')}, {plural(summary.confirmations, 'conferma', 'conferme')}"
    )
    steps = Table("Scala", "Passo", "Ultima azione eseguita", "Pratiche", title="Pratiche per scala e passo")
    for (ladder, seq, label), n in sorted(summary.cases_by_step.items()):
        steps.add_row(ladder, str(seq), label, str(n))
    console.print(steps)
    print_counts("Pratiche per stato", labelled(summary.cases_by_status, _status_label))
    print_counts("Azioni per codice", summary.actions_by_code)
    print_counts("Messaggi inviati per canale", labelled(summary.sent_by_channel, channel_label))


def _status_label(status: str) -> str:
    try:
        return CaseStatus(status).label
    except ValueError:
        return status
