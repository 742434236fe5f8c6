"""Excel uploads: the same JSON summary as ``creditbox import --json``."""

from __future__ import annotations

from pydantic import BaseModel, Field


class SheetCountsOut(BaseModel):
    accepted: int
    unchanged: int
    rejected: int


class RejectionOut(BaseModel):
    sheet: str
    row: int
    column: str | None = None
    reason: str


class ImportOut(BaseModel):
    import_id: str
    company: str
    file_name: str
    file_sha256: str
    profile: str = Field(description="Profilo di importazione usato ('default': il formato standard)")
    profile_version: int | None = Field(None, description="Versione del profilo usata (null per 'default')")
    already_imported: bool = Field(description="Lo stesso file era già stato importato")
    sheets: dict[str, SheetCountsOut]
    totals: SheetCountsOut
    events: int
    rejected: list[RejectionOut]
    warnings: list[str]


class ImportRecordOut(BaseModel):
    """An import as recorded (the Import aggregate): what the file was and what came of it."""

    import_id: str
    company: str
    file_name: str
    file_sha256: str
    profile: str = Field(description="Profilo di importazione usato ('default': il formato standard)")
    profile_version: int | None = Field(None, description="Versione del profilo usata (null per 'default')")
    imported_at: str
    runs: int
    sheets: dict[str, SheetCountsOut]
    rejected: list[RejectionOut]
    warnings: list[str]
