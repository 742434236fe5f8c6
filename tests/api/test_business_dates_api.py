"""Business dates through the API: every date of a request lies in the range
(01/01/1990 – 31/12/2099) or the answer is a 422 naming the field; facts and commands dated beyond
today (02/03/2026) plus the tolerance (one day) are a 422 too; an outcome is corrected with a reason."""

from __future__ import annotations

from typing import Any

import pytest

from creditbox.domain.tokens import Role
from tests.api.conftest import BASE, Api, bill, payment, seed_customer
from tests.api.test_cases import CASE, by_of, open_case
from tests.api.test_imports_and_actions_table import row

pytestmark = pytest.mark.cli_or_api

OUT_OF_RANGE = ["9999-12-01", "9999-12-31", "0001-01-01", "2100-01-01", "1989-12-31", "3026-03-02"]


def _fields(response: Any) -> set[str]:
    return {e["field"] for e in response.json().get("errors", [])}


class TestTheFeed:
    @pytest.mark.parametrize("day", OUT_OF_RANGE)
    def test_a_bill_dated_outside_the_range_is_a_422_naming_the_field(self, api: Api, day: str) -> None:
        seed_customer(api)
        feed = api.as_(Role.FEED)

        as_due = feed.post(f"{BASE}/bills", json=bill(number="B1", due=day))
        as_issue = feed.post(f"{BASE}/bills", json=bill(number="B2", issue=day, due=day))
        in_a_list = feed.post(f"{BASE}/bills", json=[bill(number="B3"), bill(number="B4", due=day)])

        assert (as_due.status_code, as_issue.status_code, in_a_list.status_code) == (422, 422, 422)
        assert _fields(as_due) == {"due_date"} and "issue_date" in _fields(as_issue)
        assert _fields(in_a_list) == {"1.due_date"}
        assert "fuori dall'intervallo ammesso" in as_due.json()["errors"][0]["message"]
        assert api.container.positions.load("ACQ", "C1").bills == {}

    @pytest.mark.parametrize("day", [*OUT_OF_RANGE, "2026-03-04", "2029-03-01"])
    def test_a_payment_outside_the_range_or_beyond_the_tolerance_is_a_422_on_payment_date(
        self, api: Api, day: str
    ) -> None:
        seed_customer(api)
        response = api.as_(Role.FEED).post(f"{BASE}/payments", json=payment(paid=day))
        assert response.status_code == 422 and _fields(response) == {"payment_date"}
        assert api.container.positions.load("ACQ", "C1").payments == {}

    @pytest.mark.parametrize("day", ["2026-03-03", "2026-03-02", "1990-01-01"])
    def test_a_payment_up_to_today_plus_the_tolerance_goes_in(self, api: Api, day: str) -> None:
        seed_customer(api)
        response = api.as_(Role.FEED).post(f"{BASE}/payments", json=payment(paid=day))
        assert response.status_code == 200 and response.json()["accepted"] == 1

    def test_the_published_schema_states_the_range(self, api: Api) -> None:
        schema = api.client.get("/openapi.json").json()
        assert "dal 01/01/1990 al 31/12/2099" in str(schema["components"]["schemas"]["BillIn"])


class TestCaseCommands:
    @pytest.mark.parametrize("day", ["2026-03-04", "2029-03-01", "2099-12-31"])
    def test_an_outcome_beyond_the_tolerance_is_a_typed_422_naming_outcome_date(self, api: Api, day: str) -> None:
        open_case(api, [row(1, 4), row(2, 5, start="previous_delivered")])
        response = api.as_(Role.OPERATOR).post(
            f"{CASE}/steps/1/outcome", json={"outcome": "delivered", "outcome_date": day}
        )
        assert response.status_code == 422
        assert response.json()["type"] == "urn:creditbox:problem:date-in-future"
        assert _fields(response) == {"outcome_date"} and "controllare l'anno" in response.json()["detail"]
        assert by_of(api, "OutcomeRecorded") == []

    @pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2100-01-01"])
    def test_dates_outside_the_range_are_refused_on_every_case_route(self, api: Api, day: str) -> None:
        open_case(api, [row(1, 4)])
        operator = api.as_(Role.OPERATOR)
        outcome = operator.post(f"{CASE}/steps/1/outcome", json={"outcome": "delivered", "outcome_date": day})
        lock = operator.post(f"{BASE}/positions/C1/locks", json={"reason": "manual", "until": day})
        plan = operator.post(f"{CASE}/repayment-plan", json={"instalments": [{"due_date": day, "amount": "120.50"}]})
        lift = operator.post(f"{BASE}/positions/C1/locks/B1/lift", json={"lifted_on": day})
        assert [r.status_code for r in (outcome, lock, plan, lift)] == [422, 422, 422, 422]
        assert (_fields(outcome), _fields(lock), _fields(plan), _fields(lift)) == (
            {"outcome_date"},
            {"until"},
            {"instalments.0.due_date"},
            {"lifted_on"},
        )

    def test_a_lock_starting_beyond_the_tolerance_is_refused_and_one_just_inside_is_set(self, api: Api) -> None:
        open_case(api, [row(1, 4)])
        operator = api.as_(Role.OPERATOR)
        late = operator.post(f"{BASE}/positions/C1/locks", json={"reason": "manual", "start": "2027-03-02"})
        tomorrow = operator.post(f"{BASE}/positions/C1/locks", json={"reason": "manual", "start": "2026-03-03"})
        assert late.status_code == 422 and _fields(late) == {"start"}
        assert tomorrow.status_code == 200 and tomorrow.json()["changed"] is True

    @pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2100-01-01", "26-03-02"])
    def test_the_history_as_of_a_date_outside_the_range_is_a_422(self, api: Api, day: str) -> None:
        seed_customer(api)
        response = api.as_(Role.AUDITOR).get(f"{BASE}/positions/C1/history", params={"as_of": day})
        assert response.status_code == 422 and _fields(response) == {"as_of"}


class TestTheCorrectionOfAnOutcome:
    @pytest.mark.postgres_smoke
    def test_a_wrong_outcome_is_corrected_the_case_follows_it_and_the_history_keeps_both(self, api: Api) -> None:
        open_case(api, [row(1, 4, wait_after_days=0), row(2, 3, start="previous_delivered")])
        operator = api.as_(Role.OPERATOR)
        returned = operator.post(f"{CASE}/steps/1/outcome", json={"outcome": "returned", "outcome_date": "2026-03-02"})
        assert returned.status_code == 200 and "StepExecuted" not in returned.json()["events"]

        corrected = operator.post(
            f"{CASE}/steps/1/outcome/correct",
            json={"outcome": "delivered", "outcome_date": "2026-03-02", "reason": "ricevuta A/R firmata ritrovata"},
        )

        assert corrected.status_code == 200, corrected.text
        assert corrected.json()["events"][0] == "OutcomeCorrected" and "StepExecuted" in corrected.json()["events"]
        history = api.as_(Role.AUDITOR).get(f"{BASE}/positions/C1/history").json()["events"]
        kinds = [(e["type"], e["by"]) for e in history if e["type"].startswith("Outcome")]
        assert kinds == [("OutcomeRecorded", api.name(Role.OPERATOR)), ("OutcomeCorrected", api.name(Role.OPERATOR))]
        correction = next(e for e in history if e["type"] == "OutcomeCorrected")
        assert correction["data"]["reason"] == "ricevuta A/R firmata ritrovata"

    @pytest.mark.parametrize(
        "body",
        [
            {"outcome": "delivered", "outcome_date": "2026-03-02", "reason": ""},
            {"outcome": "delivered", "outcome_date": "2026-03-02", "reason": "x", "replaces_outcome": "returned"},
            {"outcome": "delivered", "outcome_date": "9999-12-31", "reason": "x"},
            {"outcome": "delivered", "reason": "x"},
        ],
    )
    def test_a_correction_without_reason_date_or_with_half_a_target_is_a_422(
        self, api: Api, body: dict[str, Any]
    ) -> None:
        open_case(api, [row(1, 4)])
        api.as_(Role.OPERATOR).post(f"{CASE}/steps/1/outcome", json={"outcome": "returned"})
        response = api.as_(Role.OPERATOR).post(f"{CASE}/steps/1/outcome/correct", json=body)
        assert response.status_code == 422 and response.json()["errors"]

    def test_a_correction_dated_beyond_the_tolerance_is_a_typed_422(self, api: Api) -> None:
        open_case(api, [row(1, 4)])
        api.as_(Role.OPERATOR).post(f"{CASE}/steps/1/outcome", json={"outcome": "returned"})
        response = api.as_(Role.OPERATOR).post(
            f"{CASE}/steps/1/outcome/correct",
            json={"outcome": "delivered", "outcome_date": "2029-03-02", "reason": "x"},
        )
        assert response.status_code == 422 and _fields(response) == {"outcome_date"}
        assert response.json()["type"] == "urn:creditbox:problem:date-in-future"
