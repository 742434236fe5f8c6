"""Every ladder of the standard table, from the first notice to its last step, run by the scheduler and
the workers through the real channels, every outcome coming back as a file.

One company whose channel configuration sends SMS to an HTTP gateway started here, e-mail and PEC to an
SMTP server started here (STARTTLS, login), letters through ``posta`` (the day's postal batch closed as
``creditbox letters batch`` does), requests through ``ufficio-tecnico`` and hand-overs through
``agenzia`` (their day's batches closed). One customer per ladder of the table. Each business day: the
files due come back and are imported through ``InboundFiles`` (SMS delivery reports, PEC delivery
receipts for the Message-ID the server received, the postal provider's A/R outcomes naming the letters
of the day's batch, the technical office's list filled in as ``.xlsx``, the agency's outcome file); the
operator confirms the proposals and the supervisor approves at the step's level (``CaseCommands``); then
one scheduler round on the in-process workers (``memory://``), waited for, as ``creditbox scheduler``
does it.

At the end, per ladder: every row of the ladder whose band holds the customer's debt executed in order,
the proposals confirmed and approved, each action sent exactly once through its adapter (the gateway's
count, the SMTP server's messages, the batch manifests, the office batches, the file channel), each
outcome recorded from its file, and the case where the table's last row leaves it.
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import pytest

from creditbox.application.ports import SENT
from creditbox.application.simulation import ROUND_TIMEOUT_SECONDS
from creditbox.bootstrap import Container, bootstrap
from creditbox.clock import FixedClock
from creditbox.domain.codes import ActionCode
from creditbox.domain.errors import DomainError
from creditbox.domain.workflow.cases import CaseStatus, DunningCase, StepRecord, StepStatus
from creditbox.domain.workflow.outcomes import StepOutcome
from creditbox.infrastructure.channels.files import SUFFIX, action_key_of
from creditbox.settings import Settings
from creditbox.workers.queue import DramatiqQueue
from tests.integration.ladder_world import (
    COMPANY,
    CUSTOMERS,
    Customer,
    OutsideWorld,
    agency_outcomes,
    configure_channels,
    expected_steps,
    given_customers,
    postal_outcomes,
    table_ladders,
    technical_answers,
)
from tests.integration.sms_gateway import running_gateway
from tests.integration.smtp_server import smtp_server

FIRST_DAY = date(2026, 2, 1)  # the bills fell due on 31/01: the cases open after the 10 days of grace
LAST_DAY = date(2027, 1, 31)  # far beyond the longest ladder: the loop stops when every case is done
POST_ANSWERS_AFTER = timedelta(days=3)  # the postal provider and the technical office
AGENCY_ANSWERS_AFTER = timedelta(days=30)
UNCLAIMED_AFTER = timedelta(days=30)  # *compiuta giacenza*: 30 days after the notice of *giacenza*
HELD_AT_THE_POST_OFFICE = {"N1"}  # whose registered letters are never collected

# The inbound kind of each channel that answers (e-mail, ordinary letters, the office and the legal team: none).
KIND_OF = {
    "sms": "esiti-sms",
    "pec": "ricevute",
    "raccomandata": "esiti-postali",
    "ufficio_tecnico": "ufficio-tecnico",
    "agenzia": "agenzia",
}
ENDS_IN = {ActionCode.LITIGATION: CaseStatus.IN_LITIGATION, ActionCode.WRITE_OFF_REQUEST: CaseStatus.CLOSED_WRITTEN_OFF}


def case_of(c: Container, customer: Customer) -> DunningCase | None:
    """The customer's case (one: nothing is paid), once opened."""
    cases = list(c.dunning().load(COMPANY, customer.code).dunning.cases.values())
    assert len(cases) <= 1, customer
    return cases[0] if cases else None


def the_case(c: Container, customer: Customer) -> DunningCase:
    case = case_of(c, customer)
    assert case is not None, customer
    return case


def executed(case: DunningCase) -> list[tuple[int, ActionCode]]:
    return [(s.seq, s.action_code) for s in case.steps if s.status == StepStatus.EXECUTED]


def finished(c: Container, customer: Customer) -> bool:
    """The case executed the last step its ladder has for its debt."""
    last = expected_steps(customer)[-1]
    case = case_of(c, customer)
    return case is not None and any(seq == last.seq for seq, _ in executed(case))


def work_the_worklist(c: Container, approvals: list[tuple[str, int, int]]) -> None:
    """The operator confirms each proposal; a supervisor of exactly the step's level approves it."""
    commands = c.case_commands()
    for customer in CUSTOMERS:
        case = case_of(c, customer)
        step = case.pending_step if case is not None else None
        if case is None or not case.is_open or step is None:
            continue
        if step.status == StepStatus.PROPOSED:
            commands.confirm_proposal(COMPANY, customer.code, case.case_id, step.seq, by="operatore")
        step = the_case(c, customer).pending_step
        if step is not None and step.status == StepStatus.AWAITING_APPROVAL:
            with pytest.raises(DomainError):  # a supervisor one level short may not approve it
                commands.approve_step(
                    COMPANY, customer.code, case.case_id, step.seq, step.approval_level - 1, by="capoturno"
                )
            commands.approve_step(COMPANY, customer.code, case.case_id, step.seq, step.approval_level, by="supervisore")
            approvals.append((customer.code, step.seq, step.approval_level))


def scheduler_round(c: Container, queue: DramatiqQueue, day: date) -> None:
    """One round as ``creditbox scheduler --once`` runs it on the in-process broker."""
    scheduler = c.scheduler(queue=queue, relay=c.outbox().relay)
    scheduler.run_once(day)
    queue.wait(ROUND_TIMEOUT_SECONDS)
    c.projections.after_command()
    c.outbox().relay(queue)
    queue.wait(ROUND_TIMEOUT_SECONDS)
    c.projections.catch_up()


class Batches:
    """The day's batches closed, as the commands ``letters batch``, ``technical batch`` and ``agency
    batch`` close them, and the answers their files will bring back."""

    def __init__(self, c: Container, world: OutsideWorld) -> None:
        self.c = c
        self.world = world
        self.letters: list[str] = []  # the action keys of every closed postal manifest, row by row
        self.technical: list[str] = []
        self.agency: list[str] = []

    def close(self, day: date) -> None:
        c, world = self.c, self.world
        postal = c.postal_batches()
        if postal.day_folder(COMPANY, day).is_dir():
            batch = postal.close(COMPANY, day)
            rows = list(csv.DictReader(StringIO(batch.manifest.read_text("utf-8-sig")), delimiter=";"))
            assert [row["File PDF"] for row in rows] == [
                f"{batch.batch_id}-{n:05d}.pdf" for n in range(1, len(rows) + 1)
            ]
            assert all((batch.folder / row["File PDF"]).is_file() for row in rows)
            self.letters += [row["Chiave azione"] for row in rows]
            registered = [row["Chiave azione"] for row in rows if row["Tipo"] != "ordinaria"]
            held = [key for key in registered if key.split("/")[1] in HELD_AT_THE_POST_OFFICE]
            delivered = [key for key in registered if key not in held]
            on = day + POST_ANSWERS_AFTER
            if delivered:
                content = postal_outcomes(delivered, "consegnata", on)
                world.plan(
                    on, "esiti-postali", f"esiti-{batch.batch_id}.csv", content, delivered, StepOutcome.DELIVERED
                )
            if held:  # left at the post office, never collected: legally known to the recipient
                content = postal_outcomes(held, "in giacenza", on)
                world.plan(on, "esiti-postali", f"giacenze-{batch.batch_id}.csv", content, held, StepOutcome.HELD)
                later = on + UNCLAIMED_AFTER
                content = postal_outcomes(held, "compiuta giacenza", later)
                name = f"compiute-giacenze-{batch.batch_id}.csv"
                world.plan(later, "esiti-postali", name, content, held, StepOutcome.UNCLAIMED)
        for batch in c.technical_batches().close(COMPANY, day):
            assert batch.new
            self.technical += batch.action_keys
            [workbook] = batch.files
            on = day + POST_ANSWERS_AFTER
            answers = technical_answers(workbook.content, on)
            name = f"risposte-{batch.batch_id}.xlsx"
            world.plan(on, "ufficio-tecnico", name, answers, list(batch.action_keys), StepOutcome.POSITIVE)
        for batch in c.agency_batches().close(COMPANY, day):
            assert batch.new
            self.agency += batch.action_keys
            on = day + AGENCY_ANSWERS_AFTER
            content = agency_outcomes(list(batch.action_keys), on)
            keys = list(batch.action_keys)
            world.plan(on, "agenzia", f"esiti-{batch.batch_id}.csv", content, keys, StepOutcome.NEGATIVE)


def test_every_ladder_of_the_standard_table_runs_through_the_channels(database_url: str, tmp_path: Path) -> None:
    assert sorted(table_ladders()) == sorted(customer.ladder for customer in CUSTOMERS)  # every ladder, once
    clock = FixedClock(FIRST_DAY)
    channel_dir = tmp_path / "canali"
    settings = Settings(database_url=database_url, channel_dir=str(channel_dir), evidence_dir=str(tmp_path / "prove"))
    with (
        running_gateway() as gateway,
        smtp_server() as (mailbox, port),
        bootstrap(settings, clock=clock) as c,
    ):
        given_customers(c)
        configure_channels(c, gateway, port, tmp_path / "segreti")
        queue = c.work_queue()
        assert isinstance(queue, DramatiqQueue)  # the workers: actors in worker threads of this process
        world = OutsideWorld(c, mailbox)
        batches = Batches(c, world)
        approvals: list[tuple[str, int, int]] = []
        day = FIRST_DAY
        while day <= LAST_DAY:
            clock.set(day)
            world.answer(day)
            work_the_worklist(c, approvals)
            scheduler_round(c, queue, day)
            batches.close(day)
            sent = [(e.channel, e.action_key) for e in c.outbox().list(COMPANY) if e.status == SENT]
            world.hear_sent(day, sent)
            if all(finished(c, customer) for customer in CUSTOMERS) and not world.planned:
                break
            day += timedelta(days=1)

        # ---- every ladder, step by step ---------------------------------------------------------------
        entries = {e.action_key: e for e in c.outbox().list(COMPANY)}
        keys_by_channel: dict[str, list[str]] = {}
        for customer in CUSTOMERS:
            case = the_case(c, customer)
            expected = expected_steps(customer)
            assert case.ladder == customer.ladder, customer
            assert executed(case) == [(row.seq, row.action_code) for row in expected], customer.ladder
            steps = [s for s in case.steps if s.status == StepStatus.EXECUTED]
            days = [s.executed_on for s in steps]
            assert days == sorted(days), customer.ladder  # in order, from the first notice
            previous: StepRecord | None = None
            for step, row in zip(steps, expected, strict=True):
                key = f"{COMPANY}/{customer.code}/{case.case_id}/{step.seq}"
                entry = entries[key]
                assert (entry.status, entry.attempts) == (SENT, 1), key  # sent, at the first attempt
                keys_by_channel.setdefault(entry.channel, []).append(key)
                assert step.outcomes == world.expected.get(key, []), key  # each from its file
                if row.approval_level:
                    assert (customer.code, step.seq, row.approval_level) in approvals, key
                if previous is not None and row.start_point in ("previous_delivered", "previous_outcome"):
                    # The answer read from its file is what moved the case on.
                    answered = previous.delivered_on if row.start_point == "previous_delivered" else previous.outcome_on
                    assert step.executed_on is not None and answered is not None, key
                    assert step.executed_on >= answered + timedelta(days=row.wait_before_days), key
                previous = step
            assert case.status == ENDS_IN[expected[-1].action_code], customer.ladder
        assert len(entries) == sum(len(v) for v in keys_by_channel.values())  # no other action

        # ---- each action sent exactly once through its adapter -----------------------------------------
        sms = sorted(keys_by_channel["sms"])
        assert sorted(gateway.state.accepted) == sms and gateway.state.posts == len(sms)
        assert {h.get("Authorization") for h in gateway.state.headers} == {"Bearer token-di-prova"}
        mail = sorted(keys_by_channel["email"] + keys_by_channel["pec"])
        assert sorted(world.received_by_smtp()) == mail and len(mailbox.envelopes) == len(mail)
        assert set(mailbox.logins) == {"solleciti@acque.example.it"}
        letters = keys_by_channel["lettera"] + keys_by_channel["raccomandata"]
        assert sorted(batches.letters) == sorted(letters)  # each letter in one manifest, once
        assert sorted(batches.technical) == sorted(keys_by_channel["ufficio_tecnico"])
        assert sorted(batches.agency) == sorted(keys_by_channel["agenzia"])
        for channel in ("ufficio", "legale"):
            files = sorted(action_key_of(p.name) for p in (channel_dir / COMPANY / channel).glob(f"*{SUFFIX}"))
            assert files == sorted(keys_by_channel[channel]), channel

        # ---- each outcome from its file, once ----------------------------------------------------------
        answered = sorted(k for channel in KIND_OF for k in keys_by_channel.get(channel, []))
        assert sorted({key for answer, _ in world.imported for key in answer.keys}) == answered
        for answer, result in world.imported:
            assert answer.kind == KIND_OF[entries[answer.keys[0]].channel]
            assert (result.accepted, result.duplicates, result.unmatched, result.rejected) == (
                len(answer.keys),
                0,
                [],
                [],
            ), answer.filename
        # Every file imported again records nothing.
        events = c.app.recorder.max_notification_id()
        for answer, _ in world.imported:
            again = c.inbound_files().import_file(answer.kind, COMPANY, answer.filename, answer.content, by="test")
            assert (again.accepted, again.duplicates, again.rejected) == (0, len(answer.keys), []), answer.filename
        assert c.app.recorder.max_notification_id() == events
