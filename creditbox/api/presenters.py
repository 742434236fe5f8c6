"""Turning application, domain and read-model values into response models (no I/O here).

One home for each mapping the routes share: a position's customer, supplies, bills and cases are
answered alike whether they come from the aggregate (``history``: the position replayed as of a date)
or from the read models (the position's summary, the list of positions).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Protocol

from fastapi import Response
from pydantic import BaseModel

from creditbox.api.schemas.actions_table import ActionRowOut, ActionsTableOut, RevisionOut
from creditbox.api.schemas.company_settings import (
    CompanySettingsOut,
    SettingsChangeOut,
    SettingsDocument,
    SettingsHistoryEntryOut,
)
from creditbox.api.schemas.lists import PositionRowOut
from creditbox.api.schemas.positions import (
    CaseOut,
    CustomerOut,
    HistoryEntryOut,
    LostItemOut,
    OpenItemOut,
    PositionHistoryOut,
    PositionSummaryOut,
    SupplyOut,
)
from creditbox.application.actions_tables import Revision
from creditbox.application.company_settings import SettingsHistoryEntry, SettingsRevision
from creditbox.application.history import HistoryEntry, PositionHistory
from creditbox.domain.actions_table import TableVersion
from creditbox.domain.codes import ActionCode, CustomerType, Service, SupplyStatus, SupplyType
from creditbox.domain.company_settings import SettingsVersion
from creditbox.domain.money import ZERO
from creditbox.domain.position import Position
from creditbox.domain.workflow.outcomes import Loss
from creditbox.domain.workflow.waiting import Waiting
from creditbox.projections.queries.positions import (
    PositionRow,
    PositionSummary,
    SummaryCase,
    SupplyFigures,
)

# A customer's contacts, as ``CustomerDetails.contacts()`` names them and ``rm_positions`` holds them.
CONTACT_FIELDS = ("fiscal_code", "vat_number", "email", "pec", "mobile", "address", "postcode", "city", "province")
NOTHING_OPEN = SupplyFigures()


class Supply(Protocol):
    """A supply as the aggregate (``SupplyDetails``) or the read model (``SummarySupply``) holds it:
    its classifications as codes or as their enums."""

    @property
    def code(self) -> str: ...
    @property
    def service(self) -> Service | int: ...
    @property
    def supply_type(self) -> SupplyType | int: ...
    @property
    def status(self) -> SupplyStatus | int: ...
    @property
    def meter(self) -> str | None: ...
    @property
    def address(self) -> str | None: ...


class Bill(Protocol):
    """An unpaid bill as the aggregate (``OpenItem``) or the read model (``SummaryItem``) holds it."""

    @property
    def bill_number(self) -> str: ...
    @property
    def supply_code(self) -> str: ...
    @property
    def issue_date(self) -> date: ...
    @property
    def due_date(self) -> date: ...
    @property
    def amount(self) -> Decimal: ...
    @property
    def residual(self) -> Decimal: ...


class AdoptedVersion(Protocol):
    """A version of a company's document (actions table, settings) and who adopted it, when and why."""

    @property
    def company(self) -> str: ...
    @property
    def version(self) -> int: ...
    @property
    def by(self) -> str: ...
    @property
    def at(self) -> datetime | None: ...
    @property
    def note(self) -> str | None: ...
    @property
    def source(self) -> str: ...


def json_response(model: BaseModel) -> Response:
    """The JSON FastAPI would send for ``model`` as the route's ``response_model`` (same bytes and media
    type), serialised once in the route's thread: returning a ``Response`` skips FastAPI's second
    validation of the model, which would take another trip to the thread pool."""
    return Response(content=model.model_dump_json(by_alias=True), media_type="application/json")


def plain(value: Any) -> Any:
    """JSON-friendly values: dates ISO, amounts as decimal strings, codes as their value."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, Enum):
        return plain(value.value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


# ---- a company's versioned documents ----------------------------------------------------------


def adoption_of(version: AdoptedVersion) -> dict[str, Any]:
    """The fields every version of a company's document answers: which, by whom, when, why, from where."""
    return {
        "company": version.company,
        "version": version.version,
        "by": version.by,
        "at": version.at,
        "note": version.note,
        "source": version.source,
    }


def table_out(version: TableVersion) -> ActionsTableOut:
    return ActionsTableOut(
        **adoption_of(version), rows=[ActionRowOut(**row.as_event_data(), key=row.key) for row in version.rows]
    )


def settings_out(version: SettingsVersion) -> CompanySettingsOut:
    return CompanySettingsOut(
        **adoption_of(version), settings=SettingsDocument.model_validate(version.settings.document())
    )


def revision_out(revision: Revision) -> RevisionOut:
    """A revision of the actions table: the version in force, whether it is new and its rows' changes."""
    return RevisionOut(
        changed=revision.changed,
        version=revision.version.version,
        added=list(revision.diff.added),
        removed=list(revision.diff.removed),
        changed_rows=list(revision.diff.changed),
        table=table_out(revision.version),
    )


def settings_change_out(revision: SettingsRevision) -> SettingsChangeOut:
    """A change of the settings: the version in force, whether it is new and the fields changed."""
    return SettingsChangeOut(
        changed=revision.changed,
        version=revision.version.version,
        fields=list(revision.fields),
        current=settings_out(revision.version),
    )


def settings_history_entry_out(entry: SettingsHistoryEntry) -> SettingsHistoryEntryOut:
    return SettingsHistoryEntryOut(**settings_out(entry.version).model_dump(), changed=list(entry.fields))


# ---- the parts of a position's summary ---------------------------------------------------------


def customer_out(name: str, customer_type: CustomerType | int, contacts: Mapping[str, str | None]) -> CustomerOut:
    kind = CustomerType(customer_type)
    return CustomerOut(name=name, customer_type=kind.code, customer_type_label=kind.label, **contacts)


def supply_out(supply: Supply, figures: SupplyFigures) -> SupplyOut:
    """A supply with what is open on it (``figures``: overdue and open bills)."""
    service, supply_type, status = Service(supply.service), SupplyType(supply.supply_type), SupplyStatus(supply.status)
    return SupplyOut(
        code=supply.code,
        service=service.code,
        service_label=service.label,
        supply_type=supply_type.code,
        supply_type_label=supply_type.label,
        status=status.code,
        status_label=status.label,
        meter=supply.meter,
        address=supply.address,
        overdue=figures.overdue,
        open_items=figures.open_items,
    )


def open_item_out(bill: Bill, days_overdue: int) -> OpenItemOut:
    return OpenItemOut(
        bill_number=bill.bill_number,
        supply_code=bill.supply_code,
        issue_date=bill.issue_date,
        due_date=bill.due_date,
        amount=bill.amount,
        residual=bill.residual,
        days_overdue=days_overdue,
    )


def lost_item_out(bill: Bill, loss: Loss | None) -> LostItemOut:
    """An unpaid bill out of collection, and why (``loss``; None: not known)."""
    return LostItemOut(
        bill_number=bill.bill_number,
        supply_code=bill.supply_code,
        issue_date=bill.issue_date,
        due_date=bill.due_date,
        amount=bill.amount,
        residual=bill.residual,
        loss=loss.value if loss is not None else "",
        loss_label=loss.label if loss is not None else "",
    )


def _label(waiting: Waiting | None) -> str | None:
    return waiting.label if waiting is not None else None


def _code(waiting: Waiting | None) -> str | None:
    return waiting.code if waiting is not None else None


# ---- a position from its aggregate (the history's replay as of a date) ------------------------


def cases_of(position: Position, waiting: Mapping[str, Waiting | None]) -> list[CaseOut]:
    """The position's dunning cases as the aggregate holds them (used for as-of replays), with what
    each waits for (``waiting``, by case id)."""
    dunning = getattr(position, "dunning", None)
    if dunning is None:
        return []
    out: list[CaseOut] = []
    for case in dunning.cases.values():
        step = case.pending_step or (case.steps[-1] if case.steps else None)
        out.append(
            CaseOut(
                case_id=case.case_id,
                supply_code=case.supply_code,
                ladder=case.ladder,
                status=case.status.value,
                status_label=case.status.label,
                step=step.seq if step else None,
                action_code=step.action_code.code if step else None,
                action_label=step.action_code.label if step else None,
                step_status=step.status.value if step else None,
                opened_on=case.opened_on,
                waiting_for=_label(waiting.get(case.case_id)),
                waiting_for_code=_code(waiting.get(case.case_id)),
            )
        )
    return out


def summary_of(
    position: Position, as_of: date, waiting: Mapping[str, Waiting | None] | None = None
) -> PositionSummaryOut:
    """A position's summary on ``as_of``, computed from the aggregate."""
    allocation = position.allocation(as_of)
    by_supply = position.overdue_by_supply(as_of)
    open_items, lost_items = position.split_items(as_of)
    losses = position.losses(as_of)
    open_by_supply = Counter(i.supply_code for i in open_items)
    details = position.details
    return PositionSummaryOut(
        company=position.company,
        customer_code=position.customer_code,
        as_of=as_of,
        customer=customer_out(details.name, details.customer_type, details.contacts()),
        supplies=[
            supply_out(s, SupplyFigures(by_supply.get(s.code, ZERO), open_by_supply[s.code]))
            for s in sorted(position.supplies.values(), key=lambda s: s.code)
        ],
        open_items=[open_item_out(i, i.days_overdue(as_of)) for i in open_items],
        balance=position.balance(as_of),
        overdue=position.overdue(as_of),
        credit=max(allocation.credit, Decimal("0.00")),
        cases=cases_of(position, waiting or {}),
        written_off=losses[Loss.WRITTEN_OFF],
        litigation_loss=losses[Loss.LITIGATION],
        lost_items=[lost_item_out(lost.item, lost.loss) for lost in lost_items],
    )


def history_entry_out(entry: HistoryEntry) -> HistoryEntryOut:
    return HistoryEntryOut(
        version=entry.version,
        type=entry.type,
        business_date=entry.business_date,
        recorded_at=entry.recorded_at,
        by=entry.by,
        description=entry.description,
        data={name: plain(value) for name, value in entry.data.items()},
    )


def history_out(
    company: str,
    customer_code: str,
    as_of: date | None,
    history: PositionHistory,
    position: PositionSummaryOut | None,
    as_recorded_at: datetime | None = None,
) -> PositionHistoryOut:
    """The position's events and, replayed from them, its summary (``position``)."""
    return PositionHistoryOut(
        company=company,
        customer_code=customer_code,
        as_of=as_of,
        as_recorded_at=as_recorded_at,
        events=[history_entry_out(entry) for entry in history.entries],
        position=position,
        notes=history.notes,
    )


# ---- a position from the read models --------------------------------------------------------------


def case_row_out(case: SummaryCase, on: date) -> CaseOut:
    """A case as the read model holds it, with what it waits for on ``on``."""
    waiting = case.waiting(on)
    return CaseOut(
        case_id=case.case_id,
        supply_code=case.supply_code,
        ladder=case.ladder or "",
        status=case.status,
        step=case.step,
        action_code=case.action,
        action_label=ActionCode(case.action).label if case.action else None,
        next_due_date=case.next_due_date,
        overdue=case.amount,
        opened_on=case.opened_on,
        waiting_for=_label(waiting),
        waiting_for_code=_code(waiting),
    )


def summary_from_read_models(company: str, summary: PositionSummary, today: date) -> PositionSummaryOut:
    """A position's summary on ``today``, from the read models (``projections.queries.positions``)."""
    row = summary.position
    by_supply = summary.by_supply(today)
    return PositionSummaryOut(
        company=company,
        customer_code=row.customer_code,
        as_of=today,
        customer=customer_out(row.name, row.customer_type, {name: getattr(row, name) for name in CONTACT_FIELDS}),
        supplies=[supply_out(s, by_supply.get(s.code, NOTHING_OPEN)) for s in summary.supplies],
        open_items=[open_item_out(i, max(0, (today - i.due_date).days)) for i in summary.open_items],
        balance=row.balance,
        overdue=summary.overdue(today),
        credit=row.credit,
        cases=[case_row_out(c, today) for c in summary.cases],
        written_off=row.written_off,
        litigation_loss=row.litigation_loss,
        lost_items=[lost_item_out(i, Loss(i.loss) if i.loss else None) for i in summary.lost_items],
    )


def position_row_out(row: PositionRow, today: date) -> PositionRowOut:
    """A line of the list of positions."""
    return PositionRowOut(
        customer_code=row.customer_code,
        name=row.name,
        customer_type=row.customer_type,
        services=row.services,
        supplies=row.supplies,
        balance=row.balance,
        overdue=row.overdue,
        credit=row.credit,
        oldest_due_date=row.oldest_due_date,
        days_overdue=row.days_overdue(today),
        open_items=row.open_items,
        open_cases=row.open_cases,
        current_action=row.current_action,
        current_step=row.current_step,
        written_off=row.written_off,
        litigation_loss=row.litigation_loss,
    )
