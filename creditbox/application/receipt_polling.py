"""Fetching PEC receipts from the PEC mailbox (*polling*): each new message is imported as a receipt
through ``InboundFiles`` (kind ``ricevute``, the same code as the command line, the API and the inbox),
then marked in the mailbox so that the next poll does not see it again.

The mailbox is behind the ``Mailbox`` port (``infrastructure/pec/mailbox.py``: IMAP over TLS). A message
is marked only after its import is recorded: a crash in between leaves it unmarked, and the next poll
imports it again, which records nothing (receipts are idempotent). A message that is no receipt (a
reply, an advertisement in the PEC mailbox) is marked as *scartato*, never deleted: it stays in the
mailbox for a person. A message whose import fails for any other reason is left unmarked for the next
poll.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from creditbox.application.inbound import InboundFiles, InboundResult
from creditbox.application.pec_receipts import KIND

POLL_USER = "pec-imap"
IMPORTED = "imported"
REJECTED = "rejected"


@dataclass(frozen=True)
class MailItem:
    """A message of the mailbox: its id there (the IMAP UID) and its bytes as received."""

    uid: str
    content: bytes


class Mailbox(Protocol):
    """A folder of the PEC mailbox, open for one poll."""

    def new_messages(self, limit: int) -> list[MailItem]:
        """Up to ``limit`` messages not marked yet, oldest first."""
        ...

    def mark(self, uid: str, outcome: str) -> None:
        """``IMPORTED`` or ``REJECTED``: the message is not new any more (flagged, or moved)."""
        ...


@dataclass
class PollResult:
    messages: int = 0
    accepted: int = 0
    duplicates: int = 0
    unmatched: int = 0
    rejected: int = 0
    errors: list[str] = field(default_factory=list)  # messages left for the next poll, and why
    results: list[InboundResult] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "messages": self.messages,
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "unmatched": self.unmatched,
            "rejected": self.rejected,
            "errors": list(self.errors),
            "results": [r.as_json() for r in self.results],
        }


class ReceiptPolling:
    def __init__(self, inbound: InboundFiles, *, by: str = POLL_USER, batch: int = 200) -> None:
        self._inbound = inbound
        self._by = by
        self._batch = batch

    def poll(
        self, company: str, mailbox: Mailbox, *, on_message: Callable[[InboundResult], None] | None = None
    ) -> PollResult:
        """Import the new messages of ``mailbox`` as ``company``'s receipts, batch after batch."""
        outcome = PollResult()
        failed: set[str] = set()  # left unmarked: not asked for again in this poll
        while True:
            items = [item for item in mailbox.new_messages(self._batch + len(failed)) if item.uid not in failed]
            if not items:
                return outcome
            for item in items:
                outcome.messages += 1
                try:
                    result = self._inbound.import_file(KIND, company, f"imap-{item.uid}.eml", item.content, by=self._by)
                except Exception as error:  # left unmarked: tried again at the next poll
                    failed.add(item.uid)
                    outcome.errors.append(f"{item.uid}: {type(error).__name__}: {error}")
                    continue
                readable = result.accepted or result.duplicates or result.unmatched or not result.rejected
                mailbox.mark(item.uid, IMPORTED if readable else REJECTED)
                outcome.accepted += result.accepted
                outcome.duplicates += result.duplicates
                outcome.unmatched += len(result.unmatched)
                outcome.rejected += 0 if readable else 1
                outcome.results.append(result)
                if on_message is not None:
                    on_message(result)
