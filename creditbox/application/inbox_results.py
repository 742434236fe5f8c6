"""What an inbox pass reports: each file's outcome, the folders it could not use, the pass itself
(all with their JSON form, for ``creditbox inbox run --json`` and the ``.esito.json`` files)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any

from creditbox.application.import_results import ImportResult
from creditbox.application.inbound import InboundResult
from creditbox.domain.import_profile_rules import DEFAULT_PROFILE_NAME


class FileStatus(Enum):
    DONE = "done"  # processed (maybe with rejected rows), moved to done/
    FAILED = "failed"  # unreadable or not an .xlsx, moved to failed/
    WAITING = "waiting"  # still being written: left for a later pass
    ERROR = "error"  # something else went wrong: left in place, tried again next pass


@dataclass
class FileOutcome:
    company: str
    folder: str
    file_name: str
    status: FileStatus
    reason: str | None = None
    moved_to: str | None = None
    reports: list[str] = field(default_factory=list)
    result: ImportResult | None = None
    # The layout the file is read in: "default", or the profile its folder names and the
    # version current when the pass reached that folder.
    profile: str = DEFAULT_PROFILE_NAME
    profile_version: int | None = None
    # A file of an inbound kind's folder (``inbox/ACQ/ricevute/``): its kind and what importing it did.
    kind: str | None = None
    inbound: InboundResult | None = None

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "company": self.company,
            "folder": self.folder,
            "file": self.file_name,
            "profile": self.profile,
            "profile_version": self.profile_version,
            "status": self.status.value,
            "reason": self.reason,
            "moved_to": self.moved_to,
            "reports": list(self.reports),
        }
        if self.result is not None:
            data.update(
                import_id=str(self.result.import_id),
                already_imported=self.result.already_imported,
                events=self.result.events,
                totals=self.result.totals.as_json(),
            )
        if self.kind is not None:
            data["kind"] = self.kind
        if self.inbound is not None:
            data["inbound"] = self.inbound.as_json()
        return data


@dataclass(frozen=True)
class UnknownFolder:
    """A folder whose name is no registered company ("XYZ"), or a company's subfolder whose name is
    none of its profiles ("ACQ/sud"): its files are left where they are."""

    folder: str
    files: int
    reason: str

    def as_json(self) -> dict[str, Any]:
        return {"folder": self.folder, "files": self.files, "reason": self.reason}


@dataclass
class InboxPass:
    root: str
    started_at: datetime
    files: list[FileOutcome] = field(default_factory=list)
    unknown_folders: list[UnknownFolder] = field(default_factory=list)
    # Companies asked for (``company=``) that have no folder under the root.
    missing_folders: list[str] = field(default_factory=list)
    # Another process was running a pass on the same root: this one did nothing.
    busy: bool = False
    # Stopped before every file was seen (Ctrl-C, a stop signal).
    stopped: bool = False

    def count(self, status: FileStatus) -> int:
        return sum(1 for f in self.files if f.status is status)

    @property
    def needs_attention(self) -> bool:
        """Something an operator should look at: a file left in error, an unknown folder."""
        return bool(self.count(FileStatus.ERROR) or self.unknown_folders or self.missing_folders)

    def as_json(self) -> dict[str, Any]:
        return {
            "root": self.root,
            "started_at": self.started_at.isoformat(),
            "busy": self.busy,
            "stopped": self.stopped,
            "counts": {status.value: self.count(status) for status in FileStatus},
            "files": [f.as_json() for f in self.files],
            "unknown_folders": [u.as_json() for u in self.unknown_folders],
            "missing_folders": list(self.missing_folders),
        }
