"""The actors: what the workers do. ``dramatiq creditbox.workers.actors`` (or ``creditbox worker``)
runs them; in the embedded mode (``memory://``) the process's own worker threads do.

Importing this module sets the broker up from the settings first (``runtime.broker()``), so the
actors are declared on the configured broker whatever imports it.

- ``run_positions(company, [position ids], business_date)``: run what is due on that business date for
  a chunk of positions of one company, loaded, run and saved in one batch (the engine decides again on
  each position's state now: a payment that arrived while the message waited means no step). When
  something was recorded, it asks for the follow-up. ``run_position`` is the same for one position
  (the messages of an older version).
- ``follow_up_runs()``: the read models catch up (inline mode) and the outbox hands the new actions
  on. One follow-up waits at a time in a process (``runtime.follow_up_wanted``), queued behind the
  runs of the positions queue: a round of many positions is caught up and relayed once, not once a
  position (an inline catch-up costs the same for one position as for a hundred).
- ``send_actions([action keys])``: carry out a chunk of outbox entries through their channels, one by
  one (``OutboxService.send``; a message delivered twice changes nothing the second time, and an entry
  already sent in a chunk retried is skipped). ``send_action`` is the same for one key.

Both retry a few times with a short back-off when the worker itself fails (the database
unreachable); the business retries of a send are the outbox's own (``next attempt at``), never a
broker delay of days.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any
from uuid import UUID

import dramatiq

from creditbox.observability import metrics
from creditbox.workers import runtime
from creditbox.workers.queue import FOLLOW_UP_RUNS, RUN_POSITION, RUN_POSITIONS, SEND_ACTION, SEND_ACTIONS

log = logging.getLogger(__name__)

broker = runtime.broker()
queues = runtime.queues()

# The worker's own failures (the database unreachable): a few retries, a short back-off (milliseconds).
MAX_RETRIES = 3
MIN_BACKOFF = 1_000
MAX_BACKOFF = 60_000
WORKER_RETRIES: dict[str, Any] = {
    "broker": broker,
    "max_retries": MAX_RETRIES,
    "min_backoff": MIN_BACKOFF,
    "max_backoff": MAX_BACKOFF,
}


@dramatiq.actor(
    actor_name=RUN_POSITION,
    queue_name=queues.positions,
    **WORKER_RETRIES,
)
def run_position(company: str, position_id: str, business_date: str) -> None:
    _run(company, [position_id], business_date)


@dramatiq.actor(
    actor_name=RUN_POSITIONS,
    queue_name=queues.positions,
    **WORKER_RETRIES,
)
def run_positions(company: str, position_ids: list[str], business_date: str) -> None:
    _run(company, position_ids, business_date)


def _run(company: str, position_ids: list[str], business_date: str) -> None:
    container = runtime.container()
    ids = [UUID(position_id) for position_id in position_ids]
    report = container.dunning().run_positions(company, ids, date.fromisoformat(business_date))
    if report.changed and runtime.follow_up_wanted():
        try:
            follow_up_runs.send()
        except BaseException:
            runtime.follow_up_cancelled()
            raise


@dramatiq.actor(
    actor_name=FOLLOW_UP_RUNS,
    queue_name=queues.positions,
    **WORKER_RETRIES,
)
def follow_up_runs() -> None:
    runtime.follow_up_cancelled()  # from now on, a run that records something asks for another one
    container = runtime.container()
    container.projections.after_command()
    container.outbox().relay(container.work_queue())


@dramatiq.actor(
    actor_name=SEND_ACTION,
    queue_name=queues.actions,
    **WORKER_RETRIES,
)
def send_action(action_key: str) -> None:
    _send([action_key])


@dramatiq.actor(
    actor_name=SEND_ACTIONS,
    queue_name=queues.actions,
    **WORKER_RETRIES,
)
def send_actions(action_keys: list[str]) -> None:
    _send(action_keys)


def _send(action_keys: list[str]) -> None:
    """The chunk claimed and marked sent in one transaction each (``OutboxService.send_many``); a
    failure of the worker (the database gone) fails the message, whose retry skips the entries no
    longer pending; those left ``sending`` are the reconciliation's."""
    for outcome in runtime.outbox().send_many(action_keys):
        log.info("send_action %s: %s", outcome.action_key, outcome.result)
        metrics.ACTIONS_HANDLED.labels(outcome.result).inc()
