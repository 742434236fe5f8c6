"""Races through real processes: feed clients (threads) posting bills and payments for the same
positions through a ``creditbox serve`` process, while a ``creditbox scheduler`` loop runs steps on
them and an operator confirms and a supervisor approves through the API. Version conflicts are
retried (the API's own retry, and the clients' on a 503); no update is lost: the store, the read
model and an independent tally kept by the test agree, each command is recorded once."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest

from creditbox.domain.ids import position_id
from creditbox.domain.tokens import Role
from tests.faults.conftest import Figures
from tests.faults.invariants import actions_once, balances, exactly_once, read_models_equal_a_rebuild, read_store
from tests.faults.services import free_port
from tests.faults.site import Site, stop_together
from tests.faults.world import (
    AMOUNT,
    COMPANY,
    QUICK,
    container_of,
    customers,
    given_customers,
    until_every_action_is_sent,
)

pytestmark = [pytest.mark.faults, pytest.mark.postgres]

ROUNDS = 4  # bills and payments per customer, posted while the steps run
BILL, PAYMENT = Decimal("10.00"), Decimal("3.00")  # never enough to pay the case: it goes on


def _row(seq: int, code: int, mode: str = "auto", level: int = 0, start: str = "opened") -> dict[str, Any]:
    return {
        "ladder": "GARA", "seq": seq, "action_code": code, "description": f"passo {seq}", "wait_before_days": 0,
        "start_point": start, "wait_after_days": 0, "amount_min": "0", "amount_max": None, "threshold": "10",
        "approval_level": level, "mode": mode, "customer_types": [], "services": [], "supply_types": [],
        "supply_statuses": [], "parameters": [],
    }  # fmt: skip


# Step 1: an SMS an operator confirms (a proposal); step 2, once it is sent: an e-mail a level-2
# supervisor approves.
TABLE = [_row(1, 1, "proposal"), _row(2, 2, level=2, start="previous_sent")]


@dataclass
class Tally:
    """What the test itself knows was stored: each customer's balance, the keys, the retries."""

    balance: dict[str, Decimal]
    documents: list[str] = field(default_factory=list)
    payments: list[str] = field(default_factory=list)
    confirmed: Counter[str] = field(default_factory=Counter)
    approved: Counter[str] = field(default_factory=Counter)
    retried: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def _send(client: httpx.Client, url: str, body: dict[str, Any], tally: Tally) -> httpx.Response:
    """POST until an answer that is not a 503 (the API's retries of a version conflict ran out)."""
    while True:
        response = client.post(url, json=body)
        if response.status_code != 503:
            return response
        with tally.lock:
            tally.retried += 1
        time.sleep(0.05)


def _feed(base: str, token: str, mine: list[str], tally: Tally, today: date) -> None:
    with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
        for r in range(ROUNDS):
            for code in mine:
                bill = {
                    "number": f"B-{code}-{r}", "customer_code": code, "supply_code": f"S-{code}",
                    "issue_date": "2026-11-01", "due_date": "2026-11-20", "amount": str(BILL),
                }  # fmt: skip
                answer = _send(client, f"{base}/bills", bill, tally)
                assert answer.status_code == 200 and answer.json()["accepted"] == 1, answer.text
                payment = {"payment_id": f"P-{code}-{r}", "customer_code": code, "payment_date": today.isoformat()}
                answer = _send(client, f"{base}/payments", {**payment, "amount": str(PAYMENT)}, tally)
                assert answer.status_code == 200 and answer.json()["accepted"] == 1, answer.text
                with tally.lock:
                    tally.balance[code] += BILL - PAYMENT
                    tally.documents.append(bill["number"])
                    tally.payments.append(payment["payment_id"])


def _operator(base: str, token: str, codes: list[str], step: int, verb: str, done: Counter[str], tally: Tally) -> None:
    """Confirm (or approve) step ``step`` of each customer's case as soon as it is there to be."""
    pending = list(codes)
    deadline = time.monotonic() + 150
    with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
        while pending:
            assert time.monotonic() < deadline, f"{verb}: still waiting for {pending}"
            for code in list(pending):
                answer = _send(client, f"{base}/positions/{code}/cases/S-{code}/1/steps/{step}/{verb}", {}, tally)
                # 404: no case yet; 409: the step is not a proposal (an approval) yet; 422: no such step yet.
                if answer.status_code in (404, 409, 422):
                    continue
                assert answer.status_code == 200, answer.text
                assert answer.json()["changed"] is True, answer.text  # nobody else did it
                with tally.lock:
                    done[code] += 1
                pending.remove(code)
            time.sleep(0.2)


def _threads(targets: list[Callable[[], None]]) -> list[threading.Thread]:
    errors: list[BaseException] = []

    def guarded(target: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                target()
            except BaseException as error:  # reported by the test, not lost in a thread
                errors.append(error)
                raise

        return run

    threads = [threading.Thread(target=guarded(t)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=240)
        assert not thread.is_alive(), "a client did not finish"
    assert not errors, errors
    return threads


def test_feed_clients_the_scheduler_and_operators_racing_on_the_same_positions_lose_no_update(
    site: Site, figures: Figures
) -> None:
    site.settings.update(QUICK)
    site.settings["CREDITBOX_BROKER_URL"] = "memory://"  # the scheduler's own worker threads send
    codes = customers(8)
    with container_of(site) as c:
        given_customers(c, codes)
        today = c.clock.today()
        issue = c.tokens().issue
        tokens = {
            role: issue(COMPANY, role, issued_on=today, level=2 if role is Role.SUPERVISOR else None,
                        name=f"gara-{role.value}", by="test").secret
            for role in (Role.ADMIN, Role.FEED, Role.OPERATOR, Role.SUPERVISOR)
        }  # fmt: skip
    port = free_port()
    site.serve(port)
    base = f"http://127.0.0.1:{port}/api/v1/companies/{COMPANY}"
    admin = {"Authorization": f"Bearer {tokens[Role.ADMIN]}"}
    assert httpx.put(f"{base}/actions-table", json={"rows": TABLE}, headers=admin, timeout=60).status_code == 200

    tally = Tally(balance={code: AMOUNT for code in codes})
    tally.documents += [f"B-{code}" for code in codes]
    site.creditbox("scheduler", "--every", "0.5", "--no-inbox")
    _threads(
        [
            *(lambda mine=codes[i::3]: _feed(base, tokens[Role.FEED], mine, tally, today) for i in range(3)),  # type: ignore[misc]
            lambda: _operator(base, tokens[Role.OPERATOR], codes, 1, "confirm", tally.confirmed, tally),
            lambda: _operator(base, tokens[Role.SUPERVISOR], codes, 2, "approve", tally.approved, tally),
        ]
    )
    until_every_action_is_sent(site, 2 * len(codes))
    stop_together(site.started)

    with container_of(site) as c:
        store = read_store(c, COMPANY, codes)
        found = exactly_once(tally.documents, store.documents)
        found.add(exactly_once(tally.payments, store.payments))
        found.add(balances(c, COMPANY, store, tally.balance))  # the read model, the store and the tally agree
        keys = [f"{COMPANY}/{code}/S-{code}/1/{seq}" for code in codes for seq in (1, 2)]
        found.add(exactly_once(keys, store.steps))
        found.add(actions_once(c, COMPANY, store, site.channel_dir))
        for code in codes:  # each command recorded once, as the test saw it accepted once
            names = Counter(type(e).__name__ for e in c.app.repository.event_store.get(position_id(COMPANY, code)))
            if (names["ProposalConfirmed"], names["StepApproved"]) != (1, 1):
                found.lost.append(f"{code}: confirmed {names['ProposalConfirmed']}, approved {names['StepApproved']}")
        found.add(read_models_equal_a_rebuild(c))
    assert set(tally.confirmed.values()) == {1} and set(tally.approved.values()) == {1}
    figures.rows = 3 * len(codes) + len(tally.documents) - len(codes) + len(tally.payments)
    figures.payments = sum(store.payments.values())
    figures.actions = sum(store.steps.values())
    figures.retried = tally.retried
    figures.found(found)
