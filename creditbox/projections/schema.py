"""The read-model tables (SQLAlchemy Core). Alembic migrations in ``alembic/versions/`` own the schema;
this metadata is what the projections and queries use, and what ``alembic/env.py`` compares against.

Money is stored as integer cents (:class:`Cents`), so sums are exact on SQLite and PostgreSQL alike.
Every read-model table is prefixed ``rm_``; ``projection_tracking`` holds each projection's position.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
)
from sqlalchemy.types import TypeDecorator

from creditbox.domain.money import CENT

metadata = MetaData()


class Cents(TypeDecorator[Decimal]):
    """Euro ``Decimal`` in the program, integer cents in the database."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        return int((Decimal(value) / CENT).to_integral_exact())

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(int(value)) * CENT).quantize(CENT)


projection_tracking = Table(
    "projection_tracking",
    metadata,
    Column("name", String(64), primary_key=True),
    # The last notification id whose effects are committed in this projection's tables.
    Column("notification_id", BigInteger, nullable=False),
    # The valuation date of date-relative columns (positions.overdue), when the projection has one.
    Column("as_of", Date, nullable=True),
)

ID = String(36)  # aggregate ids (uuid text)

# Events a projection could not apply (and the later events of the same aggregate, held behind them):
# the projection's tracking moves past them, they wait here until ``creditbox projections retry``.
quarantine = Table(
    "projection_quarantine",
    metadata,
    Column("projection", String(64), primary_key=True),
    Column("notification_id", BigInteger, primary_key=True, autoincrement=False),
    Column("originator_id", ID, nullable=False),
    Column("originator_version", Integer, nullable=False),
    Column("company", String(32), nullable=True),
    Column("customer_code", String(64), nullable=True),
    Column("event", String(64), nullable=False),
    # The notification this one waits behind (same aggregate); NULL: this event itself failed.
    Column("held_behind", BigInteger, nullable=True),
    Column("error", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("quarantined_at", DateTime(timezone=True), nullable=False),
    Index("ix_projection_quarantine_originator", "projection", "originator_id", "notification_id"),
)

positions = Table(
    "rm_positions",
    metadata,
    Column("position_id", ID, primary_key=True),
    Column("company", String(32), nullable=False),
    Column("customer_code", String(64), nullable=False),
    Column("name", String(255), nullable=False),
    Column("customer_type", SmallInteger, nullable=False),
    # Bit (1 << service code) set for each service the customer has a supply of.
    Column("services_mask", SmallInteger, nullable=False),
    Column("supplies", SmallInteger, nullable=False),
    Column("balance", Cents, nullable=False),
    Column("open_amount", Cents, nullable=False),
    Column("credit", Cents, nullable=False),
    Column("overdue", Cents, nullable=False),
    Column("oldest_due_date", Date, nullable=True),
    Column("next_due_date", Date, nullable=True),
    Column("open_items", Integer, nullable=False),
    Column("open_cases", SmallInteger, nullable=False),
    Column("current_action", SmallInteger, nullable=True),
    Column("current_step", Integer, nullable=True),
    Column("has_email", Boolean, nullable=False),
    Column("has_pec", Boolean, nullable=False),
    Column("has_mobile", Boolean, nullable=False),
    # The customer's contacts (*anagrafica*), as the billing system last sent them.
    Column("fiscal_code", Text, nullable=True),
    Column("vat_number", Text, nullable=True),
    Column("email", Text, nullable=True),
    Column("pec", Text, nullable=True),
    Column("mobile", Text, nullable=True),
    Column("address", Text, nullable=True),
    Column("postcode", Text, nullable=True),
    Column("city", Text, nullable=True),
    Column("province", Text, nullable=True),
    # Unpaid on bills out of collection: written off or settled (*stralciato*), lost in litigation.
    Column("written_off", Cents, nullable=False, server_default="0"),
    Column("litigation_loss", Cents, nullable=False, server_default="0"),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ux_rm_positions_company_customer", "company", "customer_code", unique=True),
    Index("ix_rm_positions_company_overdue", "company", "overdue", "position_id"),
    Index("ix_rm_positions_company_oldest", "company", "oldest_due_date", "position_id"),
    Index("ix_rm_positions_company_action", "company", "current_action", "overdue", "position_id"),
    Index("ix_rm_positions_next_due", "next_due_date"),
)

# One row per supply of a position (kept by the ``positions`` projection with its rm_positions row).
supplies = Table(
    "rm_supplies",
    metadata,
    Column("position_id", ID, primary_key=True),
    Column("supply_code", String(64), primary_key=True),
    Column("company", String(32), nullable=False),
    Column("customer_code", String(64), nullable=False),
    Column("service", SmallInteger, nullable=False),
    Column("supply_type", SmallInteger, nullable=False),
    Column("status", SmallInteger, nullable=False),
    Column("meter", Text, nullable=True),
    Column("address", Text, nullable=True),
)

open_items = Table(
    "rm_open_items",
    metadata,
    Column("position_id", ID, primary_key=True),
    Column("bill_number", String(64), primary_key=True),
    Column("company", String(32), nullable=False),
    Column("customer_code", String(64), nullable=False),
    Column("supply_code", String(64), nullable=False),
    Column("customer_type", SmallInteger, nullable=False),
    Column("service", SmallInteger, nullable=True),
    Column("issue_date", Date, nullable=False),
    Column("due_date", Date, nullable=False),
    Column("amount", Cents, nullable=False),
    Column("residual", Cents, nullable=False),
    # due date + 2 years: the biennial limitation (*prescrizione biennale*) of utility bills.
    Column("prescription_date", Date, nullable=False),
    # NULL: in collection. Else why the bill left it (``Loss``): "written_off" (*stralciato*: write-off
    # or settlement) or "litigation" (*perdita da contenzioso*). Such rows are out of every bucket.
    Column("loss", String(16), nullable=True),
    Index("ix_rm_open_items_company_due", "company", "due_date"),
    Index("ix_rm_open_items_company_customer", "company", "customer_code", "due_date"),
    Index("ix_rm_open_items_company_prescription", "company", "prescription_date"),
)

cases = Table(
    "rm_cases",
    metadata,
    Column("case_id", String(64), primary_key=True),
    Column("position_id", ID, nullable=False),
    Column("company", String(32), nullable=False),
    Column("customer_code", String(64), nullable=False),
    Column("customer_name", String(255), nullable=False),
    Column("customer_type", SmallInteger, nullable=False),
    Column("supply_code", String(64), nullable=False),
    Column("service", SmallInteger, nullable=True),
    Column("ladder", String(255), nullable=True),
    Column("step", Integer, nullable=True),
    Column("action", SmallInteger, nullable=True),
    Column("status", String(32), nullable=False),
    Column("opened_on", Date, nullable=True),
    Column("closed_on", Date, nullable=True),
    Column("next_due_date", Date, nullable=True),
    Column("amount", Cents, nullable=False),
    Column("is_open", Boolean, nullable=False),
    # What the open case waits for, locks apart (``creditbox.domain.workflow.waiting``; NULL: only a
    # date, or closed), and the locks covering its supply as JSON ``[[start, until, lifted_on, label]]``:
    # the query tells which are active on the date asked (``waiting_on``), so nothing goes stale.
    Column("waiting_code", String(32), nullable=True),
    Column("waiting_for", Text, nullable=True),
    Column("locks", Text, nullable=True),
    Index("ix_rm_cases_position", "position_id"),
    Index("ix_rm_cases_company_customer", "company", "customer_code"),
    Index("ix_rm_cases_company_open", "company", "is_open", "next_due_date", "case_id"),
)

worklist = Table(
    "rm_worklist",
    metadata,
    Column("position_id", ID, primary_key=True),
    Column("kind", String(32), primary_key=True),
    Column("item_key", String(128), primary_key=True),
    Column("company", String(32), nullable=False),
    Column("customer_code", String(64), nullable=False),
    Column("customer_name", String(255), nullable=False),
    Column("customer_type", SmallInteger, nullable=False),
    Column("supply_code", String(64), nullable=True),
    Column("service", SmallInteger, nullable=True),
    Column("case_id", String(64), nullable=True),
    Column("ladder", String(255), nullable=True),
    Column("step", Integer, nullable=True),
    Column("action", SmallInteger, nullable=True),
    Column("amount", Cents, nullable=False),
    Column("level", SmallInteger, nullable=True),
    Column("since", Date, nullable=True),
    Column("detail", Text, nullable=False),
    # The *contenzioso* items: where the proceedings stand (the last milestone, its kind and date, the
    # court and docket) and the next deadline (migration 0018); empty on the other worklists.
    Column("legal_milestone", String(32), nullable=True),
    Column("legal_milestone_on", Date, nullable=True),
    Column("court", String(255), nullable=True),
    Column("docket", String(64), nullable=True),
    Column("next_deadline", Date, nullable=True),
    Index("ix_rm_worklist_company_kind", "company", "kind", "amount", "position_id", "item_key"),
    # The console's "by age" order (migration 0017).
    Index("ix_rm_worklist_company_kind_since", "company", "kind", "since", "position_id", "item_key"),
    # The *contenzioso* by next deadline (migration 0018).
    Index("ix_rm_worklist_company_kind_deadline", "company", "kind", "next_deadline", "position_id", "item_key"),
)

upcoming = Table(
    "rm_upcoming",
    metadata,
    Column("position_id", ID, primary_key=True),
    Column("item_key", String(128), primary_key=True),
    Column("company", String(32), nullable=False),
    Column("customer_code", String(64), nullable=False),
    Column("customer_name", String(255), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("supply_code", String(64), nullable=True),
    Column("case_id", String(64), nullable=True),
    Column("due_date", Date, nullable=False),
    Column("action", SmallInteger, nullable=True),
    Column("amount", Cents, nullable=True),
    Column("detail", Text, nullable=False),
    Index("ix_rm_upcoming_company_due", "company", "due_date", "position_id", "item_key"),
)

audit_trail = Table(
    "rm_audit_trail",
    metadata,
    Column("notification_id", BigInteger, primary_key=True, autoincrement=False),
    Column("originator_id", ID, nullable=False),
    Column("originator_version", Integer, nullable=False),
    Column("aggregate", String(32), nullable=False),
    Column("company", String(32), nullable=True),
    Column("customer_code", String(64), nullable=True),
    Column("event", String(64), nullable=False),
    Column("description", Text, nullable=False),
    Column("by", String(128), nullable=True),
    Column("business_date", Date, nullable=True),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("data", Text, nullable=False),
    Index("ix_rm_audit_originator", "originator_id", "notification_id"),
    Index("ix_rm_audit_customer", "company", "customer_code", "notification_id"),
    # The console's "what changed today" (migration 0017).
    Index("ix_rm_audit_company_day", "company", "business_date", "notification_id"),
)

imports = Table(
    "rm_imports",
    metadata,
    Column("import_id", ID, primary_key=True),
    Column("company", String(32), nullable=False),
    Column("file_name", String(255), nullable=False),
    Column("file_sha256", String(64), nullable=False),
    Column("profile", String(64), nullable=False),
    Column("by", String(128), nullable=True),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("runs", Integer, nullable=False),
    Column("accepted", Integer, nullable=False),
    Column("unchanged", Integer, nullable=False),
    Column("rejected", Integer, nullable=False),
    Column("counts", Text, nullable=False),  # JSON: {sheet: {accepted, unchanged, rejected}}
    Column("warnings", Text, nullable=False),  # JSON list
    Column("version", Integer, nullable=False),
    Index("ix_rm_imports_company", "company", "imported_at", "import_id"),
)

import_rejections = Table(
    "rm_import_rejections",
    metadata,
    Column("import_id", ID, primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("company", String(32), nullable=False),
    Column("sheet", String(64), nullable=True),
    Column("row_number", Integer, nullable=True),
    Column("column_name", String(128), nullable=True),
    Column("reason", Text, nullable=False),
)

# The outbox (a process table, not a read model): one row per action the workflow executed, written by
# the ``outbox`` projection (insert once, never rewritten) and moved through its statuses by the outbox
# service (``pending`` → ``sending`` → ``sent``; ``failed``, ``uncertain``; ``marked_sent``: the history
# recorded before the outbox). ``projections rebuild`` never drops nor rewrites it: the statuses and
# attempts live only here.
outbox = Table(
    "outbox",
    metadata,
    Column("action_key", String(255), primary_key=True),
    Column("company", String(32), nullable=False),
    Column("position_id", ID, nullable=False),
    Column("customer_code", String(64), nullable=False),
    Column("case_id", String(64), nullable=False),
    Column("seq", Integer, nullable=True),  # None: a reactivation request
    Column("action_code", SmallInteger, nullable=False),
    Column("channel", String(32), nullable=False),
    Column("recipient", Text, nullable=True),
    Column("business_date", Date, nullable=False),
    Column("payload", Text, nullable=False),  # JSON: what the channel's message is built from
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text, nullable=True),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_outbox_status_next", "status", "next_attempt_at"),
    Index("ix_outbox_company_status", "company", "status", "business_date", "action_key"),
)


# Answers that matched nothing (a process table, not a read model): what an inbound file named that is no
# action of its company — a PEC receipt of a message we did not send, an outcome of an unknown action —
# kept for the *risposte non abbinate* worklist, never dropped (``InboundFiles.import_file``). One row per
# company, kind, reference and content digest: importing the same file again adds nothing.
unmatched_answers = Table(
    "unmatched_answers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("company", String(32), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("reference", Text, nullable=False),  # what names the answer in its file (a Message-ID, a key)
    Column("filename", Text, nullable=False),
    Column("digest", String(64), nullable=False),  # SHA-256 of the answer (a receipt) or of its file
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("reason", Text, nullable=False),  # Italian
    Column("details", Text, nullable=False),  # JSON: whatever else identifies the answer
    Index("ux_unmatched_answers", "company", "kind", "reference", "digest", unique=True),
    Index("ix_unmatched_answers_company", "company", "received_at"),
)

# The PEC receipts kept as evidence (a process table): one row per receipt stored under the evidence
# folder (``<COMPANY>/<aa>/<sha256>.eml``), with what it says and the outcome recorded from it. What the
# litigation dossier reads to prove that a notice reached the debtor.
receipt_evidence = Table(
    "receipt_evidence",
    metadata,
    Column("company", String(32), primary_key=True),
    Column("digest", String(64), primary_key=True),  # SHA-256 of the receipt's bytes: its file's name
    Column("kind", String(32), nullable=False),  # accettazione, avvenuta-consegna, errore-consegna, ...
    Column("reference", Text, nullable=False),  # our Message-ID the receipt answers
    Column("action_key", String(255), nullable=True),  # None: matched no notice of the company
    Column("receipt_id", String(255), nullable=True),  # the provider's Message-ID of the receipt
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("zone", String(8), nullable=False),  # the receipt's own zone (+0100, +0200)
    Column("recipient", Text, nullable=True),
    Column("error", String(64), nullable=True),
    Column("outcome", String(32), nullable=True),  # the outcome recorded from it (None: evidence only)
    Column("filename", Text, nullable=False),
    Column("stored_at", DateTime(timezone=True), nullable=False),
    Index("ix_receipt_evidence_action", "company", "action_key"),
    Index("ix_receipt_evidence_receipt_id", "company", "receipt_id"),
)

# The due index (durable timers): one row per position, with the earliest business date the dunning
# engine could record something for it (``creditbox.domain.workflow.wake_up``; NULL: nothing with the
# state as it is). Kept by the ``due_index`` projection from the position's state; the scheduler claims
# the rows due by a business date (a lease: ``claimed_by`` until ``claimed_until``) and, once a
# position has run, writes its next wake-up (``version``: the position version it was computed from;
# the newer one wins) and the business date it ran for (``checked_through``: wake-ups are computed from
# that date on, business dates only move forward).
due_index = Table(
    "due_index",
    metadata,
    Column("position_id", ID, primary_key=True),
    Column("company", String(32), nullable=False),
    Column("customer_code", String(64), nullable=False),
    Column("wake_on", Date, nullable=True),
    Column("version", Integer, nullable=False),
    Column("checked_through", Date, nullable=True),
    Column("claimed_by", String(128), nullable=True),
    Column("claimed_until", DateTime(timezone=True), nullable=True),
    Index("ix_due_index_wake_on", "wake_on"),
    Index("ix_due_index_company_wake_on", "company", "wake_on"),
)


# What the outside offices tell us that is not an outcome (a process table, not a read model: nothing
# rebuilds it from events): the technical office's planned date for a request (``plan``) and the
# promises to pay collected by the agency (``promise``), one row per action, kind and date, written by
# the inbound importers (``application/office_notes.py``, ``infrastructure/office_notes_store.py``).
office_notes = Table(
    "office_notes",
    metadata,
    Column("action_key", String(255), primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("on_date", Date, primary_key=True),
    Column("company", String(32), nullable=False),
    Column("customer_code", String(64), nullable=False),
    Column("case_id", String(64), nullable=False),
    Column("amount", Cents, nullable=True),
    Column("note", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("recorded_by", String(128), nullable=False),
    Index("ix_office_notes_company_kind", "company", "kind", "action_key"),
)


# The bank ledger (a process table, not a read model): one row per bank transaction the company's
# ``camt.053`` / ``camt.054`` files carried, written by the bank import (``application/bank_import.py``),
# never by a projection. It deduplicates a transaction read from two files, links a returned direct
# debit to its payment and holds the *incassi da abbinare* worklist (``status = 'to_match'``).
# ``projections rebuild`` never drops nor rewrites it.
bank_transactions = Table(
    "bank_transactions",
    metadata,
    Column("company", String(32), primary_key=True),
    Column("credit_id", String(16), primary_key=True),
    Column("credit", Boolean, nullable=False),
    Column("movement", String(16), nullable=False),
    Column("amount", Cents, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("booking_date", Date, nullable=True),
    Column("value_date", Date, nullable=True),
    Column("bank_ref", String(64), nullable=True),
    Column("end_to_end_id", String(64), nullable=True),
    Column("tx_id", String(64), nullable=True),
    Column("debtor_name", Text, nullable=True),
    Column("debtor_iban", String(34), nullable=True),
    Column("remittance", Text, nullable=False),
    Column("code", String(128), nullable=False),
    Column("file_name", String(255), nullable=False),
    Column("line", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("problem", String(16), nullable=True),
    Column("reason", Text, nullable=True),
    Column("customer_code", String(64), nullable=True),
    Column("bill_number", String(64), nullable=True),
    Column("payment_id", String(64), nullable=True),
    Column("rule", String(16), nullable=True),
    Column("by", String(128), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_bank_transactions_bank_ref", "company", "bank_ref"),
    Index("ix_bank_transactions_end_to_end", "company", "end_to_end_id"),
    Index("ix_bank_transactions_tx_id", "company", "tx_id"),
    Index("ix_bank_transactions_status", "company", "status", "created_at"),
)

# The debtors' IBANs the bank import learned (a process table): the customer a matched or allocated
# credit came from, so that the next credit from that IBAN matches it (when it names one customer only).
bank_debtor_ibans = Table(
    "bank_debtor_ibans",
    metadata,
    Column("company", String(32), primary_key=True),
    Column("iban", String(34), primary_key=True),
    Column("customer_code", String(64), primary_key=True),
    Column("credit_id", String(16), nullable=False),
    Column("learned_at", DateTime(timezone=True), nullable=False),
)


# The leaves of the last seal of the event store's hash chains (a process table, not a read model:
# written by ``creditbox audit seal`` with the seal's event, never rebuilt from the log): the head of
# each chain, by aggregate id, that the seal's Merkle root was computed from (``docs/audit.md``).
chain_seal_leaf = Table(
    "chain_seal_leaf",
    metadata,
    Column("seal_id", ID, primary_key=True),
    Column("originator_id", ID, primary_key=True),
    Column("originator_version", BigInteger, nullable=False),
    Column("hash", LargeBinary(32), nullable=False),
)


# The back-office console (process tables, not read models: nothing rebuilds them from events).
# ``console_passwords``: one sign-in per operator (its login name unique across the group), the
# password as an scrypt hash with its salt and parameters (``application/console_accounts.py``).
console_passwords = Table(
    "console_passwords",
    metadata,
    Column("login", String(64), primary_key=True),
    Column("company", String(32), nullable=False),  # the operator's scope: a company code or ``*``
    Column("password_hash", Text, nullable=False),  # ``scrypt$n$r$p$salt$hash`` (hex)
    Column("set_at", DateTime(timezone=True), nullable=False),
    Column("set_by", String(128), nullable=False),
)

# ``console_sessions``: a signed-in browser, found by the SHA-256 of its cookie (the cookie itself is
# never stored), with its CSRF token, its idle and absolute expiry and one message for the next page.
console_sessions = Table(
    "console_sessions",
    metadata,
    Column("session_hash", String(64), primary_key=True),
    Column("login", String(64), nullable=False),
    Column("company", String(32), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("flash", Text, nullable=True),
    Index("ix_console_sessions_login", "login"),
)
