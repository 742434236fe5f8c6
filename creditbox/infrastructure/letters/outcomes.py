"""The postal provider's A/R outcomes (*esiti postali*), CSV or Excel, as delivery outcomes.

One row per letter. The letter is named by its action key (printed on every page of the letter, and
in the batch manifest) or by the batch id and its sequence in the batch. The headers are matched in
Italian without regard to case, spaces or accents:

=====================  =====================================================================
column                 content
=====================  =====================================================================
Chiave azione          the action key (or: Riferimento, Rif.)
Lotto, Progressivo     instead of the key: the batch id and the letter's sequence
Esito                  consegnata · in giacenza · compiuta giacenza · restituita
Data esito             the date of the event (or: Data); ``GG/MM/AAAA``, ``AAAA-MM-GG`` or a date cell
Causale                for *restituita*: why (sconosciuto, trasferito, rifiutato, indirizzo
                       insufficiente, deceduto, ...); required
Numero raccomandata    optional, kept in the outcome's note
Note                   optional, kept in the outcome's note
=====================  =====================================================================

Each row is recorded through :class:`~creditbox.application.channel_outcomes.ChannelOutcomes` as
the outcome of its letter: *consegnata* → delivered, *in giacenza* → held, *compiuta giacenza* →
unclaimed (legally known), *restituita* → returned (for an ordinary letter, which has no A/R:
not delivered). A bad row is rejected with its sheet, row, column and reason; a key that is none of
the company's actions is kept as unmatched; importing the file again records nothing new.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from creditbox.application.channel_outcomes import ChannelOutcomes
from creditbox.application.inbound import InboundResult
from creditbox.application.records import Rejection, UnreadableFile
from creditbox.domain.codes import ActionCode, normalise_label
from creditbox.domain.errors import DomainError, Field
from creditbox.domain.workflow.outcomes import StepOutcome, allowed_outcomes
from creditbox.infrastructure.excel.headers import match_headers
from creditbox.infrastructure.excel.values import a_date, code_text, free_text, is_empty
from creditbox.infrastructure.letters.batches import PostalBatches
from creditbox.infrastructure.letters.table_file import Table, read_tables

KIND = "esiti-postali"
LABEL = "Esiti postali delle raccomandate A/R"

KEY, BATCH, SEQUENCE, OUTCOME, DATE, REASON, NUMBER, NOTE = (
    "Chiave azione",
    "Lotto",
    "Progressivo",
    "Esito",
    "Data esito",
    "Causale",
    "Numero raccomandata",
    "Note",
)
COLUMNS = (KEY, BATCH, SEQUENCE, OUTCOME, DATE, REASON, NUMBER, NOTE)
ALIASES: dict[str, tuple[str, ...]] = {
    KEY: ("Chiave", "Riferimento", "Rif", "Rif.", "Codice riferimento", "Action key"),
    BATCH: ("Id lotto", "Codice lotto", "Lotto postale"),
    SEQUENCE: ("Sequenza", "Numero progressivo", "Prog", "N. progressivo"),
    OUTCOME: ("Esito consegna", "Stato", "Codice esito"),
    DATE: ("Data", "Data evento", "Data consegna"),
    REASON: ("Motivo", "Causale restituzione", "Motivo restituzione", "Causale esito"),
    NUMBER: ("N. raccomandata", "Raccomandata", "Numero"),
    NOTE: ("Annotazioni",),
}

# What the provider writes (compared without case, spaces or accents) and what it means.
OUTCOMES: dict[str, StepOutcome] = {
    **dict.fromkeys(("consegnata", "consegnato", "recapitata", "recapitato", "consegna"), StepOutcome.DELIVERED),
    **dict.fromkeys(("ingiacenza", "giacenza", "giacente"), StepOutcome.HELD),
    **dict.fromkeys(("compiutagiacenza", "nonritirata", "nonritirato"), StepOutcome.UNCLAIMED),
    **dict.fromkeys(
        ("restituita", "restituito", "restituitaalmittente", "resa", "reso", "rinviataalmittente"),
        StepOutcome.RETURNED,
    ),
}
NOT_OUTCOMES = (
    "nessun foglio con le colonne degli esiti postali: Esito, Data esito e Chiave azione (oppure Lotto e Progressivo)"
)
UNKNOWN_KEY = "lettera sconosciuta per la società"
UNKNOWN_SEQUENCE = "nessuna lettera con quel lotto e progressivo"
OUTCOME_WORDS = "consegnata, in giacenza, compiuta giacenza, restituita"

# The usual return reasons, written out in full; any other reason is kept as the provider wrote it.
REASONS = {
    "sconosciuto": "destinatario sconosciuto",
    "destinatariosconosciuto": "destinatario sconosciuto",
    "trasferito": "destinatario trasferito",
    "destinatariotrasferito": "destinatario trasferito",
    "rifiutato": "rifiutato dal destinatario",
    "rifiutata": "rifiutato dal destinatario",
    "indirizzoinsufficiente": "indirizzo insufficiente",
    "indirizzoinesatto": "indirizzo inesatto",
    "indirizzoinesistente": "indirizzo inesistente",
    "deceduto": "destinatario deceduto",
    "irreperibile": "destinatario irreperibile",
}


@dataclass(frozen=True)
class _Row:
    sheet: str
    row: int
    reference: str
    action_key: str | None
    outcome: StepOutcome
    outcome_date: date
    note: str
    headers: dict[str, str]  # column label -> header as written in the file

    def column(self, label: str) -> str:
        return self.headers.get(label, label)


class _Rejected(Exception):
    def __init__(self, column: str | None, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason


class PostalOutcomesImporter:
    """The ``esiti-postali`` kind of inbound file."""

    kind = KIND
    label = LABEL

    def __init__(self, outcomes: ChannelOutcomes, batches: PostalBatches) -> None:
        self._outcomes = outcomes
        self._batches = batches

    def import_file(self, company: str, filename: str, content: bytes, *, by: str) -> InboundResult:
        result = InboundResult(kind=KIND, filename=filename, company=company)
        counts: Counter[str] = Counter()
        try:
            tables = read_tables(filename, content)
        except UnreadableFile as error:
            return _refused(result, Rejection(filename, 0, None, str(error)))
        sheets = [(table, self._rows(company, table, result)) for table in tables]
        read = [rows for _, rows in sheets if rows is not None]
        if not read:
            where = tables[0].sheet if len(tables) == 1 else filename
            return _refused(result, None if result.rejected else Rejection(where, 0, None, NOT_OUTCOMES))
        for rows in read:
            for row in rows:
                self._record(company, row, result, counts, by=by)
        result.details = {"outcomes": dict(sorted(counts.items()))}
        return result

    # ---- reading -------------------------------------------------------------------------------

    def _rows(self, company: str, table: Table, result: InboundResult) -> list[_Row] | None:
        """The good rows of a sheet; bad ones go to ``result.rejected``. None for a sheet whose
        header is not of this kind (a workbook may hold other sheets) or lacks a column needed (then
        rejected at its header row)."""
        header = next(((number, cells) for number, cells in table.rows if any(not is_empty(c) for c in cells)), None)
        if header is None:
            return None
        header_row, written = header
        indexes, as_written, _ = match_headers(written, COLUMNS, ALIASES)
        if OUTCOME not in indexes and KEY not in indexes:
            return None
        missing = [c for c in (OUTCOME, DATE) if c not in indexes]
        if KEY not in indexes and not (BATCH in indexes and SEQUENCE in indexes):
            missing.append(f"{KEY} (oppure {BATCH} e {SEQUENCE})")
        if missing:
            reason = f"colonne mancanti: {', '.join(missing)}"
            result.rejected.append(Rejection(table.sheet, header_row, None, reason))
            return None
        rows = []
        for number, cells in table.rows:
            if number <= header_row or all(is_empty(c) for c in cells):
                continue
            values = {label: cells[i] if i < len(cells) else None for label, i in indexes.items()}
            try:
                rows.append(replace(self._row(company, table.sheet, number, values), headers=as_written))
            except _Rejected as bad:
                column = as_written.get(bad.column, bad.column) if bad.column else None
                result.rejected.append(Rejection(table.sheet, number, column, bad.reason))
        return rows

    def _row(self, company: str, sheet: str, number: int, values: dict[str, Any]) -> _Row:
        outcome = _outcome(values.get(OUTCOME))
        when = _parsed(DATE, a_date, values.get(DATE), "data dell'esito mancante")
        reason = _optional(REASON, values.get(REASON))
        notes = []
        if outcome is StepOutcome.RETURNED:
            if not reason:
                raise _Rejected(REASON, "causale della restituzione mancante (es. sconosciuto, trasferito, rifiutato)")
            notes.append(f"restituita: {REASONS.get(normalise_label(reason), reason)}")
        elif reason:
            notes.append(reason)
        registered = _optional(NUMBER, values.get(NUMBER))
        if registered:
            notes.append(f"raccomandata n. {registered}")
        note = _optional(NOTE, values.get(NOTE))
        if note:
            notes.append(note)
        key, reference = self._key(company, values)
        return _Row(sheet, number, reference, key, outcome, when, "; ".join(notes), {})

    def _key(self, company: str, values: dict[str, Any]) -> tuple[str | None, str]:
        """The action key of the row (None when its batch and sequence name no letter) and how the row names it."""
        if not is_empty(values.get(KEY)):
            key = _parsed(KEY, code_text, values.get(KEY), "")
            return key, key
        batch = _parsed(BATCH, code_text, values.get(BATCH), "chiave dell'azione o lotto mancante")
        sequence = _sequence(values.get(SEQUENCE))
        return self._batches.action_key_at(company, batch, sequence), f"{batch}/{sequence}"

    # ---- recording -----------------------------------------------------------------------------

    def _record(self, company: str, row: _Row, result: InboundResult, counts: Counter[str], *, by: str) -> None:
        entry = self._outcomes.entry(company, row.action_key) if row.action_key else None
        if entry is None:
            why = UNKNOWN_KEY if row.action_key else UNKNOWN_SEQUENCE
            result.unmatched.append(
                {
                    "reference": row.reference,
                    "reason": why,
                    "sheet": row.sheet,
                    "row": row.row,
                    "outcome": row.outcome.label,
                    "outcome_date": row.outcome_date.isoformat(),
                }
            )
            return
        if entry.action_code not in (ActionCode.FRIENDLY_REMINDER, ActionCode.REGISTERED_LETTER):
            reason = f"l'azione {row.reference} non è una lettera ({entry.action_code.label})"
            result.rejected.append(Rejection(row.sheet, row.row, row.column(KEY), reason))
            return
        outcome = row.outcome
        if outcome is StepOutcome.RETURNED and outcome not in allowed_outcomes(entry.action_code):
            outcome = StepOutcome.NOT_DELIVERED  # an ordinary letter come back: not delivered
        if outcome not in allowed_outcomes(entry.action_code):
            reason = f"esito {outcome.label!r} non previsto per una lettera ordinaria (senza A/R)"
            result.rejected.append(Rejection(row.sheet, row.row, row.column(OUTCOME), reason))
            return
        try:
            recorded = self._outcomes.record(company, entry.action_key, outcome, row.outcome_date, row.note, by=by)
        except DomainError as error:
            column = DATE if error.field in (Field.OUTCOME_DATE, Field.BUSINESS_DATE) else OUTCOME
            result.rejected.append(Rejection(row.sheet, row.row, row.column(column), str(error)))
            return
        if recorded.changed:
            result.accepted += 1
            counts[outcome.value] += 1
        else:
            result.duplicates += 1


def _refused(result: InboundResult, rejection: Rejection | None) -> InboundResult:
    """The file refused whole, nothing of it read (``details["refused"]``); ``rejection`` says why,
    unless a sheet's header was already rejected."""
    if rejection is not None:
        result.rejected.append(rejection)
    result.details = {"refused": True, "outcomes": {}}
    return result


def _outcome(cell: Any) -> StepOutcome:
    if is_empty(cell):
        raise _Rejected(OUTCOME, f"esito mancante (ammessi: {OUTCOME_WORDS})")
    text = str(cell).strip()
    outcome = OUTCOMES.get(normalise_label(text))
    if outcome is None:
        raise _Rejected(OUTCOME, f"esito sconosciuto {text!r} (ammessi: {OUTCOME_WORDS})")
    return outcome


def _sequence(cell: Any) -> int:
    text = _parsed(SEQUENCE, code_text, cell, "progressivo mancante")  # a number cell 12.0 reads "12"
    if not text.isascii() or not text.isdigit() or int(text) < 1:
        raise _Rejected(SEQUENCE, f"progressivo non valido: {text!r} (un numero da 1)")
    return int(text)


def _parsed(column: str, parse: Any, cell: Any, missing: str) -> Any:
    if is_empty(cell):
        raise _Rejected(column, missing)
    try:
        return parse(cell)
    except ValueError as error:
        raise _Rejected(column, str(error)) from None


def _optional(column: str, cell: Any) -> str:
    if is_empty(cell):
        return ""
    try:
        return free_text(cell)
    except ValueError as error:
        raise _Rejected(column, str(error)) from None
