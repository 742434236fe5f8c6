"""``creditbox cases …`` through the real command line (Typer's CliRunner).

The state is built as an operator would: a company from the CLI, a water customer fed in by the
ingestor, ``creditbox tick`` on fixed past dates, then the case commands. Every command is given
``--date`` where it takes one, since the CLI's clock is the real one; commands that record an
outcome, a lock or a lift run the engine up to today as well, so the assertions after those stick
to what later days cannot change (proposals and approvals wait for a person).
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from creditbox.application.records import BillRecord, CustomerRecord, PaymentRecord, Record, SupplyRecord
from creditbox.bootstrap import bootstrap
from creditbox.clock import SystemClock
from creditbox.domain.codes import SupplyStatus
from creditbox.domain.ids import position_id
from creditbox.projections.event_labels import event_label
from creditbox.settings import Settings
from tests.builders import details, supply
from tests.integration.command_line import Run, run

pytestmark = pytest.mark.cli_or_api

CASE = "S-C1/1"  # the first case on supply S-C1
DUE = date(2026, 1, 31)
# The operators of ACQ the commands run as (name, role as typed, level).
OPERATORS = [("rossi", "operatore", "0"), ("bianchi", "responsabile", "1"), ("verdi", "supervisor", "2")]


def cases(*args: str) -> Run:
    """``creditbox cases <args> --company ACQ``."""
    return run("cases", *args, "--company", "ACQ")


@pytest.fixture
def cli_db(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("CREDITBOX_DATABASE_URL", database_url)
    monkeypatch.setenv("COLUMNS", "250")  # rich wraps messages at 80 columns otherwise
    created = run("companies", "add", "ACQ", "--name", "Acque Spa")
    assert created.code == 0, created.err
    for name, role, level in OPERATORS:
        added = run("operators", "add", name, "--company", "ACQ", "--role", role, "--level", level)
        assert added.code == 0, added.err
    monkeypatch.setenv("CREDITBOX_USER", "verdi")  # the supervisor of level 2 runs the commands by default
    return database_url


def ingest(database_url: str, *records: Record) -> None:
    with bootstrap(Settings(database_url=database_url)) as c:
        report = c.ingestor().ingest("ACQ", list(records), by="test")
    assert all(r.outcome.value != "rejected" for r in report.results), report.results


def given_a_water_customer(database_url: str, amount: str = "120.00") -> None:
    """Customer C1, domestic water supply S-C1 (ladder ACQUA-DOMESTICI), one bill due 31/01/2026."""
    ingest(
        database_url,
        CustomerRecord("C1", details(mobile="3331234567", address="Via Roma 1", postcode="00184", city="Roma")),
        SupplyRecord("C1", supply("S-C1")),
        BillRecord("B-C1", "C1", "S-C1", date(2026, 1, 1), DUE, Decimal(amount)),
    )


def tick(on: str) -> None:
    ticked = run("tick", "--company", "ACQ", "--as-of", on)
    assert ticked.code == 0, ticked.err


def position() -> dict[str, Any]:
    shown = run("positions", "show", "C1", "--company", "ACQ", "--json")
    assert shown.code == 0, shown.err
    return dict(json.loads(shown.out))


def the_case() -> dict[str, Any]:
    found = position()["cases"]
    assert [c["case_id"] for c in found] == [CASE]
    return dict(found[0])


def step(seq: int) -> dict[str, Any]:
    return next(s for s in the_case()["steps"] if s["seq"] == seq)


def recorded(database_url: str, event_type: str) -> list[Any]:
    """The events of C1's position of one type, as stored."""
    with bootstrap(Settings(database_url=database_url)) as c:
        events = c.app.repository.event_store.get(position_id("ACQ", "C1"))
        return [e for e in events if type(e).__name__ == event_type]


@pytest.fixture
def case_open(cli_db: str) -> str:
    """Case S-C1/1 opened on 10/02/2026 with the SMS (step 1) sent."""
    given_a_water_customer(cli_db)
    tick("2026-02-10")
    assert [s["status"] for s in the_case()["steps"]] == ["executed"]
    return cli_db


@pytest.fixture
def limitation_proposed(case_open: str) -> str:
    """Step 2 (A/R) executed on 15/02 and delivered on 18/02: step 3 (limitation request,
    proposal, level 1) is proposed from 30/03."""
    tick("2026-02-15")
    delivered = cases("outcome", "C1", CASE, "2", "delivered", "--date", "2026-02-18")
    assert delivered.code == 0, delivered.err
    tick("2026-03-30")
    assert step(3)["status"] == "proposed"
    return case_open


# ---- proposals and approvals ---------------------------------------------------------------


def test_an_outcome_is_recorded_once_and_unblocks_the_next_step(case_open: str) -> None:
    tick("2026-02-15")
    assert step(2)["status"] == "executed" and step(2)["outcomes"] == []

    first = cases("outcome", "C1", CASE, "2", "delivered", "--date", "2026-02-18", "--note", "firmata")
    again = cases("outcome", "C1", CASE, "2", "DELIVERED", "--date", "2026-02-18")

    assert first.code == 0 and first.out.startswith(
        "Esito del passo 2 registrato: consegnato. Eventi: esito registrato"
    )
    assert (
        again.code == 0
        and again.out.strip()
        == "Nessuna modifica: l'operazione era già stata registrata (esito del passo 2 registrato: consegnato)."
    )
    assert step(2)["outcomes"] == [{"outcome": "delivered", "date": "2026-02-18"}]
    assert step(2)["delivered_on"] == "2026-02-18"
    assert [e.note for e in recorded(case_open, "OutcomeRecorded")] == ["firmata"]


@pytest.mark.postgres_smoke
def test_a_proposal_is_confirmed_then_approved_at_the_level_it_needs(limitation_proposed: str) -> None:
    assert the_case()["waiting_for"] == "conferma dell'operatore (passo 3)"

    confirmed = cases("confirm", "C1", CASE, "3", "--date", "2026-03-30")
    again = cases("confirm", "C1", CASE, "3", "--date", "2026-03-30")

    assert confirmed.code == 0 and confirmed.out.strip() == "Proposta confermata. Eventi: proposta confermata"
    assert (
        again.code == 0
        and again.out.strip() == "Nessuna modifica: l'operazione era già stata registrata (proposta confermata)."
    )
    assert step(3)["status"] == "awaiting_approval"
    assert the_case()["waiting_for"] == "approvazione livello 1 (passo 3)"

    too_low = cases("approve", "C1", CASE, "3", "--level", "0", "--date", "2026-03-30")

    assert too_low.code == 2
    assert "livello di autorizzazione 0 insufficiente" in too_low.err and "serve almeno il livello 1" in too_low.err
    assert step(3)["status"] == "awaiting_approval"

    approved = cases("approve", "C1", CASE, "3", "--level", "1", "--date", "2026-03-30")

    # The outcome of 18/02 ran the engine up to today (SystemClock), so step 3 was proposed today:
    # an approval dated 30/03 is recorded, but nothing runs back on 30/03 (business dates only move
    # forward); the next run for today executes it.
    assert approved.code == 0 and approved.out.strip() == "Passo approvato. Eventi: passo approvato"
    assert step(3)["status"] == "approved"
    today = SystemClock("Europe/Rome").today()
    days = [(today + timedelta(days=n)).isoformat() for n in range(7)]  # water: no limitation Fri/Sat/holidays
    for day in days:
        tick(day)
        if step(3)["status"] == "executed":
            break
    assert step(3)["status"] == "executed" and step(3)["date"] == day
    assert [e.by for e in recorded(limitation_proposed, "StepApproved")] == ["verdi"]


def test_a_discarded_proposal_is_skipped_with_its_note(limitation_proposed: str) -> None:
    discarded = cases("discard", "C1", CASE, "3", "--note", "cliente al telefono", "--date", "2026-03-30")

    assert discarded.code == 0 and discarded.out.startswith("Proposta scartata. Eventi: proposta scartata")
    assert step(3)["status"] == "skipped" and step(3)["reason"] == "discarded"
    assert [e.note for e in recorded(limitation_proposed, "ProposalDiscarded")] == ["cliente al telefono"]
    again = cases("discard", "C1", CASE, "3", "--date", "2026-03-30")
    assert (
        again.code == 0
        and again.out.strip() == "Nessuna modifica: l'operazione era già stata registrata (proposta scartata)."
    )


def test_a_step_awaiting_approval_is_refused_with_its_note(limitation_proposed: str) -> None:
    assert cases("confirm", "C1", CASE, "3", "--date", "2026-03-30").code == 0

    too_low = cases("refuse", "C1", CASE, "3", "--level", "0", "--date", "2026-03-30")
    refused = cases("refuse", "C1", CASE, "3", "--level", "1", "--note", "non opportuno", "--date", "2026-03-30")

    assert too_low.code == 2 and "serve almeno il livello 1" in too_low.err
    assert refused.code == 0 and refused.out.startswith("Passo rifiutato. Eventi: passo rifiutato")
    assert step(3)["status"] == "refused"
    assert [e.note for e in recorded(limitation_proposed, "StepRefused")] == ["non opportuno"]


# ---- locks ---------------------------------------------------------------------------------


@pytest.mark.postgres_smoke
def test_a_lock_holds_the_ladder_until_it_is_lifted(case_open: str) -> None:
    locked = cases(
        "lock", "C1", "--reason", "Complaint", "--supply", "S-C1", "--from", "2026-02-11", "--note", "reclamo 12"
    )
    again = cases(
        "lock", "C1", "--reason", "complaint", "--supply", "S-C1", "--from", "2026-02-11", "--note", "reclamo 12"
    )

    assert locked.code == 0 and locked.out.strip() == "Blocco B1 (reclamo) impostato. Eventi: blocco impostato"
    assert (
        again.code == 0
        and again.out.strip()
        == "Nessuna modifica: l'operazione era già stata registrata (blocco B1 (reclamo) impostato)."
    )
    [lock] = position()["locks"]
    assert (lock["lock_id"], lock["reason"], lock["supply"], lock["start"]) == ("B1", "complaint", "S-C1", "2026-02-11")
    assert (lock["until"], lock["lifted_on"], lock["note"], lock["by"]) == (None, None, "reclamo 12", "verdi")
    shown = run("positions", "show", "C1", "--company", "ACQ")
    assert "reclamo" in shown.out and "complaint" not in shown.out and "aperta" in shown.out
    tick("2026-02-15")
    assert [s["seq"] for s in the_case()["steps"]] == [1]  # the A/R, due on 15/02, is held

    lifted = cases("unlock", "C1", "B1", "--note", "reclamo chiuso", "--date", "2026-02-20")

    assert lifted.code == 0 and lifted.out.startswith("Blocco B1 rimosso. Eventi: blocco rimosso, passo eseguito")
    assert position()["locks"][0]["lifted_on"] == "2026-02-20"
    assert step(2)["status"] == "executed"  # on the later of 20/02 and today


def test_a_lock_until_a_date_on_the_whole_customer(case_open: str) -> None:
    locked = cases("lock", "C1", "--reason", "manual", "--from", "2026-02-11", "--until", "2026-02-28")

    assert locked.code == 0 and "Blocco B1 (blocco manuale) impostato" in locked.out
    [lock] = position()["locks"]
    assert (lock["reason"], lock["supply"], lock["until"]) == ("manual", None, "2026-02-28")


def test_unknown_lock_reason_and_unknown_lock_are_clear_errors(case_open: str) -> None:
    bad_reason = cases("lock", "C1", "--reason", "holiday")
    unknown_lock = cases("unlock", "C1", "B9", "--date", "2026-02-20")

    assert bad_reason.code == 2
    assert (
        "motivo sconosciuto 'holiday' (ammessi: reclamo (complaint), contestazione (dispute), "
        "blocco manuale (manual))" in bad_reason.err
    )
    assert unknown_lock.code == 1 and "blocco 'B9' sconosciuto per il cliente 'C1'" in unknown_lock.err
    assert position()["locks"] == []


# ---- plans, write-off, litigation ------------------------------------------------------------


@pytest.mark.postgres_smoke
def test_a_repayment_plan_splits_the_overdue_into_monthly_instalments(case_open: str) -> None:
    planned = cases("plan", "C1", CASE, "--instalments", "3", "--first", "2026-03-01", "--date", "2026-02-12")

    assert planned.code == 0
    assert planned.out.startswith(
        "Piano di rientro in 3 rate su 120,00 € concordato. Eventi: piano di rientro concordato"
    ), planned.out
    case = the_case()
    assert case["status"] == "paused" and case["waiting_for"] == "piano di rientro in corso"
    assert [(i["due_date"], i["amount"]) for i in case["plan"]["instalments"]] == [
        ("2026-03-01", "40.00"),
        ("2026-04-01", "40.00"),
        ("2026-05-01", "40.00"),
    ]
    again = cases("plan", "C1", CASE, "--instalments", "3", "--first", "2026-03-01", "--date", "2026-02-12")
    assert again.code == 1 and "ha già un piano di rientro in corso" in again.err


def test_a_write_off_is_requested_then_approved_within_the_level(case_open: str) -> None:
    requested = cases("write-off", "C1", CASE, "--note", "irrecuperabile", "--date", "2026-02-12")

    assert (
        requested.code == 0 and requested.out.strip() == "Richiesta di stralcio registrata. Eventi: stralcio richiesto"
    )
    assert the_case()["write_off_request"]["kind"] == "write_off"

    too_low = cases("approve-write-off", "C1", CASE, "--level", "0", "--date", "2026-02-12")
    approved = cases("approve-write-off", "C1", CASE, "--level", "1", "--date", "2026-02-12")
    again = cases("approve-write-off", "C1", CASE, "--level", "1", "--date", "2026-02-12")

    assert too_low.code == 2 and "serve almeno il livello 1" in too_low.err
    assert approved.code == 0
    assert approved.out.strip() == "Stralcio approvato. Eventi: stralcio approvato, pratica stralciata"
    assert (
        again.code == 0
        and again.out.strip() == "Nessuna modifica: l'operazione era già stata registrata (stralcio approvato)."
    )
    assert the_case()["status"] == "closed_written_off"
    shown = run("positions", "show", "C1", "--company", "ACQ")
    assert shown.code == 0 and "chiusa: stralcio" in shown.out and "closed_written_off" not in shown.out


def test_a_settlement_in_italian_notation_is_requested_then_refused(case_open: str) -> None:
    requested = cases("write-off", "C1", CASE, "--settlement", "60,50", "--date", "2026-02-12")

    assert requested.code == 0
    assert requested.out.strip() == "Richiesta di transazione registrata. Eventi: stralcio richiesto"
    request = the_case()["write_off_request"]
    assert (request["kind"], request["settlement_amount"], request["amount"]) == ("settlement", "60.50", "59.50")

    refused = cases(
        "approve-write-off", "C1", CASE, "--level", "1", "--refuse", "--note", "troppo poco", "--date", "2026-02-12"
    )

    assert refused.code == 0 and refused.out.strip() == "Stralcio rifiutato. Eventi: stralcio rifiutato"
    assert the_case()["status"] == "open" and the_case()["write_off_request"] is None
    assert [e.note for e in recorded(case_open, "WriteOffRefused")] == ["troppo poco"]


def test_litigation_needs_the_level_and_its_outcome_closes_the_case(case_open: str) -> None:
    too_low = cases("litigation", "C1", CASE, "--level", "1", "--date", "2026-02-12")

    assert too_low.code == 2
    assert "livello di autorizzazione 1 insufficiente per il passaggio a contenzioso" in too_low.err
    assert "serve almeno il livello 2" in too_low.err
    assert the_case()["status"] == "open"

    handed = cases("litigation", "C1", CASE, "--level", "2", "--date", "2026-02-12")

    assert handed.code == 0 and handed.out.strip() == "Pratica passata a contenzioso. Eventi: passaggio a contenzioso"
    assert the_case()["status"] == "in_litigation" and the_case()["waiting_for"] == "esito del contenzioso"

    outcome = cases(
        "litigation-outcome",
        "C1",
        CASE,
        "--result",
        "partially_recovered",
        "--recovered",
        "1.050,00",
        "--note",
        "sentenza 7",
        "--date",
        "2026-03-01",
    )

    assert outcome.code == 0 and outcome.out.startswith(
        "Esito del contenzioso registrato: recuperato in parte. Eventi: esito del contenzioso registrato"
    )
    assert the_case()["status"] == "closed_litigation"
    assert the_case()["litigation_result"] == "partially_recovered"
    [event] = recorded(case_open, "LitigationOutcomeRecorded")
    assert (event.recovered_amount, event.note) == (Decimal("1050.00"), "sentenza 7")


# ---- reactivation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "flags, event, reactivation, supply_status",
    [((), "SupplyReactivated", "done", 1), (("--failed",), "ReactivationFailed", "failed", 4)],
)
def test_the_reactivation_of_a_supply_suspended_when_its_case_was_paid(
    case_open: str, flags: tuple[str, ...], event: str, reactivation: str, supply_status: int
) -> None:
    ingest(case_open, SupplyRecord("C1", supply("S-C1", status=SupplyStatus.SUSPENDED)))
    ingest(case_open, PaymentRecord("P1", "C1", date(2026, 2, 12), Decimal("120.00")))
    tick("2026-02-13")
    assert the_case()["status"] == "closed_paid" and the_case()["reactivation"] == "requested"
    assert [s["status"] for s in position()["supplies"]] == [4]  # da riattivare

    answered = cases("reactivation", "C1", CASE, *flags, "--note", "tecnico", "--date", "2026-02-16")

    assert (
        answered.code == 0 and answered.out.strip() == f"Esito riattivazione registrato. Eventi: {event_label(event)}"
    )
    assert the_case()["reactivation"] == reactivation
    assert [s["status"] for s in position()["supplies"]] == [supply_status]  # 1 attivo, 4 da riattivare
    assert [e.note for e in recorded(case_open, event)] == ["tecnico"]


# ---- errors --------------------------------------------------------------------------------


def test_a_reactivation_without_a_request_is_refused(case_open: str) -> None:
    refused = cases("reactivation", "C1", CASE, "--date", "2026-02-16")

    assert refused.code == 1 and f"nessuna richiesta di riattivazione per la pratica {CASE}" in refused.err


@pytest.mark.parametrize(
    "args",
    [
        ("confirm", "NOPE", CASE, "1"),
        ("discard", "NOPE", CASE, "1"),
        ("approve", "NOPE", CASE, "1", "--level", "3"),
        ("refuse", "NOPE", CASE, "1", "--level", "3"),
        ("outcome", "NOPE", CASE, "1", "delivered"),
        ("reactivation", "NOPE", CASE),
        ("lock", "NOPE", "--reason", "manual"),
        ("unlock", "NOPE", "B1"),
        ("plan", "NOPE", CASE, "--instalments", "2", "--first", "2026-04-01"),
        ("write-off", "NOPE", CASE),
        ("approve-write-off", "NOPE", CASE, "--level", "3"),
        ("litigation", "NOPE", CASE, "--level", "3"),
        ("litigation-outcome", "NOPE", CASE, "--result", "recovered"),
    ],
    ids=lambda args: args[0],
)
def test_every_command_names_an_unknown_customer(case_open: str, args: tuple[str, ...]) -> None:
    refused = cases(*args)

    assert refused.code == 1, refused.out
    assert "cliente 'NOPE' sconosciuto nell'azienda 'ACQ'" in refused.err


def test_an_unknown_company_case_or_step_is_a_clear_error(case_open: str) -> None:
    company = run("cases", "confirm", "C1", CASE, "1", "--company", "NOPE")
    unknown_case = cases("confirm", "C1", "S-C1/9", "1")
    unknown_step = cases("confirm", "C1", CASE, "9")
    not_a_proposal = cases("confirm", "C1", CASE, "1")

    assert company.code == 1 and "azienda sconosciuta" in company.err
    assert unknown_case.code == 1 and "S-C1/9" in unknown_case.err
    assert unknown_step.code == 1 and f"la pratica {CASE} non ha un passo 9" in unknown_step.err
    assert not_a_proposal.code == 1 and "non è una proposta (eseguito)" in not_a_proposal.err


def test_unknown_outcomes_and_litigation_results_list_the_allowed_values(case_open: str) -> None:
    outcome = cases("outcome", "C1", CASE, "1", "maybe")
    wrong_for_the_action = cases("outcome", "C1", CASE, "1", "positive", "--date", "2026-02-10")
    litigation = cases("litigation-outcome", "C1", CASE, "--result", "won")

    assert outcome.code == 2
    assert (
        "esito sconosciuto 'maybe' (ammessi: inviato (sent), consegnato (delivered), non consegnato "
        "(not_delivered), in giacenza (held), compiuta giacenza (unclaimed), restituito al mittente (returned), "
        "esito positivo (positive), esito negativo (negative))" in " ".join(outcome.err.split())
    )
    assert wrong_for_the_action.code == 1
    assert "esito 'esito positivo' non previsto per Sollecito SMS (ammessi: consegnato, inviato, non consegnato)" in (
        wrong_for_the_action.err
    )
    assert litigation.code == 2
    assert (
        "esito sconosciuto 'won' (ammessi: recuperato (recovered), recuperato in parte (partially_recovered), "
        "inesigibile (unrecoverable))" in litigation.err
    )
    assert step(1)["outcomes"] == []


def test_invalid_amounts_and_dates_are_refused_before_anything_is_recorded(case_open: str) -> None:
    settlement = cases("write-off", "C1", CASE, "--settlement", "sessanta")
    recovered = cases("litigation-outcome", "C1", CASE, "--result", "recovered", "--recovered", "12,3,4")
    day = cases("confirm", "C1", CASE, "1", "--date", "31/02/2026")
    first = cases("plan", "C1", CASE, "--instalments", "2", "--first", "domani")

    assert settlement.code == 2 and "importo non valido: 'sessanta'" in settlement.err
    assert recovered.code == 2 and "importo non valido: '12,3,4'" in recovered.err
    assert day.code == 2 and "data non valida: '31/02/2026'" in day.err
    assert first.code == 2 and "data non valida: 'domani'" in first.err
    case = the_case()
    assert (case["status"], case["write_off_request"], case["plan"]) == ("open", None, None)
