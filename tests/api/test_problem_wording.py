"""Problem documents read as plain Italian: no pydantic prefix (``Value error, …``), no English message
of pydantic or of the framework; a database that cannot be had is a 503, never a 500."""

from __future__ import annotations

import re
from typing import Any

import psycopg
import pytest
import sqlalchemy.exc
from eventsourcing.persistence import ConnectionUnavailableError, RecordConflictError
from fastapi import FastAPI
from fastapi.testclient import TestClient

from creditbox.api.problems import install_problem_handlers, italian_message
from creditbox.domain.tokens import Role
from creditbox.infrastructure.write_gate import DatabaseBusy
from tests.api.conftest import BASE, Api, bill, customer, payment, seed_customer

pytestmark = pytest.mark.cli_or_api

ENGLISH = re.compile(
    r"Value error|Assertion failed|Input should|Field required|String should|should be|should have|"
    r"Extra inputs|Not Found|Method Not Allowed|There was an error|Missing boundary|valid integer|"
    r"is not permitted|Unable to|Invalid JSON",
)


def _texts(body: dict[str, Any]) -> list[str]:
    return [body["title"], body["detail"], *(e["message"] for e in body.get("errors", []))]


def _bad_requests(api: Api) -> list[tuple[str, str, dict[str, Any]]]:
    feed = api.headers(Role.FEED)
    operator = api.headers(Role.SUPERVISOR)
    json_feed = {**feed, "content-type": "application/json"}
    return [
        ("PUT", f"{BASE}/customers/C2", {"headers": feed, "json": customer(email="non-una-mail")}),
        ("PUT", f"{BASE}/customers/C2", {"headers": feed, "json": customer(fiscal_code="RSSMRA80A01H501X")}),
        ("PUT", f"{BASE}/customers/C2", {"headers": feed, "json": {"customer_type": "uno", "extra": 1}}),
        ("PUT", f"{BASE}/customers/{'C' * 80}", {"headers": feed, "json": customer()}),
        ("POST", f"{BASE}/bills", {"headers": feed, "json": bill(issue="2026-02-30", due="ieri")}),
        ("POST", f"{BASE}/bills", {"headers": feed, "json": bill(amount=True)}),
        ("POST", f"{BASE}/bills", {"headers": feed, "json": [1, "x"]}),
        ("POST", f"{BASE}/bills", {"headers": feed, "json": "una stringa"}),
        ("POST", f"{BASE}/bills", {"headers": json_feed, "content": b'{"number": '}),
        ("POST", f"{BASE}/payments", {"headers": feed, "json": payment(amount=None)}),
        ("POST", f"{BASE}/payments", {"headers": feed, "json": {**payment(), "payment_date": 20260210}}),
        ("GET", f"{BASE}/positions?limit=0", {"headers": operator}),
        ("GET", f"{BASE}/positions?limit=dieci", {"headers": operator}),
        ("GET", f"{BASE}/actions-table/versions/abc", {"headers": operator}),
        ("POST", f"{BASE}/positions/C1/locks", {"headers": operator, "json": {"kind": 99}}),
        (
            "POST",
            f"{BASE}/imports",
            {"headers": {**feed, "content-type": "multipart/form-data; boundary=x"}, "content": b"--x\r\nrotto"},
        ),
        ("POST", f"{BASE}/imports", {"headers": feed, "data": {"altro": "x"}, "files": {"x": ("a", b"b")}}),
        ("GET", "/non/esiste", {}),
        ("PATCH", f"{BASE}/bills", {"headers": feed}),
        ("GET", f"{BASE}/positions", {"headers": {"Authorization": "Bearer nulla"}}),
    ]


def test_no_problem_document_carries_english_or_a_pydantic_prefix(api: Api) -> None:
    # given a customer, and requests wrong in every way a client can get them wrong
    seed_customer(api)
    statuses = set()
    for method, path, options in _bad_requests(api):
        # when each is sent
        response = api.client.request(method, path, **options)
        statuses.add(response.status_code)
        # then the answer is a problem document in Italian, never a 500
        assert 400 <= response.status_code < 500, (path, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        for text in _texts(response.json()):
            assert not ENGLISH.search(text), (method, path, text)
    assert {400, 401, 404, 405, 422} <= statuses


def test_the_text_of_a_validator_reaches_the_client_without_the_prefix(api: Api) -> None:
    response = api.as_(Role.FEED).put(f"{BASE}/customers/C2", json=customer(email="non-una-mail"))
    error = response.json()["errors"][0]
    assert error["field"] == "email"
    assert error["message"].startswith("indirizzo e-mail non valido")


@pytest.mark.parametrize(
    "item, message",
    [
        (
            {
                "type": "value_error",
                "msg": "Value error, cap non valido",
                "ctx": {"error": ValueError("cap non valido")},
            },
            "cap non valido",
        ),
        (
            {
                "type": "assertion_error",
                "msg": "Assertion failed, ordine errato",
                "ctx": {"error": AssertionError("ordine errato")},
            },
            "ordine errato",
        ),
        ({"type": "missing", "msg": "Field required"}, "campo obbligatorio"),
        (
            {"type": "string_too_long", "msg": "String should have at most 64 characters", "ctx": {"max_length": 64}},
            "al massimo 64 caratteri",
        ),
        (
            {"type": "literal_error", "msg": "Input should be 'a' or 'b'", "ctx": {"expected": "'a' or 'b'"}},
            "valore non ammesso: atteso 'a' o 'b'",
        ),
        (
            {"type": "greater_than_equal", "msg": "Input should be greater than or equal to 1", "ctx": {"ge": 1}},
            "deve essere almeno 1",
        ),
        ({"type": "a_type_pydantic_adds_tomorrow", "msg": "Something in English"}, "valore non valido"),
        (
            {"type": "string_too_short", "msg": "String should …", "ctx": {}},
            "valore non valido",
        ),
    ],
)
def test_pydantic_errors_in_italian(item: dict[str, Any], message: str) -> None:
    assert italian_message(item) == message


class TestADatabaseThatCannotBeHad:
    @pytest.fixture
    def client(self) -> TestClient:
        app = FastAPI()
        install_problem_handlers(app)
        errors: dict[str, Exception] = {
            "pool": ConnectionUnavailableError("Timed out waiting for return of writer"),
            "gate": DatabaseBusy("archivio occupato"),
            "sqlalchemy": sqlalchemy.exc.OperationalError("SELECT 1", {}, Exception("database is locked")),
            "psycopg": psycopg.OperationalError("connection to server at 10.1.2.3 failed"),
            "clash": RecordConflictError("duplicate key value violates unique constraint"),
        }

        @app.get("/{name}")
        def fail(name: str) -> None:
            raise errors[name]

        return TestClient(app, raise_server_exceptions=False)

    @pytest.mark.parametrize("name", ["pool", "gate", "sqlalchemy", "psycopg", "clash"])
    def test_is_a_503_with_retry_after_naming_no_internals(self, client: TestClient, name: str) -> None:
        response = client.get(f"/{name}")
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        assert int(response.headers["retry-after"]) >= 1
        assert response.headers["cache-control"] == "no-store"
        body = response.json()
        assert body["type"] == "urn:creditbox:problem:unavailable"
        for leak in ("10.1.2.3", "locked", "Timed out", "duplicate", "constraint", "Error"):
            assert leak not in response.text
