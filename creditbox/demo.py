"""``python -m creditbox.demo`` (``make demo``): the main job on the embedded default, end to end.

A simple sequence of steps sharing one ``Demo`` context: prepare the database, register a demo
company, generate a sample workbook, import it (progress bar and summary), show an overdue
customer's position, run the dunning workflow day by day over three months while a simulated
outside world answers (deliveries and returned letters, the technical office, customers who pay;
no operator, so proposals wait on the worklists), show the outbox (the messages handed to each
channel, and the folder of each), and export the worklists and the ageing report to formatted
Excel files. The business dates are fixed (a settable clock follows the simulated day), so every
run shows the same thing. Re-runnable: the second run imports the same file and finds everything
unchanged, and the workflow finds nothing new to do.

The workflow runs on the production machinery, in this process: each simulated day is a round of
the scheduler on the in-process broker (``memory://``); the ``run_position`` actor runs the positions
due, the ``send_action`` actor hands each action to the file channel, which writes it as one file
under ``demo-output/canali/DEMO/<canale>/``.

The database is ``demo-output/creditbox-demo.sqlite3`` unless ``CREDITBOX_DATABASE_URL`` is set.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from creditbox.application.import_results import ImportResult
from creditbox.application.outbox import status_label
from creditbox.application.ports import SENT
from creditbox.application.records import Sheet
from creditbox.application.simulation import SimulatedWorld
from creditbox.bootstrap import Container, bootstrap
from creditbox.cli.formats import progress_bar
from creditbox.cli.imports import RichImportProgress, print_result
from creditbox.cli.positions import print_summary
from creditbox.cli.worklists import export_ageing, export_worklist
from creditbox.clock import FixedClock
from creditbox.domain.money import format_euro
from creditbox.domain.wording import plural
from creditbox.infrastructure.channels.files import FileChannel, folder_name
from creditbox.infrastructure.migrations import upgrade_read_models
from creditbox.projections.outbox import channel_label
from creditbox.projections.queries.worklists import worklist_counts
from creditbox.projections.worklist_rows import WORKLIST_LABELS
from creditbox.sample_data import SampleSpec, generate, write_workbook
from creditbox.settings import Settings
from creditbox.workers.broker import MEMORY

OUTPUT = Path("demo-output")
DEFAULT_DATABASE_URL = f"sqlite:///{OUTPUT / 'creditbox-demo.sqlite3'}"
COMPANY = "DEMO"
COMPANY_NAME = "Multiservizi Demo S.p.A."
WORKBOOK = OUTPUT / "demo-clienti.xlsx"
CHANNELS = OUTPUT / "canali"  # the file channel: one file a message, CHANNELS/DEMO/<channel>/
SAMPLE = SampleSpec(customers=300)
BY = "demo"
# The demo's business quarter: fixed, so that every run of the demo shows the same thing.
DUNNING_FROM = date(2026, 9, 1)
DUNNING_TO = date(2026, 11, 30)
SIMULATION_SEED = 7


@dataclass
class Demo:
    container: Container
    console: Console
    clock: FixedClock
    workbook: Path = WORKBOOK
    imported: ImportResult | None = None
    notes: dict[str, Any] = field(default_factory=dict)


def prepare_database(demo: Demo) -> None:
    upgrade_read_models(demo.container.database)
    demo.console.print(f"Database pronto: {demo.container.settings.database_url}")


def register_company(demo: Demo) -> None:
    companies = demo.container.companies
    if any(c.code == COMPANY for c in companies.list()):
        demo.console.print(f"Azienda {COMPANY} già registrata")
        return
    companies.register(COMPANY, COMPANY_NAME, by=BY)
    demo.console.print(f"Azienda [bold]{COMPANY}[/] registrata: {COMPANY_NAME}")


def generate_workbook(demo: Demo) -> None:
    """Written once: the same file on every run (its bytes, hence its hash, do not change)."""
    if demo.workbook.exists():
        demo.console.print(f"Cartella di esempio già presente: {demo.workbook}")
        return
    demo.workbook.parent.mkdir(parents=True, exist_ok=True)
    data = generate(SAMPLE)
    write_workbook(data, demo.workbook)
    counts = ", ".join(f"{data.count(name)} {name.lower()}" for name in Sheet.ALL)
    demo.console.print(f"Cartella di esempio generata: {demo.workbook} ({counts})")


def import_workbook(demo: Demo) -> None:
    importer = demo.container.importer()
    with progress_bar() as progress:
        demo.imported = importer.run(
            demo.workbook.read_bytes(), demo.workbook.name, COMPANY, by=BY, progress=RichImportProgress(progress)
        )
    print_result(demo.imported)


def show_an_overdue_customer(demo: Demo) -> None:
    today = demo.container.clock.today()
    reader = demo.container.positions
    worst: tuple[Any, str] | None = None
    for row in generate(SAMPLE).rows[Sheet.CUSTOMERS]:
        overdue = reader.load(COMPANY, row[0]).overdue(today)
        if worst is None or overdue > worst[0]:
            worst = (overdue, row[0])
    if worst is None or worst[0] <= 0:
        demo.console.print("Nessun cliente con scaduto.")
        return
    demo.console.print(f"\nCliente con lo scaduto più alto al {today:%d/%m/%Y}: {format_euro(worst[0])}")
    print_summary(reader.summary(COMPANY, worst[1], today))
    demo.notes["overdue_customer"] = worst[1]


def run_the_workflow(demo: Demo) -> None:
    """Day by day over the quarter, one scheduler round a day on the in-process workers: cases open,
    steps fall due and run, the actions are sent through the file channel, and the simulated outside
    world answers what was sent (idempotent on re-runs: nothing new is due and no answer is played
    again)."""
    world = SimulatedWorld(SIMULATION_SEED, play=True)
    simulator = demo.container.simulator(COMPANY, world, demo.clock.set, operator=False)
    days = (DUNNING_TO - DUNNING_FROM).days + 1
    with Progress(*Progress.get_default_columns(), console=demo.console) as progress:
        task = progress.add_task("Flusso di sollecito giorno per giorno", total=days)
        summary = simulator.run(COMPANY, DUNNING_FROM, DUNNING_TO, on_day=lambda _: progress.advance(task))
    demo.clock.set(DUNNING_TO)
    if not summary.actions_by_code:
        demo.console.print("Nessuna nuova azione (già eseguite in un'esecuzione precedente).")
        return
    title = f"Azioni dal {DUNNING_FROM:%d/%m/%Y} al {DUNNING_TO:%d/%m/%Y}"
    table = Table("Azione", "Eseguite", title=title)
    for label, count in sorted(summary.actions_by_code.items()):
        table.add_row(label, str(count))
    demo.console.print(table)
    demo.console.print(
        f"Giri dello scheduler: {summary.rounds} "
        f"({plural(summary.positions_run, 'posizione eseguita', 'posizioni eseguite')} dai processi di lavoro). "
        f"Esiti simulati registrati: {summary.outcomes} (consegne, giacenze, risposte dell'Ufficio tecnico); "
        f"pagamenti simulati: {summary.payments}; pratiche chiuse per pagamento: "
        f"{summary.cases_by_status.get('closed_paid', 0)}, aperte: {summary.cases_by_status.get('open', 0)}"
    )


def show_the_outbox(demo: Demo) -> None:
    """What the workers handed to each channel (the outbox entries by channel and status), the files
    the file channel wrote, and where."""
    entries = demo.container.outbox().list(COMPANY)
    if not entries:
        demo.console.print("Outbox vuota: nessun messaggio consegnato ai canali.")
        return
    others = sorted({e.status for e in entries} - {SENT})
    by_channel: dict[str, Counter[str]] = {}
    for entry in entries:
        by_channel.setdefault(entry.channel, Counter())[entry.status] += 1
    channel = demo.container.channel()
    table = Table(
        "Canale",
        "Inviati",
        *(status_label(s).capitalize() for s in others),
        "File scritti",
        "Cartella",
        title=f"Outbox — messaggi consegnati ai canali ({COMPANY})",
    )
    for name in sorted(by_channel, key=channel_label):
        counts = by_channel[name]
        files = len(channel.messages(COMPANY, name)) if isinstance(channel, FileChannel) else 0
        table.add_row(
            channel_label(name),
            str(counts[SENT]),
            *(str(counts[s]) for s in others),
            str(files),
            f"{folder_name(name)}/",
        )
    demo.console.print(table)
    sent = sum(1 for e in entries if e.status == SENT)
    demo.console.print(
        f"{plural(sent, 'messaggio inviato', 'messaggi inviati')} su {len(entries)} in outbox, "
        f"ciascuno un file (col nome della chiave dell'azione) in {CHANNELS / folder_name(COMPANY)}/<cartella>/"
    )


def export_worklists_and_ageing(demo: Demo) -> None:
    """The read models catch up, then the back office's Excel files are written."""
    projections = demo.container.projections
    projections.catch_up()
    with projections.connect() as conn:
        counts = worklist_counts(conn, COMPANY)
        table = Table("Lista di lavoro", "Voci", title=f"Liste di lavoro — {COMPANY}")
        for name, count in counts.items():
            table.add_row(WORKLIST_LABELS[name], str(count))
        demo.console.print(table)
        worklist_file, ageing_file = OUTPUT / "liste-di-lavoro.xlsx", OUTPUT / "anzianita-crediti.xlsx"
        items = export_worklist(conn, COMPANY, None, worklist_file)
        customers = export_ageing(conn, COMPANY, DUNNING_TO, 60, ageing_file)
    demo.console.print(
        f"Scritti {worklist_file} ({plural(items, 'riga', 'righe')}) "
        f"e {ageing_file} ({plural(customers, 'cliente', 'clienti')})"
    )


STEPS: list[Callable[[Demo], None]] = [
    prepare_database,
    register_company,
    generate_workbook,
    import_workbook,
    show_an_overdue_customer,
    run_the_workflow,
    show_the_outbox,
    export_worklists_and_ageing,
]


def main() -> None:
    console = Console()
    url = os.environ.get("CREDITBOX_DATABASE_URL", DEFAULT_DATABASE_URL)
    OUTPUT.mkdir(exist_ok=True)
    console.rule("[bold]CreditBox — dimostrazione")
    clock = FixedClock(DUNNING_TO)
    # The embedded machinery whatever the environment says: the in-process broker, whose workers the
    # demo waits for, and the file channel under demo-output.
    settings = Settings(database_url=url, broker_url=MEMORY, channel_dir=str(CHANNELS))
    with bootstrap(settings, clock=clock) as container:
        demo = Demo(container=container, console=console, clock=clock)
        for step in STEPS:
            step(demo)
    console.rule("Fine")


if __name__ == "__main__":
    main()
