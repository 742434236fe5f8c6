"""Decisions on a whole case from the position page over HTTP: a write-off requested by an operator,
refused by the server below the level its amount needs (whatever is posted) and approved at it; a
settlement refused; a repayment plan agreed; the hand-over to litigation at the company's level and
its outcome. Each recorded with the operator's name."""

from __future__ import annotations

import pytest

from creditbox.domain.workflow.cases import CaseStatus
from tests.console.conftest import OWN, Console
from tests.console.test_console_security import csrf_of, history_by

pytestmark = pytest.mark.cli_or_api

C1, C2 = f"/console/{OWN}/clienti/C1", f"/console/{OWN}/clienti/C2"
CEILINGS = {"write_off_ceilings": {"1": "500.00", "2": "10000.00", "3": "1000000.00"}}


def lower_ceilings(console: Console) -> None:
    """Level 1 may write off up to 500 €: C2's 800 € need level 2."""
    console.container.company_settings().change(OWN, CEILINGS, by="test")
    console.container.projections.catch_up()


def status_of(console: Console, customer: str, case_id: str) -> CaseStatus:
    return console.container.positions.load(OWN, customer).dunning.cases[case_id].status


@pytest.mark.postgres_smoke
def test_a_write_off_is_refused_below_its_level_and_approved_at_it(console: Console) -> None:
    lower_ceilings(console)
    operator = console.sign_in("mario.rossi")
    page = operator.get(C2)
    asked = operator.post(
        f"{C2}/pratiche/SC2/1/stralcio", data={"csrf": csrf_of(page.text), "tipo": "write_off", "nota": "irreperibile"}
    )
    assert "Richiesta di stralcio per la pratica SC2/1 registrata" in asked.text
    assert "Da stralciare: <strong>800,00 €</strong>" in asked.text and "serve il livello 2" in asked.text
    assert 'id="approva-stralcio-SC2-1"' not in asked.text  # an operator does not approve

    low = console.sign_in("luca.bassi")
    page = low.get(C2)
    assert "Oltre il livello 1" in page.text and 'id="approva-stralcio-SC2-1"' not in page.text
    listed = low.get(f"/console/{OWN}/liste/approval")
    assert "richiesta di stralcio" in listed.text and 'value="C2|SC2/1|stralcio"' not in listed.text
    forged = low.post(f"{C2}/pratiche/SC2/1/stralcio/approva", data={"csrf": csrf_of(page.text)})
    assert "Non eseguito" in forged.text and "massimale di stralcio del livello 1" in forged.text
    from_the_list = low.post(
        f"/console/{OWN}/liste/approval/decisioni",
        data={"csrf": csrf_of(page.text), "decisione": "approva", "voce": "C2|SC2/1|stralcio"},
    )
    assert "1 rifiutato" in from_the_list.text and "massimale" in from_the_list.text
    assert status_of(console, "C2", "SC2/1") is CaseStatus.OPEN

    high = console.sign_in("anna.verdi")
    listed = high.get(f"/console/{OWN}/liste/approval")
    assert 'value="C2|SC2/1|stralcio"' in listed.text
    approved = high.post(
        f"/console/{OWN}/liste/approval/decisioni",
        data={"csrf": csrf_of(listed.text), "decisione": "approva", "voce": "C2|SC2/1|stralcio"},
    )
    assert "1 stralcio approvato" in approved.text
    assert status_of(console, "C2", "SC2/1") is CaseStatus.CLOSED_WRITTEN_OFF
    assert history_by(console, "C2", "WriteOffRequested") == ["mario.rossi"]
    assert history_by(console, "C2", "WriteOffApproved") == ["anna.verdi"]


def test_a_settlement_is_refused_with_a_note_and_a_bad_amount_is_a_clear_error(console: Console) -> None:
    operator = console.sign_in("mario.rossi")
    page = operator.get(C2)
    bad = operator.post(
        f"{C2}/pratiche/SC2/1/stralcio",
        data={"csrf": csrf_of(page.text), "tipo": "settlement", "importo": "tanti", "nota": "accordo"},
    )
    assert bad.status_code == 400 and "importo della transazione" in bad.text
    asked = operator.post(
        f"{C2}/pratiche/SC2/1/stralcio",
        data={"csrf": csrf_of(page.text), "tipo": "settlement", "importo": "500,00", "nota": "accordo"},
    )
    assert "Richiesta di transazione" in asked.text and "incasso concordato 500,00 €" in asked.text

    supervisor = console.sign_in("anna.verdi")
    page = supervisor.get(C2)
    no_note = supervisor.post(f"{C2}/pratiche/SC2/1/stralcio/rifiuta", data={"csrf": csrf_of(page.text)})
    assert no_note.status_code == 400
    refused = supervisor.post(
        f"{C2}/pratiche/SC2/1/stralcio/rifiuta", data={"csrf": csrf_of(page.text), "nota": "troppo poco"}
    )
    assert "Richiesta della pratica SC2/1 rifiutata" in refused.text
    assert 'id="richiesta-SC2-1"' not in refused.text and status_of(console, "C2", "SC2/1") is CaseStatus.OPEN
    assert history_by(console, "C2", "WriteOffRefused") == ["anna.verdi"]


@pytest.mark.postgres_smoke
def test_a_repayment_plan_is_agreed_from_the_position_page(console: Console) -> None:
    operator = console.sign_in("mario.rossi")
    page = operator.get(C1)
    token = csrf_of(page.text)
    wrong = operator.post(
        f"{C1}/pratiche/SC1/1/piano",
        data={"csrf": token, "rata_data": ["2026-04-01", ""], "rata_importo": ["100,00", ""]},
    )
    assert "Non eseguito" in wrong.text and "totale delle rate" in wrong.text
    agreed = operator.post(
        f"{C1}/pratiche/SC1/1/piano",
        data={
            "csrf": token,
            "rata_data": ["2026-04-01", "2026-05-01", ""],
            "rata_importo": ["60,25", "60.25", ""],
        },
    )
    assert "Piano di rientro di 2 rate concordato per la pratica SC1/1" in agreed.text
    assert 'id="piano-SC1-1"' in agreed.text and "sospesa per piano di rientro" in agreed.text
    assert status_of(console, "C1", "SC1/1") is CaseStatus.PAUSED
    assert history_by(console, "C1", "RepaymentPlanAgreed") == ["mario.rossi"]


def test_the_hand_over_to_litigation_needs_the_companys_level_and_the_legal_outcome_follows(
    console: Console,
) -> None:
    low = console.sign_in("luca.bassi")
    page = low.get(C2)
    assert 'id="contenzioso-SC2-1"' not in page.text and "spetta al livello 2" in page.text
    forged = low.post(f"{C2}/pratiche/SC2/1/contenzioso", data={"csrf": csrf_of(page.text)})
    assert "Non eseguito" in forged.text and "livello" in forged.text
    assert status_of(console, "C2", "SC2/1") is CaseStatus.OPEN

    high = console.sign_in("anna.verdi")
    page = high.get(C2)
    handed = high.post(f"{C2}/pratiche/SC2/1/contenzioso", data={"csrf": csrf_of(page.text)})
    assert "Pratica SC2/1 passata al contenzioso" in handed.text
    assert status_of(console, "C2", "SC2/1") is CaseStatus.IN_LITIGATION
    outcome = high.post(
        f"{C2}/pratiche/SC2/1/contenzioso/esito",
        data={"csrf": csrf_of(handed.text), "risultato": "unrecoverable", "data": "2026-03-02", "nota": "fallito"},
    )
    assert "Esito del contenzioso (inesigibile) registrato" in outcome.text
    assert status_of(console, "C2", "SC2/1") is CaseStatus.CLOSED_LITIGATION
    assert history_by(console, "C2", "HandedOverToLitigation") == ["anna.verdi"]

    operator = console.sign_in("mario.rossi")
    page = operator.get(C1)
    assert 'id="contenzioso-SC1-1"' not in page.text
    refused = operator.post(f"{C1}/pratiche/SC1/1/contenzioso", data={"csrf": csrf_of(page.text)})
    assert refused.status_code == 403
