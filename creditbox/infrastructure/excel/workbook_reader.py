"""Reading an import workbook of the default profile with python-calamine.

Every row becomes a record or one or more rejections (sheet, spreadsheet row number, column as
written in the file, Italian reason). Empty rows are skipped; extra columns and unknown sheets
are ignored and reported as warnings. A file that cannot be read at all raises ``UnreadableFile``.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import Any

from python_calamine import CalamineSheet, CalamineWorkbook

from creditbox.application.records import ParsedSheet, ParsedWorkbook, Rejection, Sheet, SourcedRecord, UnreadableFile
from creditbox.infrastructure.excel.headers import header_key, match_headers
from creditbox.infrastructure.excel.profile import DEFAULT_PROFILE, PROFILE_NAME, RowError, SheetSpec

ZIP_MAGIC = b"PK\x03\x04"
# The list a sheet's records go in, by our sheet name: a plain list, or one that sends its
# records on as they come (the reading process, ``isolated_parser.py``).
RecordsFor = Callable[[str], list[SourcedRecord]]


def new_records(sheet: str) -> list[SourcedRecord]:
    return []


MISSING = "valore obbligatorio mancante"


class ExcelWorkbookParser:
    """Parses the bytes of an ``.xlsx`` file with the default profile."""

    profile = PROFILE_NAME
    profile_version: int | None = None

    def __init__(
        self, sheets: tuple[SheetSpec, ...] = DEFAULT_PROFILE, *, records_for: RecordsFor = new_records
    ) -> None:
        self._sheets = {header_key(spec.name): spec for spec in sheets}
        self._records_for = records_for

    def parse(self, content: bytes, file_name: str) -> ParsedWorkbook:
        workbook = open_workbook(content, file_name)
        warnings: list[str] = []
        found: list[tuple[SheetSpec, str]] = []
        for written in workbook.sheet_names:
            spec = self._sheets.get(header_key(written))
            if spec is None or any(spec is s for s, _ in found):
                warnings.append(f"foglio {written!r} ignorato (fogli riconosciuti: {', '.join(Sheet.ALL)})")
                continue
            found.append((spec, written))
        if not found:
            names = ", ".join(repr(n) for n in workbook.sheet_names) or "nessuno"
            raise UnreadableFile(
                f"{file_name}: nessun foglio riconosciuto (attesi: {', '.join(Sheet.ALL)}; presenti: {names})"
            )
        tables: list[tuple[SheetSpec, list[Any] | None, Iterator[list[Any]]]] = []
        for spec, written in found:
            rows = sheet_rows(workbook.get_sheet_by_name(written))
            tables.append((spec, next(rows, None), rows))
        # Check every header first: a missing required column refuses the whole file.
        layouts = []
        for spec, header, rows in tables:
            indexes, as_written, extra = match_headers(header or [], [c.label for c in spec.columns], spec.aliases)
            missing = [label for label in spec.required if label not in indexes]
            if missing and header is None:
                warnings.append(f"foglio {spec.name!r} vuoto: ignorato")
                continue
            if missing:
                raise UnreadableFile(
                    f"{file_name}: nel foglio {spec.name!r} mancano le colonne obbligatorie: {', '.join(missing)}"
                )
            for column in extra:
                warnings.append(f"foglio {spec.name!r}: colonna {column!r} ignorata")
            layouts.append((spec, rows, indexes, as_written))
        sheets: dict[str, ParsedSheet] = {}
        for name in Sheet.ALL:
            for spec, rows, indexes, as_written in layouts:
                if spec.name == name:
                    sheets[name] = _parse_rows(spec, rows, indexes, as_written, self._records_for(name))
        workbook.close()
        return ParsedWorkbook(sheets=sheets, warnings=warnings, profile=self.profile)


def open_workbook(content: bytes, file_name: str) -> CalamineWorkbook:
    if not content.startswith(ZIP_MAGIC):
        raise UnreadableFile(f"{file_name}: non è una cartella di lavoro Excel (.xlsx)")
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(content))
    except Exception as error:  # calamine raises several error types for corrupt files
        raise UnreadableFile(f"{file_name}: file Excel illeggibile ({error})") from None


def sheet_rows(sheet: CalamineSheet) -> Iterator[list[Any]]:
    """The sheet's rows from A1, converted one at a time (a big sheet is never held as Python
    lists): ``iter_rows`` when the used range starts at A1, else the padded whole."""
    if sheet.start in (None, (0, 0)):
        return iter(sheet.iter_rows())
    return iter(sheet.to_python(skip_empty_area=False))


def _blank(cell: Any) -> bool:
    return cell is None or cell == "" or (type(cell) is str and cell.isspace())


def _parse_rows(
    spec: SheetSpec,
    rows: Iterator[list[Any]],
    indexes: dict[str, int],
    as_written: dict[str, str],
    records: list[SourcedRecord],
) -> ParsedSheet:
    """The hot loop of the import: kept tight on purpose (hundreds of thousands of rows)."""
    sheet = ParsedSheet(name=spec.name, headers=dict(as_written), records=records)
    present = [
        (c.field, c.required, c.parse, indexes[c.label], as_written[c.label])
        for c in spec.columns
        if c.label in indexes
    ]
    absent = {c.field: None for c in spec.columns if c.label not in indexes}
    used = sorted(indexes.values())
    first = indexes[spec.columns[0].label]
    name = spec.name
    build = spec.build
    append = sheet.records.append
    rejections = sheet.rejections
    for offset, row in enumerate(rows, start=1):
        if len(row) <= used[-1]:
            row = [*row, *([""] * (used[-1] + 1 - len(row)))]
        lead = row[first]
        if (lead == "" or lead is None or (type(lead) is str and lead.isspace())) and all(_blank(row[i]) for i in used):
            continue
        number = offset + 1
        parsed = dict(absent)
        errors: list[Rejection] | None = None
        for field, required, parse, index, header in present:
            cell = row[index]
            if cell == "" or cell is None or (type(cell) is str and cell.isspace()):
                if required:
                    errors = errors or []
                    errors.append(Rejection(name, number, header, MISSING))
                parsed[field] = None
                continue
            try:
                parsed[field] = parse(cell)
            except ValueError as error:
                errors = errors or []
                errors.append(Rejection(name, number, header, str(error)))
        if errors is None:
            try:
                append(SourcedRecord(name, number, build(parsed)))
                continue
            except RowError as error:
                errors = [Rejection(name, number, as_written.get(error.column, error.column), str(error))]
        rejections.extend(errors)
        sheet.rejected_rows.add(number)
    return sheet
