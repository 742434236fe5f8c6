"""The ladder lookups (``first_seq``, ``next_seq``, ``rows_of``) read a version's rows through an index
built once per rows tuple: the answers must be those of the table in hand, whatever was asked before."""

from __future__ import annotations

from decimal import Decimal

from creditbox.domain.actions import ActionRow, StartPoint, StepMode
from creditbox.domain.codes import ActionCode
from creditbox.domain.workflow.ladder import StaticTable, first_seq, next_seq, rows_of


def _row(ladder: str, seq: int, code: ActionCode = ActionCode.SMS, description: str = "") -> ActionRow:
    return ActionRow(
        ladder=ladder,
        seq=seq,
        action_code=code,
        description=description or f"{ladder} {seq}",
        wait_before_days=0,
        start_point=StartPoint.OPENED if seq == 1 else StartPoint.PREVIOUS_SENT,
        wait_after_days=0,
        amount_min=Decimal("0"),
        amount_max=None,
        threshold=Decimal("10"),
        approval_level=0,
        mode=StepMode.AUTO,
        parameters=(),
    )


def test_lookups_follow_the_table_order_and_the_seqs_ascending() -> None:
    table = StaticTable(1, (_row("B", 2), _row("A", 5), _row("A", 1), _row("A", 5, description="second"), _row("B", 7)))
    assert first_seq(table, "A") == 1
    assert next_seq(table, "A", 1) == 5
    assert next_seq(table, "A", 4) == 5
    assert next_seq(table, "A", 5) is None
    assert next_seq(table, "B", 0) == 2
    assert first_seq(table, "C") is None and next_seq(table, "C", 0) is None
    assert [r.description for r in rows_of(table, "A", 5)] == ["A 5", "second"]  # table order
    assert rows_of(table, "A", 3) == []


def test_two_versions_with_the_same_number_answer_each_for_its_own_rows() -> None:
    old = StaticTable(1, (_row("A", 1), _row("A", 2)))
    new = StaticTable(1, (_row("A", 1), _row("A", 3, ActionCode.REGISTERED_LETTER)))
    assert next_seq(old, "A", 1) == 2
    assert next_seq(new, "A", 1) == 3
    assert next_seq(old, "A", 1) == 2
    assert [r.action_code for r in rows_of(new, "A", 3)] == [ActionCode.REGISTERED_LETTER]


def test_a_list_of_rows_is_read_as_it_is_now() -> None:
    rows = [_row("A", 1), _row("A", 2)]
    table = StaticTable(1, rows)  # type: ignore[arg-type]  # a mutable sequence: never indexed once for all
    assert next_seq(table, "A", 1) == 2
    rows.append(_row("A", 4))
    assert next_seq(table, "A", 2) == 4
    assert rows_of(table, "A", 4) == [rows[-1]]


def test_returned_rows_are_a_fresh_list() -> None:
    table = StaticTable(1, (_row("A", 1),))
    rows_of(table, "A", 1).clear()
    assert len(rows_of(table, "A", 1)) == 1
