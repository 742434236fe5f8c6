"""The adapters ``ufficio-tecnico`` and ``agenzia``: each action goes into the open batch of its
office, on disk (:class:`OfficeBatchChannel`); the batches live in :class:`LocalBatchFolder`.

Under the channel folder (``channel_dir``)::

    <COMPANY>/<channel>/aperti/<AAAA-MM-GG>/<office>/<action key as a file name>.json   open items
    <COMPANY>/<channel>/lotti/<AAAA-MM-GG>/<batch id>/lotto.json + the batch's files     closed batches

An item is written like the file channel's messages (a temporary file, synced, then linked into
place: a second send of the same key writes nothing, a crash leaves no half item). A closed batch is
written in a temporary folder and renamed into place in one step: it is there whole or not at all.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from dataclasses import asdict
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from creditbox.application.notices import Notice, NoticeBill, NoticeSupply, PostalAddress
from creditbox.application.office_batches import (
    AGENCY_CHANNEL,
    TECHNICAL_CHANNEL,
    BatchFile,
    BatchItem,
    ClosedBatch,
)
from creditbox.application.ports import (
    CHANNEL_SENT,
    CHANNEL_UNKNOWN,
    AdapterSpec,
    ChannelError,
    ChannelMessage,
    Receipt,
)
from creditbox.clock import Clock
from creditbox.infrastructure.channels.files import file_name, folder_name

OPEN, CLOSED, MANIFEST = "aperti", "lotti", "lotto.json"
DEFAULT_TECHNICAL_OFFICE = "UT"


# ---- notices as JSON ----------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def notice_json(notice: Notice) -> dict[str, Any]:
    plain: dict[str, Any] = _plain(asdict(notice))
    return plain


def notice_from_json(data: dict[str, Any]) -> Notice:
    def day(text: str | None) -> date | None:
        return date.fromisoformat(text) if text else None

    address = data.get("address")
    return Notice(
        company=data["company"],
        action_key=data["action_key"],
        action_code=data["action_code"],
        action_label=data["action_label"],
        case_id=data["case_id"],
        business_date=date.fromisoformat(data["business_date"]),
        customer_code=data["customer_code"],
        customer_name=data["customer_name"],
        tax_code=data.get("tax_code", ""),
        address=PostalAddress(**address) if address else None,
        mobile=data.get("mobile"),
        email=data.get("email"),
        pec=data.get("pec"),
        supplies=tuple(NoticeSupply(**s) for s in data.get("supplies", ())),
        bills=tuple(
            NoticeBill(
                number=b["number"],
                issue_date=date.fromisoformat(b["issue_date"]),
                due_date=date.fromisoformat(b["due_date"]),
                amount=Decimal(b["amount"]),
                residual=Decimal(b["residual"]),
                supply_code=b.get("supply_code"),
            )
            for b in data.get("bills", ())
        ),
        total=Decimal(data.get("total", "0.00")),
        deadline=day(data.get("deadline")),
        parameters=dict(data.get("parameters", {})),
    )


# ---- writing atomically -------------------------------------------------------------------------


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


def create_once(target: Path, data: bytes) -> bool:
    """Write ``target`` whole unless it exists (False then): temporary file, sync, link into place."""
    if target.exists():
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(temporary, target)
        except FileExistsError:
            return False
    finally:
        os.unlink(temporary)
    _sync_folder(target.parent)
    return True


# ---- the folder ---------------------------------------------------------------------------------


class LocalBatchFolder:
    """Open and closed batches under ``root`` (the ``channel_dir`` setting)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self._root = Path(root)

    def channel_folder(self, company: str, channel: str) -> Path:
        return self._root / folder_name(company) / folder_name(channel)

    def item_path(self, item: BatchItem) -> Path:
        day = item.business_date.isoformat()
        base = self.channel_folder(item.company, item.channel) / OPEN / day / folder_name(item.office)
        return base / file_name(item.action_key)

    def put(self, item: BatchItem, subject: str, text: str, written_at: str) -> bool:
        """Put ``item`` in its open batch; False when its key is there already."""
        body = {
            "action_key": item.action_key,
            "company": item.company,
            "channel": item.channel,
            "business_date": item.business_date.isoformat(),
            "office": item.office,
            "office_name": item.office_name,
            "subject": subject,
            "text": text,
            "notice": notice_json(item.notice) if item.notice is not None else None,
            "written_at": written_at,
        }
        data = json.dumps(body, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
        return create_once(self.item_path(item), data)

    def holds(self, company: str, channel: str, action_key: str) -> bool:
        """Whether an open batch (of any day and office) holds ``action_key``."""
        name = file_name(action_key)
        days = self.channel_folder(company, channel) / OPEN
        if not days.is_dir():
            return False
        return any((office / name).is_file() for day in days.iterdir() if day.is_dir() for office in day.iterdir())

    def open_items(self, company: str, channel: str, business_date: date) -> list[BatchItem]:
        day = self.channel_folder(company, channel) / OPEN / business_date.isoformat()
        if not day.is_dir():
            return []
        items = []
        for office in sorted(p for p in day.iterdir() if p.is_dir() and not p.name.startswith(".")):
            for path in sorted(office.iterdir()):
                if path.name.startswith(".") or not path.name.endswith(".json"):
                    continue
                data = json.loads(path.read_text("utf-8"))
                notice = data.get("notice")
                items.append(
                    BatchItem(
                        action_key=data["action_key"],
                        company=data["company"],
                        channel=data["channel"],
                        business_date=date.fromisoformat(data["business_date"]),
                        office=data["office"],
                        office_name=data.get("office_name", ""),
                        notice=notice_from_json(notice) if notice else None,
                    )
                )
        return sorted(items, key=lambda i: (i.office, i.action_key))

    def _closed_day(self, company: str, channel: str, business_date: date) -> Path:
        return self.channel_folder(company, channel) / CLOSED / business_date.isoformat()

    def closed_batches(self, company: str, channel: str, business_date: date) -> list[ClosedBatch]:
        day = self._closed_day(company, channel, business_date)
        if not day.is_dir():
            return []
        batches = [self._read(p) for p in day.iterdir() if p.is_dir() and (p / MANIFEST).is_file()]
        return sorted(batches, key=lambda b: (b.office, b.batch_id))

    def _read(self, folder: Path) -> ClosedBatch:
        manifest = json.loads((folder / MANIFEST).read_text("utf-8"))
        files = tuple(BatchFile(f["name"], (folder / f["name"]).read_bytes()) for f in manifest["files"])
        return ClosedBatch(
            batch_id=manifest["batch_id"],
            company=manifest["company"],
            channel=manifest["channel"],
            business_date=date.fromisoformat(manifest["business_date"]),
            office=manifest["office"],
            action_keys=tuple(manifest["action_keys"]),
            files=files,
        )

    def batch_folder(self, batch: ClosedBatch) -> Path:
        return self._closed_day(batch.company, batch.channel, batch.business_date) / folder_name(batch.batch_id)

    def keep(self, batch: ClosedBatch) -> ClosedBatch:
        target = self.batch_folder(batch)
        if (target / MANIFEST).is_file():
            return self._read(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = Path(tempfile.mkdtemp(prefix=".tmp-", dir=target.parent))
        try:
            for batch_file in batch.files:
                (temporary / batch_file.name).write_bytes(batch_file.content)
            manifest = {
                "batch_id": batch.batch_id,
                "company": batch.company,
                "channel": batch.channel,
                "business_date": batch.business_date.isoformat(),
                "office": batch.office,
                "action_keys": list(batch.action_keys),
                "files": [{"name": f.name, "sha256": f.sha256, "bytes": len(f.content)} for f in batch.files],
            }
            (temporary / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), "utf-8")
            for path in temporary.iterdir():
                with path.open("rb") as handle:
                    os.fsync(handle.fileno())
            try:
                os.rename(temporary, target)
            except OSError:
                if (target / MANIFEST).is_file():  # closed meanwhile by another process
                    return self._read(target)
                raise
        finally:
            if temporary.exists():
                shutil.rmtree(temporary, ignore_errors=True)
        _sync_folder(target.parent)
        return batch


# ---- the adapter --------------------------------------------------------------------------------


class OfficeBatchChannel:
    """A ``Channel`` that puts each action into the open batch of ``office`` for its business date
    (the notice's; the clock's today for a message without one)."""

    def __init__(self, folder: LocalBatchFolder, clock: Clock, channel: str, office: str, office_name: str) -> None:
        self._folder = folder
        self._clock = clock
        self._channel = channel
        self._office = office
        self._office_name = office_name

    @property
    def folder(self) -> LocalBatchFolder:
        return self._folder

    def send(self, message: ChannelMessage) -> Receipt:
        notice = message.notice
        item = BatchItem(
            action_key=message.action_key,
            company=message.company,
            channel=self._channel,
            business_date=notice.business_date if notice is not None else self._clock.today(),
            office=self._office,
            office_name=self._office_name,
            notice=notice,
        )
        try:
            if self._folder.holds(message.company, self._channel, message.action_key):
                return Receipt(message.action_key, duplicate=True)
            written = self._folder.put(item, message.subject, message.text, self._clock.now().isoformat())
        except OSError as error:
            raise ChannelError(f"cartella dei lotti non scrivibile: {error}") from error
        return Receipt(message.action_key, duplicate=not written)

    def status(self, action_key: str) -> str:
        company = action_key.split("/", 1)[0]
        return CHANNEL_SENT if self._folder.holds(company, self._channel, action_key) else CHANNEL_UNKNOWN


def technical_office_from_spec(spec: AdapterSpec, clock: Clock, root: str) -> OfficeBatchChannel:
    """The ``ufficio-tecnico`` adapter. Options: ``office`` (code of the office, default ``UT``: one
    list per office, e.g. one per service), ``office_name``."""
    office = str(spec.options.get("office") or DEFAULT_TECHNICAL_OFFICE)
    name = str(spec.options.get("office_name") or "Ufficio tecnico")
    return OfficeBatchChannel(LocalBatchFolder(root), clock, TECHNICAL_CHANNEL, office, name)


def agency_from_spec(spec: AdapterSpec, clock: Clock, root: str) -> OfficeBatchChannel:
    """The ``agenzia`` adapter. Options: ``agency`` (the agency's code, required), ``agency_name``."""
    code = str(spec.options.get("agency") or "").strip()
    if not code:
        raise ValueError(f"azienda {spec.company}: manca il codice dell'agenzia di recupero (opzione 'agency')")
    name = str(spec.options.get("agency_name") or code)
    return OfficeBatchChannel(LocalBatchFolder(root), clock, AGENCY_CHANNEL, code, name)
