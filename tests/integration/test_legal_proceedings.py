"""The legal proceedings through the application service: milestones recorded with their documents
(kept apart, read back by company and SHA-256), refusals, the state rebuilt from the stored events,
and the *contenzioso* worklist by next deadline on both backends (screen order, Excel, rebuild)."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from creditbox.application.history import position_as_of, position_history
from creditbox.application.legal_documents import Attachment, DocumentDamaged, DocumentRefused
from creditbox.application.legal_proceedings import MilestoneDraft
from creditbox.bootstrap import Container
from creditbox.domain.business_dates import DateInFuture
from creditbox.domain.errors import Field, NotAllowed, NotFound
from creditbox.domain.ids import position_id
from creditbox.domain.position import Position
from creditbox.domain.workflow.legal import LegalDocument, LegalMilestone, LegalMilestoneKind
from creditbox.infrastructure.excel.writer import save_workbook
from creditbox.projections.exports import worklist_sheet
from creditbox.projections.queries.worklist_views import WorklistFilters, worklist_screen
from creditbox.projections.worklist_rows import WorklistKind
from tests.integration.legal_world import (
    HANDED_OVER,
    PDF,
    PNG,
    TODAY,
    given_cases_in_litigation,
    legal_documents_folder,  # noqa: F401  (the autouse fixture)
)

K = LegalMilestoneKind


def _draft(kind: LegalMilestoneKind, on: date, **extra: object) -> MilestoneDraft:
    return MilestoneDraft(kind, on, **extra)  # type: ignore[arg-type]


@pytest.mark.use_case
def test_a_milestone_with_its_documents_is_recorded_and_its_bytes_read_back(container: Container) -> None:
    given_cases_in_litigation(container, "C1")
    legal = container.legal_proceedings()
    decree = Attachment("Decreto 123-2026.pdf", PDF)
    filed = legal.record(
        "ACQ",
        "C1",
        "S-C1/1",
        _draft(K.INJUNCTION_FILED, HANDED_OVER + timedelta(days=2), court="Tribunale di Roma", docket="RG 123/2026"),
        by="avv.neri",
    )
    granted = legal.record(
        "ACQ",
        "C1",
        "S-C1/1",
        _draft(
            K.INJUNCTION_GRANTED,
            TODAY,
            amount=Decimal("3000"),
            next_deadline=TODAY + timedelta(days=40),
            attachments=(decree, Attachment("notifica.png", PNG)),
        ),
        by="avv.neri",
    )
    again = legal.record(
        "ACQ",
        "C1",
        "S-C1/1",
        _draft(K.INJUNCTION_FILED, HANDED_OVER + timedelta(days=2), court="Tribunale di Roma", docket="RG 123/2026"),
        by="avv.neri",
    )

    assert filed.changed and filed.events == ["LegalMilestoneRecorded"]
    assert granted.changed and not again.changed
    digest = hashlib.sha256(PDF).hexdigest()
    assert container.legal_documents().read("ACQ", digest) == PDF
    assert container.legal_documents().read("acq", digest.upper()) == PDF  # the company code, the digest normalised
    (proceedings,) = legal.of_customer("ACQ", "C1")
    assert [m.kind for m in proceedings.milestones] == [K.INJUNCTION_FILED, K.INJUNCTION_GRANTED]
    assert proceedings.next_deadline == TODAY + timedelta(days=40)
    second = proceedings.milestones[1]
    assert second.documents == (
        LegalDocument("Decreto 123-2026.pdf", digest, "application/pdf"),
        LegalDocument("notifica.png", hashlib.sha256(PNG).hexdigest(), "image/png"),
    )
    assert second.recorded_at == container.clock.now() and second.recorded_by == "avv.neri"
    assert second.amount == Decimal("3000.00")


@pytest.mark.use_case
def test_the_state_rebuilt_from_the_stored_events_holds_the_same_milestones(container: Container) -> None:
    given_cases_in_litigation(container, "C1")
    legal = container.legal_proceedings()
    legal.record("ACQ", "C1", "S-C1/1", _draft(K.JUDGMENT, HANDED_OVER, court="Tribunale di Roma"), by="avv")
    legal.record(
        "ACQ",
        "C1",
        "S-C1/1",
        _draft(K.ENFORCEMENT, TODAY, amount=Decimal("10.5"), attachments=(Attachment("atto.pdf", PDF),)),
        by="avv",
    )
    live = container.dunning().load("ACQ", "C1").case("S-C1/1")

    events = container.app.events_of(position_id("ACQ", "C1"))
    rebuilt: Position | None = None
    for event in events:
        rebuilt = event.mutate(rebuilt)
    assert rebuilt is not None
    assert [type(e).__name__ for e in events].count("LegalMilestoneRecorded") == 2
    assert rebuilt.case("S-C1/1").legal_milestones == live.legal_milestones
    assert rebuilt.case("S-C1/1").__dict__ == live.__dict__
    assert all(isinstance(m, LegalMilestone) for m in live.legal_milestones)


@pytest.mark.use_case
def test_refusals_name_what_is_wrong_and_record_nothing(container: Container, tmp_path: Path) -> None:
    given_cases_in_litigation(container, "C1")
    legal = container.legal_proceedings()

    def record(draft: MilestoneDraft, customer: str = "C1", case: str = "S-C1/1") -> None:
        legal.record("ACQ", customer, case, draft, by="avv")

    with pytest.raises(DateInFuture) as future:
        record(_draft(K.INJUNCTION_FILED, TODAY + timedelta(days=2)))
    assert future.value.field == Field.OCCURRED_ON
    with pytest.raises(NotAllowed, match="ricorso"):
        record(_draft(K.INJUNCTION_GRANTED, TODAY))
    with pytest.raises(DocumentRefused, match="tipo di documento non ammesso") as kind:
        record(_draft(K.JUDGMENT, TODAY, attachments=(Attachment("virus.exe", b"MZ"),)))
    assert kind.value.field == Field.ATTACHMENTS
    with pytest.raises(DocumentRefused, match="non è un PDF"):
        record(_draft(K.JUDGMENT, TODAY, attachments=(Attachment("sentenza.pdf", b"<html>"),)))
    with pytest.raises(DocumentRefused, match="oltre il limite"):
        big = PDF + b"\0" * container.settings.legal_document_max_bytes
        record(_draft(K.JUDGMENT, TODAY, attachments=(Attachment("sentenza.pdf", big),)))
    with pytest.raises(DocumentRefused, match="vuoto"):
        record(_draft(K.JUDGMENT, TODAY, attachments=(Attachment("sentenza.pdf", b""),)))
    with pytest.raises(NotFound):
        record(_draft(K.JUDGMENT, TODAY), case="S-C1/9")

    assert container.legal_proceedings().of_customer("ACQ", "C1")[0].milestones == ()
    folder = tmp_path / "documenti-legali"
    assert not folder.exists() or not any(p.is_file() for p in folder.rglob("*"))


@pytest.mark.use_case
def test_a_document_changed_on_the_disk_or_unknown_is_not_given_back(container: Container, tmp_path: Path) -> None:
    given_cases_in_litigation(container, "C1")
    container.legal_proceedings().record(
        "ACQ", "C1", "S-C1/1", _draft(K.JUDGMENT, TODAY, attachments=(Attachment("s.pdf", PDF),)), by="avv"
    )
    digest = hashlib.sha256(PDF).hexdigest()
    documents = container.legal_documents()
    with pytest.raises(NotFound):
        documents.read("ACQ", hashlib.sha256(b"other").hexdigest())
    with pytest.raises(NotFound):
        documents.read("OTHER", digest)  # another company's documents are its own
    (stored,) = [p for p in (tmp_path / "documenti-legali").rglob(digest) if p.is_file()]
    stored.write_bytes(PDF + b"changed")
    with pytest.raises(DocumentDamaged):
        documents.read("ACQ", digest)


def test_the_contenzioso_by_next_deadline_on_screen_in_excel_and_after_a_rebuild(
    container: Container, tmp_path: Path
) -> None:
    given_cases_in_litigation(container, "C1", "C2", "C3")
    legal = container.legal_proceedings()
    legal.record("ACQ", "C1", "S-C1/1", _draft(K.INJUNCTION_FILED, HANDED_OVER, court="Tribunale di Roma"), by="avv")
    legal.record(
        "ACQ",
        "C1",
        "S-C1/1",
        _draft(K.INJUNCTION_GRANTED, TODAY, docket="RG 7/2026", next_deadline=date(2026, 5, 10)),
        by="avv",
    )
    legal.record(
        "ACQ",
        "C2",
        "S-C2/1",
        _draft(K.JUDGMENT, TODAY, court="Tribunale di Lodi", next_deadline=date(2026, 4, 1)),
        by="avv",
    )
    container.projections.catch_up()

    def screen() -> list[tuple[object, ...]]:
        with container.projections.connect() as conn:
            items = worklist_screen(
                conn, "ACQ", WorklistKind.LITIGATION.value, WorklistFilters(), sort="scadenza", ascending=True
            )
        return [
            (i.customer_code, i.legal_milestone, i.legal_milestone_on, i.court, i.docket, i.next_deadline)
            for i in items
        ]

    expected = [
        ("C2", "judgment", TODAY, "Tribunale di Lodi", None, date(2026, 4, 1)),
        ("C1", "injunction_granted", TODAY, "Tribunale di Roma", "RG 7/2026", date(2026, 5, 10)),
        ("C3", None, None, None, None, None),  # no milestone yet: last
    ]
    assert screen() == expected

    with container.projections.connect() as conn:
        items = worklist_screen(
            conn, "ACQ", WorklistKind.LITIGATION.value, WorklistFilters(), sort="scadenza", ascending=True
        )
    out = tmp_path / "contenzioso.xlsx"
    save_workbook([worklist_sheet(items, "Contenzioso")], out)
    sheet = load_workbook(out).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    deadline, phase, court = (header.index(n) for n in ("Prossima scadenza", "Ultima fase legale", "Tribunale"))
    assert [r[deadline].date() if r[deadline] else None for r in rows[1:]] == [e[5] for e in expected]
    assert rows[1][phase] == "sentenza" and rows[2][phase] == "decreto ingiuntivo emesso" and rows[3][phase] is None
    assert rows[2][court] == "Tribunale di Roma"

    container.projections.rebuild()
    assert container.projections.quarantine_counts() == {}
    assert screen() == expected


@pytest.mark.use_case
def test_the_position_as_of_a_date_holds_the_milestones_dated_up_to_it(container: Container) -> None:
    given_cases_in_litigation(container, "C1")
    legal = container.legal_proceedings()
    filed_on, granted_on = HANDED_OVER + timedelta(days=2), TODAY
    legal.record("ACQ", "C1", "S-C1/1", _draft(K.INJUNCTION_FILED, filed_on), by="avv")
    legal.record("ACQ", "C1", "S-C1/1", _draft(K.INJUNCTION_GRANTED, granted_on), by="avv")

    def kinds_as_of(day: date) -> list[LegalMilestoneKind]:
        replay = position_as_of(container.app, "ACQ", "C1", day, None)
        assert replay.position is not None
        return [m.kind for m in replay.position.case("S-C1/1").legal_milestones]

    assert kinds_as_of(filed_on - timedelta(days=1)) == []
    assert kinds_as_of(filed_on) == [K.INJUNCTION_FILED]
    assert kinds_as_of(granted_on) == [K.INJUNCTION_FILED, K.INJUNCTION_GRANTED]
    entries = [
        e
        for e in position_history(container.app, "ACQ", "C1", as_of=None, zone=None).entries
        if e.type == "LegalMilestoneRecorded"
    ]
    assert [e.business_date for e in entries] == [filed_on, granted_on]
    assert entries[0].description.startswith("Contenzioso della pratica S-C1/1: ricorso per decreto ingiuntivo")
