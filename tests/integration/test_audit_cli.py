"""``creditbox audit seal`` and ``creditbox audit verify [--company] [--full] [--json]`` on the command line."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from creditbox.domain.ids import position_id
from creditbox.infrastructure.chain.store import POSTGRES_EVENTS, SQLITE_EVENTS
from creditbox.infrastructure.database_url import DatabaseUrl
from tests.integration.command_line import run
from tests.integration.test_cases_cli import cli_db, given_a_water_customer  # noqa: F401  (fixture)

pytestmark = pytest.mark.cli_or_api


def tamper(database_url: str, statement: str, **params: Any) -> None:
    database = DatabaseUrl(database_url)
    engine = create_engine(database.sqlalchemy_url())
    table = POSTGRES_EVENTS if database.is_postgres else SQLITE_EVENTS
    try:
        with engine.begin() as conn:
            conn.execute(text(statement.format(events=table)), params)
    finally:
        engine.dispose()


@pytest.mark.postgres_smoke
def test_seal_prints_the_root_and_verify_finds_an_event_deleted_by_hand(cli_db: str) -> None:  # noqa: F811
    given_a_water_customer(cli_db)
    sealed = run("audit", "seal", "--json")
    assert sealed.code == 0, sealed.err
    seal = json.loads(sealed.out)
    assert len(seal["radice"]) == 64 and seal["catene"] >= 3 and seal["sigillato_da"] == "verdi"
    printed = run("audit", "seal")
    assert printed.code == 0 and "radice:" in printed.out and "catene:" in printed.out

    clean = run("audit", "verify", "--json")
    assert clean.code == 0, clean.out + clean.err
    assert json.loads(clean.out)["integro"] is True and json.loads(clean.out)["rilievi"] == []
    assert "Nessun rilievo" in run("audit", "verify").out

    c1 = position_id("ACQ", "C1")
    key = c1 if DatabaseUrl(cli_db).is_postgres else c1.hex
    tamper(cli_db, "DELETE FROM {events} WHERE originator_id = :id AND originator_version = 2", id=key)
    found = run("audit", "verify", "--company", "ACQ", "--json")
    assert found.code == 3
    report = json.loads(found.out)
    assert report["integro"] is False
    [finding] = report["rilievi"]
    assert (finding["tipo"], finding["azienda"], finding["cliente"], finding["versione"]) == (
        "cancellato",
        "ACQ",
        "C1",
        2,
    )
    shown = run("audit", "verify")
    assert shown.code == 3 and "cancellato" in shown.out and "C1" in shown.out and "1 rilievo" in shown.out


def test_verify_full_rebuilds_the_read_models_and_compares_them(cli_db: str) -> None:  # noqa: F811
    given_a_water_customer(cli_db)
    assert run("projections", "catch-up").code == 0
    same = run("audit", "verify", "--full", "--json")
    assert same.code == 0, same.out + same.err
    assert json.loads(same.out)["modelli_di_lettura"] == {"uguali": True, "differenze": []}
    tamper(cli_db, "UPDATE rm_positions SET name = 'Altro nome' WHERE customer_code = 'C1'")
    differ = run("audit", "verify", "--full", "--json")
    assert differ.code == 3
    report = json.loads(differ.out)
    assert report["rilievi"] == [] and report["integro"] is False
    [difference] = report["modelli_di_lettura"]["differenze"]
    assert difference.startswith("tabella rm_positions: 1 righe diverse")
