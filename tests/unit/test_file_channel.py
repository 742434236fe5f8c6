"""The file channel: one file per message, named by its action key (reversibly), written once."""

from __future__ import annotations

import os
import signal
import time
from datetime import date
from pathlib import Path

import pytest

from creditbox.application.ports import CHANNEL_SENT, CHANNEL_UNKNOWN, ChannelError, ChannelMessage, Receipt
from creditbox.clock import FixedClock
from creditbox.infrastructure.channels.files import FileChannel, action_key_of, file_name


def _message(key: str = "ACQ/C0001/S1/1/2", text: str = "Gentile cliente") -> ChannelMessage:
    return ChannelMessage(key, "ACQ", "sms", "3331234567", "Sollecito", text)


def test_a_file_name_carries_its_action_key_reversibly_without_separators() -> None:
    for key in ("ACQ/C0001/S1/1/2", "ACQ/../x/1/riattivazione", ".hidden/a b/è/1", "ACQ/C%2F1/S/1/1"):
        name = file_name(key)
        assert "/" not in name and not name.startswith(".")
        assert action_key_of(name) == key
    assert file_name("ACQ/C1/S1/1/2") != file_name("ACQ/C1/S1/1/3")


def test_a_message_is_written_once_and_its_status_answers_from_the_files(tmp_path: Path) -> None:
    channel = FileChannel(tmp_path, FixedClock(date(2026, 3, 2)))
    assert channel.status("ACQ/C0001/S1/1/2") == CHANNEL_UNKNOWN
    first = channel.send(_message())
    assert not first.duplicate
    path = tmp_path / "ACQ" / "sms" / "ACQ%2FC0001%2FS1%2F1%2F2.json"
    assert Path(first.reference) == path and "Gentile cliente" in path.read_text("utf-8")
    again = channel.send(_message(text="altro testo"))
    assert again.duplicate and "Gentile cliente" in path.read_text("utf-8")  # nothing new written
    assert channel.status("ACQ/C0001/S1/1/2") == CHANNEL_SENT
    assert channel.messages("ACQ", "sms") == ["ACQ/C0001/S1/1/2"]
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left behind


def test_a_key_too_long_for_a_file_name_is_named_by_its_digest(tmp_path: Path) -> None:
    # 64 non-ASCII characters escape to 576 bytes: more than a file system takes in one name.
    key = "ACQ/" + "à" * 64 + "/S1/1/2"
    channel = FileChannel(tmp_path, FixedClock(date(2026, 3, 2)))
    receipt = channel.send(_message(key))
    name = Path(receipt.reference).name
    assert len(name.encode("utf-8")) <= 255 and name.startswith("#")
    assert channel.status(key) == CHANNEL_SENT
    assert channel.messages("ACQ", "sms") == [key]
    assert channel.send(_message(key, text="altro")).duplicate
    assert file_name(key) != file_name(key + "x")


def test_a_chunk_is_answered_message_by_message_each_file_written_once(tmp_path: Path) -> None:
    channel = FileChannel(tmp_path, FixedClock(date(2026, 3, 2)))
    channel.send(_message("ACQ/C0002/S1/1/1", text="già inviato"))
    other = ChannelMessage("ACQ/C0003/S1/1/1", "ACQ", "email", "c3@example.it", "Sollecito", "Gentile cliente 3")
    chunk = [_message("ACQ/C0001/S1/1/1"), _message("ACQ/C0002/S1/1/1"), other, _message("ACQ/C0001/S1/1/1")]
    answers = channel.send_many(chunk)
    assert [isinstance(a, Receipt) for a in answers] == [True, True, True, True]
    assert [a.duplicate for a in answers if isinstance(a, Receipt)] == [False, True, False, True]
    assert channel.messages("ACQ", "sms") == ["ACQ/C0001/S1/1/1", "ACQ/C0002/S1/1/1"]
    assert channel.messages("ACQ", "email") == ["ACQ/C0003/S1/1/1"]
    sms = tmp_path / "ACQ" / "sms"
    assert "già inviato" in (sms / file_name("ACQ/C0002/S1/1/1")).read_text("utf-8")  # left as it was
    assert sorted(p.name for p in sms.iterdir()) == sorted(file_name(k) for k in channel.messages("ACQ", "sms"))


def test_a_message_whose_folder_cannot_be_written_fails_alone_in_its_chunk(tmp_path: Path) -> None:
    channel = FileChannel(tmp_path, FixedClock(date(2026, 3, 2)))
    (tmp_path / "ACQ").mkdir()
    (tmp_path / "ACQ" / "pec").write_text("un file, non una cartella")  # the pec folder cannot be made
    pec = ChannelMessage("ACQ/C0009/S1/1/1", "ACQ", "pec", "c9@pec.it", "Sollecito", "Gentile cliente 9")
    answers = channel.send_many([_message("ACQ/C0001/S1/1/1"), pec, _message("ACQ/C0002/S1/1/1")])
    assert isinstance(answers[0], Receipt) and isinstance(answers[2], Receipt)
    assert isinstance(answers[1], ChannelError)
    assert channel.messages("ACQ", "sms") == ["ACQ/C0001/S1/1/1", "ACQ/C0002/S1/1/1"]
    assert channel.status("ACQ/C0009/S1/1/1") == CHANNEL_UNKNOWN


def test_a_child_made_by_fork_after_a_chunk_sends_its_own_chunks(tmp_path: Path) -> None:
    channel = FileChannel(tmp_path, FixedClock(date(2026, 3, 2)))
    channel.send_many([_message("ACQ/C0001/S1/1/1"), _message("ACQ/C0002/S1/1/1")])  # the parent's sync threads
    child = os.fork()
    if child == 0:  # the child: a chunk of its own, then out without running the parent's clean-up
        answers = channel.send_many([_message("ACQ/C0003/S1/1/1"), _message("ACQ/C0004/S1/1/1")])
        os._exit(0 if all(isinstance(a, Receipt) and not a.duplicate for a in answers) else 1)
    deadline = time.monotonic() + 30
    pid, status = os.waitpid(child, os.WNOHANG)
    while pid == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
        pid, status = os.waitpid(child, os.WNOHANG)
    if pid == 0:  # waiting for sync threads that were never there
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
        pytest.fail("the child's chunk never finished")
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    assert channel.messages("ACQ", "sms") == [f"ACQ/C000{n}/S1/1/1" for n in range(1, 5)]
