"""The files sent to the offices: the technical office's list (*Invio elenco a Uff. Tec.*) and the
agency's assignment batch (Excel workbook and ``;`` CSV), in the house style of the exports.

The bytes depend on the content only: the workbook's creation and modification dates are the
batch's business date, and every member of the archive carries that date — so the same batch
written twice gives the same file, byte for byte (its hash can be checked by the office).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from creditbox.application.agency import Assignment
from creditbox.application.technical_office import TechnicalRequest
from creditbox.domain.money import format_euro
from creditbox.infrastructure.excel.writer import FORMULA_PREFIXES, Column, Kind, SheetSpec, build_workbook

TECHNICAL_SHEET = "Invio elenco a Uff. Tec."
TECHNICAL_COLUMNS = (
    Column("Tipo richiesta"),
    Column("Riferimento", width=34),
    Column("Codice cliente"),
    Column("Nominativo"),
    Column("Codice fornitura"),
    Column("Servizio"),
    Column("Indirizzo fornitura"),
    Column("Matricola / POD-PDR"),
    Column("Importo scaduto", Kind.EURO),
    Column("Data richiesta", Kind.DATE),
    Column("Pratica"),
    # Filled in by the office and sent back (inbound kind ``ufficio-tecnico``).
    Column("Data pianificata", Kind.DATE, width=16),
    Column("Esito", width=16),
    Column("Data esito", Kind.DATE, width=14),
    Column("Motivo", width=30),
)


def deterministic_xlsx(sheets: Sequence[SheetSpec], on: date, title: str) -> bytes:
    """The workbook's bytes, the same for the same sheets, date and title."""
    workbook = build_workbook(sheets)
    moment = datetime(on.year, on.month, on.day)
    workbook.properties.created = moment
    workbook.properties.modified = moment
    workbook.properties.title = title
    workbook.properties.creator = "CreditBox"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _fixed_archive(buffer.getvalue(), moment)


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _fixed_archive(data: bytes, moment: datetime) -> bytes:
    """The archive again with every member dated ``moment`` (openpyxl dates them, and the workbook's
    modification, with the wall clock)."""
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            content = source.read(member.filename)
            if member.filename == "docProps/core.xml":
                content = _MODIFIED.sub(rb"\g<1>" + stamp + rb"\g<2>", content)
            info = zipfile.ZipInfo(member.filename, date_time=moment.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = member.external_attr
            target.writestr(info, content)
    return out.getvalue()


def technical_list(batch_id: str, business_date: date, requests: Sequence[TechnicalRequest]) -> bytes:
    rows = [
        (
            r.request_type,
            r.action_key,
            r.customer_code,
            r.customer_name,
            r.supply_code,
            r.service,
            r.supply_address,
            r.meter,
            r.overdue,
            r.requested_on,
            r.case_id,
            None,
            None,
            None,
            None,
        )
        for r in requests
    ]
    return deterministic_xlsx([SheetSpec(TECHNICAL_SHEET, TECHNICAL_COLUMNS, rows)], business_date, batch_id)


# ---- the agency -----------------------------------------------------------------------------------

ASSIGNMENT_COLUMNS = (
    Column("Riferimento affidamento", width=34),
    Column("Data affidamento", Kind.DATE),
    Column("Agenzia"),
    Column("Codice cliente"),
    Column("Nominativo"),
    Column("Codice fiscale / P. IVA"),
    Column("Indirizzo"),
    Column("CAP"),
    Column("Comune"),
    Column("Provincia"),
    Column("Cellulare"),
    Column("E-mail"),
    Column("PEC"),
    Column("Codice fornitura"),
    Column("Servizio"),
    Column("Indirizzo fornitura"),
    Column("Pratica"),
    Column("Bollette", Kind.INTEGER),
    Column("Totale scaduto", Kind.EURO),
)
BILL_COLUMNS = (
    Column("Riferimento affidamento", width=34),
    Column("Numero bolletta"),
    Column("Codice fornitura"),
    Column("Data emissione", Kind.DATE),
    Column("Data scadenza", Kind.DATE),
    Column("Importo", Kind.EURO),
    Column("Residuo", Kind.EURO),
)
NOTICE_COLUMNS = (
    Column("Riferimento affidamento", width=34),
    Column("Passo", Kind.INTEGER),
    Column("Azione"),
    Column("Descrizione"),
    Column("Data invio", Kind.DATE),
    Column("Esito"),
    Column("Data esito", Kind.DATE),
)
CSV_HEADERS = (
    *(c.header for c in ASSIGNMENT_COLUMNS),
    "Numero bolletta",
    "Data emissione",
    "Data scadenza",
    "Importo bolletta",
    "Residuo",
    "Solleciti inviati",
)


def _customer_cells(a: Assignment) -> tuple[object, ...]:
    return (
        a.reference,
        a.assigned_on,
        a.agency,
        a.customer_code,
        a.customer_name,
        a.tax_code,
        a.street,
        a.postcode,
        a.town,
        a.province,
        a.mobile,
        a.email,
        a.pec,
        a.supply_code,
        a.service,
        a.supply_address,
        a.case_id,
        len(a.bills),
        a.total,
    )


def assignment_workbook(batch_id: str, business_date: date, assignments: Sequence[Assignment]) -> bytes:
    sheets = [
        SheetSpec("Affidamenti", ASSIGNMENT_COLUMNS, [_customer_cells(a) for a in assignments]),
        SheetSpec(
            "Bollette",
            BILL_COLUMNS,
            [
                (a.reference, b.number, b.supply_code or a.supply_code, b.issue_date, b.due_date, b.amount, b.residual)
                for a in assignments
                for b in a.bills
            ],
        ),
        SheetSpec(
            "Solleciti",
            NOTICE_COLUMNS,
            [
                (a.reference, n.seq, n.action, n.description, n.sent_on, n.outcome or "nessun esito", n.outcome_on)
                for a in assignments
                for n in a.notices
            ],
        ),
    ]
    return deterministic_xlsx(sheets, business_date, batch_id)


def _csv_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format_euro(value).removesuffix(" €")
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _notices_text(a: Assignment) -> str:
    parts = []
    for n in a.notices:
        sent = f" del {n.sent_on:%d/%m/%Y}" if n.sent_on else ""
        outcome = f": {n.outcome}" + (f" il {n.outcome_on:%d/%m/%Y}" if n.outcome_on else "") if n.outcome else ""
        parts.append(f"{n.seq}. {n.action}{sent}{outcome}")
    return " | ".join(parts)


def assignment_csv(assignments: Sequence[Assignment]) -> bytes:
    """One line per overdue bill (one line with empty bill fields for an assignment without bills),
    ``;``-separated, Italian amounts and dates, UTF-8 with a byte-order mark (Excel reads it as such)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADERS)
    for a in assignments:
        customer = [_csv_value(v) for v in _customer_cells(a)]
        notices = _notices_text(a)
        bills = a.bills or (None,)
        for b in bills:
            cells = (b.number, b.issue_date, b.due_date, b.amount, b.residual) if b is not None else (None,) * 5
            writer.writerow([*customer, *(_csv_value(v) for v in cells), _csv_value(notices)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def assignment_files(batch_id: str, business_date: date, assignments: Sequence[Assignment]) -> tuple[bytes, bytes]:
    return assignment_workbook(batch_id, business_date, assignments), assignment_csv(assignments)
