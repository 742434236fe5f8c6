"""The file channel: each message one file under ``<root>/<COMPANY>/<channel>/``.

The default channel of the embedded mode, the demo and the tests; in production the folders can be
picked up by whatever carries the messages out (a print shop, an SMS gateway's upload). A message's
file name is its action key made file-safe and reversible (:func:`file_name`, :func:`action_key_of`;
a key too long for a file name is named by its SHA-256 digest, the key being in the file):
``ACQ/C0001/S1/1/2`` → ``ACQ%2FC0001%2FS1%2F1%2F2.json``. It is written atomically (an unnamed file in
the same folder — Linux's ``O_TMPFILE``; elsewhere a temporary ``.tmp-*.part`` file —, flushed and
synced, then linked into place: an atomic rename that never replaces a file already there), so a
reader never sees half a message and a crash leaves at most a temporary file, never a partial message.
Sending the same key again writes nothing (the receipt says ``duplicate``); :meth:`FileChannel.status`
answers from the files.

A chunk of messages (:meth:`FileChannel.send_many`, the outbox's ``send_actions``) is written the same
way with the syncs grouped: every temporary file written first, then all synced by a few threads at
once (the file system commits their syncs together), then each linked into place, then each folder
synced once for the chunk instead of once per message.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import tempfile
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
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
        result = self.send_many([message])[0]
        if isinstance(result, Exception):
            raise result
        return result

    def send_many(self, messages: Sequence[ChannelMessage]) -> list[Receipt | Exception]:
        """Each message written as :meth:`send` writes it, the chunk's syncs done together: every
        temporary file written, then each synced and linked into place, then each folder synced
        once — all before returning, so a message answered with a receipt is on disk, name and
        content. A message whose folder cannot be written is answered with its ``ChannelError``."""
        results: list[Receipt | Exception | None] = [None] * len(messages)
        staged: list[tuple[int, Path, str, int]] = []  # index, target, temporary, open descriptor
        folders: dict[Path, None] = {}
        opened: dict[Path, int] = {}  # the folders opened to link unnamed files into
        try:
            for index, message in enumerate(messages):
                target = self.path_of(message)
                if target.exists():
                    results[index] = Receipt(str(target), duplicate=True)
                    continue
                try:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    handle, temporary = _unnamed_file(target.parent)
                except OSError as error:
                    results[index] = _unwritable(error)
                    continue
                staged.append((index, target, temporary, handle))
                try:
                    _write_all(handle, self._body(message))
                except OSError as error:
                    results[index] = _unwritable(error)
            synced = _sync_all([handle for index, _t, _p, handle in staged if results[index] is None])
            for index, target, temporary, handle in staged:
                if results[index] is not None:
                    continue
                try:
                    failure = synced[handle]
                    if failure is not None:
                        raise failure
                    # link, not rename: if another worker wrote the same key meanwhile, its file stays
                    _link(temporary, target, opened)
                except FileExistsError:
                    results[index] = Receipt(str(target), duplicate=True)
                except OSError as error:
                    results[index] = _unwritable(error)
                else:
                    results[index] = Receipt(str(target))
                    folders[target.parent] = None
        finally:
            for descriptor in opened.values():
                os.close(descriptor)
            for _index, _target, temporary, handle in staged:
                os.close(handle)
                if not temporary.startswith(_OPEN_FILES):  # an unnamed file is gone with its descriptor
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(temporary)
        for folder in folders:
            _sync_folder(folder)
        return [r if r is not None else ChannelError("messaggio non scritto") for r in results]

    def _body(self, message: ChannelMessage) -> bytes:
        body = {
            "action_key": message.action_key,
            "company": message.company,
            "channel": message.channel,
            "recipient": message.recipient,
            "subject": message.subject,
            "text": message.text,
            "written_at": self._clock.now().isoformat(),
        }
        return json.dumps(body, ensure_ascii=False, indent=2).encode("utf-8")

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


def _unwritable(error: OSError) -> ChannelError:
    return ChannelError(f"cartella dei messaggi non scrivibile: {error}")


# The files of a chunk are synced by a few threads at once: the file system then commits their syncs
# together (one journal commit for many files) instead of one after the other.
SYNC_THREADS = 8
_sync_pool: ThreadPoolExecutor | None = None
_sync_pool_lock = threading.Lock()


def _sync_all(descriptors: list[int]) -> dict[int, OSError | None]:
    """Each descriptor synced (``os.fsync``); the error of each one that could not be, None otherwise."""
    global _sync_pool
    if len(descriptors) < 2:
        return {d: _sync_one(d) for d in descriptors}
    with _sync_pool_lock:
        if _sync_pool is None:
            _sync_pool = ThreadPoolExecutor(max_workers=SYNC_THREADS, thread_name_prefix="file-channel-sync")
        pool = _sync_pool
    return dict(zip(descriptors, pool.map(_sync_one, descriptors), strict=True))


def _forget_sync_pool() -> None:
    """In a child process made by ``fork``: the parent's threads are not there, nor is its pool."""
    global _sync_pool
    _sync_pool = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_sync_pool)


# Where the process's open files can be named, to link an unnamed file into place (Linux).
_OPEN_FILES = "/proc/self/fd/"
_unnamed_supported = hasattr(os, "O_TMPFILE") and os.path.isdir(_OPEN_FILES)


def _unnamed_file(folder: Path) -> tuple[int, str]:
    """A new file in ``folder``, open for writing, and a path to link it into place from.

    Where the platform allows it (Linux: ``O_TMPFILE``), the file has no name until it is linked: no
    temporary name is created and removed in the folder for each message (two changes of the folder
    each, which under the other workers' syncs cost a few milliseconds apiece), and nothing is left
    behind by a crash. Elsewhere, a temporary file (``.tmp-*.part``) in the folder, removed after."""
    global _unnamed_supported
    if _unnamed_supported:
        try:
            handle = os.open(folder, os.O_TMPFILE | os.O_WRONLY, 0o600)
        except OSError as error:
            if error.errno not in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL):
                raise
            _unnamed_supported = False  # the file system cannot: temporary names from now on
        else:
            return handle, f"{_OPEN_FILES}{handle}"
    return tempfile.mkstemp(prefix=".tmp-", suffix=".part", dir=folder)


def _link(temporary: str, target: Path, opened: dict[Path, int]) -> None:
    """``temporary`` linked as ``target``; an unnamed file through ``linkat`` following the link that
    names its descriptor (``os.link`` does so only when given a folder's descriptor)."""
    if not temporary.startswith(_OPEN_FILES):
        os.link(temporary, target)
        return
    folder = opened.get(target.parent)
    if folder is None:
        folder = opened[target.parent] = os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY)
    os.link(temporary, target.name, dst_dir_fd=folder, follow_symlinks=True)


def _sync_one(descriptor: int) -> OSError | None:
    try:
        os.fsync(descriptor)
    except OSError as error:
        return error
    return None


def _write_all(descriptor: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(descriptor, view)
        view = view[written:]


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
