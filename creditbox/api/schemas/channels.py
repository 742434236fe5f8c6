"""The channels (*canali*): configuration, templates, their versions, the preview of a message."""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ChannelDocumentOut(BaseModel):
    scope: str = Field(description="Codice azienda, o «*» per i valori del gruppo")
    version: int = Field(description="0: nessuna versione salvata (valgono gruppo e valori predefiniti)")
    by: str | None = None
    at: datetime | None = None
    note: str | None = None
    source: str
    document: dict[str, Any] = Field(description="Il documento salvato per questo ambito")


class ChannelConfigOut(ChannelDocumentOut):
    effective: dict[str, Any] | None = Field(
        default=None, description="La configurazione in vigore per l'azienda: predefiniti, poi gruppo, poi azienda"
    )


class ChannelDocumentHistoryOut(ChannelDocumentOut):
    changed: list[str] = Field(description="Percorsi cambiati rispetto alla versione precedente")


class ChannelConfigIn(BaseModel):
    """The whole configuration of the scope (what it does not say comes from the group)."""

    model_config = ConfigDict(extra="forbid")

    document: dict[str, Any] = Field(
        description=(
            "channels (canale → adapter, sender, options, secrets), letterhead, payment_days, sms_max_parts."
            " I segreti solo come riferimento: «env:NOME» o «file:/percorso»."
        ),
        examples=[
            {
                "channels": {
                    "sms": {
                        "adapter": "sms-http",
                        "sender": "ACQUE",
                        "options": {"url": "https://sms.example.it/v1/messages"},
                        "secrets": {"token": "env:ACQ_SMS_TOKEN", "callback_secret": "env:ACQ_SMS_CALLBACK"},
                    }
                },
                "letterhead": {"name": "Acque S.p.A.", "iban": "IT60X0542811101000000123456"},
                "payment_days": 15,
            }
        ],
    )
    note: str | None = Field(default=None, max_length=500)
    expected_version: int | None = Field(
        default=None, ge=0, description="La versione su cui si basa la modifica: 409 se nel frattempo è cambiata"
    )


class ChannelDocumentChangeOut(BaseModel):
    changed: bool
    version: int
    fields: list[str] = Field(description="Percorsi cambiati (vuoto: nessuna nuova versione)")
    current: ChannelDocumentOut


class TemplateOut(BaseModel):
    action: str = Field(examples=["sollecito-sms"])
    action_label: str
    channel: str
    part: str = Field(description="subject (oggetto), text (testo), html (testo HTML)")
    origin: str = Field(description="azienda, gruppo o predefinito")
    source: str = Field(description="Il modello (Jinja2)")


class TemplateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str | None = Field(
        max_length=20_000, description="Il modello (Jinja2); null toglie il modello proprio (torna quello del gruppo)"
    )
    note: str | None = Field(default=None, max_length=500)
    expected_version: int | None = Field(default=None, ge=0)


class PreviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_code: str = Field(max_length=64)
    case_id: str | None = Field(default=None, max_length=64, description="Pratica (default: l'ultima)")
    date: dt.date | None = Field(default=None, description="Data dell'azione (default: oggi)")


class PreviewOut(BaseModel):
    action: str
    channel: str
    recipient: str | None
    subject: str
    text: str
    html: str | None
