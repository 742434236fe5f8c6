"""``creditbox simulate`` through the real command line: each day a scheduler round on the in-process
broker, the actions sent by the ``send_action`` actor through the file channel (``CREDITBOX_CHANNEL_DIR``),
whatever ``CREDITBOX_BROKER_URL`` says."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from creditbox.sample_data import SampleSpec, sample_workbook
from tests.integration.command_line import run

pytestmark = pytest.mark.cli_or_api

SIMULATE = ("simulate", "--company", "ACQ", "--from", "2026-09-01", "--to", "2026-09-30")


@pytest.fixture
def channels(cli_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """ACQ with a sample workbook imported; the file channel's root under tmp."""
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("CREDITBOX_CHANNEL_DIR", str(tmp_path / "canali"))
    workbook = sample_workbook(tmp_path / "clienti.xlsx", SampleSpec(customers=12))
    imported = run("import", str(workbook), "--company", "ACQ")
    assert imported.code == 0, imported.out + imported.err
    return tmp_path / "canali"


@pytest.mark.postgres_smoke
def test_simulate_sends_every_action_through_the_channel(channels: Path) -> None:
    simulated = run(*SIMULATE, "--channel-outcomes", "simulati", "--json")
    assert simulated.code == 0, simulated.out + simulated.err
    summary = json.loads(simulated.out)
    assert summary["days"] == summary["rounds"] == 30 and summary["positions_run"] > 0
    assert sum(summary["sent_by_channel"].values()) > 0

    listed = run("outbox", "list", "--company", "ACQ", "--json")
    assert listed.code == 0, listed.err
    entries = json.loads(listed.out)
    assert {(e["status"], e["attempts"]) for e in entries} == {("sent", 1)}
    assert Counter(e["channel"] for e in entries) == Counter(summary["sent_by_channel"])
    written = sorted(p.relative_to(channels).as_posix() for p in channels.rglob("*.json"))
    assert len(written) == len(entries)
    assert all(any(w.startswith(f"ACQ/{e['channel']}/") for w in written) for e in entries)


def test_simulate_shows_the_messages_sent_by_channel_in_italian(channels: Path) -> None:
    shown = run(*SIMULATE, "--no-operator")
    assert shown.code == 0, shown.out + shown.err
    assert "Messaggi inviati per canale" in shown.out
    assert "SMS" in shown.out or "Raccomandata A/R" in shown.out
    again = run(*SIMULATE, "--json")  # the same days again: nothing new to run or to send
    assert again.code == 0, again.err
    summary = json.loads(again.out)
    assert summary["sent_by_channel"] == {} and summary["events"] == {}
