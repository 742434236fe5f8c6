"""A write answers with its own result whatever the read side does; /healthz shows the quarantine with
counts and ids only (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from creditbox.domain.tokens import Role
from creditbox.projections.service import ReadModels
from tests.api.conftest import BASE, Api, bill, customer, payment, supply
from tests.integration.fragile_projections import OpenItemsFailingFor, UnreachableWorklists, use_projections

# A failing read side fails differently on each backend (an aborted transaction on PostgreSQL):
# every test runs on both.
pytestmark = [pytest.mark.cli_or_api, pytest.mark.postgres_smoke]

SECRET_NAME = "Ersilia Segretissima"
SECRET_CODE = "CLIENTE-RISERVATO"


@pytest.fixture
def worklists_down(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[UnreachableWorklists]]:
    monkeypatch.setattr(UnreachableWorklists, "down", True)
    use_projections(monkeypatch, UnreachableWorklists())
    yield UnreachableWorklists


@pytest.fixture
def open_items_bug(monkeypatch: pytest.MonkeyPatch) -> type[OpenItemsFailingFor]:
    monkeypatch.setattr(OpenItemsFailingFor, "customers", {SECRET_CODE})
    use_projections(monkeypatch, OpenItemsFailingFor())
    return OpenItemsFailingFor


def test_writes_answer_their_own_result_while_a_projection_cannot_reach_its_tables(
    worklists_down: type[UnreachableWorklists], api: Api
) -> None:
    feed = api.as_(Role.FEED)
    # when the feed writes while the worklists projection fails at every catch-up
    answers = [
        feed.put(f"{BASE}/customers/C1", json=customer()).status_code,
        feed.put(f"{BASE}/supplies/S1", json=supply("C1")).status_code,
        feed.post(f"{BASE}/bills", json=bill("B1")).status_code,
        feed.post(f"{BASE}/payments", json=payment("P1", amount="20.50")).status_code,
    ]
    # then every write answers with its own result, and the other views are current
    assert all(200 <= code < 300 for code in answers), answers
    assert list(api.container.positions.load("ACQ", "C1").bills) == ["B1"]
    summary = api.as_(Role.OPERATOR).get(f"{BASE}/positions/C1").json()
    assert summary["balance"] == "100.00"
    lag = {s.name: s.lag for s in api.container.projections.status()}
    assert lag["worklists"] > 0 and lag["positions"] == 0
    # and when the tables are back, the next write catches the worklists up
    worklists_down.down = False
    assert feed.post(f"{BASE}/bills", json=bill("B2", amount="10.00")).status_code in (200, 201)
    assert all(s.lag == 0 for s in api.container.projections.status())


def test_a_write_answers_even_when_the_catch_up_itself_raises(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: ReadModels) -> int:
        raise RuntimeError("read-model database unreachable")

    monkeypatch.setattr(ReadModels, "catch_up", broken)
    feed = api.as_(Role.FEED)
    assert feed.put(f"{BASE}/customers/C1", json=customer()).status_code == 200
    assert feed.put(f"{BASE}/supplies/S1", json=supply("C1")).status_code == 200
    assert feed.post(f"{BASE}/bills", json=bill("B1")).status_code in (200, 201)
    assert list(api.container.positions.load("ACQ", "C1").bills) == ["B1"]


def test_healthz_shows_the_quarantine_by_counts_and_ids_without_personal_data(
    open_items_bug: type[OpenItemsFailingFor], api: Api
) -> None:
    feed = api.as_(Role.FEED)
    assert api.client.get("/healthz").json()["status"] == "ok"
    # given a bug of open_items on one customer, written through the feed like any other
    assert feed.put(f"{BASE}/customers/{SECRET_CODE}", json=customer(SECRET_NAME)).status_code == 200
    assert feed.put(f"{BASE}/supplies/S9", json=supply(SECRET_CODE)).status_code == 200
    assert feed.post(f"{BASE}/bills", json=bill("B9", customer_code=SECRET_CODE, supply_code="S9")).status_code in (
        200,
        201,
    )
    seed = [feed.put(f"{BASE}/customers/C1", json=customer()), feed.put(f"{BASE}/supplies/S1", json=supply("C1"))]
    assert [r.status_code for r in seed] == [200, 200]
    assert feed.post(f"{BASE}/bills", json=bill("B1")).status_code in (200, 201)
    # when a monitor asks, without a token
    health = api.client.get("/healthz")
    # then it answers 200, degraded, with counts and ids — no name, customer code or error text
    body = health.json()
    quarantined = api.container.projections.quarantined()
    assert health.status_code == 200 and body["status"] == "degraded"
    assert body["quarantined"] == len(quarantined) == 3  # the customer's first event failed, two held
    (entry,) = body["quarantine"]
    assert (entry["projection"], entry["failed"], entry["held"]) == ("open_items", 1, 2)
    assert entry["notification_ids"] == [quarantined[0].notification_id]
    assert entry["aggregate_ids"] == [quarantined[0].originator_id]
    for secret in (SECRET_NAME, SECRET_CODE, "bug in open_items"):
        assert secret not in health.text
    # the other customer's open items are current
    summary = api.as_(Role.OPERATOR).get(f"{BASE}/positions/C1").json()
    assert [i["bill_number"] for i in summary["open_items"]] == ["B1"]
    # and after the fix, a retry empties the quarantine and the health is ok again
    open_items_bug.customers = set()
    assert api.container.projections.retry().released == {"open_items": 1}
    assert api.client.get("/healthz").json() == {
        "status": "ok",
        "database": api.client.get("/healthz").json()["database"],
        "quarantined": 0,
        "quarantine": [],
    }
