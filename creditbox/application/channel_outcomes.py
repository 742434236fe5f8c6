"""What comes back from a channel becomes the outcome of its action (``ChannelOutcomes``).

Every inbound file of the channels (PEC receipts, SMS delivery reports, postal A/R outcomes, the
technical office's outcomes, the agency's closures) names the action it answers by its action key
(the outbox's key, which every adapter hands to its provider as the reference). This service finds
the action in the outbox, checks that it belongs to the company the file was given for, and records
the outcome on its position through the same command an operator uses — so the case moves on
exactly as if the outcome had been typed in. Recording the same outcome with the same date again
changes nothing: importing a file twice is harmless.

An action key that matches nothing (or another company's action) is *not* recorded: the caller
keeps it for the worklist of unmatched answers, never drops it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from creditbox.application.case_commands import CaseCommands
from creditbox.application.ports import OutboxEntry, OutboxStore
from creditbox.domain.workflow.outcomes import StepOutcome


@dataclass(frozen=True)
class OutcomeRecording:
    """``matched``: the action key is one of the company's actions; ``changed``: the outcome was new."""

    action_key: str
    matched: bool
    changed: bool
    entry: OutboxEntry | None = None


class ChannelOutcomes:
    def __init__(self, outbox: OutboxStore, cases: CaseCommands) -> None:
        self._outbox = outbox
        self._cases = cases

    def entry(self, company: str, action_key: str) -> OutboxEntry | None:
        """The company's action with this key (None: unknown, or another company's)."""
        entry = self._outbox.get(action_key)
        if entry is None or entry.company != company:
            return None
        return entry

    def record(
        self,
        company: str,
        action_key: str,
        outcome: StepOutcome,
        outcome_date: date,
        note: str = "",
        *,
        by: str,
    ) -> OutcomeRecording:
        """Record ``outcome`` for the action ``action_key`` of ``company``. A reactivation request
        (no step) takes ``positive`` / ``negative`` as the technical office's answer."""
        entry = self.entry(company, action_key)
        if entry is None:
            return OutcomeRecording(action_key, matched=False, changed=False)
        if entry.seq is None:
            result = self._cases.record_reactivation(
                company,
                entry.customer_code,
                entry.case_id,
                outcome == StepOutcome.POSITIVE,
                outcome_date,
                note,
                by=by,
            )
        else:
            result = self._cases.record_outcome(
                company, entry.customer_code, entry.case_id, entry.seq, outcome, outcome_date, note, by=by
            )
        return OutcomeRecording(action_key, matched=True, changed=result.changed, entry=entry)
