"""``creditbox projections status|retry`` with a quarantine, and commands that answer while the read
side fails, through the real command line, on both backends."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from creditbox.application.records import BillRecord, Record
from creditbox.bootstrap import bootstrap
from creditbox.settings import Settings
from tests.integration.command_line import run
from tests.integration.fragile_projections import OpenItemsFailingFor, UnreachableWorklists, use_projections
from tests.integration.projection_history import customer

# A failing read side fails differently on each backend (an aborted transaction on PostgreSQL):
# every test runs on both.
pytestmark = [pytest.mark.cli_or_api, pytest.mark.postgres_smoke]


def feed(database_url: str, records: list[Record]) -> None:
    with bootstrap(Settings(database_url=database_url)) as c:
        c.ingestor().ingest("ACQ", records, by="test")


def bill(code: str, number: str) -> BillRecord:
    return BillRecord(number, code, f"S-{code}", date(2026, 1, 1), date(2026, 1, 31), Decimal("50.00"))


@pytest.fixture
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "250")


def test_status_lists_the_quarantine_and_retry_releases_it_after_the_fix(
    wide: None, monkeypatch: pytest.MonkeyPatch, cli_db: str
) -> None:
    monkeypatch.setattr(OpenItemsFailingFor, "customers", {"Q9"})
    use_projections(monkeypatch, OpenItemsFailingFor())
    feed(cli_db, [*customer("C1"), bill("C1", "B1"), *customer("Q9"), bill("Q9", "B9")])
    # when the projections catch up: the poison customer is quarantined, the command succeeds
    code, out, err = run("projections", "catch-up")
    assert code == 0, out + err
    # then the status counts it per projection and lists it with company, customer, event and error
    code, out, _ = run("projections", "status")
    assert code == 0
    assert "1 falliti, 2 in attesa" in out
    assert "Eventi in quarantena" in out and "Q9" in out and "RuntimeError" in out and "in attesa dietro" in out
    code, out, _ = run("projections", "status", "--details", "0")
    assert "1 falliti, 2 in attesa" in out and "Eventi in quarantena" not in out
    # and the worklist and ageing of the company still answer
    assert run("worklist", "--company", "ACQ")[0] == 0
    code, out, _ = run("ageing", "--company", "ACQ", "--as-of", "2026-03-02")
    assert code == 0 and "50,00" in out
    # when retried before the fix: exit 2, still there; an unknown name: exit 2
    code, _, err = run("projections", "retry")
    assert code == 2 and "ancora in quarantena" in err
    code, _, err = run("projections", "retry", "nessuna")
    assert code == 2 and "proiezione sconosciuta" in err
    # when retried after the fix: released, status clean
    OpenItemsFailingFor.customers = set()
    code, out, err = run("projections", "retry", "open_items")
    assert code == 0 and "open_items: 1 posizione aggiornata" in out, out + err
    code, out, _ = run("projections", "status")
    assert "in attesa" not in out and "Eventi in quarantena" not in out
    code, out, _ = run("projections", "retry")
    assert code == 0 and "Nessun evento in quarantena" in out


def test_commands_succeed_with_a_warning_while_a_projection_cannot_reach_its_tables(
    wide: None, monkeypatch: pytest.MonkeyPatch, cli_db: str
) -> None:
    monkeypatch.setattr(UnreachableWorklists, "down", True)
    use_projections(monkeypatch, UnreachableWorklists())
    code, out, err = run("companies", "add", "GAS", "--name", "Gas Spa")
    assert code == 0, out + err
    assert "modelli di lettura non aggiornati" in err
    code, out, err = run("worklist", "--company", "ACQ")
    assert code == 0 and "modelli di lettura non aggiornati" in err
    UnreachableWorklists.down = False
    code, out, err = run("worklist", "--company", "GAS")
    assert code == 0 and "non aggiornati" not in err
