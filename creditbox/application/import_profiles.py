"""Use cases of the import profiles (*profili di importazione*, the *convertitore*): set (define or
revise), list, read the current or any past version, history, and the parser an import uses.

A profile arrives as parsed JSON; it is validated as a whole (``parse_profile``: every problem at
once), with the values the domain cannot judge checked by the Excel reader's own parsers
(``check_value``, injected by the composition root). Reading a workbook through a profile is the
reader's job too: ``make_parser`` turns a profile version into a :class:`WorkbookParser`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from creditbox.application.ports import EventStore, ParserFactory, WorkbookParser
from creditbox.clock import Clock
from creditbox.domain.errors import NotFound
from creditbox.domain.ids import company_id, normalise_company_code
from creditbox.domain.import_profile import (
    IMPORT_PROFILE_DEFINED,
    ImportProfile,
    ProfileVersion,
    import_profile_id,
)
from creditbox.domain.import_profile_rules import (
    DEFAULT_PROFILE_NAME,
    ValueCheck,
    check_profile_name,
    normalise_profile_name,
    parse_profile,
)


@dataclass(frozen=True)
class ProfileRevision:
    """The answer to ``set``: the version now current, and whether a new one was recorded."""

    changed: bool
    version: ProfileVersion


class ImportProfiles:
    def __init__(
        self,
        store: EventStore,
        clock: Clock,
        *,
        default_parser: Callable[[], WorkbookParser],
        make_parser: ParserFactory,
        check_value: ValueCheck | None = None,
    ) -> None:
        self._store = store
        self._clock = clock
        self._default_parser = default_parser
        self._make_parser = make_parser
        self._check_value = check_value

    def _company(self, company: str) -> str:
        code = normalise_company_code(company)
        if not self._store.exists(company_id(code)):
            raise NotFound(f"azienda sconosciuta: {code!r} (registrarla con 'companies add')")
        return code

    def set(
        self, company: str, name: str, data: Any, *, by: str, note: str | None = None, source: str = "manual"
    ) -> ProfileRevision:
        """Validate ``data`` (every problem at once: InvalidImportProfile) and record it as version 1
        of a new profile or as version n+1 of an existing one, unless it equals the current version."""
        code = self._company(company)
        key = check_profile_name(name)
        document = parse_profile(data, self._check_value)
        profile = self._store.get_or_none(import_profile_id(code, key))
        now = self._clock.now()
        if profile is None:
            profile = ImportProfile.define(code, key, document, by=by, at=now, note=note, source=source)
            self._store.save(profile)
            return ProfileRevision(True, profile.current)
        assert isinstance(profile, ImportProfile)
        changed = profile.revise(document, by=by, at=now, note=note, source=source)
        if changed:
            self._store.save(profile)
        return ProfileRevision(changed, profile.current)

    def profile(self, company: str, name: str) -> ImportProfile:
        """The aggregate (NotFound for an unknown company or profile, naming the profiles there are)."""
        code = self._company(company)
        profile = self._store.get_or_none(import_profile_id(code, name))
        if profile is None:
            names = [p.name for p in self.list(code)]
            known = f"profili dell'azienda: {', '.join(names)}" if names else "l'azienda non ha profili"
            raise NotFound(
                f"profilo di importazione {normalise_profile_name(name)!r} sconosciuto per l'azienda {code}"
                f" ({known}; oltre a 'default', il formato standard). Crearlo con 'creditbox profiles set'"
            )
        assert isinstance(profile, ImportProfile)
        return profile

    def current(self, company: str, name: str) -> ProfileVersion:
        return self.profile(company, name).current

    def version(self, company: str, name: str, number: int) -> ProfileVersion:
        return self.profile(company, name).get_version(number)

    def history(self, company: str, name: str) -> list[ProfileVersion]:
        return list(self.profile(company, name).versions)

    def list(self, company: str) -> list[ImportProfile]:
        """The company's profiles by name (read from the log, filtered by the definition topic)."""
        code = self._company(company)
        found = (self._store.get_or_none(i) for i in self._store.originators_of(IMPORT_PROFILE_DEFINED))
        return sorted((p for p in found if isinstance(p, ImportProfile) and p.company == code), key=lambda p: p.name)

    def parser(self, company: str, name: str | None = None) -> WorkbookParser:
        """The parser an import with profile ``name`` uses: the built-in default layout for None or
        'default', else the current version of the company's profile (NotFound before anything is read)."""
        if name is None or normalise_profile_name(name) == DEFAULT_PROFILE_NAME:
            self._company(company)
            return self._default_parser()
        return self._make_parser(self.current(company, name))
