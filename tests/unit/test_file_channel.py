"""The file channel: one file per message, named by its action key (reversibly), written once."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from creditbox.application.ports import CHANNEL_SENT, CHANNEL_UNKNOWN, ChannelMessage
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
