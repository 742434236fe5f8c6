"""The dossier as a ZIP archive: written with fixed timestamps (the same dossier, the same bytes), read
back with limits (a dossier to verify may come from anywhere)."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

MAX_FILES = 100_000
MAX_TOTAL_BYTES = 2 << 30  # 2 GiB uncompressed


class DossierArchiveError(ValueError):
    """The file is not a readable dossier archive (Italian message)."""


def write_archive(contents: dict[str, bytes], created_at: datetime) -> bytes:
    stamp = (
        max(created_at.year, 1980),
        created_at.month,
        created_at.day,
        created_at.hour,
        created_at.minute,
        created_at.second,
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, content in contents.items():
            info = zipfile.ZipInfo(path, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    return buffer.getvalue()


def read_archive(data: bytes) -> dict[str, bytes]:
    """Every file of the archive by path (folders left out)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError) as error:
        raise DossierArchiveError(f"il file non è un archivio ZIP leggibile: {error}") from error
    with archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
        if len(infos) > MAX_FILES:
            raise DossierArchiveError(f"archivio con troppi file ({len(infos)})")
        if sum(i.file_size for i in infos) > MAX_TOTAL_BYTES:
            raise DossierArchiveError("archivio troppo grande una volta decompresso")
        contents: dict[str, bytes] = {}
        for info in infos:
            if info.filename in contents:
                raise DossierArchiveError(f"file {info.filename} presente più volte nell'archivio")
            try:
                contents[info.filename] = archive.read(info)
            except (zipfile.BadZipFile, OSError, RuntimeError) as error:
                raise DossierArchiveError(f"file {info.filename} illeggibile nell'archivio: {error}") from error
        return contents
