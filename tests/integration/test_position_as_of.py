"""``positions show --as-of``: the position as it stood on that date, replayed from its events up to it
(cases opened later left out, case states and steps then, supply statuses then), and a clear note on
what has no business date of its own."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from creditbox.application.records import BillRecord, CustomerRecord, PaymentRecord, SupplyRecord
from creditbox.bootstrap import Container
from creditbox.clock import FixedClock
from creditbox.domain.codes import SupplyStatus
from creditbox.domain.workflow.outcomes import StepOutcome
from tests.builders import details, supply
from tests.integration.command_line import run, use_database

pytestmark = pytest.mark.cli_or_api

DUE = date(2026, 1, 31)


@pytest.fixture
def history(container: Container, clock: FixedClock, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Container:
    """C1, water supply S1: case S1/1 opened 10/02 (SMS), letter 15/02 delivered 18/02, paid 01/03 and
    closed 02/03; a new bill due 31/03 opens S1/2 on 15/04; then the billing system sends S1 suspended."""
    use_database(database_url, monkeypatch, company="ACQ", name="Acque")
    monkeypatch.setenv("COLUMNS", "250")
    contacts = details(mobile="3331234567", address="Via Roma 1", postcode="00184", city="Roma")
    ingest = container.ingestor().ingest
    ingest(
        "ACQ",
        [
            CustomerRecord("C1", contacts),
            SupplyRecord("C1", supply("S1")),
            BillRecord("B1", "C1", "S1", date(2026, 1, 1), DUE, Decimal("120.00")),
        ],
        by="test",
    )
    dunning = container.dunning()
    dunning.run_due("ACQ", date(2026, 2, 10))
    dunning.run_due("ACQ", date(2026, 2, 15))
    container.case_commands().record_outcome("ACQ", "C1", "S1/1", 2, StepOutcome.DELIVERED, date(2026, 2, 18), by="op")
    ingest("ACQ", [PaymentRecord("P1", "C1", date(2026, 3, 1), Decimal("120.00"))], by="test")
    dunning.run_due("ACQ", date(2026, 3, 2))
    ingest("ACQ", [BillRecord("B2", "C1", "S1", date(2026, 3, 1), date(2026, 3, 31), Decimal("80.00"))], by="test")
    clock.set(date(2026, 4, 15))
    dunning.run_due("ACQ", date(2026, 4, 15))
    ingest("ACQ", [SupplyRecord("C1", supply("S1", status=SupplyStatus.SUSPENDED))], by="test")
    return container


def shown(*args: str) -> dict[str, Any]:
    code, out, err = run("positions", "show", "C1", "--company", "ACQ", *args, "--json")
    assert code == 0, out + err
    return dict(json.loads(out))


def _cases(view: dict[str, Any]) -> list[tuple[str, str, list[tuple[int, str]]]]:
    return [(c["case_id"], c["status"], [(s["seq"], s["status"]) for s in c["steps"]]) for c in view["cases"]]


@pytest.mark.postgres_smoke
def test_cases_opened_later_are_left_out_and_steps_are_as_they_were(history: Container) -> None:
    on_12_feb = shown("--as-of", "2026-02-12")
    assert _cases(on_12_feb) == [("S1/1", "open", [(1, "executed")])]
    on_16_feb = shown("--as-of", "2026-02-16")
    assert _cases(on_16_feb) == [("S1/1", "open", [(1, "executed"), (2, "executed")])]
    assert on_16_feb["cases"][0]["waiting_for_code"] == "delivery_proof"
    assert on_16_feb["cases"][0]["steps"][1]["outcome"] is None  # delivered on 18/02: not yet
    on_5_mar = shown("--as-of", "2026-03-05")
    assert _cases(on_5_mar) == [("S1/1", "closed_paid", [(1, "executed"), (2, "executed")])]
    assert on_5_mar["cases"][0]["steps"][1]["outcome"] == "delivered"


def test_amounts_and_open_items_are_those_of_the_date(history: Container) -> None:
    on_16_feb = shown("--as-of", "2026-02-16")
    assert (on_16_feb["overdue"], [i["bill_number"] for i in on_16_feb["open_items"]]) == ("120.00", ["B1"])
    on_5_mar = shown("--as-of", "2026-03-05")
    assert (on_5_mar["overdue"], [i["bill_number"] for i in on_5_mar["open_items"]]) == ("0.00", ["B2"])


def test_the_supply_status_is_that_of_the_date_and_today_everything_shows(history: Container) -> None:
    on_5_mar = shown("--as-of", "2026-03-05")
    assert [(s["code"], s["status_label"]) for s in on_5_mar["supplies"]] == [("S1", "Attivo")]
    today = shown()
    assert [(s["code"], s["status_label"]) for s in today["supplies"]] == [("S1", "Sospeso")]
    assert [c["case_id"] for c in today["cases"]] == ["S1/1", "S1/2"]
    assert today["notes"] == []


def test_the_output_says_what_could_not_be_dated(history: Container) -> None:
    on_5_mar = shown("--as-of", "2026-03-05")
    assert on_5_mar["notes"][0].startswith("Posizione ricostruita al 05/03/2026 dai suoi eventi:")
    assert any("non hanno una data contabile propria" in n for n in on_5_mar["notes"])
    code, out, err = run("positions", "show", "C1", "--company", "ACQ", "--as-of", "2026-03-05")
    assert code == 0, out + err
    assert "Posizione ricostruita al 05/03/2026" in out and "Pratica S1/2" not in out


def test_a_date_before_the_customer_existed_is_a_clear_error(history: Container) -> None:
    code, out, err = run("positions", "show", "C1", "--company", "ACQ", "--as-of", "2025-01-01")
    assert code != 0  # a clear refusal, never a traceback
    assert "non ancora registrato al 01/01/2025" in out + err
