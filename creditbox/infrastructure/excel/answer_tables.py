"""Reading the offices' answer files (``TableReader``): an Excel workbook (every sheet whose first
row has headers) or a CSV separated by ``;`` (or ``,`` when the header has no ``;``), UTF-8 with or
without a byte-order mark, Windows-1252 otherwise.

A workbook is checked (``workbook_guard``: size, members, compression ratio) before it is opened.
"""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

from openpyxl import load_workbook

from creditbox.application.answer_tables import AnswerRow, AnswerTable, UnreadableAnswers
from creditbox.application.records import UnreadableFile
from creditbox.infrastructure.excel.workbook_guard import ZIP_MAGIC, check_workbook

CSV_SHEET = "CSV"


class AnswerTableReader:
    def read(self, filename: str, content: bytes) -> list[AnswerTable]:
        if content.startswith(ZIP_MAGIC):
            return self._workbook(filename, content)
        return [self._csv(filename, content)]

    def _workbook(self, filename: str, content: bytes) -> list[AnswerTable]:
        try:
            check_workbook(content, filename)
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except UnreadableFile as error:
            raise UnreadableAnswers(str(error)) from None
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
            raise UnreadableAnswers(f"{filename}: file Excel illeggibile ({error})") from None
        tables = []
        try:
            for sheet in workbook.worksheets:
                rows = sheet.iter_rows(values_only=True)
                header = next(rows, None)
                if header is None or all(_blank(v) for v in header):
                    continue
                body = tuple(
                    AnswerRow(number, tuple(values))
                    for number, values in enumerate(rows, start=2)
                    if not all(_blank(v) for v in values)
                )
                tables.append(AnswerTable(sheet.title, tuple(_header(h) for h in header), body))
        finally:
            workbook.close()
        if not tables:
            raise UnreadableAnswers(f"{filename}: nessun foglio con una riga di intestazione")
        return tables

    def _csv(self, filename: str, content: bytes) -> AnswerTable:
        text = _decode(content)
        lines = text.splitlines()
        if not lines or not lines[0].strip():
            raise UnreadableAnswers(f"{filename}: file vuoto o senza riga di intestazione")
        delimiter = ";" if ";" in lines[0] or "," not in lines[0] else ","
        records = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        header = tuple(_header(h) for h in records[0])
        body = tuple(
            AnswerRow(number, tuple(values))
            for number, values in enumerate(records[1:], start=2)
            if not all(_blank(v) for v in values)
        )
        return AnswerTable(CSV_SHEET, header, body)


def _decode(content: bytes) -> str:
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8", errors="replace")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _header(value: Any) -> str:
    return "" if value is None else str(value).strip()
