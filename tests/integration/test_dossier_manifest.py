"""The evidence dossier's manifest and its check: a changed, removed or added file, a manifest out of
shape, and a store edited by hand after the dossier was made, each found and named."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from creditbox.application.dossier import legal_items
from creditbox.application.dossier_check import (
    FILE_ADDED,
    FILE_CHANGED,
    FILE_MISSING,
    MANIFEST_BROKEN,
    STORE,
    check_dossier,
)
from creditbox.application.dossier_format import MANIFEST, STORED_EVENTS, sha256_hex
from creditbox.application.records import BillRecord, CustomerRecord, PaymentRecord, SupplyRecord
from creditbox.bootstrap import Container
from creditbox.domain.ids import position_id
from creditbox.domain.workflow.legal import LegalDocument, LegalMilestone, LegalMilestoneKind
from creditbox.infrastructure.chain.store import POSTGRES_EVENTS, SQLITE_EVENTS
from creditbox.infrastructure.dossier.archive import read_archive, write_archive
from tests.builders import details, supply

pytestmark = pytest.mark.today(date(2026, 3, 2))


def given_a_customer(c: Container) -> None:
    c.companies.register("ACQ", "Acque Spa", by="test")
    records: list[Any] = [
        CustomerRecord("C1", details(mobile="3331234567", address="Via Roma 1", postcode="00184", city="Roma")),
        SupplyRecord("C1", supply("S-C1")),
        BillRecord("B-C1", "C1", "S-C1", date(2026, 1, 1), date(2026, 1, 31), Decimal("120.50")),
        PaymentRecord("P1", "C1", date(2026, 2, 10), Decimal("20.00")),
    ]
    c.ingestor().ingest("ACQ", records, by="test")


def contents_of(c: Container) -> dict[str, bytes]:
    _, archive = c.dossiers().archive("ACQ", "C1")
    return read_archive(archive)


def kinds(found: Any) -> list[tuple[str, str]]:
    return [(f.kind, f.file) for f in found.findings]


def test_a_fresh_dossier_checks_clean(container: Container) -> None:
    given_a_customer(container)
    old = BillRecord("B-OLD", "C1", "S-C1", date(2023, 1, 1), date(2023, 1, 15), Decimal("75.00"))
    container.ingestor().ingest("ACQ", [old], by="test")
    contents = contents_of(container)
    manifest = json.loads(contents[MANIFEST])
    bills = {b["number"]: b for b in json.loads(contents["bollette/bollette.json"])}
    assert (bills["B-OLD"]["time_barred"], bills["B-C1"]["time_barred"]) == (True, False)  # as the statement flags
    assert any("Prescrivibili" in n for n in json.loads(contents["estratto_conto/estratto_conto.json"])["notes"])
    assert manifest["created_at"] == container.clock.now().isoformat()
    assert all(sha256_hex(contents[f["path"]]) == f["sha256"] for f in manifest["files"])
    assert all(len(contents[f["path"]]) == f["size"] for f in manifest["files"])
    assert set(contents) == {MANIFEST} | {f["path"] for f in manifest["files"]}
    assert manifest["chain_head"]["version"] == 5 and len(manifest["chain_head"]["hash"]) == 64
    check = check_dossier(contents, container.chain_records())
    assert check.clean and check.live_checked, check.findings
    again = json.loads(contents_of(container)[MANIFEST])
    assert [f["path"] for f in again["files"]] == [f["path"] for f in manifest["files"]]
    assert again["chain_head"] == manifest["chain_head"]


def test_the_manifest_finds_a_changed_a_removed_and_an_added_file(container: Container) -> None:
    given_a_customer(container)
    contents = contents_of(container)

    changed = dict(contents)
    changed["bollette/bollette.json"] = contents["bollette/bollette.json"].replace(b"120.50", b"1120.50")
    found = check_dossier(changed, None)
    assert kinds(found) == [(FILE_CHANGED, "bollette/bollette.json")]
    assert "SHA-256" in found.findings[0].message

    removed = dict(contents)
    del removed["estratto_conto/estratto_conto.pdf"]
    assert kinds(check_dossier(removed, None)) == [(FILE_MISSING, "estratto_conto/estratto_conto.pdf")]

    added = dict(contents)
    added["avvisi/altro.pdf"] = b"%PDF-1.4 aggiunto"
    assert kinds(check_dossier(added, None)) == [(FILE_ADDED, "avvisi/altro.pdf")]

    no_manifest = {k: v for k, v in contents.items() if k != MANIFEST}
    assert kinds(check_dossier(no_manifest, None)) == [(MANIFEST_BROKEN, MANIFEST)]
    broken = dict(contents)
    broken[MANIFEST] = b"{non json"
    assert kinds(check_dossier(broken, None)) == [(MANIFEST_BROKEN, MANIFEST)]
    shapeless = dict(contents)
    shapeless[MANIFEST] = json.dumps({"format": "altro"}).encode()
    assert kinds(check_dossier(shapeless, None)) == [(MANIFEST_BROKEN, MANIFEST)]

    # The events and the manifest edited together: the chain no longer reaches the head stated.
    manifest = json.loads(contents[MANIFEST])
    edited = contents[STORED_EVENTS].replace(b"120.50", b"100.50")
    for item in manifest["files"]:
        if item["path"] == STORED_EVENTS:
            item["sha256"], item["size"] = sha256_hex(edited), len(edited)
    forged = dict(contents, **{STORED_EVENTS: edited, MANIFEST: json.dumps(manifest).encode()})
    assert [f.kind for f in check_dossier(forged, None).findings] == ["catena_fascicolo"]

    # The archive itself: read back as written, and a file that is no ZIP is a finding.
    created = container.clock.now()
    assert read_archive(write_archive(contents, created)) == contents
    bad = container.dossier_verifier().verify(b"non un archivio")
    assert kinds(bad) == [(MANIFEST_BROKEN, "")] and "ZIP" in bad.findings[0].message


def tamper(c: Container, statement: str, **params: Any) -> None:
    engine = create_engine(c.database.sqlalchemy_url())
    table = POSTGRES_EVENTS if c.database.is_postgres else SQLITE_EVENTS
    key = position_id("ACQ", "C1")
    try:
        with engine.begin() as conn:
            conn.execute(
                text(statement.format(events=table)), {"id": key if c.database.is_postgres else key.hex, **params}
            )
    finally:
        engine.dispose()


def test_the_live_store_edited_after_the_dossier_is_found(container: Container) -> None:
    given_a_customer(container)
    contents = contents_of(container)
    # Events recorded since: the store extends the dossier's chain, which still checks.
    container.ingestor().ingest("ACQ", [PaymentRecord("P2", "C1", date(2026, 2, 20), Decimal("10.00"))], by="test")
    assert check_dossier(contents, container.chain_records()).clean

    tamper(
        container,
        "UPDATE {events} SET state = :state WHERE originator_id = :id AND originator_version = 3",
        state=b'{"forged": true}',
    )
    found = check_dossier(contents, container.chain_records())
    messages = [f.message for f in found.findings]
    assert {f.kind for f in found.findings} == {STORE}
    assert any("versione 3" in m and "diverso" in m for m in messages), messages
    assert any("catena ricalcolata" in m for m in messages), messages
    assert check_dossier(contents, None).clean  # against itself the dossier is still whole

    tamper(container, "DELETE FROM {events} WHERE originator_id = :id AND originator_version >= 4")
    deleted = [f.message for f in check_dossier(contents, container.chain_records()).findings]
    assert any("versione 4" in m and "assente" in m for m in deleted), deleted


def test_the_legal_milestones_and_their_documents_go_into_the_dossier(container: Container) -> None:
    given_a_customer(container)
    container.dunning().run_due("ACQ", container.clock.today())
    position = container.positions.load("ACQ", "C1")
    [case] = position.dunning.cases.values()
    decree = b"%PDF-1.4 decreto ingiuntivo n. 123/2026"
    forged = LegalDocument("ricorso.pdf", sha256_hex(b"originale"), "application/pdf")
    case.record_legal_milestone(
        LegalMilestone(
            kind=LegalMilestoneKind.INJUNCTION_GRANTED,
            occurred_on=date(2026, 3, 1),
            recorded_at=container.clock.now(),
            recorded_by="avv. bianchi",
            court="Tribunale di Roma",
            docket="R.G. 123/2026",
            amount=Decimal("100.50"),
            next_deadline=date(2026, 4, 10),
            note="",
            documents=(
                LegalDocument("decreto.pdf", sha256_hex(decree), "application/pdf"),
                forged,
                LegalDocument("mancante.pdf", sha256_hex(b"altro"), "application/pdf"),
            ),
        )
    )
    kept = {sha256_hex(decree): decree, forged.sha256: b"alterato"}

    class Documents:
        def read(self, company: str, sha256: str) -> bytes:
            assert company == "ACQ"
            return kept[sha256]

    milestones, files, notes = legal_items(position, "ACQ", Documents())
    [milestone] = milestones
    assert (milestone["kind"], milestone["court"], milestone["docket"]) == (
        "injunction_granted",
        "Tribunale di Roma",
        "R.G. 123/2026",
    )
    assert milestone["recorded_by"] == "avv. bianchi" and milestone["next_deadline"] == "2026-04-10"
    path = f"legale/documenti/{sha256_hex(decree)}-decreto.pdf"
    assert list(files) == [path] and files[path][0] == decree
    assert [d["path"] for d in milestone["documents"]] == [path, None, None]
    assert len(notes) == 2 and "SHA-256" in notes[0] and "non disponibile" in notes[1]
    assert legal_items(position, "ACQ", None)[1] == {}  # no source wired: listed, not attached
