"""Reading a workbook in another company's layout through its import profile (the *convertitore*).

The profile (``domain/import_profile_rules.py``) says, for each of our sheets, which sheet of
theirs holds it, on which row its header is, which header of theirs feeds each of our columns
(or which constant), how their values translate into ours and how their dates are written.
Cells are then parsed by the default profile's own parsers (``profile.py``, ``values.py``) and
records are built by the same builders, so a file read through a profile gives exactly the
records the same data in the default layout gives. Rejections name *their* sheet, row and header.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from creditbox.application.records import ParsedSheet, ParsedWorkbook, Rejection, SourcedRecord, UnreadableFile
from creditbox.domain.import_layout import LAYOUT, Kind
from creditbox.domain.import_profile import ProfileVersion
from creditbox.domain.import_profile_rules import ColumnMapping, ProfileDocument, SheetMapping, value_key
from creditbox.infrastructure.excel import values
from creditbox.infrastructure.excel.headers import header_key
from creditbox.infrastructure.excel.profile import DEFAULT_PROFILE, RowError, SheetSpec
from creditbox.infrastructure.excel.workbook_reader import MISSING, RecordsFor, new_records, open_workbook

_SPECS = {spec.name: spec for spec in DEFAULT_PROFILE}
_NO_DEFAULT = object()
DEFAULTED = "valore predefinito del profilo"


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
    """Parses the bytes of an ``.xlsx`` file in another layout, as one version of a profile describes it."""

    def __init__(self, profile: ProfileVersion, *, records_for: RecordsFor = new_records) -> None:
        self._records_for = records_for
        self.profile = profile.name
        self.profile_version = profile.version
        self._problems: list[str] = []
        self._plans = [
            (mapping, _SPECS[mapping.sheet], _plan(_SPECS[mapping.sheet], mapping, profile.document, self._problems))
            for mapping in profile.document.sheets
        ]

    def _expected(self) -> str:
        return ", ".join(f"{m.source!r} ({m.sheet})" for m, _, _ in self._plans)

    def parse(self, content: bytes, file_name: str) -> ParsedWorkbook:
        if self._problems:
            raise UnreadableFile(
                f"{file_name}: il profilo {self.profile!r} (versione {self.profile_version}) non è più valido:"
                f" {'; '.join(self._problems)}"
            )
        workbook = open_workbook(content, file_name)
        written = {header_key(name): name for name in reversed(workbook.sheet_names)}  # first one wins
        wanted = {header_key(m.source) for m, _, _ in self._plans}
        warnings = [
            f"foglio {name!r} ignorato (fogli del profilo {self.profile!r}: {self._expected()})"
            for name in workbook.sheet_names
            if header_key(name) not in wanted or written[header_key(name)] != name
        ]
        present = [(m, s, p) for m, s, p in self._plans if header_key(m.source) in written]
        if not present:
            names = ", ".join(repr(n) for n in workbook.sheet_names) or "nessuno"
            raise UnreadableFile(
                f"{file_name}: nessun foglio del profilo {self.profile!r}"
                f" (attesi: {self._expected()}; presenti: {names})"
            )
        tables: dict[str, list[list[Any]]] = {}
        for mapping, _, _ in present:
            name = written[header_key(mapping.source)]
            if name not in tables:
                tables[name] = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        workbook.close()
        layouts = []
        used: dict[str, set[int]] = {}
        for mapping, spec, plan in present:
            name = written[header_key(mapping.source)]
            rows = tables[name]
            if len(rows) < mapping.header_row:
                warnings.append(f"foglio {name!r} vuoto: ignorato ({spec.name})")
                continue
            header = rows[mapping.header_row - 1]
            indexes = _header_indexes(header)
            columns: list[tuple[_Column, int | None, str]] = []
            missing = []
            for column in plan:
                index = indexes.get(header_key(column.header)) if column.header is not None else None
                if index is not None:
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
            layouts.append((mapping, spec, name, rows, columns))
        for name, taken in used.items():
            header_rows = {m.header_row for m, _, n, _, _ in layouts if n == name}
            for header_row in sorted(header_rows):
                for index, cell in enumerate(tables[name][header_row - 1]):
                    text = _header_text(cell)
                    if text and index not in taken:
                        warnings.append(f"foglio {name!r}: colonna {text!r} ignorata")
        sheets = {
            spec.name: _parse_rows(spec, name, mapping.header_row, rows, columns, self._records_for(spec.name))
            for mapping, spec, name, rows, columns in layouts
        }
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


def _parse_rows(
    spec: SheetSpec,
    source: str,
    header_row: int,
    rows: list[list[Any]],
    columns: list[tuple[_Column, int | None, str]],
    records: list[SourcedRecord],
) -> ParsedSheet:
    headers = {c.label: header for c, _, header in columns}
    sheet = ParsedSheet(name=spec.name, headers=headers, source=source, records=records)
    read = [(c, i) for c, i, _ in columns if i is not None]
    constant = {c.field: c.default for c, i, _ in columns if i is None and c.default is not _NO_DEFAULT}
    absent = {c.field: None for c in spec.columns} | constant
    used = sorted(i for _, i in read)
    width = used[-1] + 1 if used else 0
    name = spec.name
    for offset in range(header_row, len(rows)):
        row = rows[offset]
        if len(row) < width:
            row = [*row, *([""] * (width - len(row)))]
        if all(_blank(row[i]) for i in used):
            continue
        number = offset + 1
        parsed = dict(absent)
        errors: list[Rejection] = []
        for column, index in read:
            cell = row[index]
            if _blank(cell):
                if column.default is not _NO_DEFAULT:
                    parsed[column.field] = column.default
                elif column.required:
                    errors.append(Rejection(name, number, headers[column.label], MISSING))
                continue
            try:
                if column.values is not None:
                    hit = column.values.get(value_key(values.text(cell)), _NO_DEFAULT)
                    if hit is not _NO_DEFAULT:
                        parsed[column.field] = hit
                        continue
                parsed[column.field] = column.parse(cell)
            except ValueError as error:
                errors.append(Rejection(name, number, headers[column.label], str(error)))
        if not errors:
            try:
                sheet.records.append(SourcedRecord(name, number, spec.build(parsed)))
                continue
            except RowError as error:
                errors = [Rejection(name, number, headers.get(error.column, error.column), str(error))]
        sheet.rejections.extend(errors)
        sheet.rejected_rows.add(number)
    return sheet
