"""``creditbox projections run|status|rebuild|catch-up``: the processes that keep the read models."""

from __future__ import annotations

import signal
import threading
import time

import typer
from rich.table import Table

from creditbox.cli.context import console, container, fail
from creditbox.domain.wording import plural
from creditbox.projections.runner import ProjectionFailed, follow

app = typer.Typer(help="Proiezioni (modelli di lettura).", no_args_is_help=True)

NAMES = typer.Argument(None, help="Nomi delle proiezioni (tutte se omessi)")


@app.command("run")
def run(
    names: list[str] | None = NAMES,
    poll: float = typer.Option(1.0, "--poll", help="Secondi tra due controlli (PostgreSQL: risveglio con NOTIFY)"),
    batch_size: int = typer.Option(5000, "--batch-size", help="Notifiche per transazione"),
) -> None:
    """Segue il registro degli eventi e aggiorna le proiezioni (un processo per proiezione in produzione)."""
    with container(follow=False) as c:
        try:
            runner = c.projections.runner(names, batch_size=batch_size)
        except ValueError as error:
            fail(str(error))
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        console.print(f"Proiezioni in esecuzione: {', '.join(runner.names)} (Ctrl+C per fermare)")
        follow(runner, c.projections.waiter(poll), stop)


@app.command("catch-up")
def catch_up(names: list[str] | None = NAMES) -> None:
    """Aggiorna le proiezioni fino all'ultimo evento, poi termina."""
    with container(follow=False) as c:
        try:
            runner = c.projections.runner(names)
        except ValueError as error:
            fail(str(error))
        started = time.perf_counter()
        try:
            read = runner.catch_up()
        except ProjectionFailed as error:
            fail(str(error))
        console.print(
            f"{plural(read, 'notifica elaborata', 'notifiche elaborate')} in {time.perf_counter() - started:.1f} s"
        )


@app.command("status")
def status() -> None:
    """Posizione e ritardo di ogni proiezione rispetto al registro degli eventi."""
    with container(follow=False) as c:
        table = Table("Proiezione", "Posizione", "Ultimo evento", "Ritardo", "Valutata al", title="Proiezioni")
        for s in c.projections.status():
            lag = f"[red]{s.lag}[/]" if s.lag else "0"
            table.add_row(s.name, str(s.position), str(s.head), lag, f"{s.as_of:%d/%m/%Y}" if s.as_of else "—")
        console.print(table)


@app.command("rebuild")
def rebuild(names: list[str] | None = NAMES) -> None:
    """Ricostruisce le proiezioni da zero (svuota le tabelle e rilegge tutti gli eventi)."""
    with container(follow=False) as c:
        started = time.perf_counter()
        try:
            read = c.projections.rebuild(names)
        except ValueError as error:
            fail(str(error))
        except ProjectionFailed as error:
            fail(str(error))
        console.print(f"Ricostruite: {plural(read, 'notifica', 'notifiche')} in {time.perf_counter() - started:.1f} s")
