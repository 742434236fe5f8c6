"""The bank ledger on SQL (``BankLedger``): the ``bank_transactions`` and ``bank_debtor_ibans`` tables.

A row is inserted once (``ON CONFLICT DO NOTHING`` on its company and id: two imports of the same
transaction at once write it once, and the loser is told) and then moved through its statuses by the
bank import. Writes take the process's write gate (SQLite serialises its writers).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Row, bindparam, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from creditbox.application.bank_files import TO_MATCH, LedgerEntry
from creditbox.domain.bank import Movement, TransactionIds
from creditbox.infrastructure.write_gate import WriteGate
from creditbox.projections.database import WRITE
from creditbox.projections.schema import bank_debtor_ibans, bank_transactions

_T = bank_transactions
_KEYS = ("company", "credit_id", "created_at")  # never changed by an update
_SHORT = 64  # identifiers and keys are kept this long at most (the bank's ids are 35 characters)


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _cut(text: str | None, width: int = _SHORT) -> str | None:
    return None if text is None else text[:width]


def _row(entry: LedgerEntry) -> dict[str, Any]:
    return {
        "company": entry.company,
        "credit_id": entry.credit_id,
        "credit": entry.credit,
        "movement": entry.movement.value,
        "amount": entry.amount,
        "currency": entry.currency[:3],
        "booking_date": entry.booking_date,
        "value_date": entry.value_date,
        "bank_ref": _cut(entry.ids.bank_ref),
        "end_to_end_id": _cut(entry.ids.end_to_end),
        "tx_id": _cut(entry.ids.tx_id),
        "debtor_name": entry.debtor_name,
        "debtor_iban": _cut(entry.debtor_iban, 34),
        "remittance": entry.remittance,
        "code": entry.code[:128],
        "file_name": entry.file_name[:255],
        "line": entry.line,
        "status": entry.status,
        "problem": entry.problem,
        "reason": entry.reason,
        "customer_code": entry.customer_code,
        "bill_number": entry.bill_number,
        "payment_id": entry.payment_id,
        "rule": entry.rule,
        "by": _cut(entry.by, 128),
        "created_at": _utc(entry.created_at),
        "updated_at": _utc(entry.updated_at),
    }


def _entry(row: Row[Any]) -> LedgerEntry:
    m = row._mapping
    return LedgerEntry(
        credit_id=m["credit_id"],
        company=m["company"],
        credit=bool(m["credit"]),
        movement=Movement(m["movement"]),
        amount=m["amount"],
        currency=m["currency"],
        booking_date=m["booking_date"],
        value_date=m["value_date"],
        ids=TransactionIds(m["bank_ref"], m["end_to_end_id"], m["tx_id"]),
        debtor_name=m["debtor_name"],
        debtor_iban=m["debtor_iban"],
        remittance=m["remittance"],
        code=m["code"],
        file_name=m["file_name"],
        line=int(m["line"]),
        status=m["status"],
        problem=m["problem"],
        reason=m["reason"],
        customer_code=m["customer_code"],
        bill_number=m["bill_number"],
        payment_id=m["payment_id"],
        rule=m["rule"],
        by=m["by"],
        created_at=_utc(m["created_at"]),
        updated_at=_utc(m["updated_at"]),
    )


class SqlBankLedger:
    def __init__(self, engine: Engine, gate: WriteGate) -> None:
        self._engine = engine
        self._gate = gate

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        with self._gate.hold(), self._engine.connect().execution_options(**{WRITE: True}) as conn, conn.begin():
            yield conn

    def _insert(self, conn: Connection, table: Any) -> Any:
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        return dialect.insert(table)

    # ---- reads ----------------------------------------------------------------------------------

    def get(self, company: str, credit_id: str) -> LedgerEntry | None:
        with self._engine.connect() as conn:
            row = conn.execute(select(_T).where(_T.c.company == company, _T.c.credit_id == credit_id)).first()
        return _entry(row) if row is not None else None

    def candidates(self, company: str, credit_ids: list[str], ids: list[TransactionIds]) -> list[LedgerEntry]:
        wanted: dict[str, set[str]] = {"bank_ref": set(), "end_to_end": set(), "tx_id": set()}
        for one in ids:
            for name, value in one.pairs():
                if value is not None:
                    wanted[name].add(_cut(value) or "")
        conditions = [_T.c.credit_id.in_(credit_ids)] if credit_ids else []
        for name, column in (("bank_ref", _T.c.bank_ref), ("end_to_end", _T.c.end_to_end_id), ("tx_id", _T.c.tx_id)):
            if wanted[name]:
                conditions.append(column.in_(sorted(wanted[name])))
        if not conditions:
            return []
        query = select(_T).where(_T.c.company == company, or_(*conditions)).order_by(_T.c.created_at, _T.c.credit_id)
        with self._engine.connect() as conn:
            return [_entry(row) for row in conn.execute(query)]

    def sharing_ids(self, company: str, ids: TransactionIds, credit: bool) -> list[LedgerEntry]:
        rows = self.candidates(company, [], [ids])
        return [row for row in rows if row.credit == credit]

    def to_match(self, company: str) -> list[LedgerEntry]:
        query = (
            select(_T)
            .where(_T.c.company == company, _T.c.status == TO_MATCH)
            .order_by(_T.c.value_date, _T.c.booking_date, _T.c.created_at, _T.c.credit_id)
        )
        with self._engine.connect() as conn:
            return [_entry(row) for row in conn.execute(query)]

    def customers_of_ibans(self, company: str, ibans: set[str]) -> dict[str, list[str]]:
        if not ibans:
            return {}
        t = bank_debtor_ibans
        query = (
            select(t.c.iban, t.c.customer_code)
            .where(t.c.company == company, t.c.iban.in_(sorted(ibans)))
            .order_by(t.c.iban, t.c.customer_code)
        )
        found: dict[str, list[str]] = {}
        with self._engine.connect() as conn:
            for iban, customer in conn.execute(query):
                found.setdefault(str(iban), []).append(str(customer))
        return found

    # ---- writes ---------------------------------------------------------------------------------

    def insert_many(self, entries: list[LedgerEntry]) -> set[str]:
        """One multi-row ``INSERT … ON CONFLICT DO NOTHING RETURNING credit_id``."""
        if not entries:
            return set()
        with self._writing() as conn:
            statement = self._insert(conn, _T).on_conflict_do_nothing().returning(_T.c.credit_id)
            result = conn.execute(statement, [_row(entry) for entry in entries])
            return {str(credit_id) for credit_id in result.scalars()}

    def update_many(self, entries: list[LedgerEntry]) -> None:
        """One ``UPDATE`` executed for every row (the driver's executemany)."""
        if not entries:
            return
        columns = [c.name for c in _T.columns if c.name not in _KEYS]
        statement = (
            update(_T)
            .where(_T.c.company == bindparam("key_company"), _T.c.credit_id == bindparam("key_credit_id"))
            .values({name: bindparam(f"new_{name}") for name in columns})
        )
        rows = []
        for entry in entries:
            row = _row(entry)
            rows.append(
                {
                    "key_company": entry.company,
                    "key_credit_id": entry.credit_id,
                    **{f"new_{name}": row[name] for name in columns},
                }
            )
        with self._writing() as conn:
            conn.execute(statement, rows)

    def learn_ibans(self, entries: list[LedgerEntry], at: datetime) -> None:
        rows = [
            {
                "company": e.company,
                "iban": e.debtor_iban[:34],
                "customer_code": e.customer_code,
                "credit_id": e.credit_id,
                "learned_at": _utc(at),
            }
            for e in entries
            if e.credit and e.debtor_iban and e.customer_code
        ]
        if not rows:
            return
        with self._writing() as conn:
            conn.execute(self._insert(conn, bank_debtor_ibans).on_conflict_do_nothing(), rows)
