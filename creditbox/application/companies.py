"""Companies of the group: register, list, look up. Everything else refuses an unknown company."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from creditbox.application.ports import EventStore
from creditbox.clock import Clock, SystemClock
from creditbox.domain.actions import ActionRow
from creditbox.domain.actions_table import ActionsTable
from creditbox.domain.company import COMPANY_REGISTERED, Company, CompanySettings
from creditbox.domain.company_settings_document import require_valid
from creditbox.domain.errors import Conflict, NotFound
from creditbox.domain.ids import company_id, normalise_company_code


class CompanyDirectory:
    """Registered companies, straight from the event store (the list is read from the
    notification log, filtered by the ``CompanyRegistered`` topic)."""

    def __init__(
        self,
        store: EventStore,
        *,
        standard_actions: Callable[[], Sequence[ActionRow]] | None = None,
        clock: Clock | None = None,
    ) -> None:
        """``standard_actions`` gives the standard *tabella azioni* a new company adopts as version 1
        (the composition root passes the table shipped in the package)."""
        self._store = store
        self._standard_actions = standard_actions
        self._clock = clock or SystemClock()

    def register(self, code: str, name: str, settings: CompanySettings | None = None, *, by: str) -> Company:
        if self._store.exists(company_id(code)):
            raise Conflict(f"azienda {normalise_company_code(code)!r} già registrata")
        settings = require_valid(settings) if settings is not None else CompanySettings()
        company = Company.register(code, name, settings, by=by, at=self._clock.now())
        if self._standard_actions is None:
            self._store.save(company)
            return company
        # The company and version 1 of its actions table are saved together (atomically).
        table = ActionsTable.adopt(
            company.code,
            self._standard_actions(),
            by=by,
            at=self._clock.now(),
            note="tabella standard",
            source="standard",
        )
        self._store.save(company, table)
        return company

    def list(self) -> list[Company]:
        companies = [self._store.get_or_none(i) for i in self._store.originators_of(COMPANY_REGISTERED)]
        return sorted((c for c in companies if isinstance(c, Company)), key=lambda c: c.code)

    def get(self, code: str) -> Company:
        company = self._store.get_or_none(company_id(code))
        if company is None:
            raise NotFound(f"azienda sconosciuta: {normalise_company_code(code)!r} (registrarla con 'companies add')")
        assert isinstance(company, Company)
        return company

    def require(self, code: str) -> str:
        """The normalised code of a registered company, or NotFound."""
        return self.get(code).code

    def change_settings(self, code: str, settings: CompanySettings, *, by: str, note: str | None = None) -> bool:
        """Adopt new settings (checked by the full rules). See ``CompanySettingsService`` for documents."""
        company = self.get(code)
        changed = company.change_settings(require_valid(settings), by=by, at=self._clock.now(), note=note)
        if changed:
            self._store.save(company)
        return changed
