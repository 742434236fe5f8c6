"""``simulate`` over 180 days on a generated workbook: it finishes, and what it did matches the table;
and it goes through the scheduler and the actors on the in-process broker: every action the workflow
executed ends ``sent`` in the outbox, once, written by the file channel."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from creditbox.application.ports import SENT
from creditbox.application.simulation import SimulatedWorld
from creditbox.bootstrap import Container
from creditbox.clock import FixedClock
from creditbox.domain.workflow.cases import StepStatus
from creditbox.infrastructure.channels.files import FileChannel
from creditbox.sample_data import SampleSpec, generate, workbook_bytes

pytestmark = pytest.mark.use_case


def _given_a_company(container: Container, customers: int) -> None:
    container.companies.register("ACQ", "Acque", by="test")
    data = generate(SampleSpec(customers=customers))
    container.importer().run(workbook_bytes(data), "sample.xlsx", "ACQ", by="test")


def test_simulate_180_days_matches_the_table(container: Container, clock: FixedClock) -> None:
    _given_a_company(container, 200)
    simulator = container.simulator("ACQ", SimulatedWorld(seed=7), clock.set)

    summary = simulator.run("ACQ", date(2026, 1, 1), date(2026, 6, 29))

    assert summary.days == 180
    table = container.actions_tables.current("ACQ")
    rows = {(r.ladder, r.seq): r for r in table.rows}
    positions = container.dunning().positions("ACQ")
    cases = [c for p in positions for c in p.dunning.cases.values()]
    assert cases and sum(summary.cases_by_ladder.values()) == len(cases)
    assert set(summary.cases_by_ladder) <= {r.ladder for r in table.rows}
    executed = 0
    for case in cases:
        seqs = [s.seq for s in case.steps]
        assert seqs == sorted(seqs) and len(seqs) == len(set(seqs))
        for step in case.steps:
            row = rows[(case.ladder, step.seq)]
            assert step.action_code == row.action_code
            if step.status == StepStatus.EXECUTED:
                executed += 1
                assert row.matches_amount(step.overdue), (case.case_id, step.seq, step.overdue)
    reactivations = summary.actions_by_code.get("Riattivazione", 0)
    assert sum(summary.actions_by_code.values()) - reactivations == executed
    assert summary.events["StepExecuted"] <= executed
    assert summary.cases_by_status["closed_paid"] > 0
    # running the last day again does nothing new
    again = container.dunning().run_due("ACQ", date(2026, 6, 29))
    assert again.event_count == 0


def test_the_simulation_runs_through_the_scheduler_and_the_actors(
    container: Container, clock: FixedClock, tmp_path: Path
) -> None:
    _given_a_company(container, 40)
    world = SimulatedWorld(seed=3)
    summary = container.simulator("ACQ", world, clock.set, operator=False).run(
        "ACQ", date(2026, 3, 1), date(2026, 4, 30)
    )

    assert summary.rounds == summary.days == 61 and summary.positions_run > 0
    entries = container.outbox().list("ACQ")
    assert entries, "the workflow executed no action"
    # every action handed to the send_action actor, once, and written by the file channel
    assert {(e.status, e.attempts) for e in entries} == {(SENT, 1)}
    channel = container.channel()
    assert isinstance(channel, FileChannel) and channel.root == tmp_path / "canali"
    by_channel = Counter(e.channel for e in entries)
    for name, count in by_channel.items():
        assert channel.messages("ACQ", name) == sorted(e.action_key for e in entries if e.channel == name)
        assert len(list((tmp_path / "canali" / "ACQ" / name).glob("*.json"))) == count
    # the outside world answered what was sent, and only that
    assert summary.sent_by_channel == by_channel
    assert {e.action_key for e in world.heard} == {e.action_key for e in entries}
    assert summary.outcomes > 0
    # the simulated days were the scheduler's rounds: nothing is left due on the last one
    assert container.due_index().count_due(date(2026, 4, 30), company="ACQ") == 0
