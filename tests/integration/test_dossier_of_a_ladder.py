"""The evidence dossier of positions whose cases went through a whole ladder of the standard table, run
by the scheduler and the workers through the real channels (the world of
``test_ladders_through_channels.py``): a domestic water customer (SMS, registered letter A/R with its
postal outcome, two requests to the technical office with their planned dates, the agency, hand-over to
litigation, a lock set and lifted on the way) and a public body (PEC with the provider's receipts,
hand-over to litigation).

The dossier of each lists, explicitly, every item the issue asks for; it checks clean against itself
and the store; an event of the position edited by hand in the store afterwards is found.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import create_engine, text

from creditbox.application.dossier_check import check_dossier
from creditbox.application.dossier_format import AS_SENT, MANIFEST, REGENERATED, STORED_EVENTS, sha256_hex
from creditbox.application.legal_documents import Attachment
from creditbox.application.legal_proceedings import MilestoneDraft
from creditbox.application.ports import SENT
from creditbox.bootstrap import Container, bootstrap
from creditbox.clock import FixedClock
from creditbox.domain.codes import ActionCode
from creditbox.domain.ids import position_id
from creditbox.domain.workflow.cases import CaseStatus, StepStatus
from creditbox.domain.workflow.legal import LegalMilestoneKind
from creditbox.domain.workflow.outcomes import LockReason
from creditbox.infrastructure.chain.store import POSTGRES_EVENTS, SQLITE_EVENTS
from creditbox.infrastructure.dossier.archive import read_archive
from creditbox.settings import Settings
from creditbox.workers.queue import DramatiqQueue
from tests.integration import test_ladders_through_channels as ladders
from tests.integration.ladder_world import (
    COMPANY,
    CUSTOMERS,
    Customer,
    OutsideWorld,
    configure_channels,
    expected_steps,
)
from tests.integration.offices import workbook_bytes
from tests.integration.sms_gateway import running_gateway
from tests.integration.smtp_server import smtp_server

FIRST_DAY = date(2026, 2, 1)
LAST_DAY = date(2027, 1, 31)
CHOSEN = [c for c in CUSTOMERS if c.code in ("A1", "E1")]
WATER = next(c for c in CHOSEN if c.code == "A1")


def planned_answers(sent_list: bytes, on: date) -> bytes:
    """The technical office's list sent back with its planned date and the request done on ``on``."""
    sheet = load_workbook(BytesIO(sent_list)).worksheets[0]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = rows[0]
    planned, outcome, when = header.index("Data pianificata"), header.index("Esito"), header.index("Data esito")
    moment = datetime(on.year, on.month, on.day)
    for row in rows[1:]:
        row[planned], row[outcome], row[when] = moment, "eseguito", moment
    return workbook_bytes(sheet.title, rows)


def work_the_worklist(c: Container) -> None:
    commands = c.case_commands()
    for customer in CHOSEN:
        case = ladders.case_of(c, customer)
        step = case.pending_step if case is not None else None
        if case is None or not case.is_open or step is None:
            continue
        if step.status == StepStatus.PROPOSED:
            commands.confirm_proposal(COMPANY, customer.code, case.case_id, step.seq, by="operatore")
        step = ladders.the_case(c, customer).pending_step
        if step is not None and step.status == StepStatus.AWAITING_APPROVAL:
            commands.approve_step(COMPANY, customer.code, case.case_id, step.seq, step.approval_level, by="supervisore")


def finished(c: Container, customer: Customer) -> bool:
    last = expected_steps(customer)[-1]
    case = ladders.case_of(c, customer)
    return case is not None and any(seq == last.seq for seq, _ in ladders.executed(case))


def run_the_ladders(c: Container, clock: FixedClock, gateway: Any, mailbox: Any, port: int, secrets: Path) -> None:
    c.companies.register(COMPANY, "Acque S.p.A.", by="test")
    c.ingestor().ingest(COMPANY, [r for customer in CHOSEN for r in customer.records()], by="test")
    c.projections.catch_up()
    configure_channels(c, gateway, port, secrets)
    commands = c.case_commands()
    commands.set_lock(COMPANY, "A1", LockReason.COMPLAINT, None, FIRST_DAY, None, "reclamo telefonico", by="operatore")
    queue = c.work_queue()
    assert isinstance(queue, DramatiqQueue)
    world = OutsideWorld(c, mailbox)
    batches = ladders.Batches(c, world)
    day = FIRST_DAY
    while day <= LAST_DAY:
        clock.set(day)
        if day == FIRST_DAY + timedelta(days=3):
            commands.lift_lock(COMPANY, "A1", "B1", day, "reclamo respinto", by="supervisore")
        world.answer(day)
        work_the_worklist(c)
        ladders.scheduler_round(c, queue, day)
        batches.close(day)
        sent = [(e.channel, e.action_key) for e in c.outbox().list(COMPANY) if e.status == SENT]
        world.hear_sent(day, sent)
        if all(finished(c, customer) for customer in CHOSEN) and not world.planned:
            break
        day += timedelta(days=1)
    for customer in CHOSEN:
        assert ladders.the_case(c, customer).status == CaseStatus.IN_LITIGATION, customer


def loads(contents: dict[str, bytes], path: str) -> Any:
    return json.loads(contents[path].decode("utf-8"))


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)


def test_the_dossier_of_a_whole_ladder_holds_every_item(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ladders, "technical_answers", planned_answers)
    clock = FixedClock(FIRST_DAY)
    settings = Settings(
        database_url=database_url,
        channel_dir=str(tmp_path / "canali"),
        evidence_dir=str(tmp_path / "prove"),
        legal_documents_dir=str(tmp_path / "documenti-legali"),
    )
    with running_gateway() as gateway, smtp_server() as (mailbox, port), bootstrap(settings, clock=clock) as c:
        run_the_ladders(c, clock, gateway, mailbox, port, tmp_path / "segreti")
        clock.set(clock.today() + timedelta(days=1))
        legal_case = ladders.the_case(c, WATER).case_id
        petition = b"%PDF-1.4\n% ricorso per decreto ingiuntivo\n%%EOF\n"
        c.legal_proceedings().record(
            COMPANY,
            "A1",
            legal_case,
            MilestoneDraft(
                LegalMilestoneKind.INJUNCTION_FILED,
                clock.today(),
                court="Tribunale di Milano",
                docket="R.G. 1234/2026",
                next_deadline=clock.today() + timedelta(days=30),
                attachments=(Attachment("ricorso.pdf", petition),),
            ),
            by="avv. bianchi",
        )
        water = read_archive(c.dossiers().archive(COMPANY, "A1")[1])
        public = read_archive(c.dossiers().archive(COMPANY, "E1")[1])
        a1 = c.positions.load(COMPANY, "A1")

        # ---- the manifest: every file with its SHA-256 and size, the creation time, the chain head ------
        manifest = loads(water, MANIFEST)
        assert (manifest["company"], manifest["customer_code"]) == (COMPANY, "A1")
        assert manifest["created_at"] == clock.now().isoformat()
        assert set(water) == {MANIFEST} | {f["path"] for f in manifest["files"]}
        assert all(
            f["sha256"] == sha256_hex(water[f["path"]]) and f["size"] == len(water[f["path"]])
            for f in manifest["files"]
        )
        assert manifest["chain_head"]["version"] == a1.version == manifest["events"]
        [head] = [
            link
            for link in c.chain_records().history_of(position_id(COMPANY, "A1")).links
            if link.version == a1.version
        ]
        assert manifest["chain_head"]["hash"] == head.hash.hex()

        # ---- the customer and its supplies ---------------------------------------------------------------
        assert loads(water, "cliente/cliente.json")["name"] == "Cliente A1"
        assert [s["code"] for s in loads(water, "cliente/forniture.json")] == ["S-A1"]
        assert "Cliente A1" in water["cliente/cliente.txt"].decode("utf-8")

        # ---- the statement of account (JSON, Excel, PDF), the interest computation, every bill -------------
        statement = loads(water, "estratto_conto/estratto_conto.json")
        assert statement["customer_code"] == "A1" and statement["totals"]["principal"] == "1200.00"
        assert load_workbook(BytesIO(water["estratto_conto/estratto_conto.xlsx"])).sheetnames
        assert "Estratto conto al" in pdf_text(water["estratto_conto/estratto_conto.pdf"])
        interest = loads(water, "estratto_conto/interessi.json")
        assert interest["lines"] and Decimal(interest["interest"]) > 0
        assert [b["number"] for b in loads(water, "bollette/bollette.json")] == ["B-A1"]
        assert loads(water, "bollette/bollette.json")[0]["time_barred"] is False

        # ---- every notice as sent, with its delivery proof --------------------------------------------------
        notices = {n["action_code"]: n for n in loads(water, "avvisi/avvisi.json")}
        case = ladders.the_case(c, WATER)
        executed = [s for s in case.steps if s.status == StepStatus.EXECUTED]
        assert len(loads(water, "avvisi/avvisi.json")) == len(executed)  # every action of the case
        sms = notices[ActionCode.SMS.code]
        assert {f["source"] for f in sms["files"]} == {REGENERATED}  # the gateway keeps it: the text composed again
        assert "messaggio.json" in " ".join(f["path"] for f in sms["files"])
        letter = notices[ActionCode.REGISTERED_LETTER.code]
        [pdf] = [f for f in letter["files"] if f["path"].endswith(".pdf")]
        assert pdf["source"] == AS_SENT and water[pdf["path"]].startswith(b"%PDF")
        assert "Cliente A1" in pdf_text(water[pdf["path"]])
        technical = [n for n in loads(water, "avvisi/avvisi.json") if n["channel"] == "ufficio_tecnico"]
        assert len(technical) == 2
        for request in technical:  # the batch that carried it (its manifest), and the request composed again
            batch = [f for f in request["files"] if f["source"] == AS_SENT and "/lotto-" in f["path"]]
            assert batch and request["action_key"] in loads(water, batch[0]["path"])["action_keys"]
        agency = notices[ActionCode.COLLECTION_AGENCY.code]
        assert any(f["source"] == AS_SENT and "lotto" in f["path"] for f in agency["files"])
        legal = notices[ActionCode.LITIGATION.code]
        assert legal["channel"] == "legale" and legal["files"][0]["source"] == AS_SENT
        cases = loads(water, "pratiche/pratiche.json")
        steps = {s["seq"]: s for s in cases[0]["steps"]}
        assert steps[letter["seq"]]["outcomes"][0][0] == "delivered"  # the A/R outcome from the postal file
        assert steps[sms["seq"]]["outcomes"][0][0] == "delivered"

        # ---- technical office and agency records ----------------------------------------------------------
        office = loads(water, "uffici/note_uffici.json")
        assert {n["action_key"] for n in office} == {n["action_key"] for n in technical}
        assert all(n["kind"] == "plan" and n["recorded_at"] for n in office)

        # ---- locks, plans and approvals, with who and when -------------------------------------------------
        facts = loads(water, "pratiche/blocchi_piani_approvazioni.json")
        lock = [f for f in facts if f["event"] == "LockSet"]
        lifted = [f for f in facts if f["event"] == "LockLifted"]
        assert lock[0]["by"] == "operatore" and lifted[0]["by"] == "supervisore" and lock[0]["recorded_at"]
        assert loads(water, "pratiche/blocchi.json")[0]["lifted_on"] == (FIRST_DAY + timedelta(days=3)).isoformat()
        approved = [f for f in facts if f["event"] == "StepApproved"]
        assert approved and {f["by"] for f in approved} == {"supervisore"}
        assert any(f["event"] == "HandedOverToLitigation" for f in facts)
        assert "plans" in cases[0]  # none agreed on this case: listed, empty

        # ---- the legal milestones and their documents ---------------------------------------------------
        [filed] = loads(water, "legale/fasi.json")
        assert (filed["kind"], filed["court"], filed["docket"], filed["recorded_by"]) == (
            "injunction_filed",
            "Tribunale di Milano",
            "R.G. 1234/2026",
            "avv. bianchi",
        )
        [document] = filed["documents"]
        assert water[document["path"]] == petition and document["sha256"] == sha256_hex(petition)
        assert loads(public, "legale/fasi.json") == []  # none recorded for the public body: listed, empty

        # ---- the full event history: JSON, as stored, and a readable PDF timeline ------------------------
        events = loads(water, "storia/eventi.json")
        assert [e["version"] for e in events] == list(range(1, a1.version + 1))
        assert loads(water, STORED_EVENTS)["events"][-1]["link"] == head.hash.hex()
        timeline = pdf_text(water["storia/cronologia.pdf"])
        assert "Cronologia degli eventi" in timeline and "Cliente A1" in timeline and "contenzioso" in timeline

        # ---- the public body: PEC with the provider's receipts ----------------------------------------------
        [pec] = [n for n in loads(public, "avvisi/avvisi.json") if n["channel"] == "pec"]
        assert {r["kind"] for r in pec["receipts"]} == {"accettazione", "avvenuta-consegna"}
        for receipt in pec["receipts"]:
            assert sha256_hex(public[receipt["path"]]) == receipt["sha256"]
        assert any(f["source"] == REGENERATED and f["path"].endswith(".html") for f in pec["files"])

        # ---- both check clean; an event edited by hand afterwards is found ------------------------------------
        assert check_dossier(water, c.chain_records()).clean
        assert check_dossier(public, c.chain_records()).clean
        engine = create_engine(c.database.sqlalchemy_url())
        table = POSTGRES_EVENTS if c.database.is_postgres else SQLITE_EVENTS
        key = position_id(COMPANY, "A1")
        with engine.begin() as conn:
            conn.execute(
                text(f"UPDATE {table} SET state = :state WHERE originator_id = :id AND originator_version = 3"),
                {"state": b'{"manomesso": true}', "id": key if c.database.is_postgres else key.hex},
            )
        engine.dispose()
        found = check_dossier(water, c.chain_records())
        assert not found.clean and any("versione 3" in f.message for f in found.findings)
        assert check_dossier(public, c.chain_records()).clean  # the other position is untouched
