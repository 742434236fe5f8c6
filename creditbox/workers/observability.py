"""What the workers add to the metrics and the logs.

``MessageObservability`` (a Dramatiq middleware on every broker, in-process too): each message is
processed with its message id bound to the log records (``creditbox.observability.logs``), counted in
``creditbox_worker_messages_total`` by queue, actor and outcome, and timed in
``creditbox_worker_message_duration_seconds``.

``serve_metrics``: the exposition server of a ``creditbox worker`` group of processes. Dramatiq forks it
beside the worker processes (``--fork``); every worker process writes its values to the folder of
``PROMETHEUS_MULTIPROC_DIR`` (set by ``creditbox worker`` before they start), and the server merges them
on ``CREDITBOX_METRICS_HOST:CREDITBOX_METRICS_PORT``.
"""

from __future__ import annotations

import threading
import time
from contextvars import Token
from typing import Any

import dramatiq
from dramatiq.broker import MessageProxy
from dramatiq.middleware import Middleware

from creditbox.observability import logs, metrics

FORK_PATH = "creditbox.workers.observability:serve_metrics"


class MessageObservability(Middleware):
    def __init__(self) -> None:
        self._local = threading.local()

    def before_process_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        self._local.token = logs.message_id.set(message.message_id)
        self._local.started = time.perf_counter()

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: MessageProxy,
        *,
        result: Any = None,
        exception: BaseException | None = None,
    ) -> None:
        started = getattr(self._local, "started", None)
        if started is not None:
            metrics.MESSAGE_SECONDS.labels(message.actor_name).observe(time.perf_counter() - started)
        outcome = "failed" if exception is not None else "done"
        metrics.MESSAGES.labels(message.queue_name, message.actor_name, outcome).inc()
        token: Token[str | None] | None = getattr(self._local, "token", None)
        if token is not None:
            logs.message_id.reset(token)
            self._local.token = None
        self._local.started = None

    def after_skip_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        self.after_process_message(broker, message)


def serve_metrics() -> int:
    """The forked exposition process: serves until stopped (the group's metrics, merged)."""
    from creditbox.settings import Settings

    settings = Settings()
    if settings.metrics_port is None:
        return 0
    metrics.serve(settings.metrics_port, settings.metrics_host)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return 0
