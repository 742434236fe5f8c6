"""The file channel: each message one file under ``<root>/<COMPANY>/<channel>/``.

The default channel of the embedded mode, the demo and the tests; in production the folders can be
picked up by whatever carries the messages out (a print shop, an SMS gateway's upload). A message's
file name is its action key made file-safe and reversible (:func:`file_name`, :func:`action_key_of`;
a key too long for a file name is named by its SHA-256 digest, the key being in the file):
``ACQ/C0001/S1/1/2`` → ``ACQ%2FC0001%2FS1%2F1%2F2.json``. It is written atomically (a temporary file in
the same folder, flushed and synced, then linked into place: an atomic rename that never replaces a
file already there), so a reader never sees half a message and a crash
leaves at most a temporary file, never a partial message. Sending the same key again writes nothing
(the receipt says ``duplicate``); :meth:`FileChannel.status` answers from the files.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path
from urllib.parse import quote, unquote

from creditbox.application.ports import CHANNEL_SENT, CHANNEL_UNKNOWN, ChannelError, ChannelMessage, Receipt
from creditbox.clock import Clock

SUFFIX = ".json"
SAFE = "-_.@+=,"  # kept as they are in a file name; everything else (``/`` above all) is %-escaped


# File systems allow 255 bytes a name; a key escaped longer than this (long or non-ASCII customer
# codes: every byte of a non-ASCII character takes three) is named by its digest instead.
MAX_NAME_BYTES = 200
DIGEST_MARK = "#"  # never the first character of an escaped key (``quote`` escapes it)


def file_name(action_key: str) -> str:
    """The action key as a file name: no separators, never hidden, at most ``MAX_NAME_BYTES``;
    reversible (:func:`action_key_of`) unless it is named by its digest (the key is in the file)."""
    name = quote(action_key, safe=SAFE)
    if name.startswith("."):
        name = "%2E" + name[1:]
    if len(name) + len(SUFFIX) > MAX_NAME_BYTES:
        name = DIGEST_MARK + hashlib.sha256(action_key.encode("utf-8")).hexdigest()
    return name + SUFFIX


def action_key_of(name: str) -> str:
    """The action key a file name was made from (not for a name made from a digest: read the file)."""
    if not name.endswith(SUFFIX) or name.startswith(DIGEST_MARK):
        raise ValueError(f"non è il nome di un messaggio con la sua chiave: {name!r}")
    return unquote(name[: -len(SUFFIX)])


def _key_in(path: Path) -> str:
    if path.name.startswith(DIGEST_MARK):
        return str(json.loads(path.read_text("utf-8"))["action_key"])
    return action_key_of(path.name)


def folder_name(text: str) -> str:
    """A company code or channel name as one folder name."""
    name = quote(text, safe=SAFE)
    return "%2E" + name[1:] if name.startswith(".") else name


class FileChannel:
    def __init__(self, root: str | os.PathLike[str], clock: Clock) -> None:
        self._root = Path(root)
        self._clock = clock

    @property
    def root(self) -> Path:
        return self._root

    def path_of(self, message: ChannelMessage) -> Path:
        return self._root / folder_name(message.company) / folder_name(message.channel) / file_name(message.action_key)

    def send(self, message: ChannelMessage) -> Receipt:
        target = self.path_of(message)
        if target.exists():
            return Receipt(str(target), duplicate=True)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            body = {
                "action_key": message.action_key,
                "company": message.company,
                "channel": message.channel,
                "recipient": message.recipient,
                "subject": message.subject,
                "text": message.text,
                "written_at": self._clock.now().isoformat(),
            }
            data = json.dumps(body, ensure_ascii=False, indent=2).encode("utf-8")
            handle, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=".part", dir=target.parent)
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(data)
                    out.flush()
                    os.fsync(out.fileno())
                # link, not rename: if another worker wrote the same key meanwhile, its file stays
                try:
                    os.link(temporary, target)
                except FileExistsError:
                    return Receipt(str(target), duplicate=True)
            finally:
                os.unlink(temporary)
        except OSError as error:
            raise ChannelError(f"cartella dei messaggi non scrivibile: {error}") from error
        _sync_folder(target.parent)
        return Receipt(str(target))

    def status(self, action_key: str) -> str:
        company = action_key.split("/", 1)[0]
        folder = self._root / folder_name(company)
        name = file_name(action_key)
        if folder.is_dir() and any((channel / name).is_file() for channel in folder.iterdir() if channel.is_dir()):
            return CHANNEL_SENT
        return CHANNEL_UNKNOWN

    def messages(self, company: str, channel: str) -> list[str]:
        """The action keys of the messages in a company's channel folder, sorted."""
        folder = self._root / folder_name(company) / folder_name(channel)
        if not folder.is_dir():
            return []
        return sorted(_key_in(p) for p in folder.iterdir() if p.name.endswith(SUFFIX))


def _sync_folder(folder: Path) -> None:
    """Make the new name durable (the folder's entry), where the platform allows it."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):  # some file systems cannot sync a folder: the file itself is synced
            os.fsync(descriptor)
    finally:
        os.close(descriptor)
