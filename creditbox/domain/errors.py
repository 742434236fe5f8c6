"""Domain errors. Each maps to one kind of answer at the edges (CLI message, HTTP status).

The edges decide by the error's *type* and its ``field``, never by the wording of its message:
the messages are Italian text for people and may be reworded freely.
"""

from __future__ import annotations

from enum import Enum


class Field(Enum):
    """The datum of a command a refusal is about, in the domain's words. An edge translates it
    into its own vocabulary (a spreadsheet column, a JSON field)."""

    AMOUNT = "amount"
    DUE_DATE = "due_date"
    ISSUE_DATE = "issue_date"
    PAYMENT_DATE = "payment_date"
    OUTCOME_DATE = "outcome_date"
    BUSINESS_DATE = "business_date"
    LOCK_START = "start"
    LOCK_UNTIL = "until"
    LIFTED_ON = "lifted_on"
    SUPPLY = "supply"
    BILL = "bill"
    OCCURRED_ON = "occurred_on"  # the date of a legal milestone
    NEXT_DEADLINE = "next_deadline"
    ATTACHMENTS = "attachments"  # the documents attached to a legal milestone


class DomainError(Exception):
    """A command was refused by a business rule. ``field``, when given, names the datum the
    refusal is about (e.g. the amount of a bill)."""

    def __init__(self, message: str, *, field: Field | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFound(DomainError):
    """The thing addressed does not exist (unknown company, customer, supply, bill, case)."""


class Conflict(DomainError):
    """The same key was sent again with different content, or state changed under us."""


class InvalidCommand(DomainError):
    """The command's data break an invariant (e.g. due date before issue date)."""


class NotAllowed(DomainError):
    """The command is valid but not allowed now (locked, wrong state, level too low)."""


class LevelTooLow(NotAllowed):
    """The supervisor's authorisation level is below what the command needs: the level a step or
    the hand-over to litigation requires, or the write-off ceiling of the level."""
