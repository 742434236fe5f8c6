"""The outcome of an import as a formatted workbook for the back office (the *rapporto scarti*).

Two sheets, written with the shared formatted writer (Italian headers, widths, frozen header,
autofilter, no formula injection):

- ``Riepilogo``: one row per sheet of the file and a ``Totale`` row, each with the file, the
  company, when it was processed, the profile and the outcome, then accepted / unchanged /
  rejected rows (a flat table, so it filters and sorts like any other export);
- ``Scarti``: one row per rejected cell (sheet, spreadsheet row, column as written, reason),
  the same list as the summary JSON's ``rejected``.

A third sheet, ``Avvisi``, lists the import's warnings when there are any. A file that could not
be imported at all gets the same two sheets: the outcome says why, and ``Scarti`` holds that one
reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from creditbox.application.import_results import ImportResult
from creditbox.application.imports import profile_label
from creditbox.application.records import Rejection, Sheet
from creditbox.infrastructure.excel.writer import Column, Kind, SheetSpec, save_workbook

SUMMARY_SHEET = "Riepilogo"
REJECTIONS_SHEET = "Scarti"
WARNINGS_SHEET = "Avvisi"
TOTAL = "Totale"

SUMMARY_COLUMNS = (
    Column("File"),
    Column("Azienda"),
    Column("Elaborato il", Kind.DATETIME, width=18),
    Column("Profilo"),
    Column("Esito"),
    Column("Foglio"),
    Column("Accettate", Kind.INTEGER),
    Column("Invariate", Kind.INTEGER),
    Column("Scartate", Kind.INTEGER),
)
REJECTION_COLUMNS = (Column("Foglio"), Column("Riga", Kind.INTEGER), Column("Colonna"), Column("Motivo"))
WARNING_COLUMNS = (Column("Avviso"),)


def outcome_label(result: ImportResult) -> str:
    """How the run went, in the back office's words."""
    if result.already_imported:
        return "già importato: applicate le righe nuove" if result.events else "già importato: nessuna modifica"
    return "importato con scarti" if result.totals.rejected else "importato"


def import_report_sheets(result: ImportResult, processed_at: datetime) -> list[SheetSpec]:
    """The sheets of the report of an import that ran (with or without rejected rows)."""
    profile = profile_label(result.profile, result.profile_version)
    head = (result.file_name, result.company, processed_at.replace(microsecond=0), profile, outcome_label(result))
    order = {name: i for i, name in enumerate(Sheet.ALL)}
    names = sorted(result.sheets, key=lambda name: (order.get(name, len(order)), name))
    summary: list[Sequence[Any]] = []
    for name in names:
        counts = result.sheets[name]
        summary.append((*head, name, counts.accepted, counts.unchanged, counts.rejected))
    totals = result.totals
    summary.append((*head, TOTAL, totals.accepted, totals.unchanged, totals.rejected))
    return _sheets(summary, result.rejected, result.warnings)


def refused_report_sheets(
    company: str, file_name: str, reason: str, processed_at: datetime, profile: str | None = None
) -> list[SheetSpec]:
    """The sheets of the report of a file that could not be imported at all (``profile``: the
    label of the layout it was read with)."""
    summary = [
        (
            file_name,
            company,
            processed_at.replace(microsecond=0),
            profile,
            f"non importato: {reason}",
            None,
            None,
            None,
            None,
        )
    ]
    return _sheets(summary, [], [], file_reason=reason)


def _sheets(
    summary: Sequence[Sequence[Any]], rejected: Sequence[Rejection], warnings: Sequence[str], *, file_reason: str = ""
) -> list[SheetSpec]:
    rows: list[Sequence[Any]] = [(r.sheet, r.row, r.column, r.reason) for r in rejected]
    if file_reason:
        rows.append((None, None, None, file_reason))
    sheets = [SheetSpec(SUMMARY_SHEET, SUMMARY_COLUMNS, summary), SheetSpec(REJECTIONS_SHEET, REJECTION_COLUMNS, rows)]
    if warnings:
        sheets.append(SheetSpec(WARNINGS_SHEET, WARNING_COLUMNS, [(w,) for w in warnings]))
    return sheets


class ExcelImportReport:
    """Renders import reports as .xlsx bytes (the inbox's ``ReportRenderer``)."""

    def imported(self, result: ImportResult, processed_at: datetime) -> bytes:
        return save_workbook(import_report_sheets(result, processed_at))

    def refused(
        self, company: str, file_name: str, reason: str, processed_at: datetime, profile: str | None = None
    ) -> bytes:
        return save_workbook(refused_report_sheets(company, file_name, reason, processed_at, profile))


def write_import_report(result: ImportResult, processed_at: datetime, target: Path) -> None:
    save_workbook(import_report_sheets(result, processed_at), target)


def write_refused_report(
    company: str, file_name: str, reason: str, processed_at: datetime, target: Path, profile: str | None = None
) -> None:
    save_workbook(refused_report_sheets(company, file_name, reason, processed_at, profile), target)
