"""``DramatiqQueue``: the ``WorkQueue`` port on a Dramatiq broker.

Messages carry ids and the business date only (``run_position(company, position id, ISO date)``,
``send_action(action key)``); the actors load everything else from the stores. The queue sends
messages by actor name, so a process that only enqueues (the scheduler, a test on a real broker)
needs no actor declared.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import dramatiq

from creditbox.application.ports import DueWork
from creditbox.workers.broker import Queues

RUN_POSITION = "run_position"
SEND_ACTION = "send_action"
FOLLOW_UP_RUNS = "follow_up_runs"


class DramatiqQueue:
    def __init__(self, broker: dramatiq.Broker, queues: Queues) -> None:
        self.broker = broker
        self.queues = queues
        for name in queues.all():
            broker.declare_queue(name)

    def _enqueue(self, queue_name: str, actor_name: str, *args: str) -> None:
        self.broker.enqueue(
            dramatiq.Message(queue_name=queue_name, actor_name=actor_name, args=args, kwargs={}, options={})
        )

    def run_positions(self, work: Sequence[DueWork]) -> None:
        for item in work:
            self._enqueue(
                self.queues.positions, RUN_POSITION, item.company, str(item.position_id), item.business_date.isoformat()
            )

    def send_actions(self, action_keys: Sequence[str]) -> None:
        for key in action_keys:
            self._enqueue(self.queues.actions, SEND_ACTION, key)

    def wait(self, timeout_seconds: float = 120.0) -> None:
        """Embedded mode (stub broker): until every message enqueued so far, and every message they
        enqueue in turn, has been processed. Raises ``TimeoutError`` past ``timeout_seconds``."""
        join = getattr(self.broker, "join", None)
        if join is None or not hasattr(self.broker, "queues"):
            raise TypeError("wait() è solo per il broker in memoria")
        deadline = time.monotonic() + timeout_seconds
        while True:
            for name in self.queues.all():
                remaining = max(1, int((deadline - time.monotonic()) * 1000))
                join(name, timeout=remaining, fail_fast=True)
            if all(self.broker.queues[name].unfinished_tasks == 0 for name in self.queues.all()):
                return
            if time.monotonic() > deadline:
                raise TimeoutError("coda dei lavori non svuotata in tempo")
