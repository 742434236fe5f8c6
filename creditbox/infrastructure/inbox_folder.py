"""The inbox on the local file system (or a mounted share): ``<root>/<company>/`` folders, and in
each the company's profile folders ``<root>/<company>/<profile>/`` (folders are given relative to
the root with ``/``: ``ACQ``, ``ACQ/nord``).

- Files are listed oldest first (modification time, then name). Hidden and temporary names are
  never listed: ``.*`` (also LibreOffice's ``.~lock.*#``), ``~$*`` (Excel's owner files),
  ``*.tmp``, ``*.part``, ``*.crdownload``. A file modified less than ``min_age`` seconds ago is
  listed as not settled (still being copied); one whose size or time changed while it was read
  is left for the next pass too.
- Filing away: the reports are written first (each through a hidden temporary name, then renamed),
  then the file is renamed into ``done/`` or ``failed/``; if anything fails, the reports already
  written are removed and the file stays where it was. A name already taken there (by a file or a
  report) gets a timestamp suffix, then a sequence: ``gennaio.20260302-091500.xlsx``,
  ``gennaio.20260302-091500-2.xlsx``.
- A pass holds an exclusive ``flock`` on ``<root>/.creditbox-inbox.lock``, so two timers on the
  same root never import the same file at the same time.
- Symbolic links are never followed below the root (the root itself may be one). Every folder
  is opened component by component from the root with ``O_NOFOLLOW``, files are read through
  ``O_NOFOLLOW | O_NONBLOCK`` and must be regular files, reports are created with ``O_EXCL |
  O_NOFOLLOW`` relative to the folder they go in: nothing is read or written outside the
  company's folder. A link in a company or profile folder (to a file, or a folder) is listed as
  a link, never read: the inbox moves the link itself into ``failed/``. A link at the root is
  reported (``links``) and never entered; a ``done/`` or ``failed/`` that is a link is never
  written through (filing fails, the file stays).
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path

from creditbox.application.ports import InboxEntry, InboxUnavailable

DEFAULT_MIN_AGE = 5.0
LOCK_NAME = ".creditbox-inbox.lock"
TEMPORARY_PREFIXES = (".", "~$")
TEMPORARY_SUFFIXES = (".tmp", ".part", ".crdownload")
MAX_SEQUENCE = 10_000
_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


class LinkRefused(OSError):
    """A path below the root goes through a symbolic link (or is not a folder where one is due)."""


def is_temporary(name: str) -> bool:
    return name.startswith(TEMPORARY_PREFIXES) or name.lower().endswith(TEMPORARY_SUFFIXES)


class LocalInboxFolder:
    def __init__(
        self, root: str | Path, *, min_age: float = DEFAULT_MIN_AGE, now: Callable[[], float] = time.time
    ) -> None:
        self._root = Path(root)
        self._min_age = min_age
        self._now = now

    @property
    def root(self) -> str:
        return str(self._root)

    @contextmanager
    def exclusive(self) -> Iterator[bool]:
        self._check_root()
        flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
        descriptor = os.open(self._root / LOCK_NAME, flags, 0o600)
        with os.fdopen(descriptor, "r+b") as lock:
            try:
                fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)

    def company_folders(self) -> list[str]:
        self._check_root()
        return self.subfolders("")

    def links(self) -> list[str]:
        """The symbolic links directly in the root (never entered), sorted."""
        self._check_root()
        with self._directory("") as fd:
            return sorted(e.name for e in os.scandir(fd) if e.is_symlink() and not e.name.startswith("."))

    def subfolders(self, folder: str) -> list[str]:
        with self._directory(folder) as fd:
            return sorted(
                e.name for e in os.scandir(fd) if e.is_dir(follow_symlinks=False) and not e.name.startswith(".")
            )

    def entries(self, folder: str) -> list[InboxEntry]:
        now = self._now()
        found: list[InboxEntry] = []
        with self._directory(folder) as fd:
            for item in os.scandir(fd):
                if is_temporary(item.name):
                    continue
                if item.is_symlink():
                    found.append(InboxEntry(folder, item.name, 0, 0.0, True, link=True))
                    continue
                if not item.is_file(follow_symlinks=False):
                    continue
                status = item.stat(follow_symlinks=False)
                settled = now - status.st_mtime >= self._min_age
                found.append(InboxEntry(folder, item.name, status.st_size, status.st_mtime, settled))
        return sorted(found, key=lambda e: (e.modified, e.name))

    def read(self, entry: InboxEntry) -> bytes | None:
        if entry.link:
            raise LinkRefused(errno.ELOOP, "collegamento simbolico: non letto", entry.name)
        with self._directory(entry.folder) as folder:
            flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
            descriptor = os.open(entry.name, flags, dir_fd=folder)
        with os.fdopen(descriptor, "rb") as file:
            before = os.fstat(file.fileno())
            if not stat.S_ISREG(before.st_mode):
                raise LinkRefused(errno.EINVAL, "non è un file regolare: non letto", entry.name)
            content = file.read()
            after = os.fstat(file.fileno())
        if len(content) != entry.size or after.st_size != entry.size or after.st_mtime != entry.modified:
            return None
        return content

    def file_away(self, entry: InboxEntry, outcome: str, reports: Mapping[str, bytes], at: datetime) -> list[str]:
        with self._directory(entry.folder) as folder:
            with suppress(FileExistsError):
                os.mkdir(outcome, 0o750, dir_fd=folder)
            with self._directory(f"{entry.folder}/{outcome}") as target:
                extension = Path(entry.name).suffix
                stem = _free_stem(target, entry.name[: len(entry.name) - len(extension)], extension, reports, at)
                written: list[str] = []
                try:
                    for suffix, data in reports.items():
                        _write_atomically(target, f"{stem}{suffix}", data)
                        written.append(f"{stem}{suffix}")
                    # Renames the entry itself: a link is moved as a link, never followed.
                    os.rename(entry.name, f"{stem}{extension}", src_dir_fd=folder, dst_dir_fd=target)
                except BaseException:
                    for name in written:
                        _unlink(target, name)
                    raise
        where = f"{entry.folder}/{outcome}"
        return [f"{where}/{name}" for name in (f"{stem}{extension}", *written)]

    @contextmanager
    def _directory(self, folder: str) -> Iterator[int]:
        """A descriptor of ``folder`` (relative to the root, ``/``-separated; "" for the root),
        opened one component at a time without following any link."""
        descriptor = os.open(self._root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            for part in [p for p in folder.split("/") if p]:
                if part in (".", ".."):
                    raise LinkRefused(errno.EINVAL, "percorso non ammesso", folder)
                try:
                    child = os.open(part, _DIRECTORY, dir_fd=descriptor)
                except OSError as error:
                    if error.errno in (errno.ELOOP, errno.ENOTDIR):
                        raise LinkRefused(
                            error.errno, "collegamento simbolico o non una cartella: non seguito", folder
                        ) from None
                    raise
                os.close(descriptor)
                descriptor = child
            yield descriptor
        finally:
            os.close(descriptor)

    def _check_root(self) -> None:
        if not self._root.is_dir():
            raise InboxUnavailable(
                f"cartella della inbox {self.root!r} inesistente (crearla, o impostare CREDITBOX_INBOX_DIR)"
            )


def _exists(folder: int, name: str) -> bool:
    try:
        os.lstat(name, dir_fd=folder)
    except FileNotFoundError:
        return False
    return True


def _unlink(folder: int, name: str) -> None:
    with suppress(FileNotFoundError):
        os.unlink(name, dir_fd=folder)


def _free_stem(target_dir: int, stem: str, extension: str, reports: Mapping[str, bytes], at: datetime) -> str:
    """The first name under which neither the file nor any of its reports exists yet."""

    def free(candidate: str) -> bool:
        names = (f"{candidate}{extension}", *(f"{candidate}{suffix}" for suffix in reports))
        return not any(_exists(target_dir, name) for name in names)

    if free(stem):
        return stem
    stamped = f"{stem}.{at:%Y%m%d-%H%M%S}"
    if free(stamped):
        return stamped
    for sequence in range(2, MAX_SEQUENCE):
        if free(candidate := f"{stamped}-{sequence}"):
            return candidate
    raise FileExistsError(f"nessun nome libero per {stem}{extension}")


def _write_atomically(folder: int, name: str, data: bytes) -> None:
    """Write ``name`` in ``folder`` through a hidden temporary name, never through a link."""
    temporary = f".{name}.tmp"
    _unlink(folder, temporary)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        with os.fdopen(os.open(temporary, flags, 0o640, dir_fd=folder), "wb") as file:
            file.write(data)
        os.replace(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
    finally:
        _unlink(folder, temporary)
