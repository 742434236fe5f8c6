"""What the readiness check and the metrics read from the database and the broker.

``StateCollector``: Prometheus gauges computed when scraped — the outbox's actions by channel and
status, the due index's backlog (positions due by today), each projection's lag and position, the
quarantined events per projection, the broker's queue depth. Each part is read on its own: one that
fails is left out of that scrape (and logged), the others are still exposed.

``readiness(container)``: the checks of ``/readyz`` — the event store answers, the read-model schema
is at the migrations' head, the projections are within ``ready_max_projection_lag`` events of the log
with nothing quarantined, the broker answers. Counts and names only: no personal data.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from creditbox.infrastructure.migrations import alembic_config
from creditbox.projections.schema import due_index, outbox

if TYPE_CHECKING:
    from creditbox.bootstrap import Container

log = logging.getLogger(__name__)

OUTBOX, DUE, PROJECTIONS, QUEUES = "outbox", "due_index", "projections", "queues"
ALL_PARTS = (OUTBOX, DUE, PROJECTIONS, QUEUES)


class StateCollector(Collector):
    """Gauges read at scrape time from ``container`` (``parts``: which of them this process exposes)."""

    def __init__(self, container: Container, parts: Iterable[str] = ALL_PARTS) -> None:
        self.container = container
        self.parts = tuple(parts)

    def describe(self) -> list[Any]:
        return []  # computed at scrape time: nothing to check at registration

    def collect(self) -> Iterator[GaugeMetricFamily]:
        readers: dict[str, Callable[[], list[GaugeMetricFamily]]] = {
            OUTBOX: self._outbox,
            DUE: self._due,
            PROJECTIONS: self._projections,
            QUEUES: self._queues,
        }
        for part in self.parts:
            try:
                yield from readers[part]()
            except Exception as error:  # one unreadable part must not hide the others
                log.warning("metrics: %s not readable (%s)", part, type(error).__name__)

    def _outbox(self) -> list[GaugeMetricFamily]:
        gauge = GaugeMetricFamily(
            "creditbox_outbox_actions",
            "Azioni nell'outbox, per azienda, canale e stato",
            labels=["company", "channel", "status"],
        )
        c = outbox.c
        query = select(c.company, c.channel, c.status, func.count()).group_by(c.company, c.channel, c.status)
        self.container.projections.ensure_schema()
        with self.container.projections.engine.connect() as conn:
            for company, channel, status, count in conn.execute(query):
                gauge.add_metric([company, channel, status], int(count))
        return [gauge]

    def _due(self) -> list[GaugeMetricFamily]:
        gauge = GaugeMetricFamily(
            "creditbox_due_positions", "Posizioni dovute entro oggi nell'indice delle scadenze (arretrato)",
            labels=["company"],
        )  # fmt: skip
        t = due_index.c
        today = self.container.clock.today()
        query = select(t.company, func.count()).where(t.wake_on <= today).group_by(t.company)
        self.container.projections.ensure_schema()
        with self.container.projections.engine.connect() as conn:
            for company, count in conn.execute(query):
                gauge.add_metric([company], int(count))
        return [gauge]

    def _projections(self) -> list[GaugeMetricFamily]:
        lag = GaugeMetricFamily(
            "creditbox_projection_lag_events", "Eventi non ancora applicati, per proiezione", labels=["projection"]
        )
        position = GaugeMetricFamily(
            "creditbox_projection_position", "Ultima notifica applicata, per proiezione", labels=["projection"]
        )
        quarantined = GaugeMetricFamily(
            "creditbox_quarantined_events", "Eventi in quarantena, per proiezione e tipo (failed, held)",
            labels=["projection", "kind"],
        )  # fmt: skip
        for status in self.container.projections.status():
            lag.add_metric([status.name], status.lag)
            position.add_metric([status.name], status.position)
            quarantined.add_metric([status.name, "failed"], status.quarantined.failed)
            quarantined.add_metric([status.name, "held"], status.quarantined.held)
        return [lag, position, quarantined]

    def _queues(self) -> list[GaugeMetricFamily]:
        gauge = GaugeMetricFamily("creditbox_queue_depth", "Messaggi in attesa nella coda del broker", labels=["queue"])
        for queue, depth in queue_depths(self.container).items():
            gauge.add_metric([queue], depth)
        return [gauge]


def queue_depths(container: Container) -> dict[str, int]:
    """Messages waiting in each of the workers' queues (Redis: the list's length; RabbitMQ: the queue's
    message count; in-process broker: its queue's size)."""
    from creditbox.workers.broker import Queues, setup_broker

    broker = setup_broker(container.settings.broker_url)
    depths: dict[str, int] = {}
    for name in Queues(container.settings.queue_prefix).all():
        depths[name] = _depth(broker, name)
    return depths


def _depth(broker: Any, name: str) -> int:
    counts = getattr(broker, "get_queue_message_counts", None)
    if counts is not None:  # RabbitMQ: (ready, delayed, dead-lettered)
        ready, _delayed, _dead = counts(name)
        return int(ready)
    queues = getattr(broker, "queues", None)
    if isinstance(queues, dict):  # the in-process stub broker
        queue = queues.get(name)
        return int(queue.qsize()) if queue is not None else 0
    client = getattr(broker, "client", None)
    if client is not None:  # Redis: the queue is the list <namespace>:<queue>
        namespace = getattr(broker, "namespace", "dramatiq")
        return int(client.llen(f"{namespace}:{name}"))
    return 0


# ---- readiness ---------------------------------------------------------------------------------


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    data: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail, **self.data}


# Each check runs in a daemon thread of its own, waited for at most ``ready_check_timeout_seconds``: a
# database that does not answer (its pool waiting, its retries) makes the check fail fast instead of
# hanging the probe. A check still running when its time is up finishes in its thread, its answer
# dropped; at most ``_MAX_STUCK`` may be left running at once (past them a check is not even started).
_MAX_STUCK = 8
_running = threading.BoundedSemaphore(_MAX_STUCK)


def readiness(container: Container) -> list[Check]:
    """Every check, each in its own ``try`` (one failing says what, the others still run)."""
    timeout = container.settings.ready_check_timeout_seconds
    checks = []
    for name, run in (
        ("database", _database),
        ("migrations", _migrations),
        ("projections", _projection_lag),
        ("broker", _broker),
    ):
        checks.append(_timed(name, run, container, timeout))
        if name == "database" and not checks[-1].ok:  # nothing else can be read
            checks += [
                Check(n, False, "non verificabile: database non raggiungibile") for n in ("migrations", "projections")
            ]
            checks.append(_timed("broker", _broker, container, timeout))
            break
    return checks


def _timed(name: str, run: Callable[[Container], Check], container: Container, timeout: float) -> Check:
    started = time.perf_counter()
    if not _running.acquire(blocking=False):
        return Check(name, False, "controlli precedenti ancora senza risposta", {"seconds": 0.0})
    outcome: list[Check] = []
    done = threading.Event()

    def target() -> None:
        try:
            outcome.append(run(container))
        except Exception as error:
            outcome.append(Check(name, False, f"non raggiungibile: {type(error).__name__}"))
        finally:
            _running.release()
            done.set()

    threading.Thread(target=target, name=f"creditbox-readyz-{name}", daemon=True).start()
    check = (
        outcome[0] if done.wait(timeout) and outcome else Check(name, False, f"nessuna risposta entro {timeout:g} s")
    )
    check.data["seconds"] = round(time.perf_counter() - started, 4)
    return check


def _database(container: Container) -> Check:
    head = container.app.recorder.max_notification_id() or 0
    return Check("database", True, "raggiungibile", {"events": int(head)})


def _migrations(container: Container) -> Check:
    if container.settings.projections == "inline":
        # The embedded mode migrates its own schema on first use (``ensure_schema``): do it now. With
        # external projectors the schema is migrated by the deployment (``creditbox db upgrade``):
        # until then the process is not ready.
        container.projections.ensure_schema()
    expected = ScriptDirectory.from_config(alembic_config(container.database)).get_current_head()
    with container.projections.engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    ok = current == expected
    detail = "schema aggiornato" if ok else f"schema alla revisione {current}, attesa {expected}"
    return Check("migrations", ok, detail, {"current": current, "head": expected})


def _projection_lag(container: Container) -> Check:
    limit = container.settings.ready_max_projection_lag
    behind: dict[str, int] = {}
    quarantined: dict[str, int] = {}
    for status in container.projections.status():
        behind[status.name] = status.lag
        if status.quarantined.failed or status.quarantined.held:
            quarantined[status.name] = status.quarantined.failed + status.quarantined.held
    late = {name: lag for name, lag in behind.items() if lag > limit}
    ok = not late and not quarantined
    if ok:
        detail = f"proiezioni entro {limit} eventi dal registro"
    else:
        parts = [f"{name} indietro di {lag} eventi" for name, lag in sorted(late.items())]
        parts += [f"{name}: {count} eventi in quarantena" for name, count in sorted(quarantined.items())]
        detail = "; ".join(parts)
    return Check("projections", ok, detail, {"lag": behind, "quarantined": quarantined, "max_lag": limit})


def _broker(container: Container) -> Check:
    from creditbox.workers.broker import is_embedded

    url = container.settings.broker_url
    if is_embedded(url):
        return Check("broker", True, "in-process (memory://)")
    depths = queue_depths(container)
    return Check("broker", True, "raggiungibile", {"queues": depths})
