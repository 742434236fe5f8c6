"""The bank's files of one company, written as movements come: a ``camt.053.001.08`` statement
(*estratto conto*) per month, and a ``camt.054.001.08`` notification (*avviso di accredito*) of the
credits of the last days of the last month (the same credits are in that month's statement too, as a
bank sends them: the import records them once).

A statement's balances come before its entries, but are known only after them: the entries of each
month go to a temporary fragment file as they come, and the statement is put together at the end
(header, balances, then the fragment copied). Memory does not grow with the number of movements.
The entries of a month are in the order of the customers, not of the days (a bank would sort them
by day; the import does not care).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import IO
from xml.sax.saxutils import escape

from creditbox.generator.model import BankMovement

STATEMENT_NS = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"
NOTIFICATION_NS = "urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"
OPENING_BALANCE = Decimal("250000.00")
NOTIFIED_DAYS = 5  # the notification carries the credits of the last days of the last month


@dataclass
class _Fragment:
    path: Path
    handle: IO[str]
    credits: Decimal = Decimal("0.00")
    debits: Decimal = Decimal("0.00")
    entries: int = 0


class BankFiles:
    """The camt files of one company, under ``folder``."""

    def __init__(self, folder: Path, company: str, account_iban: str, months: list[date], until: date) -> None:
        self.folder = folder
        self.company = company
        self.account = account_iban
        self.months = months
        self.until = until
        self.notify_from = until - timedelta(days=NOTIFIED_DAYS - 1)
        self.fragments: dict[date, _Fragment] = {}
        self.notified: _Fragment | None = None
        self.written: list[Path] = []
        folder.mkdir(parents=True, exist_ok=True)

    def add(self, movement: BankMovement) -> None:
        month = movement.booked.replace(day=1)
        if month < self.months[0] or movement.booked > self.until:
            raise ValueError(f"movimento del {movement.booked} fuori dal periodo dei file della banca")
        fragment = self.fragments.get(month)
        if fragment is None:
            fragment = self.fragments[month] = self._fragment(f".{month:%Y-%m}.entries")
        _write(fragment, movement)
        if movement.credit and movement.booked >= self.notify_from:
            if self.notified is None:
                self.notified = self._fragment(".notifica.entries")
            _write(self.notified, movement)

    def close(self) -> list[Path]:
        """Write the files; returns their paths, statements in month order then the notification."""
        balance = OPENING_BALANCE
        for month in self.months:
            fragment = self.fragments.get(month) or self._fragment(f".{month:%Y-%m}.entries")
            fragment.handle.close()
            closing = balance + fragment.credits - fragment.debits
            last = _month_end(month, self.until)
            name = f"{self.company}-estratto-{month:%Y-%m}.xml"
            self._assemble(name, fragment, statement=(balance, closing, month, last))
            balance = closing
        if self.notified is not None:
            self.notified.handle.close()
            self._assemble(f"{self.company}-avviso-{self.until:%Y-%m-%d}.xml", self.notified, statement=None)
        return self.written

    def _fragment(self, suffix: str) -> _Fragment:
        path = self.folder / f"{self.company}{suffix}"
        return _Fragment(path, path.open("w", encoding="utf-8", newline="\n"))

    def _assemble(self, name: str, fragment: _Fragment, statement: tuple[Decimal, Decimal, date, date] | None) -> None:
        target = self.folder / name
        message_id = name.removesuffix(".xml").upper()
        if statement is not None:
            opening, closing, first, last = statement
            created = last
        else:
            created = self.until
        stamp = f"{created.isoformat()}T20:00:00"
        with target.open("w", encoding="utf-8", newline="\n") as out:
            out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
            ns = STATEMENT_NS if statement is not None else NOTIFICATION_NS
            body, report = ("BkToCstmrStmt", "Stmt") if statement is not None else ("BkToCstmrDbtCdtNtfctn", "Ntfctn")
            out.write(f'<Document xmlns="{ns}">\n<{body}>\n')
            out.write(f"<GrpHdr><MsgId>{message_id}</MsgId><CreDtTm>{stamp}</CreDtTm></GrpHdr>\n")
            out.write(f"<{report}><Id>{message_id}-1</Id><CreDtTm>{stamp}</CreDtTm>")
            out.write(f"<Acct><Id><IBAN>{self.account}</IBAN></Id></Acct>\n")
            if statement is not None:
                out.write(_balance("OPBD", opening, first - timedelta(days=1)))
                out.write(_balance("CLBD", closing, last))
            with fragment.path.open(encoding="utf-8") as entries:
                shutil.copyfileobj(entries, out, 1 << 20)
            out.write(f"</{report}>\n</{body}>\n</Document>\n")
        fragment.path.unlink()
        self.written.append(target)


def _month_end(month: date, until: date) -> date:
    following = (month + timedelta(days=32)).replace(day=1)
    return min(following - timedelta(days=1), until)


def _balance(kind: str, amount: Decimal, day: date) -> str:
    sign = "CRDT" if amount >= 0 else "DBIT"
    return (
        f'<Bal><Tp><CdOrPrtry><Cd>{kind}</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{abs(amount):.2f}</Amt>'
        f"<CdtDbtInd>{sign}</CdtDbtInd><Dt><Dt>{day.isoformat()}</Dt></Dt></Bal>\n"
    )


def _write(fragment: _Fragment, m: BankMovement) -> None:
    if m.credit:
        fragment.credits += m.amount
    else:
        fragment.debits += m.amount
    fragment.entries += 1
    fragment.handle.write(entry_xml(m))


def entry_xml(m: BankMovement) -> str:
    """One ``Ntry`` with one transaction, in the element order of the 001.08 schema."""
    amount = f"{m.amount:.2f}"
    way = "CRDT" if m.credit else "DBIT"
    day = m.booked.isoformat()
    domain, family, sub_family = m.family
    parts = [
        f'<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>{way}</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>',
        f"<BookgDt><Dt>{day}</Dt></BookgDt><ValDt><Dt>{day}</Dt></ValDt><AcctSvcrRef>{m.reference}</AcctSvcrRef>",
        f"<BkTxCd><Domn><Cd>{domain}</Cd><Fmly><Cd>{family}</Cd><SubFmlyCd>{sub_family}</SubFmlyCd></Fmly></Domn>",
        "</BkTxCd><NtryDtls><TxDtls><Refs>",
        f"<AcctSvcrRef>{m.reference}</AcctSvcrRef><EndToEndId>{escape(m.end_to_end)}</EndToEndId>",
        f"<TxId>{escape(m.tx_id)}</TxId></Refs>",
        f'<Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>{way}</CdtDbtInd>',
    ]
    if m.debtor or m.debtor_iban:
        parts.append("<RltdPties>")
        if m.debtor:
            parts.append(f"<Dbtr><Pty><Nm>{escape(m.debtor[:140])}</Nm></Pty></Dbtr>")
        if m.debtor_iban:
            parts.append(f"<DbtrAcct><Id><IBAN>{m.debtor_iban}</IBAN></Id></DbtrAcct>")
        parts.append("</RltdPties>")
    if m.text or m.rf:
        parts.append("<RmtInf>")
        if m.text:
            parts.append(f"<Ustrd>{escape(m.text[:140])}</Ustrd>")
        if m.rf:
            parts.append(f"<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp><Ref>{m.rf}</Ref>")
            parts.append("</CdtrRefInf></Strd>")
        parts.append("</RmtInf>")
    if m.return_reason:
        parts.append(f"<RtrInf><Rsn><Cd>{m.return_reason}</Cd></Rsn></RtrInf>")
    parts.append("</TxDtls></NtryDtls></Ntry>\n")
    return "".join(parts)
