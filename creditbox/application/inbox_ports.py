"""The inbox's ports: the folder it reads and files into, the company profiles, the Excel report.
Implemented in ``creditbox.infrastructure`` (``inbox_folder.py``, ``excel/import_report.py``) and
by ``ImportProfiles``; wired by the composition root."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from creditbox.application.imports import ImportResult
from creditbox.domain.import_profile import ProfileVersion


class InboxUnavailable(Exception):
    """The inbox root cannot be used (missing, not a folder)."""


@dataclass(frozen=True)
class InboxEntry:
    """A file found in a company folder (temporary and hidden names are never listed)."""

    folder: str  # the folder as on disk, relative to the root: "ACQ", or "ACQ/nord" for a profile's
    name: str
    size: int
    modified: float  # seconds since the epoch, as the file system keeps it
    # Unchanged for the folder's minimum age: not being written any more.
    settled: bool
    # A symbolic link (to a file or a folder): never read nor followed, filed in ``failed/``.
    link: bool = False


class InboxFolder(Protocol):
    """The inbox on a file system: company folders, their files, and where files are filed away."""

    @property
    def root(self) -> str: ...

    def exclusive(self) -> AbstractContextManager[bool]:
        """Held for a pass: False when another process is running a pass on the same root.
        Raises ``InboxUnavailable`` when the root cannot be used."""
        ...

    def company_folders(self) -> list[str]:
        """The real folders directly in the root (never symbolic links), sorted."""
        ...

    def links(self) -> list[str]:
        """The symbolic links directly in the root: reported, never entered."""
        ...

    def subfolders(self, folder: str) -> list[str]:
        """The names of the real folders directly in ``folder`` (hidden ones and links never listed), sorted."""
        ...

    def entries(self, folder: str) -> list[InboxEntry]:
        """The files directly in ``folder`` ("ACQ" or "ACQ/nord"), oldest first; symbolic links
        (to anything) are listed with ``link`` set."""
        ...

    def read(self, entry: InboxEntry) -> bytes | None:
        """The file's bytes, or None when it changed since it was listed (still being written).
        Never follows a link: raises ``OSError`` for a link or anything but a regular file."""
        ...

    def file_away(self, entry: InboxEntry, outcome: str, reports: Mapping[str, bytes], at: datetime) -> list[str]:
        """Move the file to ``<folder>/<outcome>/`` under a name not taken there yet, with each
        report written beside it as ``<name without extension><suffix>``; returns the paths
        (relative to the root) of the file and of its reports. Nothing is left behind on error."""
        ...


class ProfileSource(Protocol):
    """The companies' import profiles (``ImportProfiles``)."""

    def current(self, company: str, name: str) -> ProfileVersion:
        """The current version of ``company``'s profile ``name`` (``NotFound``, naming the profiles
        there are, when the company has no such profile)."""
        ...


class ReportRenderer(Protocol):
    """The Excel report of an import (``infrastructure/excel/import_report.py``)."""

    def imported(self, result: ImportResult, processed_at: datetime) -> bytes: ...

    def refused(
        self, company: str, file_name: str, reason: str, processed_at: datetime, profile: str | None = None
    ) -> bytes:
        """``profile``: how the layout read is named (``nord (versione 3)``), None when unknown."""
        ...
