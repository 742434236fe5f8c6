"""Queries: position summary, pages of positions with filters and cursors, ageing, history as of a date."""

from __future__ import annotations

from creditbox.domain.tokens import Role
from tests.api.conftest import BASE, Api, bill, customer, payment, seed_customer, supply


def feed_three_customers(api: Api) -> None:
    feed = api.as_(Role.FEED)
    for code, kind, amount in (("C1", 1, "120.50"), ("C2", 2, "300.00"), ("C3", 1, "45.00")):
        feed.put(f"{BASE}/customers/{code}", json=customer(f"Cliente {code}", kind))
        feed.put(f"{BASE}/supplies/S{code}", json=supply(code))
        feed.post(f"{BASE}/bills", json=bill(f"B{code}", code, f"S{code}", amount=amount))
    feed.post(f"{BASE}/payments", json=payment("P1", "C3", amount="45.00"))


def test_the_summary_has_balance_overdue_open_items_and_cases(api: Api) -> None:
    seed_customer(api)
    feed = api.as_(Role.FEED)
    feed.post(f"{BASE}/bills", json=[bill("B1"), bill("B2", issue="2026-02-01", due="2026-03-31", amount="80.00")])
    feed.post(f"{BASE}/payments", json=payment("P1", amount="20.50"))

    summary = api.as_(Role.OPERATOR).get(f"{BASE}/positions/C1").json()

    assert (summary["balance"], summary["overdue"]) == ("180.00", "100.00")
    assert [(i["bill_number"], i["residual"], i["days_overdue"]) for i in summary["open_items"]] == [
        ("B1", "100.00", 30),
        ("B2", "80.00", 0),
    ]
    assert summary["customer"]["name"] == "Mario Rossi" and summary["cases"] == []
    assert api.as_(Role.OPERATOR).get(f"{BASE}/positions/NOPE").status_code == 404


def test_positions_are_filtered_and_paged_by_cursor(api: Api) -> None:
    feed_three_customers(api)
    reader = api.as_(Role.AUDITOR)

    first = reader.get(f"{BASE}/positions", params={"limit": 1}).json()
    second = reader.get(f"{BASE}/positions", params={"limit": 1, "cursor": first["next_cursor"]}).json()
    large = reader.get(f"{BASE}/positions", params={"overdue_min": "100.00"}).json()
    domestic = reader.get(f"{BASE}/positions", params={"customer_type": 1}).json()
    old = reader.get(f"{BASE}/positions", params={"days_overdue_min": 25, "overdue_min": "1"}).json()
    bad_cursor = reader.get(f"{BASE}/positions", params={"cursor": "nonsense"})

    assert [p["customer_code"] for p in first["items"]] == ["C2"]
    assert [p["customer_code"] for p in second["items"]] == ["C1"]
    assert [p["customer_code"] for p in large["items"]] == ["C2", "C1"]
    assert sorted(p["customer_code"] for p in domestic["items"]) == ["C1", "C3"]
    assert [p["days_overdue"] for p in old["items"]] == [30, 30]
    assert bad_cursor.status_code == 422


def test_ageing_buckets_the_open_items(api: Api) -> None:
    feed_three_customers(api)

    ageing = api.as_(Role.OPERATOR).get(f"{BASE}/ageing").json()

    assert ageing["total"] == "420.50"
    assert sum(b["count"] for b in ageing["buckets"]) == 2
    assert next(b for b in ageing["buckets"] if b["amount"] != "0.00")["amount"] == "420.50"


def test_worklists_refuse_an_unknown_kind(api: Api) -> None:
    response = api.as_(Role.OPERATOR).get(f"{BASE}/worklists", params={"kind": "nonsense"})

    assert response.status_code == 422
    assert "nonsense" in response.json()["detail"]


def test_history_as_of_replays_only_the_events_up_to_that_business_date(api: Api) -> None:
    seed_customer(api)
    feed = api.as_(Role.FEED)
    feed.post(f"{BASE}/bills", json=bill("B1", issue="2026-01-01", due="2026-01-31", amount="100.00"))
    feed.post(f"{BASE}/payments", json=payment("P1", paid="2026-02-10", amount="40.00"))
    feed.post(f"{BASE}/bills", json=bill("B2", issue="2026-02-15", due="2026-03-15", amount="50.00"))
    auditor = api.as_(Role.AUDITOR)

    everything = auditor.get(f"{BASE}/positions/C1/history").json()
    on_feb_1 = auditor.get(f"{BASE}/positions/C1/history", params={"as_of": "2026-02-01"}).json()
    on_feb_12 = auditor.get(f"{BASE}/positions/C1/history", params={"as_of": "2026-02-12"}).json()
    before = auditor.get(f"{BASE}/positions/C1/history", params={"as_of": "2025-12-01"}).json()

    assert [e["type"] for e in everything["events"]] == [
        "CustomerRegistered",
        "SupplyRegistered",
        "BillIssued",
        "PaymentReceived",
        "BillIssued",
    ]
    assert [e["version"] for e in everything["events"]] == [1, 2, 3, 4, 5]
    assert everything["events"][3]["business_date"] == "2026-02-10"
    assert everything["events"][3]["data"]["amount"] == "40.00"
    assert [e["type"] for e in on_feb_1["events"]] == ["CustomerRegistered", "SupplyRegistered", "BillIssued"]
    assert (on_feb_1["position"]["balance"], on_feb_1["position"]["overdue"]) == ("100.00", "100.00")
    assert (on_feb_12["position"]["balance"], on_feb_12["position"]["overdue"]) == ("60.00", "60.00")
    assert everything["position"]["balance"] == "110.00"
    assert before["events"] == [] and before["position"] is None
    assert api.as_(Role.FEED).get(f"{BASE}/positions/C1/history").status_code == 403
