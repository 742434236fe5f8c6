"""``creditbox letters batch|batches|outcomes import`` on the command line."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest

from creditbox.clock import FixedClock
from creditbox.infrastructure.channels.posta import PostaChannel
from tests.integration.command_line import run
from tests.letter_messages import letter

pytestmark = pytest.mark.cli_or_api

DAY = date(2026, 3, 2)


def _two_letters() -> Path:
    root = Path(os.environ["CREDITBOX_CHANNEL_DIR"])
    channel = PostaChannel(root, FixedClock(DAY))
    channel.send(letter("ACQ/C1/S1/1/2", kind="raccomandata"))
    channel.send(letter("ACQ/C2/S1/1/1", customer="C2", name="Giulia Bianchi", kind="bonario"))
    return root


@pytest.mark.postgres_smoke
def test_closing_a_day_twice_writes_the_same_batch(cli_db: str, tmp_path: Path) -> None:
    _two_letters()
    first = run("letters", "batch", "--company", "ACQ", "--date", "2026-03-02", "--out", str(tmp_path / "a"), "--json")
    assert first.code == 0, first.err
    summary = json.loads(first.out)
    assert summary["letters"] == 2 and summary["registered"] == 1 and summary["zip"] is None
    assert summary["batch_id"].startswith("ACQ-20260302-")
    second = run("letters", "batch", "--company", "ACQ", "--date", "02/03/2026", "--out", str(tmp_path / "b"), "--zip")
    assert second.code == 0, second.err
    said = " ".join(second.out.split())
    assert summary["batch_id"] in said and "2 lettere (1 raccomandate A/R)" in said
    written = {p.name: p.read_bytes() for p in (tmp_path / "a").iterdir()}
    assert len(written) == 3  # two PDFs and the manifest
    assert all((tmp_path / "b" / name).read_bytes() == content for name, content in written.items())
    assert (tmp_path / "b" / f"{summary['batch_id']}.zip").is_file()


def test_the_batches_are_listed_open_and_closed(cli_db: str) -> None:
    _two_letters()
    assert run("letters", "batch", "--company", "ACQ", "--date", "2026-03-02").code == 0
    listed = run("letters", "batches", "--company", "ACQ", "--json")
    assert listed.code == 0, listed.err
    [batch] = json.loads(listed.out)
    assert (batch["date"], batch["status"], batch["letters"], batch["registered"]) == ("2026-03-02", "chiuso", 2, 1)
    table = run("letters", "batches", "--company", "ACQ")
    assert "02/03/2026" in table.out and "chiuso" in table.out


def test_an_outcomes_file_through_the_command_line(cli_db: str, tmp_path: Path) -> None:
    file = tmp_path / "esiti.csv"
    file.write_text(
        "Chiave azione;Esito;Data esito;Causale\n"
        "ACQ/C9/S1/1/2;consegnata;20/02/2026;\n"
        "ACQ/C9/S1/1/3;smarrita;20/02/2026;\n",
        encoding="utf-8",
    )
    result = run("letters", "outcomes", "import", str(file), "--company", "ACQ", "--json")
    assert result.code == 0, result.err
    answer = json.loads(result.out)
    assert answer["kind"] == "esiti-postali" and answer["accepted"] == 0
    assert [u["reference"] for u in answer["unmatched"]] == ["ACQ/C9/S1/1/2"]
    assert answer["rejected"] == [
        {
            "sheet": "esiti.csv",
            "row": 3,
            "column": "Esito",
            "reason": "esito sconosciuto 'smarrita' (ammessi: consegnata, in giacenza, compiuta giacenza, restituita)",
        }
    ]
    human = run("letters", "outcomes", "import", str(file), "--company", "ACQ")
    said = " ".join(human.out.split())  # as read, whatever the terminal's width
    assert "1 senza corrispondenza, 1 righe scartate" in said and "esiti.csv riga 3, Esito" in said


def test_bad_invocations_are_refused_with_their_reason(cli_db: str, tmp_path: Path) -> None:
    unknown = run("letters", "batch", "--company", "ZZZ", "--date", "2026-03-02")
    assert unknown.code == 1 and "ZZZ" in unknown.err
    bad_date = run("letters", "batch", "--company", "ACQ", "--date", "31/02/2026")
    assert bad_date.code == 2 and "--date" in bad_date.err
    missing = run("letters", "outcomes", "import", str(tmp_path / "manca.csv"), "--company", "ACQ")
    assert missing.code == 2 and "impossibile leggere" in missing.err
    broken = tmp_path / "esiti.xlsx"
    broken.write_bytes(b"PK\x03\x04 rotto")
    unreadable = run("letters", "outcomes", "import", str(broken), "--company", "ACQ")
    assert unreadable.code == 2 and "esiti.xlsx" in unreadable.out
    no_date = tmp_path / "senza-data.csv"
    no_date.write_text("Chiave azione;Esito\nACQ/C1/S1/1/2;consegnata\n", encoding="utf-8")
    refused = run("letters", "outcomes", "import", str(no_date), "--company", "ACQ")
    assert refused.code == 2 and "colonne mancanti: Data esito" in " ".join(refused.out.split())
