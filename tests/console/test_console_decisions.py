"""Decisions from a position's page over HTTP: a step confirmed and its outcome recorded, a lock set
and lifted with its reason and dates, a discard without a note refused; each recorded with the
operator's name."""

from __future__ import annotations

import re

import pytest

from tests.console.conftest import OWN, Console
from tests.console.test_console_security import csrf_of, history_by

pytestmark = pytest.mark.cli_or_api

POSITION = f"/console/{OWN}/clienti/C1"


@pytest.mark.postgres_smoke
@pytest.mark.app_role
def test_a_step_is_confirmed_its_outcome_recorded_and_a_lock_set_and_lifted_from_the_position_page(
    console: Console,
) -> None:
    client = console.sign_in("mario.rossi")
    page = client.get(POSITION)
    assert "proposto: da confermare" in page.text

    confirmed = client.post(
        f"{POSITION}/pratiche/SC1/1/passi/1", data={"csrf": csrf_of(page.text), "decisione": "conferma"}
    )
    assert "Passo 1 della pratica SC1/1 confermato" in confirmed.text and "eseguito il 02/03/2026" in confirmed.text

    assert '<option value="delivered">' in confirmed.text and '<option value="positive">' not in confirmed.text
    outcome = client.post(
        f"{POSITION}/pratiche/SC1/1/passi/1",
        data={"csrf": csrf_of(confirmed.text), "decisione": "esito", "esito": "delivered", "data": "2026-03-02"},
    )
    assert "registrato" in outcome.text and "esito: consegnato" in outcome.text.lower()

    locked = client.post(
        f"{POSITION}/blocchi",
        data={
            "csrf": csrf_of(outcome.text),
            "motivo": "complaint",
            "fornitura": "SC1",
            "dal": "2026-03-02",
            "al": "2026-04-30",
            "nota": "reclamo n. 42",
        },
    )
    assert "Blocco (reclamo) messo" in locked.text
    row = re.search(r'<table class="data" id="blocchi">.*?<tbody><tr>(.*?)</tr>', locked.text, re.S)
    assert row is not None
    cells = re.findall(r"<td>(.*?)</td>", row.group(1))
    assert cells[:8] == ["B1", "reclamo", "SC1", "02/03/2026", "30/04/2026", "", "reclamo n. 42", "mario.rossi"]

    lifted = client.post(f"{POSITION}/blocchi/B1/togli", data={"csrf": csrf_of(locked.text), "nota": "risolto"})
    assert "Blocco B1 tolto" in lifted.text
    position = console.container.positions.load(OWN, "C1")
    [lock] = position.dunning.locks.values()
    assert lock.lifted_on is not None and lock.by == "mario.rossi"
    assert history_by(console, "C1", "ProposalConfirmed") == ["mario.rossi"]


def test_discarding_needs_a_note_and_an_auditor_may_not_decide(console: Console) -> None:
    client = console.sign_in("mario.rossi")
    page = client.get(POSITION)
    no_note = client.post(
        f"{POSITION}/pratiche/SC1/1/passi/1", data={"csrf": csrf_of(page.text), "decisione": "scarta"}
    )
    assert no_note.status_code == 400 and "serve una nota" in no_note.text

    auditor = console.sign_in("revisore")
    page = auditor.get(POSITION)
    assert "Conferma" not in page.text and 'id="nuovo-blocco"' not in page.text
    refused = auditor.post(
        f"{POSITION}/pratiche/SC1/1/passi/1", data={"csrf": csrf_of(page.text), "decisione": "conferma"}
    )
    assert refused.status_code == 403
    assert history_by(console, "C1", "ProposalConfirmed") == []
