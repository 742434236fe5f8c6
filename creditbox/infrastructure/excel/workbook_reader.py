"""Reading an import workbook of the default profile with python-calamine.

Every row becomes a record or one or more rejections (sheet, spreadsheet row number, column as
written in the file, Italian reason). Empty rows are skipped; extra columns and unknown sheets
are ignored and reported as warnings. A file that cannot be read at all raises ``UnreadableFile``.
"""

from __future__ import annotations

import io
from typing import Any

from python_calamine import CalamineWorkbook

from creditbox.application.records import ParsedSheet, ParsedWorkbook, Rejection, Sheet, SourcedRecord, UnreadableFile
from creditbox.infrastructure.excel.headers import header_key, match_headers
from creditbox.infrastructure.excel.profile import DEFAULT_PROFILE, PROFILE_NAME, RowError, SheetSpec

ZIP_MAGIC = b"PK\x03\x04"
MISSING = "valore obbligatorio mancante"


class ExcelWorkbookParser:
    """Parses the bytes of an ``.xlsx`` file with the default profile."""

    profile = PROFILE_NAME

    def __init__(self, sheets: tuple[SheetSpec, ...] = DEFAULT_PROFILE) -> None:
        self._sheets = {header_key(spec.name): spec for spec in sheets}

    def parse(self, content: bytes, file_name: str) -> ParsedWorkbook:
        workbook = _open(content, file_name)
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
        tables: list[tuple[SheetSpec, list[list[Any]]]] = []
        for spec, written in found:
            rows = workbook.get_sheet_by_name(written).to_python(skip_empty_area=False)
            tables.append((spec, rows))
        workbook.close()
        # Check every header first: a missing required column refuses the whole file.
        layouts = []
        for spec, rows in tables:
            header = rows[0] if rows else []
            indexes, as_written, extra = match_headers(header, [c.label for c in spec.columns], spec.aliases)
            missing = [label for label in spec.required if label not in indexes]
            if missing and not rows:
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
                    sheets[name] = _parse_rows(spec, rows, indexes, as_written)
        return ParsedWorkbook(sheets=sheets, warnings=warnings, profile=self.profile)


def _open(content: bytes, file_name: str) -> CalamineWorkbook:
    if not content.startswith(ZIP_MAGIC):
        raise UnreadableFile(f"{file_name}: non è una cartella di lavoro Excel (.xlsx)")
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(content))
    except Exception as error:  # calamine raises several error types for corrupt files
        raise UnreadableFile(f"{file_name}: file Excel illeggibile ({error})") from None


def _parse_rows(
    spec: SheetSpec, rows: list[list[Any]], indexes: dict[str, int], as_written: dict[str, str]
) -> ParsedSheet:
    sheet = ParsedSheet(name=spec.name, headers=dict(as_written))
    columns = [(c.label, c.field, c.required, c.parse, indexes.get(c.label)) for c in spec.columns]
    used = sorted(i for i in indexes.values())
    name = spec.name
    build = spec.build
    records = sheet.records
    rejections = sheet.rejections
    for offset in range(1, len(rows)):
        row = rows[offset]
        width = len(row)
        if all(
            (row[i] == "" or row[i] is None or (type(row[i]) is str and not row[i].strip())) for i in used if i < width
        ):
            continue
        number = offset + 1
        parsed: dict[str, Any] = {}
        errors: list[Rejection] = []
        for label, field, required, parse, index in columns:
            cell = row[index] if index is not None and index < width else None
            if cell is None or cell == "" or (type(cell) is str and not cell.strip()):
                if required:
                    errors.append(Rejection(name, number, as_written.get(label, label), MISSING))
                parsed[field] = None
                continue
            try:
                parsed[field] = parse(cell)
            except ValueError as error:
                errors.append(Rejection(name, number, as_written.get(label, label), str(error)))
        if not errors:
            try:
                records.append(SourcedRecord(name, number, build(parsed)))
                continue
            except RowError as error:
                errors.append(Rejection(name, number, as_written.get(error.column, error.column), str(error)))
        rejections.extend(errors)
        sheet.rejected_rows.add(number)
    return sheet
