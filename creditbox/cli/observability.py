"""The long-running commands' logs and metrics: ``creditbox scheduler`` and ``creditbox projections run``
log in the format of ``CREDITBOX_LOG_FORMAT`` and, with ``CREDITBOX_METRICS_PORT``, expose their
metrics on ``http://CREDITBOX_METRICS_HOST:CREDITBOX_METRICS_PORT/metrics`` (a thread of the process):
their own counters and the gauges of what they look after, read at scrape time."""

from __future__ import annotations

from collections.abc import Iterable

from creditbox.bootstrap import Container
from creditbox.cli.context import error_console
from creditbox.infrastructure.health_checks import StateCollector
from creditbox.observability import logs, metrics


def observe_process(c: Container, parts: Iterable[str]) -> int | None:
    """Configure the logs; start the metrics server when a port is set. Returns the port, or None."""
    settings = c.settings
    logs.configure(settings.log_format, settings.log_level)
    if settings.metrics_port is None:
        return None
    port = metrics.serve(settings.metrics_port, settings.metrics_host, [StateCollector(c, parts)])
    error_console.print(f"Metriche su http://{settings.metrics_host}:{port}/metrics")
    return port
