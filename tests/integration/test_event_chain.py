"""Every kind of manual tampering with the stored events — an UPDATE of an event's state, a DELETE of
a middle and of a last event, an INSERT of a forged event, a swap of two events' versions — made in
SQL on a real SQLite and PostgreSQL store, is detected and located by ``Integrity.verify``: the
position (company and customer code), the event (version and topic) and, for a change, the field."""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import text

from creditbox.application.integrity import BROKEN, CHANGED, DELETED, INSERTED, REORDERED, SEAL, Finding
from creditbox.bootstrap import Container
from creditbox.domain.event_chain import merkle_root
from creditbox.domain.ids import position_id
from creditbox.infrastructure.chain.store import POSTGRES_EVENTS, SQLITE_EVENTS
from tests.builders import BY, a_position, bill, pay

C1 = position_id("ACQ", "C1")
BILL_TOPIC = "creditbox.position.BillIssued"


@pytest.fixture
def store(container: Container) -> Container:
    """ACQ with two positions: C1 (registered, supply, two bills, a payment: versions 1-5) and C2."""
    container.projections.ensure_schema()  # migration 0015 done: an empty store, nothing to seal yet
    container.companies.register("ACQ", "Acque", by=BY)
    c1 = a_position("ACQ", "C1")
    bill(c1, "B1", date(2026, 1, 31), "120.00")
    bill(c1, "B2", date(2026, 2, 28), "80.00")
    pay(c1, "P1", date(2026, 2, 10), "50.00")
    c2 = a_position("ACQ", "C2")
    bill(c2, "B9", date(2026, 1, 31), "10.00")
    container.app.save(c1, c2)
    assert container.app.repository.get(C1).version == 5
    return container


def events_table(c: Container) -> str:
    return POSTGRES_EVENTS if c.database.is_postgres else SQLITE_EVENTS


def key(c: Container, originator_id: UUID) -> Any:
    return originator_id if c.database.is_postgres else originator_id.hex


def sql(c: Container, statement: str, **params: Any) -> list[Any]:
    """Run ``statement`` by hand on the store's database (``{events}``: the event table)."""
    with c.projections.engine.begin() as conn:
        result = conn.execute(text(statement.format(events=events_table(c))), params)
        return list(result) if result.returns_rows else []


def state_of(c: Container, version: int) -> dict[str, Any]:
    rows = sql(
        c, "SELECT state FROM {events} WHERE originator_id = :id AND originator_version = :v", id=key(c, C1), v=version
    )
    return dict(json.loads(bytes(rows[0][0])))


def only(findings: list[Finding]) -> Finding:
    assert len(findings) == 1, findings
    return findings[0]


def test_an_untouched_store_verifies_clean(store: Container) -> None:
    result = store.integrity().verify()
    assert result.findings == [] and result.clean
    assert result.events == 5 + 3 + 1 + 1  # C1, C2, the company, its actions table
    assert result.chains == 4


def test_an_update_of_a_stored_state_names_the_position_the_event_and_the_field(store: Container) -> None:
    state = state_of(store, 3)
    assert state["amount"] == "120.00" or state["amount"]["_data_"] == "120.00"
    changed = json.dumps(state | {"amount": json.loads(json.dumps(state["amount"]).replace("120.00", "12.00"))})
    sql(
        store,
        "UPDATE {events} SET state = :s WHERE originator_id = :id AND originator_version = 3",
        s=changed.encode(),
        id=key(store, C1),
    )
    finding = only(store.integrity().verify().findings)
    assert (finding.kind, finding.company, finding.customer_code, finding.version, finding.topic, finding.fields) == (
        CHANGED,
        "ACQ",
        "C1",
        3,
        BILL_TOPIC,
        ("amount",),
    )
    assert "posizione ACQ/C1" in finding.message and "«amount» modificato" in finding.message


def test_a_deleted_middle_event_is_named(store: Container) -> None:
    sql(store, "DELETE FROM {events} WHERE originator_id = :id AND originator_version = 3", id=key(store, C1))
    finding = only(store.integrity().verify().findings)
    assert (finding.kind, finding.customer_code, finding.version, finding.topic) == (DELETED, "C1", 3, BILL_TOPIC)


def test_a_deleted_middle_event_with_its_link_breaks_the_chain_there(store: Container) -> None:
    sql(store, "DELETE FROM {events} WHERE originator_id = :id AND originator_version = 3", id=key(store, C1))
    sql(store, "DELETE FROM event_chain WHERE originator_id = :id AND originator_version = 3", id=key(store, C1))
    finding = only(store.integrity().verify().findings)
    assert (finding.kind, finding.customer_code, finding.version) == (BROKEN, "C1", 4)


def test_a_deleted_last_event_is_named(store: Container) -> None:
    sql(store, "DELETE FROM {events} WHERE originator_id = :id AND originator_version = 5", id=key(store, C1))
    finding = only(store.integrity().verify().findings)
    assert (finding.kind, finding.customer_code, finding.version, finding.topic) == (
        DELETED,
        "C1",
        5,
        "creditbox.position.PaymentReceived",
    )


def test_a_deleted_last_event_with_its_link_is_caught_by_the_seal(store: Container) -> None:
    sealed = store.integrity().seal(by=BY)
    sql(store, "DELETE FROM {events} WHERE originator_id = :id AND originator_version = 5", id=key(store, C1))
    sql(store, "DELETE FROM event_chain WHERE originator_id = :id AND originator_version = 5", id=key(store, C1))
    result = store.integrity().verify()
    finding = only(result.findings)
    assert (finding.kind, finding.company, finding.customer_code, finding.version) == (SEAL, "ACQ", "C1", 5)
    assert "ultima versione 4" in finding.message and result.seal is not None and result.seal.root == sealed.root


def test_a_forged_event_inserted_by_hand_is_named(store: Container) -> None:
    forged = state_of(store, 5) | {"payment_id": "P-FALSO"}
    sql(
        store,
        "INSERT INTO {events} (originator_id, originator_version, topic, state) VALUES (:id, 6, :t, :s)",
        id=key(store, C1),
        t="creditbox.position.PaymentReceived",
        s=json.dumps(forged).encode(),
    )
    finding = only(store.integrity().verify().findings)
    assert (finding.kind, finding.customer_code, finding.version, finding.topic) == (
        INSERTED,
        "C1",
        6,
        "creditbox.position.PaymentReceived",
    )


def test_two_events_swapped_by_hand_are_named_as_reordered(store: Container) -> None:
    where = "originator_id = :id AND originator_version = "
    sql(store, "UPDATE {events} SET originator_version = 99 WHERE " + where + "3", id=key(store, C1))
    sql(store, "UPDATE {events} SET originator_version = 3 WHERE " + where + "4", id=key(store, C1))
    sql(store, "UPDATE {events} SET originator_version = 4 WHERE " + where + "99", id=key(store, C1))
    findings = store.integrity().verify().findings
    assert [(f.kind, f.customer_code, f.version) for f in findings] == [(REORDERED, "C1", 3), (REORDERED, "C1", 4)]
    assert "registrato come versione 4" in findings[0].message


def test_a_company_filter_verifies_that_company_only(store: Container) -> None:
    sql(store, "DELETE FROM {events} WHERE originator_id = :id AND originator_version = 5", id=key(store, C1))
    assert only(store.integrity().verify(company="acq").findings).customer_code == "C1"
    other = store.integrity().verify(company="LUC")
    assert other.findings == [] and other.chains == 0


def test_the_seal_is_the_merkle_root_of_the_heads_and_an_event_of_its_own(store: Container) -> None:
    integrity = store.integrity()
    sealed = integrity.seal(by=BY)
    last = integrity.last_seal()
    assert last is not None and last.root == sealed.root and sealed.chains == 4 and sealed.links == 10
    assert merkle_root((h.originator_id, h.version, h.hash) for h in last.leaves).hex() == sealed.root
    assert str(C1) in {h.originator_id for h in last.leaves}
    assert store.app.repository.get(UUID(sealed.seal_id)).root == sealed.root  # a ChainSeal aggregate
    # New events after the seal are fine; the seal's own event is chained and covered by the next one.
    position = store.app.repository.get(C1)
    pay(position, "P2", date(2026, 2, 20), "5.00")
    store.app.save(position)
    assert integrity.verify().clean
    assert integrity.seal(by=BY).chains == 5


def test_a_tampered_seal_leaf_is_caught(store: Container) -> None:
    store.integrity().seal(by=BY)
    sql(store, "UPDATE chain_seal_leaf SET originator_version = 4 WHERE originator_id = :id", id=str(C1))
    findings = store.integrity().verify().findings
    assert [(f.kind, f.customer_code) for f in findings] == [(SEAL, None), (SEAL, "C1")]
    assert "sigillo alterato" in findings[0].message and "versione 4" in findings[1].message


def test_events_written_by_the_background_writer_process_are_chained(container: Container) -> None:
    from creditbox.infrastructure.background_writer import BackgroundEventWriter

    container.projections.ensure_schema()
    with BackgroundEventWriter(container.app) as writer:
        for n in range(3):
            writer.save(*(a_position("ACQ", f"W{n}{k}") for k in range(5)))
    links = sql(container, "SELECT COUNT(*) FROM event_chain")[0][0]
    result = container.integrity().verify()
    assert result.clean and result.events == links == 15 * 2  # registration and supply of 15 positions
