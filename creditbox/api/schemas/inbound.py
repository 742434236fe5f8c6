"""Inbound files (*file in arrivo*): the same JSON summary as ``creditbox inbound import --json``, and the
worklist of unmatched answers."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from creditbox.api.schemas.imports import RejectionOut


class InboundOut(BaseModel):
    kind: str = Field(description="Tipo di file (ricevute, esiti-postali, ufficio-tecnico, agenzia, ...)")
    filename: str
    company: str
    accepted: int = Field(description="Risposte registrate ora")
    duplicates: int = Field(description="Risposte già registrate (lo stesso file importato di nuovo)")
    unmatched: list[dict[str, Any]] = Field(description="Risposte non abbinate a nessuna azione dell'azienda")
    rejected: list[RejectionOut]
    details: dict[str, Any] = Field(description="Dati propri del tipo di file (es. la ricevuta letta)")


class UnmatchedAnswerOut(BaseModel):
    kind: str
    kind_label: str
    reference: str = Field(description="Ciò che nomina la risposta nel suo file (un Message-ID, una chiave)")
    filename: str
    digest: str = Field(description="Impronta SHA-256 della risposta (o del suo file)")
    received_at: str
    reason: str
    details: dict[str, Any]


class UnmatchedPage(BaseModel):
    items: list[UnmatchedAnswerOut]
