"""The bank import: a ``camt.053`` statement or ``camt.054`` notification, read into the ledger, its
credits matched and recorded as payments, its returned direct debits as reversals.

The file is checked whole first (safe, a camt file, valid): a refused file records nothing. Then its
transactions are read streamed, ``chunk_size`` at a time:

- a transaction the ledger already holds (the same bank reference, end-to-end id or transaction id,
  none differing; ``NOTPROVIDED`` is no id) is a duplicate: counted, nothing recorded;
- a credit is matched (``bank_matching``); matched, it becomes a payment of its amount on the
  customer's position through the ingestor, with the payment id ``BANCA-<id>`` (idempotent);
  otherwise it goes to the *incassi da abbinare* worklist, with why;
- a returned direct debit reverses the payment it returns (a payment of minus the amount, on the
  same bill), found by its identifiers; one whose payment is unknown goes to the worklist;
- other debits (bank charges, fees) are reported, never recorded on a position.

A row is written to the ledger as ``pending`` before its payment is recorded and marked ``recorded``
after: a run stopped in between is finished by the next import of the file, never doubled.
A statement's balances are checked (opening + credits - debits = closing) and a mismatch reported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from creditbox.application.bank_files import (
    PENDING,
    RECORDED,
    REFUSED,
    REPORTED,
    TO_MATCH,
    UNMATCHED,
    BankFileReader,
    BankLedger,
    LedgerEntry,
)
from creditbox.application.bank_matching import Directory, Match, Matcher, words_of
from creditbox.application.inbound import InboundResult
from creditbox.application.ingest import Ingestor
from creditbox.application.ports import BulkLoader, ImportProgress
from creditbox.application.records import Outcome, PaymentRecord
from creditbox.clock import Clock
from creditbox.domain.bank import (
    EURO,
    BankTransaction,
    Movement,
    StatementBalances,
    TransactionIds,
    transaction_key,
)
from creditbox.domain.errors import Conflict, InvalidCommand, NotFound
from creditbox.domain.ids import position_id

KIND = "banca"
LABEL = "File della banca (camt.053, camt.054)"
DEFAULT_CHUNK_SIZE = 200
# The result lists at most this many rows of each kind (the counts are complete; the worklist is in the
# ledger): a statement of any length gives a result of bounded size.
MAX_LISTED = 1000
PAYMENT_PREFIX = "BANCA-"


def payment_id_of(credit_id: str) -> str:
    return f"{PAYMENT_PREFIX}{credit_id}"


class _Known:
    """The ledger rows a chunk may repeat (read in one query) and the rows the chunk adds: where a
    transaction is looked for before it is recorded."""

    def __init__(self, rows: list[LedgerEntry]) -> None:
        self._by_key: dict[str, LedgerEntry] = {}
        self._by_id: dict[str, list[LedgerEntry]] = {}
        for row in rows:
            self.add(row)

    def add(self, row: LedgerEntry) -> None:
        self._by_key[row.credit_id] = row
        for _, value in row.ids.pairs():
            if value is not None:
                self._by_id.setdefault(value, []).append(row)

    def same(self, credit_id: str, transaction: BankTransaction) -> LedgerEntry | None:
        """The row of this transaction, if it was read before (from this file or another)."""
        row = self._by_key.get(credit_id)
        if row is not None or not transaction.ids.any:
            return row
        for _, value in transaction.ids.pairs():
            for row in self._by_id.get(value or "", []):
                same_way = row.credit == transaction.credit and row.amount == transaction.amount
                if same_way and row.ids.same_as(transaction.ids):
                    return row
        return None


@dataclass
class _Run:
    """What one import did, as it goes."""

    recorded: list[LedgerEntry] = field(default_factory=list)
    to_match: list[LedgerEntry] = field(default_factory=list)
    reported: list[LedgerEntry] = field(default_factory=list)
    counts: dict[str, int] = field(
        default_factory=lambda: {"payments": 0, "reversals": 0, "to_match": 0, "reported": 0}
    )
    payments_amount: Decimal = Decimal("0.00")
    duplicates: int = 0
    transactions: int = 0
    balances: list[StatementBalances] = field(default_factory=list)

    def add_to_match(self, entry: LedgerEntry) -> None:
        self.counts["to_match"] += 1
        if len(self.to_match) < MAX_LISTED:
            self.to_match.append(entry)

    def add_recorded(self, entry: LedgerEntry) -> None:
        if entry.credit:
            self.counts["payments"] += 1
            self.payments_amount += entry.amount
        else:
            self.counts["reversals"] += 1
        if len(self.recorded) < MAX_LISTED:
            self.recorded.append(entry)


class BankImporter:
    """The ``banca`` kind of inbound file (an ``InboundImporter``), and the worklist's allocation."""

    kind = KIND
    label = LABEL

    def __init__(
        self,
        reader: BankFileReader,
        ledger: BankLedger,
        loader: BulkLoader,
        ingestor: Ingestor,
        clock: Clock,
        *,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        require_company: Callable[[str], str] | None = None,
    ) -> None:
        self._reader = reader
        self._ledger = ledger
        self._loader = loader
        self._ingestor = ingestor
        self._clock = clock
        self._chunk_size = chunk_size
        self._require_company = require_company

    # ---- import ---------------------------------------------------------------------------------

    def import_file(
        self, company: str, filename: str, content: bytes, *, by: str, progress: ImportProgress | None = None
    ) -> InboundResult:
        if self._require_company is not None:
            company = self._require_company(company)
        info = self._reader.check(content)  # refused whole before anything is recorded
        if progress is not None:
            progress.start(info.entries)
        run = _Run()
        occurrences: dict[str, int] = {}
        chunk: list[BankTransaction] = []
        for item in self._reader.read(content):
            if isinstance(item, StatementBalances):
                run.balances.append(item)
                continue
            chunk.append(item)
            if len(chunk) >= self._chunk_size:
                self._chunk(company, filename, chunk, occurrences, run, by)
                if progress is not None:
                    progress.advance(len(chunk))
                chunk = []
        if chunk:
            self._chunk(company, filename, chunk, occurrences, run, by)
            if progress is not None:
                progress.advance(len(chunk))
        return _result(company, filename, _info(info), run)

    def _chunk(
        self,
        company: str,
        filename: str,
        transactions: list[BankTransaction],
        occurrences: dict[str, int],
        run: _Run,
        by: str,
    ) -> None:
        """One batch: a few queries for the whole chunk (what the ledger knows, the bills and customers
        the texts name, the debtors' IBANs), then one ingest and one write of the ledger."""
        keys = [self._key(company, t, occurrences) for t in transactions]
        known = _Known(self._ledger.candidates(company, keys, [t.ids for t in transactions]))
        directory = Directory(company, self._loader)
        directory.prime(w for t in transactions for w in words_of(t))
        ibans = {t.debtor_iban for t in transactions if t.debtor_iban and t.credit}
        matcher = Matcher(directory, self._ledger.customers_of_ibans(company, ibans))
        to_record: list[LedgerEntry] = []
        new: list[LedgerEntry] = []
        for credit_id, transaction in zip(keys, transactions, strict=True):
            run.transactions += 1
            existing = known.same(credit_id, transaction)
            if existing is not None:
                if existing.status == PENDING and existing not in new and existing not in to_record:
                    to_record.append(existing)  # a run stopped before recording it: finish it
                else:
                    run.duplicates += 1
                    merged = existing.ids.merged(transaction.ids)
                    if merged != existing.ids and existing not in new:
                        self._ledger.update_many([existing.with_status(existing.status, ids=merged)])
                continue
            entry = self._decide(company, filename, credit_id, transaction, matcher, [*to_record, *new], by)
            known.add(entry)
            new.append(entry)
        inserted = self._ledger.insert_many(new)
        for entry in new:
            if entry.credit_id not in inserted:
                run.duplicates += 1  # written meanwhile by another import of the same transaction
            elif entry.status == PENDING:
                to_record.append(entry)
            elif entry.status == TO_MATCH:
                run.add_to_match(entry)
            else:
                run.counts["reported"] += 1
                if len(run.reported) < MAX_LISTED:
                    run.reported.append(entry)
        self._record(company, to_record, run, by)

    @staticmethod
    def _key(company: str, transaction: BankTransaction, occurrences: dict[str, int]) -> str:
        occurrence = 0
        if not transaction.ids.any:
            fingerprint = transaction.fingerprint()
            occurrence = occurrences.get(fingerprint, 0)
            occurrences[fingerprint] = occurrence + 1
        return transaction_key(company, transaction, occurrence)

    def _decide(
        self,
        company: str,
        filename: str,
        credit_id: str,
        transaction: BankTransaction,
        matcher: Matcher,
        in_run: list[LedgerEntry],
        by: str,
    ) -> LedgerEntry:
        entry = _entry(company, filename, credit_id, transaction, self._clock, by)
        movement = transaction.movement
        if movement is Movement.OTHER:
            return entry.with_status(REPORTED, reason=_other_reason(transaction))
        if transaction.currency != EURO:
            return entry.with_status(
                TO_MATCH, problem=UNMATCHED, reason=f"valuta {transaction.currency}: si registrano solo importi in euro"
            )
        if transaction.day is None:
            return entry.with_status(TO_MATCH, problem=UNMATCHED, reason="data di contabile e di valuta mancanti")
        if movement is Movement.RETURN:
            return self._returned(company, entry, transaction, in_run)
        match = matcher.match(transaction)
        return _matched(entry, match)

    def _returned(
        self, company: str, entry: LedgerEntry, transaction: BankTransaction, in_run: list[LedgerEntry]
    ) -> LedgerEntry:
        """A returned direct debit: the payment it returns (same amount, its end-to-end or transaction
        id), reversed."""
        ids = transaction.ids
        candidates = [
            *(e for e in in_run if e.credit),
            *self._ledger.sharing_ids(company, TransactionIds(None, ids.end_to_end, ids.tx_id), True),
        ]
        for original in candidates:
            if (
                original.amount == transaction.amount
                and ids.returns(original.ids)
                and original.status in (PENDING, RECORDED)
                and original.customer_code is not None
            ):
                reason = f"storno dell'incasso {original.credit_id}" + (
                    f" (motivo {transaction.return_reason})" if transaction.return_reason else ""
                )
                return entry.with_status(
                    PENDING,
                    customer_code=original.customer_code,
                    bill_number=original.bill_number,
                    payment_id=payment_id_of(entry.credit_id),
                    rule="return",
                    reason=reason,
                )
        return entry.with_status(
            TO_MATCH, problem=UNMATCHED, reason="storno di un addebito diretto: incasso originale non trovato"
        )

    def _record(self, company: str, entries: list[LedgerEntry], run: _Run, by: str) -> None:
        """Record the payments and reversals of ``entries`` on their positions, then mark each row."""
        if not entries:
            return
        records = [_payment(entry) for entry in entries]
        report = self._ingestor.ingest(company, records, by=by)
        now = self._clock.now()
        marked: list[LedgerEntry] = []
        for entry, result in zip(entries, report.results, strict=True):
            if result.outcome is Outcome.REJECTED:
                refused = entry.with_status(
                    TO_MATCH, problem=REFUSED, reason=f"rifiutato dalla posizione: {result.reason}", updated_at=now
                )
                marked.append(refused)
                run.add_to_match(refused)
                continue
            done = entry.with_status(RECORDED, updated_at=now)
            marked.append(done)
            run.add_recorded(done)
        self._ledger.update_many(marked)
        self._ledger.learn_ibans([e for e in marked if e.status == RECORDED], now)

    # ---- the worklist ---------------------------------------------------------------------------

    def unmatched(self, company: str) -> list[LedgerEntry]:
        """The *incassi da abbinare*: credits (and returns) still to match, oldest first."""
        if self._require_company is not None:
            company = self._require_company(company)
        return self._ledger.to_match(company)

    def allocate(self, company: str, credit_id: str, customer: str, bill: str | None = None, *, by: str) -> LedgerEntry:
        """Allocate a worklist row by hand to ``customer`` (and ``bill``): its payment (or reversal)
        is recorded on the customer's position; the debtor's IBAN is learned for the next files."""
        if self._require_company is not None:
            company = self._require_company(company)
        credit_id = credit_id.strip().upper()
        entry = self._ledger.get(company, credit_id)
        if entry is None:
            raise NotFound(f"movimento bancario {credit_id!r} sconosciuto nell'azienda {company!r}")
        if entry.status != TO_MATCH:
            if entry.status == RECORDED and entry.customer_code == customer.strip() and entry.bill_number == bill:
                return entry  # the same allocation again: nothing to do
            raise Conflict(
                f"movimento bancario {credit_id} non è da abbinare (stato: {entry.status}"
                + (f", cliente {entry.customer_code}" if entry.customer_code else "")
                + ")"
            )
        customer = customer.strip()
        if not self._loader.load_many([position_id(company, customer)]):
            raise NotFound(f"cliente {customer!r} sconosciuto nell'azienda {company!r}")
        chosen = entry.with_status(
            PENDING,
            customer_code=customer,
            bill_number=bill.strip() if bill else None,
            payment_id=payment_id_of(entry.credit_id),
            rule="manual",
            problem=None,
            reason=None,
            by=by,
        )
        report = self._ingestor.ingest(company, [_payment(chosen)], by=by)
        result = report.results[0]
        if result.outcome is Outcome.REJECTED:
            raise InvalidCommand(f"abbinamento rifiutato dalla posizione del cliente {customer!r}: {result.reason}")
        done = chosen.with_status(RECORDED, updated_at=self._clock.now())
        self._ledger.update_many([done])
        self._ledger.learn_ibans([done], self._clock.now())
        return done


def _entry(company: str, filename: str, credit_id: str, t: BankTransaction, clock: Clock, by: str) -> LedgerEntry:
    now = clock.now()
    remittance = " | ".join([*t.references, *t.remittance])
    return LedgerEntry(
        credit_id=credit_id,
        company=company,
        credit=t.credit,
        movement=t.movement,
        amount=t.amount,
        currency=t.currency,
        booking_date=t.booking_date,
        value_date=t.value_date,
        ids=t.ids,
        debtor_name=t.debtor_name,
        debtor_iban=t.debtor_iban,
        remittance=remittance,
        code=t.code.text(),
        file_name=filename,
        line=t.line,
        status=PENDING,
        by=by,
        created_at=now,
        updated_at=now,
    )


def _matched(entry: LedgerEntry, match: Match) -> LedgerEntry:
    if not match.matched:
        return entry.with_status(TO_MATCH, problem=match.problem, reason=match.reason, rule=match.rule)
    return entry.with_status(
        PENDING,
        customer_code=match.customer,
        bill_number=match.bill,
        payment_id=payment_id_of(entry.credit_id),
        rule=match.rule,
        reason=match.reason,
    )


def _payment(entry: LedgerEntry) -> PaymentRecord:
    assert entry.customer_code is not None and entry.day is not None
    return PaymentRecord(
        payment_id=payment_id_of(entry.credit_id),
        customer_code=entry.customer_code,
        payment_date=entry.day,
        amount=entry.signed_amount,
        bill_number=entry.bill_number,
        method=_method(entry),
    )


def _method(entry: LedgerEntry) -> str:
    if entry.movement is Movement.RETURN:
        return "storno SDD"
    if entry.rule == "iuv":
        return "PagoPA"
    family = entry.code.split("/")[1] if entry.code.count("/") >= 1 else ""
    if family in ("RDDT", "IDDT"):
        return "SDD"
    return "bonifico"


def _other_reason(transaction: BankTransaction) -> str:
    code = transaction.code.text()
    what = "storno di un addebito" if transaction.credit else "addebito"
    return f"{what} non di un cliente" + (f" (codice {code})" if code else "") + ": riportato, non registrato"


def _info(info: Any) -> dict[str, Any]:
    return {
        "message": info.message,
        "version": info.version,
        "message_id": info.message_id,
        "schema_validated": info.schema_validated,
        "label": info.label,
    }


def _result(company: str, filename: str, info: dict[str, Any], run: _Run) -> InboundResult:
    problems = [p for b in run.balances if (p := b.problem()) is not None]
    details: dict[str, Any] = {
        "file": info,
        "transactions": run.transactions,
        "payments": run.counts["payments"],
        "payments_amount": str(run.payments_amount),
        "reversals": run.counts["reversals"],
        "to_match": run.counts["to_match"],
        "reported_count": run.counts["reported"],
        "reported": [e.as_json() for e in run.reported],
        "recorded": [e.as_json() for e in run.recorded],
        "listed_at_most": MAX_LISTED,
        "balances": [b.as_json() for b in run.balances],
        "balance_problems": problems,
    }
    return InboundResult(
        kind=KIND,
        filename=filename,
        company=company,
        accepted=run.counts["payments"] + run.counts["reversals"],
        duplicates=run.duplicates,
        unmatched=[e.as_json() for e in run.to_match],
        details=details,
    )
