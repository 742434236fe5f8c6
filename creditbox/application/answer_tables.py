"""The tables the offices send back (the technical office's plan and outcomes, the agency's
outcomes), read cell by cell with the reasons a person can act on.

A file is read by a :class:`TableReader` (``infrastructure/excel/answer_tables.py``: Excel, or CSV
separated by ``;``) into :class:`AnswerTable` s — a sheet's headers and its rows as written. The
importers find their columns by name (:func:`find_columns`, accents, case and spacing ignored, a
few synonyms each) and read each cell with :func:`cell_date`, :func:`cell_amount` and
:func:`cell_text`, which raise :class:`CellProblem` naming the column; the importer turns it into a
:class:`~creditbox.application.records.Rejection` with the sheet and the row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from creditbox.application.records import Rejection
from creditbox.domain.codes import normalise_label
from creditbox.domain.money import amount_from_number, parse_spreadsheet_amount


@dataclass(frozen=True)
class AnswerRow:
    number: int  # the row's number in the sheet (the header is row 1 in a workbook and in a CSV)
    values: tuple[object, ...]


@dataclass(frozen=True)
class AnswerTable:
    sheet: str
    headers: tuple[str, ...]
    rows: tuple[AnswerRow, ...]


class UnreadableAnswers(Exception):
    """The file cannot be read at all (not a workbook nor a CSV, no header row, too big)."""


class TableReader(Protocol):
    def read(self, filename: str, content: bytes) -> list[AnswerTable]: ...


class CellProblem(Exception):
    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason


@dataclass(frozen=True)
class Columns:
    """Where each wanted column is in a table (by its code), and its header as written."""

    index: Mapping[str, int]
    header: Mapping[str, str]

    def value(self, row: AnswerRow, code: str) -> object:
        position = self.index.get(code)
        if position is None or position >= len(row.values):
            return None
        return row.values[position]

    def name(self, code: str) -> str:
        return self.header.get(code, code)


def find_columns(table: AnswerTable, wanted: Mapping[str, Sequence[str]]) -> Columns:
    """The columns of ``table`` among ``wanted`` (code → accepted headers); the first match wins."""
    index: dict[str, int] = {}
    header: dict[str, str] = {}
    normalised = [normalise_label(h) for h in table.headers]
    for code, names in wanted.items():
        accepted = {normalise_label(n) for n in names}
        for position, label in enumerate(normalised):
            if label and label in accepted:
                index[code], header[code] = position, table.headers[position]
                break
        else:
            header[code] = names[0]
    return Columns(index, header)


def missing_columns(columns: Columns, required: Sequence[str]) -> list[str]:
    return [columns.name(code) for code in required if code not in columns.index]


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def cell_date(value: object, column: str) -> date:
    """A date cell, or a text ``GG/MM/AAAA`` / ``AAAA-MM-GG``."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value)
    if not text:
        raise CellProblem(column, "data mancante")
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise CellProblem(column, f"data non valida: {text!r} (atteso GG/MM/AAAA)")


def cell_amount(value: object, column: str) -> Decimal:
    """A positive amount in euro (a number cell, or text like ``1.234,56`` / ``1234.56``)."""
    try:
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            amount = amount_from_number(value)
        else:
            text = cell_text(value)
            if not text:
                raise CellProblem(column, "importo mancante")
            amount = parse_spreadsheet_amount(text)
    except ValueError as error:
        raise CellProblem(column, str(error)) from None
    if amount <= 0:
        raise CellProblem(column, f"importo non valido: {cell_text(value)!r} (deve essere maggiore di zero)")
    return amount


def rejection(table: AnswerTable, row: AnswerRow, problem: CellProblem) -> Rejection:
    return Rejection(table.sheet, row.number, problem.column, problem.reason)


def missing_columns_rejection(table: AnswerTable, missing: Sequence[str]) -> Rejection:
    return Rejection(table.sheet, 1, missing[0], f"colonne obbligatorie mancanti: {', '.join(missing)}")
