"""PEC receipts (*ricevute PEC*, inbound kind ``ricevute``): each becomes the delivery outcome of the
notice it answers, and is kept, unchanged, as evidence.

A receipt names our message by its Message-ID (``<msgid>`` of ``daticert.xml``, in the signed part, and
the ``X-Riferimento-Message-ID`` header — both must agree); the Message-ID was derived from the action
key (``message_ids.py``), so the action is found without any table. What each receipt means:

- ``avvenuta-consegna`` → *consegnato* (``DELIVERED``) on the receipt's date, in its own zone: the legal
  proof that the notice reached the debtor;
- ``errore-consegna``, ``non-accettazione``, ``rilevazione-virus`` → *non consegnato* (``NOT_DELIVERED``),
  with the provider's error;
- ``accettazione`` → *inviato* (``SENT``: accepted by our provider, informational for the workflow);
- ``presa-in-carico``, ``preavviso-errore-consegna`` → evidence only: the step stays as it is.

Receipts arrive twice, late, or out of order (a delivery before its acceptance): importing is idempotent
by the receipt's bytes and by its own Message-ID, and an outcome is recorded only when it is more
conclusive than what the receipts of the same action already recorded (delivered, then not delivered,
then sent) — a late acceptance never follows a delivery.

Every receipt read is kept (``EvidenceStore``, content-addressed) and indexed (``ReceiptIndex``) before
its outcome is recorded; one that matches no notice of the company (a Message-ID not ours, an unknown
action, another company's, a notice that is not a PEC, references that disagree) is in
``InboundResult.unmatched``, for the worklist of unmatched answers — never dropped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from creditbox.application.channel_outcomes import ChannelOutcomes
from creditbox.application.inbound import InboundResult
from creditbox.application.message_ids import action_key_from
from creditbox.application.records import Rejection
from creditbox.clock import Clock
from creditbox.domain.errors import DomainError
from creditbox.domain.workflow.outcomes import StepOutcome

KIND = "ricevute"
LABEL = "Ricevute PEC"
PEC_CHANNEL = "pec"
SIGNATURE_INVALID = "non valida"
NOTE_WIDTH = 500  # the note of an outcome recorded from a receipt is kept this long at most

RECEIPT_LABELS: dict[str, str] = {
    "accettazione": "ricevuta di accettazione",
    "non-accettazione": "avviso di non accettazione",
    "presa-in-carico": "avviso di presa in carico",
    "avvenuta-consegna": "ricevuta di avvenuta consegna",
    "errore-consegna": "avviso di mancata consegna",
    "preavviso-errore-consegna": "preavviso di mancata consegna",
    "rilevazione-virus": "avviso di rilevazione virus",
}
RECEIPT_TYPES = tuple(RECEIPT_LABELS)

OUTCOMES: dict[str, StepOutcome] = {
    "accettazione": StepOutcome.SENT,
    "avvenuta-consegna": StepOutcome.DELIVERED,
    "errore-consegna": StepOutcome.NOT_DELIVERED,
    "non-accettazione": StepOutcome.NOT_DELIVERED,
    "rilevazione-virus": StepOutcome.NOT_DELIVERED,
}
# How conclusive an outcome is: a receipt records its outcome only above what is there already.
RANK: dict[StepOutcome, int] = {StepOutcome.SENT: 1, StepOutcome.NOT_DELIVERED: 2, StepOutcome.DELIVERED: 3}


class ReceiptUnreadable(ValueError):
    """The file is not a PEC receipt that can be read (Italian message: what is wrong, where)."""

    def __init__(self, reason: str, part: str | None = None) -> None:
        super().__init__(reason)
        self.part = part


@dataclass(frozen=True)
class PecReceipt:
    """What a receipt says (``daticert.xml`` first, the headers beside it)."""

    kind: str  # daticert's ``tipo`` (one of RECEIPT_TYPES)
    reference: str  # our Message-ID, with its angle brackets (daticert's ``<msgid>``)
    issued_at: datetime  # the provider's time, aware, in the receipt's own zone
    zone: str  # as written in daticert (``+0100``)
    header_kind: str | None = None  # ``X-Ricevuta``
    header_reference: str | None = None  # ``X-Riferimento-Message-ID``
    receipt_id: str | None = None  # the receipt's own Message-ID (the provider's: correlates nothing)
    recipient: str | None = None  # ``<consegna>``, else the first ``<destinatari>``
    error: str | None = None  # ``errore`` when not ``nessuno``
    error_detail: str | None = None  # ``<errore-esteso>``
    provider: str | None = None  # ``<gestore-emittente>``
    transport_id: str | None = None  # ``<identificativo>``
    subject: str | None = None  # ``<oggetto>``: our subject
    delivery_type: str | None = None  # ``completa``, ``breve``, ``sintetica``
    signed: bool = False  # S/MIME ``multipart/signed`` with a signature part
    # The signature's integrity: ``valida``, ``non valida`` (the receipt was changed after it was
    # signed), ``non verificabile`` (an algorithm not supported), ``assente``; and why, in Italian.
    signature: str = "assente"
    signature_detail: str = ""
    has_original: bool = False  # ``postacert.eml`` inside (a *completa* delivery receipt)

    @property
    def label(self) -> str:
        return RECEIPT_LABELS.get(self.kind, self.kind)

    def disagreement(self) -> str | None:
        """Why the headers and ``daticert.xml`` disagree (None when they agree or a header is absent)."""
        if self.header_kind is not None and self.header_kind != self.kind:
            return f"X-Ricevuta «{self.header_kind}» diverso dal tipo in daticert.xml «{self.kind}»"
        if self.header_reference is not None and _bare(self.header_reference) != _bare(self.reference):
            return (
                f"X-Riferimento-Message-ID {self.header_reference} diverso dal msgid di daticert.xml {self.reference}"
            )
        return None

    def as_json(self) -> dict[str, Any]:
        return {
            "type": self.kind,
            "type_label": self.label,
            "reference": self.reference,
            "issued_at": self.issued_at.isoformat(),
            "zone": self.zone,
            "receipt_id": self.receipt_id,
            "recipient": self.recipient,
            "error": self.error,
            "error_detail": self.error_detail,
            "provider": self.provider,
            "transport_id": self.transport_id,
            "delivery_type": self.delivery_type,
            "signed": self.signed,
            "signature": self.signature,
            "signature_detail": self.signature_detail,
        }


ReceiptParser = Callable[[bytes], PecReceipt]


class EvidenceStore(Protocol):
    """The raw receipts, content-addressed (``infrastructure/evidence_store.py``)."""

    def keep(self, company: str, content: bytes) -> str:
        """Store ``content`` (once: the same bytes again are already there); returns its SHA-256."""
        ...


@dataclass(frozen=True)
class ReceiptRecord:
    """One row of the receipts' index: what the evidence of a receipt is and what it did."""

    company: str
    digest: str
    kind: str
    reference: str
    action_key: str | None  # None: matched no notice of the company
    receipt_id: str | None
    issued_at: datetime
    zone: str
    recipient: str | None
    error: str | None
    outcome: str | None  # the outcome recorded from it (None: evidence only)
    filename: str
    stored_at: datetime


class ReceiptIndex(Protocol):
    """The index of the receipts kept (``infrastructure/evidence_store.py``)."""

    def known(self, company: str, digest: str, receipt_id: str | None) -> bool:
        """Whether this receipt (the same bytes, or the same provider's Message-ID) is indexed already."""
        ...

    def outcomes_of(self, company: str, action_key: str) -> list[str]:
        """The outcomes recorded from the receipts of this action so far."""
        ...

    def add(self, record: ReceiptRecord) -> bool:
        """Index a receipt (False: it was there already)."""
        ...

    def of_action(self, company: str, action_key: str) -> list[ReceiptRecord]:
        """The receipts of one action, oldest first (the evidence of a notice)."""
        ...


@dataclass
class _Correlation:
    action_key: str | None = None
    reason: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class PecReceiptImporter:
    """The ``ricevute`` importer: one ``.eml`` receipt a file."""

    kind = KIND
    label = LABEL

    def __init__(
        self,
        parse: ReceiptParser,
        evidence: EvidenceStore,
        index: ReceiptIndex,
        outcomes: ChannelOutcomes,
        clock: Clock,
    ) -> None:
        self._parse = parse
        self._evidence = evidence
        self._index = index
        self._outcomes = outcomes
        self._clock = clock

    def import_file(self, company: str, filename: str, content: bytes, *, by: str) -> InboundResult:
        result = InboundResult(KIND, filename, company)
        try:
            receipt = self._parse(content)
        except ReceiptUnreadable as error:
            result.rejected.append(Rejection(filename, 1, error.part, str(error)))
            return result
        digest = hashlib.sha256(content).hexdigest()
        result.details = {"receipt": receipt.as_json(), "digest": digest, "outcome": None}
        if self._index.known(company, digest, receipt.receipt_id):
            result.duplicates = 1
            return result
        # The evidence first: whatever happens next, the receipt is kept.
        self._evidence.keep(company, content)
        found = self._correlate(company, receipt)
        outcome: StepOutcome | None = None
        if found.action_key is not None:
            outcome, reason = self._record(company, found.action_key, receipt, by=by)
            if reason is not None:
                found = _Correlation(None, reason, {"action_key": found.action_key})
        if found.action_key is None:
            result.unmatched.append(_unmatched(receipt, digest, found))
        else:
            result.accepted = 1
        record = ReceiptRecord(
            company=company,
            digest=digest,
            kind=receipt.kind,
            reference=receipt.reference,
            action_key=found.action_key,
            receipt_id=receipt.receipt_id,
            issued_at=receipt.issued_at,
            zone=receipt.zone,
            recipient=receipt.recipient,
            error=receipt.error,
            outcome=outcome.value if outcome is not None else None,
            filename=filename,
            stored_at=self._clock.now(),
        )
        self._index.add(record)
        result.details.update(action_key=found.action_key, outcome=record.outcome)
        return result

    def _correlate(self, company: str, receipt: PecReceipt) -> _Correlation:
        if receipt.signature == SIGNATURE_INVALID:
            return _Correlation(reason=f"firma della ricevuta non valida: {receipt.signature_detail}")
        disagreement = receipt.disagreement()
        if disagreement is not None:
            return _Correlation(reason=f"riferimenti discordanti: {disagreement}")
        key = action_key_from(receipt.reference)
        if key is None:
            return _Correlation(reason=f"Message-ID {receipt.reference} non di un invio di CreditBox")
        entry = self._outcomes.entry(company, key)
        if entry is None:
            return _Correlation(reason=f"nessun invio dell'azienda {company} con chiave {key}", extra={"key": key})
        if entry.channel != PEC_CHANNEL:
            return _Correlation(reason=f"l'azione {key} non è una PEC (canale {entry.channel})", extra={"key": key})
        return _Correlation(action_key=key)

    def _record(
        self, company: str, action_key: str, receipt: PecReceipt, *, by: str
    ) -> tuple[StepOutcome | None, str | None]:
        """The outcome recorded from the receipt (None: evidence only), or why it could not be."""
        outcome = OUTCOMES.get(receipt.kind)
        if outcome is None:
            return None, None
        recorded = [StepOutcome(value) for value in self._index.outcomes_of(company, action_key)]
        if any(RANK[previous] >= RANK[outcome] for previous in recorded if previous in RANK):
            return None, None  # a receipt as conclusive or more is there already
        try:
            self._outcomes.record(company, action_key, outcome, receipt.issued_at.date(), _note(receipt), by=by)
        except DomainError as error:
            return None, f"esito non registrabile: {error}"
        return outcome, None


def _note(receipt: PecReceipt) -> str:
    note = f"{receipt.label.capitalize()} del {receipt.issued_at:%d/%m/%Y %H:%M:%S} ({receipt.zone})"
    if receipt.transport_id:
        note += f", identificativo {receipt.transport_id}"
    if receipt.error:
        note += f"; errore {receipt.error}"
    if receipt.error_detail:
        note += f": {receipt.error_detail}"
    # From outside: no control or bidi character reaches the position's history, and not too long.
    cleaned = " ".join("".join(c if c.isprintable() else " " for c in note).split())
    return cleaned[:NOTE_WIDTH]


def _unmatched(receipt: PecReceipt, digest: str, found: _Correlation) -> dict[str, Any]:
    return {
        "reference": receipt.reference,
        "reason": found.reason or "ricevuta non abbinata",
        "receipt_type": receipt.kind,
        "receipt_id": receipt.receipt_id,
        "issued_at": receipt.issued_at.isoformat(),
        "recipient": receipt.recipient,
        "digest": digest,
        **found.extra,
    }


def _bare(message_id: str) -> str:
    return message_id.strip().strip("<>").strip()
