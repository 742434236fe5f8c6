"""``python -m creditbox.demo`` (``make demo``): the main job on the embedded default, end to end.

A simple sequence of steps sharing one ``Demo`` context: prepare the database, register a demo
company, generate a sample workbook, import it (progress bar and summary), show an overdue
customer's position. Re-runnable: the second run imports the same file and finds everything
unchanged. Later steps (tick, simulation, exports) are added to ``STEPS``.

The database is ``demo-output/creditbox-demo.sqlite3`` unless ``CREDITBOX_DATABASE_URL`` is set.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console

from creditbox.application.imports import ImportResult
from creditbox.application.records import Sheet
from creditbox.bootstrap import Container, bootstrap
from creditbox.cli.imports import RichImportProgress, new_progress, print_result
from creditbox.cli.positions import print_summary
from creditbox.domain.money import format_euro
from creditbox.infrastructure.migrations import upgrade_read_models
from creditbox.sample_data import SampleSpec, generate, write_workbook
from creditbox.settings import Settings

OUTPUT = Path("demo-output")
DEFAULT_DATABASE_URL = f"sqlite:///{OUTPUT / 'creditbox-demo.sqlite3'}"
COMPANY = "DEMO"
COMPANY_NAME = "Multiservizi Demo S.p.A."
WORKBOOK = OUTPUT / "demo-clienti.xlsx"
SAMPLE = SampleSpec(customers=300)
BY = "demo"


@dataclass
class Demo:
    container: Container
    console: Console
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
    with new_progress() as progress:
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


STEPS: list[Callable[[Demo], None]] = [
    prepare_database,
    register_company,
    generate_workbook,
    import_workbook,
    show_an_overdue_customer,
]


def main() -> None:
    console = Console()
    url = os.environ.get("CREDITBOX_DATABASE_URL", DEFAULT_DATABASE_URL)
    OUTPUT.mkdir(exist_ok=True)
    console.rule("[bold]CreditBox — dimostrazione")
    with bootstrap(Settings(database_url=url)) as container:
        demo = Demo(container=container, console=console)
        for step in STEPS:
            step(demo)
    console.rule("Fine")


if __name__ == "__main__":
    main()
