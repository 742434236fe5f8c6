"""The technical office (*Ufficio tecnico*): the list of requests sent to it and its answers.

Out: every limitation, suspension, disconnection and reactivation request executed on a business
date goes into that day's batch; :class:`TechnicalBatches` closes it as the Excel list *Invio elenco
a Uff. Tec.*, one row per request, with empty columns for the office to fill in.

In: the office sends back the same list (or any sheet with a *Riferimento* column) with its plan and
its outcomes (:class:`TechnicalOfficeAnswers`, inbound kind ``ufficio-tecnico``):

- *Data pianificata*: the date the office plans the intervention — kept as an office note
  (``application/office_notes.py``); the case waits for the outcome as before;
- *Esito* ``eseguito`` with *Data esito*: the request's outcome is positive (a suspension done, a
  supply reactivated); ``non eseguito`` with *Motivo*: negative, with the reason as its note.

Outcomes are recorded through :class:`~creditbox.application.channel_outcomes.ChannelOutcomes`, as
if typed in by an operator; a reference that is not one of the company's requests is *unmatched*.
"""

from __future__ import annotations

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
from creditbox.application.office_batches import (
    TECHNICAL_CHANNEL,
    ActionFacts,
    BatchCloser,
    BatchFacts,
    BatchFile,
    BatchFolder,
    ClosedBatch,
    Progress,
)
from creditbox.application.office_notes import PLAN, OfficeNote, OfficeNotes
from creditbox.application.records import Rejection
from creditbox.clock import Clock
from creditbox.domain.codes import normalise_label
from creditbox.domain.errors import DomainError, Field
from creditbox.domain.workflow.outcomes import StepOutcome

KIND = "ufficio-tecnico"
BATCH_PREFIX = "UT"

# The ``tech`` parameter of a request, as the office reads it.
REQUEST_TYPES = {
    "limit": "Limitazione",
    "suspend": "Sospensione",
    "disconnect": "Distacco",
    "reactivate": "Riattivazione",
}


def request_type(tech: str | None) -> str:
    return REQUEST_TYPES.get(tech or "", "Intervento")


@dataclass(frozen=True)
class TechnicalRequest:
    """One row of the list sent to the technical office."""

    request_type: str  # Italian
    action_key: str
    customer_code: str
    customer_name: str
    supply_code: str
    service: str
    supply_address: str
    meter: str
    overdue: Decimal
    requested_on: date
    case_id: str


def request_of(facts: ActionFacts) -> TechnicalRequest:
    supply = facts.supply
    return TechnicalRequest(
        request_type=request_type(facts.parameters.get("tech")),
        action_key=facts.item.action_key,
        customer_code=facts.customer_code,
        customer_name=facts.customer_name,
        supply_code=facts.supply_code,
        service=supply.service.label if supply is not None else "",
        supply_address=(supply.address or "") if supply is not None else "",
        meter=(supply.meter or "") if supply is not None else "",
        overdue=facts.overdue,
        requested_on=facts.entry.business_date if facts.entry is not None else facts.item.business_date,
        case_id=facts.case_id,
    )


# Writes the Excel list of a batch: (batch id, business date, its requests) → the file's bytes.
TechnicalListWriter = Callable[[str, date, Sequence[TechnicalRequest]], bytes]


class TechnicalBatches:
    """Closes a day's requests to the technical office into its Excel list."""

    def __init__(self, folder: BatchFolder, facts: BatchFacts, write: TechnicalListWriter) -> None:
        self._write = write
        self._closer = BatchCloser(folder, facts, TECHNICAL_CHANNEL, BATCH_PREFIX, self._render)

    def _render(self, batch_id: str, business_date: date, facts: Sequence[ActionFacts]) -> tuple[BatchFile, ...]:
        requests = [request_of(f) for f in facts]
        return (BatchFile(f"{batch_id}.xlsx", self._write(batch_id, business_date, requests)),)

    def close(self, company: str, business_date: date, on_progress: Progress | None = None) -> list[ClosedBatch]:
        return self._closer.close(company, business_date, on_progress)


# ---- the office's answers -------------------------------------------------------------------------

REFERENCE, PLANNED, OUTCOME, OUTCOME_DATE, REASON = "reference", "planned", "outcome", "outcome_date", "reason"
ANSWER_COLUMNS: dict[str, tuple[str, ...]] = {
    REFERENCE: ("Riferimento", "Chiave azione", "Riferimento richiesta", "Codice richiesta"),
    PLANNED: ("Data pianificata", "Data programmata", "Pianificata per", "Data intervento previsto"),
    OUTCOME: ("Esito", "Esito intervento"),
    OUTCOME_DATE: ("Data esito", "Data esecuzione", "Eseguito il"),
    REASON: ("Motivo", "Motivo mancata esecuzione", "Note", "Nota"),
}
DONE_WORDS = {normalise_label(w) for w in ("eseguito", "eseguita", "positivo", "esito positivo", "fatto", "sì", "ok")}
NOT_DONE_WORDS = {
    normalise_label(w) for w in ("non eseguito", "non eseguita", "negativo", "esito negativo", "no", "ko")
}


def parse_outcome(value: object, column: str) -> StepOutcome:
    word = normalise_label(cell_text(value))
    if word in DONE_WORDS:
        return StepOutcome.POSITIVE
    if word in NOT_DONE_WORDS:
        return StepOutcome.NEGATIVE
    raise CellProblem(column, f"esito sconosciuto: {cell_text(value)!r} (ammessi: eseguito, non eseguito)")


def unmatched(reference: str, table: AnswerTable, row: AnswerRow, reason: str) -> dict[str, object]:
    return {"reference": reference, "reason": reason, "sheet": table.sheet, "row": row.number}


class TechnicalOfficeAnswers:
    """The inbound importer of the technical office's plan and outcomes (kind ``ufficio-tecnico``)."""

    kind = KIND
    label = "Piano ed esiti dell'Ufficio tecnico"

    def __init__(self, reader: TableReader, outcomes: ChannelOutcomes, notes: OfficeNotes, clock: Clock) -> None:
        self._reader = reader
        self._outcomes = outcomes
        self._notes = notes
        self._clock = clock

    def import_file(self, company: str, filename: str, content: bytes, *, by: str) -> InboundResult:
        result = InboundResult(self.kind, filename, company)
        figures = {"plans": 0, "outcomes": 0, "rows_without_answer": 0}
        result.details.update(figures)
        try:
            tables = self._reader.read(filename, content)
        except UnreadableAnswers as error:
            result.rejected.append(Rejection(filename, 0, None, str(error)))
            return result
        for table in tables:
            columns = find_columns(table, ANSWER_COLUMNS)
            missing = missing_columns(columns, (REFERENCE,))
            if not missing and PLANNED not in columns.index and OUTCOME not in columns.index:
                missing = [f"{columns.name(PLANNED)} o {columns.name(OUTCOME)}"]
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
        planned_cell, outcome_cell = columns.value(row, PLANNED), columns.value(row, OUTCOME)
        if not reference:
            if is_blank(planned_cell) and is_blank(outcome_cell):
                return  # an empty line
            raise CellProblem(columns.name(REFERENCE), "riferimento della richiesta mancante")
        if is_blank(planned_cell) and is_blank(outcome_cell):
            result.details["rows_without_answer"] += 1
            return
        # Read every cell first: a row with a bad cell records nothing.
        planned = cell_date(planned_cell, columns.name(PLANNED)) if not is_blank(planned_cell) else None
        outcome = parse_outcome(outcome_cell, columns.name(OUTCOME)) if not is_blank(outcome_cell) else None
        reason = cell_text(columns.value(row, REASON))
        outcome_date: date | None = None
        if outcome is not None:
            outcome_date = cell_date(columns.value(row, OUTCOME_DATE), columns.name(OUTCOME_DATE))
            if outcome == StepOutcome.NEGATIVE and not reason:
                raise CellProblem(columns.name(REASON), "motivo obbligatorio per un intervento non eseguito")
        entry = self._outcomes.entry(company, reference)
        if entry is None:
            result.unmatched.append(unmatched(reference, table, row, "nessuna richiesta con questo riferimento"))
            return
        if entry.channel != TECHNICAL_CHANNEL:
            result.unmatched.append(
                unmatched(reference, table, row, "il riferimento non è una richiesta all'Ufficio tecnico")
            )
            return
        if outcome is not None and outcome_date is not None:
            try:
                recording = self._outcomes.record(company, reference, outcome, outcome_date, reason, by=by)
            except DomainError as error:
                column = OUTCOME_DATE if error.field == Field.OUTCOME_DATE else OUTCOME
                raise CellProblem(columns.name(column), str(error)) from None
            if recording.changed:
                result.accepted += 1
                result.details["outcomes"] += 1
            else:
                result.duplicates += 1
        if planned is not None:
            note = OfficeNote(
                company,
                reference,
                PLAN,
                planned,
                entry.customer_code,
                entry.case_id,
                note=reason if outcome is None else "",
                source=filename,
                recorded_at=self._clock.now(),
                recorded_by=by,
            )
            if self._notes.add(note):
                result.accepted += 1
                result.details["plans"] += 1
            else:
                result.duplicates += 1
