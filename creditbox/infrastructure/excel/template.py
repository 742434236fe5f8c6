"""The import template (``creditbox template``): our four sheets with their headers and one example
row each, and a ``Legenda`` sheet (each column: meaning, required, format, allowed codes), written
with the shared formatted writer."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from creditbox.domain.import_layout import LAYOUT
from creditbox.domain.import_layout import Kind as LayoutKind
from creditbox.domain.import_template import LEGEND_SHEET, example_rows, legend
from creditbox.infrastructure.excel.writer import Column, Kind, SheetSpec, save_workbook

_WRITER_KIND = {LayoutKind.DATE: Kind.DATE, LayoutKind.AMOUNT: Kind.EURO}


def template_sheets(today: date) -> list[SheetSpec]:
    examples = example_rows(today)
    sheets = [
        SheetSpec(
            sheet,
            [Column(c.label, _WRITER_KIND.get(c.kind, Kind.TEXT)) for c in columns],
            [[examples[sheet][c.label] for c in columns]],
        )
        for sheet, columns in LAYOUT.items()
    ]
    legend_columns = [
        Column("Foglio", width=12),
        Column("Colonna", width=22),
        Column("Significato", width=60),
        Column("Obbligatoria", width=13),
        Column("Formato", width=60),
        Column("Codici ammessi", width=60),
    ]
    rows = [[r.sheet, r.column, r.meaning, "sì" if r.required else "no", r.format, r.codes] for r in legend()]
    return [*sheets, SheetSpec(LEGEND_SHEET, legend_columns, rows)]


def write_template(target: Path, today: date) -> None:
    save_workbook(template_sheets(today), target)
