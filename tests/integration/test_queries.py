"""Query functions over the read models, on SQLite and PostgreSQL: paging, filters, ageing, exports."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from creditbox.application.records import BillRecord, CustomerRecord, PaymentRecord, Record, SupplyRecord
from creditbox.bootstrap import Container
from creditbox.clock import FixedClock
from creditbox.domain.codes import Service, SupplyType
from creditbox.domain.ids import import_id
from creditbox.domain.imports import Import
from creditbox.projections.queries.ageing import ageing_by_position, ageing_summary, open_items_of
from creditbox.projections.queries.audit import audit_page
from creditbox.projections.queries.imports import imports_page, rejections_of
from creditbox.projections.queries.paging import InvalidCursor
from creditbox.projections.queries.positions import PositionFilters, get_position, list_positions
from creditbox.projections.queries.upcoming import upcoming_page
from creditbox.projections.queries.worklists import worklist_counts, worklist_page
from creditbox.sample_data import SampleSpec, generate, with_bad_rows, write_workbook
from tests.builders import details, supply
from tests.conftest import AFTER_THE_SAMPLE_DATA
from tests.integration.command_line import invoke
from tests.integration.projection_history import END, run_history

AS_OF = date(2026, 3, 2)


def _customers(container: Container, amounts: list[str]) -> None:
    """Customer Kn owes amounts[n] on a water bill (odd n: gas) due 40 days before AS_OF."""
    container.companies.register("ACQ", "Acque", by="test")
    records: list[Record] = []
    for n, amount in enumerate(amounts):
        code = f"K{n}"
        service = Service.GAS if n % 2 else Service.WATER
        records += [
            CustomerRecord(code, details(name=f"Cliente {n}")),
            SupplyRecord(code, supply(f"S{n}", service, SupplyType.SUSPENDABLE)),
            BillRecord(f"B{n}", code, f"S{n}", AS_OF - timedelta(days=60), AS_OF - timedelta(days=40), Decimal(amount)),
        ]
    container.ingestor().ingest("ACQ", records, by="test")
    container.projections.catch_up()


def test_keyset_pages_cover_every_position_once_in_order(container: Container) -> None:
    amounts = ["50.00", "120.00", "80.00", "120.00", "10.00", "300.00", "75.50"]
    _customers(container, amounts)
    seen = []
    cursor = None
    with container.projections.connect() as conn:
        while True:
            page = list_positions(conn, "ACQ", limit=3, cursor=cursor)
            seen += page.items
            cursor = page.next_cursor
            if cursor is None:
                break
    assert len(seen) == len(amounts) == len({p.customer_code for p in seen})
    assert [p.overdue for p in seen] == sorted((Decimal(a) for a in amounts), reverse=True)


def test_filters_by_overdue_service_and_age(container: Container) -> None:
    _customers(container, ["50.00", "120.00", "80.00", "200.00"])
    with container.projections.connect() as conn:
        rich = list_positions(conn, "ACQ", PositionFilters(overdue_min=Decimal("80.00"))).items
        gas = list_positions(conn, "ACQ", PositionFilters(service=Service.GAS.code)).items
        old = list_positions(conn, "ACQ", PositionFilters(days_overdue_min=41), as_of=AS_OF).items
        aged = list_positions(conn, "ACQ", PositionFilters(days_overdue_min=40), as_of=AS_OF, sort="oldest").items
        one = get_position(conn, "ACQ", "K3")
    assert {p.customer_code for p in rich} == {"K1", "K2", "K3"}
    assert {p.customer_code for p in gas} == {"K1", "K3"}
    assert old == []
    assert len(aged) == 4
    assert one is not None and one.services == [Service.GAS.code] and one.days_overdue(AS_OF) == 40


def test_a_cursor_is_refused_by_another_ordering_or_when_tampered(container: Container) -> None:
    _customers(container, ["50.00", "120.00", "80.00"])
    with container.projections.connect() as conn:
        cursor = list_positions(conn, "ACQ", limit=1).next_cursor
        assert cursor is not None
        with pytest.raises(InvalidCursor):
            list_positions(conn, "ACQ", sort="customer", cursor=cursor)
        with pytest.raises(InvalidCursor):
            list_positions(conn, "ACQ", cursor=cursor[:-3] + "xyz")


def test_ageing_buckets_for_the_date_asked(container: Container) -> None:
    container.companies.register("ACQ", "Acque", by="test")
    ages = {"A": 0, "B": 10, "C": 45, "D": 75, "E": 120, "F": 200, "G": 400, "H": 700}  # days past due
    records: list[Record] = []
    for code, days in ages.items():
        due = AS_OF - timedelta(days=days)
        records += [
            CustomerRecord(code, details(name=f"Cliente {code}")),
            SupplyRecord(code, supply(f"S{code}")),
            BillRecord(f"B{code}", code, f"S{code}", due - timedelta(days=20), due, Decimal("100.00")),
        ]
    records.append(PaymentRecord("PB", "B", AS_OF, Decimal("40.00")))
    container.ingestor().ingest("ACQ", records, by="test")
    container.projections.catch_up()
    with container.projections.connect() as conn:
        summary = ageing_summary(conn, "ACQ", AS_OF, window_days=60)
        rows = ageing_by_position(conn, "ACQ", AS_OF, limit=3)
        later = ageing_summary(conn, "ACQ", AS_OF + timedelta(days=30))
        items_h = open_items_of(conn, "ACQ", "H", AS_OF)
    amounts = {b.key: b.amount for b in summary.buckets}
    assert amounts == {
        "not_due": Decimal("100.00"),
        "d0_30": Decimal("60.00"),
        "d31_60": Decimal("100.00"),
        "d61_90": Decimal("100.00"),
        "d91_180": Decimal("100.00"),
        "d181_365": Decimal("100.00"),
        "over_365": Decimal("200.00"),
    }
    assert summary.total == Decimal("760.00")
    # H: due 700 days ago, its two years end within 60 days
    assert summary.approaching_limit == Decimal("100.00") and summary.approaching_limit_count == 1
    assert items_h[0].approaching_limit and items_h[0].bucket == "Oltre 365 giorni"
    assert [r.customer_code for r in rows.items] == ["A", "B", "C"] and rows.next_cursor is not None
    assert {b.key: b.amount for b in later.buckets}["not_due"] == Decimal("0.00")
    assert later.past_limit == Decimal("0.00") and later.approaching_limit == Decimal("100.00")


def test_worklists_upcoming_and_audit_after_the_history(container: Container, clock: FixedClock) -> None:
    run_history(container, clock)
    instalments = [(END + timedelta(days=30), Decimal("60.00")), (END + timedelta(days=60), Decimal("60.00"))]
    container.case_commands().agree_plan("ACQ", "C1", "S-C1/1", instalments, by="test", business_date=END)
    container.projections.catch_up()
    with container.projections.connect() as conn:
        counts = worklist_counts(conn, "ACQ")
        proposals = worklist_page(conn, "ACQ", "proposal").items
        everything = worklist_page(conn, "ACQ", limit=500).items
        plan = upcoming_page(conn, "ACQ", kind="instalment").items
        history = audit_page(conn, company="ACQ", customer_code="C1", limit=500).items
    assert counts["proposal"] == len(proposals) >= 1
    assert sum(counts.values()) == len(everything)
    assert [(i.customer_code, i.due_date, i.amount) for i in plan] == [("C1", d, a) for d, a in instalments]
    assert any(i.customer_code == "C5" and i.kind == "broken_plan" for i in everything)  # instalment missed
    assert history[0].event == "CustomerRegistered" and history[0].description.startswith("Cliente C1 registrato")
    bill = next(e for e in history if e.event == "BillIssued")
    assert bill.data["amount"] == "120.00" and bill.data["due_date"] == "2026-01-31"
    assert bill.business_date == date(2026, 1, 1) and bill.by == "test"
    assert [e.notification_id for e in history] == sorted(e.notification_id for e in history)
    assert any(e.event == "DeliveryFailed" and "Consegna fallita" in e.description for e in history)


@pytest.mark.today(AFTER_THE_SAMPLE_DATA)
def test_imports_list_counts_and_rejected_rows(container: Container) -> None:
    container.companies.register("ACQ", "Acque", by="test")
    data = generate(SampleSpec(customers=5, seed=3))
    bad = with_bad_rows(data)
    buffer = io.BytesIO()
    write_workbook(data, buffer)
    content = buffer.getvalue()
    container.importer().run(content, "clienti.xlsx", "ACQ", by="test")
    container.projections.catch_up()
    recorded = container.app.repository.get(import_id("ACQ", __import__("hashlib").sha256(content).hexdigest()))
    assert isinstance(recorded, Import)
    with container.projections.connect() as conn:
        listed = imports_page(conn, "ACQ").items
        rejected = rejections_of(conn, "ACQ", listed[0].import_id)
    assert len(listed) == 1 and listed[0].file_name == "clienti.xlsx"
    assert listed[0].rejected == len(bad) == len(rejected)
    assert listed[0].counts == recorded.counts
    assert {(r.sheet, r.row_number) for r in rejected} == {(b.sheet, b.row) for b in bad}


def test_worklist_and_ageing_export_to_formatted_excel(
    container: Container, clock: FixedClock, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_history(container, clock)
    monkeypatch.setenv("CREDITBOX_DATABASE_URL", database_url)
    worklist_file, ageing_file = tmp_path / "liste.xlsx", tmp_path / "anzianita.xlsx"
    result = invoke("worklist", "--company", "ACQ", "--out", str(worklist_file))
    assert result.exit_code == 0, result.output
    result = invoke("ageing", "--company", "ACQ", "--as-of", END.isoformat(), "--out", str(ageing_file))
    assert result.exit_code == 0, result.output
    sheet = load_workbook(worklist_file).active
    assert sheet is not None
    assert [c.value for c in sheet[1]][:3] == ["Lista", "Codice cliente", "Cliente"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref is not None
    amount_cells = [row[10] for row in sheet.iter_rows(min_row=2)]
    assert amount_cells and all(isinstance(c.value, int | float) and "€" in c.number_format for c in amount_cells)
    book = load_workbook(ageing_file)
    assert book.sheetnames[0] == "Riepilogo"
    totals = {row[0].value: row[1].value for row in book["Riepilogo"].iter_rows(min_row=2)}
    with container.projections.connect() as conn:
        expected = ageing_summary(conn, "ACQ", END)
    assert Decimal(str(totals["Totale"])) == expected.total
