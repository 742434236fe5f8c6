"""DocumentOwnership: a bill number or payment id belongs to one customer of the company."""

from __future__ import annotations

from creditbox.domain.document_ownership import DocumentKind, DocumentOwnership
from creditbox.domain.ids import document_ownership_id


def test_a_claim_is_keyed_by_company_kind_and_number() -> None:
    claim = DocumentOwnership.claim(" acq ", DocumentKind.BILL, "F2026-1", "C1", by="test")
    assert claim.id == document_ownership_id("ACQ", "bill", "F2026-1")
    assert claim.id != document_ownership_id("ACQ", "payment", "F2026-1")  # kinds never collide
    assert claim.id != document_ownership_id("GAS", "bill", "F2026-1")  # nor companies
    assert (claim.company, claim.kind, claim.number, claim.customer_code) == ("ACQ", DocumentKind.BILL, "F2026-1", "C1")


def test_its_owner_may_record_it_anyone_else_is_told_whose_it_is() -> None:
    bill = DocumentOwnership.claim("ACQ", DocumentKind.BILL, "F2026-1", "C1", by="test")
    payment = DocumentOwnership.claim("ACQ", DocumentKind.PAYMENT, "P9", "C1", by="test")
    assert bill.refusal("C1") is None
    assert bill.refusal("C2") == "bolletta 'F2026-1' già registrata per il cliente 'C1'"
    assert payment.refusal("C2") == "pagamento 'P9' già registrato per il cliente 'C1'"


def test_replaying_the_claim_gives_the_same_owner() -> None:
    claim = DocumentOwnership.claim("ACQ", DocumentKind.PAYMENT, "P9", "C7", by="test")
    events = claim.collect_events()
    replayed = None
    for event in events:
        replayed = event.mutate(replayed)
    assert isinstance(replayed, DocumentOwnership)
    assert (replayed.id, replayed.kind, replayed.number, replayed.customer_code) == (
        claim.id,
        DocumentKind.PAYMENT,
        "P9",
        "C7",
    )
