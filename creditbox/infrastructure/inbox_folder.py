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
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from creditbox.application.inbox_ports import InboxEntry, InboxUnavailable

DEFAULT_MIN_AGE = 5.0
LOCK_NAME = ".creditbox-inbox.lock"
TEMPORARY_PREFIXES = (".", "~$")
TEMPORARY_SUFFIXES = (".tmp", ".part", ".crdownload")
MAX_SEQUENCE = 10_000


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
        with open(self._root / LOCK_NAME, "a+b") as lock:
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
        return _folders(self._root)

    def subfolders(self, folder: str) -> list[str]:
        return _folders(self._root / folder)

    def entries(self, folder: str) -> list[InboxEntry]:
        now = self._now()
        found: list[InboxEntry] = []
        for item in os.scandir(self._root / folder):
            if is_temporary(item.name) or not item.is_file():
                continue
            stat = item.stat()
            settled = now - stat.st_mtime >= self._min_age
            found.append(InboxEntry(folder, item.name, stat.st_size, stat.st_mtime, settled))
        return sorted(found, key=lambda e: (e.modified, e.name))

    def read(self, entry: InboxEntry) -> bytes | None:
        path = self._root / entry.folder / entry.name
        content = path.read_bytes()
        stat = path.stat()
        if len(content) != entry.size or stat.st_size != entry.size or stat.st_mtime != entry.modified:
            return None
        return content

    def file_away(self, entry: InboxEntry, outcome: str, reports: Mapping[str, bytes], at: datetime) -> list[str]:
        source = self._root / entry.folder / entry.name
        target_dir = self._root / entry.folder / outcome
        target_dir.mkdir(exist_ok=True)
        extension = Path(entry.name).suffix
        stem = _free_stem(target_dir, entry.name[: len(entry.name) - len(extension)], extension, reports, at)
        written: list[Path] = []
        try:
            for suffix, data in reports.items():
                path = target_dir / f"{stem}{suffix}"
                _write_atomically(path, data)
                written.append(path)
            target = target_dir / f"{stem}{extension}"
            os.rename(source, target)
        except BaseException:
            for path in written:
                path.unlink(missing_ok=True)
            raise
        return [self._relative(p) for p in (target, *written)]

    def _relative(self, path: Path) -> str:
        return path.relative_to(self._root).as_posix()

    def _check_root(self) -> None:
        if not self._root.is_dir():
            raise InboxUnavailable(
                f"cartella della inbox {self.root!r} inesistente (crearla, o impostare CREDITBOX_INBOX_DIR)"
            )


def _folders(path: Path) -> list[str]:
    return sorted(e.name for e in os.scandir(path) if e.is_dir() and not e.name.startswith("."))


def _free_stem(target_dir: Path, stem: str, extension: str, reports: Mapping[str, bytes], at: datetime) -> str:
    """The first name under which neither the file nor any of its reports exists yet."""

    def free(candidate: str) -> bool:
        names = (f"{candidate}{extension}", *(f"{candidate}{suffix}" for suffix in reports))
        return not any((target_dir / name).exists() for name in names)

    if free(stem):
        return stem
    stamped = f"{stem}.{at:%Y%m%d-%H%M%S}"
    if free(stamped):
        return stamped
    for sequence in range(2, MAX_SEQUENCE):
        if free(candidate := f"{stamped}-{sequence}"):
            return candidate
    raise FileExistsError(f"nessun nome libero per {stem}{extension} in {target_dir}")


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
