"""The inbox: billing-system files dropped in a company's folder, imported on a timer.

One pass looks at every company folder under the inbox root (``inbox/ACQ/``), imports each
settled file there (``.xlsx``, ``.xls``, ``.ods``, ``.csv``), oldest first, through the same
``ImportService`` as the manual import, then files it away with its reports beside it: ``done/``
when it was processed (even with rejected rows: the report lists them), ``failed/`` when it could
not be read at all or is of another format. The reports are ``<name>.esito.json`` (the import's
summary JSON, or the reason it failed) and ``<name>.scarti.xlsx`` (the Excel report).

Files directly in ``inbox/ACQ/`` are in the default layout. Each other subfolder names one of the
company's import profiles (``inbox/ACQ/nord/``, names ignoring case as profile names do): its
files are read through that profile's current version at the time of the pass, and filed in its
own ``done/`` and ``failed/`` (names no profile may take). A subfolder naming no profile of the
company is reported like a folder naming no company, its files left where they are.

Each other subfolder named after a kind of inbound file (``inbox/ACQ/ricevute/`` for PEC receipts,
see ``inbound.py``) holds files of that kind: any file there (not only ``.xlsx``) is imported through
``InboundFiles`` — the same code as ``creditbox inbound import`` and the API — and filed in the kind
folder's ``done/`` with its ``.esito.json`` (accepted, duplicates, unmatched, rejected), or in
``failed/`` when nothing in it could be read. A kind's name takes precedence over a profile's.

Symbolic links are never followed: a link in a company or profile folder (to a file or to a
folder, ``x.xlsx -> ../OTH/done/their.xlsx``) is moved, as a link and unread, into ``failed/``
with its report; a link at the root (a company folder that is a link) is reported and never
entered; a ``done/`` or ``failed/`` that is a link is never written through: the file stays and
the pass reports the error (see ``infrastructure/inbox_folder.py``).

Crash safety comes from the import's idempotency: the file is moved only after its import is
recorded, so a crash in between leaves it in the inbox, and the next pass imports it again, which
records nothing (the same file is already imported) and moves it to ``done/`` with its report.

The file system is behind the ``InboxFolder`` port and the Excel rendering behind
``ReportRenderer`` (``ports.py``, both implemented in ``creditbox.infrastructure``), so this
module reads no file and writes no format but JSON; what a pass reports is in ``inbox_results.py``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from creditbox.application.companies import CompanyDirectory
from creditbox.application.file_formats import ACCEPTED, has_supported_name
from creditbox.application.imports import ImportService, profile_label
from creditbox.application.inbound import InboundFiles
from creditbox.application.inbox_results import FileOutcome, FileStatus, InboxPass, UnknownFolder
from creditbox.application.ports import (
    InboxEntry,
    InboxFolder,
    ParserFactory,
    ProfileSource,
    ReportRenderer,
    WorkbookParser,
)
from creditbox.application.records import UnreadableFile
from creditbox.clock import Clock
from creditbox.domain.errors import NotFound
from creditbox.domain.ids import normalise_company_code
from creditbox.domain.import_profile_rules import DEFAULT_PROFILE_NAME, normalise_profile_name

INBOX_USER = "inbox"
DONE = "done"
FAILED = "failed"
# Subfolders of a company or profile folder that hold filed files, not files to import.
OUTCOME_FOLDERS = (DONE, FAILED)
JSON_REPORT = ".esito.json"
EXCEL_REPORT = ".scarti.xlsx"
LINK_REFUSED = "collegamento simbolico: non letto né importato (la inbox non segue i collegamenti)"


@dataclass(frozen=True)
class _Source:
    """A folder to import from and the layout its files are in (``parser`` None: the default)."""

    folder: str
    company: str
    profile: str = DEFAULT_PROFILE_NAME
    profile_version: int | None = None
    parser: WorkbookParser | None = None
    kind: str | None = None  # an inbound kind's folder: its files go to ``InboundFiles``


class Inbox:
    def __init__(
        self,
        folder: InboxFolder,
        importer: ImportService,
        companies: CompanyDirectory,
        reports: ReportRenderer,
        clock: Clock,
        *,
        profiles: ProfileSource,
        make_parser: ParserFactory,
        by: str = INBOX_USER,
        inbound: InboundFiles | None = None,
    ) -> None:
        self._folder = folder
        self._importer = importer
        self._companies = companies
        self._reports = reports
        self._clock = clock
        self._profiles = profiles
        self._make_parser = make_parser
        self._by = by
        self._inbound = inbound
        self._kinds = {importer.kind for importer in inbound.kinds()} if inbound is not None else set()

    def run_pass(
        self,
        company: str | None = None,
        *,
        on_file: Callable[[FileOutcome], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> InboxPass:
        """One pass over the company folders (only ``company``'s when given: ``NotFound`` if it is
        not registered). Raises ``InboxUnavailable`` when the root cannot be used."""
        wanted = self._companies.require(company) if company is not None else None
        outcome = InboxPass(self._folder.root, self._clock.now())
        with self._folder.exclusive() as mine:
            if not mine:
                outcome.busy = True
                return outcome
            folders = self._company_folders(outcome, wanted)
            for folder, code in folders:
                for source in self._sources(outcome, folder, code):
                    for entry in self._folder.entries(source.folder):
                        if should_stop is not None and should_stop():
                            outcome.stopped = True
                            return outcome
                        done = self._process(source, entry)
                        outcome.files.append(done)
                        if on_file is not None:
                            on_file(done)
        return outcome

    def _company_folders(self, outcome: InboxPass, wanted: str | None) -> list[tuple[str, str]]:
        """(folder, company code) for each folder to import from; unknown ones are noted."""
        found: list[tuple[str, str]] = []
        for link in self._folder.links():
            if wanted is None or normalise_company_code(link) == wanted:
                outcome.unknown_folders.append(UnknownFolder(link, 0, f"{link}: {LINK_REFUSED}"))
        for folder in self._folder.company_folders():
            if wanted is not None:
                if normalise_company_code(folder) == wanted:
                    found.append((folder, wanted))
                continue
            try:
                found.append((folder, self._companies.require(folder)))
            except NotFound as error:
                # Its profile subfolders' files are left too (and counted).
                files = len(self._folder.entries(folder)) + sum(
                    len(self._folder.entries(_join(folder, sub))) for sub in self._profile_folders(folder)
                )
                outcome.unknown_folders.append(_unknown(folder, files, error))
        if wanted is not None and not found:
            outcome.missing_folders.append(wanted)
        return found

    def _profile_folders(self, folder: str) -> list[str]:
        """The subfolders of a company folder that name profiles: all but ``done/`` and ``failed/``
        (matched as profile names are, ignoring case: no profile can take those names)."""
        return [
            sub
            for sub in self._folder.subfolders(folder)
            if normalise_profile_name(sub) not in OUTCOME_FOLDERS and sub not in self._kinds
        ]

    def _sources(self, outcome: InboxPass, folder: str, company: str) -> list[_Source]:
        """The company folder (default layout), then each profile subfolder with its profile's
        current version; a subfolder naming no profile of the company is noted and skipped."""
        sources = [_Source(folder, company)]
        sources += [
            _Source(_join(folder, sub), company, kind=sub)
            for sub in self._folder.subfolders(folder)
            if sub in self._kinds
        ]
        for sub in self._profile_folders(folder):
            path = _join(folder, sub)
            if normalise_profile_name(sub) == DEFAULT_PROFILE_NAME:  # as ``--profile default``
                sources.append(_Source(path, company))
                continue
            try:
                version = self._profiles.current(company, sub)
            except NotFound as error:
                outcome.unknown_folders.append(_unknown(path, len(self._folder.entries(path)), error))
                continue
            sources.append(_Source(path, company, version.name, version.version, self._make_parser(version)))
        return sources

    def _process(self, source: _Source, entry: InboxEntry) -> FileOutcome:
        company = source.company
        outcome = FileOutcome(company, entry.folder, entry.name, FileStatus.WAITING)
        outcome.profile, outcome.profile_version = source.profile, source.profile_version
        if not entry.settled:
            outcome.reason = "in scrittura: al prossimo passaggio"
            return outcome
        # Anything going wrong with one file must not stop the pass: the file stays where it is
        # and the next pass tries it again (the import is idempotent).
        try:
            if entry.link:
                return self._refuse(outcome, entry, f"{entry.name}: {LINK_REFUSED}")
            if source.kind is not None:
                return self._process_inbound(source.kind, outcome, entry)
            if not has_supported_name(entry.name):
                return self._refuse(outcome, entry, f"{entry.name}: formato non supportato ({ACCEPTED})")
            content = self._folder.read(entry)
            if content is None:
                outcome.reason = "modificato durante la lettura: al prossimo passaggio"
                return outcome
            try:
                result = self._importer.run(content, entry.name, company, by=self._by, parser=source.parser)
            except UnreadableFile as error:
                return self._refuse(outcome, entry, str(error))
            now = self._clock.now()
            reports = {
                JSON_REPORT: _json(result.as_json()),
                EXCEL_REPORT: self._reports.imported(result, now),
            }
            self._file_away(outcome, entry, DONE, reports, now)
            outcome.status, outcome.result = FileStatus.DONE, result
        except Exception as error:  # reported; the file is tried again next pass
            outcome.status = FileStatus.ERROR
            outcome.reason = f"{type(error).__name__}: {error}"
        return outcome

    def _process_inbound(self, kind: str, outcome: FileOutcome, entry: InboxEntry) -> FileOutcome:
        """A file of an inbound kind: imported through ``InboundFiles``, filed with its JSON summary."""
        assert self._inbound is not None  # a kind folder is a source only with the inbound files
        outcome.kind = kind
        content = self._folder.read(entry)
        if content is None:
            outcome.reason = "modificato durante la lettura: al prossimo passaggio"
            return outcome
        result = self._inbound.import_file(kind, outcome.company, entry.name, content, by=self._by)
        outcome.inbound = result
        readable = result.accepted or result.duplicates or result.unmatched or not result.rejected
        where, status = (DONE, FileStatus.DONE) if readable else (FAILED, FileStatus.FAILED)
        if not readable:
            outcome.reason = "; ".join(r.reason for r in result.rejected)
        self._file_away(outcome, entry, where, {JSON_REPORT: _json(result.as_json())}, self._clock.now())
        outcome.status = status
        return outcome

    def _refuse(self, outcome: FileOutcome, entry: InboxEntry, reason: str) -> FileOutcome:
        now = self._clock.now()
        summary = {
            "company": outcome.company,
            "file_name": entry.name,
            "profile": outcome.profile,
            "profile_version": outcome.profile_version,
            "status": FAILED,
            "reason": reason,
            "processed_at": now.isoformat(),
        }
        reports = {
            JSON_REPORT: _json(summary),
            EXCEL_REPORT: self._reports.refused(
                outcome.company, entry.name, reason, now, profile_label(outcome.profile, outcome.profile_version)
            ),
        }
        self._file_away(outcome, entry, FAILED, reports, now)
        outcome.status, outcome.reason = FileStatus.FAILED, reason
        return outcome

    def _file_away(
        self, outcome: FileOutcome, entry: InboxEntry, where: str, reports: Mapping[str, bytes], at: datetime
    ) -> None:
        moved, *written = self._folder.file_away(entry, where, reports, at)
        outcome.moved_to, outcome.reports = moved, written


def _join(folder: str, sub: str) -> str:
    return f"{folder}/{sub}"


def _unknown(folder: str, files: int, error: NotFound) -> UnknownFolder:
    left = "1 file lasciato" if files == 1 else f"{files} file lasciati"
    return UnknownFolder(folder, files, f"{error}: {left} nella cartella")


def _json(data: Mapping[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")
