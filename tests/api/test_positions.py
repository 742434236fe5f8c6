"""Queries: position summary, pages of positions with filters and cursors, ageing, history as of a date."""

from __future__ import annotations

import pytest

from creditbox.domain.tokens import Role
from tests.api.conftest import BASE, Api, bill, customer, payment, seed_customer, supply

pytestmark = pytest.mark.cli_or_api


def feed_three_customers(api: Api) -> None:
    feed = api.as_(Role.FEED)
    for code, kind, amount in (("C1", 1, "120.50"), ("C2", 2, "300.00"), ("C3", 1, "45.00")):
        feed.put(f"{BASE}/customers/{code}", json=customer(f"Cliente {code}", kind))
        feed.put(f"{BASE}/supplies/S{code}", json=supply(code))
        feed.post(f"{BASE}/bills", json=bill(f"B{code}", code, f"S{code}", amount=amount))
    feed.post(f"{BASE}/payments", json=payment("P1", "C3", amount="45.00"))


@pytest.mark.postgres_smoke
@pytest.mark.app_role
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


def test_the_summary_lists_the_supplies_with_their_overdue_and_the_customer_contacts(api: Api) -> None:
    feed = api.as_(Role.FEED)
    contacts = {
        "fiscal_code": "RSSMRA80A01H501U",
        "vat_number": "00488410010",
        "email": "mario@example.it",
        "pec": "mario@pec.example.it",
        "mobile": "3331234567",
        "address": "Via Roma 1",
        "postcode": "00184",
        "city": "Roma",
        "province": "RM",
    }
    assert feed.put(f"{BASE}/customers/C1", json=customer(**contacts)).status_code == 200
    water = supply("C1", 1, 1, meter="M-123", address="Via Roma 1, Roma")
    assert feed.put(f"{BASE}/supplies/W1", json=water).status_code == 200
    assert feed.put(f"{BASE}/supplies/G1", json=supply("C1", 2, 2, status=2)).status_code == 200
    assert feed.put(f"{BASE}/supplies/E1", json=supply("C1", 3, 3)).status_code == 200  # nothing billed
    feed.post(
        f"{BASE}/bills",
        json=[
            bill("BW1", supply_code="W1", due="2026-01-31", amount="100.00"),
            bill("BW2", supply_code="W1", issue="2026-02-01", due="2026-02-28", amount="40.00"),
            bill("BW3", supply_code="W1", issue="2026-03-01", due="2026-03-31", amount="25.00"),  # not yet due
            bill("BG1", supply_code="G1", due="2026-01-15", amount="60.00"),
        ],
    )
    feed.post(f"{BASE}/payments", json=payment("P1", amount="30.00", bill_number="BW1"))

    summary = api.as_(Role.OPERATOR).get(f"{BASE}/positions/C1").json()

    assert summary["customer"] == {
        "name": "Mario Rossi",
        "customer_type": 1,
        "customer_type_label": "Domestico",
        **contacts,
    }
    assert summary["supplies"] == [
        {
            "code": "E1",
            "service": 3,
            "service_label": "Energia elettrica",
            "supply_type": 3,
            "supply_type_label": "Disattivabile",
            "status": 1,
            "status_label": "Attivo",
            "meter": None,
            "address": None,
            "overdue": "0.00",
            "open_items": 0,
        },
        {
            "code": "G1",
            "service": 2,
            "service_label": "Gas",
            "supply_type": 2,
            "supply_type_label": "Non sospendibile",
            "status": 2,
            "status_label": "Sospeso",
            "meter": None,
            "address": None,
            "overdue": "60.00",
            "open_items": 1,
        },
        {
            "code": "W1",
            "service": 1,
            "service_label": "Acqua",
            "supply_type": 1,
            "supply_type_label": "Sospendibile",
            "status": 1,
            "status_label": "Attivo",
            "meter": "M-123",
            "address": "Via Roma 1, Roma",
            "overdue": "110.00",  # 70.00 left on BW1 + BW2; BW3 falls due on 31/03
            "open_items": 3,
        },
    ]
    assert summary["overdue"] == "170.00" and len(summary["open_items"]) == 4

    # The history's position is replayed from the events: it must tell the same as the read models.
    replayed = api.as_(Role.AUDITOR).get(f"{BASE}/positions/C1/history").json()["position"]
    assert replayed["supplies"] == summary["supplies"]
    assert replayed["customer"] == summary["customer"]


def test_the_summary_follows_a_supply_status_change_and_new_contacts(api: Api) -> None:
    seed_customer(api)
    feed = api.as_(Role.FEED)
    feed.post(f"{BASE}/bills", json=bill("B1", amount="80.00"))
    operator = api.as_(Role.OPERATOR)
    before = operator.get(f"{BASE}/positions/C1").json()

    feed.put(f"{BASE}/supplies/S1", json=supply("C1", status=3, meter="M-9"))
    feed.put(f"{BASE}/customers/C1", json=customer(pec="mario@pec.example.it", city="Milano"))
    after = operator.get(f"{BASE}/positions/C1").json()

    assert [(s["status"], s["status_label"], s["meter"]) for s in before["supplies"]] == [(1, "Attivo", None)]
    assert [(s["status"], s["status_label"], s["meter"]) for s in after["supplies"]] == [(3, "Cessato", "M-9")]
    assert [(s["overdue"], s["open_items"]) for s in after["supplies"]] == [("80.00", 1)]
    assert (before["customer"]["pec"], before["customer"]["city"]) == (None, None)
    assert (after["customer"]["pec"], after["customer"]["city"]) == ("mario@pec.example.it", "Milano")


@pytest.mark.postgres_smoke
@pytest.mark.app_role
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


@pytest.mark.postgres_smoke
@pytest.mark.app_role
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


@pytest.mark.postgres_smoke
@pytest.mark.app_role
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
