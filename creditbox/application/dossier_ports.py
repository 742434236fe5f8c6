"""The ports of the evidence dossier (``application/dossier.py``): what it reads — the position and its
history, the stored events and links, the statement, the outbox, the files the channels kept, the
PEC receipts, the offices' notes, the legal documents — and what renders it (the timeline PDF, the
archive). Implemented in ``infrastructure/`` and composed in ``bootstrap.py``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol
from uuid import UUID

from creditbox.application.history import PositionHistory
from creditbox.application.integrity import History
from creditbox.application.office_notes import OfficeNote
from creditbox.application.pec_receipts import ReceiptRecord
from creditbox.application.ports import OutboxEntry
from creditbox.application.statement import Statement, StatementFormat
from creditbox.domain.position import Position


class PositionEvents(Protocol):
    """The position as stored now, and its history (``application/positions.py``)."""

    def load(self, company: str, customer_code: str) -> Position: ...

    def history(
        self, company: str, customer_code: str, *, as_of: date | None, zone: Any, as_recorded_at: datetime | None = None
    ) -> PositionHistory: ...


class ChainRecords(Protocol):
    """One aggregate's stored events exactly as stored, and its chain links (``event_chain``)."""

    def history_of(self, originator_id: UUID) -> History: ...


class Statements(Protocol):
    def build(self, company: str, customer_code: str, as_of: date) -> Statement: ...

    def render(self, statement: Statement, fmt: StatementFormat) -> bytes: ...


class NoticeLedger(Protocol):
    """The outbox: every action handed to a channel."""

    def list(
        self, company: str, *, status: str | None = None, since: date | None = None, limit: int | None = None
    ) -> list[OutboxEntry]: ...


class SentFiles(Protocol):
    """The files a channel kept of a message it sent (letter PDFs, sent-logs, file-channel messages,
    office batch items): ``(name, bytes)`` each, empty when it kept none."""

    def files_of(self, entry: OutboxEntry) -> list[tuple[str, bytes]]: ...


class Receipts(Protocol):
    def of_action(self, company: str, action_key: str) -> list[ReceiptRecord]: ...


class Evidence(Protocol):
    def read(self, company: str, digest: str) -> bytes: ...


class OfficeRecords(Protocol):
    def list(self, company: str, kind: str | None = None, *, customer: str | None = None) -> list[OfficeNote]: ...


class LegalDocumentSource(Protocol):
    """The bytes of a document attached to a legal milestone, by its SHA-256 (wired at the merge)."""

    def read(self, company: str, sha256: str) -> bytes: ...


@dataclass(frozen=True)
class TimelineRow:
    version: int
    business_date: date
    recorded_at: datetime
    by: str
    description: str


@dataclass(frozen=True)
class Timeline:
    """What the readable PDF timeline shows (Italian)."""

    company: str
    company_name: str
    customer_code: str
    customer_name: str
    created_at: datetime
    chain_head: str
    rows: tuple[TimelineRow, ...]


class TimelineRenderer(Protocol):
    def __call__(self, timeline: Timeline) -> bytes: ...


class Packer(Protocol):
    """The archive of a dossier's files (the ZIP), its entries stamped with ``created_at``."""

    def __call__(self, contents: dict[str, bytes], created_at: datetime) -> bytes: ...
