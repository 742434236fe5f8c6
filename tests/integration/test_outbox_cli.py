"""``creditbox outbox list|send|reconcile`` and ``creditbox worker`` on the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.test_cases_cli import (
    case_open,  # noqa: F401  (fixture)
    cli_db,  # noqa: F401  (fixture)
    run,
)

pytestmark = pytest.mark.cli_or_api

SMS = "ACQ/C1/S-C1/1/1"


@pytest.fixture
def channel_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "canali"
    monkeypatch.setenv("CREDITBOX_CHANNEL_DIR", str(folder))
    return folder


def _listed(*options: str) -> list[dict[str, object]]:
    listed = run("outbox", "list", "--company", "ACQ", "--json", *options)
    assert listed.code == 0, listed.err
    return list(json.loads(listed.out))


@pytest.mark.postgres_smoke
def test_outbox_list_shows_each_entry_with_its_status_and_send_hands_it_to_the_channel(
    case_open: str,  # noqa: F811
    channel_dir: Path,
) -> None:
    [entry] = _listed()
    assert (entry["action_key"], entry["status"], entry["attempts"], entry["channel"]) == (SMS, "pending", 0, "sms")
    table = run("outbox", "list", "--company", "ACQ")
    assert table.code == 0 and "in attesa" in table.out and "C1" in table.out
    sent = run("outbox", "send")
    assert sent.code == 0, sent.err
    assert "consegnate ai processi di lavoro: 1" in sent.out
    assert [(e["status"], e["attempts"]) for e in _listed()] == [("sent", 1)]
    assert _listed("--status", "inviato") == _listed("--status", "sent") != []
    assert _listed("--status", "in attesa") == []
    assert [p.name for p in (channel_dir / "ACQ" / "sms").iterdir()] == ["ACQ%2FC1%2FS-C1%2F1%2F1.json"]
    again = run("outbox", "send")
    assert "consegnate ai processi di lavoro: 0" in again.out
    reconciled = run("outbox", "reconcile", "--after", "0")
    assert reconciled.code == 0 and "0 inviate, 0 incerte" in reconciled.out


def test_outbox_list_refuses_an_unknown_status(case_open: str) -> None:  # noqa: F811
    refused = run("outbox", "list", "--company", "ACQ", "--status", "spedito")
    assert refused.code == 2
    assert "inviato (sent)" in refused.err


def test_worker_refuses_the_in_process_broker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREDITBOX_BROKER_URL", "memory://")
    refused = run("worker", "--processes", "1")
    assert refused.code == 2 and "memory://" in refused.err
    monkeypatch.setenv("CREDITBOX_BROKER_URL", "kafka://somewhere")
    wrong = run("worker")
    assert wrong.code == 2 and "CREDITBOX_BROKER_URL non valido" in wrong.err


def test_outbox_mark_sent_marks_the_history_once_with_who_and_why(case_open: str) -> None:  # noqa: F811
    # The SMS of 10/02 stands for an action recorded, and sent, before the outbox existed.
    tried = run("outbox", "mark-sent", "--company", "ACQ", "--before", "2026-03-01", "--dry-run")
    assert tried.code == 0, tried.err
    assert "1 azione sarebbe segnata come inviata" in tried.out and "C1" in tried.out
    assert [e["status"] for e in _listed()] == ["pending"]
    marked = run(
        "outbox", "mark-sent", "--company", "ACQ", "--before", "01/03/2026", "--reason", "migrazione", "--by", "rossi"
    )
    assert marked.code == 0, marked.err
    assert "Azioni segnate come inviate: 1" in marked.out and "rossi" in marked.out
    [entry] = _listed("--status", "segnato come inviato")
    assert entry["status"] == "marked_sent" and "migrazione" in str(entry["last_error"])
    assert "segnato come inviato" in run("outbox", "list", "--company", "ACQ").out
    assert "consegnate ai processi di lavoro: 0" in run("outbox", "send").out  # never sent
    again = run("outbox", "mark-sent", "--company", "ACQ", "--before", "2026-03-01", "--json")
    assert again.code == 0 and json.loads(again.out)["count"] == 0


def test_outbox_mark_sent_needs_a_cutoff_in_the_past(case_open: str) -> None:  # noqa: F811
    none = run("outbox", "mark-sent", "--company", "ACQ")
    assert none.code == 2 and "--before" in none.err
    future = run("outbox", "mark-sent", "--company", "ACQ", "--recorded-before", "2999-01-01T00:00")
    assert future.code == 2 and "nel futuro" in future.err
    assert [e["status"] for e in _listed()] == ["pending"]
