"""Use cases of the company settings: read the version in force or any past one, change, history.

A change is a *patch* (a mapping of some or all fields of the settings document) over the version
in force; the result is validated as a whole (every problem, named by field) and saved as version
n+1, unless equal to the version in force. ``expected_version`` gives optimistic concurrency: a
change based on another version than the one in force is refused (Conflict).

The workflow always applies the version in force when it runs (like the actions table), and the
decisions that depended on a setting record its version number (``settings_version``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from creditbox.application.companies import CompanyDirectory
from creditbox.application.ports import EventStore
from creditbox.clock import Clock
from creditbox.domain.company import Company
from creditbox.domain.company_settings import CompanySettings, SettingsVersion, changed_fields
from creditbox.domain.company_settings_document import parse_settings
from creditbox.domain.errors import Conflict


@dataclass(frozen=True)
class SettingsRevision:
    """The answer to a change: the version now in force, whether a new one was made and what changed."""

    changed: bool
    version: SettingsVersion
    fields: tuple[str, ...]


@dataclass(frozen=True)
class SettingsHistoryEntry:
    version: SettingsVersion
    fields: tuple[str, ...]  # changed against the previous version (version 1: every field)


class CompanySettingsService:
    def __init__(self, companies: CompanyDirectory, store: EventStore, clock: Clock) -> None:
        self._companies = companies
        self._store = store
        self._clock = clock

    def current(self, company: str) -> SettingsVersion:
        return self._companies.get(company).current_settings

    def version(self, company: str, number: int) -> SettingsVersion:
        return self._companies.get(company).settings_version(number)

    def history(self, company: str) -> list[SettingsHistoryEntry]:
        entries: list[SettingsHistoryEntry] = []
        previous: CompanySettings | None = None
        for version in self._companies.get(company).settings_versions:
            entries.append(SettingsHistoryEntry(version, changed_fields(previous, version.settings)))
            previous = version.settings
        return entries

    def change(
        self,
        company: str,
        patch: Mapping[str, Any],
        *,
        by: str,
        note: str | None = None,
        source: str = "manuale",
        expected_version: int | None = None,
    ) -> SettingsRevision:
        """Validate the patch over the version in force and save version n+1 (unless unchanged)."""
        target = self._companies.get(company)
        before = target.current_settings
        if expected_version is not None and expected_version != before.version:
            raise Conflict(
                f"le impostazioni di {target.code} sono alla versione {before.version}, non {expected_version}:"
                " rileggerle e riprovare"
            )
        settings = parse_settings(patch, before.settings)
        return self._save(target, before, settings, by=by, note=note, source=source)

    def _save(
        self,
        company: Company,
        before: SettingsVersion,
        settings: CompanySettings,
        *,
        by: str,
        note: str | None,
        source: str,
    ) -> SettingsRevision:
        changed = company.change_settings(settings, by=by, at=self._clock.now(), note=note, source=source)
        if changed:
            self._store.save(company)
        after = company.current_settings
        return SettingsRevision(changed, after, changed_fields(before.settings, after.settings) if changed else ())
