"""Excel exports of worklists and ageing, with the shared formatted writer (Italian headers, euro and
date formats, widths, frozen header, autofilter, no formula injection)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from creditbox.domain.codes import ActionCode, CustomerType, Service
from creditbox.domain.wording import plural
from creditbox.infrastructure.excel.writer import Column, Kind, SheetSpec
from creditbox.projections.queries.ageing import BUCKETS, AgeingSummary, PositionAgeing
from creditbox.projections.queries.worklists import WorklistItem
from creditbox.projections.worklist_rows import WORKLIST_LABELS


def _label(enum: type[CustomerType] | type[Service] | type[ActionCode], code: int | None) -> str | None:
    if code is None:
        return None
    try:
        return enum(code).label
    except ValueError:
        return str(code)


WORKLIST_COLUMNS = (
    Column("Lista"),
    Column("Codice cliente"),
    Column("Cliente"),
    Column("Tipologia cliente"),
    Column("Fornitura"),
    Column("Servizio"),
    Column("Pratica"),
    Column("Scala"),
    Column("Passo", Kind.INTEGER),
    Column("Azione"),
    Column("Importo", Kind.EURO),
    Column("Livello richiesto", Kind.INTEGER),
    Column("Dal", Kind.DATE),
    Column("Dettaglio", width=60),
    # The *contenzioso*'s own (empty on the other worklists).
    Column("Ultima fase legale", width=36),
    Column("Data della fase", Kind.DATE),
    Column("Tribunale", width=30),
    Column("Numero di ruolo"),
    Column("Prossima scadenza", Kind.DATE),
)


def worklist_sheet(items: Iterable[WorklistItem], title: str = "Liste di lavoro") -> SheetSpec:
    rows = (
        (
            WORKLIST_LABELS.get(i.kind, i.kind),
            i.customer_code,
            i.customer_name,
            _label(CustomerType, i.customer_type),
            i.supply_code,
            _label(Service, i.service),
            i.case_id,
            i.ladder,
            i.step,
            _label(ActionCode, i.action),
            i.amount,
            i.level,
            i.since,
            i.detail,
            i.legal_milestone_label,
            i.legal_milestone_on,
            i.court,
            i.docket,
            i.next_deadline,
        )
        for i in items
    )
    return SheetSpec(title, WORKLIST_COLUMNS, rows)


def ageing_sheets(summary: AgeingSummary, by_position: Sequence[PositionAgeing]) -> list[SheetSpec]:
    as_of: date = summary.as_of
    totals = SheetSpec(
        "Riepilogo",
        (Column("Fascia"), Column("Importo", Kind.EURO), Column("Partite", Kind.INTEGER)),
        [
            *((b.label, b.amount, b.count) for b in summary.buckets),
            ("Totale", summary.total, sum(b.count for b in summary.buckets)),
            (
                f"In prescrizione entro {plural(summary.window_days, 'giorno', 'giorni')}",
                summary.approaching_limit,
                summary.approaching_limit_count,
            ),
            ("Oltre il termine di prescrizione biennale", summary.past_limit, summary.past_limit_count),
            ("di cui prescrivibile (L. 205/2017)", summary.time_barred, summary.time_barred_count),
            ("Stralciato (fuori dalle fasce e dal totale)", summary.written_off, summary.written_off_count),
            (
                "Perdita da contenzioso (fuori dalle fasce e dal totale)",
                summary.litigation_loss,
                summary.litigation_loss_count,
            ),
        ],
    )
    columns = (
        Column("Codice cliente"),
        Column("Cliente"),
        Column("Tipologia cliente"),
        Column("Scadenza più vecchia", Kind.DATE),
        *(Column(spec.label, Kind.EURO) for spec in BUCKETS),
        Column("Totale", Kind.EURO),
        Column(f"In prescrizione entro {summary.window_days} gg", Kind.EURO),
        Column("Prescrivibile (L. 205/2017)", Kind.EURO),
        Column("Stralciato", Kind.EURO),
        Column("Perdita da contenzioso", Kind.EURO),
    )
    detail = SheetSpec(
        f"Anzianità al {as_of:%d-%m-%Y}",
        columns,
        (
            (
                a.customer_code,
                a.name,
                _label(CustomerType, a.customer_type),
                a.oldest_due_date,
                *(a.buckets[spec.key] for spec in BUCKETS),
                a.total,
                a.approaching_limit,
                a.time_barred,
                a.written_off,
                a.litigation_loss,
            )
            for a in by_position
        ),
    )
    return [totals, detail]
