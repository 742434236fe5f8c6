"""The Import aggregate: one per imported file and company (id from the file's SHA-256).

It records what the file was and what came of it, for idempotency and audit: file name, hash,
profile, counts per sheet, rejected rows and warnings. Importing the same file again changes
nothing unless the second run actually applied something (then ``FileReimported``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from creditbox.domain.errors import InvalidCommand
from creditbox.domain.ids import import_id, normalise_company_code

T = "creditbox.import."

FILE_IMPORTED = T + "FileImported"

# Counts per sheet: {"Clienti": {"accepted": n, "unchanged": n, "rejected": n}, ...}
Counts = dict[str, dict[str, int]]
# Rejected rows: [{"sheet": ..., "row": n, "column": ..., "reason": ...}, ...]
Rejections = list[dict[str, Any]]


class Import(Aggregate):
    TOPIC = "creditbox.import.Import"

    class Created(Aggregate.Created):
        TOPIC = T + "Created"

    @staticmethod
    def create_id(company: str, file_sha256: str, **_: Any) -> UUID:
        return import_id(company, file_sha256)

    @classmethod
    def record(
        cls,
        company: str,
        file_name: str,
        file_sha256: str,
        profile: str,
        imported_at: datetime,
        counts: Counts,
        rejected: Rejections,
        warnings: list[str],
        *,
        by: str,
        profile_version: int | None = None,
    ) -> Import:
        if len(file_sha256) != 64:
            raise InvalidCommand("impronta SHA-256 del file non valida")
        return cls(
            by=by,
            company=normalise_company_code(company),
            file_name=file_name,
            file_sha256=file_sha256,
            profile=profile,
            imported_at=imported_at,
            counts=counts,
            rejected=rejected,
            warnings=warnings,
            profile_version=profile_version,
        )

    @event("FileImported", topic=FILE_IMPORTED)
    def __init__(
        self,
        by: str,
        company: str,
        file_name: str,
        file_sha256: str,
        profile: str,
        imported_at: datetime,
        counts: Counts,
        rejected: Rejections,
        warnings: list[str],
        profile_version: int | None = None,  # absent from events recorded before import profiles
    ) -> None:
        self.company = company
        self.file_name = file_name
        self.file_sha256 = file_sha256
        self.profile = profile
        # The version of the company's import profile used (None: the built-in default profile).
        self.profile_version = profile_version
        self.imported_at = imported_at
        self.counts = counts
        self.rejected = rejected
        self.warnings = warnings
        self.runs = 1

    def reimported(
        self,
        file_name: str,
        imported_at: datetime,
        counts: Counts,
        rejected: Rejections,
        *,
        by: str,
        profile: str | None = None,
        profile_version: int | None = None,
    ) -> bool:
        """Record a later run of the same file, only if it applied something new."""
        if not any(sheet.get("accepted", 0) for sheet in counts.values()):
            return False
        self._reimported(
            by=by,
            file_name=file_name,
            imported_at=imported_at,
            counts=counts,
            rejected=rejected,
            profile=profile,
            profile_version=profile_version,
        )
        return True

    @event("FileReimported", topic=T + "FileReimported")
    def _reimported(
        self,
        by: str,
        file_name: str,
        imported_at: datetime,
        counts: Counts,
        rejected: Rejections,
        profile: str | None = None,  # absent from events recorded before import profiles
        profile_version: int | None = None,
    ) -> None:
        if profile is not None:
            self.profile = profile
            self.profile_version = profile_version
        self.imported_at = imported_at
        self.counts = counts
        self.rejected = rejected
        self.runs += 1
