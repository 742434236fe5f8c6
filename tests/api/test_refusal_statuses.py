"""HTTP statuses of refusals come from their type (the record's rejection kind, the domain error's
class), never from the wording of the Italian message."""

from __future__ import annotations

from decimal import Decimal

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from creditbox.api.problems import install_problem_handlers
from creditbox.api.routes.feed import _result, status_of_rejection
from creditbox.application.records import Column, Outcome, RecordResult, RejectionKind
from creditbox.domain.errors import DomainError, LevelTooLow, NotAllowed
from creditbox.domain.tokens import Role
from tests.api.conftest import BASE, Api, bill, seed_customer
from tests.api.test_cases import CASE, open_case
from tests.api.test_imports_and_actions_table import row

pytestmark = pytest.mark.cli_or_api

# None of the words the edges used to look for ("già presente", "appartiene", "livello di
# autorizzazione", "massimale").
NEUTRAL = "rifiutato"


class TestTheStatusOfARejectedRecord:
    @pytest.mark.parametrize(
        "kind, status",
        [
            (RejectionKind.CONFLICT, 409),
            (RejectionKind.INVALID, 422),
            (RejectionKind.NOT_FOUND, 422),
            (RejectionKind.UNKNOWN_CUSTOMER, 422),
            (RejectionKind.NOT_ALLOWED, 422),
            (RejectionKind.REFUSED, 422),
            (RejectionKind.NOT_PROCESSED, 422),
            (None, 422),
        ],
    )
    def test_comes_from_its_kind(self, kind: RejectionKind | None, status: int) -> None:
        assert status_of_rejection(kind) == status

    def test_a_conflict_is_409_whatever_its_reason_says(self) -> None:
        out = _result(0, "B1", RecordResult(Outcome.REJECTED, NEUTRAL, Column.AMOUNT, RejectionKind.CONFLICT))
        assert (out.status, out.reason, out.field) == (409, NEUTRAL, "amount")

    def test_old_conflict_words_in_the_reason_do_not_make_a_409(self) -> None:
        reason = "la fornitura appartiene già ad altri: bolletta già presente"
        out = _result(0, "B1", RecordResult(Outcome.REJECTED, reason, Column.SUPPLY_CODE, RejectionKind.NOT_FOUND))
        assert (out.status, out.field) == (422, "supply_code")


class TestTheStatusOfADomainError:
    @pytest.fixture
    def client(self) -> TestClient:
        app = FastAPI()
        install_problem_handlers(app)
        errors: dict[str, DomainError] = {
            "level": LevelTooLow(NEUTRAL),
            "state": NotAllowed("livello di autorizzazione insufficiente: massimale superato"),
        }

        @app.get("/{name}")
        def refuse(name: str) -> None:
            raise errors[name]

        return TestClient(app)

    def test_level_too_low_is_403_level_too_low_whatever_its_message(self, client: TestClient) -> None:
        response = client.get("/level")
        assert response.status_code == 403
        assert response.json()["type"] == "urn:creditbox:problem:level-too-low"
        assert response.json()["detail"] == NEUTRAL

    def test_other_not_allowed_is_409_even_with_the_old_level_words(self, client: TestClient) -> None:
        response = client.get("/state")
        assert response.status_code == 409
        assert response.json()["type"] == "urn:creditbox:problem:conflict"


def test_a_write_off_above_the_ceiling_of_the_token_s_level_is_403(api: Api) -> None:
    open_case(api, [row(1, 3)])  # a bill of 120,50 €
    settings = api.container.companies.get("ACQ").settings
    lower = settings.with_changes(write_off_ceilings={1: Decimal("50.00"), 2: Decimal("100.00")})
    api.container.companies.change_settings("ACQ", lower, by="test")

    requested = api.as_(Role.OPERATOR).post(f"{CASE}/write-off", json={"note": "irrecuperabile"})
    approved = api.as_(Role.SUPERVISOR).post(f"{CASE}/write-off/approve", json={})  # level 2

    assert requested.status_code == 200
    assert approved.status_code == 403
    assert approved.json()["type"] == "urn:creditbox:problem:level-too-low"
    assert "massimale" in approved.json()["detail"]  # the Italian message is kept as it was


def test_a_bill_the_domain_refuses_on_its_amount_names_the_field(api: Api) -> None:
    seed_customer(api)

    zero = api.as_(Role.FEED).post(f"{BASE}/bills", json=bill(amount="0.00"))

    assert zero.status_code == 422
    assert zero.json()["detail"] == "importo zero"  # the domain's refusal, not the schema's
    assert zero.json()["errors"][0]["field"] == "amount"
