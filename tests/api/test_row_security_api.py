"""The API connected as the application's own role: a query that loses its company filter still
answers only for the company of the request (PostgreSQL's row-level security, migration 0019).

These run on ``[postgres_app_role]`` only: on SQLite, or connected as a superuser, the company filter
of each query is the only wall, and the broken queries below would show the other company's rows.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import Connection, select

import creditbox.api.routes.positions as position_routes
from creditbox.api.reads import QueryConnections
from creditbox.domain.tokens import Role
from creditbox.infrastructure.company_scope import GROUP_SCOPE, scoped
from creditbox.projections.queries.positions import position_summary
from creditbox.projections.schema import positions
from tests.api.conftest import BASE, OTHER, OWN, Api, customer, seed_customer, supply

pytestmark = [pytest.mark.cli_or_api, pytest.mark.app_role(only=True)]

OTHER_BASE = f"/api/v1/companies/{OTHER}"


def seed_other_company(api: Api) -> None:
    feed = api.as_(Role.FEED, "other")
    assert feed.put(f"{OTHER_BASE}/customers/G1", json=customer("Giulia Verdi")).status_code == 200
    assert feed.put(f"{OTHER_BASE}/supplies/S9", json=supply("G1")).status_code == 200


def test_a_route_whose_query_ignores_the_company_sees_nothing_of_another(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_other_company(api)
    # A bug: the route's query asks for the other company instead of the request's.
    monkeypatch.setattr(
        position_routes, "position_summary", lambda conn, _company, code: position_summary(conn, OTHER, code)
    )

    for scope in ("own", "group"):  # a token of the company, an auditor of the group
        response = api.as_(Role.AUDITOR, scope).get(f"{BASE}/positions/G1")
        assert response.status_code == 404, (scope, response.text)
        assert "Giulia" not in response.text
    seen = api.as_(Role.AUDITOR, "group").get(f"{OTHER_BASE}/positions/G1")  # the same query, for that company
    assert seen.status_code == 200 and seen.json()["customer"]["name"] == "Giulia Verdi"


def test_the_api_s_read_engine_sets_the_scope_of_every_read(api: Api) -> None:
    seed_customer(api)
    seed_other_company(api)

    def every_company(conn: Connection) -> set[str]:  # no company filter at all
        return {row.company for row in conn.execute(select(positions.c.company))}

    async def reads() -> dict[str, Any]:
        connections = QueryConnections(api.container.projections)
        try:
            with scoped("ACQ"):
                own = await connections.read(every_company)
            with scoped(GROUP_SCOPE):
                group = await connections.read(every_company)
            outside = await connections.read(every_company)  # no request, no scope: nothing
            return {"own": own, "group": group, "outside": outside}
        finally:
            await connections.close()

    seen = asyncio.run(reads())
    assert seen == {"own": {OWN}, "group": {OWN, OTHER}, "outside": set()}
