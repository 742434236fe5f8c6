"""Console fixtures: the app (API and console) on a container, two companies, a dunning case with a
proposal (C1) and one awaiting approval at level 3 (C2), and operators with console passwords."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import Workbook

from creditbox.api.app import create_app
from creditbox.api.auth_limiter import AuthFailureLimiter
from creditbox.application.passwords import ScryptCost
from creditbox.bootstrap import Container
from creditbox.domain.tokens import GROUP, Role
from tests.api.conftest import bill, customer, issue_tokens, supply
from tests.api.test_imports_and_actions_table import row

OWN, OTHER = "ACQ", "GAS"
PASSWORD = "una-password-lunga"
# Cheap scrypt for the tests (the default costs a second on a busy machine); the parameters are
# recorded with each hash, so signing in checks with these.
TEST_COST = ScryptCost(n=2**10, r=8, p=1)

# name -> (company scope, role, level)
OPERATORS: dict[str, tuple[str, Role, int | None]] = {
    "mario.rossi": (OWN, Role.OPERATOR, None),
    "anna.verdi": (OWN, Role.SUPERVISOR, 3),
    "luca.bassi": (OWN, Role.SUPERVISOR, 1),
    "gas.operatore": (OTHER, Role.OPERATOR, None),
    "revisore": (GROUP, Role.AUDITOR, None),
    "carla.bianchi": (OWN, Role.FEED, None),  # loads the billing system's workbooks
    "elena.neri": (OWN, Role.ADMIN, None),  # keeps the actions table
}


@dataclass
class Console:
    app: FastAPI
    client: TestClient
    container: Container

    def sign_in(self, name: str, password: str = PASSWORD) -> TestClient:
        client = self.client
        page = client.get("/console/accesso")
        csrf = client.cookies.get("cbx_accesso")
        assert page.status_code == 200 and csrf
        answer = client.post(
            "/console/accesso", data={"nome": name, "password": password, "csrf": csrf}, follow_redirects=False
        )
        assert answer.status_code == 303, answer.text
        return client


def billing_workbook(path: Path) -> Path:
    """A billing workbook in the standard layout: customer C9 with a supply and two bills, the second
    with an impossible due date (rejected: sheet Bollette, row 3, column Data Scadenza)."""
    book = Workbook()
    customers = book.active
    assert customers is not None
    customers.title = "Clienti"
    customers.append(["Codice Cliente", "Nominativo", "Tipologia Cliente"])
    customers.append(["C9", "Giulia Neri", 1])
    supplies = book.create_sheet("Forniture")
    supplies.append(["Codice Cliente", "Codice Fornitura", "Tipologia Servizio", "Tipologia Fornitura", "Stato"])
    supplies.append(["C9", "S9", 1, 1, 1])
    bills = book.create_sheet("Bollette")
    bills.append(
        ["Numero Bolletta", "Codice Cliente", "Codice Fornitura", "Data Emissione", "Data Scadenza", "Importo"]
    )
    bills.append(["B91", "C9", "S9", date(2026, 1, 1), date(2026, 1, 31), 75.25])
    bills.append(["B92", "C9", "S9", date(2026, 1, 1), "31/02/2026", 10])
    book.save(path)
    return path


def seed(container: Container) -> None:
    """ACQ and GAS; ACQ's table: step 1 a proposal below 500 €, awaiting level-3 approval from 500 €;
    C1 owes 120,50 € (a proposal), C2 owes 800 € (an approval); the tick opens both cases."""
    container.companies.register(OWN, "Acque Spa", by="test")
    container.companies.register(OTHER, "Gas Spa", by="test")
    tokens = issue_tokens(container)
    app = create_app(container, close_container=False, token_cache_seconds=0, auth_limiter=AuthFailureLimiter(0, 0))
    with TestClient(app) as api:

        def as_(role: Role) -> dict[str, str]:
            return {"Authorization": f"Bearer {tokens[('own', role)]}"}

        base = f"/api/v1/companies/{OWN}"
        rows = [row(1, 3, "proposal", amount_max="499.99"), row(1, 3, level=3, amount_min="500")]
        assert api.put(f"{base}/actions-table", json={"rows": rows}, headers=as_(Role.ADMIN)).status_code == 200
        for code, amount in (("C1", "120.50"), ("C2", "800.00")):
            details = customer(name=f"Cliente {code}", address="Via Roma 1", postcode="00100", city="Roma")
            assert api.put(f"{base}/customers/{code}", json=details, headers=as_(Role.FEED)).status_code == 200
            assert api.put(f"{base}/supplies/S{code}", json=supply(code), headers=as_(Role.FEED)).status_code == 200
            sent = bill(number=f"B{code}", customer_code=code, supply_code=f"S{code}", amount=amount)
            assert api.post(f"{base}/bills", json=sent, headers=as_(Role.FEED)).status_code == 200
    container.dunning().run_due(OWN, container.clock.today())
    container.projections.catch_up()
    operators = container.operators()
    accounts = container.console_accounts(cost=TEST_COST)
    for name, (scope, role, level) in OPERATORS.items():
        operators.add(name, scope, role, level, by="test")
        accounts.set_password(name, scope, PASSWORD, by="test")


@pytest.fixture
def console(container: Container) -> Iterator[Console]:
    seed(container)
    app = create_app(container, close_container=False, token_cache_seconds=0)
    with TestClient(app) as client:
        yield Console(app, client, container)
