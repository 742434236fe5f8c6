"""Which kind of file an import was given: decided by its content first, its name second.

Billing systems export ``.xlsx``, ``.xls`` (the old binary Excel), ``.ods`` (LibreOffice) and,
most often, CSV text. The CLI, the API upload and the inbox all accept the four and refuse
anything else with the same Italian reason, before a reader sees a byte:

- a zip (``PK``) is a workbook (``.xlsx`` or ``.ods``: the workbook checks tell which, and refuse
  any other zip), whatever its name;
- an OLE2 compound file (``D0 CF 11 E0``) is an ``.xls``, whatever its name;
- anything else is read as CSV only when its name says so (``.csv``, ``.txt``) and it holds no
  NUL byte (text, not some binary file renamed); a text file named ``.xlsx`` is refused, since
  whoever sent it meant a workbook.
"""

from __future__ import annotations

from enum import Enum

from creditbox.application.records import UnreadableFile

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
TEXT_SUFFIXES = (".csv", ".txt")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
SUPPORTED_SUFFIXES = (".xlsx", ".xls", ".ods", ".csv", ".txt")
ACCEPTED = "formati accettati: cartelle di lavoro .xlsx, .xls, .ods e file di testo .csv"
_SNIFF_BYTES = 64 * 1024


class FileFormat(Enum):
    WORKBOOK = "zip"  # .xlsx or .ods (a zip: the workbook checks tell which)
    XLS = "xls"
    CSV = "csv"


def detect_format(content: bytes, file_name: str) -> FileFormat:
    """The format of ``content``, or ``UnreadableFile`` naming the file and the accepted formats."""
    if content.startswith(ZIP_MAGIC):
        return FileFormat.WORKBOOK
    if content.startswith(OLE2_MAGIC):
        return FileFormat.XLS
    suffix = _suffix(file_name)
    if suffix in TEXT_SUFFIXES:
        if b"\x00" in content[:_SNIFF_BYTES]:
            raise UnreadableFile(f"{file_name}: non è un file di testo CSV (contiene dati binari; {ACCEPTED})")
        return FileFormat.CSV
    if suffix in WORKBOOK_SUFFIXES:
        raise UnreadableFile(f"{file_name}: non è una cartella di lavoro Excel o LibreOffice leggibile ({ACCEPTED})")
    raise UnreadableFile(f"{file_name}: formato non supportato ({ACCEPTED})")


def has_supported_name(file_name: str) -> bool:
    """Whether the inbox should try ``file_name`` at all (the content decides after)."""
    return _suffix(file_name) in SUPPORTED_SUFFIXES


def _suffix(file_name: str) -> str:
    dot = file_name.rfind(".")
    return file_name[dot:].lower() if dot > 0 else ""
