"""The ActionsTable aggregate: versions, no-op revisions, replay, reading past versions."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from eventsourcing.utils import get_topic

from creditbox.domain.actions import ActionRow
from creditbox.domain.actions_table import (
    ACTIONS_TABLE_ADOPTED,
    ACTIONS_TABLE_REVISED,
    ActionsTable,
    diff_rows,
)
from creditbox.domain.actions_validation import InvalidActionsTable
from creditbox.domain.errors import NotFound
from creditbox.domain.ids import actions_table_id
from creditbox.infrastructure.actions_csv import standard_rows

ROME = ZoneInfo("Europe/Rome")
DAY1 = datetime(2026, 3, 2, 9, 0, tzinfo=ROME)
DAY2 = datetime(2026, 3, 9, 11, 30, tzinfo=ROME)


def standard() -> list[ActionRow]:
    return list(standard_rows())


def a_table() -> ActionsTable:
    return ActionsTable.adopt("acq", standard(), by="test", at=DAY1)


def replayed(table: ActionsTable) -> ActionsTable:
    events = table.collect_events()
    rebuilt: ActionsTable | None = None
    for ev in events:
        rebuilt = ev.mutate(rebuilt)
    assert rebuilt is not None
    return rebuilt


class TestAdoption:
    def test_a_new_table_is_version_1_with_every_standard_row(self) -> None:
        table = a_table()
        assert table.id == actions_table_id("ACQ")
        assert table.company == "ACQ"
        assert table.current.version == 1
        assert len(table.current.rows) == 35
        assert table.current.by == "test" and table.current.at == DAY1 and table.current.source == "standard"

    def test_adoption_is_one_event_with_an_explicit_topic_and_primitive_rows(self) -> None:
        events = a_table().collect_events()
        assert len(events) == 1
        assert get_topic(type(events[0])) == ACTIONS_TABLE_ADOPTED
        rows = events[0].rows  # type: ignore[attr-defined]
        assert rows[0] == standard()[0].as_event_data()

    def test_an_invalid_table_is_refused(self) -> None:
        with pytest.raises(InvalidActionsTable) as refused:
            ActionsTable.adopt("ACQ", [], by="test", at=DAY1)
        assert [p.message for p in refused.value.problems] == ["la tabella non ha righe"]


class TestRevision:
    def test_given_version_1_when_a_wait_changes_then_version_2_and_version_1_unchanged(self) -> None:
        table = a_table()
        rows = standard()
        rows[4] = replace(rows[4], wait_after_days=7)
        assert table.revise(rows, by="admin", at=DAY2, note="SMS: 7 giorni", source="excel:t.xlsx") is True
        assert table.current.version == 2
        assert table.current.rows[4].wait_after_days == 7
        assert table.current.note == "SMS: 7 giorni" and table.current.by == "admin"
        assert table.get_version(1).rows[4].wait_after_days == 5
        events = table.collect_events()
        assert [get_topic(type(e)) for e in events] == [ACTIONS_TABLE_ADOPTED, ACTIONS_TABLE_REVISED]
        assert events[1].table_version == 2  # type: ignore[attr-defined]

    def test_an_identical_revision_records_nothing(self) -> None:
        table = a_table()
        table.collect_events()
        assert table.revise(standard(), by="admin", at=DAY2) is False
        assert table.collect_events() == []
        assert table.current.version == 1

    def test_reordering_rows_is_a_change_because_ladder_choice_follows_table_order(self) -> None:
        table = a_table()
        rows = standard()
        rows[0], rows[2] = rows[2], rows[0]
        assert table.revise(rows, by="admin", at=DAY2) is True
        diff = diff_rows(table.get_version(1).rows, table.current.rows)
        assert diff.reordered and diff.count == 0

    def test_an_invalid_revision_is_refused_and_nothing_recorded(self) -> None:
        table = a_table()
        table.collect_events()
        rows = standard()
        rows[0] = replace(rows[0], wait_before_days=-1)
        with pytest.raises(InvalidActionsTable):
            table.revise(rows, by="admin", at=DAY2)
        assert table.collect_events() == [] and table.current.version == 1

    def test_replaying_the_events_gives_the_same_versions(self) -> None:
        table = a_table()
        rows = standard()
        rows[1] = replace(rows[1], description="Sollecito PEC formale")
        table.revise(rows, by="admin", at=DAY2, note="testo")
        rebuilt = replayed(table)
        assert rebuilt.versions == table.versions
        assert rebuilt.get_version(2).rows[1].description == "Sollecito PEC formale"

    def test_an_unknown_version_is_not_found(self) -> None:
        table = a_table()
        for number in (0, 2, -1):
            with pytest.raises(NotFound, match="versione"):
                table.get_version(number)


class TestReadingAVersion:
    def test_ladders_keep_table_order_and_steps_are_by_seq(self) -> None:
        version = a_table().current
        assert version.ladder_names[:3] == ("ENTI", "ENTI-FORNITURA", "ACQUA-DOMESTICI")
        assert [r.seq for r in version.ladder("SOSPENDIBILI")] == [1, 2, 3, 4, 5, 6, 7, 8]

    def test_a_row_is_found_by_the_key_decisions_record(self) -> None:
        version = a_table().current
        row = version.ladder("ACQUA-DOMESTICI")[2]
        assert version.row(row.key) == row
        assert version.row_number(row.key) == 7
        with pytest.raises(NotFound):
            version.row("NESSUNA#1[0.00-]")


def test_diff_names_added_removed_and_changed_rows() -> None:
    old = standard()
    new = [replace(old[0], wait_after_days=31), *old[1:-1]]
    extra = replace(old[-1], seq=5, description="Nuovo passo")
    new.append(extra)
    diff = diff_rows(old, new)
    assert diff.changed == (old[0].key,)
    assert diff.removed == (old[-1].key,)
    assert diff.added == (extra.key,)
    assert diff.summary() == "1 aggiunta, 1 eliminata, 1 modificata"
