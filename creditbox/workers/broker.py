"""The Dramatiq broker of this process, from ``CREDITBOX_BROKER_URL``, set before any actor is declared.

- ``memory://`` (the embedded default): Dramatiq's ``StubBroker``; its worker threads run inside the
  process (:func:`embedded_worker`), so the CLI, ``make demo`` and the tests need no service.
- ``redis://…`` (or ``rediss://``): ``RedisBroker``.
- ``amqp://…`` (or ``amqps://``): ``RabbitmqBroker`` with publisher confirms (``confirm_delivery``):
  an enqueue returns only once RabbitMQ has the message.

Broker delays are for short retries only (seconds to minutes); business waits of days are rows of the
due index, claimed by the scheduler.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import dramatiq
from dramatiq.brokers.stub import StubBroker

from creditbox.workers.observability import MessageObservability

MEMORY = "memory://"


class UnknownBroker(ValueError):
    """``CREDITBOX_BROKER_URL`` names no broker we know (``memory://``, ``redis://``, ``amqp://``)."""


@dataclass(frozen=True)
class Queues:
    """The queue names of this installation (``<prefix>.positions``, ``<prefix>.actions``)."""

    prefix: str

    @property
    def positions(self) -> str:
        return f"{self.prefix}.positions"

    @property
    def actions(self) -> str:
        return f"{self.prefix}.actions"

    def all(self) -> tuple[str, str]:
        return (self.positions, self.actions)


def is_embedded(url: str) -> bool:
    return url.strip().lower().startswith(MEMORY)


def make_broker(url: str) -> dramatiq.Broker:
    """A new broker for ``url`` (see the module's docstring)."""
    scheme = url.strip().split(":", 1)[0].lower()
    if is_embedded(url):
        return StubBroker()
    if scheme in ("redis", "rediss", "unix"):
        from dramatiq.brokers.redis import RedisBroker

        return RedisBroker(url=url)
    if scheme in ("amqp", "amqps"):
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        return RabbitmqBroker(url=url, confirm_delivery=True)
    raise UnknownBroker(f"CREDITBOX_BROKER_URL non valido: {scheme!r} (usare memory://, redis://… o amqp://…)")


_lock = threading.Lock()
_configured: tuple[str, dramatiq.Broker] | None = None


def setup_broker(url: str) -> dramatiq.Broker:
    """The process's broker for ``url``, made and set as Dramatiq's global broker the first time
    (before ``creditbox.workers.actors`` declares its actors on it); the same one afterwards."""
    global _configured
    with _lock:
        if _configured is None:
            broker = make_broker(url)
            broker.add_middleware(MessageObservability())
            dramatiq.set_broker(broker)
            _configured = (url, broker)
        elif _configured[0] != url:
            raise UnknownBroker(f"broker già configurato su {_configured[0]!r}, richiesto {url!r}")
        return _configured[1]


_embedded: dramatiq.Worker | None = None


def embedded_worker(broker: dramatiq.Broker, threads: int) -> dramatiq.Worker:
    """The worker threads of the in-process broker, started once per process."""
    global _embedded
    with _lock:
        if _embedded is None:
            _embedded = dramatiq.Worker(broker, worker_threads=threads, worker_timeout=100)
            _embedded.start()
        return _embedded
