"""The ``posta`` adapter and the daily postal batch: each letter once in its day's batch, the
manifest listing every PDF with its hash, a batch id that depends only on the company, the date and
the letters, and a second close of the same day writing the same bytes."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from creditbox.application.notices import PostalAddress
from creditbox.application.ports import AdapterSpec, ChannelError
from creditbox.clock import FixedClock
from creditbox.infrastructure.channels.posta import PostaChannel
from creditbox.infrastructure.letters.batches import MANIFEST_COLUMNS, BatchDamaged, batch_id
from tests.letter_messages import letter, pdf_text, with_notice

DAY = date(2026, 3, 2)


def _spec(**options: str) -> AdapterSpec:
    def no_secret(name: str) -> str:
        raise AssertionError(f"the posta adapter needs no secret, asked {name}")

    return AdapterSpec(company="ACQ", channel="raccomandata", adapter="posta", options=options, secret=no_secret)


@pytest.fixture
def channel(tmp_path: Path) -> PostaChannel:
    return PostaChannel.from_spec(_spec(), FixedClock(DAY), tmp_path / "canali")


def _three_letters(channel: PostaChannel) -> None:
    channel.send(letter("ACQ/C2/S1/1/2", customer="C2", name="Giulia Bianchi", kind="raccomandata"))
    channel.send(letter("ACQ/C1/S1/1/1", customer="C1", kind="bonario"))
    channel.send(
        letter(
            "ACQ/C3/S1/1/3",
            customer="C3",
            name="Lucia Verdi",
            kind="preavviso",
            address=PostalAddress("Corso Italia 5", "20122", "Milano", "MI"),
        )
    )


def _manifest_rows(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))


def test_a_letter_goes_once_into_its_day_batch_and_the_channel_knows_it(channel: PostaChannel, tmp_path: Path) -> None:
    message = letter()
    assert channel.status(message.action_key) == "unknown"
    first = channel.send(message)
    again = channel.send(message)
    assert not first.duplicate and again.duplicate
    day = tmp_path / "canali" / "ACQ" / "posta" / "2026-03-02"
    assert sorted(p.name for p in day.iterdir() if not p.name.startswith(".")) == [
        "ACQ%2FC1%2FS1%2F1%2F2.json",
        "ACQ%2FC1%2FS1%2F1%2F2.pdf",
    ]
    assert channel.status(message.action_key) == "sent"
    assert "Mario Rossi" in pdf_text((day / "ACQ%2FC1%2FS1%2F1%2F2.pdf").read_bytes())


def test_closing_writes_every_pdf_and_a_manifest_with_their_hashes(channel: PostaChannel, tmp_path: Path) -> None:
    _three_letters(channel)
    out = tmp_path / "per-il-postalizzatore"
    batch = channel.batches.close("ACQ", DAY, out, with_zip=True)
    rows = _manifest_rows(batch.manifest)
    assert tuple(rows[0]) == MANIFEST_COLUMNS
    # ordinary letters first, then the registered ones by postcode
    assert [(r["Progressivo"], r["Chiave azione"], r["Tipo"]) for r in rows] == [
        ("1", "ACQ/C1/S1/1/1", "ordinaria"),
        ("2", "ACQ/C2/S1/1/2", "raccomandata A/R"),
        ("3", "ACQ/C3/S1/1/3", "raccomandata A/R"),
    ]
    assert rows[2]["Lettera"] == "Preavviso di sospensione"
    assert (rows[2]["Nominativo"], rows[2]["Indirizzo"], rows[2]["CAP"], rows[2]["Comune"], rows[2]["Provincia"]) == (
        "Lucia Verdi",
        "Corso Italia 5",
        "20122",
        "Milano",
        "MI",
    )
    pdfs = sorted(p.name for p in out.glob("*.pdf"))
    assert pdfs == sorted(r["File PDF"] for r in rows) and len(pdfs) == 3
    for row in rows:
        content = (out / row["File PDF"]).read_bytes()
        assert row["Lotto"] == batch.batch_id
        assert hashlib.sha256(content).hexdigest() == row["SHA-256"]
        assert row["Chiave azione"] in pdf_text(content) and row["Nominativo"] in pdf_text(content)
        assert int(row["Pagine"]) >= 1
    with zipfile.ZipFile(batch.zip or "") as archive:
        assert sorted(archive.namelist()) == sorted([*pdfs, batch.manifest.name])
        assert archive.read(batch.manifest.name) == batch.manifest.read_bytes()


def test_a_second_close_of_the_same_day_writes_the_same_bytes(channel: PostaChannel, tmp_path: Path) -> None:
    _three_letters(channel)
    first = channel.batches.close("ACQ", DAY, tmp_path / "uno", with_zip=True)
    second = channel.batches.close("ACQ", DAY, tmp_path / "due", with_zip=True)
    assert first.batch_id == second.batch_id

    def files(folder: Path) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in folder.iterdir()}

    assert files(tmp_path / "uno") == files(tmp_path / "due") and len(files(tmp_path / "uno")) == 5


def test_the_batch_id_depends_on_the_company_the_date_and_the_letters_only() -> None:
    keys = ["ACQ/C2/S1/1/2", "ACQ/C1/S1/1/1"]
    assert batch_id("ACQ", DAY, keys) == batch_id("ACQ", DAY, list(reversed(keys)))
    assert batch_id("ACQ", DAY, keys).startswith("ACQ-20260302-")
    assert batch_id("ACQ", DAY, keys) != batch_id("ACQ", DAY, keys[:1])
    assert batch_id("ACQ", DAY, keys) != batch_id("ACQ", date(2026, 3, 3), keys)
    assert batch_id("ACQ", DAY, keys) != batch_id("GAS", DAY, keys)


def test_a_letter_sent_after_its_day_was_closed_goes_into_the_next_open_batch(tmp_path: Path) -> None:
    clock = FixedClock(date(2026, 3, 4))
    channel = PostaChannel(tmp_path, clock)
    channel.send(letter("ACQ/C1/S1/1/2"))
    closed = channel.batches.close("ACQ", DAY)
    late = letter("ACQ/C2/S1/1/2", customer="C2")  # decided on the 2nd, sent (retried) on the 4th
    channel.send(late)
    assert channel.batches.close("ACQ", DAY) == closed  # the closed batch did not change
    assert [x.action_key for x in channel.batches.letters("ACQ", date(2026, 3, 4))] == ["ACQ/C2/S1/1/2"]
    assert channel.status("ACQ/C2/S1/1/2") == "sent"
    assert channel.send(late).duplicate  # and it is found there when sent again
    listed = [(b.day, b.closed, b.letters) for b in channel.batches.batches("ACQ")]
    assert listed == [(date(2026, 3, 4), False, 1), (DAY, True, 1)]


def test_a_letter_left_half_written_by_a_crash_is_written_whole_on_retry(channel: PostaChannel) -> None:
    message = letter()
    day = channel.batches.day_folder("ACQ", DAY)
    day.mkdir(parents=True)
    (day / "ACQ%2FC1%2FS1%2F1%2F2.pdf").write_bytes(b"%PDF-1.4 troncato")  # the crash: PDF without its .json
    assert channel.status(message.action_key) == "unknown"
    assert not channel.send(message).duplicate
    batch = channel.batches.close("ACQ", DAY)
    [row] = _manifest_rows(batch.manifest)
    assert row["SHA-256"] == hashlib.sha256((batch.folder / row["File PDF"]).read_bytes()).hexdigest()
    assert "Mario Rossi" in pdf_text((batch.folder / row["File PDF"]).read_bytes())


def test_a_pdf_changed_on_disk_stops_the_close(channel: PostaChannel) -> None:
    channel.send(letter())
    (channel.batches.day_folder("ACQ", DAY) / "ACQ%2FC1%2FS1%2F1%2F2.pdf").write_bytes(b"%PDF altro")
    with pytest.raises(BatchDamaged, match="alterato"):
        channel.batches.close("ACQ", DAY)


def test_a_message_that_cannot_be_a_letter_is_refused_as_a_channel_error(channel: PostaChannel) -> None:
    with pytest.raises(ChannelError, match="non porta i dati"):
        channel.send(replace(letter(), notice=None))
    with pytest.raises(ChannelError, match="non è una lettera"):
        channel.send(replace(with_notice(letter(), action_code="1"), channel="sms"))
    with pytest.raises(ChannelError, match="indirizzo postale"):
        channel.send(with_notice(letter(), address=None))
    assert channel.batches.batches("ACQ") == []  # nothing written: the outbox retries, then records the failure


def test_the_batches_can_live_in_another_folder(tmp_path: Path) -> None:
    channel = PostaChannel.from_spec(_spec(cartella=str(tmp_path / "stampa")), FixedClock(DAY), tmp_path / "canali")
    channel.send(letter())
    assert (tmp_path / "stampa" / "ACQ" / "posta" / "2026-03-02").is_dir()
    assert not (tmp_path / "canali").exists()
