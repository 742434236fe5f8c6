"""``simulate`` over 180 days on a generated workbook: it finishes, and what it did matches the table."""

from __future__ import annotations

import time
from datetime import date

import pytest

from creditbox.application.case_commands import CaseCommands
from creditbox.application.dunning import CachingLoader
from creditbox.application.simulation import SimulatedChannels, Simulator
from creditbox.bootstrap import Container
from creditbox.clock import FixedClock
from creditbox.domain.workflow.cases import StepStatus
from creditbox.sample_data import SampleSpec, generate, workbook_bytes

pytestmark = pytest.mark.use_case


def test_simulate_180_days_matches_the_table(container: Container, clock: FixedClock) -> None:
    container.companies.register("ACQ", "Acque", by="test")
    data = generate(SampleSpec(customers=200))
    container.importer().run(workbook_bytes(data), "sample.xlsx", "ACQ", by="test")
    channels = SimulatedChannels(seed=7)
    container.dispatcher = channels
    service = container.dunning(loader=CachingLoader(container.loader))
    simulator = Simulator(service, CaseCommands(service), channels, clock.set)

    started = time.perf_counter()
    summary = simulator.run("ACQ", date(2026, 1, 1), date(2026, 6, 29))
    elapsed = time.perf_counter() - started

    assert summary.days == 180
    assert elapsed < 120, f"simulation took {elapsed:.1f}s"
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
