"""The API's fast read paths give what the plain queries give, on SQLite and PostgreSQL.

``position_summary`` (one statement) against ``get_position`` + ``supplies_of`` + ``open_items_of`` +
``list_cases``, and its supplies and per-supply figures against the aggregates;
worklist pages by cursor within one kind (the comparison that leaves ``kind`` out) against the
order of the whole list.
"""

from __future__ import annotations

from creditbox.bootstrap import Container
from creditbox.clock import FixedClock
from creditbox.domain.ids import position_id
from creditbox.domain.money import ZERO
from creditbox.domain.position import Position
from creditbox.projections.queries.ageing import open_items_of
from creditbox.projections.queries.cases import list_cases
from creditbox.projections.queries.paging import MAX_LIMIT, encode_cursor
from creditbox.projections.queries.positions import (
    SupplyFigures,
    get_position,
    list_positions,
    position_summary,
    supplies_of,
)
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
            assert summary.supplies == supplies_of(conn, "ACQ", code) != []
            checked += len(items) + len(cases)
        assert position_summary(conn, "ACQ", "NOPE") is None
    assert len(codes) >= 5 and checked >= 10  # the history gives bills and cases to compare


def test_the_summary_supplies_and_their_figures_are_the_aggregates(container: Container, clock: FixedClock) -> None:
    run_history(container, clock)
    with container.projections.connect() as conn:
        codes = [r.customer_code for r in list_positions(conn, "ACQ", limit=MAX_LIMIT).items]
        summaries = {code: position_summary(conn, "ACQ", code) for code in codes}
    overdue_supplies = 0
    for code, summary in summaries.items():
        position = container.app.repository.get(position_id("ACQ", code))
        assert isinstance(position, Position) and summary is not None
        assert [(s.code, s.service, s.supply_type, s.status, s.meter, s.address) for s in summary.supplies] == [
            (s.code, s.service.code, s.supply_type.code, s.status.code, s.meter, s.address)
            for s in sorted(position.supplies.values(), key=lambda s: s.code)
        ]
        figures = summary.by_supply(END)
        for supply_code in position.supplies:
            items = position.open_items(supply_code=supply_code)  # every document recorded, like the views
            overdue = sum((i.residual for i in items if i.due_date < END), ZERO)
            found = figures.get(supply_code, SupplyFigures())
            assert (found.overdue, found.open_items) == (overdue, len(items))
            if overdue > 0:
                overdue_supplies += 1
        assert summary.overdue(END) == sum((f.overdue for f in figures.values()), ZERO)
    assert overdue_supplies >= 4


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
