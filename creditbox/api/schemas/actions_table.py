"""The actions table (*tabella azioni*): versions and rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from creditbox.api.schemas.common import Money, NoteText


class ActionRowOut(BaseModel):
    ladder: str
    seq: int
    action_code: int
    description: str
    wait_before_days: int
    start_point: str
    wait_after_days: int
    amount_min: Money
    amount_max: Money | None = None
    threshold: Money
    approval_level: int
    mode: str
    customer_types: list[int]
    services: list[int]
    supply_types: list[int]
    supply_statuses: list[int]
    parameters: list[list[str]]
    key: str = Field(description="Riferimento stabile della riga nella versione: SCALA#passo[fascia]")


class ActionsTableOut(BaseModel):
    company: str
    version: int
    by: str
    at: datetime
    note: str | None = None
    source: str
    rows: list[ActionRowOut]


class ActionsTableIn(BaseModel):
    """A new version: every row, in table order (the shape of the rows answered by GET; code sets
    may also be written ``"1|2"``). Validated like the Excel import: every problem is reported."""

    model_config = ConfigDict(extra="forbid")

    rows: list[dict[str, Any]] = Field(min_length=1, max_length=2000)
    note: NoteText | None = None
    expected_version: int | None = Field(
        default=None, ge=1, description="La versione su cui si basa la modifica: 409 se nel frattempo è cambiata"
    )


class RevisionOut(BaseModel):
    changed: bool
    version: int
    added: list[str]
    removed: list[str]
    changed_rows: list[str]
    table: ActionsTableOut
