"""Formatted Excel exports the back office expects.

Italian headers, column widths, euro and date formats, a frozen header row and an autofilter.
Text that starts with ``=``, ``+``, ``-`` or ``@`` is written as a string cell, never as a formula
(no formula injection from customer-supplied data).

Any stored string can be written (``printable``): the characters a workbook cannot hold (control
characters but tab and line breaks, unpaired surrogates, U+FFFE/U+FFFF) become U+FFFD, text that
reads like an Excel escape (``_x0001_``) is escaped so Excel shows it as written, and a text longer
than a cell holds is cut. Data stored before the text policy existed still exports.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from io import BytesIO
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

EURO_FORMAT = '#,##0.00 "€";[Red]-#,##0.00 "€"'
DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
INTEGER_FORMAT = "0"
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
HEADER_FONT = Font(bold=True, color="FFFFFF")
FORMULA_PREFIXES = ("=", "+", "-", "@")
MAX_CELL_TEXT = 32_767  # characters a cell holds
REPLACEMENT = "\ufffd"
_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_EXCEL_ESCAPE = re.compile("_(?=x[0-9A-Fa-f]{4}_)")
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\\/*?:\[\]]")


def printable(text: str) -> str:
    """``text`` as a cell can hold it and Excel shows it: never raises, whatever the string."""
    if _UNWRITABLE.search(text) is not None:
        text = _UNWRITABLE.sub(REPLACEMENT, text)
    if "_x" in text:
        text = _EXCEL_ESCAPE.sub("_x005F_", text)
    if len(text) > MAX_CELL_TEXT:
        text = text[: MAX_CELL_TEXT - 1] + "…"
    return text


def sheet_title(title: str) -> str:
    """A valid sheet title: no ``\\ / * ? : [ ]``, no control character, at most 31 characters."""
    cleaned = _SHEET_TITLE_FORBIDDEN.sub("_", printable(title)).replace(REPLACEMENT, "_").strip("'")
    return cleaned[:31] or "Foglio"


class Kind(Enum):
    TEXT = "text"
    EURO = "euro"
    DATE = "date"
    DATETIME = "datetime"
    INTEGER = "integer"
    NUMBER = "number"


@dataclass(frozen=True)
class Column:
    header: str  # Italian, as the back office reads it
    kind: Kind = Kind.TEXT
    width: float | None = None  # characters; computed from the content when None


@dataclass(frozen=True)
class SheetSpec:
    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]


def _cell_value(value: Any, kind: Kind) -> Any:
    if value is None:
        return None
    if isinstance(value, Enum):
        label = getattr(value, "label", None)
        return label if isinstance(label, str) else str(value.value)
    if kind is Kind.EURO or kind is Kind.NUMBER:
        return Decimal(value) if not isinstance(value, Decimal) else value
    if kind is Kind.INTEGER:
        return int(value)
    if kind in (Kind.DATE, Kind.DATETIME):
        if isinstance(value, datetime) and value.tzinfo is not None:
            return value.replace(tzinfo=None)
        return value
    return printable(str(value))


def _style(cell: Cell, kind: Kind) -> None:
    if kind is Kind.EURO:
        cell.number_format = EURO_FORMAT
    elif kind is Kind.DATE:
        cell.number_format = DATE_FORMAT
    elif kind is Kind.DATETIME:
        cell.number_format = DATETIME_FORMAT
    elif kind is Kind.INTEGER:
        cell.number_format = INTEGER_FORMAT


def _display_width(value: Any, kind: Kind) -> int:
    if value is None:
        return 0
    if kind is Kind.EURO:
        return len(f"{value:,.2f}") + 3
    if kind is Kind.DATE or isinstance(value, date):
        return 10
    return len(str(value))


def write_sheet(sheet: Worksheet, spec: SheetSpec) -> int:
    """Fill ``sheet`` from ``spec``; returns the number of data rows written."""
    sheet.title = sheet_title(spec.title)
    widths = [len(col.header) for col in spec.columns]
    for index, column in enumerate(spec.columns, start=1):
        cell = sheet.cell(row=1, column=index, value=printable(column.header))
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=False)
    count = 0
    for row_number, row in enumerate(spec.rows, start=2):
        count += 1
        for index, (column, raw) in enumerate(zip(spec.columns, row, strict=True), start=1):
            value = _cell_value(raw, column.kind)
            cell = sheet.cell(row=row_number, column=index)
            if isinstance(value, str):
                # Assigning a str that starts with "=" makes openpyxl write a formula: force a string cell.
                cell.value = value
                if value.startswith(FORMULA_PREFIXES):
                    cell.data_type = "s"
            else:
                cell.value = value
            _style(cell, column.kind)
            widths[index - 1] = max(widths[index - 1], _display_width(value, column.kind))
    for index, column in enumerate(spec.columns, start=1):
        width = column.width if column.width is not None else min(max(widths[index - 1] + 2, 8), 60)
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    last_row = max(count + 1, 1)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(spec.columns))}{last_row}"
    return count


def build_workbook(sheets: Sequence[SheetSpec]) -> Workbook:
    workbook = Workbook()
    first = True
    for spec in sheets:
        sheet = workbook.active if first else workbook.create_sheet()
        assert isinstance(sheet, Worksheet)
        write_sheet(sheet, spec)
        first = False
    return workbook


def save_workbook(sheets: Sequence[SheetSpec], target: Path | None = None) -> bytes:
    """Write the sheets; save to ``target`` when given. Returns the file's bytes either way."""
    buffer = BytesIO()
    build_workbook(sheets).save(buffer)
    data = buffer.getvalue()
    if target is not None:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return data
