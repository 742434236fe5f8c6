"""Reference data the dunning views need beside the position: actions-table versions and company settings.

A table version never changes once adopted, so a version number read from a case always gives the
same rows. Company settings are read as they are now (they only decide the approval level shown for
a pending write-off; a change of ceilings shows from the next update of the position).
"""

from __future__ import annotations

from typing import Any

from eventsourcing.application import AggregateNotFoundError

from creditbox.domain.actions_table import ActionsTable, TableVersion
from creditbox.domain.company import Company, CompanySettings
from creditbox.domain.errors import NotFound
from creditbox.domain.ids import actions_table_id, company_id
from creditbox.infrastructure.event_store import CreditBoxApplication


class Lookups:
    def __init__(self, app: CreditBoxApplication) -> None:
        self._app = app
        self._tables: dict[str, ActionsTable] = {}
        self._settings: dict[str, CompanySettings] = {}

    def table_version(self, company: str, number: int) -> TableVersion | None:
        table = self._tables.get(company)
        if table is None or number > len(table.versions):
            loaded = self._get(actions_table_id(company))
            if not isinstance(loaded, ActionsTable):
                return None
            table = self._tables[company] = loaded
        try:
            return table.get_version(number)
        except NotFound:
            return None

    def current_table(self, company: str) -> TableVersion | None:
        """The company's table version in force (the one the engine runs with)."""
        table = self._tables.get(company)
        if table is None:
            loaded = self._get(actions_table_id(company))
            if not isinstance(loaded, ActionsTable):
                return None
            table = self._tables[company] = loaded
        return table.current

    def forget_table(self, company: str) -> None:
        """Called when a batch holds a new version of the company's table: read it again when next needed."""
        self._tables.pop(company, None)

    def settings(self, company: str) -> CompanySettings | None:
        if company not in self._settings:
            loaded = self._get(company_id(company))
            if not isinstance(loaded, Company):
                return None
            self._settings[company] = loaded.settings
        return self._settings[company]

    def forget(self) -> None:
        """Called at the start of each batch: settings are re-read when next needed."""
        self._settings.clear()

    def _get(self, aggregate_id: Any) -> Any:
        try:
            return self._app.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
