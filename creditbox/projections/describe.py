"""Italian, human-readable text for each event of the audit trail.

Events without a describer here are still listed: their name and their data, flattened.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from creditbox.domain.money import format_euro

METADATA = ("originator_id", "originator_version", "timestamp", "originator_topic")

AGGREGATES = {
    "Position": "posizione",
    "Company": "azienda",
    "SupplyOwnership": "fornitura",
    "ActionsTable": "tabella azioni",
    "Import": "importazione",
}

BUSINESS_DATE_FIELDS = ("business_date", "as_of", "on", "payment_date", "issue_date", "effective_date", "date")


def event_name(event: object) -> str:
    return type(event).__qualname__.rsplit(".", 1)[-1]


def aggregate_label(event: object) -> str:
    owner = type(event).__qualname__.split(".", 1)[0]
    return AGGREGATES.get(owner, owner.lower())


def event_data(event: object) -> dict[str, Any]:
    return {k: v for k, v in vars(event).items() if k not in METADATA}


def business_date(data: dict[str, Any]) -> date | None:
    for name in BUSINESS_DATE_FIELDS:
        value = data.get(name)
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
    for value in data.values():
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
    return None


def plain(value: Any) -> Any:
    """JSON-friendly form of event data (codes for enums, ISO dates, strings for money)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if hasattr(value, "__dict__"):
        return {k: plain(v) for k, v in vars(value).items()}
    return str(value)


def show(value: Any) -> str:
    if isinstance(value, Enum):
        label = getattr(value, "label", None)
        return label if isinstance(label, str) else str(value.value)
    if isinstance(value, Decimal):
        return format_euro(value)
    if isinstance(value, datetime):
        return f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if value is None:
        return "—"
    return str(value)


def _d(data: dict[str, Any], key: str) -> str:
    return show(data.get(key))


def _customer(d: dict[str, Any]) -> str:
    return f"{d.get('name')} ({_d(d, 'customer_type')})"


def _supply(d: dict[str, Any]) -> str:
    return f"fornitura {d.get('code')}: {_d(d, 'service')}, {_d(d, 'supply_type')}, stato {_d(d, 'status')}"


def _bill(kind: str) -> Callable[[dict[str, Any]], str]:
    def describe(d: dict[str, Any]) -> str:
        return (
            f"{kind} {d.get('number')} sulla fornitura {d.get('supply_code')}: {_d(d, 'amount')}, "
            f"emessa il {_d(d, 'issue_date')}, scadenza {_d(d, 'due_date')}"
        )

    return describe


def _payment(kind: str) -> Callable[[dict[str, Any]], str]:
    def describe(d: dict[str, Any]) -> str:
        text = f"{kind} {d.get('payment_id')} del {_d(d, 'payment_date')}: {_d(d, 'amount')}"
        if d.get("bill_number"):
            text += f" sulla bolletta {d['bill_number']}"
        if d.get("method"):
            text += f" ({d['method']})"
        return text

    return describe


DESCRIBERS: dict[str, Callable[[dict[str, Any]], str]] = {
    "CustomerRegistered": lambda d: f"Cliente {d.get('customer_code')} registrato: {_customer(d)}",
    "CustomerDetailsChanged": lambda d: f"Anagrafica cliente aggiornata: {_customer(d)}",
    "SupplyRegistered": lambda d: "Fornitura registrata — " + _supply(d),
    "SupplyDetailsChanged": lambda d: "Dati fornitura aggiornati — " + _supply(d),
    "SupplyStatusChanged": lambda d: (
        f"Stato della fornitura {d.get('code')} cambiato in {_d(d, 'status')}: {d.get('reason') or '—'}"
    ),
    "BillIssued": _bill("Bolletta"),
    "CreditNoteIssued": _bill("Nota di credito"),
    "PaymentReceived": _payment("Pagamento"),
    "PaymentReversed": _payment("Storno pagamento"),
    "SupplyClaimed": lambda d: f"Fornitura {d.get('supply_code')} assegnata al cliente {d.get('customer_code')}",
    "CompanyRegistered": lambda d: f"Azienda {d.get('code')} registrata: {d.get('name')}",
    "CompanySettingsChanged": lambda d: "Impostazioni dell'azienda modificate",
    "CompanyRenamed": lambda d: f"Azienda rinominata in {d.get('name')}",
}


def describe(event: object, data: dict[str, Any]) -> str:
    name = event_name(event)
    describer = DESCRIBERS.get(name)
    if describer is not None:
        return describer(data)
    shown = ", ".join(f"{k}: {show(v)}" for k, v in data.items() if k != "by" and not isinstance(v, dict | list))
    return f"{name}" + (f" — {shown}" if shown else "")
