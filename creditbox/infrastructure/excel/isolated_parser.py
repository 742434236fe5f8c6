"""Reading a workbook in a child process with memory and time limits.

The spreadsheet reader is native code: a file it cannot cope with may make it allocate without
bound, abort the process (``SIGABRT``) or run for ever. So neither the API server, nor the CLI,
nor the inbox reads a workbook itself: ``IsolatedParser`` starts a plain child interpreter
(``python -m`` this module, like the background writer), which

1. sets its own limits: address space (``RLIMIT_AS``, ``memory_bytes``) and CPU time
   (``RLIMIT_CPU``); the parent also kills it after ``seconds`` of wall time;
2. checks the workbook (``workbook_guard.check_workbook``) before any reader sees it;
3. parses it with the default layout or a company's profile version, and
4. sends the records back over a socket pair as the parser makes them, in pickled chunks of
   ``CHUNK_RECORDS`` (the child never holds more than a chunk of records), then each sheet's
   rejections and the warnings.

Whatever goes wrong in the child (a refusal, ``MemoryError``, an abort, a kill, the time running
out) reaches the caller as ``UnreadableFile`` with an Italian reason: the API answers 422, the CLI
exits 2, the inbox files the workbook in ``failed/`` and goes on with the next file.
"""

from __future__ import annotations

import os
import pickle
import resource
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from creditbox.application.ports import ReadProgress
from creditbox.application.records import (
    BillRecord,
    ParsedSheet,
    ParsedWorkbook,
    PaymentRecord,
    SourcedRecord,
    UnreadableFile,
)
from creditbox.infrastructure.excel.workbook_guard import WorkbookLimits, thousands

if TYPE_CHECKING:
    from creditbox.domain.import_profile import ProfileVersion

CHUNK_RECORDS = 20_000
DEFAULT_PROFILE = "default"


@dataclass(frozen=True)
class ReaderLimits:
    """The child's limits, and what the workbook may hold (``WorkbookLimits``)."""

    memory_bytes: int = 3 << 30  # address space of the child (3 GiB; resident memory stays well below)
    seconds: float = 900.0  # wall time of the check and the parse together
    workbook: WorkbookLimits = field(default_factory=WorkbookLimits)


class IsolatedParser:
    """A ``WorkbookParser`` reading in a child process: the default layout (``version`` None) or
    one version of a company's import profile."""

    def __init__(
        self,
        version: ProfileVersion | None = None,
        limits: ReaderLimits | None = None,
        *,
        chunk_records: int = CHUNK_RECORDS,
    ) -> None:
        self._version = version
        self._limits = limits or ReaderLimits()
        self._chunk_records = chunk_records
        self.profile: str = version.name if version is not None else DEFAULT_PROFILE
        self.profile_version: int | None = version.version if version is not None else None

    def parse(self, content: bytes, file_name: str, on_read: ReadProgress | None = None) -> ParsedWorkbook:
        ours, theirs = socket.socketpair()
        with theirs:
            process = subprocess.Popen(
                [sys.executable, "-m", __name__, str(theirs.fileno())],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        connection = Connection(ours.detach())
        deadline = time.monotonic() + self._limits.seconds
        try:
            try:
                connection.send((self._version, self._limits, file_name, self._chunk_records))
                connection.send_bytes(content)
            except OSError:
                raise _ChildGone from None
            return _receive(connection, deadline, file_name, on_read)
        except _ChildGone:
            process.kill()
            process.wait()
            raise UnreadableFile(_why(file_name, process.returncode, self._limits)) from None
        except _TimedOut:
            process.kill()
            process.wait()
            raise UnreadableFile(
                f"{file_name}: lettura interrotta: ha superato il tempo massimo di {self._limits.seconds:g} s"
            ) from None
        finally:
            connection.close()
            if process.poll() is None:
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


class _ChildGone(Exception):
    """The reading process ended without sending its result."""


class _TimedOut(Exception):
    """The reading process ran past its time limit."""


def _next(connection: Connection, deadline: float) -> Any:
    try:
        if not connection.poll(max(deadline - time.monotonic(), 0)):
            raise _TimedOut
        return pickle.loads(connection.recv_bytes())
    except (EOFError, OSError):
        raise _ChildGone from None


def _receive(connection: Connection, deadline: float, file_name: str, on_read: ReadProgress | None) -> ParsedWorkbook:
    """Records come first, chunk by chunk, as the child parses (with how far it has read); then
    the sheets' rejections and the warnings; then the end."""
    records: dict[str, list[SourcedRecord]] = {}
    values = SharedValues()
    while (message := _next(connection, deadline))[0] in ("records", "read"):
        if message[0] == "read":
            if on_read is not None:
                on_read(message[1], message[2])
            continue
        records.setdefault(message[1], []).extend(values.share(message[2]))
    if message[0] == "refused":
        raise UnreadableFile(message[1])
    if message[0] != "workbook":
        raise UnreadableFile(f"{file_name}: file Excel illeggibile ({message[1]})")
    _, sheets, warnings, profile, profile_version = message
    workbook = ParsedWorkbook(sheets={}, warnings=warnings, profile=profile, profile_version=profile_version)
    for name, headers, source, rejections, rejected_rows, repeated in sheets:
        workbook.sheets[name] = ParsedSheet(
            name=name,
            headers=headers,
            source=source,
            rejections=rejections,
            rejected_rows=rejected_rows,
            records=records.pop(name, []),
            repeated=repeated,
        )
    if _next(connection, deadline)[0] != "end":
        raise UnreadableFile(f"{file_name}: file Excel illeggibile (risposta incompleta)")
    return workbook


class SharedValues:
    """Equal values of bills and payments made one object across the whole file, as the chunks
    arrive: the child shares them within a chunk, this across chunks (a million bills carry a few
    thousand dates and amounts, but each chunk would otherwise bring its own copies). Only values
    that repeat are kept here — customer and supply codes, dates, amounts, payment methods —
    never bill numbers or payment ids, which are unique. Amounts are keyed by their digits as
    written (1.0 and 1.00 stay apart)."""

    _BILL: tuple[str, ...] = ("customer_code", "supply_code", "issue_date", "due_date", "amount")
    _PAYMENT: tuple[str, ...] = ("customer_code", "payment_date", "amount", "method")

    def __init__(self) -> None:
        self._texts: dict[str, str] = {}
        self._dates: dict[object, object] = {}
        self._amounts: dict[str, Decimal] = {}

    def share(self, chunk: list[SourcedRecord]) -> list[SourcedRecord]:
        for index, sourced in enumerate(chunk):
            record = sourced.record
            if isinstance(record, BillRecord):
                names = self._BILL
            elif isinstance(record, PaymentRecord):
                names = self._PAYMENT
            else:
                continue
            changes = {}
            for name in names:
                value = getattr(record, name)
                shared = self._one(value)
                if shared is not value:
                    changes[name] = shared
            if changes:
                chunk[index] = sourced._replace(record=replace(record, **changes))  # type: ignore[arg-type]
        return chunk

    def _one(self, value: object) -> object:
        if type(value) is str:
            return self._texts.setdefault(value, value)
        if type(value) is Decimal:
            return self._amounts.setdefault(str(value), value)
        if value is None:
            return value
        return self._dates.setdefault((type(value), value), value)


def _why(file_name: str, returncode: int | None, limits: ReaderLimits) -> str:
    memory = f"{thousands(limits.memory_bytes >> 20)} MB"
    if returncode is not None and returncode < 0:
        number = -returncode
        name = signal.Signals(number).name if number in signal.valid_signals() else str(number)
        if number == signal.SIGXCPU:
            return f"{file_name}: lettura interrotta: ha superato il tempo massimo di {limits.seconds:g} s"
        return (
            f"{file_name}: lettura interrotta ({name}): il file richiede più risorse di quelle concesse"
            f" (memoria {memory})"
        )
    return f"{file_name}: lettura interrotta (codice di uscita {returncode}): file illeggibile o troppo grande"


# --- the child ------------------------------------------------------------------------------


def _send(connection: Connection, message: tuple[Any, ...]) -> None:
    connection.send_bytes(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))


def _shared(chunk: list[SourcedRecord]) -> list[SourcedRecord]:
    """The chunk with equal values of bills and payments (codes, dates, amounts) made one object,
    so pickle sends each once and the parent holds each once per chunk: a bill's customer and
    supply codes and its dates repeat from row to row. Keys carry the type and, for amounts, the
    digits as written (1.0 and 1.00 stay apart)."""
    memo: dict[object, object] = {}

    def one(value: object) -> object:
        key = (Decimal, value.as_tuple()) if isinstance(value, Decimal) else (type(value), value)
        return memo.setdefault(key, value)

    shared = []
    for sourced in chunk:
        record = sourced.record
        if isinstance(record, BillRecord | PaymentRecord):
            values = [one(getattr(record, f.name)) for f in fields(record)]
            sourced = sourced._replace(record=type(record)(*values))  # type: ignore[arg-type]
        shared.append(sourced)
    return shared


class _Sending(list[SourcedRecord]):
    """A sheet's records, sent to the parent every ``chunk_records`` as the parser appends them:
    the child never holds more than a chunk of records."""

    def __init__(self, connection: Connection, sheet: str, chunk_records: int) -> None:
        super().__init__()
        self._connection, self._sheet, self._chunk_records = connection, sheet, chunk_records

    def append(self, record: SourcedRecord) -> None:
        super().append(record)
        if len(self) >= self._chunk_records:
            self.flush()

    def flush(self) -> None:
        if self:
            _send(self._connection, ("records", self._sheet, _shared(list(self))))
            self.clear()


def _limit(limits: ReaderLimits) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    seconds = max(int(limits.seconds) + 1, 1)
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 5))


def _child(fd: int) -> None:
    connection = Connection(fd)
    version, limits, file_name, chunk_records = connection.recv()
    _limit(limits)
    content = connection.recv_bytes()
    # Imported after the limits: what the readers load counts against them too.
    from creditbox.infrastructure.excel.profile_reader import ProfileWorkbookParser
    from creditbox.infrastructure.excel.workbook_guard import check_workbook
    from creditbox.infrastructure.excel.workbook_reader import ExcelWorkbookParser

    sending: list[_Sending] = []

    def records_for(sheet: str) -> list[SourcedRecord]:
        sending.append(_Sending(connection, sheet, chunk_records))
        return sending[-1]

    try:
        check_workbook(content, file_name, limits.workbook)
        parser = (
            ProfileWorkbookParser(version, records_for=records_for, limits=limits.workbook)
            if version is not None
            else ExcelWorkbookParser(records_for=records_for, limits=limits.workbook)
        )
        workbook = parser.parse(content, file_name, lambda done, total: _send(connection, ("read", done, total)))
    except UnreadableFile as error:
        _send(connection, ("refused", str(error)))
        return
    except MemoryError:
        memory = thousands(limits.memory_bytes >> 20)
        _send(connection, ("refused", f"{file_name}: lettura interrotta: memoria esaurita ({memory} MB)"))
        return
    except Exception as error:  # any failure of a reader is a refusal of the file
        _send(connection, ("failed", f"{type(error).__name__}: {error}"))
        return
    for records in sending:
        records.flush()
    sheets = [
        (s.name, s.headers, s.source, s.rejections, s.rejected_rows, s.repeated) for s in workbook.sheets.values()
    ]
    _send(connection, ("workbook", sheets, workbook.warnings, workbook.profile, workbook.profile_version))
    _send(connection, ("end",))


if __name__ == "__main__":
    try:
        _child(int(sys.argv[1]))
    except (EOFError, BrokenPipeError, ConnectionResetError):  # the parent gave up
        os._exit(1)
