"""``waiting_for`` in the views that show it (``positions show --json`` of the CLI, the position read
back by the application): a registered letter awaiting its proof, an active
complaint lock, a proposal; each with its code."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from creditbox.application.records import BillRecord, CustomerRecord, SupplyRecord
from creditbox.bootstrap import Container
from creditbox.clock import FixedClock
from creditbox.domain.workflow.outcomes import LockReason, StepOutcome
from tests.builders import details, supply
from tests.integration.command_line import run, use_database

pytestmark = pytest.mark.cli_or_api

DUE = date(2026, 1, 31)


@pytest.fixture
def letter_sent(container: Container, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Container:
    """Customer C1 (water, domestic): SMS on 10/02/2026, registered letter on 15/02/2026."""
    use_database(database_url, monkeypatch, company="ACQ", name="Acque")
    contacts = details(mobile="3331234567", address="Via Roma 1", postcode="00184", city="Roma")
    records = [
        CustomerRecord("C1", contacts),
        SupplyRecord("C1", supply("S1")),
        BillRecord("B1", "C1", "S1", date(2026, 1, 1), DUE, Decimal("120.00")),
    ]
    container.ingestor().ingest("ACQ", records, by="test")
    container.dunning().run_due("ACQ", date(2026, 2, 10))
    container.dunning().run_due("ACQ", date(2026, 2, 15))
    return container


def _shown(on: str) -> dict[str, Any]:
    code, out, err = run("positions", "show", "C1", "--company", "ACQ", "--as-of", on, "--json")
    assert code == 0, out + err
    cases = json.loads(out)["cases"]
    assert len(cases) == 1
    return dict(cases[0])


def test_a_registered_letter_awaiting_its_proof_says_so(letter_sent: Container) -> None:
    # When the position is shown after the letter was sent, without any receipt
    case = _shown("2026-02-20")
    summary = letter_sent.positions.summary("ACQ", "C1", date(2026, 2, 20))
    # Then the case waits for the letter's delivery proof, in the CLI and in the application's view
    assert case["waiting_for_code"] == "delivery_proof"
    assert case["waiting_for"] == "prova di consegna del passo 2 (Sollecito A/R)"
    waiting = summary.waiting["S1/1"]
    assert waiting is not None and (waiting.code, waiting.label) == (case["waiting_for_code"], case["waiting_for"])


@pytest.mark.postgres_smoke
def test_held_then_delivered(letter_sent: Container, clock: FixedClock) -> None:
    commands = letter_sent.case_commands()
    commands.record_outcome("ACQ", "C1", "S1/1", 2, StepOutcome.HELD, date(2026, 2, 17), by="op")
    assert _shown("2026-02-20")["waiting_for"] == "prova di consegna del passo 2 (Sollecito A/R) (in giacenza)"
    commands.record_outcome("ACQ", "C1", "S1/1", 2, StepOutcome.DELIVERED, date(2026, 2, 25), by="op")
    # Delivered: the next step (limitation request, 40 days after delivery) waits only for its date
    assert _shown("2026-03-01")["waiting_for"] is None


def test_an_active_complaint_lock_is_shown_with_its_code(letter_sent: Container) -> None:
    # Given a complaint lock on the supply from 16/02 until 31/03
    letter_sent.case_commands().set_lock(
        "ACQ", "C1", LockReason.COMPLAINT, "S1", date(2026, 2, 16), date(2026, 3, 31), "reclamo 7", by="op"
    )
    # Then on a day it is active the case waits for it; after it ends, for the letter's proof again
    locked = _shown("2026-03-01")
    assert locked["waiting_for_code"] == "lock"
    assert locked["waiting_for"] == "sblocco: reclamo B1 (fornitura S1, dal 16/02/2026 fino al 31/03/2026)"
    assert _shown("2026-04-01")["waiting_for_code"] == "delivery_proof"
