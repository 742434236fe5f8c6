"""Who may call what: generated from the app's route table, so a new route cannot escape it.

For every API route × role × scope (own company / other company / group token) the expected
status: 401 without a token, 404 for another company's token (the same body as an unknown company),
403 for a role without the route's permission, and neither 401, 403 nor 404 when allowed.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.routing import APIRoute
from starlette.routing import Route

from creditbox.api.docs_page import ASSETS, ASSETS_URL
from creditbox.api.permissions import allows, permission_of
from creditbox.domain.tokens import Role
from tests.api.conftest import BASE, OWN, Api, bill, seed_customer
from tests.api.test_imports_and_actions_table import upload, workbook

pytestmark = pytest.mark.cli_or_api

# The SMS gateway's callback takes no user token: it is signed with a secret shared per company
# (tests/api/test_channels_api.py). /metrics takes no user token either: its own scrape token
# (CREDITBOX_METRICS_TOKEN, tests/api/test_observability.py).
PUBLIC = {
    "/healthz",
    "/readyz",
    "/metrics",
    "/openapi.json",
    "/docs",
    "/channels/sms/{company}/reports",
    *(f"{ASSETS_URL}/{name}" for name in ASSETS),
}
# The console's pages: signed-in sessions, not tokens (their own table: tests/console/test_console_routes.py).
CONSOLE_PREFIX = "/console"
# A value for every path parameter the API uses; a new parameter must be added here.
PATH_VALUES = {
    "company": OWN,
    "customer_code": "C1",
    "supply_code": "S1",
    "case_number": "1",
    "seq": "1",
    "lock_id": "B1",
    "number": "1",
    "kind": "ricevute",
    "action": "sollecito-sms",
    "part": "text",
}
# A body that every JSON route refuses with 422 after authorisation (unknown field): nothing changes.
REFUSED_BODY = {"__matrix__": True}


def api_routes(api: Api) -> list[APIRoute]:
    routes = []
    for route in api.client.app.routes:  # type: ignore[attr-defined]
        path = getattr(route, "path", "")
        if path == "/" or path == CONSOLE_PREFIX or path.startswith(f"{CONSOLE_PREFIX}/"):
            continue
        if isinstance(route, APIRoute) and route.path not in PUBLIC:
            routes.append(route)
        else:
            assert isinstance(route, Route) and route.path in PUBLIC, (
                f"route {route} is neither public nor an API route"
            )
    return routes


def fill(path: str, import_id: str) -> str:
    values = {**PATH_VALUES, "import_id": import_id}
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: values[m.group(1)], path)


def call(api: Api, method: str, path: str, headers: dict[str, str]) -> Any:
    if method in ("GET", "DELETE"):
        return api.client.request(method, path, headers=headers)
    return api.client.request(method, path, headers=headers, json=REFUSED_BODY)


def test_every_api_route_declares_a_permission_and_lives_under_a_company(api: Api) -> None:
    routes = api_routes(api)

    assert len(routes) >= 20
    undeclared = [r.path for r in routes if permission_of(r) is None]
    assert undeclared == []
    assert all(r.path.startswith("/api/v1/companies/{company}/") for r in routes)


@pytest.mark.app_role
def test_the_authorisation_matrix(api: Api) -> None:
    seed_customer(api)
    api.as_(Role.FEED).post(f"{BASE}/bills", json=bill())
    import_id = upload(api, workbook()).json()["import_id"]
    unknown_company = api.client.get(
        "/api/v1/companies/NOPE/positions/C1", headers=api.headers(Role.AUDITOR, "group")
    ).json()
    mismatches: list[str] = []
    checked = 0
    for route in api_routes(api):
        permission = permission_of(route)
        assert permission is not None
        path = fill(route.path, import_id)
        for method in sorted(route.methods):
            anonymous = call(api, method, path, {})
            if anonymous.status_code != 401:
                mismatches.append(f"{method} {route.path} without token: {anonymous.status_code}")
            for role in Role:
                for scope in ("own", "other", "group"):
                    status = call(api, method, path, api.headers(role, scope)).status_code
                    checked += 1
                    if scope == "other":
                        response = call(api, method, path, api.headers(role, scope))
                        body = {k: v for k, v in response.json().items() if k != "instance"}
                        expected_body = {k: v for k, v in unknown_company.items() if k != "instance"}
                        if status != 404 or body != {**expected_body, "detail": body["detail"]}:
                            mismatches.append(f"{method} {route.path} {role.value}/{scope}: {status} {body}")
                        continue
                    if allows(role, permission):
                        if status in (401, 403, 404) or status >= 500:
                            mismatches.append(f"{method} {route.path} {role.value}/{scope}: {status}, allowed")
                    elif status != 403:
                        mismatches.append(f"{method} {route.path} {role.value}/{scope}: {status}, expected 403")

    assert mismatches == []
    assert checked >= 20 * len(Role) * 3


@pytest.mark.postgres_smoke
@pytest.mark.app_role
def test_another_companys_404_is_the_same_as_an_unknown_companys(api: Api) -> None:
    seed_customer(api)
    headers = api.headers(Role.AUDITOR, "other")

    existing = api.client.get(f"{BASE}/positions/C1", headers=headers)
    unknown = api.client.get("/api/v1/companies/NOPE/positions/C1", headers=api.headers(Role.AUDITOR, "group"))
    unknown_own_scope = api.client.get("/api/v1/companies/ACQ/positions/C1", headers=headers)

    assert existing.status_code == unknown.status_code == 404
    assert existing.json()["type"] == unknown.json()["type"] == "urn:creditbox:problem:unknown-company"
    assert existing.json()["detail"] == unknown_own_scope.json()["detail"] == "azienda sconosciuta: 'ACQ'"
    assert unknown.json()["detail"] == "azienda sconosciuta: 'NOPE'"
    assert "Mario" not in existing.text


@pytest.mark.postgres_smoke
def test_unknown_malformed_and_revoked_tokens_are_401(api: Api) -> None:
    service = api.container.tokens()
    issued = service.issue("ACQ", Role.AUDITOR, issued_on=api.container.clock.today(), name="temp", by="test")
    path = f"{BASE}/actions-table"

    before = api.client.get(path, headers={"Authorization": f"Bearer {issued.secret}"})
    service.revoke("temp", on=api.container.clock.today(), by="test")
    after = api.client.get(path, headers={"Authorization": f"Bearer {issued.secret}"})
    wrong = api.client.get(path, headers={"Authorization": "Bearer cbx_not-a-token"})
    basic = api.client.get(path, headers={"Authorization": "Basic dXNlcjpwYXNz"})

    assert before.status_code == 200
    assert after.status_code == 401 and "invalid_token" in after.headers["www-authenticate"]
    assert wrong.status_code == 401
    assert basic.status_code == 401
    assert after.headers["content-type"] == "application/problem+json"


def test_healthz_and_the_docs_need_no_token(api: Api) -> None:
    health = api.client.get("/healthz")
    schema = api.client.get("/openapi.json")
    docs = api.client.get("/docs")

    assert health.status_code == 200 and health.json()["status"] == "ok"
    assert schema.status_code == 200 and "/api/v1/companies/{company}/bills" in schema.json()["paths"]
    assert docs.status_code == 200
