"""The ports of the application: every outside thing a use case depends on, as a Protocol, and the
values that cross them.

Implemented in ``creditbox.infrastructure`` (the event store, the bulk loaders, the background writer,
the Excel parser and report, the inbox folder, the recording dispatcher) or by another use case
(``ImportProfiles``, ``ActionsTables``); wired by the composition root (``creditbox.bootstrap``).

- The event store: ``EventStore``, ``EventHistory`` (one aggregate's events, for replays and the
  history), ``PositionStore`` (both), ``BulkLoader``, ``BatchSaver`` / ``BatchSavers``.
- Imports: ``WorkbookParser``, ``ParserFactory``, ``ImportProgress``.
- The inbox: ``InboxFolder`` (with ``InboxEntry``, ``InboxUnavailable``), ``ProfileSource``,
  ``ReportRenderer``.
- Dunning: ``TableSource``, ``Dispatcher`` (with ``ActionToDispatch``).
- Durable timers and work: ``DueIndex`` (with ``DueWork``, ``Rescheduled``), ``WorkQueue``.
- The outbox and the channels: ``OutboxStore`` (with ``OutboxEntry``), ``Channel`` (with
  ``ChannelMessage``, ``Receipt``, ``ChannelError``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol, runtime_checkable
from uuid import UUID

from creditbox.application.import_results import ImportResult
from creditbox.application.notices import Letterhead, Notice
from creditbox.application.records import ParsedWorkbook
from creditbox.domain.codes import ActionCode
from creditbox.domain.import_profile import ProfileVersion
from creditbox.domain.workflow.ladder import TableVersion

# ---- the event store ---------------------------------------------------------------------------


class EventStore(Protocol):
    """Loads aggregates and saves them together, atomically."""

    def get_or_none(self, aggregate_id: UUID) -> Any | None: ...

    def exists(self, aggregate_id: UUID) -> bool: ...

    def save(self, *objs: Any) -> Any: ...

    def originators_of(self, topic: str) -> list[UUID]:
        """Ids of the aggregates that recorded an event of this topic, in log order."""
        ...


class EventLog(Protocol):
    """The notification log as a tally: where it ends, and the events recorded after a point of it,
    whoever recorded them (what a simulated day recorded, the workers' runs included)."""

    def last_notification_id(self) -> int: ...

    def events_after(self, notification_id: int) -> tuple[list[tuple[str, UUID]], int]:
        """The events recorded after ``notification_id``, in log order, each as its name (the last
        part of its topic) and its aggregate's id; and the id of the last of them
        (``notification_id`` when there is none)."""
        ...


class EventHistory(Protocol):
    """One aggregate's stored events (as-of replays, a position's history)."""

    def events_of(self, aggregate_id: UUID) -> list[Any]:
        """Every stored event of the aggregate, in order."""
        ...


class PositionStore(EventStore, EventHistory, Protocol):
    """The event store with each aggregate's events (for as-of replays)."""


class BulkLoader(Protocol):
    """Loads many aggregates in few round trips (the import loads thousands at once)."""

    def load_many(self, aggregate_ids: Iterable[UUID]) -> dict[UUID, Any]: ...


class BatchSaver(Protocol):
    """Saves batch after batch of aggregates, each batch atomically and in the order given.
    Used as a context manager: leaving it without error means every batch is committed."""

    def save(self, *aggregates: Any) -> None: ...


# Given how many records a run will apply, a context manager that saves its batches: the
# event store itself for small runs, a background writer for big ones (composition root).
BatchSavers = Callable[[int], AbstractContextManager[BatchSaver]]


# ---- imports -----------------------------------------------------------------------------------


class WorkbookParser(Protocol):
    """Turns the bytes of a file into records and rejections (raises ``UnreadableFile``)."""

    @property
    def profile(self) -> str: ...

    @property
    def profile_version(self) -> int | None:
        """The profile's version; None for the built-in default layout."""
        ...

    def parse(self, content: bytes, file_name: str, on_read: ReadProgress | None = None) -> ParsedWorkbook:
        """``on_read(done, total)`` is called as the file is read: bytes of a CSV file, rows of a
        workbook's sheets."""
        ...


# How far the reading of a file has got: (done, total), in bytes (CSV) or rows (workbooks).
ReadProgress = Callable[[int, int], None]

# The parser that reads a file through a version of a company's import profile.
ParserFactory = Callable[[ProfileVersion], WorkbookParser]


class ImportProgress(Protocol):
    """Progress of the file being read, then of the rows being applied (the CLI shows a bar; the
    API ignores it)."""

    def reading(self, done: int, total: int) -> None: ...

    def start(self, total: int) -> None: ...

    def advance(self, rows: int) -> None: ...


# ---- the inbox ---------------------------------------------------------------------------------


class InboxUnavailable(Exception):
    """The inbox root cannot be used (missing, not a folder)."""


@dataclass(frozen=True)
class InboxEntry:
    """A file found in a company folder (temporary and hidden names are never listed)."""

    folder: str  # the folder as on disk, relative to the root: "ACQ", or "ACQ/nord" for a profile's
    name: str
    size: int
    modified: float  # seconds since the epoch, as the file system keeps it
    # Unchanged for the folder's minimum age: not being written any more.
    settled: bool
    # A symbolic link (to a file or a folder): never read nor followed, filed in ``failed/``.
    link: bool = False


class InboxFolder(Protocol):
    """The inbox on a file system: company folders, their files, and where files are filed away
    (``infrastructure/inbox_folder.py``)."""

    @property
    def root(self) -> str: ...

    def exclusive(self) -> AbstractContextManager[bool]:
        """Held for a pass: False when another process is running a pass on the same root.
        Raises ``InboxUnavailable`` when the root cannot be used."""
        ...

    def company_folders(self) -> list[str]:
        """The real folders directly in the root (never symbolic links), sorted."""
        ...

    def links(self) -> list[str]:
        """The symbolic links directly in the root: reported, never entered."""
        ...

    def subfolders(self, folder: str) -> list[str]:
        """The names of the real folders directly in ``folder`` (hidden ones and links never listed), sorted."""
        ...

    def entries(self, folder: str) -> list[InboxEntry]:
        """The files directly in ``folder`` ("ACQ" or "ACQ/nord"), oldest first; symbolic links
        (to anything) are listed with ``link`` set."""
        ...

    def read(self, entry: InboxEntry) -> bytes | None:
        """The file's bytes, or None when it changed since it was listed (still being written).
        Never follows a link: raises ``OSError`` for a link or anything but a regular file."""
        ...

    def file_away(self, entry: InboxEntry, outcome: str, reports: Mapping[str, bytes], at: datetime) -> list[str]:
        """Move the file to ``<folder>/<outcome>/`` under a name not taken there yet, with each
        report written beside it as ``<name without extension><suffix>``; returns the paths
        (relative to the root) of the file and of its reports. Nothing is left behind on error."""
        ...


class ProfileSource(Protocol):
    """The companies' import profiles (``ImportProfiles``)."""

    def current(self, company: str, name: str) -> ProfileVersion:
        """The current version of ``company``'s profile ``name`` (``NotFound``, naming the profiles
        there are, when the company has no such profile)."""
        ...


class ReportRenderer(Protocol):
    """The Excel report of an import (``infrastructure/excel/import_report.py``)."""

    def imported(self, result: ImportResult, processed_at: datetime) -> bytes: ...

    def refused(
        self, company: str, file_name: str, reason: str, processed_at: datetime, profile: str | None = None
    ) -> bytes:
        """``profile``: how the layout read is named (``nord (versione 3)``), None when unknown."""
        ...


# ---- dunning -----------------------------------------------------------------------------------


class TableSource(Protocol):
    """The company's current actions-table version (``ActionsTables`` satisfies it)."""

    def current(self, company: str) -> TableVersion: ...


@dataclass(frozen=True)
class ActionToDispatch:
    """An action to carry out through a channel or an outside office. ``action_id`` is its
    idempotency key (``COMPANY/customer/case/seq``)."""

    action_id: str
    company: str
    customer_code: str
    supply_code: str
    case_id: str
    seq: int | None  # None: a reactivation request
    action_code: ActionCode
    description: str
    recipient: str | None
    parameters: dict[str, str]
    overdue: Decimal
    business_date: date

    @property
    def is_reactivation(self) -> bool:
        return self.seq is None


class Dispatcher(Protocol):
    """Hands actions to the channels (the workers issue); must be idempotent by ``action_id``."""

    def dispatch(self, actions: Sequence[ActionToDispatch]) -> None: ...


# ---- durable timers and work -------------------------------------------------------------------


@dataclass(frozen=True)
class DueWork:
    """A position to run the dunning workflow for, on a business date (what actors carry: ids and
    the business date only)."""

    company: str
    position_id: UUID
    business_date: date


@dataclass(frozen=True)
class Rescheduled:
    """A position's next wake-up after it ran for ``business_date``, computed from its ``version``."""

    position_id: UUID
    version: int
    wake_on: date | None
    business_date: date


class DueIndex(Protocol):
    """The durable timers: one row per position with the date the engine next needs it
    (``infrastructure/due_index_store.py``). Two claimers at once never get the same row."""

    def claim(
        self, business_date: date, limit: int, lease_seconds: float, claimer: str, *, company: str | None = None
    ) -> list[DueWork]:
        """Lease up to ``limit`` positions due by ``business_date`` (not leased by anyone now),
        earliest wake-up first; for ``company`` only when given."""
        ...

    def release(self, position_ids: Sequence[UUID]) -> None:
        """Give leased positions back, still due (a run that failed)."""
        ...

    def done(self, results: Sequence[Rescheduled]) -> None:
        """Positions that ran: their next wake-up (unless the index already holds a newer version of
        the position) and the business date they ran for; their leases end."""
        ...


class WorkQueue(Protocol):
    """Hands work to the workers (Dramatiq) or runs it inline."""

    def run_positions(self, work: Sequence[DueWork]) -> None: ...

    def send_actions(self, action_keys: Sequence[str]) -> None: ...


# ---- the outbox and the channels ---------------------------------------------------------------

# The statuses of an outbox entry: handed to the channel once, never twice.
PENDING = "pending"  # waiting for its (next) attempt
SENDING = "sending"  # claimed: the channel is being called
SENT = "sent"  # the channel has it
FAILED = "failed"  # every attempt failed: recorded on the position, on the *invii falliti* worklist
UNCERTAIN = "uncertain"  # left ``sending`` (a crash) and the channel does not know it: a person decides
# Recorded before the outbox existed (sent by the system of the time) and marked so by a person at the
# upgrade (``creditbox outbox mark-sent``): never handed to a channel.
MARKED_SENT = "marked_sent"
# A step's notice not sent because its case closed as paid before the channel was called:
# no reminder, letter or suspension for a debt that is no longer there. Reactivations are always sent.
WITHDRAWN = "withdrawn"
OUTBOX_STATUSES = (PENDING, SENDING, SENT, FAILED, UNCERTAIN, MARKED_SENT, WITHDRAWN)


class SendWithdrawn(Exception):
    """The action of an outbox entry is no longer to be carried out (its case has closed): the entry
    is withdrawn, nothing is handed to the channel."""


@dataclass(frozen=True)
class HistoryCutoff:
    """Which outbox entries are history: those of an action whose business date is before ``before``
    and/or whose event was recorded before ``recorded_before`` (both, when both are given)."""

    before: date | None = None
    recorded_before: datetime | None = None

    def __post_init__(self) -> None:
        if self.before is None and self.recorded_before is None:
            raise ValueError("indicare una data contabile o un istante di registrazione")


@dataclass(frozen=True)
class OutboxEntry:
    """One action to hand to a channel, with where it stands."""

    action_key: str
    company: str
    position_id: UUID
    customer_code: str
    case_id: str
    seq: int | None  # None: a reactivation request
    action_code: ActionCode
    channel: str
    recipient: str | None
    business_date: date
    payload: Mapping[str, Any]
    status: str
    attempts: int
    last_error: str | None
    next_attempt_at: datetime
    created_at: datetime
    updated_at: datetime


class OutboxStore(Protocol):
    """The outbox table (``infrastructure/outbox_store.py``). Every change of status is a
    compare-and-set: it happens only when the entry is still in the status expected, and says so."""

    def get(self, action_key: str) -> OutboxEntry | None: ...

    def take_due(self, now: datetime, hold_until: datetime, *, limit: int) -> list[str]:
        """The keys of pending entries whose next attempt is due at ``now``, oldest first, each held
        until ``hold_until`` (not handed out again meanwhile)."""
        ...

    def claim(self, action_key: str, now: datetime) -> OutboxEntry | None:
        """pending → sending, one more attempt; None when the entry is not pending (any more)."""
        ...

    def mark_sent(self, action_key: str, now: datetime) -> bool:
        """sending → sent."""
        ...

    def claim_many(self, action_keys: Sequence[str], now: datetime) -> list[OutboxEntry]:
        """pending → sending for each of ``action_keys`` still pending, in one transaction; returns
        the entries claimed (those not pending any more are left out)."""
        ...

    def mark_sent_many(self, action_keys: Sequence[str], now: datetime) -> int:
        """sending → sent for each of ``action_keys``, in one transaction; returns how many moved."""
        ...

    def retry_later(self, action_key: str, error: str, next_attempt_at: datetime, now: datetime) -> bool:
        """sending → pending, with the error and when to try again."""
        ...

    def mark_failed(self, action_key: str, error: str, now: datetime) -> bool:
        """sending → failed."""
        ...

    def mark_withdrawn(self, action_key: str, reason: str, now: datetime) -> bool:
        """sending → withdrawn, with why."""
        ...

    def stale_sending(self, before: datetime, *, limit: int) -> list[OutboxEntry]:
        """Entries left ``sending`` since before ``before`` (their worker died or hangs)."""
        ...

    def resolve_stale(self, action_key: str, status: str, note: str | None, now: datetime) -> bool:
        """sending → ``status`` (sent or uncertain) after asking the channel."""
        ...

    def pending_history(self, company: str, cutoff: HistoryCutoff, *, limit: int | None = None) -> list[OutboxEntry]:
        """The pending entries of ``company`` within ``cutoff``, oldest first."""
        ...

    def count_pending_history(self, company: str, cutoff: HistoryCutoff) -> int: ...

    def mark_history_sent(self, company: str, cutoff: HistoryCutoff, note: str, now: datetime) -> int:
        """pending → marked_sent for every entry of ``company`` within ``cutoff``, with ``note`` (who
        and why), in one transaction; returns how many moved."""
        ...

    def list(
        self, company: str, *, status: str | None = None, since: date | None = None, limit: int | None = None
    ) -> list[OutboxEntry]: ...


@dataclass(frozen=True)
class ChannelMessage:
    """What a channel needs to carry out one action: the action key (its idempotency reference with
    the provider), the company, the channel, the recipient and the Italian text."""

    action_key: str
    company: str
    channel: str
    recipient: str | None
    subject: str
    text: str
    # The structured content (``application/notices.py``): the letters, lists and batches draw
    # from it; None for a message that has only its text.
    notice: Notice | None = None
    letterhead: Letterhead | None = None
    html: str | None = None  # e-mail and PEC: the HTML alternative of ``text``


@dataclass(frozen=True)
class Receipt:
    """The channel's answer to a message handed over: its reference, and whether it already had it."""

    reference: str
    duplicate: bool = False


CHANNEL_SENT = "sent"
CHANNEL_UNKNOWN = "unknown"


class ChannelError(Exception):
    """The channel could not take the message now (retried with back-off)."""


@dataclass(frozen=True)
class AdapterSpec:
    """How one company's channel is served, as its channel configuration says: the adapter's name
    (``file``, ``sms-http``, ``smtp``, ``pec``, ``posta``, ``ufficio-tecnico``, ``agenzia``, ...), its
    options (plain values: hosts, ports, sender identities, folders) and its secrets, read through
    ``secret(name)`` from the environment or a file at the moment they are needed — never stored in
    events, never logged."""

    company: str
    channel: str
    adapter: str
    options: Mapping[str, Any]
    secret: Callable[[str], str]


class Channel(Protocol):
    """Where the messages go (``infrastructure/channels/``): a file per message by default; SMS,
    e-mail, PEC and letters providers in issue 12. ``send`` is idempotent by ``action_key``."""

    def send(self, message: ChannelMessage) -> Receipt: ...

    def status(self, action_key: str) -> str:
        """``sent`` (:data:`CHANNEL_SENT`) when the channel has the message, ``unknown``
        (:data:`CHANNEL_UNKNOWN`) otherwise."""
        ...


class DocumentStore(Protocol):
    """Bytes kept content-addressed by company and SHA-256: written once (through a temporary file,
    synced, then linked into place), read back unchanged."""

    def keep(self, company: str, content: bytes) -> str:
        """Store ``content`` (once) and return its SHA-256 (lowercase hex)."""
        ...

    def read(self, company: str, digest: str) -> bytes:
        """The bytes stored under ``digest``; ``FileNotFoundError`` when none are."""
        ...


@runtime_checkable
class BatchChannel(Protocol):
    """A channel that can also take a chunk of messages at once (the file channel: one sync of each
    folder for the chunk, not one per message). ``send_many`` answers each message in order, with
    its receipt or the exception that message's ``send`` would have raised; when it returns, every
    message it answered with a receipt is as safely taken as after ``send``."""

    def send_many(self, messages: Sequence[ChannelMessage]) -> list[Receipt | Exception]: ...
