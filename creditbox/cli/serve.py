"""``creditbox serve``: the HTTP API under uvicorn."""

from __future__ import annotations

import os

import typer

from creditbox.cli.worker import metrics_folder
from creditbox.observability.metrics import MULTIPROCESS_ENV
from creditbox.settings import Settings

FACTORY = "creditbox.api.app:create_app_from_env"


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Indirizzo di ascolto"),
    port: int = typer.Option(8000, "--port", help="Porta"),
    workers: int = typer.Option(1, "--workers", min=1, help="Processi worker (ognuno con il proprio pool)"),
    log_level: str = typer.Option("info", "--log-level", help="critical | error | warning | info | debug"),
    access_log: bool = typer.Option(True, "--access-log/--no-access-log", help="Una riga di log per richiesta"),
) -> None:
    """Avvia l'API (uvicorn). Con --workers > 1 ogni processo costruisce la propria app dalla factory.

    uvicorn usa uvloop e httptools quando sono installati (dipendenze del progetto), altrimenti asyncio
    e h11. Nessuna intestazione ``server`` nelle risposte."""
    import uvicorn

    settings = Settings()
    if workers > 1 and not os.environ.get(MULTIPROCESS_ENV):
        # Several worker processes: each writes its metrics to one folder, /metrics merges them.
        os.environ[MULTIPROCESS_ENV] = str(metrics_folder())

    uvicorn.run(
        FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        access_log=access_log and settings.log_format != "json",  # JSON: our own line per request
        proxy_headers=False,
        server_header=False,  # no "server: uvicorn" banner
    )
