"""The poller's own rules, at its port (the IMAP side is tested against a real server in
``tests/integration/test_receipt_polling.py``): a message whose import fails is left unmarked for the next
poll and asked for no more in this one, the others go on; a message that is no receipt is marked
*scartato*; batches follow one another until nothing is new."""

from __future__ import annotations

from creditbox.application.inbound import InboundFiles, InboundResult
from creditbox.application.receipt_polling import IMPORTED, REJECTED, MailItem, ReceiptPolling
from creditbox.application.records import Rejection


class Importer:
    kind = "ricevute"
    label = "Ricevute PEC"

    def import_file(self, company: str, filename: str, content: bytes, *, by: str) -> InboundResult:
        result = InboundResult(self.kind, filename, company)
        if content == b"guasto":
            raise OSError("disco pieno")
        if content == b"pubblicita":
            result.rejected.append(Rejection(filename, 1, None, "daticert.xml assente"))
        else:
            result.accepted = 1
        return result


class Folder:
    """A mailbox folder in memory: what the poller sees of IMAP."""

    def __init__(self, contents: list[bytes]) -> None:
        self.messages = {str(uid): content for uid, content in enumerate(contents, start=1)}
        self.marks: dict[str, str] = {}
        self.asked: list[int] = []

    def new_messages(self, limit: int) -> list[MailItem]:
        self.asked.append(limit)
        new = [MailItem(uid, c) for uid, c in self.messages.items() if uid not in self.marks]
        return new[:limit]

    def mark(self, uid: str, outcome: str) -> None:
        self.marks[uid] = outcome


def test_a_failed_import_is_left_for_the_next_poll_and_the_others_go_on() -> None:
    folder = Folder([b"ricevuta-1", b"guasto", b"pubblicita", b"ricevuta-2", b"ricevuta-3"])
    poller = ReceiptPolling(InboundFiles([Importer()]), batch=2)

    result = poller.poll("ACQ", folder)

    assert (result.messages, result.accepted, result.rejected) == (5, 3, 1)
    assert folder.marks == {"1": IMPORTED, "3": REJECTED, "4": IMPORTED, "5": IMPORTED}
    assert result.errors == ["2: OSError: disco pieno"]
    assert poller.poll("ACQ", folder).errors == ["2: OSError: disco pieno"]  # tried again next time
    assert "2" not in folder.marks
