"""PEC receipts on real positions (SQLite and PostgreSQL): public bodies with a PEC notice executed by the
workflow (the ENTI ladder), the receipt fixtures imported through ``InboundFiles`` — each outcome recorded
on its step through ``ChannelOutcomes``, the raw receipt kept content-addressed and indexed, a receipt of
no notice (or of another company's) kept in the unmatched answers, a second import adding nothing, and a
late acceptance never following a delivery."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from creditbox.application.inbound import InboundResult
from creditbox.application.records import BillRecord, CustomerRecord, SupplyRecord
from creditbox.bootstrap import Container, bootstrap
from creditbox.clock import FixedClock
from creditbox.domain.codes import CustomerType
from creditbox.domain.ids import company_id
from creditbox.domain.workflow.outcomes import StepOutcome
from creditbox.settings import Settings
from tests.builders import details, supply

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pec"
E1, E2, E3 = "ACQ/E1/S-E1/1/1", "ACQ/E2/S-E2/1/1", "ACQ/E3/S-E3/1/1"
ITALY_WINTER = timezone(timedelta(hours=1))


@pytest.fixture
def receipts_container(database_url: str, tmp_path: Path, clock: FixedClock) -> Iterator[Container]:
    settings = Settings(
        database_url=database_url, channel_dir=str(tmp_path / "canali"), evidence_dir=str(tmp_path / "prove")
    )
    with bootstrap(settings, clock=clock) as c:
        yield c


def given_public_bodies_with_a_pec_notice(c: Container, company: str = "ACQ", customers: int = 3) -> None:
    """``customers`` public bodies (E1, E2, ...) with an overdue bill: the ENTI ladder sends each a PEC."""
    if not c.app.exists(company_id(company)):
        c.companies.register(company, "Acque", by="test")
    records: list[CustomerRecord | SupplyRecord | BillRecord] = []
    for n in range(1, customers + 1):
        code = f"E{n}"
        contacts = details(f"Comune {n}", CustomerType.PUBLIC_BODY, pec=f"amministrazione.e{n}@pec.ente.example.it")
        records += [
            CustomerRecord(code, contacts),
            SupplyRecord(code, supply(f"S-{code}")),
            BillRecord(f"B-{code}", code, f"S-{code}", date(2026, 1, 1), date(2026, 1, 31), Decimal("1250.00")),
        ]
    c.ingestor().ingest(company, records, by="test")
    c.dunning().run_due(company, date(2026, 2, 10))
    c.projections.catch_up()


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def outcomes_of(c: Container, customer: str) -> list[tuple[StepOutcome, date]]:
    position = c.positions.load("ACQ", customer)
    case = position.dunning.cases[f"S-{customer}/1"]
    return list(case.steps[0].outcomes)


def _import(c: Container, name: str, company: str = "ACQ") -> InboundResult:
    return c.inbound_files().import_file("ricevute", company, name, fixture(name), by="ricevute")


def test_the_notices_are_pec_actions_in_the_outbox(receipts_container: Container) -> None:
    given_public_bodies_with_a_pec_notice(receipts_container)

    entry = receipts_container.channel_outcomes().entry("ACQ", E1)

    assert entry is not None and entry.channel == "pec"
    assert entry.recipient == "amministrazione.e1@pec.ente.example.it"


def test_each_receipt_becomes_the_outcome_of_its_notice(receipts_container: Container, tmp_path: Path) -> None:
    c = receipts_container
    given_public_bodies_with_a_pec_notice(c)

    results = {
        name: _import(c, name)
        for name in (
            "accettazione.eml",
            "avvenuta-consegna.eml",
            "presa-in-carico.eml",
            "errore-consegna.eml",
            "non-accettazione.eml",
        )
    }

    assert all(r.accepted == 1 and not r.unmatched and not r.rejected for r in results.values())
    assert outcomes_of(c, "E1") == [(StepOutcome.SENT, date(2026, 2, 10)), (StepOutcome.DELIVERED, date(2026, 2, 10))]
    # presa in carico: evidence only; the non-delivery on the day of its receipt, in its zone
    assert outcomes_of(c, "E2") == [(StepOutcome.NOT_DELIVERED, date(2026, 2, 11))]
    assert outcomes_of(c, "E3") == [(StepOutcome.NOT_DELIVERED, date(2026, 2, 10))]
    assert results["presa-in-carico.eml"].details["outcome"] is None
    assert results["avvenuta-consegna.eml"].details["outcome"] == "delivered"
    # every receipt kept unchanged under its digest, and indexed
    for name in results:
        content = fixture(name)
        digest = hashlib.sha256(content).hexdigest()
        stored = tmp_path / "prove" / "ACQ" / digest[:2] / f"{digest}.eml"
        assert stored.read_bytes() == content
    evidence = c.receipt_index().of_action("ACQ", E1)
    assert [(r.kind, r.outcome) for r in evidence] == [("accettazione", "sent"), ("avvenuta-consegna", "delivered")]
    assert evidence[1].issued_at == datetime(2026, 2, 10, 10, 15, 9, tzinfo=ITALY_WINTER)
    assert evidence[1].issued_at.utcoffset() == timedelta(hours=1)


def test_importing_the_receipts_again_adds_nothing(receipts_container: Container) -> None:
    c = receipts_container
    given_public_bodies_with_a_pec_notice(c)
    for name in ("accettazione.eml", "avvenuta-consegna.eml", "sconosciuta.eml"):
        _import(c, name)
    events = len(c.app.events_of(c.positions.load("ACQ", "E1").id))

    again = [_import(c, name) for name in ("accettazione.eml", "avvenuta-consegna.eml", "sconosciuta.eml")]

    assert [r.duplicates for r in again] == [1, 1, 1]
    assert all(r.accepted == 0 and not r.unmatched for r in again)
    assert len(c.app.events_of(c.positions.load("ACQ", "E1").id)) == events
    assert len(c.receipt_index().of_company("ACQ")) == 3
    assert len(c.inbound_files().unmatched("ACQ")) == 1


def test_a_receipt_of_no_notice_is_kept_in_the_unmatched_answers(receipts_container: Container) -> None:
    c = receipts_container
    given_public_bodies_with_a_pec_notice(c)

    result = _import(c, "sconosciuta.eml")

    assert result.accepted == 0 and result.details["unmatched_new"] == 1
    [item] = result.unmatched
    assert item["reference"] == "<ACQ/NESSUNO/S-NESSUNO/1/1@pec.acque.example.it>"
    assert "nessun invio dell'azienda ACQ" in item["reason"]
    [kept] = c.inbound_files().unmatched("ACQ", kind="ricevute")
    assert kept.reference == item["reference"] and kept.filename == "sconosciuta.eml"
    assert kept.digest == hashlib.sha256(fixture("sconosciuta.eml")).hexdigest()
    assert kept.details["receipt_type"] == "avvenuta-consegna"
    [record] = c.receipt_index().of_company("ACQ")
    assert record.action_key is None and record.outcome is None  # kept as evidence all the same


def test_a_receipt_given_for_another_company_is_unmatched_there_and_records_nothing(
    receipts_container: Container,
) -> None:
    c = receipts_container
    given_public_bodies_with_a_pec_notice(c)
    c.companies.register("GAS", "Gas", by="test")

    result = _import(c, "avvenuta-consegna.eml", company="GAS")

    assert result.accepted == 0 and len(result.unmatched) == 1
    assert "nessun invio dell'azienda GAS" in result.unmatched[0]["reason"]
    assert outcomes_of(c, "E1") == []
    assert c.inbound_files().unmatched("ACQ") == []
    assert len(c.inbound_files().unmatched("GAS")) == 1


def test_a_late_acceptance_never_follows_a_delivery(receipts_container: Container) -> None:
    c = receipts_container
    given_public_bodies_with_a_pec_notice(c)

    _import(c, "avvenuta-consegna.eml")
    late = _import(c, "accettazione.eml")

    assert late.accepted == 1 and late.details["outcome"] is None
    assert outcomes_of(c, "E1") == [(StepOutcome.DELIVERED, date(2026, 2, 10))]


def test_a_file_that_is_no_receipt_is_rejected_and_nothing_kept(receipts_container: Container, tmp_path: Path) -> None:
    c = receipts_container
    given_public_bodies_with_a_pec_notice(c, customers=1)

    result = c.inbound_files().import_file("ricevute", "ACQ", "nota.eml", b"Subject: ciao\r\n\r\nniente\r\n", by="t")

    [rejection] = result.rejected
    assert rejection.sheet == "nota.eml" and "daticert.xml assente" in rejection.reason
    assert not (tmp_path / "prove").exists()
    assert c.receipt_index().of_company("ACQ") == []


def test_a_receipt_changed_after_signing_records_nothing_and_is_kept(receipts_container: Container) -> None:
    c = receipts_container
    given_public_bodies_with_a_pec_notice(c, customers=1)
    forged = fixture("avvenuta-consegna.eml").replace(b"10:15:09 (+0100)", b"10:15:19 (+0100)", 1)

    result = c.inbound_files().import_file("ricevute", "ACQ", "alterata.eml", forged, by="test")

    assert result.accepted == 0 and "firma della ricevuta non valida" in result.unmatched[0]["reason"]
    assert outcomes_of(c, "E1") == []
    [record] = c.receipt_index().of_company("ACQ")
    assert record.action_key is None and record.outcome is None


def test_the_note_of_the_outcome_names_the_receipt_and_its_error(receipts_container: Container) -> None:
    c = receipts_container
    given_public_bodies_with_a_pec_notice(c)

    _import(c, "errore-consegna.eml")

    history = [e for e in c.app.events_of(c.positions.load("ACQ", "E2").id) if type(e).__name__ == "OutcomeRecorded"]
    [recorded] = history
    assert recorded.note.startswith("Avviso di mancata consegna del 11/02/2026 10:16:45 (+0100)")
    assert "errore no-dest: 5.1.1" in recorded.note and recorded.by == "ricevute"
