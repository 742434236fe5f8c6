"""Failed authentications are logged (address, route, reason — never the token) and limited per client
address: past the limit every request of that address answers 429 with Retry-After until the window
passes, even with a valid token; other addresses are not affected."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from creditbox.api.app import create_app
from creditbox.api.auth_limiter import AuthFailureLimiter
from creditbox.domain.tokens import Role
from tests.api.conftest import BASE, Api

pytestmark = pytest.mark.cli_or_api

POSITIONS = f"{BASE}/positions"
ROUTE = "/api/v1/companies/{company}/positions"


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class TestTheLimiter:
    def test_the_failure_that_reaches_the_limit_blocks_for_the_window(self) -> None:
        clock = FakeTime()
        limiter = AuthFailureLimiter(3, 60, now=clock)
        assert [limiter.failed("a") for _ in range(3)] == [False, False, True]
        assert limiter.blocked_for("a") == 60
        clock.now += 59.5
        assert limiter.blocked_for("a") == pytest.approx(0.5)
        clock.now += 1
        assert limiter.blocked_for("a") == 0
        # the count starts again from zero after a block
        assert [limiter.failed("a") for _ in range(3)] == [False, False, True]

    def test_failures_older_than_the_window_do_not_count(self) -> None:
        clock = FakeTime()
        limiter = AuthFailureLimiter(3, 60, now=clock)
        limiter.failed("a")
        limiter.failed("a")
        clock.now += 61
        assert limiter.failed("a") is False
        assert limiter.blocked_for("a") == 0

    def test_failures_while_blocked_neither_count_nor_extend_the_block(self) -> None:
        clock = FakeTime()
        limiter = AuthFailureLimiter(2, 60, now=clock)
        limiter.failed("a")
        limiter.failed("a")
        clock.now += 30
        assert limiter.failed("a") is False
        assert limiter.blocked_for("a") == 30

    def test_addresses_are_counted_apart_and_a_zero_limit_disables_it(self) -> None:
        limiter = AuthFailureLimiter(1, 60, now=FakeTime())
        limiter.failed("a")
        assert limiter.blocked_for("a") > 0 and limiter.blocked_for("b") == 0
        off = AuthFailureLimiter(0, 60)
        assert not any(off.failed("a") for _ in range(100)) and off.blocked_for("a") == 0

    def test_a_flood_of_addresses_is_bounded_and_keeps_the_blocked_ones(self) -> None:
        limiter = AuthFailureLimiter(1, 60, now=FakeTime(), max_addresses=100)
        for n in range(1000):
            limiter.failed(f"10.0.{n // 256}.{n % 256}")
        assert limiter.tracked <= 100
        limiter2 = AuthFailureLimiter(2, 60, now=FakeTime(), max_addresses=10)
        limiter2.failed("x")
        limiter2.failed("x")
        for n in range(50):
            limiter2.failed(f"y{n}")
        assert limiter2.blocked_for("x") > 0


@pytest.fixture
def limited(api: Api) -> Iterator[tuple[Api, FakeTime, TestClient, TestClient]]:
    """The API with a limit of 3 failures per 60 s; two clients at different addresses."""
    time = FakeTime()
    app = create_app(
        api.container, close_container=False, token_cache_seconds=0, auth_limiter=AuthFailureLimiter(3, 60, now=time)
    )
    with TestClient(app, client=("10.0.0.7", 40000)) as attacker, TestClient(app, client=("10.0.0.8", 40001)) as other:
        yield api, time, attacker, other


def _revoked(api: Api) -> str:
    issued = api.container.tokens().issue(
        "ACQ", Role.OPERATOR, issued_on=api.container.clock.today(), name="da-revocare", by="test"
    )
    api.container.tokens().revoke("da-revocare", on=api.container.clock.today(), by="test")
    return issued.secret


@pytest.mark.parametrize(
    "kind, reason",
    [
        ("missing", "token mancante"),
        ("basic", "intestazione Authorization non valida"),
        ("empty bearer", "intestazione Authorization non valida"),
        ("unknown", "token sconosciuto"),
        ("too long", "token vuoto o troppo lungo"),
        ("revoked", "token revocato"),
    ],
)
def test_each_failure_is_logged_with_address_route_and_reason_but_not_the_token(
    limited: tuple[Api, FakeTime, TestClient, TestClient], caplog: pytest.LogCaptureFixture, kind: str, reason: str
) -> None:
    api, _, attacker, _ = limited
    secret = {
        "missing": "",
        "basic": "dXNlcjpwYXNzd29yZA==",
        "empty bearer": "",
        "unknown": "cbx_NotARealTokenButLongEnough123456",
        "too long": "cbx_" + "x" * 300,
        "revoked": _revoked(api) if kind == "revoked" else "",
    }[kind]
    header = {
        "missing": {},
        "basic": {"Authorization": f"Basic {secret}"},
        "empty bearer": {"Authorization": "Bearer   "},
    }.get(kind, {"Authorization": f"Bearer {secret}"})

    # when a request fails authentication
    with caplog.at_level(logging.WARNING, logger="creditbox.api.auth"):
        response = attacker.get(POSITIONS, headers=header)

    # then it is a 401, and the log names the address, the route and the reason, never the token
    assert response.status_code == 401
    lines = [r.getMessage() for r in caplog.records if r.name == "creditbox.api.auth"]
    assert len(lines) == 1
    assert "client=10.0.0.7" in lines[0] and f"GET {ROUTE}" in lines[0] and f"motivo={reason}" in lines[0]
    if secret:
        assert secret not in caplog.text and secret[:12] not in caplog.text


def test_past_the_limit_the_address_gets_429_even_with_a_valid_token_until_the_window_passes(
    limited: tuple[Api, FakeTime, TestClient, TestClient],
) -> None:
    api, time, attacker, other = limited
    valid = api.headers(Role.OPERATOR)
    # given three failures of different kinds from one address, and a success in between
    assert attacker.get(POSITIONS).status_code == 401
    assert attacker.get(POSITIONS, headers=valid).status_code == 200  # a success does not clear the count
    assert attacker.get(POSITIONS, headers={"Authorization": "Bearer cbx_guess1"}).status_code == 401
    assert attacker.get(POSITIONS, headers={"Authorization": "Token x"}).status_code == 401

    # when the address then comes with a valid token
    blocked = attacker.get(POSITIONS, headers=valid)

    # then it is refused with a 429 problem document and Retry-After
    assert blocked.status_code == 429
    assert blocked.headers["content-type"] == "application/problem+json"
    assert blocked.headers["retry-after"] == "60"
    assert blocked.headers["cache-control"] == "no-store"
    body = blocked.json()
    assert body["type"] == "urn:creditbox:problem:too-many-authentication-failures"
    assert body["title"] == "Troppe richieste" and "riprovare fra 60 s" in body["detail"]
    # another address is not affected
    assert other.get(POSITIONS, headers=valid).status_code == 200
    # requests while blocked do not extend the block
    time.now += 45
    assert attacker.get(POSITIONS, headers={"Authorization": "Bearer cbx_guess2"}).headers["retry-after"] == "15"
    # once the window has passed the valid token works again
    time.now += 16
    assert attacker.get(POSITIONS, headers=valid).status_code == 200


def test_the_default_limit_comes_from_the_settings(api: Api) -> None:
    # given the API built from settings that allow 4 failures per window
    api.container.settings.auth_failure_limit = 4
    app = create_app(api.container, close_container=False, token_cache_seconds=0)
    with TestClient(app) as client:
        statuses = [client.get(POSITIONS, headers={"Authorization": f"Bearer cbx_{n}"}).status_code for n in range(5)]
        # then the fifth request is refused with 429, and so is a valid token
        assert statuses == [401, 401, 401, 401, 429]
        assert client.get(POSITIONS, headers=api.headers(Role.OPERATOR)).status_code == 429
    # and the public routes stay open
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200


def test_the_schema_documents_429_and_503_on_every_guarded_route(api: Api) -> None:
    paths = api.client.get("/openapi.json").json()["paths"]
    operations = [op for path, ops in paths.items() if path.startswith("/api/v1/") for op in ops.values()]
    assert operations
    for operation in operations:
        assert {"401", "429", "503"} <= set(operation["responses"]), operation["operationId"]
