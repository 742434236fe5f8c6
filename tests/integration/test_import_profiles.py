"""Import profiles, on the in-memory event store (``container``): kept per company with their history, and an
import through one lands exactly where the same data in our layout lands."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from creditbox.application.import_profiles import ImportProfiles
from creditbox.application.import_results import ImportResult
from creditbox.application.records import Sheet
from creditbox.bootstrap import Container
from creditbox.domain.errors import NotFound
from creditbox.domain.import_profile import IMPORT_PROFILE_DEFINED
from creditbox.domain.import_profile_rules import InvalidImportProfile, parse_profile
from creditbox.domain.imports import Import
from creditbox.domain.position import Position
from creditbox.sample_data import SampleSpec, generate, with_bad_rows, workbook_bytes
from tests.conftest import AFTER_THE_SAMPLE_DATA
from tests.profile_workbooks import PROFILE, every_supply_active, other_layout_bytes, their_location

pytestmark = [pytest.mark.use_case, pytest.mark.today(AFTER_THE_SAMPLE_DATA)]

OURS, THEIRS = "ACQ", "NRD"


@pytest.fixture
def profiles(container: Container) -> ImportProfiles:
    container.companies.register(OURS, "Acque S.p.A.", by="test")
    container.companies.register(THEIRS, "Acque Nord S.p.A.", by="test")
    return container.import_profiles()


def run(container: Container, content: bytes, company: str, profile: str | None = None) -> ImportResult:
    parser = container.import_profiles().parser(company, profile)
    return container.importer(chunk_size=7).run(content, f"{company}.xlsx", company, by="test", parser=parser)


def snapshot(position: Position) -> tuple[Any, ...]:
    return (
        position.details,
        position.supplies,
        position.bills,
        position.credit_notes,
        position.payments,
        position.balance(),
    )


def summary(container: Container, company: str, customer: str) -> tuple[Any, ...]:
    """Balances and open items as the position summary states them (all but company and version)."""
    s = container.positions.summary(company, customer, container.clock.today())
    return (s.details, s.supplies, s.open_items, s.balance, s.overdue, s.overdue_by_supply, s.credit)


def test_their_layout_imports_into_exactly_the_positions_of_ours(
    container: Container, profiles: ImportProfiles
) -> None:
    data = every_supply_active(generate(SampleSpec(customers=20)))
    bad = with_bad_rows(data)
    profiles.set(THEIRS, "nord", PROFILE, by="test")

    ours = run(container, workbook_bytes(data), OURS)
    theirs = run(container, other_layout_bytes(data), THEIRS, "nord")

    assert {n: c.as_json() for n, c in theirs.sheets.items()} == {n: c.as_json() for n, c in ours.sheets.items()}
    assert ours.sheets[Sheet.BILLS].accepted > 50
    for row in data.rows[Sheet.CUSTOMERS]:
        if row and not str(row[0]).startswith("XBAD"):
            mine = container.positions.load(OURS, row[0])
            assert snapshot(container.positions.load(THEIRS, row[0])) == snapshot(mine)
            assert summary(container, THEIRS, row[0]) == summary(container, OURS, row[0])
    # Every bad row is reported where it is in *their* file: their sheet, their row, their header.
    assert {(r.sheet, r.row, r.column) for r in theirs.rejected} == {their_location(b) for b in bad}
    reasons = [r.reason for r in theirs.rejected]
    assert any("(foglio Contratti, riga " in r and "appartiene al cliente" in r for r in reasons), reasons
    assert any("ripetuta nel file con dati diversi" in r and ": Totale € " in r for r in reasons), reasons
    assert (theirs.profile, theirs.profile_version, ours.profile, ours.profile_version) == ("nord", 1, "default", None)
    assert theirs.as_json()["profile_version"] == 1
    recorded = container.app.get_or_none(theirs.import_id)
    assert isinstance(recorded, Import)
    assert (recorded.profile, recorded.profile_version) == ("nord", 1)
    assert {(r["sheet"], r["row"], r["column"]) for r in recorded.rejected} == {their_location(b) for b in bad}


def test_revising_a_profile_keeps_every_version(container: Container, profiles: ImportProfiles) -> None:
    first = profiles.set(THEIRS, "Nord", PROFILE, by="mario", note="primo", source="json:nord.json")
    same = profiles.set(THEIRS, "nord", copy.deepcopy(PROFILE), by="luigi")
    changed = copy.deepcopy(PROFILE)
    changed["sheets"]["Forniture"]["columns"]["Stato"] = {"default": "Sospeso"}
    second = profiles.set(THEIRS, "NORD", changed, by="luigi", note="stato sospeso")
    profiles.set(OURS, "nord", PROFILE, by="anna")

    assert (first.changed, same.changed, second.changed) == (True, False, True)
    history = profiles.history(THEIRS, "nord")
    assert [(v.version, v.by, v.note, v.source) for v in history] == [
        (1, "mario", "primo", "json:nord.json"),
        (2, "luigi", "stato sospeso", "manual"),
    ]
    assert profiles.version(THEIRS, "nord", 1).content["sheets"]["Forniture"]["columns"]["Stato"] == {
        "default": "Attivo"
    }
    assert profiles.current(THEIRS, "nord").content == parse_canonical(changed)
    assert [p.name for p in profiles.list(THEIRS)] == ["nord"]
    assert len(container.app.originators_of(IMPORT_PROFILE_DEFINED)) == 2  # one per company
    with pytest.raises(NotFound, match="versione 3"):
        profiles.version(THEIRS, "nord", 3)


def parse_canonical(data: dict[str, Any]) -> dict[str, Any]:
    return parse_profile(data).as_data()


def test_an_import_names_the_profile_version_it_used(container: Container, profiles: ImportProfiles) -> None:
    data = every_supply_active(generate(SampleSpec(customers=4)))
    profiles.set(THEIRS, "nord", PROFILE, by="test")
    changed = copy.deepcopy(PROFILE)
    changed["description"] = "seconda versione"
    profiles.set(THEIRS, "nord", changed, by="test")

    result = run(container, other_layout_bytes(data), THEIRS, "nord")

    assert (result.profile, result.profile_version) == ("nord", 2)
    assert result.rejected == [] and result.sheets[Sheet.PAYMENTS].accepted == data.count(Sheet.PAYMENTS)


def test_an_invalid_profile_is_refused_and_nothing_is_saved(container: Container, profiles: ImportProfiles) -> None:
    before = container.app.recorder.max_notification_id()
    with pytest.raises(InvalidImportProfile) as refused:
        profiles.set(THEIRS, "nord", {"sheets": {"Clienti": {"columns": {"CAP": {"default": "1"}}}}}, by="test")
    assert len(refused.value.problems) == 4  # CAP, then Codice Cliente, Nominativo, Tipologia Cliente
    assert container.app.recorder.max_notification_id() == before


def test_an_unknown_profile_or_company_is_refused_before_anything_is_read(
    container: Container, profiles: ImportProfiles
) -> None:
    profiles.set(THEIRS, "nord", PROFILE, by="test")
    before = container.app.recorder.max_notification_id()
    with pytest.raises(
        NotFound,
        match=r"profilo di importazione 'sud' sconosciuto per l'azienda NRD \(profili"
        r" dell'azienda: nord; oltre a 'default'",
    ):
        profiles.parser(THEIRS, "sud")
    with pytest.raises(NotFound, match="l'azienda non ha profili"):
        profiles.parser(OURS, "nord")
    with pytest.raises(NotFound, match="azienda sconosciuta: 'ZZZ'"):
        profiles.set("zzz", "nord", PROFILE, by="test")
    with pytest.raises(NotFound, match="azienda sconosciuta"):
        profiles.parser("ZZZ", None)
    assert container.app.recorder.max_notification_id() == before
