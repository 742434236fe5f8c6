"""The ActionsTable aggregate (*tabella azioni*): one per company, versioned.

Every change is an event carrying the complete rows of the new version, who made it and why,
so any past version can be read back and an auditor can see which version and row decided a
step (the workflow records ``version`` and ``ActionRow.key``). Version 1 is adopted when the
company is registered; each revision makes version n+1; an identical revision records nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from creditbox.domain.actions import ActionRow
from creditbox.domain.actions_validation import require_valid
from creditbox.domain.errors import NotFound
from creditbox.domain.ids import actions_table_id, normalise_company_code
from creditbox.domain.wording import plural

T = "creditbox.actions_table."

ACTIONS_TABLE_ADOPTED = T + "ActionsTableAdopted"
ACTIONS_TABLE_REVISED = T + "ActionsTableRevised"


@dataclass(frozen=True)
class TableVersion:
    """One version of a company's table, as adopted: the rows in table order and who/when/why."""

    company: str
    version: int
    rows: tuple[ActionRow, ...]
    by: str
    at: datetime  # when it was adopted (from the injected clock)
    note: str | None
    source: str  # "standard", "excel:<file name>", "api", ...

    @property
    def adopted_on(self) -> date:
        return self.at.date()

    @property
    def ladder_names(self) -> tuple[str, ...]:
        """Ladders in table order (the order in which a case's ladder is chosen)."""
        return tuple(dict.fromkeys(row.ladder for row in self.rows))

    def ladder(self, name: str) -> tuple[ActionRow, ...]:
        """The rows of one ladder, by ``seq`` (rows sharing a seq keep their table order)."""
        return tuple(sorted((r for r in self.rows if r.ladder == name), key=lambda r: r.seq))

    def row(self, key: str) -> ActionRow:
        """The row with this ``ActionRow.key`` (what decision events record)."""
        for candidate in self.rows:
            if candidate.key == key:
                return candidate
        raise NotFound(f"riga {key!r} assente nella versione {self.version} della tabella azioni di {self.company}")

    def row_number(self, key: str) -> int:
        """Position (from 1) of the row in this version: its row in the export is this + 1."""
        return self.rows.index(self.row(key)) + 1


@dataclass(frozen=True)
class RowsDiff:
    """What changed between two versions, by row key."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]
    reordered: bool

    @property
    def count(self) -> int:
        return len(self.added) + len(self.removed) + len(self.changed)

    def summary(self) -> str:
        parts = []
        if self.added:
            parts.append(plural(len(self.added), "aggiunta", "aggiunte"))
        if self.removed:
            parts.append(plural(len(self.removed), "eliminata", "eliminate"))
        if self.changed:
            parts.append(plural(len(self.changed), "modificata", "modificate"))
        if self.reordered:
            parts.append("ordine cambiato")
        return ", ".join(parts) if parts else "nessuna differenza"


def diff_rows(old: Sequence[ActionRow], new: Sequence[ActionRow]) -> RowsDiff:
    before = {row.key: row for row in old}
    after = {row.key: row for row in new}
    common_before = [row.key for row in old if row.key in after]
    common_after = [row.key for row in new if row.key in before]
    return RowsDiff(
        added=tuple(key for key in after if key not in before),
        removed=tuple(key for key in before if key not in after),
        changed=tuple(key for key in after if key in before and before[key] != after[key]),
        reordered=common_before != common_after,
    )


class ActionsTable(Aggregate):
    TOPIC = "creditbox.actions_table.ActionsTable"

    class Created(Aggregate.Created):
        TOPIC = T + "Created"

    @staticmethod
    def create_id(company: str, **_: Any) -> UUID:
        return actions_table_id(company)

    @classmethod
    def adopt(
        cls,
        company: str,
        rows: Sequence[ActionRow],
        *,
        by: str,
        at: datetime,
        note: str | None = None,
        source: str = "standard",
    ) -> ActionsTable:
        """Version 1 of a company's table. Refused with every problem if the rows are not valid."""
        require_valid(rows)
        return cls(
            by=by,
            company=normalise_company_code(company),
            table_version=1,
            rows=[row.as_event_data() for row in rows],
            at=at,
            note=_note(note),
            source=source,
        )

    @event("ActionsTableAdopted", topic=ACTIONS_TABLE_ADOPTED)
    def __init__(
        self,
        by: str,
        company: str,
        table_version: int,
        rows: list[dict[str, Any]],
        at: datetime,
        note: str | None,
        source: str,
    ) -> None:
        self.company = company
        self.versions: list[TableVersion] = []
        self._record(by, table_version, rows, at, note, source)

    def revise(
        self,
        rows: Sequence[ActionRow],
        *,
        by: str,
        at: datetime,
        note: str | None = None,
        source: str = "manual",
    ) -> bool:
        """Make version n+1 from these rows. False (nothing recorded) when they equal the current rows."""
        require_valid(rows)
        if tuple(rows) == self.current.rows:
            return False
        self._revised(
            by=by,
            table_version=self.current.version + 1,
            rows=[row.as_event_data() for row in rows],
            at=at,
            note=_note(note),
            source=source,
        )
        return True

    @event("ActionsTableRevised", topic=ACTIONS_TABLE_REVISED)
    def _revised(
        self, by: str, table_version: int, rows: list[dict[str, Any]], at: datetime, note: str | None, source: str
    ) -> None:
        self._record(by, table_version, rows, at, note, source)

    def _record(
        self, by: str, version: int, rows: list[dict[str, Any]], at: datetime, note: str | None, source: str
    ) -> None:
        rows_tuple = tuple(ActionRow.from_event_data(data) for data in rows)
        self.versions.append(TableVersion(self.company, version, rows_tuple, by, at, note, source))

    @property
    def current(self) -> TableVersion:
        return self.versions[-1]

    def get_version(self, number: int) -> TableVersion:
        """Version ``number`` (from 1) as it was adopted. (``Aggregate.version`` is the event count.)"""
        if not 1 <= number <= len(self.versions):
            raise NotFound(
                f"versione {number} della tabella azioni di {self.company} inesistente"
                f" (versioni da 1 a {len(self.versions)})"
            )
        return self.versions[number - 1]


def _note(note: str | None) -> str | None:
    return note.strip() or None if note is not None else None
