"""Bank files: the ports the bank import works on, and the ledger of every transaction it has read.

The *ledger* keeps one row per bank transaction the company's files have carried (credits and
debits alike), keyed by a stable id; it is how the same transaction read from two files (a
notification, then the statement) is recorded once, how a returned direct debit finds the payment
it returns, and it is the *incassi da abbinare* worklist (the rows still to match). It is process
state, not a read model: nothing in the event log rebuilds it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from creditbox.application.records import UnreadableFile
from creditbox.domain.bank import BankFileInfo, BankTransaction, Movement, StatementBalances, TransactionIds

# The statuses of a ledger row.
PENDING = "pending"  # matched: its payment (or reversal) is being recorded
RECORDED = "recorded"  # recorded on the customer's position
TO_MATCH = "to_match"  # on the worklist: unmatched, ambiguous, or refused by the position
REPORTED = "reported"  # not a customer's business (bank charges, other debits): reported only

STATUS_LABELS = {
    PENDING: "in registrazione",
    RECORDED: "registrato",
    TO_MATCH: "da abbinare",
    REPORTED: "non di un cliente",
}

# Why a row is on the worklist.
UNMATCHED = "unmatched"
AMBIGUOUS = "ambiguous"
REFUSED = "refused"

PROBLEM_LABELS = {UNMATCHED: "non abbinato", AMBIGUOUS: "ambiguo", REFUSED: "rifiutato dalla posizione"}

# How a row was matched.
RULE_LABELS = {
    "rf": "riferimento RF",
    "bill": "numero bolletta nella causale",
    "customer": "codice cliente nella causale",
    "iuv": "IUV pagoPA",
    "iban": "IBAN del pagatore",
    "return": "storno dell'incasso originale",
    "manual": "abbinamento manuale",
}


class BankFileRefused(UnreadableFile):
    """A bank file refused whole (unsafe, not a camt file, invalid): nothing of it is recorded."""


@dataclass(frozen=True)
class LedgerEntry:
    """One bank transaction as the ledger keeps it."""

    credit_id: str
    company: str
    credit: bool
    movement: Movement
    amount: Decimal
    currency: str
    booking_date: date | None
    value_date: date | None
    ids: TransactionIds
    debtor_name: str | None
    debtor_iban: str | None
    remittance: str
    code: str
    file_name: str
    line: int
    status: str
    problem: str | None = None
    reason: str | None = None
    customer_code: str | None = None
    bill_number: str | None = None
    payment_id: str | None = None
    rule: str | None = None
    by: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def day(self) -> date | None:
        return self.value_date or self.booking_date

    @property
    def signed_amount(self) -> Decimal:
        """What is recorded on a position: a payment positive, a returned direct debit negative."""
        return self.amount if self.credit else -self.amount

    def with_status(self, status: str, **changes: object) -> LedgerEntry:
        return replace(self, status=status, **changes)  # type: ignore[arg-type]

    def as_json(self) -> dict[str, object]:
        return {
            "credit_id": self.credit_id,
            "direction": "accredito" if self.credit else "addebito",
            "movement": self.movement.value,
            "movement_label": self.movement.label,
            "amount": str(self.amount),
            "currency": self.currency,
            "booking_date": self.booking_date.isoformat() if self.booking_date else None,
            "value_date": self.value_date.isoformat() if self.value_date else None,
            "bank_ref": self.ids.bank_ref,
            "end_to_end_id": self.ids.end_to_end,
            "tx_id": self.ids.tx_id,
            "debtor_name": self.debtor_name,
            "debtor_iban": self.debtor_iban,
            "remittance": self.remittance,
            "code": self.code,
            "file_name": self.file_name,
            "line": self.line,
            "status": self.status,
            "status_label": STATUS_LABELS[self.status],
            "problem": self.problem,
            "problem_label": PROBLEM_LABELS.get(self.problem or ""),
            "reason": self.reason,
            "customer_code": self.customer_code,
            "bill_number": self.bill_number,
            "payment_id": self.payment_id,
            "rule": self.rule,
            "rule_label": RULE_LABELS.get(self.rule or ""),
        }


class BankFileReader(Protocol):
    """Reads the bank's files (the infrastructure's ``CamtReader``)."""

    def check(self, content: bytes) -> BankFileInfo:
        """The file's kind once it is known safe and valid, or :class:`BankFileRefused`."""
        ...

    def count(self, content: bytes) -> int: ...

    def read(self, content: bytes) -> Iterator[BankTransaction | StatementBalances]: ...


class BankLedger(Protocol):
    """The ledger of bank transactions and the debtors' IBANs learned from matched payments. The
    import reads and writes it a chunk at a time."""

    def get(self, company: str, credit_id: str) -> LedgerEntry | None: ...

    def candidates(self, company: str, credit_ids: list[str], ids: list[TransactionIds]) -> list[LedgerEntry]:
        """The rows that may be one of these transactions: with one of these keys, or carrying one of
        these identifiers."""
        ...

    def sharing_ids(self, company: str, ids: TransactionIds, credit: bool) -> list[LedgerEntry]:
        """The rows of that direction carrying one of these identifiers."""
        ...

    def insert_many(self, entries: list[LedgerEntry]) -> set[str]:
        """Add rows (in one transaction); returns the ids written (a row whose id is already there is not)."""
        ...

    def update_many(self, entries: list[LedgerEntry]) -> None: ...

    def to_match(self, company: str) -> list[LedgerEntry]:
        """The worklist: the rows still to match, oldest first."""
        ...

    def learn_ibans(self, entries: list[LedgerEntry], at: datetime) -> None:
        """Remember, for each recorded credit with a debtor's IBAN, the customer it paid for."""
        ...

    def customers_of_ibans(self, company: str, ibans: set[str]) -> dict[str, list[str]]: ...
