"""What the actors of a worker process share: the settings, the broker and the container.

A worker process (``creditbox worker``, ``dramatiq creditbox.workers.actors``) bootstraps its
container once, on the first message. In the embedded mode the process that enqueues is the one
that runs the actors (the stub broker's threads): it hands its own container over
(:func:`use_container`), so both sides share one event store and, on SQLite, one write gate.
"""

from __future__ import annotations

import atexit
import threading

import dramatiq

from creditbox.application.outbox import OutboxService
from creditbox.bootstrap import Container, bootstrap
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
            _container = bootstrap(_settings or Settings())
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
