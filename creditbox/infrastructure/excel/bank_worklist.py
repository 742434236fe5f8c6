"""The *incassi da abbinare* worklist as a formatted Excel file (house style: ``excel/writer.py``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from creditbox.application.bank_files import PROBLEM_LABELS, LedgerEntry
from creditbox.infrastructure.excel.writer import Column, Kind, SheetSpec, save_workbook

SHEET = "Incassi da abbinare"

COLUMNS = (
    Column("Id movimento", width=16),
    Column("Data valuta", Kind.DATE),
    Column("Data contabile", Kind.DATE),
    Column("Importo", Kind.EURO),
    Column("Movimento"),
    Column("Ordinante"),
    Column("IBAN ordinante", width=30),
    Column("Causale"),
    Column("Riferimento banca"),
    Column("Id end-to-end"),
    Column("Id transazione"),
    Column("Problema"),
    Column("Motivo"),
    Column("File"),
    Column("Riga", Kind.INTEGER),
)


def _row(entry: LedgerEntry) -> tuple[object, ...]:
    return (
        entry.credit_id,
        entry.value_date,
        entry.booking_date,
        entry.signed_amount,
        entry.movement.label,
        entry.debtor_name,
        entry.debtor_iban,
        entry.remittance,
        entry.ids.bank_ref,
        entry.ids.end_to_end,
        entry.ids.tx_id,
        PROBLEM_LABELS.get(entry.problem or "", entry.problem),
        entry.reason,
        entry.file_name,
        entry.line,
    )


def write_bank_worklist(entries: Sequence[LedgerEntry], target: Path | None = None) -> bytes:
    """The worklist as one sheet; saved to ``target`` when given. Returns the file's bytes."""
    return save_workbook([SheetSpec(SHEET, COLUMNS, (_row(e) for e in entries))], target)
