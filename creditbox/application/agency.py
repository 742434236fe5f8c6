"""The collection agency (*Agenzia di recupero*): the assignments handed to it and its outcomes.

Out: every hand-over to the agency executed on a business date goes into that day's batch of the
agency; :class:`AgencyBatches` closes it as an Excel workbook (assignments, overdue bills with their
residuals, notices sent with their delivery outcomes) and a ``;`` CSV (one line per overdue bill),
the action key being the assignment's reference (*Riferimento affidamento*).

In: the agency's outcome file (:class:`AgencyAnswers`, inbound kind ``agenzia``; Excel or ``;`` CSV),
one line per event of an assignment:

- *pagamento*: a payment collected (amount, date, the agency's payment reference) becomes a payment
  of the position through the same use case as the billing system's payments, with an id derived
  from the assignment and the agency's reference — so importing the file again adds nothing;
- *promessa*: a promise to pay (date, amount) is kept as an office note;
- *chiusura positiva* / *chiusura negativa*: the outcome of the agency step (positive / negative);
- *restituita*: the agency gives the case back (*pratica restituita*): a negative outcome, with the
  reason as its note.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from creditbox.application.answer_tables import (
    AnswerRow,
    AnswerTable,
    CellProblem,
    Columns,
    TableReader,
    UnreadableAnswers,
    cell_amount,
    cell_date,
    cell_text,
    find_columns,
    is_blank,
    missing_columns,
    missing_columns_rejection,
    rejection,
)
from creditbox.application.channel_outcomes import ChannelOutcomes
from creditbox.application.inbound import InboundResult
from creditbox.application.ingest import Ingestor
from creditbox.application.notices import NoticeBill
from creditbox.application.office_batches import (
    AGENCY_CHANNEL,
    ActionFacts,
    BatchCloser,
    BatchFacts,
    BatchFile,
    BatchFolder,
    ClosedBatch,
    Progress,
)
from creditbox.application.office_notes import PROMISE, OfficeNote, OfficeNotes
from creditbox.application.ports import OutboxEntry
from creditbox.application.records import Column, Outcome, PaymentRecord, Rejection
from creditbox.clock import Clock
from creditbox.domain.codes import normalise_label
from creditbox.domain.errors import DomainError, Field
from creditbox.domain.workflow.cases import StepStatus
from creditbox.domain.workflow.outcomes import StepOutcome

KIND = "agenzia"
BATCH_PREFIX = "ADR"
PAYMENT_METHOD = "Agenzia di recupero"


@dataclass(frozen=True)
class NoticeSent:
    """A step of the case executed before the hand-over, with its latest outcome."""

    seq: int
    action: str  # Italian label of the action code
    description: str
    sent_on: date | None
    outcome: str  # Italian label, "" when none came back
    outcome_on: date | None


@dataclass(frozen=True)
class Assignment:
    """One case handed to the agency."""

    reference: str  # the action key
    assigned_on: date
    agency: str
    customer_code: str
    customer_name: str
    tax_code: str
    street: str
    postcode: str
    town: str
    province: str
    mobile: str
    email: str
    pec: str
    supply_code: str
    service: str
    supply_address: str
    case_id: str
    bills: tuple[NoticeBill, ...]
    total: Decimal
    notices: tuple[NoticeSent, ...]


def assignment_of(facts: ActionFacts) -> Assignment:
    customer, supply, notice = facts.customer, facts.supply, facts.item.notice
    address = notice.address if notice is not None else None
    return Assignment(
        reference=facts.item.action_key,
        assigned_on=facts.entry.business_date if facts.entry is not None else facts.item.business_date,
        agency=facts.item.office_name or facts.item.office,
        customer_code=facts.customer_code,
        customer_name=facts.customer_name,
        tax_code=_first(customer.fiscal_code, customer.vat_number) if customer else (notice.tax_code if notice else ""),
        street=_first(customer.address) if customer else (address.street if address else ""),
        postcode=_first(customer.postcode) if customer else (address.postcode if address else ""),
        town=_first(customer.city) if customer else (address.town if address else ""),
        province=_first(customer.province) if customer else (address.province if address else ""),
        mobile=_first(customer.mobile) if customer else _first(notice.mobile if notice else None),
        email=_first(customer.email) if customer else _first(notice.email if notice else None),
        pec=_first(customer.pec) if customer else _first(notice.pec if notice else None),
        supply_code=facts.supply_code,
        service=supply.service.label if supply is not None else "",
        supply_address=_first(supply.address) if supply is not None else "",
        case_id=facts.case_id,
        bills=facts.bills,
        total=facts.total,
        notices=_notices_sent(facts),
    )


def _first(*values: str | None) -> str:
    return next((v for v in values if v), "")


def _notices_sent(facts: ActionFacts) -> tuple[NoticeSent, ...]:
    """The steps of the case executed before this one, each with its latest outcome."""
    case, entry = facts.case, facts.entry
    if case is None or entry is None:
        return ()
    limit = entry.seq if entry.seq is not None else case.last_seq + 1
    found = []
    for step in case.steps:
        if step.seq >= limit or step.status != StepStatus.EXECUTED:
            continue
        last = step.outcomes[-1] if step.outcomes else None
        found.append(
            NoticeSent(
                seq=step.seq,
                action=step.action_code.label,
                description=step.description,
                sent_on=step.executed_on,
                outcome=last[0].label if last is not None else "",
                outcome_on=last[1] if last is not None else None,
            )
        )
    return tuple(found)


# Writes a batch's files: (batch id, business date, its assignments) → the workbook's and the CSV's bytes.
AssignmentWriter = Callable[[str, date, Sequence[Assignment]], tuple[bytes, bytes]]


class AgencyBatches:
    """Closes a day's hand-overs into one batch per agency: an Excel workbook and a CSV."""

    def __init__(self, folder: BatchFolder, facts: BatchFacts, write: AssignmentWriter) -> None:
        self._write = write
        self._closer = BatchCloser(folder, facts, AGENCY_CHANNEL, BATCH_PREFIX, self._render)

    def _render(self, batch_id: str, business_date: date, facts: Sequence[ActionFacts]) -> tuple[BatchFile, ...]:
        workbook, csv = self._write(batch_id, business_date, [assignment_of(f) for f in facts])
        return BatchFile(f"{batch_id}.xlsx", workbook), BatchFile(f"{batch_id}.csv", csv)

    def close(self, company: str, business_date: date, on_progress: Progress | None = None) -> list[ClosedBatch]:
        return self._closer.close(company, business_date, on_progress)


# ---- the agency's outcomes ------------------------------------------------------------------------

REFERENCE, TYPE, DATE, AMOUNT, PAYMENT_REF, REASON = "reference", "type", "date", "amount", "payment", "reason"
ANSWER_COLUMNS: dict[str, tuple[str, ...]] = {
    REFERENCE: ("Riferimento affidamento", "Riferimento", "Rif. affidamento", "Chiave azione"),
    TYPE: ("Tipo esito", "Tipo", "Esito", "Evento"),
    DATE: ("Data", "Data esito", "Data evento"),
    AMOUNT: ("Importo", "Importo incassato", "Importo promesso"),
    PAYMENT_REF: ("Riferimento pagamento", "Rif. pagamento", "Id pagamento", "Riferimento incasso"),
    REASON: ("Motivo", "Note", "Nota"),
}

PAYMENT, PROMISED, CLOSED_POSITIVE, CLOSED_NEGATIVE, RETURNED = (
    "pagamento",
    "promessa",
    "chiusura positiva",
    "chiusura negativa",
    "restituita",
)
TYPE_WORDS: dict[str, str] = {
    normalise_label(word): kind
    for kind, words in {
        PAYMENT: ("pagamento", "incasso", "incassato"),
        PROMISED: ("promessa", "promessa di pagamento", "impegno di pagamento"),
        CLOSED_POSITIVE: ("chiusura positiva", "positivo", "esito positivo", "recuperato", "chiusa positiva"),
        CLOSED_NEGATIVE: ("chiusura negativa", "negativo", "esito negativo", "chiusa negativa", "irrecuperabile"),
        RETURNED: ("restituita", "pratica restituita", "restituzione", "restituito"),
    }.items()
    for word in words
}


def parse_type(value: object, column: str) -> str:
    kind = TYPE_WORDS.get(normalise_label(cell_text(value)))
    if kind is None:
        allowed = ", ".join((PAYMENT, PROMISED, CLOSED_POSITIVE, CLOSED_NEGATIVE, RETURNED))
        raise CellProblem(column, f"tipo di esito sconosciuto: {cell_text(value)!r} (ammessi: {allowed})")
    return kind


def payment_id(action_key: str, agency_reference: str) -> str:
    """The payment's id: the same assignment and agency reference always give the same id (at most
    64 characters: a digest of both, then the agency's reference as written, cut)."""
    digest = hashlib.sha256(f"{action_key}\x00{agency_reference}".encode()).hexdigest()[:12]
    return f"ADR-{digest}-{agency_reference[:40]}"


class AgencyAnswers:
    """The inbound importer of the agency's outcome file (kind ``agenzia``)."""

    kind = KIND
    label = "Esiti dell'agenzia di recupero"

    def __init__(
        self,
        reader: TableReader,
        outcomes: ChannelOutcomes,
        notes: OfficeNotes,
        payments: Callable[[], Ingestor],
        clock: Clock,
    ) -> None:
        self._reader = reader
        self._outcomes = outcomes
        self._notes = notes
        self._payments = payments
        self._clock = clock

    def import_file(self, company: str, filename: str, content: bytes, *, by: str) -> InboundResult:
        result = InboundResult(self.kind, filename, company)
        result.details.update({"payments": 0, "amount_collected": "0.00", "promises": 0, "closures": 0})
        try:
            tables = self._reader.read(filename, content)
        except UnreadableAnswers as error:
            result.rejected.append(Rejection(filename, 0, None, str(error)))
            return result
        for table in tables:
            columns = find_columns(table, ANSWER_COLUMNS)
            missing = missing_columns(columns, (REFERENCE, TYPE, DATE))
            if missing:
                result.rejected.append(missing_columns_rejection(table, missing))
                continue
            for row in table.rows:
                try:
                    self._row(company, filename, table, columns, row, result, by)
                except CellProblem as problem:
                    result.rejected.append(rejection(table, row, problem))
        return result

    def _row(
        self,
        company: str,
        filename: str,
        table: AnswerTable,
        columns: Columns,
        row: AnswerRow,
        result: InboundResult,
        by: str,
    ) -> None:
        reference = cell_text(columns.value(row, REFERENCE))
        type_cell = columns.value(row, TYPE)
        if not reference:
            if is_blank(type_cell) and is_blank(columns.value(row, DATE)):
                return  # an empty line
            raise CellProblem(columns.name(REFERENCE), "riferimento dell'affidamento mancante")
        kind = parse_type(type_cell, columns.name(TYPE))
        when = cell_date(columns.value(row, DATE), columns.name(DATE))
        reason = cell_text(columns.value(row, REASON))
        amount: Decimal | None = None
        agency_reference = ""
        if kind == PAYMENT:
            amount = cell_amount(columns.value(row, AMOUNT), columns.name(AMOUNT))
            agency_reference = cell_text(columns.value(row, PAYMENT_REF))
            if not agency_reference:
                raise CellProblem(columns.name(PAYMENT_REF), "riferimento del pagamento mancante")
        elif kind == PROMISED and not is_blank(columns.value(row, AMOUNT)):
            amount = cell_amount(columns.value(row, AMOUNT), columns.name(AMOUNT))
        elif kind == RETURNED and not reason:
            raise CellProblem(columns.name(REASON), "motivo obbligatorio per una pratica restituita")
        entry = self._outcomes.entry(company, reference)
        if entry is None or entry.channel != AGENCY_CHANNEL:
            why = (
                "nessun affidamento con questo riferimento" if entry is None else "il riferimento non è un affidamento"
            )
            result.unmatched.append({"reference": reference, "reason": why, "sheet": table.sheet, "row": row.number})
            return
        if kind == PAYMENT:
            assert amount is not None
            self._payment(company, entry, agency_reference, when, amount, columns, result, by)
        elif kind == PROMISED:
            note = OfficeNote(
                company,
                reference,
                PROMISE,
                when,
                entry.customer_code,
                entry.case_id,
                amount=amount,
                note=reason,
                source=filename,
                recorded_at=self._clock.now(),
                recorded_by=by,
            )
            self._count(result, self._notes.add(note), "promises")
        else:
            outcome = StepOutcome.POSITIVE if kind == CLOSED_POSITIVE else StepOutcome.NEGATIVE
            text = f"Pratica restituita dall'agenzia: {reason}" if kind == RETURNED else reason
            try:
                recording = self._outcomes.record(company, reference, outcome, when, text, by=by)
            except DomainError as error:
                column = DATE if error.field == Field.OUTCOME_DATE else TYPE
                raise CellProblem(columns.name(column), str(error)) from None
            self._count(result, recording.changed, "closures")

    def _payment(
        self,
        company: str,
        entry: OutboxEntry,
        agency_reference: str,
        when: date,
        amount: Decimal,
        columns: Columns,
        result: InboundResult,
        by: str,
    ) -> None:
        record = PaymentRecord(
            payment_id(entry.action_key, agency_reference), entry.customer_code, when, amount, None, PAYMENT_METHOD
        )
        [outcome] = self._payments().ingest(company, [record], by=by).results
        if outcome.outcome is Outcome.REJECTED:
            column = {Column.PAYMENT_DATE: DATE, Column.AMOUNT: AMOUNT}.get(outcome.column or "", PAYMENT_REF)
            raise CellProblem(columns.name(column), outcome.reason or "pagamento rifiutato")
        changed = outcome.outcome is Outcome.ACCEPTED
        self._count(result, changed, "payments")
        if changed:
            result.details["amount_collected"] = str(Decimal(result.details["amount_collected"]) + amount)

    @staticmethod
    def _count(result: InboundResult, changed: bool, figure: str) -> None:
        if changed:
            result.accepted += 1
            result.details[figure] += 1
        else:
            result.duplicates += 1
