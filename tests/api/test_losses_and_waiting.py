"""Through the API: written-off and litigation-lost debt apart from the overdue and the ageing, and
what each case waits for, in the live summary (read models) and in the replayed position."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from creditbox.domain.tokens import Role
from creditbox.domain.workflow.outcomes import LockReason
from tests.api.conftest import BASE, Api
from tests.integration.losses import given_debt_out_of_collection

pytestmark = pytest.mark.cli_or_api


def test_the_ageing_leaves_lost_debt_out_and_gives_it_apart(api: Api) -> None:
    given_debt_out_of_collection(api.container)
    ageing = api.as_(Role.OPERATOR).get(f"{BASE}/ageing").json()
    assert ageing["total"] == "170.00"
    assert sum(Decimal(b["amount"]) for b in ageing["buckets"]) == Decimal("170.00")
    assert (ageing["written_off"], ageing["written_off_count"]) == ("600.00", 2)
    assert (ageing["litigation_loss"], ageing["litigation_loss_count"]) == ("5000.00", 2)


def test_the_summary_and_the_replayed_position_show_losses_apart(api: Api) -> None:
    given_debt_out_of_collection(api.container)
    operator, auditor = api.as_(Role.OPERATOR), api.as_(Role.AUDITOR)
    for code, written_off, litigation in (("WO", "300.00", "0.00"), ("LP", "0.00", "2000.00")):
        live = operator.get(f"{BASE}/positions/{code}").json()
        replayed = auditor.get(f"{BASE}/positions/{code}/history").json()["position"]
        for summary in (live, replayed):
            assert summary["overdue"] == "0.00"
            assert (summary["written_off"], summary["litigation_loss"]) == (written_off, litigation)
            assert all(i["bill_number"] != f"B-{code}" for i in summary["open_items"])
            assert [(i["bill_number"], i["loss"]) for i in summary["lost_items"]] == [
                (f"B-{code}", "written_off" if code == "WO" else "litigation")
            ]
        assert live["lost_items"] == replayed["lost_items"]
    listed = {
        r["customer_code"]: (r["overdue"], r["written_off"], r["litigation_loss"])
        for r in operator.get(f"{BASE}/positions").json()["items"]
    }
    assert listed == {
        "WO": ("0.00", "300.00", "0.00"),
        "ST": ("0.00", "300.00", "0.00"),
        "LT": ("0.00", "0.00", "3000.00"),
        "LP": ("0.00", "0.00", "2000.00"),
        "LIVE": ("120.00", "0.00", "0.00"),
    }


@pytest.mark.postgres_smoke
def test_waiting_for_in_the_live_summary_and_the_replay(api: Api) -> None:
    # Given LIVE's case with its registered letter sent on 15/02 (the clock's today is 02/03)
    given_debt_out_of_collection(api.container)
    api.container.dunning().run_due("ACQ", date(2026, 2, 15))
    api.container.projections.catch_up()
    operator, auditor = api.as_(Role.OPERATOR), api.as_(Role.AUDITOR)
    live = operator.get(f"{BASE}/positions/LIVE").json()["cases"][0]
    replayed = auditor.get(f"{BASE}/positions/LIVE/history").json()["position"]["cases"][0]
    for case in (live, replayed):
        assert case["waiting_for_code"] == "delivery_proof"
        assert case["waiting_for"] == "prova di consegna del passo 2 (Sollecito A/R)"
    # When a complaint lock is set on the customer
    api.container.case_commands().set_lock("ACQ", "LIVE", LockReason.COMPLAINT, note="reclamo", by="op")
    api.container.projections.catch_up()
    live = operator.get(f"{BASE}/positions/LIVE").json()["cases"][0]
    replayed = auditor.get(f"{BASE}/positions/LIVE/history").json()["position"]["cases"][0]
    # Then both say the case waits for the lock to be lifted
    for case in (live, replayed):
        assert case["waiting_for_code"] == "lock"
        assert case["waiting_for"] == "sblocco: reclamo B1 (intero cliente, dal 02/03/2026 fino a revoca)"


def test_history_as_of_is_the_position_then_with_its_notes(api: Api) -> None:
    # Given WO's case written off on 20/02
    given_debt_out_of_collection(api.container)
    auditor = api.as_(Role.AUDITOR)
    before = auditor.get(f"{BASE}/positions/WO/history", params={"as_of": "2026-02-15"}).json()
    after = auditor.get(f"{BASE}/positions/WO/history").json()
    # Then on 15/02 the case was open and the bill was overdue, not written off
    position = before["position"]
    assert [(c["case_id"], c["status"]) for c in position["cases"]] == [("S-WO/1", "open")]
    assert (position["overdue"], position["written_off"], position["lost_items"]) == ("300.00", "0.00", [])
    assert before["notes"] and before["notes"][0].startswith("Posizione ricostruita al 15/02/2026")
    # And today it is closed, written off, and nothing was left out (no notes)
    assert [(c["case_id"], c["status"]) for c in after["position"]["cases"]] == [("S-WO/1", "closed_written_off")]
    assert (after["position"]["overdue"], after["position"]["written_off"]) == ("0.00", "300.00")
    assert after["notes"] == []


def test_a_lock_that_starts_or_ends_without_any_event_shows_on_the_day_it_applies(api: Api) -> None:
    # Given LIVE's letter sent on 15/02, a complaint lock that ended on 28/02 and one set today (02/03)
    # from tomorrow (a start within the future-date tolerance) to 20/03
    given_debt_out_of_collection(api.container)
    api.container.dunning().run_due("ACQ", date(2026, 2, 15))
    commands = api.container.case_commands()
    commands.set_lock("ACQ", "LIVE", LockReason.COMPLAINT, None, date(2026, 2, 16), date(2026, 2, 28), by="op")
    commands.set_lock("ACQ", "LIVE", LockReason.DISPUTE, None, date(2026, 3, 3), date(2026, 3, 20), by="op")
    api.container.projections.catch_up()
    operator = api.as_(Role.OPERATOR)

    def live() -> dict[str, str]:
        return dict(operator.get(f"{BASE}/positions/LIVE").json()["cases"][0])

    # When the summary is read on 02/03: neither lock applies, the letter's proof is awaited
    assert live()["waiting_for_code"] == "delivery_proof"
    # When the business date moves to 12/03 with no event at all: the second lock applies
    api.container.clock.set(date(2026, 3, 12))  # type: ignore[attr-defined]
    assert live()["waiting_for"] == "sblocco: contestazione B2 (intero cliente, dal 03/03/2026 fino al 20/03/2026)"
    # And from 21/03 it no longer does
    api.container.clock.set(date(2026, 3, 21))  # type: ignore[attr-defined]
    assert live()["waiting_for_code"] == "delivery_proof"
