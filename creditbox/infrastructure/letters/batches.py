"""The daily postal batch of each company (*lotto postale*): the letters of a day, then the files for
the print-and-mail provider.

On disk, under the channel folder::

    <COMPANY>/posta/<AAAA-MM-GG>/            the letters of the day (the open batch)
        <key>.pdf                            the letter (its name: the action key made file-safe)
        <key>.json                           what the manifest needs of it; written last: the letter is
                                             in the batch when this file is there
        lotto.json                           written when the batch is closed
        lotto/                               the batch's files (default output folder)
            <batch id>-00001.pdf ...         the letters in sequence
            <batch id>.csv                   the manifest
            <batch id>.zip                   optionally, all of it in one file

A letter goes into the batch of its action's business date; once that batch is closed, into the first
open one from the clock's today (a letter sent late is never lost nor slipped into a batch already
handed over). Each file is written under a temporary name, synced, then linked into place, so a
crash leaves no half letter; a letter sent again (same action key) is not written twice. Putting a
letter and closing the batch take the day's lock in turn (``flock`` on a lock file), so a letter
never arrives in a batch while it is being closed.

Closing is deterministic: the batch id comes from the company, the date and the sorted action keys;
the sequence follows the postal type, the postcode and the action key; the manifest, the PDFs and the
ZIP are the same bytes however often the same day is closed.
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import hashlib
import io
import json
import os
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from creditbox.application.letters import LetterKind
from creditbox.application.ports import (
    CHANNEL_SENT,
    CHANNEL_UNKNOWN,
    ChannelError,
    ChannelMessage,
    ImportProgress,
    Receipt,
)
from creditbox.clock import Clock
from creditbox.infrastructure.channels.files import file_name, folder_name
from creditbox.infrastructure.letters.pdf import render_letter

CHANNEL_FOLDER = "posta"
CLOSED_MARK = "lotto.json"
LOCK_NAME = ".lotto.lock"
OUTPUT_FOLDER = "lotto"
BATCH_KIND = "posta"
ORDINARY = LetterKind.FRIENDLY_REMINDER.postal_type  # "ordinaria"
# How far past its date a letter looks for an open batch before giving up (a folder that cannot be used).
MAX_DAYS_AHEAD = 366

MANIFEST_COLUMNS = (
    "Lotto",
    "Progressivo",
    "Chiave azione",
    "Codice cliente",
    "Nominativo",
    "Indirizzo",
    "CAP",
    "Comune",
    "Provincia",
    "Tipo",
    "Lettera",
    "Pagine",
    "File PDF",
    "SHA-256",
)


@dataclass(frozen=True)
class BatchLetter:
    """A letter of a batch, as its ``.json`` file keeps it."""

    action_key: str
    customer_code: str
    customer_name: str
    street: str
    postcode: str
    town: str
    province: str
    postal_type: str  # "ordinaria" / "raccomandata A/R"
    kind: str  # the letter's Italian label
    pages: int
    pdf: str  # the file's name in the day's folder
    sha256: str

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BatchLetter:
        return cls(**{name: data[name] for name in cls.__dataclass_fields__})

    def as_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass(frozen=True)
class ClosedBatch:
    """A batch closed: its id, where its files are, and its letters in sequence."""

    batch_id: str
    company: str
    day: date
    folder: Path
    manifest: Path
    zip: Path | None
    letters: tuple[BatchLetter, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "batch_id": self.batch_id,
            "company": self.company,
            "date": self.day.isoformat(),
            "folder": str(self.folder),
            "manifest": self.manifest.name,
            "zip": self.zip.name if self.zip else None,
            "letters": len(self.letters),
            "registered": sum(1 for letter in self.letters if letter.postal_type != ORDINARY),
            "pages": sum(letter.pages for letter in self.letters),
        }


@dataclass(frozen=True)
class BatchSummary:
    """A day's batch as the list shows it."""

    company: str
    day: date
    closed: bool
    batch_id: str | None
    letters: int
    registered: int

    def as_json(self) -> dict[str, Any]:
        return {
            "company": self.company,
            "date": self.day.isoformat(),
            "status": "chiuso" if self.closed else "aperto",
            "batch_id": self.batch_id,
            "letters": self.letters,
            "registered": self.registered,
        }


class BatchDamaged(Exception):
    """A letter of the batch is not what was put in it (its PDF changed on disk): nothing is handed over."""


def batch_id(company: str, day: date, action_keys: list[str]) -> str:
    """The batch's id: the same company, date and letters always give the same id."""
    digest = hashlib.sha256("\n".join([BATCH_KIND, company, day.isoformat(), *sorted(action_keys)]).encode("utf-8"))
    return f"{folder_name(company)}-{day:%Y%m%d}-{digest.hexdigest()[:12]}"


class PostalBatches:
    """The postal batches of every company under ``root`` (the channel folder)."""

    def __init__(self, root: str | os.PathLike[str], clock: Clock) -> None:
        self._root = Path(root)
        self._clock = clock

    # ---- where ---------------------------------------------------------------------------------

    def company_folder(self, company: str) -> Path:
        return self._root / folder_name(company) / CHANNEL_FOLDER

    def day_folder(self, company: str, day: date) -> Path:
        return self.company_folder(company) / day.isoformat()

    def is_closed(self, company: str, day: date) -> bool:
        return (self.day_folder(company, day) / CLOSED_MARK).is_file()

    # ---- letters in --------------------------------------------------------------------------

    def put(self, message: ChannelMessage) -> Receipt:
        """Render the letter of ``message`` into its company's open batch (idempotent by action key)."""
        found = self.find(message.company, message.action_key)
        if found is not None:
            return Receipt(str(found), duplicate=True)
        letter = render_letter(message)  # raises LetterError: retried, then recorded as failed
        notice = message.notice
        assert notice is not None and notice.address is not None  # render_letter checked both
        stem = _stem(message.action_key)
        day = notice.business_date
        try:
            for _ in range(MAX_DAYS_AHEAD):
                folder = self.day_folder(message.company, day)
                folder.mkdir(parents=True, exist_ok=True)
                with _day_lock(folder):
                    if (folder / CLOSED_MARK).is_file():
                        day = max(day + timedelta(days=1), self._clock.today())
                        continue
                    marker = folder / f"{stem}.json"
                    if marker.is_file():
                        return Receipt(str(marker), duplicate=True)
                    # Not in the batch until its .json is there: a PDF left by a crash is replaced.
                    _replace(folder / f"{stem}.pdf", letter.content)
                    entry = BatchLetter(
                        action_key=message.action_key,
                        customer_code=notice.customer_code,
                        customer_name=notice.customer_name,
                        street=notice.address.street,
                        postcode=notice.address.postcode,
                        town=notice.address.town,
                        province=notice.address.province,
                        postal_type=letter.kind.postal_type,
                        kind=letter.kind.label,
                        pages=letter.pages,
                        pdf=f"{stem}.pdf",
                        sha256=hashlib.sha256(letter.content).hexdigest(),
                    )
                    data = json.dumps(entry.as_json(), ensure_ascii=False, indent=2, sort_keys=True)
                    _write_new(marker, data.encode("utf-8"))
                    _sync_folder(folder)
                    return Receipt(str(marker))
        except OSError as error:
            raise ChannelError(f"cartella del lotto postale non scrivibile: {error}") from error
        raise ChannelError(f"lettera {message.action_key}: nessun lotto postale aperto nei prossimi giorni")

    def find(self, company: str, action_key: str) -> Path | None:
        """The ``.json`` file of the letter with this key, in whatever day's batch it is."""
        folder = self.company_folder(company)
        if not folder.is_dir():
            return None
        name = f"{_stem(action_key)}.json"
        for day in sorted(folder.iterdir()):
            candidate = day / name
            if candidate.is_file():
                return candidate
        return None

    def status(self, action_key: str) -> str:
        company = action_key.split("/", 1)[0]
        return CHANNEL_SENT if self.find(company, action_key) is not None else CHANNEL_UNKNOWN

    def letters(self, company: str, day: date) -> list[BatchLetter]:
        """The letters of the day's batch, in their sequence."""
        folder = self.day_folder(company, day)
        if not folder.is_dir():
            return []
        found = [
            BatchLetter.from_json(json.loads(path.read_text("utf-8")))
            for path in folder.iterdir()
            if path.suffix == ".json" and path.name != CLOSED_MARK and not path.name.startswith(".")
        ]
        return sorted(found, key=lambda letter: (letter.postal_type, letter.postcode, letter.action_key))

    # ---- closing -----------------------------------------------------------------------------

    def close(
        self,
        company: str,
        day: date,
        out: Path | None = None,
        *,
        with_zip: bool = False,
        progress: ImportProgress | None = None,
    ) -> ClosedBatch:
        """Close the day's batch (no letter joins it afterwards) and write its files into ``out``
        (default: the day's ``lotto/`` folder). Closing the same day again writes the same bytes.
        ``progress`` follows the letters written."""
        folder = self.day_folder(company, day)
        folder.mkdir(parents=True, exist_ok=True)
        with _day_lock(folder):
            letters = self.letters(company, day)
            identifier = batch_id(company, day, [letter.action_key for letter in letters])
            mark = {
                "batch_id": identifier,
                "company": company,
                "date": day.isoformat(),
                "registered": sum(1 for letter in letters if letter.postal_type != ORDINARY),
                "letters": [{"sequence": n, "action_key": x.action_key} for n, x in enumerate(letters, 1)],
            }
            _replace(folder / CLOSED_MARK, json.dumps(mark, ensure_ascii=False, indent=2).encode("utf-8"))
        target = out if out is not None else folder / OUTPUT_FOLDER
        target.mkdir(parents=True, exist_ok=True)
        if progress is not None:
            progress.start(len(letters))
        files: list[tuple[str, bytes]] = []
        for sequence, letter in enumerate(letters, 1):
            content = (folder / letter.pdf).read_bytes()
            if hashlib.sha256(content).hexdigest() != letter.sha256:
                raise BatchDamaged(f"lotto {identifier}: il PDF della lettera {letter.action_key} è stato alterato")
            files.append((_pdf_name(identifier, sequence), content))
            _replace(target / files[-1][0], content)
            if progress is not None:
                progress.advance(1)
        manifest_name = f"{identifier}.csv"
        files.append((manifest_name, manifest(identifier, letters)))
        _replace(target / manifest_name, files[-1][1])
        archive = None
        if with_zip:
            archive = target / f"{identifier}.zip"
            _replace(archive, _zip(files, day))
        _sync_folder(target)
        return ClosedBatch(identifier, company, day, target, target / manifest_name, archive, tuple(letters))

    def batches(self, company: str) -> list[BatchSummary]:
        """Every day's batch of the company, the latest first."""
        folder = self.company_folder(company)
        if not folder.is_dir():
            return []
        summaries = []
        for path in sorted(folder.iterdir(), reverse=True):
            day = _day_of(path)
            if day is None:
                continue
            mark = self._mark(company, day)
            if mark is not None:  # closed: its mark has the figures, no letter need be read
                closed = BatchSummary(
                    company, day, True, str(mark["batch_id"]), len(mark["letters"]), mark["registered"]
                )
                summaries.append(closed)
                continue
            letters = self.letters(company, day)
            registered = sum(1 for letter in letters if letter.postal_type != ORDINARY)
            summaries.append(BatchSummary(company, day, False, None, len(letters), registered))
        return summaries

    def action_key_at(self, company: str, batch: str, sequence: int) -> str | None:
        """The action key of the letter at ``sequence`` of the closed batch ``batch`` (None: no such letter)."""
        folder = self.company_folder(company)
        if not folder.is_dir():
            return None
        for path in sorted(folder.iterdir()):
            day = _day_of(path)
            mark = self._mark(company, day) if day is not None else None
            if mark is not None and mark["batch_id"] == batch:
                for letter in mark["letters"]:
                    if letter["sequence"] == sequence:
                        return str(letter["action_key"])
                return None
        return None

    def _mark(self, company: str, day: date) -> dict[str, Any] | None:
        path = self.day_folder(company, day) / CLOSED_MARK
        if not path.is_file():
            return None
        data: dict[str, Any] = json.loads(path.read_text("utf-8"))
        return data


def manifest(identifier: str, letters: list[BatchLetter]) -> bytes:
    """The batch's manifest: ``;``-separated, UTF-8 with BOM and CRLF (Excel opens it as it is)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(MANIFEST_COLUMNS)
    for sequence, x in enumerate(letters, 1):
        writer.writerow(
            (
                identifier,
                sequence,
                x.action_key,
                x.customer_code,
                x.customer_name,
                x.street,
                x.postcode,
                x.town,
                x.province,
                x.postal_type,
                x.kind,
                x.pages,
                _pdf_name(identifier, sequence),
                x.sha256,
            )
        )
    return buffer.getvalue().encode("utf-8-sig")


def _pdf_name(identifier: str, sequence: int) -> str:
    return f"{identifier}-{sequence:05d}.pdf"


def _zip(files: list[tuple[str, bytes]], day: date) -> bytes:
    """The batch in one ZIP, the same bytes every time (fixed dates and attributes, fixed order)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files:
            info = zipfile.ZipInfo(name, date_time=(day.year, day.month, day.day, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    return buffer.getvalue()


def _stem(action_key: str) -> str:
    return file_name(action_key).removesuffix(".json")


def _day_of(path: Path) -> date | None:
    if not path.is_dir():
        return None
    try:
        return date.fromisoformat(path.name)
    except ValueError:
        return None


@contextlib.contextmanager
def _day_lock(folder: Path) -> Iterator[None]:
    """The day's lock: putting a letter and closing the batch never overlap (processes on this host)."""
    with open(folder / LOCK_NAME, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _temporary(folder: Path, content: bytes) -> str:
    handle, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=".part", dir=folder)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        os.unlink(temporary)
        raise
    return temporary


def _write_new(target: Path, content: bytes) -> None:
    """Write ``target`` unless it is there (a letter rendered again after a crash: the same bytes)."""
    temporary = _temporary(target.parent, content)
    try:
        with contextlib.suppress(FileExistsError):
            os.link(temporary, target)
    finally:
        os.unlink(temporary)


def _replace(target: Path, content: bytes) -> None:
    """Write ``target`` atomically, replacing what was there."""
    temporary = _temporary(target.parent, content)
    try:
        os.replace(temporary, target)
    except BaseException:
        os.unlink(temporary)
        raise


def _sync_folder(folder: Path) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(descriptor)
    finally:
        os.close(descriptor)
