"""One reader for every file an import accepts: the tables of a workbook or of a CSV file.

``open_tables`` chooses by content and name (``application/file_formats.py``): ``.xlsx``,
``.xls`` and ``.ods`` are read with python-calamine, CSV with the standard ``csv`` module. Either
way the readers of the default layout and of the profiles see the same thing: table names and,
for each, its rows from the first one, converted one at a time (a big table is never held as
Python lists).

A CSV file is one table, named after the file: rejections name the file as their sheet. Its
bytes are decoded as they are read:

- **encoding**: UTF-8 (with or without its BOM) when the bytes are valid UTF-8, else
  Windows-1252 (what Italian software on Windows writes); a profile may set it;
- **delimiter**: ``;``, ``,`` or tab, the one the header line holds most of (outside quotes);
  a profile may set it;
- **decimal separator**, per column: from the amounts of the first rows (``12,50`` is a comma,
  ``12.50`` a point), else the file's habit (a ``;`` file writes decimal commas, a ``,`` file
  decimal points); a profile may set it. Only amount columns use it, to read ``1.234`` (one
  thousand two hundred thirty-four in a comma column), which would otherwise be ambiguous.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain
from typing import Any, Protocol

from python_calamine import CalamineSheet, CalamineWorkbook

from creditbox.application.file_formats import FileFormat, detect_format
from creditbox.application.records import UnreadableFile
from creditbox.infrastructure.excel.workbook_guard import WorkbookLimits, thousands

UTF8 = "utf-8"
WINDOWS_1252 = "windows-1252"
ENCODINGS = {"utf-8": UTF8, "utf8": UTF8, "windows-1252": WINDOWS_1252, "cp1252": WINDOWS_1252}
DELIMITERS = (";", ",", "\t")
DECIMALS = (",", ".")
SAMPLE_ROWS = 1_000
_CHUNK = 1 << 20
_COMMA_AMOUNT = re.compile(r"^[^\d,.]*-?[\d.]*\d,\d{1,2}[^\d,.]*$")
_POINT_AMOUNT = re.compile(r"^[^\d,.]*-?[\d,]*\d\.\d{1,2}[^\d,.]*$")
_THOUSANDS_POINTS = re.compile(r"^[^\d,.]*-?\d{1,3}(\.\d{3})+[^\d,.]*$")
_THOUSANDS_COMMAS = re.compile(r"^[^\d,.]*-?\d{1,3}(,\d{3})+[^\d,.]*$")


@dataclass(frozen=True)
class CsvOptions:
    """What a profile may set for CSV files; None: detected."""

    encoding: str | None = None
    delimiter: str | None = None
    decimal: str | None = None


class Tables(Protocol):
    """The tables of one file. ``text`` is True for a CSV file (its one table serves every sheet
    a profile names, and the default layout chooses its sheet by the file's name)."""

    text: bool

    @property
    def names(self) -> list[str]: ...

    def rows(self, name: str) -> Iterator[list[Any]]: ...

    def decimal(self, name: str, index: int) -> str | None:
        """The decimal separator of a text column (CSV); None for a workbook (number cells)."""
        ...

    def position(self) -> tuple[int, int]:
        """How far the reading has got (done, total): bytes of a CSV file, rows of the sheets
        opened so far of a workbook."""
        ...

    def close(self) -> None: ...


class WorkbookTables:
    text = False

    def __init__(self, workbook: CalamineWorkbook) -> None:
        self._workbook = workbook
        self._rows = 0
        self._total = 0

    @property
    def names(self) -> list[str]:
        return list(self._workbook.sheet_names)

    def rows(self, name: str) -> Iterator[list[Any]]:
        sheet = self._workbook.get_sheet_by_name(name)
        self._total += sheet.height
        return self._counted(sheet_rows(sheet))

    def _counted(self, rows: Iterator[list[Any]]) -> Iterator[list[Any]]:
        for row in rows:
            self._rows += 1
            yield row

    def position(self) -> tuple[int, int]:
        return self._rows, max(self._total, self._rows)

    def decimal(self, name: str, index: int) -> str | None:
        return None

    def close(self) -> None:
        self._workbook.close()


def sheet_rows(sheet: CalamineSheet) -> Iterator[list[Any]]:
    """The sheet's rows from A1, converted one at a time: ``iter_rows`` when the used range
    starts at A1, else the padded whole."""
    if sheet.start in (None, (0, 0)):
        return iter(sheet.iter_rows())
    return iter(sheet.to_python(skip_empty_area=False))


class CsvTables:
    """A CSV file as one table named after the file, read as it streams."""

    text = True

    def __init__(self, content: bytes, file_name: str, options: CsvOptions, limits: WorkbookLimits) -> None:
        self._name = file_name
        self._limits = limits
        self.encoding = options.encoding or guess_encoding(content)
        if self.encoding == UTF8 and content.startswith(codecs.BOM_UTF8):
            content = content[len(codecs.BOM_UTF8) :]
        self._raw = io.BytesIO(content)
        self._size = len(content)
        # Kept: a text wrapper let go closes the bytes under it (``position`` reads them).
        self._stream = stream = io.TextIOWrapper(self._raw, encoding=self.encoding, errors="strict", newline="")
        try:
            first = stream.readline()
        except UnicodeDecodeError as error:
            raise _undecodable(file_name, self.encoding, error) from None
        self.delimiter = options.delimiter or sniff_delimiter(first)
        self._reader = csv.reader(chain([first], stream), delimiter=self.delimiter, strict=False)
        self._sample: list[list[str]] = []
        for row in self._read():
            self._sample.append(row)
            if len(self._sample) > SAMPLE_ROWS:
                break
        habit = options.decimal or {";": ",", ",": "."}.get(self.delimiter)
        self._decimals = _column_decimals(self._sample[1:], options.decimal, habit)

    @property
    def names(self) -> list[str]:
        return [self._name]

    def rows(self, name: str) -> Iterator[list[Any]]:
        sample, self._sample = self._sample, []
        return chain(sample, self._read())

    def decimal(self, name: str, index: int) -> str | None:
        return self._decimals.get(index, self._decimals.get(-1))

    def position(self) -> tuple[int, int]:
        return self._raw.tell(), self._size

    def close(self) -> None:
        self._sample = []

    def _read(self) -> Iterator[list[str]]:
        limits, name = self._limits, self._name
        try:
            for row in self._reader:
                if len(row) > limits.max_columns:
                    raise UnreadableFile(
                        f"{name}: file rifiutato: la riga {thousands(self._reader.line_num)} ha {len(row)} colonne"
                        f" (limite {thousands(limits.max_columns)})"
                    )
                if self._reader.line_num > limits.max_rows:
                    raise UnreadableFile(
                        f"{name}: file rifiutato: oltre {thousands(limits.max_rows)} righe"
                        " (limite CREDITBOX_IMPORT_MAX_ROWS)"
                    )
                yield row
        except UnicodeDecodeError as error:
            raise _undecodable(name, self.encoding, error) from None
        except csv.Error as error:
            raise UnreadableFile(f"{name}: file CSV illeggibile alla riga {self._reader.line_num} ({error})") from None


def _undecodable(file_name: str, encoding: str, error: UnicodeDecodeError) -> UnreadableFile:
    return UnreadableFile(f"{file_name}: file di testo non leggibile con la codifica {encoding} ({error.reason})")


def guess_encoding(content: bytes) -> str:
    """UTF-8 when the bytes are valid UTF-8 (checked chunk by chunk, nothing kept), else Windows-1252."""
    decoder = codecs.getincrementaldecoder(UTF8)()
    try:
        for start in range(0, len(content), _CHUNK):
            decoder.decode(content[start : start + _CHUNK])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return WINDOWS_1252
    return UTF8


def sniff_delimiter(header: str) -> str:
    """The delimiter the header line holds most of, outside quotes (``;`` on a tie or none)."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for character in header:
        if character == '"':
            quoted = not quoted
        elif not quoted and character in counts:
            counts[character] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])  # max keeps the first of equals: ';'
    return best if counts[best] else ";"


def _column_decimals(sample: list[list[str]], chosen: str | None, habit: str | None) -> dict[int, str]:
    """Each column's decimal separator: the profile's choice, else what its amounts show when
    they agree, else the file's habit (key -1)."""
    decimals: dict[int, str] = {}
    if chosen is not None:
        return {-1: chosen}
    if habit is not None:
        decimals[-1] = habit
    votes: dict[int, set[str]] = {}
    for row in sample:
        for index, cell in enumerate(row):
            text = cell.strip()
            if _COMMA_AMOUNT.match(text):
                votes.setdefault(index, set()).add(",")
            elif _POINT_AMOUNT.match(text):
                votes.setdefault(index, set()).add(".")
    for index, seen in votes.items():
        if len(seen) == 1:
            decimals[index] = next(iter(seen))
    return decimals


def with_decimal(cell: object, decimal: str | None) -> object:
    """A text amount made unambiguous by its column's decimal separator: ``1.234`` in a comma
    column is 1234 (the dots group thousands), ``1,234`` in a point column too. Anything else
    is left to the amount parser as written."""
    if type(cell) is not str or decimal is None:
        return cell
    if decimal == "," and "," not in cell and _THOUSANDS_POINTS.match(cell.strip()):
        return cell.replace(".", "")
    if decimal == "." and "." not in cell and _THOUSANDS_COMMAS.match(cell.strip()):
        return cell.replace(",", "")
    return cell


def open_tables(
    content: bytes, file_name: str, csv_options: CsvOptions | None = None, limits: WorkbookLimits | None = None
) -> Tables:
    """The tables of ``content``, or ``UnreadableFile`` (a format we do not read, a corrupt file)."""
    kind = detect_format(content, file_name)
    if kind is FileFormat.CSV:
        return CsvTables(content, file_name, csv_options or CsvOptions(), limits or WorkbookLimits())
    try:
        return WorkbookTables(CalamineWorkbook.from_filelike(io.BytesIO(content)))
    except Exception as error:  # calamine raises several error types for corrupt files
        raise UnreadableFile(f"{file_name}: file Excel illeggibile ({error})") from None
