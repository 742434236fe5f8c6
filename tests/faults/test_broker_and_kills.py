"""Redis restarted with messages in flight, a worker and an API process killed with SIGKILL in the
middle of their work. After recovery — the scheduler's loop and ``outbox reconcile`` going on as in
production, a restarted process, the feed client sending again what got no answer — nothing is lost
and nothing is there twice (``invariants.py``)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest

from creditbox.domain.tokens import Role
from creditbox.workers.broker import Queues
from tests.faults.conftest import Figures
from tests.faults.invariants import actions_once, balances, exactly_once, read_models_equal_a_rebuild, read_store
from tests.faults.services import PrivateRedis, free_port
from tests.faults.site import Site, kill, stop_together, wait_until
from tests.faults.world import (
    AMOUNT,
    COMPANY,
    OPENING,
    QUICK,
    container_of,
    customers,
    given_customers,
    outbox_statuses,
    sms_of,
    until_every_action_is_sent,
    wait_for_notifications,
)
from tests.integration.brokers import amqp_test_url, forget_amqp_queues, require

pytestmark = [pytest.mark.faults, pytest.mark.postgres, pytest.mark.redis]

PAYMENTS = 4  # per customer
SCHEDULER = ("scheduler", "--as-of", OPENING.isoformat(), "--every", "1", "--no-inbox")


def _every_due_step_once(site: Site, figures: Figures, codes: list[str]) -> None:
    with container_of(site) as c:
        store = read_store(c, COMPANY, codes)
        found = exactly_once([sms_of(code) for code in codes], store.steps)  # no due step forgotten
        found.add(actions_once(c, COMPANY, store, site.channel_dir))
        found.add(balances(c, COMPANY, store))
        found.add(read_models_equal_a_rebuild(c))
    figures.rows = 3 * len(codes)
    figures.actions = sum(store.steps.values())
    figures.found(found)


def test_redis_restarted_with_messages_in_flight_every_due_step_is_run_and_sent_once(
    site: Site, private_redis: PrivateRedis, figures: Figures
) -> None:
    site.settings.update(QUICK)
    codes = customers(30)
    with container_of(site) as c:
        given_customers(c, codes)
    before = wait_for_notifications(site.database_url, 1)
    site.workers(processes=1, threads=1)  # slow on purpose: most messages wait in Redis
    code, out = site.run("scheduler", "--once", "--as-of", OPENING.isoformat(), "--no-inbox")
    assert code == 0, out  # every due position handed to the workers
    wait_for_notifications(site.database_url, before + 10)  # the first steps are recorded
    assert outbox_statuses(site.database_url).get("sent", 0) < len(codes)  # many are still in the queue
    private_redis.restart(down_seconds=1.0)  # the queued messages are gone with it
    figures.faults += 1
    # Recovery as in production: the scheduler's loop claims again what its leases no longer hold and
    # relays again the entries whose hold expired; the workers reconnect.
    scheduler = site.creditbox(*SCHEDULER)
    until_every_action_is_sent(site, len(codes))
    stop_together([scheduler, *site.started])
    _every_due_step_once(site, figures, codes)


@pytest.fixture(params=["redis", "rabbitmq"])
def broker(request: pytest.FixtureRequest, site: Site) -> Iterator[str]:
    """The test's private Redis, or the shared RabbitMQ (never restarted: only this test's queues,
    deleted afterwards; a worker killed there is a dropped connection, its messages redelivered at once)."""
    if request.param == "redis":
        yield site.broker_url
        return
    url = require(amqp_test_url(), 5672, "RabbitMQ")
    site.broker_url = url
    yield url
    site.stop_all()
    forget_amqp_queues(url, Queues(site.prefix).all())


def test_a_worker_killed_mid_command_loses_no_step_and_sends_none_twice(
    site: Site, broker: str, figures: Figures
) -> None:
    site.settings.update(QUICK)
    codes = customers(30)
    with container_of(site) as c:
        given_customers(c, codes)
    before = wait_for_notifications(site.database_url, 1)
    workers = site.workers(processes=2, threads=2)
    scheduler = site.creditbox(*SCHEDULER)
    wait_for_notifications(site.database_url, before + 15)  # the workers are running positions and sending
    kill(workers)  # SIGKILL to the main process and its worker processes, whatever they were doing
    figures.faults += 1
    site.workers(processes=2, threads=2)  # started again, as a supervisor would
    until_every_action_is_sent(site, len(codes))
    stop_together([scheduler, *site.started])
    _every_due_step_once(site, figures, codes)


def test_an_api_process_killed_mid_command_then_the_feed_sends_again_every_payment_is_stored_once(
    site: Site, figures: Figures
) -> None:
    codes = customers(15)
    with container_of(site) as c:
        given_customers(c, codes)
        token = c.tokens().issue(COMPANY, Role.FEED, issued_on=c.clock.today(), name="feed", by="test").secret
    port = free_port()
    server = site.serve(port)
    base = f"http://127.0.0.1:{port}/api/v1/companies/{COMPANY}"
    tally: dict[str, Decimal] = {code: AMOUNT for code in codes}
    lock = threading.Lock()
    answered = threading.Event()
    sent: list[str] = []
    today = c.clock.today().isoformat()

    def feed(mine: list[str]) -> None:
        """A feed client: each payment sent until it gets an answer (what the billing system does)."""
        with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
            for n in range(PAYMENTS):
                for code in mine:
                    payment = {"payment_id": f"P-{code}-{n}", "customer_code": code, "payment_date": today}
                    payment["amount"] = "7.50"
                    while True:
                        try:
                            response = client.post(f"{base}/payments", json=payment)
                        except httpx.TransportError:
                            wait_until(lambda: _up(port), "the API to be back", 120)
                            continue
                        if response.status_code in (502, 503):
                            continue
                        assert response.status_code == 200, response.text
                        outcome = response.json()["results"][0]["outcome"]
                        # "unchanged": a copy sent before the kill was stored, and its answer lost.
                        assert outcome in ("accepted", "unchanged"), response.text
                        with lock:
                            tally[code] -= Decimal("7.50")
                            sent.append(payment["payment_id"])
                            if len(sent) >= 20:
                                answered.set()
                        break

    clients = [threading.Thread(target=feed, args=(codes[i::3],)) for i in range(3)]
    for client in clients:
        client.start()
    assert answered.wait(120)  # the feed is well under way
    kill(server)  # SIGKILL mid-request
    figures.faults += 1
    site.serve(port)  # started again on the same port
    for client in clients:
        client.join(timeout=180)
        assert not client.is_alive()

    expected = [f"P-{code}-{n}" for code in codes for n in range(PAYMENTS)]
    with container_of(site) as c:
        store = read_store(c, COMPANY, codes)
        found = exactly_once(expected, store.payments)
        found.add(balances(c, COMPANY, store, tally))  # the store, the read model and the client's tally agree
        found.add(read_models_equal_a_rebuild(c))
    figures.rows = 3 * len(codes) + len(expected)
    figures.payments = sum(store.payments.values())
    figures.found(found)


def _up(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code in (200, 503)
    except httpx.TransportError:
        return False
