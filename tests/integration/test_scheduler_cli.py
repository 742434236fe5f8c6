"""``creditbox scheduler`` and ``creditbox tick`` on the due index, through the real command line."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from creditbox.application.records import BillRecord, CustomerRecord, SupplyRecord
from creditbox.bootstrap import bootstrap
from creditbox.settings import Settings
from tests.builders import details, supply
from tests.integration.command_line import run, use_database

pytestmark = pytest.mark.cli_or_api

DUE = date(2026, 1, 31)


@pytest.fixture
def cli_db(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    monkeypatch.setenv("COLUMNS", "250")
    monkeypatch.setenv("CREDITBOX_INBOX_DIR", str(tmp_path / "inbox"))  # none: the scheduler just has no inbox
    monkeypatch.setenv("CREDITBOX_CHANNEL_DIR", str(tmp_path / "canali"))  # the relay's messages stay in tmp
    use_database(database_url, monkeypatch, company="ACQ", name="Acque Spa")
    records = []
    for n in range(3):
        code = f"C{n}"
        records += [
            CustomerRecord(code, details(mobile="3331234567", address="Via Roma 1", postcode="00184", city="Roma")),
            SupplyRecord(code, supply(f"S-{code}")),
            BillRecord(f"B-{code}", code, f"S-{code}", date(2026, 1, 1), DUE, Decimal("120.00")),
        ]
    with bootstrap(Settings(database_url=database_url)) as c:
        c.ingestor().ingest("ACQ", records, by="test")
    return database_url


@pytest.mark.postgres_smoke
def test_one_round_runs_the_positions_due_and_nothing_the_second_time(cli_db: str) -> None:
    first = run("scheduler", "--once", "--as-of", "2026-02-10", "--json")
    assert first.code == 0, first.err
    report = json.loads(first.out)
    assert report["positions"] == 3 and report["changed"] == 3
    assert report["events"]["DunningCaseOpened"] == 3
    assert report["companies"] == {"ACQ": 3}
    again = json.loads(run("scheduler", "--once", "--as-of", "2026-02-10", "--json").out)
    assert again["positions"] == 0 and again["events"] == {}


def test_the_summary_line_in_italian(cli_db: str) -> None:
    shown = run("scheduler", "--once", "--as-of", "2026-02-10", "--company", "ACQ")
    assert shown.code == 0, shown.err
    assert "Scheduler al 10/02/2026: 3 posizioni dovute, 3 aggiornate" in shown.out


def test_a_later_business_date_is_refused(cli_db: str) -> None:
    refused = run("scheduler", "--once", "--as-of", "2999-01-01")
    assert refused.code == 2
    assert "--as-of" in refused.err


def test_tick_looks_only_at_the_positions_due(cli_db: str) -> None:
    early = json.loads(run("tick", "--company", "ACQ", "--as-of", "2026-02-01", "--json").out)
    assert early["positions"] == 0 and early["events"] == {}
    due = json.loads(run("tick", "--company", "ACQ", "--as-of", "2026-02-10", "--json").out)
    assert due["positions"] == 3 and due["events"]["DunningCaseOpened"] == 3
