"""Reading a workbook in another company's layout through its import profile (the *convertitore*).

The profile (``domain/import_profile_rules.py``) says, for each of our sheets, which sheet of
theirs holds it, on which row its header is, which header of theirs feeds each of our columns
(or which constant), how their values translate into ours and how their dates are written.
Cells are then parsed by the default profile's own parsers (``profile.py``, ``values.py``) and
records are built by the same builders, so a file read through a profile gives exactly the
records the same data in the default layout gives. Rejections name *their* sheet, row and header.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from itertools import chain, islice
from typing import Any

from creditbox.application.ports import ReadProgress
from creditbox.application.records import (
    ParsedSheet,
    ParsedWorkbook,
    Record,
    Rejection,
    Sheet,
    SourcedRecord,
    SupplyRecord,
    UnreadableFile,
)
from creditbox.domain.import_layout import LAYOUT, Kind
from creditbox.domain.import_profile import ProfileVersion
from creditbox.domain.import_profile_rules import ColumnMapping, ProfileDocument, SheetMapping, value_key
from creditbox.infrastructure.excel import values
from creditbox.infrastructure.excel.headers import header_key
from creditbox.infrastructure.excel.profile import DEFAULT_PROFILE, RowError, SheetSpec
from creditbox.infrastructure.excel.tables import CsvOptions, Tables, open_tables
from creditbox.infrastructure.excel.workbook_guard import WorkbookLimits
from creditbox.infrastructure.excel.workbook_reader import (
    MISSING,
    TICK_ROWS,
    RecordsFor,
    Tick,
    amount_parser,
    new_records,
    reporter,
)

_SPECS = {spec.name: spec for spec in DEFAULT_PROFILE}
_NO_DEFAULT = object()
DEFAULTED = "valore predefinito del profilo"
_AMOUNTS = {c.label for columns in LAYOUT.values() for c in columns if c.kind is Kind.AMOUNT}


def check_profile_value(sheet: str, column: str, value: object) -> str | None:
    """The reason ``value`` (a default or a value-map target) is not valid in our column, or None:
    the check the profile validation delegates to the default profile's parsers."""
    spec = next((c for c in _SPECS[sheet].columns if c.label == column), None)
    if spec is None:
        return None
    try:
        spec.parse(value)
    except ValueError as error:
        return str(error)
    return None


def dated(fmt: str) -> Callable[[object], date]:
    """A date parser for text written as ``fmt`` (``%d.%m.%Y``); date cells are taken as they are."""

    def parse(cell: object) -> date:
        return values.in_business_range(_as_written(cell))

    def _as_written(cell: object) -> date:
        if isinstance(cell, datetime):
            return cell.date()
        if isinstance(cell, date):
            return cell
        raw = values.text(cell)
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            example = date(2026, 1, 31).strftime(fmt)
            raise ValueError(f"data non valida: {raw!r} (formato atteso {fmt}, es. {example})") from None

    return parse


@dataclass(frozen=True)
class _Column:
    field: str
    label: str
    required: bool
    parse: Callable[[object], Any]
    header: str | None  # theirs
    default: Any  # parsed, or _NO_DEFAULT
    values: dict[str, Any] | None  # value_key(theirs) -> parsed value of ours


def _plan(spec: SheetSpec, mapping: SheetMapping, document: ProfileDocument, problems: list[str]) -> list[_Column]:
    by_label: dict[str, ColumnMapping] = {c.column: c for c in mapping.columns}
    kinds = {c.label: c.kind for c in LAYOUT[spec.name]}
    plan = []
    for column in spec.columns:
        mapped = by_label.get(column.label)
        if mapped is None:
            continue
        parse = column.parse
        fmt = mapped.date_format or document.date_format
        if fmt and kinds[column.label] is Kind.DATE:
            parse = dated(fmt)
        where = f"foglio «{spec.name}», colonna «{column.label}»"
        default = _NO_DEFAULT
        if mapped.default is not None:
            default = _constant(parse, mapped.default, f"{where}: valore predefinito", problems)
        table = {value_key(k): _constant(parse, v, f"{where}: 'values': {k!r} →", problems) for k, v in mapped.values}
        plan.append(_Column(column.field, column.label, column.required, parse, mapped.header, default, table or None))
    return plan


def _constant(parse: Callable[[object], Any], raw: object, where: str, problems: list[str]) -> Any:
    """A default or value-map target, parsed once. It was valid when the profile was recorded; a
    rule that became stricter since makes the profile refuse files (``parse``) until it is revised."""
    try:
        return parse(raw)
    except ValueError as error:
        problems.append(f"{where} {raw!r}: {error}")
        return None


class ProfileWorkbookParser:
    """Parses the bytes of a file (``.xlsx``, ``.xls``, ``.ods``, CSV) in another layout, as one version
    of a profile describes it. A CSV file is one table, which every sheet of the profile reads."""

    def __init__(
        self, profile: ProfileVersion, *, records_for: RecordsFor = new_records, limits: WorkbookLimits | None = None
    ) -> None:
        self._records_for = records_for
        self._limits = limits
        self.profile = profile.name
        self.profile_version = profile.version
        self._problems: list[str] = []
        settings = profile.document.csv
        self._csv = CsvOptions(settings.encoding, settings.delimiter, settings.decimal) if settings else None
        self._plans = [
            (mapping, _SPECS[mapping.sheet], _plan(_SPECS[mapping.sheet], mapping, profile.document, self._problems))
            for mapping in profile.document.sheets
        ]

    def _expected(self) -> str:
        return ", ".join(f"{m.source!r} ({m.sheet})" for m, _, _ in self._plans)

    def parse(self, content: bytes, file_name: str, on_read: ReadProgress | None = None) -> ParsedWorkbook:
        if self._problems:
            raise UnreadableFile(
                f"{file_name}: il profilo {self.profile!r} (versione {self.profile_version}) non è più valido:"
                f" {'; '.join(self._problems)}"
            )
        tables = open_tables(content, file_name, self._csv, self._limits)
        try:
            return self._parse(tables, file_name, reporter(tables, on_read))
        finally:
            tables.close()

    def _parse(self, tables: Tables, file_name: str, tick: Tick) -> ParsedWorkbook:
        warnings: list[str] = []
        if tables.text:  # a CSV file is one table: every sheet of the profile reads it
            only = tables.names[0]
            present = [(m, s, p, only) for m, s, p in self._plans]
        else:
            written = {header_key(name): name for name in reversed(tables.names)}  # first one wins
            wanted = {header_key(m.source) for m, _, _ in self._plans}
            warnings = [
                f"foglio {name!r} ignorato (fogli del profilo {self.profile!r}: {self._expected()})"
                for name in tables.names
                if header_key(name) not in wanted or written[header_key(name)] != name
            ]
            present = [
                (m, s, p, written[header_key(m.source)]) for m, s, p in self._plans if header_key(m.source) in written
            ]
            if not present:
                names = ", ".join(repr(n) for n in tables.names) or "nessuno"
                raise UnreadableFile(
                    f"{file_name}: nessun foglio del profilo {self.profile!r}"
                    f" (attesi: {self._expected()}; presenti: {names})"
                )
        # Every header is checked before a row is parsed: a missing required column refuses the
        # whole file. Each table is then read once, whatever number of our sheets it feeds.
        opened: dict[str, tuple[list[list[Any]], Iterator[list[Any]]]] = {}
        for _, _, _, name in present:
            if name not in opened:
                rows = tables.rows(name)
                top = max(m.header_row for m, _, _, n in present if n == name)
                opened[name] = (list(islice(rows, top)), rows)
        readers: list[_SheetReader] = []
        used: dict[str, set[int]] = {}
        for mapping, spec, plan, name in present:
            head = opened[name][0]
            if len(head) < mapping.header_row:
                warnings.append(f"foglio {name!r} vuoto: ignorato ({spec.name})")
                continue
            header = head[mapping.header_row - 1]
            indexes = _header_indexes(header)
            columns: list[tuple[_Column, int | None, str]] = []
            missing = []
            for column in plan:
                index = indexes.get(header_key(column.header)) if column.header is not None else None
                if index is not None:
                    if column.label in _AMOUNTS:
                        column = replace(column, parse=amount_parser(column.parse, tables.decimal(name, index)))
                    columns.append((column, index, _header_text(header[index])))
                    continue
                if column.header is not None:
                    if column.required and column.default is _NO_DEFAULT:
                        missing.append(f"{column.header!r} ({column.label})")
                        continue
                    warnings.append(f"foglio {name!r}: colonna {column.header!r} ({column.label}) assente")
                shown = f"{column.label} ({DEFAULTED})" if column.default is not _NO_DEFAULT else column.header
                columns.append((column, None, shown or column.label))
            if missing:
                raise UnreadableFile(
                    f"{file_name}: nel foglio {name!r} (intestazione alla riga {mapping.header_row})"
                    f" mancano le colonne obbligatorie: {', '.join(missing)}"
                )
            used.setdefault(name, set()).update(i for _, i, _ in columns if i is not None)
            readers.append(_SheetReader(spec, name, mapping.header_row, columns, self._records_for(spec.name)))
        for name, taken in used.items():
            for header_row in sorted({r.header_row for r in readers if r.source == name}):
                for index, cell in enumerate(opened[name][0][header_row - 1]):
                    text = _header_text(cell)
                    if text and index not in taken:
                        warnings.append(f"foglio {name!r}: colonna {text!r} ignorata")
        for name, (head, rest) in opened.items():
            _read_table(chain(head, rest), [r for r in readers if r.source == name], tick)
        if tick is not None:
            tick()
        order = {sheet: i for i, sheet in enumerate(Sheet.ALL)}
        sheets = {r.sheet.name: r.sheet for r in sorted(readers, key=lambda r: order[r.sheet.name])}
        return ParsedWorkbook(
            sheets=sheets, warnings=warnings, profile=self.profile, profile_version=self.profile_version
        )


def _header_text(cell: Any) -> str:
    if values.is_empty(cell):
        return ""
    try:
        return values.text(cell)
    except ValueError:
        return str(cell)


def _header_indexes(header: list[Any]) -> dict[str, int]:
    indexes: dict[str, int] = {}
    for index, cell in enumerate(header):
        text = _header_text(cell)
        if text:
            indexes.setdefault(header_key(text), index)
    return indexes


def _blank(cell: Any) -> bool:
    return cell is None or cell == "" or (type(cell) is str and cell.isspace())


def _read_table(rows: Iterator[list[Any]], readers: list[_SheetReader], tick: Tick) -> None:
    """One pass over a table, each row given to every sheet of ours it feeds (a flat export
    feeds customers, supplies and bills from the same row)."""
    for offset, row in enumerate(rows):
        if tick is not None and not offset % TICK_ROWS:
            tick()
        for reader in readers:
            if offset >= reader.header_row:
                reader.take(row, offset + 1)


class _SheetReader:
    """Turns the rows of their table into records of one of our sheets.

    Customers and supplies repeated on many rows (a flat export: one row per bill) are kept
    once: an identical repeat is counted as unchanged and not sent on; a repeat that differs is
    sent on, and the checks within the file reject it naming both rows. A row whose cells are
    exactly those of a row already accepted is not even parsed again (most of the cost of a flat
    export: its customer's fiscal code, postcode, … on every bill)."""

    def __init__(
        self,
        spec: SheetSpec,
        source: str,
        header_row: int,
        columns: list[tuple[_Column, int | None, str]],
        records: list[SourcedRecord],
    ) -> None:
        self.source, self.header_row, self._spec = source, header_row, spec
        self.headers = {c.label: header for c, _, header in columns}
        self.sheet = ParsedSheet(name=spec.name, headers=self.headers, source=source, records=records)
        self._read = [(c, i) for c, i, _ in columns if i is not None]
        constant = {c.field: c.default for c, i, _ in columns if i is None and c.default is not _NO_DEFAULT}
        self._absent = {c.field: None for c in spec.columns} | constant
        self._used = sorted(i for _, i in self._read)
        self._width = self._used[-1] + 1 if self._used else 0
        repeated = spec.name in (Sheet.CUSTOMERS, Sheet.SUPPLIES)
        self._first: dict[str, Record] | None = {} if repeated else None
        self._accepted_cells: set[tuple[Any, ...]] | None = set() if repeated else None

    def take(self, row: list[Any], number: int) -> None:
        if len(row) < self._width:
            row = [*row, *([""] * (self._width - len(row)))]
        if all(_blank(row[i]) for i in self._used):
            return
        cells = None
        if self._accepted_cells is not None:
            cells = tuple([row[i] for i in self._used])
            if cells in self._accepted_cells:
                self.sheet.repeated += 1
                return
        name = self._spec.name
        parsed = dict(self._absent)
        errors: list[Rejection] = []
        for column, index in self._read:
            cell = row[index]
            if _blank(cell):
                if column.default is not _NO_DEFAULT:
                    parsed[column.field] = column.default
                elif column.required:
                    errors.append(Rejection(name, number, self.headers[column.label], MISSING))
                continue
            try:
                if column.values is not None:
                    hit = column.values.get(value_key(values.text(cell)), _NO_DEFAULT)
                    if hit is not _NO_DEFAULT:
                        parsed[column.field] = hit
                        continue
                parsed[column.field] = column.parse(cell)
            except ValueError as error:
                errors.append(Rejection(name, number, self.headers[column.label], str(error)))
        if not errors:
            try:
                record = self._spec.build(parsed)
            except RowError as error:
                errors = [Rejection(name, number, self.headers.get(error.column, error.column), str(error))]
            else:
                if self._keep(record, number) and cells is not None and self._accepted_cells is not None:
                    self._accepted_cells.add(cells)
                return
        self.sheet.rejections.extend(errors)
        self.sheet.rejected_rows.add(number)

    def _keep(self, record: Record, number: int) -> bool:
        """Send ``record`` on, or count it as an identical repeat; False for a repeat that differs
        from the first (sent on, to be rejected)."""
        if self._first is not None:
            key = record.supply.code if isinstance(record, SupplyRecord) else getattr(record, "customer_code", "")
            first = self._first.setdefault(key, record)
            if first is not record and first == record:
                self.sheet.repeated += 1
                return True
            if first is not record:
                self.sheet.records.append(SourcedRecord(self._spec.name, number, record))
                return False
        self.sheet.records.append(SourcedRecord(self._spec.name, number, record))
        return True
