"""What a bank file says, once read: transactions, their identifiers, their references.

A bank file (ISO 20022 ``camt.053`` statement or ``camt.054`` notification) is read by the
infrastructure into :class:`BankTransaction` values; everything here is plain data and rules that
need no file and no database:

- which identifiers a transaction carries (:class:`TransactionIds`), ``NOTPROVIDED`` being no id,
  and when two transactions read from two files are the same one (:meth:`TransactionIds.same_as`);
- what kind of movement it is (:class:`Movement`): a customer's payment, a returned direct debit,
  or another debit (bank charges) that is no customer's business;
- the references a remittance carries: RF creditor references (ISO 11649, check digits verified),
  the IUV of a pagoPA payment, the words that may be a bill number or a customer code.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import Enum

from stdnum import iso11649

from creditbox.domain.money import format_euro

NOT_PROVIDED = "NOTPROVIDED"
EURO = "EUR"

# Bank transaction sub-family codes (ISO 20022 external code list) of a returned or reversed payment.
RETURN_SUBFAMILIES = frozenset({"UPDD", "RRTN", "PRDD", "RPCR"})


def clean_id(value: str | None) -> str | None:
    """An identifier as the bank wrote it, or None when there is none (empty, ``NOTPROVIDED`` in any case)."""
    if value is None:
        return None
    text = value.strip()
    if not text or text.upper() == NOT_PROVIDED:
        return None
    return text


@dataclass(frozen=True, slots=True)
class TransactionIds:
    """The identifiers of one transaction: the bank's reference (``AcctSvcrRef``), the end-to-end id
    the payer gave (``EndToEndId``) and the transaction id (``TxId``)."""

    bank_ref: str | None = None
    end_to_end: str | None = None
    tx_id: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "bank_ref", clean_id(self.bank_ref))
        object.__setattr__(self, "end_to_end", clean_id(self.end_to_end))
        object.__setattr__(self, "tx_id", clean_id(self.tx_id))

    def pairs(self) -> tuple[tuple[str, str | None], ...]:
        return (("bank_ref", self.bank_ref), ("end_to_end", self.end_to_end), ("tx_id", self.tx_id))

    @property
    def any(self) -> bool:
        return any(value is not None for _, value in self.pairs())

    def same_as(self, other: TransactionIds) -> bool:
        """Two readings of the same transaction: at least one identifier both carry is equal, and
        none that both carry differs (a notification may lack an id the statement gives)."""
        shared = [(a, b) for (_, a), (_, b) in zip(self.pairs(), other.pairs(), strict=True) if a and b]
        return bool(shared) and all(a == b for a, b in shared)

    def returns(self, original: TransactionIds) -> bool:
        """A return (its own bank reference) of ``original``: the payer's ids (end-to-end id,
        transaction id) that both carry agree, and at least one does."""
        shared = [(a, b) for a, b in ((self.end_to_end, original.end_to_end), (self.tx_id, original.tx_id)) if a and b]
        return bool(shared) and all(a == b for a, b in shared)

    def merged(self, other: TransactionIds) -> TransactionIds:
        """These ids completed with those only ``other`` carries."""
        return TransactionIds(
            self.bank_ref or other.bank_ref, self.end_to_end or other.end_to_end, self.tx_id or other.tx_id
        )


class Movement(Enum):
    """What a transaction is for the company's customers."""

    PAYMENT = "payment"  # money in: a customer's payment, to match
    RETURN = "return"  # a returned direct debit (R-transaction): reverses the payment it returns
    OTHER = "other"  # bank charges, fees, other debits, reversals of debits: reported, not recorded

    @property
    def label(self) -> str:
        return _MOVEMENT_LABELS[self]


_MOVEMENT_LABELS = {
    Movement.PAYMENT: "incasso",
    Movement.RETURN: "storno addebito diretto",
    Movement.OTHER: "altro movimento (commissioni, addebiti)",
}


@dataclass(frozen=True, slots=True)
class TransactionCode:
    """The bank transaction code (``BkTxCd``): ISO domain / family / sub-family, or the bank's own."""

    domain: str | None = None
    family: str | None = None
    subfamily: str | None = None
    proprietary: str | None = None

    def text(self) -> str:
        iso = "/".join(part for part in (self.domain, self.family, self.subfamily) if part)
        return " ".join(part for part in (iso, self.proprietary) if part)


@dataclass(frozen=True, slots=True)
class BankTransaction:
    """One credit or debit of a bank file (a transaction of an entry, or the entry itself)."""

    line: int  # where it is in the file (the transaction's line)
    credit: bool  # CRDT (money in) or DBIT
    amount: Decimal  # positive
    currency: str
    booking_date: date | None
    value_date: date | None
    ids: TransactionIds
    code: TransactionCode = field(default_factory=TransactionCode)
    reversal: bool = False  # RvslInd
    return_reason: str | None = None  # RtrInf/Rsn/Cd (a returned payment)
    debtor_name: str | None = None
    debtor_iban: str | None = None
    remittance: tuple[str, ...] = ()  # RmtInf/Ustrd
    references: tuple[str, ...] = ()  # RmtInf/Strd/CdtrRefInf/Ref
    mandate_id: str | None = None

    @property
    def movement(self) -> Movement:
        returned = self.reversal or self.return_reason is not None or self.code.subfamily in RETURN_SUBFAMILIES
        if not self.credit and returned:
            return Movement.RETURN
        if self.credit and not self.reversal:
            return Movement.PAYMENT
        return Movement.OTHER

    @property
    def day(self) -> date | None:
        """The day the money moved: the value date, else the booking date."""
        return self.value_date or self.booking_date

    def fingerprint(self) -> str:
        """What a transaction without any identifier is known by: its content."""
        parts = (
            "C" if self.credit else "D",
            f"{self.amount:.2f}",
            self.currency,
            self.day.isoformat() if self.day else "",
            self.debtor_iban or "",
            "|".join(self.remittance),
            "|".join(self.references),
        )
        return "\x1f".join(parts)


def transaction_key(company: str, transaction: BankTransaction, occurrence: int = 0) -> str:
    """The stable id of a transaction in a company (12 hexadecimal digits, upper case), from its
    strongest identifier (bank reference, then transaction id, then end-to-end id) with its
    direction and amount; a transaction with no identifier from its content and ``occurrence``
    (the n-th transaction of the file with the same content)."""
    ids = transaction.ids
    strongest = next(
        (f"{name}={value}" for name, value in (ids.pairs()[0], ids.pairs()[2], ids.pairs()[1]) if value), None
    )
    if strongest is None:
        strongest = f"content={transaction.fingerprint()}#{occurrence}"
    direction = "C" if transaction.credit else "D"
    text = f"{company}\x1f{direction}\x1f{transaction.amount:.2f}\x1f{strongest}"
    return hashlib.sha256(text.encode()).hexdigest()[:12].upper()


# ---- references in the remittance ------------------------------------------------------------------

_RF = re.compile(r"\bRF\s?\d{2}(?:\s?[A-Z0-9]){1,21}\b", re.IGNORECASE)
_TOKEN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9/_.\-]*[A-Za-z0-9])?")
_IUV = re.compile(r"/RFB/([A-Za-z0-9]{15,35})(?:/|\b)|\bIUV[:\s]*([A-Za-z0-9]{15,35})\b", re.IGNORECASE)
_NOTICE_CODE = re.compile(r"\b([0-3]\d{17})\b")
MAX_WORDS = 40


def creditor_reference(text: str) -> str | None:
    """The body of a valid RF creditor reference (ISO 11649: ``RF`` and two check digits), or None
    when ``text`` is not one or its check digits are wrong."""
    compact = iso11649.compact(text)
    if not compact.startswith("RF") or not iso11649.is_valid(compact):
        return None
    return compact[4:]


def creditor_references(transaction: BankTransaction) -> list[str]:
    """The bodies of the valid RF references: structured first, then any written in the text."""
    found: list[str] = []
    texts = [*transaction.references, *(m.group(0) for t in transaction.remittance for m in _RF.finditer(t))]
    for text in texts:
        body = creditor_reference(text)
        if body is not None and body not in found:
            found.append(body)
    return found


def invalid_references(transaction: BankTransaction) -> list[str]:
    """The structured references that look like RF references but fail the check digits."""
    return [
        ref
        for ref in transaction.references
        if iso11649.compact(ref).startswith("RF") and creditor_reference(ref) is None
    ]


def pagopa_iuvs(transaction: BankTransaction) -> list[str]:
    """The IUVs (pagoPA unique payment ids) the remittance carries: ``/RFB/<IUV>/…``, ``IUV <IUV>``,
    or the 18-digit notice code (*codice avviso*: one digit and the IUV's 17)."""
    found: list[str] = []
    for text in transaction.remittance:
        marked = [match.group(1) or match.group(2) for match in _IUV.finditer(text)]
        found.extend(marked)
        if not marked:
            found.extend(match.group(1)[1:] for match in _NOTICE_CODE.finditer(text))
    return list(dict.fromkeys(found))


def remittance_words(transaction: BankTransaction) -> list[str]:
    """The words of the free remittance text that could be a bill number or a customer code, as
    written and without their ``/``-separated parts, at most :data:`MAX_WORDS`."""
    words: list[str] = []
    for text in transaction.remittance:
        for match in _TOKEN.finditer(text):
            token = match.group(0)
            words.append(token)
            if "/" in token:
                words.extend(part for part in token.split("/") if part)
    return list(dict.fromkeys(words))[:MAX_WORDS]


# ---- the file and its statements ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BankFileInfo:
    """What kind of bank file was read: ``camt.053`` (statement) or ``camt.054`` (notification), its
    version (``001.08``), the bank's message id, and whether an official schema validated it."""

    message: str
    version: str
    message_id: str
    schema_validated: bool
    entries: int

    @property
    def label(self) -> str:
        kind = "estratto conto" if self.message == "camt.053" else "avviso di accredito/addebito"
        return f"{kind} {self.message}.{self.version}"


@dataclass(frozen=True, slots=True)
class StatementBalances:
    """A statement's balances and the sum of its booked entries: opening (``OPBD``, or ``PRCD``) plus
    credits minus debits must give the closing balance (``CLBD``)."""

    statement_id: str
    account: str | None
    line: int
    opening: Decimal | None
    closing: Decimal | None
    credits: Decimal
    debits: Decimal

    @property
    def expected_closing(self) -> Decimal | None:
        return None if self.opening is None else self.opening + self.credits - self.debits

    @property
    def difference(self) -> Decimal | None:
        """Closing balance minus what the entries give (None: a balance is missing)."""
        expected = self.expected_closing
        return None if expected is None or self.closing is None else self.closing - expected

    @property
    def balanced(self) -> bool:
        return self.difference == 0

    def problem(self) -> str | None:
        """Italian: why the statement does not add up, or None when it does."""
        if self.opening is None or self.closing is None:
            missing = "di apertura" if self.opening is None else "di chiusura"
            return f"estratto {self.statement_id}: saldo {missing} mancante, quadratura impossibile"
        if self.balanced:
            return None
        expected, difference = self.expected_closing, self.difference
        assert expected is not None and difference is not None
        return (
            f"estratto {self.statement_id}: i saldi non quadrano: apertura {format_euro(self.opening)} + accrediti "
            f"{format_euro(self.credits)} - addebiti {format_euro(self.debits)} = {format_euro(expected)}, "
            f"ma il saldo di chiusura è {format_euro(self.closing)} (differenza {format_euro(difference)})"
        )

    def as_json(self) -> dict[str, object]:
        return {
            "statement_id": self.statement_id,
            "account": self.account,
            "opening": None if self.opening is None else str(self.opening),
            "credits": str(self.credits),
            "debits": str(self.debits),
            "closing": None if self.closing is None else str(self.closing),
            "expected_closing": None if self.expected_closing is None else str(self.expected_closing),
            "difference": None if self.difference is None else str(self.difference),
            "balanced": self.balanced,
            "problem": self.problem(),
        }
