"""The domain's rules for the milestones of the legal proceedings: only on a case in litigation (and,
after the outcome, only recoveries and the closing), never dated after the business date, in an order
that makes sense, with no negative amount; the same milestone sent again records nothing; the case
rebuilt from its events holds the same milestones."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from creditbox.domain.business_dates import DateInFuture, DateWindow
from creditbox.domain.errors import Field, InvalidCommand, NotAllowed
from creditbox.domain.position import Position
from creditbox.domain.workflow.cases import CaseStatus
from creditbox.domain.workflow.legal import LegalDocument, LegalMilestoneKind, last_milestone
from creditbox.domain.workflow.outcomes import LitigationResult
from creditbox.projections.describe import business_date, describe, event_data
from tests.unit.workflow.scenario import Scenario
from tests.unit.workflow.test_branches import OPENED

K = LegalMilestoneKind
HANDED_OVER = OPENED + timedelta(days=5)
TODAY = HANDED_OVER + timedelta(days=60)
WINDOW = DateWindow(TODAY, 1)
AT = datetime(2026, 4, 16, 10, 30, tzinfo=UTC)


def _in_litigation() -> Scenario:
    scenario = Scenario.given(amount="3000.00")
    scenario.tick(OPENED)
    level = scenario.settings.litigation_approval_level
    scenario.position.hand_over_to_litigation("S1/1", level, scenario.settings, HANDED_OVER, by="boss")
    scenario.collect()
    assert scenario.case.status == CaseStatus.IN_LITIGATION
    return scenario


def _record(scenario: Scenario, kind: LegalMilestoneKind, on: date, **extra: Any) -> bool:
    options: dict[str, Any] = {"window": WINDOW, "recorded_at": AT, **extra}
    return scenario.position.record_legal_milestone("S1/1", kind, on, by="avv.bianchi", **options)


def test_the_milestones_of_an_injunction_in_their_order() -> None:
    scenario = _in_litigation()
    filed, granted, served = HANDED_OVER + timedelta(days=3), HANDED_OVER + timedelta(days=20), TODAY
    decree = LegalDocument("decreto.pdf", "a" * 64, "application/pdf")
    assert _record(scenario, K.INJUNCTION_FILED, filed, court="Tribunale di Milano", docket="RG 1234/2026")
    assert _record(scenario, K.INJUNCTION_GRANTED, granted, amount=Decimal("3000"), documents=(decree,))
    assert _record(scenario, K.INJUNCTION_SERVED, served, next_deadline=served + timedelta(days=40))
    assert scenario.collect() == ["LegalMilestoneRecorded"] * 3
    milestones = scenario.case.legal_milestones
    assert [m.kind for m in milestones] == [K.INJUNCTION_FILED, K.INJUNCTION_GRANTED, K.INJUNCTION_SERVED]
    assert milestones[0].court == "Tribunale di Milano" and milestones[0].docket == "RG 1234/2026"
    assert milestones[1].amount == Decimal("3000.00") and milestones[1].documents == (decree,)
    assert milestones[2].recorded_by == "avv.bianchi" and milestones[2].recorded_at == AT
    last = last_milestone(milestones)
    assert last is not None and last.next_deadline == served + timedelta(days=40)


def test_the_same_milestone_sent_again_records_nothing() -> None:
    scenario = _in_litigation()
    assert _record(scenario, K.INJUNCTION_FILED, HANDED_OVER, court="Tribunale di Pavia")
    later = {"window": WINDOW, "recorded_at": AT + timedelta(hours=1)}  # a retry, recorded later
    assert not scenario.position.record_legal_milestone(
        "S1/1", K.INJUNCTION_FILED, HANDED_OVER, by="avv.bianchi", court=" Tribunale di Pavia ", **later
    )
    assert scenario.collect() == ["LegalMilestoneRecorded"]


def test_a_case_not_in_litigation_has_no_legal_milestone() -> None:
    scenario = Scenario.given(amount="3000.00")
    scenario.tick(OPENED)
    with pytest.raises(NotAllowed, match="non è in contenzioso"):
        _record(scenario, K.INJUNCTION_FILED, OPENED)
    assert scenario.collect() == []


def test_after_the_outcome_only_recoveries_and_the_closing() -> None:
    scenario = _in_litigation()
    _record(scenario, K.JUDGMENT, HANDED_OVER + timedelta(days=30))
    outcome_on = HANDED_OVER + timedelta(days=40)
    scenario.position.record_litigation_outcome(
        "S1/1", LitigationResult.PARTIALLY_RECOVERED, Decimal("100"), outcome_on, "", by="avv"
    )
    scenario.collect()
    with pytest.raises(NotAllowed, match="solo"):
        _record(scenario, K.ENFORCEMENT, outcome_on)
    assert _record(scenario, K.AMOUNT_RECOVERED, outcome_on + timedelta(days=5), amount=Decimal("250.50"))
    assert _record(scenario, K.CLOSED, outcome_on + timedelta(days=6))
    with pytest.raises(NotAllowed, match="chiusa"):
        _record(scenario, K.AMOUNT_RECOVERED, outcome_on + timedelta(days=7), amount=Decimal("1"))
    assert scenario.collect() == ["LegalMilestoneRecorded"] * 2


@pytest.mark.parametrize(
    ("kind", "before"),
    [
        (K.INJUNCTION_GRANTED, "ricorso"),
        (K.INJUNCTION_SERVED, "decreto ingiuntivo emesso"),
        (K.OPPOSITION_FILED, "notificato"),
        (K.ENFORCEMENT, "sentenza"),
    ],
)
def test_a_milestone_before_its_prerequisite_is_refused(kind: LegalMilestoneKind, before: str) -> None:
    scenario = _in_litigation()
    with pytest.raises(NotAllowed, match=before):
        _record(scenario, kind, TODAY)
    assert scenario.collect() == []


def test_the_prerequisite_must_be_dated_on_or_before() -> None:
    scenario = _in_litigation()
    _record(scenario, K.INJUNCTION_FILED, TODAY)
    with pytest.raises(NotAllowed, match="ricorso"):
        _record(scenario, K.INJUNCTION_GRANTED, TODAY - timedelta(days=1))
    assert _record(scenario, K.INJUNCTION_GRANTED, TODAY)
    assert _record(scenario, K.JUDGMENT, TODAY - timedelta(days=1))  # an ordinary lawsuit needs no decree
    assert _record(scenario, K.ENFORCEMENT, TODAY)  # on the judgment


def test_dates_amounts_and_deadlines_that_make_no_sense() -> None:
    scenario = _in_litigation()
    with pytest.raises(DateInFuture) as future:
        _record(scenario, K.INJUNCTION_FILED, TODAY + timedelta(days=2))
    assert future.value.field == Field.OCCURRED_ON
    assert _record(scenario, K.INJUNCTION_FILED, TODAY + timedelta(days=1))  # the usual tolerance
    with pytest.raises(InvalidCommand, match="apertura"):
        _record(scenario, K.JUDGMENT, OPENED - timedelta(days=1))
    with pytest.raises(InvalidCommand, match="negativo") as negative:
        _record(scenario, K.JUDGMENT, TODAY, amount=Decimal("-0.01"))
    assert negative.value.field == Field.AMOUNT
    with pytest.raises(InvalidCommand, match="importo"):
        _record(scenario, K.AMOUNT_RECOVERED, TODAY)
    with pytest.raises(InvalidCommand, match="precedente") as early:
        _record(scenario, K.JUDGMENT, TODAY, next_deadline=TODAY - timedelta(days=1))
    assert early.value.field == Field.NEXT_DEADLINE
    with pytest.raises(InvalidCommand, match="scadenze"):
        _record(scenario, K.CLOSED, TODAY, next_deadline=TODAY + timedelta(days=10))
    with pytest.raises(InvalidCommand, match="tribunale troppo lungo"):
        _record(scenario, K.JUDGMENT, TODAY, court="T" * 256)
    assert scenario.collect() == ["LegalMilestoneRecorded"]


def test_the_case_rebuilt_from_its_events_holds_the_same_milestones() -> None:
    scenario = _in_litigation()
    _record(scenario, K.INJUNCTION_FILED, HANDED_OVER, court="Tribunale di Lodi", docket="RG 9/2026")
    _record(
        scenario,
        K.INJUNCTION_GRANTED,
        TODAY,
        amount=Decimal("2999.99"),
        next_deadline=TODAY + timedelta(days=40),
        note="provvisoriamente esecutivo",
        documents=(LegalDocument("decreto.pdf", "b" * 64, "application/pdf"),),
    )
    scenario.collect()
    rebuilt: Position | None = None
    for event in scenario.history:
        rebuilt = event.mutate(rebuilt)
    assert rebuilt is not None
    assert rebuilt.case("S1/1").legal_milestones == scenario.case.legal_milestones
    assert rebuilt.case("S1/1").__dict__ == scenario.case.__dict__


def test_the_history_describes_a_milestone_in_italian() -> None:
    scenario = _in_litigation()
    _record(scenario, K.INJUNCTION_FILED, HANDED_OVER, court="Tribunale di Milano", docket="123/2026")
    _record(
        scenario,
        K.INJUNCTION_GRANTED,
        TODAY,
        amount=Decimal("1234.5"),
        next_deadline=date(2026, 5, 25),
        note="provvisoriamente esecutivo",
        documents=(LegalDocument("decreto.pdf", "c" * 64, "application/pdf"),),
    )
    scenario.collect()
    filed, granted = scenario.events_named("LegalMilestoneRecorded")

    assert describe(filed, event_data(filed)) == (
        f"Contenzioso della pratica S1/1: ricorso per decreto ingiuntivo depositato il {HANDED_OVER:%d/%m/%Y} "
        "(Tribunale di Milano, R.G. 123/2026)"
    )
    assert describe(granted, event_data(granted)) == (
        f"Contenzioso della pratica S1/1: decreto ingiuntivo emesso il {TODAY:%d/%m/%Y}, importo 1.234,50 €, "
        "prossima scadenza 25/05/2026; 1 documento: decreto.pdf — provvisoriamente esecutivo"
    )
    assert business_date(event_data(granted)) == TODAY
