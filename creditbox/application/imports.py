"""Importing a billing-system file: parse, validate, check within the file, apply, account for it.

Free of any delivery concern: the CLI, the API upload and the inbox worker all call
``ImportService.run(content, file_name, company, by=...)`` and get an ``ImportResult``.
The parser (the Excel profile) is injected, so this module reads no file format itself.
"""

from __future__ import annotations

import hashlib
import time
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from creditbox.application.companies import CompanyDirectory
from creditbox.application.date_policy import DatePolicy
from creditbox.application.import_results import ImportResult, SheetCounts
from creditbox.application.ingest import DEFAULT_CHUNK_SIZE, Ingestor, relaxed_gc
from creditbox.application.ports import BatchSavers, BulkLoader, EventStore, ImportProgress, WorkbookParser
from creditbox.application.record_checks import show_value
from creditbox.application.records import (
    BillRecord,
    Column,
    CustomerRecord,
    Outcome,
    ParsedSheet,
    ParsedWorkbook,
    PaymentRecord,
    Record,
    Rejection,
    Sheet,
    SourcedRecord,
    SupplyRecord,
    UnreadableFile,
)
from creditbox.clock import Clock
from creditbox.domain.business_dates import DEFAULT_FUTURE_TOLERANCE_DAYS
from creditbox.domain.ids import import_id
from creditbox.domain.imports import Import
from creditbox.domain.text_policy import safe_file_name


def profile_label(profile: str | None, version: int | None) -> str | None:
    """How reports name the layout a file was read with: ``default``, or ``nord (versione 3)``."""
    if profile is None or version is None:
        return profile
    return f"{profile} (versione {version})"


class ImportObserver(Protocol):
    """Told of every import's outcome (the metrics): counts only."""

    def imported(self, result: ImportResult, seconds: float) -> None: ...

    def refused(self) -> None: ...


class ImportService:
    def __init__(
        self,
        store: EventStore,
        loader: BulkLoader,
        parser: WorkbookParser,
        clock: Clock,
        *,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        savers: BatchSavers | None = None,
        future_tolerance_days: int = DEFAULT_FUTURE_TOLERANCE_DAYS,
        observer: ImportObserver | None = None,
    ) -> None:
        self._observer = observer
        self._store = store
        self._savers = savers
        self._dates = DatePolicy(clock, future_tolerance_days)
        self._loader = loader
        self._parser = parser
        self._clock = clock
        self._chunk_size = chunk_size

    def run(
        self,
        content: bytes,
        file_name: str,
        company: str,
        *,
        by: str,
        progress: ImportProgress | None = None,
        parser: WorkbookParser | None = None,
    ) -> ImportResult:
        """Import ``content``. Raises ``NotFound`` for an unknown company, ``UnreadableFile`` for a
        file that cannot be read at all; bad rows are reported in the result, good rows go in.
        ``parser`` reads this file instead of the service's own (a company's import profile)."""
        file_name = safe_file_name(file_name)
        started = time.perf_counter()
        try:
            with relaxed_gc():
                result = self._run(content, file_name, company, by=by, progress=progress, parser=parser or self._parser)
        except UnreadableFile:
            if self._observer is not None:
                self._observer.refused()
            raise
        if self._observer is not None:
            self._observer.imported(result, time.perf_counter() - started)
        return result

    def _run(
        self,
        content: bytes,
        file_name: str,
        company: str,
        *,
        by: str,
        progress: ImportProgress | None,
        parser: WorkbookParser,
    ) -> ImportResult:
        company = CompanyDirectory(self._store).require(company)
        sha256 = hashlib.sha256(content).hexdigest()
        this_import = import_id(company, sha256)
        previous = self._store.get_or_none(this_import)
        workbook = parser.parse(content, file_name, progress.reading if progress is not None else None)
        checked = check_within_file(workbook)
        # From here the candidates are all that is held of the records: the sheets let theirs go,
        # each candidate's place (sheet, row) is kept apart in arrays, and the ingestor drops
        # every record once its chunk is applied.
        for sheet in workbook.sheets.values():
            sheet.records = []
        places = _Places(checked.candidates)
        records: list[Record] = [sourced.record for sourced in checked.candidates]
        checked.candidates = []
        if progress is not None:
            progress.start(len(records))
        ingestor = Ingestor(
            self._store,
            self._loader,
            chunk_size=self._chunk_size,
            savers=self._savers,
            on_progress=progress.advance if progress is not None else None,
            dates=self._dates,
        )
        report = ingestor.ingest(company, records, by=f"import:{this_import}", release=True)
        del records
        sheets = {name: SheetCounts() for name in workbook.sheets}
        rejected: list[Rejection] = []
        for name, sheet in workbook.sheets.items():
            sheets[name].rejected += len(sheet.rejected_rows)
            rejected.extend(sheet.rejections)
        for name, count in checked.unchanged.items():
            sheets[name].unchanged += count
        for name, sheet in workbook.sheets.items():
            sheets[name].unchanged += sheet.repeated
        for rejection in checked.rejections:
            sheets[rejection.sheet].rejected += 1
            rejected.append(rejection)
        for (sheet_name, row), outcome in zip(places, report.results, strict=True):
            counts = sheets[sheet_name]
            if outcome.outcome is Outcome.ACCEPTED:
                counts.accepted += 1
            elif outcome.outcome is Outcome.UNCHANGED:
                counts.unchanged += 1
            else:
                counts.rejected += 1
                header = workbook.sheets[sheet_name].header(outcome.column)
                rejected.append(Rejection(sheet_name, row, header, outcome.reason or "rifiutato"))
        order = {name: i for i, name in enumerate(Sheet.ALL)}
        rejected.sort(key=lambda r: (order.get(r.sheet, 99), r.row))
        rejected = as_written(workbook, rejected)
        warnings = list(workbook.warnings)
        result = ImportResult(
            import_id=this_import,
            company=company,
            file_name=file_name,
            file_sha256=sha256,
            profile=workbook.profile,
            profile_version=workbook.profile_version,
            sheets=sheets,
            rejected=rejected,
            warnings=warnings,
            events=report.events,
            saved_aggregates=report.saved_aggregates,
            saves=report.saves,
            already_imported=previous is not None,
        )
        self._account_for(previous, result, by)
        return result

    def _account_for(self, previous: Any, result: ImportResult, by: str) -> None:
        counts = {name: c.as_json() for name, c in result.sheets.items()}
        rejected = [r.as_json() for r in result.rejected]
        now = self._clock.now()
        if previous is None:
            record = Import.record(
                result.company,
                result.file_name,
                result.file_sha256,
                result.profile,
                now,
                counts,
                rejected,
                result.warnings,
                by=by,
                profile_version=result.profile_version,
            )
            self._store.save(record)
            result.events += 1
            return
        assert isinstance(previous, Import)
        result.warnings.insert(0, f"file già importato il {previous.imported_at:%d/%m/%Y %H:%M}")
        if previous.reimported(
            result.file_name,
            now,
            counts,
            rejected,
            by=by,
            profile=result.profile,
            profile_version=result.profile_version,
        ):
            self._store.save(previous)
            result.events += 1


def as_written(workbook: ParsedWorkbook, rejected: list[Rejection]) -> list[Rejection]:
    """Rejections name the sheet as the file calls it when a profile mapped it onto ours. A cell
    read for two of our sheets (a flat export: the customer code feeds customers, supplies and
    bills) is reported once."""
    sources = {name: sheet.source for name, sheet in workbook.sheets.items() if sheet.source}
    if not sources:
        return rejected
    written = (Rejection(sources.get(r.sheet, r.sheet), r.row, r.column, r.reason) for r in rejected)
    return list(dict.fromkeys(written))


class _Places:
    """Where each candidate record came from (sheet, row), in two compact arrays: a million rows
    take a few megabytes instead of a tuple each."""

    def __init__(self, candidates: list[SourcedRecord]) -> None:
        numbers: dict[str, int] = {}
        self._sheets = array("H", (numbers.setdefault(c.sheet, len(numbers)) for c in candidates))
        self._names = list(numbers)
        self._rows = array("q", (c.row for c in candidates))

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[tuple[str, int]]:
        names = self._names
        for sheet, row in zip(self._sheets, self._rows, strict=True):
            yield names[sheet], row


@dataclass
class _Checked:
    candidates: list[SourcedRecord] = field(default_factory=list)
    unchanged: Counter[str] = field(default_factory=Counter)  # identical repeats, per sheet
    rejections: list[Rejection] = field(default_factory=list)


def check_within_file(workbook: ParsedWorkbook) -> _Checked:
    """Keys repeated inside the file and bills on another customer's supply: the later row is
    refused (an identical repeat is just unchanged), nothing is guessed."""
    checked = _Checked()
    supply_owner: dict[str, tuple[str, int]] = {}
    supplies = workbook.sheets.get(Sheet.SUPPLIES)
    supplies_name = (supplies.source if supplies is not None else None) or Sheet.SUPPLIES
    for name in Sheet.ALL:
        sheet = workbook.sheets.get(name)
        if sheet is None:
            continue
        seen: dict[str, SourcedRecord] = {}
        for sourced in sheet.records:
            record = sourced.record
            key = _key(record)
            first = seen.get(key)
            if first is None:
                problem = _foreign_supply(record, supply_owner, supplies_name)
                if problem is not None:
                    checked.rejections.append(_rejection(sheet, sourced, Column.SUPPLY_CODE, problem))
                    continue
                seen[key] = sourced
                if isinstance(record, SupplyRecord):
                    supply_owner[record.supply.code] = (record.customer_code, sourced.row)
                checked.candidates.append(sourced)
            elif first.record == record:
                checked.unchanged[name] += 1
            else:
                column, reason = _repeated(first, record, sheet)
                checked.rejections.append(_rejection(sheet, sourced, column, reason))
    return checked


def _key(record: object) -> str:
    if isinstance(record, CustomerRecord):
        return record.customer_code
    if isinstance(record, SupplyRecord):
        return record.supply.code
    if isinstance(record, BillRecord):
        return record.number
    assert isinstance(record, PaymentRecord)
    return record.payment_id


def _foreign_supply(record: object, supply_owner: dict[str, tuple[str, int]], supplies_name: str) -> str | None:
    if not isinstance(record, BillRecord):
        return None
    owner = supply_owner.get(record.supply_code)
    if owner is None or owner[0] == record.customer_code:
        return None
    return (
        f"la fornitura {record.supply_code!r} appartiene al cliente {owner[0]!r} "
        f"(foglio {supplies_name}, riga {owner[1]}), non a {record.customer_code!r}"
    )


_KEY_COLUMNS = {
    CustomerRecord: (Column.CUSTOMER_CODE, "codice cliente", "ripetuto"),
    SupplyRecord: (Column.SUPPLY_CODE, "fornitura", "ripetuta"),
    BillRecord: (Column.BILL_NUMBER, "bolletta", "ripetuta"),
    PaymentRecord: (Column.PAYMENT_ID, "pagamento", "ripetuto"),
}


def _repeated(first: SourcedRecord, record: object, sheet: ParsedSheet) -> tuple[str, str]:
    key_column, noun, repeated = _KEY_COLUMNS[type(record)]
    if isinstance(record, CustomerRecord | SupplyRecord) and not _moved(first.record, record):
        # A flat export repeats the customer and the supply on every row: name the datum that
        # differs and both rows.
        for column, old, new in _compared_fields(first.record, record):
            if old != new:
                label = sheet.header(column) if sheet.source else column
                who = "il cliente" if isinstance(record, CustomerRecord) else "la fornitura"
                return column, (
                    f"{who} {_key(record)!r} è {repeated} con dati diversi dalla riga {first.row}: {label}"
                    f" {_shown(old)} alla riga {first.row}, qui {_shown(new)}"
                )
    column, detail = key_column, ""
    for candidate, old, new in _compared_fields(first.record, record):
        if old != new:
            label = sheet.header(candidate) if sheet.source else candidate  # a profile's file: their header
            column, detail = candidate, f": {label} {show_value(old)} alla riga {first.row}, qui {show_value(new)}"
            break
    if (
        isinstance(record, SupplyRecord)
        and isinstance(first.record, SupplyRecord)
        and first.record.customer_code != record.customer_code
    ):
        return (
            Column.CUSTOMER_CODE,
            f"fornitura {record.supply.code!r} già assegnata al cliente {first.record.customer_code!r} "
            f"alla riga {first.row}",
        )
    return column, f"{noun} {_key(record)!r} {repeated} nel file con dati diversi (riga {first.row}){detail}"


def _moved(old: object, new: object) -> bool:
    """A supply repeated under another customer (reported as such, not as a changed datum)."""
    return isinstance(old, SupplyRecord) and isinstance(new, SupplyRecord) and old.customer_code != new.customer_code


def _shown(value: object) -> str:
    label = getattr(value, "label", None)
    return repr(label) if isinstance(label, str) else show_value(value)


_CUSTOMER_FIELDS = (
    (Column.NAME, "name"),
    (Column.CUSTOMER_TYPE, "customer_type"),
    (Column.FISCAL_CODE, "fiscal_code"),
    (Column.VAT_NUMBER, "vat_number"),
    (Column.EMAIL, "email"),
    (Column.PEC, "pec"),
    (Column.MOBILE, "mobile"),
    (Column.ADDRESS, "address"),
    (Column.POSTCODE, "postcode"),
    (Column.CITY, "city"),
    (Column.PROVINCE, "province"),
)
_SUPPLY_FIELDS = (
    (Column.SERVICE, "service"),
    (Column.SUPPLY_TYPE, "supply_type"),
    (Column.STATUS, "status"),
    (Column.METER, "meter"),
    (Column.SUPPLY_ADDRESS, "address"),
)


def _compared_fields(old: object, new: object) -> Iterable[tuple[str, object, object]]:
    if isinstance(old, CustomerRecord) and isinstance(new, CustomerRecord):
        for column, name in _CUSTOMER_FIELDS:
            yield column, getattr(old.details, name), getattr(new.details, name)
    elif isinstance(old, SupplyRecord) and isinstance(new, SupplyRecord):
        yield Column.CUSTOMER_CODE, old.customer_code, new.customer_code
        for column, name in _SUPPLY_FIELDS:
            yield column, getattr(old.supply, name), getattr(new.supply, name)
    if isinstance(old, BillRecord) and isinstance(new, BillRecord):
        yield Column.AMOUNT, old.amount, new.amount
        yield Column.DUE_DATE, old.due_date, new.due_date
        yield Column.ISSUE_DATE, old.issue_date, new.issue_date
        yield Column.CUSTOMER_CODE, old.customer_code, new.customer_code
        yield Column.SUPPLY_CODE, old.supply_code, new.supply_code
    elif isinstance(old, PaymentRecord) and isinstance(new, PaymentRecord):
        yield Column.AMOUNT, old.amount, new.amount
        yield Column.PAYMENT_DATE, old.payment_date, new.payment_date
        yield Column.CUSTOMER_CODE, old.customer_code, new.customer_code
        yield Column.BILL_NUMBER, old.bill_number, new.bill_number
        yield Column.METHOD, old.method, new.method


def _rejection(sheet: ParsedSheet, sourced: SourcedRecord, column: str, reason: str) -> Rejection:
    return Rejection(sheet.name, sourced.row, sheet.header(column), reason)
