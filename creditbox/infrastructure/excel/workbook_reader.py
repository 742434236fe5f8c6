"""Reading an import file of the default layout (a workbook, or a CSV file holding one sheet).

Every row becomes a record or one or more rejections (sheet, spreadsheet row number, column as
written in the file, Italian reason). Empty rows are skipped; extra columns and unknown sheets
are ignored and reported as warnings. A file that cannot be read at all raises ``UnreadableFile``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from creditbox.application.ports import ReadProgress
from creditbox.application.records import ParsedSheet, ParsedWorkbook, Rejection, Sheet, SourcedRecord, UnreadableFile
from creditbox.domain.import_layout import LAYOUT, Kind
from creditbox.infrastructure.excel.headers import header_key, match_headers
from creditbox.infrastructure.excel.profile import DEFAULT_PROFILE, PROFILE_NAME, RowError, SheetSpec
from creditbox.infrastructure.excel.tables import Tables, open_tables, with_decimal
from creditbox.infrastructure.excel.workbook_guard import WorkbookLimits

_AMOUNTS = {c.label for columns in LAYOUT.values() for c in columns if c.kind is Kind.AMOUNT}
# The list a sheet's records go in, by our sheet name: a plain list, or one that sends its
# records on as they come (the reading process, ``isolated_parser.py``).
RecordsFor = Callable[[str], list[SourcedRecord]]


def new_records(sheet: str) -> list[SourcedRecord]:
    return []


MISSING = "valore obbligatorio mancante"
TICK_ROWS = 4096  # rows between two reports of the reading's progress
# Called now and then as rows are read (None: nobody listens).
Tick = Callable[[], None] | None


class ExcelWorkbookParser:
    """Parses the bytes of an ``.xlsx``, ``.xls``, ``.ods`` or CSV file with the default profile."""

    profile = PROFILE_NAME
    profile_version: int | None = None

    def __init__(
        self,
        sheets: tuple[SheetSpec, ...] = DEFAULT_PROFILE,
        *,
        records_for: RecordsFor = new_records,
        limits: WorkbookLimits | None = None,
    ) -> None:
        self._sheets = {header_key(spec.name): spec for spec in sheets}
        self._records_for = records_for
        self._limits = limits

    def parse(self, content: bytes, file_name: str, on_read: ReadProgress | None = None) -> ParsedWorkbook:
        tables = open_tables(content, file_name, limits=self._limits)
        try:
            return self._parse(tables, file_name, reporter(tables, on_read))
        finally:
            tables.close()

    def _parse(self, tables: Tables, file_name: str, tick: Tick) -> ParsedWorkbook:
        warnings: list[str] = []
        found: list[tuple[SheetSpec, str]] = []
        for written in tables.names:
            spec = self._csv_sheet(written) if tables.text else self._sheets.get(header_key(written))
            if spec is None or any(spec is s for s, _ in found):
                warnings.append(f"foglio {written!r} ignorato (fogli riconosciuti: {', '.join(Sheet.ALL)})")
                continue
            found.append((spec, written))
        if not found:
            if tables.text:
                raise UnreadableFile(
                    f"{file_name}: il nome del file CSV deve dire quale foglio contiene"
                    f" ({', '.join(f'{s.lower()}.csv' for s in Sheet.ALL)}, anche con un seguito:"
                    " bollette-marzo.csv), oppure importarlo con un profilo (--profile)"
                )
            names = ", ".join(repr(n) for n in tables.names) or "nessuno"
            raise UnreadableFile(
                f"{file_name}: nessun foglio riconosciuto (attesi: {', '.join(Sheet.ALL)}; presenti: {names})"
            )
        opened: list[tuple[SheetSpec, str, list[Any] | None, Iterator[list[Any]]]] = []
        for spec, written in found:
            rows = tables.rows(written)
            opened.append((spec, written, next(rows, None), rows))
        # Check every header first: a missing required column refuses the whole file.
        layouts = []
        for spec, written, header, rows in opened:
            indexes, as_written, extra = match_headers(header or [], [c.label for c in spec.columns], spec.aliases)
            missing = [label for label in spec.required if label not in indexes]
            shown = written if tables.text else spec.name
            if missing and header is None:
                warnings.append(f"foglio {shown!r} vuoto: ignorato")
                continue
            if missing:
                raise UnreadableFile(
                    f"{file_name}: nel foglio {shown!r} mancano le colonne obbligatorie: {', '.join(missing)}"
                )
            for column in extra:
                warnings.append(f"foglio {shown!r}: colonna {column!r} ignorata")
            decimals = {label: tables.decimal(written, index) for label, index in indexes.items()}
            source = written if tables.text else None
            layouts.append((spec, rows, indexes, as_written, decimals, source))
        sheets: dict[str, ParsedSheet] = {}
        for name in Sheet.ALL:
            for spec, rows, indexes, as_written, decimals, source in layouts:
                if spec.name == name:
                    sheet = _parse_rows(spec, rows, indexes, as_written, decimals, self._records_for(name), tick)
                    sheet.source = source
                    sheets[name] = sheet
        if tick is not None:
            tick()
        return ParsedWorkbook(sheets=sheets, warnings=warnings, profile=self.profile)

    def _csv_sheet(self, file_name: str) -> SheetSpec | None:
        """The sheet a CSV file of our layout holds, by its name: ``bollette.csv``, ``Bollette marzo.csv``."""
        stem = header_key(file_name.rsplit(".", 1)[0])
        return next((spec for key, spec in self._sheets.items() if stem.startswith(key)), None)


def reporter(tables: Tables, on_read: ReadProgress | None) -> Tick:
    """What the row loops call now and then to report how far the reading has got."""
    if on_read is None:
        return None
    return lambda: on_read(*tables.position())


def amount_parser(parse: Callable[[object], Any], decimal: str | None) -> Callable[[object], Any]:
    """``parse`` reading text amounts with the column's decimal separator (CSV columns)."""
    if decimal is None:
        return parse
    return lambda cell: parse(with_decimal(cell, decimal))


def _blank(cell: Any) -> bool:
    return cell is None or cell == "" or (type(cell) is str and cell.isspace())


def _parse_rows(
    spec: SheetSpec,
    rows: Iterator[list[Any]],
    indexes: dict[str, int],
    as_written: dict[str, str],
    decimals: dict[str, str | None],
    records: list[SourcedRecord],
    tick: Tick = None,
) -> ParsedSheet:
    """The hot loop of the import: kept tight on purpose (hundreds of thousands of rows)."""
    sheet = ParsedSheet(name=spec.name, headers=dict(as_written), records=records)
    present = [
        (
            c.field,
            c.required,
            amount_parser(c.parse, decimals[c.label]) if c.label in _AMOUNTS else c.parse,
            indexes[c.label],
            as_written[c.label],
        )
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
        if tick is not None and not offset % TICK_ROWS:
            tick()
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
