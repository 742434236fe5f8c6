"""Written-off and litigation-lost debt leaves the overdue and the ageing and is shown apart
(*stralciato*, *perdita da contenzioso*): position summary, ageing (query, CLI table, Excel export),
positions read model; on both backends."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from creditbox.bootstrap import Container
from creditbox.domain.workflow.outcomes import Loss
from creditbox.projections.queries.ageing import ageing_by_position, ageing_summary, open_items_of
from creditbox.projections.schema import positions
from tests.integration.command_line import run
from tests.integration.losses import AS_OF, given_debt_out_of_collection


@pytest.fixture
def losses(container: Container) -> Container:
    given_debt_out_of_collection(container)
    return container


def test_the_summary_leaves_lost_debt_out_of_the_overdue_and_shows_it_apart(losses: Container) -> None:
    reader = losses.positions
    wo = reader.summary("ACQ", "WO", AS_OF)
    assert wo.overdue == Decimal("0.00") and [i.bill_number for i in wo.open_items] == ["L-WO"]
    assert wo.losses == {Loss.WRITTEN_OFF: Decimal("300.00"), Loss.LITIGATION: Decimal("0.00")}
    assert [(lost.item.bill_number, lost.loss) for lost in wo.lost_items] == [("B-WO", Loss.WRITTEN_OFF)]
    assert wo.balance == Decimal("350.00")  # the account still shows every unpaid document
    st = reader.summary("ACQ", "ST", AS_OF)
    assert (st.overdue, st.losses[Loss.WRITTEN_OFF]) == (Decimal("0.00"), Decimal("300.00"))
    lp = reader.summary("ACQ", "LP", AS_OF)
    assert (lp.overdue, lp.losses[Loss.LITIGATION]) == (Decimal("0.00"), Decimal("2000.00"))
    live = reader.summary("ACQ", "LIVE", AS_OF)
    assert (live.overdue, live.lost_items) == (Decimal("120.00"), [])


def test_the_positions_read_model_agrees(losses: Container) -> None:
    with losses.projections.connect() as conn:
        rows = {
            r.customer_code: (r.overdue, r.open_amount, r.written_off, r.litigation_loss, r.oldest_due_date)
            for r in conn.execute(select(positions))
        }
    assert rows["WO"][:4] == (Decimal("0.00"), Decimal("50.00"), Decimal("300.00"), Decimal("0.00"))
    assert str(rows["WO"][4]) == "2026-03-31"  # the lost bill is not the oldest open one any more
    assert rows["ST"][:4] == (Decimal("0.00"), Decimal("0.00"), Decimal("300.00"), Decimal("0.00"))
    assert rows["LT"][:4] == (Decimal("0.00"), Decimal("0.00"), Decimal("0.00"), Decimal("3000.00"))
    assert rows["LP"][:4] == (Decimal("0.00"), Decimal("0.00"), Decimal("0.00"), Decimal("2000.00"))
    assert rows["LIVE"][:4] == (Decimal("120.00"), Decimal("120.00"), Decimal("0.00"), Decimal("0.00"))


def test_the_ageing_counts_only_debt_in_collection_and_shows_losses_apart(losses: Container) -> None:
    with losses.projections.connect() as conn:
        summary = ageing_summary(conn, "ACQ", AS_OF)
        by_customer = {a.customer_code: a for a in ageing_by_position(conn, "ACQ", AS_OF).items}
        items = open_items_of(conn, "ACQ", "WO", AS_OF)
    assert summary.total == Decimal("170.00")  # LIVE 120.00 overdue, WO 50.00 not yet due
    assert {b.key: b.amount for b in summary.buckets if b.amount} == {
        "not_due": Decimal("50.00"),
        "d0_30": Decimal("120.00"),
    }
    assert (summary.written_off, summary.written_off_count) == (Decimal("600.00"), 2)
    assert (summary.litigation_loss, summary.litigation_loss_count) == (Decimal("5000.00"), 2)
    assert by_customer["LT"].total == Decimal("0.00") and by_customer["LT"].litigation_loss == Decimal("3000.00")
    assert by_customer["WO"].total == Decimal("50.00") and by_customer["WO"].written_off == Decimal("300.00")
    assert [(i.bill_number, i.bucket, i.loss) for i in items] == [
        ("B-WO", "stralciato", "written_off"),
        ("L-WO", "A scadere", None),
    ]


def test_ageing_filters_keep_losses_apart(losses: Container) -> None:
    with losses.projections.connect() as conn:
        domestic = ageing_summary(conn, "ACQ", AS_OF, customer_type=1)
        business = ageing_summary(conn, "ACQ", AS_OF, customer_type=2)
    assert (domestic.total, domestic.written_off, domestic.litigation_loss) == (
        Decimal("170.00"),
        Decimal("600.00"),
        Decimal("5000.00"),
    )
    assert (business.total, business.written_off, business.litigation_loss) == (
        Decimal("0"),
        Decimal("0"),
        Decimal("0"),
    )


def test_the_cli_table_the_excel_export_and_positions_show(
    losses: Container, database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CREDITBOX_DATABASE_URL", database_url)
    monkeypatch.setenv("COLUMNS", "250")
    code, out, err = run("ageing", "--company", "ACQ", "--as-of", "2026-03-02")
    assert code == 0, out + err
    assert "Totale" in out and "170,00" in out
    assert "stralciato 600,00 € (2 bollette); perdita da contenzioso 5.000,00 € (2)" in out.replace("\u00a0", " ")
    target = tmp_path / "anzianita.xlsx"
    code, out, err = run("ageing", "--company", "ACQ", "--as-of", "2026-03-02", "--out", str(target))
    assert code == 0, out + err
    book = load_workbook(target)
    totals = {row[0]: row[1] for row in book["Riepilogo"].iter_rows(min_row=2, values_only=True)}
    assert totals["Totale"] == 170
    assert totals["Stralciato (fuori dalle fasce e dal totale)"] == 600
    assert totals["Perdita da contenzioso (fuori dalle fasce e dal totale)"] == 5000
    detail = book.worksheets[1]
    header = [c.value for c in detail[1]]
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in detail.iter_rows(min_row=2, values_only=True)}
    assert rows["LT"]["Totale"] == 0 and rows["LT"]["Perdita da contenzioso"] == 3000
    assert rows["WO"]["Stralciato"] == 300 and rows["WO"]["Totale"] == 50
    code, out, err = run("positions", "show", "WO", "--company", "ACQ", "--as-of", "2026-03-02", "--json")
    assert code == 0, out + err
    shown = json.loads(out)
    assert (shown["overdue"], shown["written_off"], shown["litigation_loss"]) == ("0.00", "300.00", "0.00")
    assert [(i["bill_number"], i["loss_label"]) for i in shown["lost_items"]] == [("B-WO", "stralciato")]
    assert [i["bill_number"] for i in shown["open_items"]] == ["L-WO"]
    code, out, err = run("positions", "show", "LT", "--company", "ACQ", "--as-of", "2026-03-02")
    assert code == 0, out + err
    assert "Perdita da contenzioso" in out and "non compresi nello scaduto" in out
