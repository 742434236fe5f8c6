"""Case commands through the API: proposals, approvals at the token's level, outcomes, locks,
plans, write-off, litigation; every command records the token name."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from creditbox.domain.tokens import Role
from tests.api.conftest import BASE, Api, bill, customer, supply
from tests.api.test_imports_and_actions_table import row

pytestmark = pytest.mark.cli_or_api

CASE = f"{BASE}/positions/C1/cases/S1/1"


def open_case(api: Api, rows: list[dict[str, Any]], amount: str = "120.50") -> None:
    """A table of ``rows``, customer C1 with an overdue bill, and the tick that opens case S1/1."""
    assert api.as_(Role.ADMIN).put(f"{BASE}/actions-table", json={"rows": rows}).status_code == 200
    feed = api.as_(Role.FEED)
    feed.put(f"{BASE}/customers/C1", json=customer(address="Via Roma 1", postcode="00100", city="Roma"))
    feed.put(f"{BASE}/supplies/S1", json=supply("C1"))
    feed.post(f"{BASE}/bills", json=bill(amount=amount))
    api.container.dunning().run_due("ACQ", api.container.clock.today())
    api.container.projections.catch_up()


def case_of(api: Api) -> dict[str, Any]:
    cases = api.as_(Role.OPERATOR).get(f"{BASE}/positions/C1").json()["cases"]
    assert len(cases) == 1
    return dict(cases[0])


def worklist(api: Api, kind: str) -> list[dict[str, Any]]:
    response = api.as_(Role.OPERATOR).get(f"{BASE}/worklists", params={"kind": kind})
    assert response.status_code == 200
    return list(response.json()["items"])


def by_of(api: Api, event_type: str) -> list[str]:
    events = api.as_(Role.AUDITOR).get(f"{BASE}/positions/C1/history").json()["events"]
    return [e["by"] for e in events if e["type"] == event_type]


def test_an_operator_confirms_a_proposal_once(api: Api) -> None:
    open_case(api, [row(1, 3, "proposal")])
    assert [(i["case_id"], i["step"]) for i in worklist(api, "proposal")] == [("S1/1", 1)]

    first = api.as_(Role.OPERATOR).post(f"{CASE}/steps/1/confirm", json={})
    again = api.as_(Role.OPERATOR).post(f"{CASE}/steps/1/confirm", json={})

    assert first.status_code == 200
    assert first.json()["changed"] is True and "StepExecuted" in first.json()["events"]
    assert again.json() == {"changed": False, "events": [], "lock_id": None}
    assert worklist(api, "proposal") == []
    assert case_of(api)["step"] == 1 and case_of(api)["action_code"] == 3
    assert by_of(api, "ProposalConfirmed") == [api.name(Role.OPERATOR)]


def test_a_discarded_proposal_records_the_note(api: Api) -> None:
    open_case(api, [row(1, 3, "proposal"), row(2, 4, "proposal", start="previous_outcome")])

    response = api.as_(Role.OPERATOR).post(f"{CASE}/steps/1/discard", json={"note": "cliente al telefono"})

    assert response.status_code == 200 and "ProposalDiscarded" in response.json()["events"]
    assert by_of(api, "ProposalDiscarded") == [api.name(Role.OPERATOR)]


def test_confirming_what_is_not_a_proposal_is_a_conflict_and_an_unknown_case_is_404(api: Api) -> None:
    open_case(api, [row(1, 3)])

    not_a_proposal = api.as_(Role.OPERATOR).post(f"{CASE}/steps/1/confirm", json={})
    unknown_case = api.as_(Role.OPERATOR).post(f"{BASE}/positions/C1/cases/S1/9/steps/1/confirm", json={})
    unknown_customer = api.as_(Role.OPERATOR).post(f"{BASE}/positions/NOPE/cases/S1/1/steps/1/confirm", json={})

    assert not_a_proposal.status_code == 409
    assert unknown_case.status_code == 404
    assert unknown_customer.status_code == 404


@pytest.mark.postgres_smoke
def test_approval_above_the_token_level_is_403_and_within_it_runs(api: Api) -> None:
    open_case(api, [row(1, 3, level=3)])
    assert [i["level"] for i in worklist(api, "approval")] == [3]
    low = api.container.tokens().issue(
        "ACQ", Role.SUPERVISOR, issued_on=date(2026, 3, 2), level=1, name="sup-1", by="t"
    )
    high = api.container.tokens().issue(
        "ACQ", Role.SUPERVISOR, issued_on=date(2026, 3, 2), level=3, name="sup-3", by="t"
    )

    too_low = api.client.post(f"{CASE}/steps/1/approve", json={}, headers={"Authorization": f"Bearer {low.secret}"})
    by_operator = api.as_(Role.OPERATOR).post(f"{CASE}/steps/1/approve", json={})
    ok = api.client.post(f"{CASE}/steps/1/approve", json={}, headers={"Authorization": f"Bearer {high.secret}"})

    assert too_low.status_code == 403
    assert too_low.json()["type"] == "urn:creditbox:problem:level-too-low"
    assert by_operator.status_code == 403
    assert ok.status_code == 200 and "StepApproved" in ok.json()["events"]
    assert by_of(api, "StepApproved") == ["sup-3"]


def test_a_supervisor_refuses_a_step(api: Api) -> None:
    open_case(api, [row(1, 3, level=1)])

    response = api.as_(Role.SUPERVISOR).post(f"{CASE}/steps/1/refuse", json={"note": "non opportuno"})

    assert response.status_code == 200 and "StepRefused" in response.json()["events"]


def test_outcomes_are_recorded_and_an_outcome_the_action_does_not_have_is_invalid(api: Api) -> None:
    open_case(api, [row(1, 4), row(2, 5, start="previous_outcome")])

    delivered = api.as_(Role.OPERATOR).post(
        f"{CASE}/steps/1/outcome", json={"outcome": "delivered", "outcome_date": "2026-03-02"}
    )
    wrong = api.as_(Role.OPERATOR).post(f"{CASE}/steps/1/outcome", json={"outcome": "positive"})
    unknown = api.as_(Role.OPERATOR).post(f"{CASE}/steps/1/outcome", json={"outcome": "maybe"})

    assert delivered.status_code == 200 and "OutcomeRecorded" in delivered.json()["events"]
    assert wrong.status_code == 422
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "outcome"


@pytest.mark.postgres_smoke
def test_a_lock_is_set_once_and_lifted(api: Api) -> None:
    open_case(api, [row(1, 3, "proposal")])
    operator = api.as_(Role.OPERATOR)

    lock = operator.post(f"{BASE}/positions/C1/locks", json={"reason": "complaint", "supply_code": "S1"})
    same = operator.post(f"{BASE}/positions/C1/locks", json={"reason": "complaint", "supply_code": "S1"})
    lock_id = lock.json()["lock_id"]
    lifted = operator.post(f"{BASE}/positions/C1/locks/{lock_id}/lift", json={"note": "reclamo chiuso"})
    bad_dates = operator.post(
        f"{BASE}/positions/C1/locks", json={"reason": "manual", "start": "2026-03-10", "until": "2026-03-01"}
    )

    assert lock.status_code == 200 and lock.json()["changed"] is True and lock_id
    assert same.json()["changed"] is False and same.json()["lock_id"] == lock_id
    assert lifted.status_code == 200 and lifted.json()["changed"] is True
    assert bad_dates.status_code == 422
    assert by_of(api, "LockSet") == [api.name(Role.OPERATOR)]


def test_lifting_an_unknown_lock_is_404(api: Api) -> None:
    open_case(api, [row(1, 3, "proposal")])
    operator = api.as_(Role.OPERATOR)

    unknown = operator.post(f"{BASE}/positions/C1/locks/B9/lift", json={"note": "mai esistito"})

    assert unknown.status_code == 404
    assert "blocco 'B9' sconosciuto" in unknown.json()["detail"]
    assert by_of(api, "LockLifted") == []


def test_a_repayment_plan_must_add_up_to_the_overdue(api: Api) -> None:
    open_case(api, [row(1, 3)], amount="100.00")
    operator = api.as_(Role.OPERATOR)

    short = operator.post(f"{CASE}/repayment-plan", json={"instalments": [{"due_date": "2026-04-01", "amount": "10"}]})
    plan = operator.post(
        f"{CASE}/repayment-plan",
        json={
            "instalments": [
                {"due_date": "2026-04-01", "amount": "50.00"},
                {"due_date": "2026-05-01", "amount": "50.00"},
            ]
        },
    )

    assert short.status_code == 422
    assert plan.status_code == 200 and "RepaymentPlanAgreed" in plan.json()["events"]
    assert case_of(api)["status"] == "paused"


@pytest.mark.parametrize("level, expected", [(1, 200), (2, 200)])
def test_a_write_off_is_requested_by_an_operator_and_approved_within_the_ceiling(
    api: Api, level: int, expected: int
) -> None:
    open_case(api, [row(1, 3)])
    token = api.container.tokens().issue("ACQ", Role.SUPERVISOR, issued_on=date(2026, 3, 2), level=level, by="t")

    requested = api.as_(Role.OPERATOR).post(f"{CASE}/write-off", json={"note": "irrecuperabile"})
    approved = api.client.post(
        f"{CASE}/write-off/approve", json={}, headers={"Authorization": f"Bearer {token.secret}"}
    )

    assert requested.status_code == 200 and requested.json()["changed"] is True
    assert approved.status_code == expected
    assert case_of(api)["status"] == "closed_written_off"


def test_a_settlement_can_be_refused(api: Api) -> None:
    open_case(api, [row(1, 3)])

    requested = api.as_(Role.OPERATOR).post(
        f"{CASE}/write-off", json={"kind": "settlement", "settlement_amount": "60.00"}
    )
    refused = api.as_(Role.SUPERVISOR).post(f"{CASE}/write-off/refuse", json={"note": "troppo poco"})

    assert requested.status_code == 200
    assert refused.status_code == 200 and refused.json()["changed"] is True
    assert case_of(api)["status"] not in ("closed_settled", "closed_written_off")


@pytest.mark.postgres_smoke
def test_litigation_hand_over_needs_the_level_and_legal_records_the_outcome(api: Api) -> None:
    open_case(api, [row(1, 3)])

    by_legal = api.as_(Role.LEGAL).post(f"{CASE}/litigation", json={})
    handed = api.as_(Role.SUPERVISOR).post(f"{CASE}/litigation", json={})
    status_after_hand_over = case_of(api)["status"]
    outcome = api.as_(Role.LEGAL).post(
        f"{CASE}/litigation/outcome", json={"result": "partially_recovered", "recovered_amount": "50.00"}
    )

    assert by_legal.status_code == 403
    assert handed.status_code == 200 and status_after_hand_over == "in_litigation"
    assert outcome.status_code == 200 and outcome.json()["changed"] is True
    assert case_of(api)["status"] == "closed_litigation"
    assert by_of(api, "LitigationOutcomeRecorded") == [api.name(Role.LEGAL)]
