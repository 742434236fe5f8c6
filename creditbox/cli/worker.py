"""``creditbox worker``: the Dramatiq workers of ``creditbox.workers.actors`` on the configured broker.

The same as ``dramatiq creditbox.workers.actors --processes N --threads N`` (this command runs exactly
that). With the in-process broker (``memory://``) there is nothing to start: the workers are threads
of the process that runs the scheduler, the tick or the demo.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import typer

from creditbox.cli.context import fail
from creditbox.observability.metrics import MULTIPROCESS_ENV
from creditbox.settings import Settings
from creditbox.workers.broker import UnknownBroker, is_embedded, make_broker
from creditbox.workers.observability import FORK_PATH

ACTORS = "creditbox.workers.actors"


def dramatiq_command(processes: int, threads: int, *, metrics: bool = False) -> list[str]:
    command = [sys.executable, "-m", "dramatiq", ACTORS, "--processes", str(processes), "--threads", str(threads)]
    if metrics:  # the exposition server, forked beside the workers
        command += ["--fork", FORK_PATH]
    return command


def metrics_folder() -> Path:
    """The folder where the worker processes write their metrics (``PROMETHEUS_MULTIPROC_DIR``, else a new
    temporary one), emptied: values of an earlier run must not be added to this one's."""
    given = os.environ.get(MULTIPROCESS_ENV)
    folder = Path(given) if given else Path(tempfile.mkdtemp(prefix="creditbox-metrics-"))
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink()
    return folder


def worker(
    processes: int = typer.Option(2, "--processes", min=1, help="Processi di lavoro"),
    threads: int = typer.Option(4, "--threads", min=1, help="Thread per processo"),
) -> None:
    """Avvia i processi di lavoro (invii, esecuzione delle posizioni) sul broker configurato
    (CREDITBOX_BROKER_URL: redis://… o amqp://…). Si ferma con Ctrl+C (SIGTERM: finisce i messaggi in corso).
    Con CREDITBOX_METRICS_PORT le metriche di tutti i processi sono esposte su quella porta."""
    url = Settings().broker_url
    if is_embedded(url):
        fail(
            "con CREDITBOX_BROKER_URL=memory:// i lavori girano dentro il processo che li accoda: "
            "impostare redis://… o amqp://… per avviare processi di lavoro separati",
            2,
        )
    try:
        make_broker(url)  # a wrong URL is refused here, before any process starts
    except UnknownBroker as error:
        fail(str(error), 2)
    settings = Settings()
    exposed = settings.metrics_port is not None
    if exposed:
        os.environ[MULTIPROCESS_ENV] = str(metrics_folder())
    command = dramatiq_command(processes, threads, metrics=exposed)
    os.execv(command[0], command)
