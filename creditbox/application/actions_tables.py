"""Use cases of the *tabella azioni*: read the current or any past version, revise, list the history.

Imports from files (Excel, CSV) happen at the edges: they parse into :class:`ParsedTable` (with the
source's row numbers, so problems name the Excel row) and call :meth:`ActionsTables.revise_parsed`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from creditbox.application.ports import EventStore
from creditbox.clock import Clock
from creditbox.domain.actions import ActionRow
from creditbox.domain.actions_parsing import ParsedTable
from creditbox.domain.actions_table import ActionsTable, RowsDiff, TableVersion, diff_rows
from creditbox.domain.actions_validation import require_valid
from creditbox.domain.errors import Conflict, NotFound
from creditbox.domain.ids import actions_table_id, company_id, normalise_company_code


@dataclass(frozen=True)
class Revision:
    """The answer to a revision: the version now current and whether a new one was made."""

    changed: bool
    version: TableVersion
    diff: RowsDiff


@dataclass(frozen=True)
class HistoryEntry:
    version: TableVersion
    diff: RowsDiff  # against the previous version (version 1: against an empty table)


class ActionsTables:
    def __init__(self, store: EventStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def table(self, company: str) -> ActionsTable:
        """The company's aggregate (NotFound for an unknown company)."""
        code = normalise_company_code(company)
        table = self._store.get_or_none(actions_table_id(code))
        if table is None:
            if not self._store.exists(company_id(code)):
                raise NotFound(f"azienda sconosciuta: {code!r} (registrarla con 'companies add')")
            raise NotFound(f"l'azienda {code!r} non ha una tabella azioni")
        assert isinstance(table, ActionsTable)
        return table

    def current(self, company: str) -> TableVersion:
        return self.table(company).current

    def version(self, company: str, number: int) -> TableVersion:
        return self.table(company).get_version(number)

    def history(self, company: str) -> list[HistoryEntry]:
        entries: list[HistoryEntry] = []
        previous: tuple[ActionRow, ...] = ()
        for version in self.table(company).versions:
            entries.append(HistoryEntry(version, diff_rows(previous, version.rows)))
            previous = version.rows
        return entries

    def revise(
        self,
        company: str,
        rows: Sequence[ActionRow],
        *,
        by: str,
        note: str | None = None,
        source: str = "manual",
        numbers: Sequence[int] | None = None,
    ) -> Revision:
        """Validate (every problem, named by ``numbers`` when given) and save version n+1, unless unchanged."""
        require_valid(rows, numbers)
        table = self.table(company)
        before = table.current
        changed = table.revise(rows, by=by, at=self._clock.now(), note=note, source=source)
        if changed:
            self._store.save(table)
        return Revision(changed, table.current, diff_rows(before.rows, table.current.rows))

    def revise_parsed(
        self,
        company: str,
        parsed: ParsedTable,
        *,
        by: str,
        note: str | None = None,
        source: str,
        expected_version: int | None = None,
    ) -> Revision:
        """A table parsed from a file: refused with all its problems (source row numbers), or revised.
        ``expected_version``: the version the revision is based on; another version in force is a Conflict."""
        # An unknown company is reported before a stale version, and both before the file's problems.
        current = self.table(company).current
        if expected_version is not None and expected_version != current.version:
            raise Conflict(f"la tabella azioni è alla versione {current.version}, non {expected_version}: rileggerla")
        rows = parsed.require()
        return self.revise(company, rows, by=by, note=note, source=source, numbers=parsed.numbers)
