"""``DramatiqQueue``: the ``WorkQueue`` port on a Dramatiq broker.

Messages carry ids and the business date only; the actors load everything else from the stores.
The work is sent in **chunks**: one ``run_positions(company, [position ids], ISO date)`` message for up
to ``position_chunk`` positions of one company and business date, one ``send_actions([action keys])``
message for up to ``action_chunk`` outbox entries. A message costs the broker the same whether it
carries one id or fifty, and a chunk of positions is loaded, run and saved in one batch by
``DunningService.run_positions``: chunks are what make a round of thousands of positions cheap.
Every id in a chunk is handled on its own terms (a position already run, an entry already sent is a
no-op), so a chunk delivered twice or retried after a partial failure changes nothing twice.

The queue sends messages by actor name, so a process that only enqueues (the scheduler, a test on a
real broker) needs no actor declared. The single-id actors (``run_position``, ``send_action``) stay
declared for the messages of an older version still in a queue.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence

import dramatiq

from creditbox.application.ports import DueWork
from creditbox.workers.broker import Queues

RUN_POSITION = "run_position"
SEND_ACTION = "send_action"
RUN_POSITIONS = "run_positions"
SEND_ACTIONS = "send_actions"
POSITION_CHUNK = 50
ACTION_CHUNK = 50
FOLLOW_UP_RUNS = "follow_up_runs"


class DramatiqQueue:
    def __init__(
        self,
        broker: dramatiq.Broker,
        queues: Queues,
        *,
        position_chunk: int = POSITION_CHUNK,
        action_chunk: int = ACTION_CHUNK,
    ) -> None:
        self.broker = broker
        self.queues = queues
        self.position_chunk = max(1, position_chunk)
        self.action_chunk = max(1, action_chunk)
        for name in queues.all():
            broker.declare_queue(name)

    def _enqueue(self, queue_name: str, actor_name: str, *args: object) -> None:
        self.broker.enqueue(
            dramatiq.Message(queue_name=queue_name, actor_name=actor_name, args=args, kwargs={}, options={})
        )

    def run_positions(self, work: Sequence[DueWork]) -> None:
        """One message per chunk of positions of the same company and business date."""
        groups: dict[tuple[str, str], dict[str, None]] = defaultdict(dict)
        for item in work:  # each id once per chunk, in order
            groups[(item.company, item.business_date.isoformat())][str(item.position_id)] = None
        for (company, business_date), ids in groups.items():
            for chunk in _chunks(list(ids), self.position_chunk):
                self._enqueue(self.queues.positions, RUN_POSITIONS, company, chunk, business_date)

    def send_actions(self, action_keys: Sequence[str]) -> None:
        """One message per chunk of action keys."""
        for chunk in _chunks(list(dict.fromkeys(action_keys)), self.action_chunk):
            self._enqueue(self.queues.actions, SEND_ACTIONS, chunk)

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


def _chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[start : start + size] for start in range(0, len(items), size)]
