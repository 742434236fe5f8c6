"""The import layout is documented by the project itself: the template's legend and example rows
cover every column of every sheet, and docs/excel-import.md lists the same columns, required flags
and codes as the code's layout."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from creditbox.domain.import_layout import LAYOUT, SHEETS
from creditbox.domain.import_template import example_rows, legend

DOC = Path(__file__).resolve().parents[2] / "docs" / "excel-import.md"


def documented_layout() -> dict[str, list[tuple[str, bool, str]]]:
    """(column, required, codes) of each sheet, from the tables of *The file layout*."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## The file layout", 1)[1].split("\n## ", 1)[0]
    found: dict[str, list[tuple[str, bool, str]]] = {}
    for part in section.split("\n### ")[1:]:
        sheet, _, body = part.partition("\n")
        rows = [line for line in body.splitlines() if line.startswith("| ") and not line.startswith("| column")]
        cells = [[c.strip() for c in row.strip("|").split("|")] for row in rows]
        found[sheet.strip()] = [(c[0], c[1] == "yes", c[4]) for c in cells]
    return found


def test_the_documentation_lists_every_column_with_its_required_flag_and_codes() -> None:
    expected = {sheet: [(r.column, r.required, r.codes) for r in legend() if r.sheet == sheet] for sheet in SHEETS}

    assert documented_layout() == expected


def test_the_documentation_does_not_point_outside_the_repository() -> None:
    text = DOC.read_text(encoding="utf-8")

    assert "../shared" not in text and "excel-template.md" not in text


def test_the_legend_has_one_row_per_column_with_meaning_and_format() -> None:
    rows = legend()

    assert [(r.sheet, r.column) for r in rows] == [(s, c.label) for s, cols in LAYOUT.items() for c in cols]
    assert all(r.meaning and r.format for r in rows)
    assert all(
        bool(r.codes) == (c.codes is not None)
        for r, c in zip(rows, [c for cs in LAYOUT.values() for c in cs], strict=True)
    )


@pytest.mark.parametrize("today", [date(2026, 1, 1), date(2026, 3, 1), date(2030, 12, 31)])
def test_the_example_rows_fill_every_required_column_and_make_sense_together(today: date) -> None:
    examples = example_rows(today)

    for sheet, columns in LAYOUT.items():
        assert set(examples[sheet]) == {c.label for c in columns}
        assert all(examples[sheet][c.label] not in (None, "") for c in columns if c.required)
    bill, payment = examples["Bollette"], examples["Pagamenti"]
    assert bill["Data Emissione"] < bill["Data Scadenza"] < today  # type: ignore[operator]
    assert payment["Data Pagamento"] <= today  # type: ignore[operator]
    assert payment["Numero Bolletta"] == bill["Numero Bolletta"] and payment["Importo"] < bill["Importo"]  # type: ignore[operator]
