"""Reading ISO 20022 bank files (``camt.053`` statements, ``camt.054`` notifications), safely and
streamed.

Versions ``001.02``, ``001.04`` and ``001.08`` are read; the element names that differ between them
(``Sts`` as text or ``Sts/Cd``, ``Dbtr/Nm`` or ``Dbtr/Pty/Nm``, the transaction's amount in ``Amt``
or only in ``AmtDtls``) are read wherever each version puts them, by local name.

Safety: the XML is parsed by lxml without entities, DTDs or network (``resolve_entities=False,
no_network=True, load_dtd=False``) and a file declaring a ``DOCTYPE`` or an ``ENTITY`` is refused
before parsing: no entity expansion, no external entity, no request anywhere.

Memory: the file is read with ``iterparse`` and each entry (``Ntry``) is dropped once read, so a
statement of any length holds one entry at a time.

Validation (:meth:`CamtReader.check`, before anything is recorded, so a bad file is refused whole):
version ``001.08`` against the official ISO 20022 schemas shipped in ``creditbox/data/iso20022``,
streamed too; versions ``001.02`` and ``001.04`` by structure only (their schemas are not shipped):
the elements this reader needs must be there and well formed. Either way a refusal names the line
and the element.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from io import BytesIO
from typing import Any

from lxml import etree

from creditbox.application.bank_files import BankFileRefused
from creditbox.domain.bank import (
    BankFileInfo,
    BankTransaction,
    StatementBalances,
    TransactionCode,
    TransactionIds,
)

NAMESPACE = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:(camt\.05[34])\.001\.(0[248])$")
ROOTS = {"camt.053": ("BkToCstmrStmt", "Stmt"), "camt.054": ("BkToCstmrDbtCdtNtfctn", "Ntfctn")}
SCHEMA_VERSIONS = frozenset({"08"})  # versions validated by the official schema
_DECLARATION = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
# An invalid file is validated again as a whole tree to name the line of the first error, up to this size.
LOCATE_LIMIT = 64 << 20
_ENTRY_TAG = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?Ntry[\s>]")
OPENING = ("OPBD", "PRCD")
CLOSING = ("CLBD",)
BOOKED = "BOOK"


@dataclass(frozen=True)
class Header:
    message: str
    version: str
    namespace: str


def _parse_options() -> dict[str, Any]:
    return {"resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": False}


@cache
def _schema(message: str, version: str) -> etree.XMLSchema:
    source = resources.files("creditbox").joinpath("data", "iso20022", f"{message}.001.{version}.xsd")
    with source.open("rb") as stream:
        document = etree.parse(stream, etree.XMLParser(**_parse_options()))
    return etree.XMLSchema(document)


def local(element: Any) -> str:
    return str(etree.QName(element).localname)


class CamtReader:
    """Reads the bank's ``camt.053`` / ``camt.054`` files (the application's ``BankFileReader``)."""

    def check(self, content: bytes) -> BankFileInfo:
        """The file's kind, version and message id, once it is known safe and valid; otherwise
        :class:`BankFileRefused` (Italian, with the line and the element)."""
        header = self._header(content)
        validated = header.version in SCHEMA_VERSIONS
        if validated:
            self._validate(content, header)
        message_id = ""
        entries = 0
        for item in self._items(content, header):
            if isinstance(item, str):
                message_id = item
            elif isinstance(item, BankTransaction):
                entries += 1
        return BankFileInfo(header.message, f"001.{header.version}", message_id, validated, entries)

    def count(self, content: bytes) -> int:
        """How many entries the file has, for a progress bar (a count of the ``Ntry`` tags)."""
        return len(_ENTRY_TAG.findall(content))

    def read(self, content: bytes) -> Iterator[BankTransaction | StatementBalances]:
        """The file's transactions, in order, and after each statement its balances. Call after
        :meth:`check`."""
        header = self._header(content)
        for item in self._items(content, header):
            if not isinstance(item, str):
                yield item

    # ---- safety and kind ------------------------------------------------------------------------

    def _header(self, content: bytes) -> Header:
        if _DECLARATION.search(content[:65536]) is not None:
            raise BankFileRefused(
                "file rifiutato: dichiara un DOCTYPE o delle entità XML, che un file della banca non contiene"
                " (nessuna entità viene espansa, nessun riferimento esterno seguito)"
            )
        try:
            for _, element in etree.iterparse(BytesIO(content), events=("start",), **_parse_options()):
                tree = element.getroottree()
                if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
                    raise BankFileRefused("file rifiutato: dichiara un DOCTYPE, che un file della banca non contiene")
                return _header_of(element)
        except etree.XMLSyntaxError as error:
            raise BankFileRefused(f"XML non leggibile: riga {error.lineno}: {_message(error)}") from None
        raise BankFileRefused("file vuoto: nessun elemento XML")

    def _validate(self, content: bytes, header: Header) -> None:
        """Streamed validation against the official schema; on an error, the line and the element
        (from a whole-tree validation when the file is small enough to hold)."""
        schema = _schema(header.message, header.version)
        try:
            for _, element in etree.iterparse(
                BytesIO(content), events=("end",), tag="{*}Ntry", schema=schema, **_parse_options()
            ):
                _drop(element)
        except etree.XMLSyntaxError as error:
            name = f"{header.message}.001.{header.version}"
            where = f"riga {error.lineno}" if error.lineno else self._locate(content, schema)
            raise BankFileRefused(
                f"file non valido secondo lo schema ISO 20022 {name}: {where}: {_message(error)}"
            ) from None

    def _locate(self, content: bytes, schema: etree.XMLSchema) -> str:
        if len(content) > LOCATE_LIMIT:
            return "posizione non determinata (file troppo grande per indicarla)"
        tree = etree.parse(BytesIO(content), etree.XMLParser(**_parse_options()))
        schema.validate(tree)
        for entry in schema.error_log:
            if entry.line:
                node = tree.xpath(entry.path)[0] if entry.path else None
                name = f", elemento {local(node)}" if node is not None else ""
                return f"riga {entry.line}{name}"
        return "posizione non determinata"

    # ---- entries --------------------------------------------------------------------------------

    def _items(self, content: bytes, header: Header) -> Iterator[str | BankTransaction | StatementBalances]:
        """The message id (a ``str``), then the transactions and each statement's balances."""
        report_tag = ROOTS[header.message][1]
        tags = ("{*}GrpHdr", "{*}Ntry", "{*}" + report_tag)
        credits = debits = Decimal("0.00")
        try:
            for _, element in etree.iterparse(BytesIO(content), events=("end",), tag=tags, **_parse_options()):
                name = local(element)
                if name == "GrpHdr":
                    yield _required_text(element, "MsgId")
                elif name == "Ntry":
                    entry = _Entry(element, header.version)
                    if entry.booked:
                        if entry.credit:
                            credits += entry.amount
                        else:
                            debits += entry.amount
                        yield from entry.transactions()
                    _drop(element)
                else:
                    if header.message == "camt.053":
                        yield _balances(element, credits, debits)
                    credits = debits = Decimal("0.00")
                    _drop(element)
        except etree.XMLSyntaxError as error:
            raise BankFileRefused(f"XML non leggibile: riga {error.lineno}: {_message(error)}") from None


def _header_of(root: Any) -> Header:
    namespace = etree.QName(root).namespace or ""
    match = NAMESPACE.match(namespace)
    if local(root) != "Document" or match is None:
        raise BankFileRefused(
            "non è un file della banca ISO 20022 camt.053 o camt.054 (versioni 001.02, 001.04, 001.08): "
            f"elemento radice {local(root)!r}, spazio dei nomi {namespace or 'assente'!r}"
        )
    message, version = match.group(1), match.group(2)
    return Header(message, version, namespace)


def _drop(element: Any) -> None:
    """Forget an element once read, so that memory stays bounded: emptied and taken out of its parent
    (at its end event the parser is done with it)."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        parent.remove(element)


def _message(error: etree.XMLSyntaxError) -> str:
    """The parser's message without the namespaces (``{urn:…}Amt`` → ``Amt``)."""
    text = str(error.msg if hasattr(error, "msg") and error.msg else error)
    text = re.sub(r"\{urn:iso:std:iso:20022:tech:xsd:[^}]*\}", "", text)
    return re.sub(r"\s*\(<string>, line \d+\)$", "", text)


def _refuse(element: Any, what: str) -> BankFileRefused:
    return BankFileRefused(f"file non valido: riga {element.sourceline}, elemento {local(element)}: {what}")


def _text(element: Any, path: str) -> str | None:
    found = element.find(_qualified(path))
    if found is None or found.text is None:
        return None
    text = str(found.text).strip()
    return text or None


def _required_text(element: Any, path: str) -> str:
    value = _text(element, path)
    if value is None:
        raise _refuse(element, f"manca {path}")
    return value


@cache
def _qualified(path: str) -> str:
    return "/".join("{*}" + part for part in path.split("/"))


def _amount(element: Any, path: str) -> tuple[Decimal, str] | None:
    found = element.find(_qualified(path))
    if found is None:
        return None
    try:
        value = Decimal((found.text or "").strip())
    except InvalidOperation:
        raise _refuse(found, f"importo non valido: {found.text!r}") from None
    if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.00001")):
        raise _refuse(found, f"importo non valido: {found.text!r}")
    currency = str(found.get("Ccy") or "").strip()
    if not currency:
        raise _refuse(found, "manca la valuta (attributo Ccy)")
    return value, currency


def _indicator(element: Any, path: str, default: bool | None = None) -> bool:
    value = _text(element, path)
    if value is None:
        if default is None:
            raise _refuse(element, f"manca {path}")
        return default
    if value in ("CRDT", "true", "1"):
        return True
    if value in ("DBIT", "false", "0"):
        return False
    raise _refuse(element, f"{path} non valido: {value!r}")


def _date(element: Any, path: str) -> date | None:
    container = element.find(_qualified(path))
    if container is None:
        return None
    value = _text(container, "Dt") or _text(container, "DtTm")
    if value is None:
        raise _refuse(container, "manca Dt o DtTm")
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise _refuse(container, f"data non valida: {value!r}") from None


def _code(element: Any, fallback: TransactionCode | None = None) -> TransactionCode:
    found = element.find("{*}BkTxCd")
    if found is None:
        return fallback or TransactionCode()
    code = TransactionCode(
        _text(found, "Domn/Cd"),
        _text(found, "Domn/Fmly/Cd"),
        _text(found, "Domn/Fmly/SubFmlyCd"),
        _text(found, "Prtry/Cd"),
    )
    return code if code.text() else (fallback or code)


class _Entry:
    """One ``Ntry``: its own data, and its transactions (``NtryDtls/TxDtls``, or the entry itself)."""

    def __init__(self, element: Any, version: str) -> None:
        self.element = element
        amount = _amount(element, "Amt")
        if amount is None:
            raise _refuse(element, "manca Amt")
        self.amount, self.currency = amount
        self.credit = _indicator(element, "CdtDbtInd")
        self.reversal = _indicator(element, "RvslInd", False)
        status = _text(element, "Sts/Cd") or _text(element, "Sts/Prtry") or _text(element, "Sts")
        if status is None:
            raise _refuse(element, "manca Sts (stato della scrittura)")
        self.booked = status == BOOKED
        self.booking_date = _date(element, "BookgDt")
        self.value_date = _date(element, "ValDt")
        self.bank_ref = _text(element, "AcctSvcrRef")
        self.code = _code(element)

    def transactions(self) -> Iterator[BankTransaction]:
        details = self.element.findall("{*}NtryDtls/{*}TxDtls")
        if not details:
            yield self._transaction(None, single=True)
            return
        for detail in details:
            yield self._transaction(detail, single=len(details) == 1)

    def _transaction(self, detail: Any, *, single: bool) -> BankTransaction:
        e = self.element
        source = detail if detail is not None else e
        amount: tuple[Decimal, str] | None = None
        if detail is not None:
            amount = (
                _amount(detail, "Amt")
                or _amount(detail, "AmtDtls/TxAmt/Amt")
                or _amount(detail, "AmtDtls/InstdAmt/Amt")
            )
        if amount is None:
            if not single:
                raise _refuse(detail, "importo della transazione mancante in una scrittura con più transazioni")
            amount = (self.amount, self.currency)
        credit = _indicator(detail, "CdtDbtInd", self.credit) if detail is not None else self.credit
        refs = detail.find("{*}Refs") if detail is not None else None
        bank_ref = (_text(refs, "AcctSvcrRef") if refs is not None else None) or (self.bank_ref if single else None)
        ids = TransactionIds(
            bank_ref,
            _text(refs, "EndToEndId") if refs is not None else None,
            _text(refs, "TxId") if refs is not None else None,
        )
        remittance: tuple[str, ...] = ()
        references: tuple[str, ...] = ()
        debtor_name = debtor_iban = return_reason = None
        if detail is not None:
            remittance = tuple(
                str(u.text).strip() for u in detail.findall("{*}RmtInf/{*}Ustrd") if u.text and u.text.strip()
            )
            references = tuple(
                str(r.text).strip()
                for r in detail.findall("{*}RmtInf/{*}Strd/{*}CdtrRefInf/{*}Ref")
                if r.text and r.text.strip()
            )
            parties = detail.find("{*}RltdPties")
            if parties is not None:
                debtor_name = _text(parties, "Dbtr/Pty/Nm") or _text(parties, "Dbtr/Nm")
                debtor_iban = _text(parties, "DbtrAcct/Id/IBAN")
            returned = detail.find("{*}RtrInf")
            if returned is not None:
                return_reason = _text(returned, "Rsn/Cd") or _text(returned, "Rsn/Prtry") or "RTRN"
        return BankTransaction(
            line=int(source.sourceline or 0),
            credit=credit,
            amount=amount[0],
            currency=amount[1],
            booking_date=self.booking_date,
            value_date=self.value_date,
            ids=ids,
            code=_code(detail, self.code) if detail is not None else self.code,
            reversal=self.reversal,
            return_reason=return_reason,
            debtor_name=debtor_name,
            debtor_iban=debtor_iban.replace(" ", "").upper() if debtor_iban else None,
            remittance=remittance,
            references=references,
            mandate_id=_text(refs, "MndtId") if refs is not None else None,
        )


def _balances(report: Any, credits: Decimal, debits: Decimal) -> StatementBalances:
    opening = closing = None
    for balance in report.findall("{*}Bal"):
        kind = _text(balance, "Tp/CdOrPrtry/Cd")
        amount = _amount(balance, "Amt")
        if amount is None:
            raise _refuse(balance, "manca Amt")
        signed = amount[0] if _indicator(balance, "CdtDbtInd") else -amount[0]
        if kind in OPENING and opening is None:
            opening = signed
        elif kind in CLOSING:
            closing = signed
    account = _text(report, "Acct/Id/IBAN") or _text(report, "Acct/Id/Othr/Id")
    return StatementBalances(
        statement_id=_text(report, "Id") or "",
        account=account,
        line=int(report.sourceline or 0),
        opening=opening,
        closing=closing,
        credits=credits,
        debits=debits,
    )
