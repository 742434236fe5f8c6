"""The files a command writes (``--out``, ``--report``): checked before anything is read or recorded.

A folder, a path through an existing file, or the very file being imported (the same file by any
path: symbolic links, ``..``, hard links) is refused with a clear message and exit code 2 (missing
folders are created, as the writer always did); a write that
fails anyway (permissions, full disk) ends the same way instead of with a traceback.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from creditbox.cli.context import fail

REFUSED = 2


def output_file(path: Path, option: str, *, inputs: Sequence[Path] = ()) -> Path:
    """``path`` if a file can be written there without touching a folder or one of ``inputs``."""
    shown = str(path)
    if path.is_dir():
        fail(
            f"{option}: {shown!r} è una cartella: indicare il nome del file da scrivere (es. {path / 'file.xlsx'})",
            REFUSED,
        )
    blocking = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
    if blocking is not None:  # a missing folder is created when the file is written; a file in its way is not
        fail(f"{option}: {str(blocking)!r} è un file, non una cartella: impossibile scrivere {shown!r}", REFUSED)
    for source in inputs:
        if _same_file(path, source):
            fail(
                f"{option}: {shown!r} è il file da importare: il rapporto lo sovrascriverebbe; indicare un altro file",
                REFUSED,
            )
    return path


def _same_file(a: Path, b: Path) -> bool:
    if a.resolve() == b.resolve():
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet)
        return False


@contextmanager
def writing(path: Path, option: str) -> Iterator[None]:
    """A write to ``path`` that fails (permissions, full disk) ends with a clear message, exit 2."""
    try:
        yield
    except OSError as error:
        fail(f"{option}: impossibile scrivere {str(path)!r}: {error.strerror or error}", REFUSED)


def write_checked(path: Path, option: str, write: Callable[[Path], object]) -> None:
    with writing(path, option):
        write(path)
