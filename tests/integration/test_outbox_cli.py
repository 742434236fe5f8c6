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
