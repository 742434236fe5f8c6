"""The text policy and the amount syntax at the API's edge.

Every variant of a bad key, a bad text or a bad amount is refused with a 422 problem document
naming the field; nothing is recorded. Line breaks in a single-line text are folded, in a note kept.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest

from creditbox.domain.tokens import Role
from creditbox.sample_data import SampleSpec, generate, workbook_bytes
from tests.api.conftest import BASE, Api, bill, customer, payment, seed_customer
from tests.api.test_imports_and_actions_table import upload

pytestmark = pytest.mark.cli_or_api

BAD_KEYS = [
    "C\x00",  # NUL
    "C\x01",  # a control character
    "C\x1b[31m",  # a terminal escape
    "C\u202e1",  # a bidi override
    "C\u20661",  # a bidi isolate
    "C\u200b1",  # zero-width space
    "C\ufeff1",  # zero-width no-break space (BOM)
    "C\u00a01",  # a no-break space
    "C\u20281",  # a line separator
    "C\ud8001",  # an unpaired surrogate
    "C\x851",  # a C1 control character (NEL)
]

BAD_TEXTS = ["Mario\x00", "Mario\x01Rossi", "\x7fRossi", "Rossi\u202e", "Ro\u2067ssi", "Rossi\x9b", "Ros\ud800si"]

BAD_AMOUNTS: list[Any] = [
    "1_000",
    "\u0661\u0662\u0663",  # Arabic-Indic digits
    "\u0967\u0968",  # Devanagari digits
    "\uff11\uff12",  # full-width digits
    "1E+2",
    "1e2",
    "+5",
    "NaN",
    "Infinity",
    "-Infinity",
    "1 000",
    "12 .50",
    " 12.50",
    "12.50\n",
    "12.345",
    "99999999999999",
    "1,50",
    "0x10",
    "",
]


def send(caller: Any, method: str, path: str, record: Any) -> Any:
    """The record as JSON with every non-ASCII character escaped (``\\ud800`` too, which a client
    library would refuse to encode as UTF-8)."""
    headers = {"Content-Type": "application/json"}
    return getattr(caller, method)(path, content=json.dumps(record), headers=headers)


def problem_fields(response: Any) -> list[str]:
    body = response.json()
    assert response.headers["content-type"].startswith("application/problem+json")
    return [error["field"] for error in body["errors"]]


def test_bad_keys_in_a_body_are_refused_naming_the_field(api: Api) -> None:
    seed_customer(api)
    feed = api.as_(Role.FEED)
    for bad in BAD_KEYS:
        for field, record in (
            ("number", bill(number=bad)),
            ("supply_code", bill(supply_code=bad)),
            ("payment_id", payment(payment_id=bad)),
        ):
            path = "bills" if "number" in record else "payments"
            response = send(feed, "post", f"{BASE}/{path}", record)
            assert response.status_code == 422, (bad, field, response.text)
            assert field in problem_fields(response), (bad, response.text)
        response = send(feed, "put", f"{BASE}/supplies/S9", {"customer_code": bad, "service": 1, "supply_type": 1})
        assert response.status_code == 422 and "customer_code" in problem_fields(response), bad
    assert api.as_(Role.OPERATOR).get(f"{BASE}/positions/C1").json()["open_items"] == []


def test_bad_keys_in_a_path_are_refused_naming_the_parameter(api: Api) -> None:
    feed = api.as_(Role.FEED)
    for bad in BAD_KEYS:
        if "\ud800" in bad:
            continue  # not encodable in a URL: no client can send it
        path = quote(bad, safe="")
        response = feed.put(f"{BASE}/customers/{path}", json=customer())
        assert response.status_code == 422, (bad, response.text)
        assert "customer_code" in problem_fields(response)
        response = api.as_(Role.OPERATOR).get(f"{BASE}/positions/{path}")
        assert response.status_code == 422, (bad, response.text)


def test_control_and_bidi_characters_in_names_are_refused(api: Api) -> None:
    feed = api.as_(Role.FEED)
    for bad in BAD_TEXTS:
        response = send(feed, "put", f"{BASE}/customers/C1", customer(name=bad))
        assert response.status_code == 422, (bad, response.text)
        assert problem_fields(response) == ["name"]
        response = send(feed, "put", f"{BASE}/customers/C1", customer(address=bad, city=bad))
        assert response.status_code == 422
        assert set(problem_fields(response)) == {"address", "city"}
    response = feed.put(f"{BASE}/customers/C1", json=customer())
    assert response.status_code == 200


@pytest.mark.postgres_smoke
def test_line_breaks_in_a_name_are_folded_into_one_space(api: Api) -> None:
    feed = api.as_(Role.FEED)
    response = feed.put(f"{BASE}/customers/C1", json=customer(name="Mario\r\nRossi", address="Via Roma 1\n\tPiano 2"))
    assert response.status_code == 200, response.text
    shown = api.as_(Role.OPERATOR).get(f"{BASE}/positions/C1").json()["customer"]
    assert shown["name"] == "Mario Rossi"
    assert shown["address"] == "Via Roma 1 Piano 2"


def test_notes_of_case_commands_refuse_controls_and_keep_line_breaks(api: Api) -> None:
    seed_customer(api)
    worker = api.as_(Role.SUPERVISOR)
    for bad in ["nota\x00", "nota\x07", "nota\u202e", "\u2066nota"]:
        response = worker.post(f"{BASE}/positions/C1/locks", json={"reason": "complaint", "note": bad})
        assert response.status_code == 422, (bad, response.text)
        assert problem_fields(response) == ["note"]
    response = worker.post(f"{BASE}/positions/C1/locks", json={"reason": "complaint", "supply_code": "S\x01"})
    assert response.status_code == 422 and problem_fields(response) == ["supply_code"]
    response = worker.post(f"{BASE}/positions/C1/locks", json={"reason": "complaint", "note": "riga 1\nriga 2"})
    assert response.status_code in (200, 201), response.text


def test_amounts_outside_the_published_pattern_are_refused(api: Api) -> None:
    seed_customer(api)
    feed = api.as_(Role.FEED)
    for bad in BAD_AMOUNTS:
        response = send(feed, "post", f"{BASE}/bills", bill(amount=bad))
        assert response.status_code == 422, (bad, response.text)
        assert problem_fields(response) == ["amount"], bad
        response = send(feed, "post", f"{BASE}/payments", payment(amount=bad))
        assert response.status_code == 422, (bad, response.text)
    assert api.as_(Role.OPERATOR).get(f"{BASE}/positions/C1").json()["balance"] == "0.00"


def test_json_numbers_are_checked_as_written(api: Api) -> None:
    seed_customer(api)
    feed = api.as_(Role.FEED)
    record = json.dumps(bill(amount="AMOUNT"))
    for written in ["1e2", "1E+2", "100.000", "12.345", "1e400", "-1e400", "12345678901234", "NaN", "Infinity"]:
        body = record.replace('"AMOUNT"', written)
        response = feed.post(f"{BASE}/bills", content=body, headers={"Content-Type": "application/json"})
        assert response.status_code == 422, (written, response.text)
        assert problem_fields(response) == ["amount"], written
    for number, number_text in enumerate(["120.5", "120", "-3.25", "0.10"], start=1):
        body = json.dumps(bill(number=f"B{number}")).replace('"120.50"', number_text)
        response = feed.post(f"{BASE}/bills", content=body, headers={"Content-Type": "application/json"})
        assert response.status_code in (200, 201), (number_text, response.text)
    position = api.as_(Role.OPERATOR).get(f"{BASE}/positions/C1").json()
    assert position["balance"] == "237.35"  # 120.50 + 120.00 + 0.10 - 3.25 (a credit note)


def test_hostile_query_parameters_get_a_422_or_an_answer_never_a_5xx(api: Api) -> None:
    seed_customer(api)
    operator = api.as_(Role.OPERATOR)
    for bad in ["\x00", "L\x01", "L\u202e", " L", "L\u200b"]:
        for path in (f"{BASE}/positions", f"{BASE}/worklists"):
            response = operator.get(path, params={"ladder": bad})
            assert response.status_code == 422, (path, bad, response.text)
            assert problem_fields(response) == ["ladder"]
    for params in ({"cursor": "\x00"}, {"cursor": "\u202e" * 10}, {"kind": "\x00"}, {"sort": "\x00"}):
        for path in (f"{BASE}/positions", f"{BASE}/worklists"):
            response = operator.get(path, params=params)
            assert response.status_code < 500, (path, params, response.text)


def test_an_uploaded_file_is_never_refused_for_its_name_and_is_recorded_with_a_clean_one(api: Api) -> None:
    content = workbook_bytes(generate(SampleSpec(customers=2, seed=5)))
    for written, recorded in [("cli\u202eenti.xlsx", "cli_enti.xlsx"), ("a\u2066b\u2069\u200e.xlsx", "a_b__.xlsx")]:
        response = upload(api, content, name=written)
        assert response.status_code in (200, 201), response.text
        assert response.json()["file_name"] == recorded
