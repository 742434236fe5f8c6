"""``creditbox positions show`` through the real command line: contacts and supplies."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from creditbox.application.records import BillRecord, CustomerRecord, SupplyRecord
from creditbox.bootstrap import Container
from creditbox.domain.codes import Service, SupplyStatus, SupplyType
from creditbox.domain.documents import SupplyDetails
from tests.builders import details
from tests.integration.command_line import invoke

pytestmark = pytest.mark.cli_or_api


@pytest.fixture
def customer_c1(container: Container, database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREDITBOX_DATABASE_URL", database_url)
    container.companies.register("ACQ", "Acque", by="test")
    contacts = details(pec="mario@pec.it", address="Via Roma 1", postcode="00184", city="Roma", province="RM")
    water = SupplyDetails("W1", Service.WATER, SupplyType.SUSPENDABLE, meter="M-123", address="Via Roma 1")
    gas = SupplyDetails("G1", Service.GAS, SupplyType.NON_SUSPENDABLE, SupplyStatus.SUSPENDED)
    records = [
        CustomerRecord("C1", contacts),
        SupplyRecord("C1", water),
        SupplyRecord("C1", gas),
        BillRecord("B1", "C1", "W1", date(2026, 1, 1), date(2026, 1, 31), Decimal("100.00")),
        BillRecord("B2", "C1", "W1", date(2026, 3, 1), date(2026, 3, 31), Decimal("30.00")),
    ]
    container.ingestor().ingest("ACQ", records, by="test")


def show(*extra: str) -> str:
    result = invoke("positions", "show", "C1", "--company", "ACQ", "--as-of", "2026-03-02", *extra)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.postgres_smoke
def test_show_json_lists_the_supplies_with_meter_address_overdue_and_open_bills(customer_c1: None) -> None:
    shown = json.loads(show("--json"))

    assert [
        (s["code"], s["service_label"], s["supply_type_label"], s["status_label"], s["meter"], s["address"])
        for s in shown["supplies"]
    ] == [
        ("G1", "Gas", "Non sospendibile", "Sospeso", None, None),
        ("W1", "Acqua", "Sospendibile", "Attivo", "M-123", "Via Roma 1"),
    ]
    assert [(s["overdue"], s["open_items"]) for s in shown["supplies"]] == [("0.00", 0), ("100.00", 2)]
    assert (shown["customer"]["pec"], shown["customer"]["city"]) == ("mario@pec.it", "Roma")


def test_show_prints_the_supplies_table_and_the_address(customer_c1: None) -> None:
    out = show()

    assert "Forniture" in out and "Sospeso" in out
    assert "contatore M-123" in out
    assert "Indirizzo: Via Roma 1, 00184 Roma (RM)" in out
