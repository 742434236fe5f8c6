"""``creditbox worklist`` and ``creditbox ageing``: read models on screen or to Excel."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import Connection

from creditbox.cli.choices import worklist_kind
from creditbox.cli.context import catch_up_views, console, container, fail, parse_date
from creditbox.cli.options import AsOf, Company
from creditbox.cli.paths import output_file, writing
from creditbox.domain.money import format_euro
from creditbox.domain.wording import plural
from creditbox.infrastructure.excel.writer import save_workbook
from creditbox.projections.exports import ageing_sheets, worklist_sheet
from creditbox.projections.queries.ageing import ageing_by_position, ageing_summary
from creditbox.projections.queries.paging import MAX_LIMIT
from creditbox.projections.queries.worklists import WorklistItem, check_kind, worklist_counts, worklist_page
from creditbox.projections.worklist_rows import WORKLIST_LABELS

KINDS_HELP = "Lista: " + ", ".join(f"{label} ({k})" for k, label in WORKLIST_LABELS.items())
ExcelOut = Annotated[Path | None, typer.Option("--out", help="File Excel da scrivere (.xlsx)")]


def worklist(
    company: Company,
    kind: Annotated[str | None, typer.Option("--kind", help=KINDS_HELP)] = None,
    out: ExcelOut = None,
    limit: Annotated[int, typer.Option("--limit", help="Righe a video (l'Excel le contiene tutte)")] = 50,
) -> None:
    """Liste di lavoro: proposte, approvazioni, consegne fallite, contatti mancanti, Ufficio tecnico, ..."""
    if out is not None:
        output_file(out, "--out")
    with container() as c:
        code = c.companies.require(company)
        kind = worklist_kind(kind) if kind is not None else None
        try:
            check_kind(kind)
        except ValueError as error:
            fail(str(error))
        catch_up_views(c)
        with c.projections.connect() as conn:
            if out is not None:
                written = export_worklist(conn, code, kind, out)
                console.print(f"{plural(written, 'riga scritta', 'righe scritte')} in {out}")
                return
            counts = worklist_counts(conn, code)
            shown = worklist_page(conn, code, kind, limit=limit).items
        summary = Table("Lista", "Voci", title=f"Liste di lavoro — {code}")
        for name, count in counts.items():
            if kind is None or name == kind:
                summary.add_row(WORKLIST_LABELS[name], str(count))
        console.print(summary)
        table = Table("Lista", "Cliente", "Fornitura", "Passo", "Importo", "Livello", "Dal", "Dettaglio")
        for i in shown:
            table.add_row(
                WORKLIST_LABELS.get(i.kind, i.kind),
                f"{i.customer_code} {i.customer_name}",
                i.supply_code or "",
                str(i.step or ""),
                format_euro(i.amount),
                str(i.level or ""),
                f"{i.since:%d/%m/%Y}" if i.since else "",
                i.detail,
            )
        console.print(table)


def ageing(
    company: Company,
    as_of: AsOf = None,
    window: Annotated[
        int, typer.Option("--window", help="Giorni al termine di prescrizione biennale da segnalare")
    ] = 60,
    out: ExcelOut = None,
) -> None:
    """Anzianità dei crediti per fasce (0–30, 31–60, 61–90, 91–180, 181–365, oltre 365 giorni)."""
    if out is not None:
        output_file(out, "--out")
    with container() as c:
        code = c.companies.require(company)
        day = parse_date(as_of, c.clock.today(), option="--as-of")
        catch_up_views(c)
        with c.projections.connect() as conn:
            summary = ageing_summary(conn, code, day, window_days=window)
            if out is not None:
                written = export_ageing(conn, code, day, window, out)
                console.print(f"{plural(written, 'cliente scritto', 'clienti scritti')} in {out}")
                return
        table = Table("Fascia", "Importo", "Partite", title=f"Anzianità dei crediti — {code} al {day:%d/%m/%Y}")
        for b in summary.buckets:
            table.add_row(b.label, format_euro(b.amount), str(b.count))
        table.add_row("[bold]Totale[/]", f"[bold]{format_euro(summary.total)}[/]", "")
        console.print(table)
        console.print(
            f"In prescrizione entro {plural(window, 'giorno', 'giorni')}: {format_euro(summary.approaching_limit)} "
            f"({plural(summary.approaching_limit_count, 'bolletta', 'bollette')}); "
            f"oltre il termine: {format_euro(summary.past_limit)} "
            f"({plural(summary.past_limit_count, 'bolletta', 'bollette')}), "
            f"di cui prescrivibile (L. 205/2017) {format_euro(summary.time_barred)} "
            f"({plural(summary.time_barred_count, 'bolletta', 'bollette')})"
        )
        console.print(
            f"Fuori dal recupero (non nelle fasce né nel totale): stralciato {format_euro(summary.written_off)} "
            f"({summary.written_off_count} bollette); perdita da contenzioso "
            f"{format_euro(summary.litigation_loss)} ({summary.litigation_loss_count})"
        )


def export_worklist(conn: Connection, company: str, kind: str | None, out: Path) -> int:
    """Every item of the worklist (all kinds when ``kind`` is None) to a formatted workbook."""
    items: list[WorklistItem] = []
    cursor: str | None = None
    while True:
        page = worklist_page(conn, company, kind, limit=MAX_LIMIT, cursor=cursor)
        items.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    with writing(out, "--out"):
        save_workbook([worklist_sheet(items)], out)
    return len(items)


def export_ageing(conn: Connection, company: str, day: date, window: int, out: Path) -> int:
    """The ageing summary and every customer's buckets to a formatted workbook."""
    summary = ageing_summary(conn, company, day, window_days=window)
    rows = []
    cursor: str | None = None
    while True:
        page = ageing_by_position(conn, company, day, window_days=window, limit=MAX_LIMIT, cursor=cursor)
        rows.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    with writing(out, "--out"):
        save_workbook(ageing_sheets(summary, rows), out)
    return len(rows)
