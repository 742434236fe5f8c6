"""What the actors of a worker process share: the settings, the broker and the container.

A worker process (``creditbox worker``, ``dramatiq creditbox.workers.actors``) bootstraps its
container once, on the first message. In the embedded mode the process that enqueues is the one
that runs the actors (the stub broker's threads): it hands its own container over
(:func:`use_container`), so both sides share one event store and, on SQLite, one write gate.
"""

from __future__ import annotations

import atexit
import threading
import time

import dramatiq

from creditbox.application.outbox import OutboxService
from creditbox.bootstrap import Container, bootstrap
from creditbox.observability import logs
from creditbox.settings import Settings
from creditbox.workers import crash_points
from creditbox.workers.broker import Queues, setup_broker

_lock = threading.Lock()
_settings: Settings | None = None
_container: Container | None = None
_owned = False


def settings() -> Settings:
    global _settings
    with _lock:
        if _settings is None:
            _settings = Settings()
        return _settings


def use_settings(given: Settings) -> None:
    """The settings of this process, before the broker is set up (the embedded mode passes its own)."""
    global _settings
    with _lock:
        _settings = given


def broker() -> dramatiq.Broker:
    return setup_broker(settings().broker_url)


def queues() -> Queues:
    return Queues(settings().queue_prefix)


# The follow-up of the runs (read models caught up, outbox relayed): at most one waiting per process.
# A request older than this is renewed: with several worker processes, another one may have taken the
# message (and cleared its own flag, not this one's).
FOLLOW_UP_RENEW_SECONDS = 5.0
_follow_up_requested: float | None = None


def follow_up_wanted() -> bool:
    """True when the caller should enqueue the follow-up of its run: none is waiting in this process
    (or the one asked is older than ``FOLLOW_UP_RENEW_SECONDS``). A burst of runs thus asks one
    follow-up, which runs after them and catches up and relays for all of them at once."""
    global _follow_up_requested
    now = time.monotonic()
    with _lock:
        if _follow_up_requested is not None and now - _follow_up_requested < FOLLOW_UP_RENEW_SECONDS:
            return False
        _follow_up_requested = now
        return True


def follow_up_cancelled() -> None:
    """The follow-up asked could not be enqueued, or has started: the next run asks again."""
    global _follow_up_requested
    with _lock:
        _follow_up_requested = None


def use_container(container: Container) -> None:
    """Run the actors of this process on ``container`` (the embedded mode: the caller's own)."""
    global _container, _owned
    with _lock:
        _container, _owned = container, False


def container() -> Container:
    """This process's container: the one handed over, else bootstrapped once from the settings."""
    global _container, _owned
    with _lock:
        if _container is None:
            given = _settings or Settings()
            if given.log_format == "json":  # a worker process of its own: its records as JSON lines
                logs.configure(given.log_format, given.log_level)
            _container = bootstrap(given)
            _owned = True
            atexit.register(_close)
        return _container


def outbox() -> OutboxService:
    """The outbox service of this process's actors (with the fault tests' crash hook when the
    ``test_crash_at`` setting asks for one: see ``crash_points``)."""
    current = container()
    return crash_points.install(current.outbox(), current.settings.test_crash_at)


def _close() -> None:
    global _container
    with _lock:
        if _container is not None and _owned:
            _container.close()
        _container = None
