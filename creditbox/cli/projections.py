"""``creditbox projections run|status|retry|rebuild|catch-up``: the processes that keep the read models."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Sequence

import typer
from rich.markup import escape
from rich.table import Table

from creditbox.bootstrap import Container
from creditbox.cli.context import console, container, fail
from creditbox.cli.observability import observe_process
from creditbox.domain.wording import plural
from creditbox.infrastructure.health_checks import PROJECTIONS
from creditbox.observability import metrics
from creditbox.projections.runner import ProjectionFailed, follow
from creditbox.workers.broker import is_embedded

app = typer.Typer(help="Proiezioni (modelli di lettura).", no_args_is_help=True)

NAMES = typer.Argument(None, help="Nomi delle proiezioni (tutte se omessi)")


@app.command("run")
def run(
    names: list[str] | None = NAMES,
    poll: float = typer.Option(1.0, "--poll", help="Secondi tra due controlli (PostgreSQL: risveglio con NOTIFY)"),
    batch_size: int = typer.Option(5000, "--batch-size", help="Notifiche per transazione"),
    relay: bool = typer.Option(
        True,
        "--relay/--no-relay",
        help="Con la proiezione outbox e un broker esterno: passa subito ai worker i nuovi invii",
    ),
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
        observe_process(c, (PROJECTIONS,))
        follow(
            runner, c.projections.waiter(poll), stop, after=_counted(_outbox_relay(c, runner.names) if relay else None)
        )


def _counted(after: Callable[[int], object] | None) -> Callable[[int], object]:
    """Counts the notifications each catch-up read (``creditbox_projection_events_total``), then ``after``."""

    def counted(read: int) -> object:
        metrics.PROJECTION_EVENTS.inc(read)
        return after(read) if after is not None else None

    return counted


def _outbox_relay(c: Container, names: Sequence[str]) -> Callable[[int], object] | None:
    """The outbox projector hands the entries it just inserted to the workers at once, instead of
    leaving them for the scheduler's next round (the entries are held while handed, so the
    scheduler's relay does not hand them out twice). Only with an external broker: in the embedded
    mode the workers live in the scheduler's process."""
    if "outbox" not in names or is_embedded(c.settings.broker_url):
        return None
    outbox = c.outbox()
    return lambda _read: outbox.relay(c.work_queue())


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
def status(
    details: int = typer.Option(50, "--details", help="Eventi in quarantena da elencare (0: solo i conteggi)"),
) -> None:
    """Posizione e ritardo di ogni proiezione rispetto al registro degli eventi, ed eventi in quarantena."""
    with container(follow=False) as c:
        table = Table(
            "Proiezione", "Posizione", "Ultimo evento", "Ritardo", "Valutata al", "In quarantena", title="Proiezioni"
        )
        for s in c.projections.status():
            lag = f"[red]{s.lag}[/]" if s.lag else "0"
            held = s.quarantined
            quarantined = f"[red]{held.failed} falliti, {held.held} in attesa[/]" if held.total else "0"
            table.add_row(
                s.name, str(s.position), str(s.head), lag, f"{s.as_of:%d/%m/%Y}" if s.as_of else "—", quarantined
            )
        console.print(table)
        if details <= 0:
            return
        shown = c.projections.quarantined(limit=details + 1)
        if not shown:
            return
        listing = Table(
            "Proiezione",
            "Notifica",
            "Azienda",
            "Cliente",
            "Posizione (aggregato)",
            "Versione",
            "Evento",
            "Errore",
            title="Eventi in quarantena",
        )
        for q in shown[:details]:
            error = q.error if q.failed else f"in attesa dietro la notifica {q.held_behind}"
            listing.add_row(
                q.projection,
                str(q.notification_id),
                q.company or "—",
                q.customer_code or "—",
                q.originator_id,
                str(q.originator_version),
                q.event,
                escape(error),
            )
        console.print(listing)
        if len(shown) > details:
            console.print(f"… altri eventi in quarantena (usare --details {details * 2} per vederne di più)")
        console.print("Dopo la correzione: creditbox projections retry [NOME]")


@app.command("retry")
def retry(names: list[str] | None = NAMES) -> None:
    """Applica di nuovo gli eventi in quarantena (dopo una correzione), in ordine; quelli applicati escono
    dalla quarantena."""
    with container(follow=False) as c:
        try:
            outcome = c.projections.retry(names)
        except ValueError as error:
            fail(str(error), 2)
        if not outcome.released and not outcome.still:
            console.print("Nessun evento in quarantena.")
            return
        for name, count in sorted(outcome.released.items()):
            console.print(f"{name}: {count} {'posizione aggiornata' if count == 1 else 'posizioni aggiornate'}")
        if outcome.still:
            still = ", ".join(f"{name}: {count}" for name, count in sorted(outcome.still.items()))
            fail(f"eventi ancora in quarantena ({still}): vedere creditbox projections status", 2)


@app.command("rebuild")
def rebuild(names: list[str] | None = NAMES) -> None:
    """Ricostruisce le proiezioni da zero in tabelle ombra, sostituite a quelle in uso solo se la
    ricostruzione riesce (altrimenti le tabelle in uso restano com'erano)."""
    with container(follow=False) as c:
        started = time.perf_counter()
        try:
            read = c.projections.rebuild(names)
        except ValueError as error:
            fail(str(error))
        except ProjectionFailed as error:
            fail(str(error))
        console.print(f"Ricostruite: {plural(read, 'notifica', 'notifiche')} in {time.perf_counter() - started:.1f} s")
