"""The API's fast read paths give what the plain queries give, on SQLite and PostgreSQL.

``position_summary`` (one statement) against ``get_position`` + ``open_items_of`` + ``list_cases``;
worklist pages by cursor within one kind (the comparison that leaves ``kind`` out) against the
order of the whole list.
"""

from __future__ import annotations

from creditbox.bootstrap import Container
from creditbox.clock import FixedClock
from creditbox.projections.queries.ageing import open_items_of
from creditbox.projections.queries.cases import list_cases
from creditbox.projections.queries.paging import MAX_LIMIT, encode_cursor
from creditbox.projections.queries.positions import get_position, list_positions, position_summary
from creditbox.projections.queries.worklists import KINDS, ORDERING, worklist_page
from tests.integration.projection_history import END, run_history


def test_the_one_statement_summary_matches_the_three_queries(container: Container, clock: FixedClock) -> None:
    run_history(container, clock)
    with container.projections.connect() as conn:
        codes = [r.customer_code for r in list_positions(conn, "ACQ", limit=MAX_LIMIT).items]
        checked = 0
        for code in codes:
            summary = position_summary(conn, "ACQ", code)
            assert summary is not None and summary.position == get_position(conn, "ACQ", code)
            items = open_items_of(conn, "ACQ", code, END)
            assert [
                (i.bill_number, i.supply_code, i.issue_date, i.due_date, i.amount, i.residual)
                for i in summary.open_items
            ] == [(i.bill_number, i.supply_code, i.issue_date, i.due_date, i.amount, i.residual) for i in items]
            cases = list_cases(conn, "ACQ", open_only=False, customer_code=code, limit=MAX_LIMIT).items
            assert [
                (c.case_id, c.supply_code, c.ladder, c.status, c.step, c.action, c.next_due_date, c.amount, c.opened_on)
                for c in summary.cases
            ] == [
                (c.case_id, c.supply_code, c.ladder, c.status, c.step, c.action, c.next_due_date, c.amount, c.opened_on)
                for c in cases
            ]
            checked += len(items) + len(cases)
        assert position_summary(conn, "ACQ", "NOPE") is None
    assert len(codes) >= 5 and checked >= 10  # the history gives bills and cases to compare


def test_worklist_pages_of_one_kind_follow_the_whole_list(container: Container, clock: FixedClock) -> None:
    run_history(container, clock)
    with container.projections.connect() as conn:
        everything = worklist_page(conn, "ACQ", limit=MAX_LIMIT).items
        for kind in KINDS:
            expected = [i for i in everything if i.kind == kind]
            paged, cursor = [], None
            while True:
                page = worklist_page(conn, "ACQ", kind, limit=1, cursor=cursor)
                paged += page.items
                if page.next_cursor is None:
                    break
                cursor = page.next_cursor
            assert paged == expected
            for n, item in enumerate(everything):  # a cursor of the whole list, used on one kind
                after = encode_cursor(ORDERING, [item.kind, item.amount, item.position_id, item.item_key])
                rest = worklist_page(conn, "ACQ", kind, limit=MAX_LIMIT, cursor=after).items
                assert rest == [i for i in everything[n + 1 :] if i.kind == kind]
    assert len({i.kind for i in everything}) >= 2 and len(everything) >= 3
