"""The JSON feed through the API: customers, supplies, bills, payments — single and batch, idempotent."""

from __future__ import annotations

import pytest

from creditbox.domain.tokens import Role
from tests.api.conftest import BASE, Api, bill, customer, payment, seed_customer, supply

pytestmark = pytest.mark.cli_or_api

PROBLEM = "application/problem+json"


def test_customer_and_supply_are_created_then_unchanged_when_resent(api: Api) -> None:
    feed = api.as_(Role.FEED)

    first = feed.put(f"{BASE}/customers/C1", json=customer(fiscal_code="RSSMRA80A01H501U"))
    again = feed.put(f"{BASE}/customers/C1", json=customer(fiscal_code="RSSMRA80A01H501U"))
    changed = feed.put(f"{BASE}/customers/C1", json=customer(name="Mario Rossi Jr"))
    s1 = feed.put(f"{BASE}/supplies/S1", json=supply("C1"))

    assert first.status_code == 200 and first.json()["results"][0]["outcome"] == "accepted"
    assert again.json()["results"][0]["outcome"] == "unchanged"
    assert changed.json()["accepted"] == 1
    assert s1.json()["results"] == [
        {"index": 0, "key": "S1", "outcome": "accepted", "status": 200, "reason": None, "field": None, "kind": None}
    ]
    position = api.container.positions.load("ACQ", "C1")
    assert position.details.name == "Mario Rossi Jr"
    assert "S1" in position.supplies


def test_customer_fields_are_validated_like_the_excel_rows(api: Api) -> None:
    feed = api.as_(Role.FEED)

    bad_cf = feed.put(f"{BASE}/customers/C1", json=customer(fiscal_code="RSSMRA80A01H501X"))
    bad_type = feed.put(f"{BASE}/customers/C1", json=customer(customer_type=7))
    unknown_field = feed.put(f"{BASE}/customers/C1", json=customer(colour="blue"))

    assert bad_cf.status_code == 422
    assert bad_cf.headers["content-type"] == PROBLEM
    assert bad_cf.json()["errors"][0]["field"] == "fiscal_code"
    assert "carattere di controllo" in bad_cf.json()["errors"][0]["message"]
    assert bad_type.status_code == 422 and bad_type.json()["errors"][0]["field"] == "customer_type"
    assert unknown_field.status_code == 422 and unknown_field.json()["errors"][0]["field"] == "colour"


def test_a_supply_for_an_unknown_customer_is_rejected_with_the_field(api: Api) -> None:
    response = api.as_(Role.FEED).put(f"{BASE}/supplies/S9", json=supply("NOBODY"))

    assert response.status_code == 422
    body = response.json()
    assert body["errors"] == [{"field": "customer_code", "location": "body", "message": body["detail"]}]
    assert "NOBODY" in body["detail"]


def test_a_supply_of_another_customer_is_a_conflict(api: Api) -> None:
    seed_customer(api, "C1", "S1")
    feed = api.as_(Role.FEED)
    feed.put(f"{BASE}/customers/C2", json=customer("Anna Bianchi"))

    response = feed.put(f"{BASE}/supplies/S1", json=supply("C2"))

    assert response.status_code == 409
    assert response.json()["type"] == "urn:creditbox:problem:conflict"


def test_a_bill_is_idempotent_and_a_resend_with_other_content_is_a_conflict(api: Api) -> None:
    seed_customer(api)
    feed = api.as_(Role.FEED)

    first = feed.post(f"{BASE}/bills", json=bill())
    again = feed.post(f"{BASE}/bills", json=bill())
    other = feed.post(f"{BASE}/bills", json=bill(amount="121.50"))

    assert first.json()["accepted"] == 1
    assert again.status_code == 200 and again.json()["unchanged"] == 1
    assert other.status_code == 409
    assert other.headers["content-type"] == PROBLEM
    assert other.json()["errors"][0]["field"] == "amount"
    assert other.json()["instance"] == f"{BASE}/bills"
    assert list(api.container.positions.load("ACQ", "C1").bills) == ["B1"]


@pytest.mark.postgres_smoke
def test_a_batch_answers_per_record_and_keeps_the_good_ones(api: Api) -> None:
    seed_customer(api)
    feed = api.as_(Role.FEED)
    feed.post(f"{BASE}/bills", json=bill("B1"))

    response = feed.post(
        f"{BASE}/bills",
        json=[bill("B1"), bill("B2", due="2026-02-28"), bill("B1", amount="1.00"), bill("B3", supply_code="S9")],
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["accepted"], body["unchanged"], body["rejected"]) == (1, 1, 2)
    assert [(r["key"], r["outcome"], r["status"]) for r in body["results"]] == [
        ("B1", "unchanged", 200),
        ("B2", "accepted", 200),
        ("B1", "rejected", 409),
        ("B3", "rejected", 422),
    ]
    assert body["results"][3]["field"] == "supply_code"
    assert [r["kind"] for r in body["results"]] == [None, None, "conflict", "not_found"]
    assert sorted(api.container.positions.load("ACQ", "C1").bills) == ["B1", "B2"]


def test_payments_single_and_batch_allocate_and_resend_is_a_no_op(api: Api) -> None:
    seed_customer(api)
    feed = api.as_(Role.FEED)
    feed.post(f"{BASE}/bills", json=bill(amount="100.00"))

    single = feed.post(f"{BASE}/payments", json=payment("P1", amount=30))
    batch = feed.post(f"{BASE}/payments", json=[payment("P1", amount=30), payment("P2", amount="20.5")])

    assert single.json()["accepted"] == 1
    assert [r["outcome"] for r in batch.json()["results"]] == ["unchanged", "accepted"]
    position = api.container.positions.load("ACQ", "C1")
    assert position.balance() == position.bills["B1"].amount - 30 - position.payments["P2"].amount
    assert str(position.payments["P2"].amount) == "20.50"


def test_amounts_with_more_than_two_decimals_and_bad_dates_are_refused_with_the_field(api: Api) -> None:
    seed_customer(api)
    feed = api.as_(Role.FEED)

    float_amount = feed.post(f"{BASE}/bills", json=bill(amount=12.345))
    string_amount = feed.post(f"{BASE}/bills", json=bill(amount="12.345"))
    comma = feed.post(f"{BASE}/bills", json=bill(amount="12,34"))
    bad_date = feed.post(f"{BASE}/bills", json=bill(due="31/01/2026"))
    batch = feed.post(f"{BASE}/payments", json=[payment("P1"), payment("P2", amount="1.001")])

    for response in (float_amount, string_amount, comma):
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "amount"
    assert bad_date.status_code == 422 and bad_date.json()["errors"][0]["field"] == "due_date"
    assert batch.status_code == 422
    assert [e["field"] for e in batch.json()["errors"]] == ["1.amount"]
    assert api.container.positions.load("ACQ", "C1").bills == {}


def test_due_date_before_issue_date_is_invalid(api: Api) -> None:
    seed_customer(api)

    response = api.as_(Role.FEED).post(f"{BASE}/bills", json=bill(issue="2026-02-01", due="2026-01-01"))

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "due_date"


def test_wrong_media_type_malformed_json_and_too_large_bodies(api: Api) -> None:
    seed_customer(api)
    feed = api.as_(Role.FEED)
    api.client.app.state.limits["json"] = 2048  # type: ignore[attr-defined]

    text = feed.post(f"{BASE}/bills", content=b"number=B1", headers={"content-type": "text/plain"})
    broken = feed.post(f"{BASE}/bills", content=b'{"number": ', headers={"content-type": "application/json"})
    huge = feed.post(f"{BASE}/bills", json=[bill(f"B{i}") for i in range(100)])

    assert text.status_code == 415 and text.headers["content-type"] == PROBLEM
    assert broken.status_code == 400 and broken.json()["type"] == "urn:creditbox:problem:bad-request"
    assert huge.status_code == 413 and huge.json()["status"] == 413
    assert api.container.positions.load("ACQ", "C1").bills == {}


def test_every_feed_command_records_the_token_name(api: Api) -> None:
    seed_customer(api)
    api.as_(Role.FEED).post(f"{BASE}/bills", json=bill())

    events = api.as_(Role.AUDITOR).get(f"{BASE}/positions/C1/history").json()["events"]

    assert {e["by"] for e in events} == {api.name(Role.FEED)}
    assert [e["type"] for e in events] == ["CustomerRegistered", "SupplyRegistered", "BillIssued"]


@pytest.mark.postgres_smoke
def test_a_bill_number_or_payment_id_of_another_customer_is_a_conflict(api: Api) -> None:
    seed_customer(api, "C1", "S1")
    seed_customer(api, "C2", "S2")
    feed = api.as_(Role.FEED)
    assert feed.post(f"{BASE}/bills", json=bill("B1", customer_code="C1", supply_code="S1")).status_code == 200
    assert feed.post(f"{BASE}/payments", json=payment("P1", customer_code="C1")).status_code == 200

    bill_again = feed.post(f"{BASE}/bills", json=bill("B1", customer_code="C2", supply_code="S2"))
    payment_again = feed.post(f"{BASE}/payments", json=payment("P1", customer_code="C2"))

    assert bill_again.status_code == 409
    assert bill_again.headers["content-type"].startswith("application/problem+json")
    assert "'C1'" in bill_again.json()["detail"]
    assert bill_again.json()["errors"][0]["field"] == "number"
    assert payment_again.status_code == 409 and payment_again.json()["errors"][0]["field"] == "payment_id"
    assert api.container.positions.load("ACQ", "C2").bills == {}
