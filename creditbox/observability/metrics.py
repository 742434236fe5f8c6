"""The Prometheus metrics every CreditBox process counts, and how a process exposes them.

Counters and histograms are process-wide (``prometheus_client``'s default registry). A process with
several worker processes (``creditbox worker``, ``creditbox serve --workers N``) runs in the library's
multiprocess mode: ``PROMETHEUS_MULTIPROC_DIR`` is set before the workers start, each writes its own
values there, and the exposition merges them (``exposition``).

Labels carry no personal data and no unbounded value: route templates (``/api/v1/companies/{company}/
positions/{customer_code}``, never the path itself), sheet names, channel and status codes, projection
names, actor and queue names. Company codes appear only on the gauges read from the database.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from typing import Any, Protocol

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    start_http_server,
)
from prometheus_client.registry import Collector

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST

if os.environ.get(MULTIPROCESS_ENV):  # multiprocess mode: the metrics below open their files there
    os.makedirs(os.environ[MULTIPROCESS_ENV], exist_ok=True)

HTTP_REQUESTS = Counter(
    "creditbox_http_requests_total", "Richieste HTTP servite, per metodo, percorso (modello) e stato",
    ["method", "route", "status"],
)  # fmt: skip
HTTP_SECONDS = Histogram(
    "creditbox_http_request_duration_seconds", "Durata delle richieste HTTP, per metodo e percorso (modello)",
    ["method", "route"], buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)  # fmt: skip
IMPORTS = Counter(
    "creditbox_imports_total", "File del gestionale importati, per esito (imported, already_imported, refused)",
    ["outcome"],
)  # fmt: skip
IMPORT_ROWS = Counter(
    "creditbox_import_rows_total", "Righe importate, per foglio e risultato (accepted, unchanged, rejected)",
    ["sheet", "result"],
)  # fmt: skip
IMPORT_REJECTIONS = Counter(
    "creditbox_import_rejections_total", "Righe scartate dalle importazioni, per foglio", ["sheet"]
)
IMPORT_SECONDS = Histogram(
    "creditbox_import_duration_seconds", "Durata delle importazioni",
    buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800),
)  # fmt: skip
MESSAGES = Counter(
    "creditbox_worker_messages_total", "Messaggi elaborati dai worker, per coda, attore ed esito (done, failed)",
    ["queue", "actor", "outcome"],
)  # fmt: skip
MESSAGE_SECONDS = Histogram(
    "creditbox_worker_message_duration_seconds", "Durata dell'elaborazione di un messaggio, per attore",
    ["actor"], buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)  # fmt: skip
ACTIONS_HANDLED = Counter(
    "creditbox_actions_handled_total",
    "Azioni dell'outbox trattate dai worker, per esito (sent, retry, failed, skipped); per canale e stato: "
    "creditbox_outbox_actions",
    ["result"],
)
SCHEDULER_ROUNDS = Counter("creditbox_scheduler_rounds_total", "Giri dello scheduler completati")
SCHEDULER_POSITIONS = Counter(
    "creditbox_scheduler_positions_total", "Posizioni dovute consegnate ai worker dallo scheduler"
)
PROJECTION_EVENTS = Counter(
    "creditbox_projection_events_total", "Eventi applicati dai proiettori (tutte le proiezioni)"
)


class ImportOutcome(Protocol):
    """What an import result gives the metrics (``ImportResult``)."""

    already_imported: bool

    @property
    def sheets(self) -> Any: ...


def observe_import(result: ImportOutcome, seconds: float) -> None:
    IMPORTS.labels("already_imported" if result.already_imported else "imported").inc()
    IMPORT_SECONDS.observe(seconds)
    for sheet, counts in result.sheets.items():
        for outcome in ("accepted", "unchanged", "rejected"):
            value = int(getattr(counts, outcome, 0) or 0)
            if value:
                IMPORT_ROWS.labels(sheet, outcome).inc(value)
        rejected = int(getattr(counts, "rejected", 0) or 0)
        if rejected:
            IMPORT_REJECTIONS.labels(sheet).inc(rejected)


def observe_refused_import() -> None:
    IMPORTS.labels("refused").inc()


def multiprocess() -> bool:
    return bool(os.environ.get(MULTIPROCESS_ENV))


def exposition(extra: Iterable[Collector] = ()) -> bytes:
    """The text exposition of this process's metrics (merged across worker processes in multiprocess
    mode) and of ``extra`` collectors (the gauges read from the database at scrape time)."""
    registry: CollectorRegistry
    if multiprocess():
        from prometheus_client import multiprocess as mp

        registry = CollectorRegistry()
        mp.MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        registry.register(_Default())
    for collector in extra:
        registry.register(collector)
    return generate_latest(registry)


class _Default(Collector):
    """The default registry's metrics (counters, histograms, process and platform), re-exposed."""

    def collect(self) -> Iterable[Any]:
        return REGISTRY.collect()


_served: dict[int, Any] = {}
_serve_lock = threading.Lock()


def serve(port: int, host: str, extra: Iterable[Collector] = ()) -> int:
    """Expose this process's metrics on ``http://host:port/metrics`` (a thread of the process), once per
    port (port 0: a free one, each time); ``extra`` collectors are added to the default registry. Returns
    the port listened on."""
    with _serve_lock:
        if port and port in _served:
            return port
        for collector in extra:
            REGISTRY.register(collector)
        if multiprocess():
            from prometheus_client import multiprocess as mp

            registry = CollectorRegistry()
            mp.MultiProcessCollector(registry)
            server, _thread = start_http_server(port, addr=host, registry=registry)
        else:
            server, _thread = start_http_server(port, addr=host)
        listening = int(server.server_port)
        _served[listening] = server
        return listening
