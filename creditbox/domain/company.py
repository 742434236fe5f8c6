"""The Company aggregate (*azienda*): a company of the group, registered explicitly, with its settings.

The settings are versioned like the actions table: version 1 is adopted with the registration
(``CompanyRegistered``), each change records ``CompanySettingsChanged`` with the complete new
settings, the version number, who, when and why; an identical change records nothing. Events
written before settings were versioned (no ``settings_version``, ``at``, ``note``; fewer fields in
``settings``) still load: missing fields take the values that were hard-coded then.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from creditbox.domain.company_settings import (
    DEFAULT_GRACE_PERIOD_DAYS,
    DEFAULT_INSTALMENT_TOLERANCE_DAYS,
    DEFAULT_LITIGATION_APPROVAL_LEVEL,
    FRIDAY,
    SATURDAY,
    CompanySettings,
    SettingsVersion,
)
from creditbox.domain.errors import InvalidCommand, NotFound
from creditbox.domain.ids import company_id, normalise_company_code
from creditbox.domain.text_policy import require_text

T = "creditbox.company."

COMPANY_REGISTERED = T + "CompanyRegistered"
COMPANY_SETTINGS_CHANGED = T + "CompanySettingsChanged"
REGISTRATION_SOURCE = "registrazione"

__all__ = [
    "COMPANY_REGISTERED",
    "COMPANY_SETTINGS_CHANGED",
    "DEFAULT_GRACE_PERIOD_DAYS",
    "DEFAULT_INSTALMENT_TOLERANCE_DAYS",
    "DEFAULT_LITIGATION_APPROVAL_LEVEL",
    "FRIDAY",
    "SATURDAY",
    "Company",
    "CompanySettings",
    "SettingsVersion",
]


class Company(Aggregate):
    TOPIC = "creditbox.company.Company"

    class Created(Aggregate.Created):
        TOPIC = T + "Created"

    @staticmethod
    def create_id(code: str, **_: Any) -> UUID:
        return company_id(code)

    @classmethod
    def register(
        cls, code: str, name: str, settings: CompanySettings, *, by: str, at: datetime | None = None
    ) -> Company:
        code = normalise_company_code(code)
        if not code or not code.isascii() or not code.replace("-", "").replace("_", "").isalnum() or len(code) > 32:
            raise InvalidCommand(f"codice azienda non valido: {code!r} (fino a 32 lettere, cifre, - e _)")
        if not name.strip():
            raise InvalidCommand("nome azienda mancante")
        name = require_text(name.strip(), "nome azienda")
        return cls(by=by, code=code, name=name, settings=settings.as_event_data(), at=at)

    @event("CompanyRegistered", topic=COMPANY_REGISTERED)
    def __init__(self, by: str, code: str, name: str, settings: dict[str, Any], at: datetime | None = None) -> None:
        self.code = code
        self.name = name
        self.settings_versions: list[SettingsVersion] = []
        self._adopt(settings, 1, by, at, None, REGISTRATION_SOURCE)

    # ---- settings ---------------------------------------------------------------------------

    @property
    def settings(self) -> CompanySettings:
        """The settings in force (the latest version; ``settings.version`` is its number)."""
        return self.settings_versions[-1].settings

    @property
    def current_settings(self) -> SettingsVersion:
        return self.settings_versions[-1]

    def settings_version(self, number: int) -> SettingsVersion:
        if not 1 <= number <= len(self.settings_versions):
            raise NotFound(
                f"versione {number} delle impostazioni di {self.code} inesistente"
                f" (versioni da 1 a {len(self.settings_versions)})"
            )
        return self.settings_versions[number - 1]

    def change_settings(
        self,
        settings: CompanySettings,
        *,
        by: str,
        at: datetime | None = None,
        note: str | None = None,
        source: str = "manuale",
    ) -> bool:
        """Adopt version n+1. False (nothing recorded) when equal to the settings in force."""
        if settings == self.settings:
            return False
        self._settings_changed(
            by=by,
            settings=settings.as_event_data(),
            settings_version=self.current_settings.version + 1,
            at=at,
            note=note.strip() or None if note is not None else None,
            source=source,
        )
        return True

    @event("CompanySettingsChanged", topic=COMPANY_SETTINGS_CHANGED)
    def _settings_changed(
        self,
        by: str,
        settings: dict[str, Any],
        settings_version: int | None = None,
        at: datetime | None = None,
        note: str | None = None,
        source: str | None = None,
    ) -> None:
        number = settings_version if settings_version is not None else len(self.settings_versions) + 1
        self._adopt(settings, number, by, at, note, source or "manuale")

    def _adopt(
        self, data: dict[str, Any], number: int, by: str, at: datetime | None, note: str | None, source: str
    ) -> None:
        settings = replace(CompanySettings.from_event_data(data), version=number)
        self.settings_versions.append(SettingsVersion(self.code, number, settings, by, at, note, source))

    # ---- name -------------------------------------------------------------------------------

    def rename(self, name: str, *, by: str) -> bool:
        if name.strip() == self.name:
            return False
        if not name.strip():
            raise InvalidCommand("nome azienda mancante")
        self._renamed(by=by, name=require_text(name.strip(), "nome azienda"))
        return True

    @event("CompanyRenamed", topic=T + "CompanyRenamed")
    def _renamed(self, by: str, name: str) -> None:
        self.name = name
