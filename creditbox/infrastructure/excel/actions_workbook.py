"""The *tabella azioni* as an Excel workbook, for the export → edit → import round trip.

Sheet "Tabella azioni": one row per step, Italian headers, codes as ``1|2`` text. Sheet "Legenda":
every code and value with its Italian label. Reading matches headers as the Excel template does
(case, spaces, underscores and accents ignored) and numbers rows as Excel does (header = row 1).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator, Sequence
from io import BytesIO
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from creditbox.domain.actions import ActionRow, StartPoint, StepMode, TechnicalRequest
from creditbox.domain.actions_parsing import (
    FIELD_BY_NAME,
    ParsedTable,
    SourceRow,
    format_codes,
    format_parameters,
    match_headers,
    parse_table,
)
from creditbox.domain.actions_table import TableVersion
from creditbox.domain.actions_validation import Problem
from creditbox.domain.codes import (
    ActionCode,
    CodedEnum,
    CustomerType,
    Service,
    SupplyStatus,
    SupplyType,
    normalise_label,
)
from creditbox.domain.errors import InvalidCommand
from creditbox.infrastructure.excel.writer import Column, Kind, SheetSpec, build_workbook

TABLE_SHEET = "Tabella azioni"
LEGEND_SHEET = "Legenda"

_KINDS: dict[str, Kind] = {
    "seq": Kind.INTEGER,
    "action_code": Kind.INTEGER,
    "wait_before_days": Kind.INTEGER,
    "wait_after_days": Kind.INTEGER,
    "approval_level": Kind.INTEGER,
    "amount_min": Kind.EURO,
    "amount_max": Kind.EURO,
    "threshold": Kind.EURO,
}
_WIDTHS: dict[str, float] = {"description": 60}
COLUMNS: tuple[Column, ...] = tuple(
    Column(f.header, _KINDS.get(f.name, Kind.TEXT), _WIDTHS.get(f.name)) for f in FIELD_BY_NAME.values()
)


def row_cells(row: ActionRow) -> list[Any]:
    """One row of the table sheet, in the order of ``COLUMNS``."""
    values: dict[str, Any] = {
        "ladder": row.ladder,
        "seq": row.seq,
        "customer_types": format_codes(row.customer_types),
        "services": format_codes(row.services),
        "supply_types": format_codes(row.supply_types),
        "supply_statuses": format_codes(row.supply_statuses),
        "action_code": row.action_code.code,
        "description": row.description,
        "wait_before_days": row.wait_before_days,
        "start_point": row.start_point.value,
        "wait_after_days": row.wait_after_days,
        "amount_min": row.amount_min,
        "amount_max": row.amount_max,
        "threshold": row.threshold,
        "approval_level": row.approval_level,
        "mode": row.mode.value,
        "parameters": format_parameters(row.parameters),
    }
    return [values[name] or None if isinstance(values[name], str) else values[name] for name in FIELD_BY_NAME]


def legend_rows() -> Iterator[list[Any]]:
    coded: Sequence[tuple[str, type[CodedEnum]]] = (
        ("customer_types", CustomerType),
        ("services", Service),
        ("supply_types", SupplyType),
        ("supply_statuses", SupplyStatus),
        ("action_code", ActionCode),
    )
    for name, enum_type in coded:
        for member in enum_type:
            yield [FIELD_BY_NAME[name].header, str(member.code), member.label]
    for point in StartPoint:
        yield [FIELD_BY_NAME["start_point"].header, point.value, point.label]
    for mode in StepMode:
        yield [FIELD_BY_NAME["mode"].header, mode.value, mode.label]
    for request in TechnicalRequest:
        yield [
            FIELD_BY_NAME["parameters"].header,
            f"tech={request.value}",
            f"Ufficio tecnico (codice azione 7): {request.label}",
        ]
    notes = (
        (
            "Tipologie cliente, Servizi, Tipologie fornitura, Stati fornitura",
            "1|2",
            "più codici separati da |; vuoto = tutti",
        ),
        (
            "Importo minimo, Importo massimo",
            "",
            "la riga vale se minimo <= scaduto < massimo; massimo vuoto = senza limite",
        ),
        ("Livello autorizzativo", "0", "nessuna approvazione; n = serve un responsabile di livello >= n"),
    )
    for header, code, label in notes:
        yield [header, code, label]


def table_sheets(version: TableVersion) -> list[SheetSpec]:
    return [
        SheetSpec(TABLE_SHEET, COLUMNS, [row_cells(row) for row in version.rows]),
        SheetSpec(
            LEGEND_SHEET,
            [Column("Colonna"), Column("Codice"), Column("Significato", width=70)],
            list(legend_rows()),
        ),
    ]


def export_table(version: TableVersion, target: Path | None = None) -> bytes:
    """Write the workbook of one table version; returns its bytes (saved to ``target`` when given)."""
    workbook = build_workbook(table_sheets(version))
    workbook.properties.title = f"Tabella azioni {version.company} versione {version.version}"
    workbook.properties.creator = "CreditBox"
    buffer = BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()
    if target is not None:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return data


def read_table(source: Path | bytes) -> ParsedTable:
    """Parse the table sheet (named "Tabella azioni", else the first sheet that is not the legend).
    Problems name the Excel row; a file that is not a readable workbook is an ``InvalidCommand``."""
    try:
        workbook = load_workbook(
            BytesIO(source) if isinstance(source, bytes) else source, read_only=True, data_only=True
        )
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as error:
        raise InvalidCommand(f"file Excel non leggibile: {error}") from None
    try:
        names = workbook.sheetnames
        wanted = [n for n in names if normalise_label(n) == normalise_label(TABLE_SHEET)]
        others = [n for n in names if normalise_label(n) != normalise_label(LEGEND_SHEET)]
        if not wanted and not others:
            return ParsedTable((), (), (Problem(f"foglio «{TABLE_SHEET}» mancante"),))
        sheet = workbook[(wanted or others)[0]]
        rows = sheet.iter_rows(values_only=True)
        headers = next(rows, None)
        if headers is None:
            return ParsedTable((), (), (Problem(f"il foglio «{sheet.title}» è vuoto"),))
        match = match_headers(headers)
        records = [
            SourceRow(number, {name: cells[i] if i < len(cells) else None for i, name in match.columns.items()})
            for number, cells in enumerate(rows, start=2)
        ]
        return parse_table(records, header_problems=match.problems, ignored_columns=match.ignored)
    finally:
        workbook.close()
