"""The worklist of unmatched answers (*Risposte non abbinate*) as a formatted workbook: the house style of
the exports (``writer.py``: Italian headers, widths, date formats, frozen header, autofilter)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import tzinfo
from pathlib import Path

from creditbox.application.unmatched import UnmatchedAnswer
from creditbox.infrastructure.excel.writer import Column, Kind, SheetSpec, save_workbook

TITLE = "Risposte non abbinate"
COLUMNS = (
    Column("Ricevuto il", Kind.DATETIME),
    Column("Tipo di file"),
    Column("Riferimento", width=48),
    Column("Motivo", width=60),
    Column("File"),
    Column("Foglio"),
    Column("Riga", Kind.INTEGER),
    Column("Tipo di risposta"),
    Column("Data della risposta"),
    Column("Impronta SHA-256", width=66),
)


def unmatched_sheet(answers: Iterable[UnmatchedAnswer], kind_labels: Mapping[str, str], zone: tzinfo) -> SheetSpec:
    """One row per answer; the moments in ``zone`` (the installation's time zone)."""
    rows = (
        (
            a.received_at.astimezone(zone),
            kind_labels.get(a.kind, a.kind),
            a.reference,
            a.reason,
            a.filename,
            a.details.get("sheet"),
            _row(a.details.get("row")),
            str(a.details.get("receipt_type") or a.details.get("type") or ""),
            str(a.details.get("issued_at") or a.details.get("date") or ""),
            a.digest,
        )
        for a in answers
    )
    return SheetSpec(TITLE, COLUMNS, rows)


def write_unmatched(
    answers: Iterable[UnmatchedAnswer], kind_labels: Mapping[str, str], zone: tzinfo, target: Path
) -> None:
    save_workbook([unmatched_sheet(answers, kind_labels, zone)], target)


def _row(value: object) -> int | None:
    """The row an answer was on in its file (a spreadsheet's answers), None for a whole-file answer."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None
