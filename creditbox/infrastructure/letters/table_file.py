"""A small table file as rows: a CSV (``;``, ``,`` or tab, UTF-8 with or without BOM, or Windows
Latin-1) or an Excel workbook (``.xlsx``, checked against the workbook limits before it is read).

The inbound files of the providers (the postal A/R outcomes) come in either form; the importer reads
rows by their header, whatever the form.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from python_calamine import CalamineWorkbook

from creditbox.application.records import UnreadableFile
from creditbox.infrastructure.excel.tables import sheet_rows
from creditbox.infrastructure.excel.workbook_guard import ZIP_MAGIC, WorkbookLimits, check_workbook

DELIMITERS = (";", ",", "\t")
# An outcomes file has a row per letter: a few thousand a day; far more is not an outcomes file.
LIMITS = WorkbookLimits(max_rows=200_000, max_columns=64, max_cells=5_000_000)


@dataclass(frozen=True)
class Table:
    """One sheet (or the CSV file): its name for the rejections, and its rows numbered as a
    spreadsheet numbers them (the first row is 1)."""

    sheet: str
    rows: list[tuple[int, list[Any]]]


def read_tables(filename: str, content: bytes) -> list[Table]:
    """The sheets of a workbook, or the one table of a CSV file (named after the file)."""
    if content.startswith(ZIP_MAGIC):
        return _workbook(filename, content)
    return [Table(filename, list(_csv_rows(filename, content)))]


def _workbook(filename: str, content: bytes) -> list[Table]:
    check_workbook(content, filename, LIMITS)
    workbook = open_workbook(content, filename)
    try:
        tables = []
        for name in workbook.sheet_names:
            sheet = workbook.get_sheet_by_name(name)
            tables.append(Table(name, list(enumerate(sheet_rows(sheet), 1))))
        return tables
    finally:
        workbook.close()


def open_workbook(content: bytes, file_name: str) -> CalamineWorkbook:
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(content))
    except Exception as error:  # calamine raises several error types for corrupt files
        raise UnreadableFile(f"{file_name}: file Excel illeggibile ({error})") from None


def _csv_rows(filename: str, content: bytes) -> Iterator[tuple[int, list[Any]]]:
    text = _decode(filename, content)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(DELIMITERS, key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            yield reader.line_num, row
    except csv.Error as error:
        raise UnreadableFile(f"{filename}: CSV illeggibile alla riga {reader.line_num} ({error})") from None


def _decode(filename: str, content: bytes) -> str:
    if b"\x00" in content:
        raise UnreadableFile(f"{filename}: non è un file CSV né una cartella di lavoro Excel (.xlsx)")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return content.decode("cp1252")
        except UnicodeDecodeError:
            raise UnreadableFile(f"{filename}: testo in una codifica sconosciuta (usare UTF-8)") from None
