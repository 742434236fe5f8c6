"""PEC receipts dropped in a company's ``ricevute/`` inbox folder (real folders, SQLite and PostgreSQL):
imported by an inbox pass through the same ``InboundFiles`` as the command line and the API, filed in
``ricevute/done/`` with their ``.esito.json`` (or ``failed/`` when unreadable); a receipt dropped again
records nothing; the folder is never taken for an import profile."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from creditbox.application.inbox_results import FileStatus
from creditbox.bootstrap import Container, bootstrap
from creditbox.clock import FixedClock
from creditbox.domain.workflow.outcomes import StepOutcome
from creditbox.settings import Settings
from tests.integration.test_pec_receipts import FIXTURES, given_public_bodies_with_a_pec_notice


@pytest.fixture
def receipts_container(database_url: str, tmp_path: Path, clock: FixedClock) -> Iterator[Container]:
    settings = Settings(database_url=database_url, evidence_dir=str(tmp_path / "prove"))
    with bootstrap(settings, clock=clock) as c:
        yield c


def drop(folder: Path, name: str, content: bytes) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(content)
    then = time.time() - 60
    os.utime(path, (then, then))


def test_receipts_dropped_in_the_inbox_become_outcomes_and_are_filed(
    receipts_container: Container, tmp_path: Path
) -> None:
    c = receipts_container
    given_public_bodies_with_a_pec_notice(c)
    folder = tmp_path / "inbox" / "ACQ" / "ricevute"
    for name in ("avvenuta-consegna.eml", "sconosciuta.eml"):
        drop(folder, name, (FIXTURES / name).read_bytes())
    drop(folder, "nota.txt", b"non una ricevuta")

    outcome = c.inbox(str(tmp_path / "inbox")).run_pass()

    assert not outcome.unknown_folders  # "ricevute" is a kind, not a profile
    statuses = {f.file_name: (f.status, f.kind) for f in outcome.files}
    assert statuses == {
        "avvenuta-consegna.eml": (FileStatus.DONE, "ricevute"),
        "sconosciuta.eml": (FileStatus.DONE, "ricevute"),
        "nota.txt": (FileStatus.FAILED, "ricevute"),
    }
    assert sorted(p.name for p in (folder / "done").iterdir()) == [
        "avvenuta-consegna.eml",
        "avvenuta-consegna.esito.json",
        "sconosciuta.eml",
        "sconosciuta.esito.json",
    ]
    report = json.loads((folder / "done" / "sconosciuta.esito.json").read_text("utf-8"))
    assert report["kind"] == "ricevute" and len(report["unmatched"]) == 1
    assert (folder / "failed" / "nota.txt").exists()
    case = c.positions.load("ACQ", "E1").dunning.cases["S-E1/1"]
    assert case.steps[0].outcomes == [(StepOutcome.DELIVERED, date(2026, 2, 10))]
    assert len(c.inbound_files().unmatched("ACQ")) == 1

    drop(folder, "di-nuovo.eml", (FIXTURES / "avvenuta-consegna.eml").read_bytes())
    second = c.inbox(str(tmp_path / "inbox")).run_pass()

    [again] = second.files
    assert again.status is FileStatus.DONE and again.inbound is not None and again.inbound.duplicates == 1
    assert c.positions.load("ACQ", "E1").dunning.cases["S-E1/1"].steps[0].outcomes == case.steps[0].outcomes
