"""The daily batches of the outside offices (the technical office's list, the agency's assignments).

The adapter of each office (``infrastructure/channels/office_batches.py``) puts every action it is
handed into the *open* batch of its company, channel, business date and office (the agency, or the
technical office of a service), one file per action key — so sending the same action twice adds
nothing. Closing a day's batch (:class:`BatchCloser`) takes the actions of that day not yet in a
closed batch, reads what the list must say about each from the outbox and the position
(:class:`BatchFacts`), renders the office's files and keeps them as a closed batch whose id is
derived from the company, the kind, the date, the office and the sorted action keys. Closing again
adds nothing and gives back the same files, byte for byte; an action that arrives after a close goes
in a second batch of the same day, never in two.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Protocol

from creditbox.application.notices import Notice, NoticeBill
from creditbox.application.ports import OutboxEntry, OutboxStore, PositionStore
from creditbox.application.positions import PositionReader
from creditbox.domain.documents import CustomerDetails, SupplyDetails
from creditbox.domain.errors import NotFound
from creditbox.domain.position import Position
from creditbox.domain.workflow.cases import DunningCase

TECHNICAL_CHANNEL = "ufficio_tecnico"
AGENCY_CHANNEL = "agenzia"


@dataclass(frozen=True)
class BatchItem:
    """One action in an open batch: its key, where it belongs and the notice it was sent with."""

    action_key: str
    company: str
    channel: str
    business_date: date
    office: str  # the agency's code, or the technical office's
    office_name: str = ""
    notice: Notice | None = None


@dataclass(frozen=True)
class BatchFile:
    name: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass(frozen=True)
class ClosedBatch:
    """A batch as it was closed: its id, its actions and its files (kept, never rewritten)."""

    batch_id: str
    company: str
    channel: str
    business_date: date
    office: str
    action_keys: tuple[str, ...]
    files: tuple[BatchFile, ...]
    new: bool = False  # closed by this call (False: closed before, given back as it was)


class BatchFolder(Protocol):
    """Where the open and closed batches are kept (``infrastructure/channels/office_batches.py``)."""

    def open_items(self, company: str, channel: str, business_date: date) -> list[BatchItem]:
        """The actions put in the open batches of that day (every office), by office then key."""
        ...

    def closed_batches(self, company: str, channel: str, business_date: date) -> list[ClosedBatch]:
        """The batches of that day closed so far, by office then id."""
        ...

    def keep(self, batch: ClosedBatch) -> ClosedBatch:
        """Keep a closed batch, atomically (a batch already kept under its id is given back as it is)."""
        ...


def batch_id(prefix: str, company: str, business_date: date, office: str, action_keys: Sequence[str]) -> str:
    """Deterministic: the same company, kind, date, office and actions give the same id."""
    digest = hashlib.sha256()
    for part in (prefix, company, business_date.isoformat(), office, *sorted(action_keys)):
        digest.update(part.encode("utf-8") + b"\x00")
    safe_office = "".join(ch if ch.isalnum() else "-" for ch in office)
    return f"{prefix}-{company}-{safe_office}-{business_date:%Y%m%d}-{digest.hexdigest()[:12]}"


# ---- what the lists say about an action ---------------------------------------------------------


@dataclass(frozen=True)
class ActionFacts:
    """An action of a batch with what the position says about it (None when unknown)."""

    item: BatchItem
    entry: OutboxEntry | None
    customer: CustomerDetails | None
    supply: SupplyDetails | None
    case: DunningCase | None
    bills: tuple[NoticeBill, ...] = ()
    total: Decimal = Decimal("0.00")
    position: Position | None = field(default=None, repr=False)

    @property
    def customer_code(self) -> str:
        if self.entry is not None:
            return self.entry.customer_code
        return self.item.notice.customer_code if self.item.notice is not None else ""

    @property
    def customer_name(self) -> str:
        if self.customer is not None:
            return self.customer.name
        return self.item.notice.customer_name if self.item.notice is not None else ""

    @property
    def supply_code(self) -> str:
        if self.entry is not None:
            return str(self.entry.payload.get("supply_code") or "")
        notice = self.item.notice
        return notice.supplies[0].code if notice is not None and notice.supplies else ""

    @property
    def parameters(self) -> Mapping[str, str]:
        if self.entry is not None:
            return dict(self.entry.payload.get("parameters") or {})
        return dict(self.item.notice.parameters) if self.item.notice is not None else {}

    @property
    def overdue(self) -> Decimal:
        if self.entry is not None and self.entry.payload.get("overdue") is not None:
            return Decimal(str(self.entry.payload["overdue"]))
        return self.total

    @property
    def case_id(self) -> str:
        if self.entry is not None:
            return self.entry.case_id
        return self.item.notice.case_id if self.item.notice is not None else ""


class BatchFacts:
    """Reads, for each action of a batch, its outbox entry and its position."""

    def __init__(self, outbox: OutboxStore, store: PositionStore) -> None:
        self._outbox = outbox
        self._positions = PositionReader(store)

    def of(self, item: BatchItem) -> ActionFacts:
        entry = self._outbox.get(item.action_key)
        if entry is not None and entry.company != item.company:
            entry = None
        if entry is None:
            return ActionFacts(item, None, None, None, None, *_notice_bills(item.notice))
        try:
            position = self._positions.load(entry.company, entry.customer_code)
        except NotFound:
            return ActionFacts(item, entry, None, None, None, *_notice_bills(item.notice))
        supply_code = str(entry.payload.get("supply_code") or "")
        supply = position.supplies.get(supply_code)
        case = position.dunning.cases.get(entry.case_id)
        if item.notice is not None and item.notice.bills:
            bills, total = _notice_bills(item.notice)
        else:
            bills, total = _open_bills(position, supply_code, item.business_date)
        return ActionFacts(item, entry, position.details, supply, case, bills, total, position)


def _notice_bills(notice: Notice | None) -> tuple[tuple[NoticeBill, ...], Decimal]:
    if notice is None:
        return (), Decimal("0.00")
    return notice.bills, notice.total


def _open_bills(position: Position, supply_code: str, as_of: date) -> tuple[tuple[NoticeBill, ...], Decimal]:
    """The supply's unpaid bills due by ``as_of``, with what is still owed of each."""
    items = [i for i in position.open_items(as_of, supply_code or None) if i.due_date <= as_of]
    bills = tuple(
        NoticeBill(i.bill_number, i.issue_date, i.due_date, i.amount, i.residual, i.supply_code) for i in items
    )
    return bills, sum((b.residual for b in bills), Decimal("0.00"))


# ---- closing --------------------------------------------------------------------------------------

# Told how many actions of the batches being closed were read, and how many there are.
Progress = Callable[[int, int], None]

# Renders the files of one office's batch: (batch id, business date, the facts of its actions) → files.
BatchRenderer = Callable[[str, date, Sequence[ActionFacts]], tuple[BatchFile, ...]]


class BatchCloser:
    """Closes a day's open batches of one channel, one batch per office."""

    def __init__(
        self, folder: BatchFolder, facts: BatchFacts, channel: str, prefix: str, render: BatchRenderer
    ) -> None:
        self._folder = folder
        self._facts = facts
        self._channel = channel
        self._prefix = prefix
        self._render = render

    def close(self, company: str, business_date: date, on_progress: Progress | None = None) -> list[ClosedBatch]:
        """Close what is open on ``business_date`` and not yet in a closed batch; returns every batch
        of that day (the ones closed before as they were, the new ones marked ``new``).
        ``on_progress``: actions read so far, and how many there are."""
        closed = self._folder.closed_batches(company, self._channel, business_date)
        taken = {key for batch in closed for key in batch.action_keys}
        waiting: dict[str, list[BatchItem]] = {}
        for item in self._folder.open_items(company, self._channel, business_date):
            if item.action_key not in taken:
                waiting.setdefault(item.office, []).append(item)
        batches = list(closed)
        total, done = sum(len(items) for items in waiting.values()), 0
        for office in sorted(waiting):
            items = sorted(waiting[office], key=lambda i: i.action_key)
            keys = tuple(i.action_key for i in items)
            identifier = batch_id(self._prefix, company, business_date, office, keys)
            facts = []
            for item in items:
                facts.append(self._facts.of(item))
                done += 1
                if on_progress is not None:
                    on_progress(done, total)
            files = self._render(identifier, business_date, facts)
            batch = ClosedBatch(identifier, company, self._channel, business_date, office, keys, files, new=True)
            kept = self._folder.keep(batch)
            batches.append(batch if kept.files == batch.files else kept)
        return batches
