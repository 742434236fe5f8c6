"""What an import returns: its counts per sheet, the rows it rejected, what it recorded (with the JSON
form the CLI's ``--json`` and the inbox's ``.esito.json`` files show)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from creditbox.application.records import Rejection


@dataclass
class SheetCounts:
    accepted: int = 0
    unchanged: int = 0
    rejected: int = 0

    def as_json(self) -> dict[str, int]:
        return {"accepted": self.accepted, "unchanged": self.unchanged, "rejected": self.rejected}


@dataclass
class ImportResult:
    import_id: UUID
    company: str
    file_name: str
    file_sha256: str
    profile: str
    sheets: dict[str, SheetCounts]
    rejected: list[Rejection]
    warnings: list[str] = field(default_factory=list)
    events: int = 0
    # The version of a company's import profile used (None: the built-in default profile).
    profile_version: int | None = None
    already_imported: bool = False
    # Aggregates saved and atomic saves made by the run (for benchmarks and logs).
    saved_aggregates: int = 0
    saves: int = 0

    @property
    def totals(self) -> SheetCounts:
        total = SheetCounts()
        for counts in self.sheets.values():
            total.accepted += counts.accepted
            total.unchanged += counts.unchanged
            total.rejected += counts.rejected
        return total

    def as_json(self) -> dict[str, Any]:
        return {
            "import_id": str(self.import_id),
            "company": self.company,
            "file_name": self.file_name,
            "file_sha256": self.file_sha256,
            "profile": self.profile,
            "profile_version": self.profile_version,
            "already_imported": self.already_imported,
            "sheets": {name: counts.as_json() for name, counts in self.sheets.items()},
            "totals": self.totals.as_json(),
            "events": self.events,
            "rejected": [r.as_json() for r in self.rejected],
            "warnings": list(self.warnings),
        }
