"""The ImportProfile aggregate (*profilo di importazione*, the *convertitore*): one per company and
profile name, versioned like the *tabella azioni*.

Every change is an event carrying the complete profile (its canonical JSON form), who made it,
when, why and from where, so any past version can be read back and an import names the version
it used. Version 1 is recorded by ``define``; each ``revise`` makes version n+1; an identical
revision records nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from creditbox.domain.errors import NotFound
from creditbox.domain.ids import NAMESPACE, normalise_company_code
from creditbox.domain.import_profile_rules import ProfileDocument, check_profile_name, normalise_profile_name

T = "creditbox.import_profile."

IMPORT_PROFILE_DEFINED = T + "ImportProfileDefined"
IMPORT_PROFILE_REVISED = T + "ImportProfileRevised"


def import_profile_id(company: str, name: str) -> UUID:
    return uuid5(NAMESPACE, f"import-profile/{normalise_company_code(company)}/{normalise_profile_name(name)}")


@dataclass(frozen=True)
class ProfileVersion:
    """One version of a company's profile, as recorded: the document and who/when/why/from where."""

    company: str
    name: str
    version: int
    document: ProfileDocument
    by: str
    at: datetime
    note: str | None
    source: str  # "json:<file name>", "api", ...

    @property
    def content(self) -> dict[str, Any]:
        return self.document.as_data()


class ImportProfile(Aggregate):
    TOPIC = "creditbox.import_profile.ImportProfile"

    class Created(Aggregate.Created):
        TOPIC = T + "Created"

    @staticmethod
    def create_id(company: str, name: str, **_: Any) -> UUID:
        return import_profile_id(company, name)

    @classmethod
    def define(
        cls,
        company: str,
        name: str,
        document: ProfileDocument,
        *,
        by: str,
        at: datetime,
        note: str | None = None,
        source: str = "manual",
    ) -> ImportProfile:
        """Version 1 of a profile (``document`` comes valid from ``parse_profile``)."""
        return cls(
            by=by,
            company=normalise_company_code(company),
            name=check_profile_name(name),
            profile_version=1,
            content=document.as_data(),
            at=at,
            note=_note(note),
            source=source,
        )

    @event("ImportProfileDefined", topic=IMPORT_PROFILE_DEFINED)
    def __init__(
        self,
        by: str,
        company: str,
        name: str,
        profile_version: int,
        content: dict[str, Any],
        at: datetime,
        note: str | None,
        source: str,
    ) -> None:
        self.company = company
        self.name = name
        self.versions: list[ProfileVersion] = []
        self._record(by, profile_version, content, at, note, source)

    def revise(
        self, document: ProfileDocument, *, by: str, at: datetime, note: str | None = None, source: str = "manual"
    ) -> bool:
        """Make version n+1. False (nothing recorded) when the profile equals the current one."""
        content = document.as_data()
        if content == self.current.content:
            return False
        self._revised(
            by=by,
            profile_version=self.current.version + 1,
            content=content,
            at=at,
            note=_note(note),
            source=source,
        )
        return True

    @event("ImportProfileRevised", topic=IMPORT_PROFILE_REVISED)
    def _revised(
        self, by: str, profile_version: int, content: dict[str, Any], at: datetime, note: str | None, source: str
    ) -> None:
        self._record(by, profile_version, content, at, note, source)

    def _record(
        self, by: str, version: int, content: dict[str, Any], at: datetime, note: str | None, source: str
    ) -> None:
        document = ProfileDocument.from_data(content)
        self.versions.append(ProfileVersion(self.company, self.name, version, document, by, at, note, source))

    @property
    def current(self) -> ProfileVersion:
        return self.versions[-1]

    def get_version(self, number: int) -> ProfileVersion:
        """Version ``number`` (from 1) as recorded. (``Aggregate.version`` is the event count.)"""
        if not 1 <= number <= len(self.versions):
            raise NotFound(
                f"versione {number} del profilo di importazione {self.name!r} di {self.company} inesistente"
                f" (versioni da 1 a {len(self.versions)})"
            )
        return self.versions[number - 1]


def _note(note: str | None) -> str | None:
    return (note.strip() or None) if note is not None else None
