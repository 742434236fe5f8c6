"""DocumentOwnership: which customer a bill number or a payment id belongs to, company-wide.

Bill numbers are unique in a company (Italian invoices are numbered in one sequence) and so are
payment ids (the bank's or the payment provider's reference). A position only knows its own
documents, so the same number sent later for *another* customer would otherwise go in twice.
Like ``SupplyOwnership``, a tiny aggregate keyed by (company, kind, number), saved in the same
atomic save as the position that first records the document: the second claim of a number, even
from two imports racing, fails on version 1.
"""

from __future__ import annotations

from enum import Enum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from creditbox.domain.ids import document_ownership_id, normalise_company_code

T = "creditbox.document."


class DocumentKind(Enum):
    BILL = "bill"  # bills and credit notes share the invoice numbering
    PAYMENT = "payment"  # payments and reversals

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {DocumentKind.BILL: "bolletta", DocumentKind.PAYMENT: "pagamento"}
_RECORDED = {DocumentKind.BILL: "già registrata", DocumentKind.PAYMENT: "già registrato"}


class DocumentOwnership(Aggregate):
    TOPIC = "creditbox.document.DocumentOwnership"

    class Created(Aggregate.Created):
        TOPIC = T + "Created"

    @staticmethod
    def create_id(company: str, kind: DocumentKind, number: str, **_: Any) -> UUID:
        return document_ownership_id(company, kind.value, number)

    @classmethod
    def claim(cls, company: str, kind: DocumentKind, number: str, customer_code: str, *, by: str) -> DocumentOwnership:
        company = normalise_company_code(company)
        # Created straight from its event class with the id already known: half the cost of
        # ``cls(...)`` (no argument coercion, no id derivation), and an import creates one per
        # bill and per payment. Replay goes through the same event and ``__init__``.
        return cls._create(
            cls.DocumentClaimed,
            id=document_ownership_id(company, kind.value, number),
            by=by,
            company=company,
            kind=kind,
            number=number,
            customer_code=customer_code,
        )

    DocumentClaimed: type[Aggregate.Created]  # the created event class the decorator below defines

    @event("DocumentClaimed", topic=T + "DocumentClaimed")
    def __init__(self, by: str, company: str, kind: DocumentKind, number: str, customer_code: str) -> None:
        self.company = company
        self.kind = kind
        self.number = number
        self.customer_code = customer_code

    def refusal(self, customer_code: str) -> str | None:
        """Why ``customer_code`` may not record this document (None when it is theirs)."""
        return document_refusal(self.kind, self.number, self.customer_code, customer_code)


def document_refusal(kind: DocumentKind, number: str, owner: str, customer_code: str) -> str | None:
    """Why ``customer_code`` may not record a document that belongs to ``owner`` (None: theirs)."""
    if customer_code == owner:
        return None
    return f"{kind.label} {number!r} {_RECORDED[kind]} per il cliente {owner!r}"
