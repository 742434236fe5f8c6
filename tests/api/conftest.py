"""API fixtures: the app on both backends (``container``), two companies, a token per role and scope."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient

from creditbox.api.app import create_app
from creditbox.api.auth_limiter import AuthFailureLimiter
from creditbox.bootstrap import Container
from creditbox.domain.tokens import GROUP, Role

OWN = "ACQ"
OTHER = "GAS"
SCOPES = {"own": OWN, "other": OTHER, "group": GROUP}


@dataclass
class Api:
    client: TestClient
    container: Container
    # tokens[(scope, role)] -> secret; scope in "own" | "other" | "group"
    tokens: dict[tuple[str, Role], str] = field(default_factory=dict)

    def headers(self, role: Role, scope: str = "own") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[(scope, role)]}"}

    def name(self, role: Role, scope: str = "own") -> str:
        return f"{scope}-{role.value}"

    def as_(self, role: Role, scope: str = "own") -> Caller:
        return Caller(self.client, self.headers(role, scope))


@dataclass
class Caller:
    client: TestClient
    auth: dict[str, str]

    def get(self, path: str, **kw: Any) -> Any:
        return self.client.get(path, headers=self.auth, **kw)

    def put(self, path: str, **kw: Any) -> Any:
        return self.client.put(path, headers={**self.auth, **kw.pop("headers", {})}, **kw)

    def post(self, path: str, **kw: Any) -> Any:
        return self.client.post(path, headers={**self.auth, **kw.pop("headers", {})}, **kw)


def issue_tokens(container: Container) -> dict[tuple[str, Role], str]:
    service = container.tokens()
    today = container.clock.today()
    tokens: dict[tuple[str, Role], str] = {}
    for scope, company in SCOPES.items():
        for role in Role:
            level = 2 if role is Role.SUPERVISOR else None
            issued = service.issue(company, role, issued_on=today, level=level, name=f"{scope}-{role.value}", by="test")
            tokens[(scope, role)] = issued.secret
    return tokens


@pytest.fixture
def api(container: Container) -> Iterator[Api]:
    container.companies.register(OWN, "Acque Spa", by="test")
    container.companies.register(OTHER, "Gas Spa", by="test")
    tokens = issue_tokens(container)
    # The failed-authentication limit is off here (the matrix sends hundreds of refused tokens from one
    # address); test_authentication_failures.py tests it.
    app = create_app(container, close_container=False, token_cache_seconds=0, auth_limiter=AuthFailureLimiter(0, 0))
    with TestClient(app) as client:
        yield Api(client=client, container=container, tokens=tokens)


BASE = f"/api/v1/companies/{OWN}"


def customer(name: str = "Mario Rossi", customer_type: int = 1, **extra: Any) -> dict[str, Any]:
    return {"name": name, "customer_type": customer_type, **extra}


def supply(customer_code: str = "C1", service: int = 1, supply_type: int = 1, **extra: Any) -> dict[str, Any]:
    return {"customer_code": customer_code, "service": service, "supply_type": supply_type, **extra}


def bill(
    number: str = "B1",
    customer_code: str = "C1",
    supply_code: str = "S1",
    issue: str = "2026-01-01",
    due: str = "2026-01-31",
    amount: Any = "120.50",
) -> dict[str, Any]:
    return {
        "number": number,
        "customer_code": customer_code,
        "supply_code": supply_code,
        "issue_date": issue,
        "due_date": due,
        "amount": amount,
    }


def payment(
    payment_id: str = "P1", customer_code: str = "C1", paid: str = "2026-02-10", amount: Any = "20.00", **extra: Any
) -> dict[str, Any]:
    return {"payment_id": payment_id, "customer_code": customer_code, "payment_date": paid, "amount": amount, **extra}


def seed_customer(api: Api, code: str = "C1", supply_code: str = "S1") -> None:
    feed = api.as_(Role.FEED)
    assert feed.put(f"{BASE}/customers/{code}", json=customer()).status_code == 200
    assert feed.put(f"{BASE}/supplies/{supply_code}", json=supply(code)).status_code == 200
