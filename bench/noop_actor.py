"""The bare Dramatiq actor of ``bench_workers``: it does nothing. The bench runs it as
``dramatiq bench.noop_actor`` on the broker of ``BENCH_NOOP_BROKER_URL`` (made as CreditBox makes
its own: ``creditbox.workers.broker.make_broker``), on the queue ``BENCH_NOOP_QUEUE``."""

from __future__ import annotations

import os

import dramatiq

from creditbox.workers.broker import make_broker

ACTOR = "noop"

broker = make_broker(os.environ["BENCH_NOOP_BROKER_URL"])
dramatiq.set_broker(broker)


@dramatiq.actor(actor_name=ACTOR, queue_name=os.environ["BENCH_NOOP_QUEUE"], broker=broker, max_retries=0)
def noop() -> None:
    return None
