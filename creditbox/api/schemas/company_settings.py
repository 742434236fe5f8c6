"""The company settings (*impostazioni dell'azienda*): versions, history, changes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from creditbox.api.schemas.common import MONEY_PATTERN, Money

_MONEY_SCHEMA = {"type": "string", "pattern": MONEY_PATTERN}
_INTEGER_OR_TEXT = {"anyOf": [{"type": "integer"}, {"type": "string"}]}

# What a change may send: some or all fields (the others keep their value). Values are checked by
# the application, which names every wrong field in the 422 problem document.
SETTINGS_PATCH_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": (
        "Alcuni o tutti i campi delle impostazioni; quelli assenti restano invariati. Giorni della"
        " settimana: 0 = lunedì … 6 = domenica, o il nome («venerdì»). Giorni dell'azienda: «MM-GG» ogni"
        " anno, «AAAA-MM-GG» una volta sola. Importi: stringhe decimali («1000.00»)."
    ),
    "properties": {
        "grace_period_days": _INTEGER_OR_TEXT,
        "suspension_forbidden_weekdays": {"type": "array", "items": _INTEGER_OR_TEXT},
        "suspension_forbidden_on_holidays": {"type": "boolean"},
        "suspension_forbidden_on_holiday_eves": {"type": "boolean"},
        "company_days": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"date": {"type": "string", "examples": ["06-24"]}, "label": {"type": "string"}},
            },
        },
        "write_off_ceilings": {"type": "object", "additionalProperties": _MONEY_SCHEMA, "examples": [{"1": "1000.00"}]},
        "instalment_tolerance_days": _INTEGER_OR_TEXT,
        "instalment_tolerance_amount": _MONEY_SCHEMA,
        "litigation_approval_level": _INTEGER_OR_TEXT,
    },
}


class CompanyDayOut(BaseModel):
    date: str = Field(description="«MM-GG» (ogni anno) o «AAAA-MM-GG» (una volta sola)", examples=["06-24"])
    label: str = Field(examples=["Santo patrono"])


class SettingsDocument(BaseModel):
    grace_period_days: int = Field(description="Giorni dopo la scadenza prima di aprire una pratica")
    suspension_forbidden_weekdays: list[int] = Field(description="Giorni senza sospensioni: 0 = lunedì … 6 = domenica")
    suspension_forbidden_on_holidays: bool
    suspension_forbidden_on_holiday_eves: bool
    company_days: list[CompanyDayOut] = Field(description="Giorni dell'azienda (ad es. il santo patrono)")
    write_off_ceilings: dict[str, Money] = Field(description="Massimale di stralcio e transazione per livello")
    instalment_tolerance_days: int
    instalment_tolerance_amount: Money
    litigation_approval_level: int


class CompanySettingsOut(BaseModel):
    company: str
    version: int
    by: str
    at: datetime | None = None
    note: str | None = None
    source: str
    settings: SettingsDocument


class SettingsHistoryEntryOut(CompanySettingsOut):
    changed: list[str] = Field(description="Campi cambiati rispetto alla versione precedente")


class CompanySettingsIn(BaseModel):
    """A change: some or all fields of the settings (a patch over the version in force)."""

    model_config = ConfigDict(extra="forbid")

    settings: Annotated[dict[str, Any], WithJsonSchema(SETTINGS_PATCH_SCHEMA)]
    note: str | None = Field(default=None, max_length=500)
    expected_version: int | None = Field(
        default=None, ge=1, description="La versione su cui si basa la modifica: 409 se nel frattempo è cambiata"
    )


class SettingsChangeOut(BaseModel):
    changed: bool
    version: int
    fields: list[str] = Field(description="Campi cambiati (vuoto: nessuna nuova versione)")
    current: CompanySettingsOut
