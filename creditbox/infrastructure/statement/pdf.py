"""The statement of account as a PDF (A4 landscape, Italian), with the letters' font and house style.

Top to bottom: the company's name and the title with the date; the customer; the totals, principal and
interest apart; the bills with their limitation flag; the movements in date order with the running
balances; the interest per bill and rate period with the rates' sources; the notes. Every page carries
the customer's reference and *Pagina n di N*; tables repeat their heading on each page.

The same statement gives the same bytes: the document's date is the statement's date, and the font
(DejaVu Sans, shipped with the package) is embedded as the same subset.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time
from importlib.resources import as_file, files

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from creditbox.application.statement import Statement
from creditbox.domain.money import ZERO, format_euro
from creditbox.infrastructure.letters.pdf import FONT, FONT_FILES

LEFT = 15.0  # mm
WIDTH = 267.0  # A4 landscape between the margins

TOTAL_WIDTHS = (90, 40, 137)
BILL_HEADINGS = (
    "Bolletta",
    "Fornitura",
    "Servizio",
    "Emissione",
    "Scadenza",
    "Importo",
    "Pagato",
    "Residuo",
    "Gg ritardo",
    "Interessi",
    "Indennizzo",
    "Prescrizione",
)
BILL_WIDTHS = (26, 22, 22, 20, 20, 23, 23, 23, 15, 20, 20, 33)
MOVEMENT_HEADINGS = (
    "Data",
    "Tipo",
    "Documento",
    "Descrizione",
    "Addebito",
    "Accredito",
    "Saldo capitale",
    "Interessi e indennizzi",
    "Saldo complessivo",
)
MOVEMENT_WIDTHS = (19, 27, 24, 82, 22, 22, 23, 24, 24)
INTEREST_HEADINGS = ("Bolletta", "Dal", "Al", "Giorni", "Base", "Tasso %", "Interessi", "Fonte del tasso")
INTEREST_WIDTHS = (26, 20, 20, 14, 25, 16, 22, 124)


class _StatementPdf(FPDF):
    def __init__(self, reference: str) -> None:
        super().__init__(orientation="landscape", unit="mm", format="A4")
        self._reference = reference
        self.set_margins(LEFT, 12, LEFT)
        self.set_auto_page_break(True, margin=16)
        self.alias_nb_pages()
        for style, name in FONT_FILES.items():
            with as_file(files("creditbox").joinpath("data", "fonts", name)) as path:
                self.add_font(FONT, style, str(path))
        self.set_font(FONT, size=9)

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font(FONT, size=7)
        self.cell(WIDTH * 0.75, 4, self._reference, new_x=XPos.RIGHT, new_y=YPos.TOP)
        self.cell(WIDTH * 0.25, 4, f"Pagina {self.page_no()} di {{nb}}", align="R")


def render_pdf(statement: Statement) -> bytes:
    reference = f"Estratto conto {statement.company} - cliente {statement.customer_code} al {statement.as_of:%d/%m/%Y}"
    pdf = _StatementPdf(reference)
    pdf.set_creation_date(datetime.combine(statement.as_of, time(12, 0), tzinfo=UTC))
    pdf.set_title(f"Estratto conto - {statement.customer_name}")
    pdf.set_author(statement.company_name)
    pdf.set_subject(reference)
    pdf.set_creator("CreditBox")
    pdf.set_producer("CreditBox")
    pdf.set_lang("it-IT")
    pdf.add_page()
    _heading(pdf, statement)
    _totals(pdf, statement)
    _bills(pdf, statement)
    _movements(pdf, statement)
    _interest(pdf, statement)
    _notes(pdf, statement)
    return bytes(pdf.output())


def _heading(pdf: FPDF, statement: Statement) -> None:
    pdf.set_font(FONT, "B", 13)
    pdf.cell(WIDTH, 7, statement.company_name, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "B", 12)
    pdf.cell(WIDTH, 7, f"Estratto conto al {statement.as_of:%d/%m/%Y}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=9)
    lines = [f"Cliente {statement.customer_code} - {statement.customer_name} ({statement.customer_type.label})"]
    identifiers = [
        f"Codice fiscale {statement.fiscal_code}" if statement.fiscal_code else "",
        f"P. IVA {statement.vat_number}" if statement.vat_number else "",
    ]
    if any(identifiers):
        lines.append(" - ".join(i for i in identifiers if i))
    lines.append(f"Interessi di mora: {statement.regime.label}")
    for line in lines:
        pdf.multi_cell(WIDTH, 5, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)


def _section(pdf: FPDF, title: str) -> None:
    if pdf.get_y() > pdf.h - 40:
        pdf.add_page()
    pdf.set_font(FONT, "B", 10)
    pdf.cell(WIDTH, 6, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=8)


def _table(
    pdf: FPDF, headings: Sequence[str], widths: Sequence[int], rows: Sequence[Sequence[str]], align: Sequence[str]
) -> None:
    with pdf.table(
        col_widths=widths,
        width=sum(widths),
        align="LEFT",
        text_align=tuple(align),
        line_height=4.5,
        repeat_headings=1,
        first_row_as_headings=True,
    ) as table:
        table.row(headings)
        for row in rows:
            table.row(row)
    pdf.ln(3)


def _totals(pdf: FPDF, statement: Statement) -> None:
    _section(pdf, "Riepilogo")
    barred = statement.time_barred
    rows = [
        ("Bollette emesse", format_euro(statement.billed), f"{len(statement.bills)} bollette"),
        ("Note di credito", format_euro(statement.credited), ""),
        ("Pagamenti (al netto degli storni)", format_euro(statement.paid), ""),
        ("Capitale residuo", format_euro(statement.principal), "bollette - note di credito - pagamenti"),
        ("Interessi di mora", format_euro(statement.interest_total), "dettaglio per bolletta e periodo più avanti"),
        ("Indennizzi forfettari", format_euro(statement.compensation_total), "D.Lgs. 231/2002 art. 6"),
        ("Totale dovuto", format_euro(statement.total), "capitale + interessi + indennizzi"),
        ("Credito non imputato", format_euro(statement.credit), ""),
        (
            "Prescrivibili (L. 205/2017)",
            format_euro(sum((b.residual for b in barred), ZERO)),
            ", ".join(b.number for b in barred) or "nessuna",
        ),
    ]
    _table(pdf, ("Voce", "Importo", "Dettaglio"), TOTAL_WIDTHS, rows, ("LEFT", "RIGHT", "LEFT"))


def _bills(pdf: FPDF, statement: Statement) -> None:
    _section(pdf, "Bollette")
    rows = [
        (
            b.number,
            b.supply_code,
            b.service.label if b.service is not None else "",
            f"{b.issue_date:%d/%m/%Y}",
            f"{b.due_date:%d/%m/%Y}",
            format_euro(b.amount),
            format_euro(b.settled),
            format_euro(b.residual),
            str(b.days_late),
            format_euro(b.interest),
            format_euro(b.compensation),
            b.limitation.label if b.limitation is not None else "",
        )
        for b in statement.bills
    ]
    align = ("LEFT", "LEFT", "LEFT", "CENTER", "CENTER", *("RIGHT",) * 6, "LEFT")
    _table(pdf, BILL_HEADINGS, BILL_WIDTHS, rows, align)


def _movements(pdf: FPDF, statement: Statement) -> None:
    _section(pdf, "Movimenti")
    rows = [
        (
            f"{m.day:%d/%m/%Y}",
            m.kind.value,
            m.document,
            m.description,
            format_euro(m.debit) if m.debit else "",
            format_euro(m.credit) if m.credit else "",
            format_euro(m.principal_balance),
            format_euro(m.interest + m.compensation) if m.interest or m.compensation else "",
            format_euro(m.balance),
        )
        for m in statement.movements
    ]
    align = ("CENTER", "LEFT", "LEFT", "LEFT", *("RIGHT",) * 5)
    _table(pdf, MOVEMENT_HEADINGS, MOVEMENT_WIDTHS, rows, align)
    pdf.set_font(FONT, "B", 9)
    pdf.cell(
        WIDTH,
        5,
        f"Capitale {format_euro(statement.principal)} + interessi {format_euro(statement.interest_total)} "
        f"+ indennizzi {format_euro(statement.compensation_total)} = totale dovuto {format_euro(statement.total)}",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(3)


def _interest(pdf: FPDF, statement: Statement) -> None:
    _section(pdf, "Calcolo degli interessi di mora (per bolletta e periodo)")
    lines = statement.interest_lines
    if not lines:
        pdf.cell(WIDTH, 5, "Nessun interesse maturato.", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(3)
        return
    rows = [
        (
            line.bill_number,
            f"{line.start:%d/%m/%Y}",
            f"{line.end:%d/%m/%Y}",
            str(line.days),
            format_euro(line.base),
            f"{line.rate:.2f}".replace(".", ","),
            format_euro(line.amount),
            line.source,
        )
        for line in lines
    ]
    align = ("LEFT", "CENTER", "CENTER", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "LEFT")
    _table(pdf, INTEREST_HEADINGS, INTEREST_WIDTHS, rows, align)
    pdf.set_font(FONT, "B", 9)
    pdf.cell(
        WIDTH, 5, f"Totale interessi: {format_euro(statement.interest_total)}", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.ln(3)


def _notes(pdf: FPDF, statement: Statement) -> None:
    _section(pdf, "Note")
    for note in statement.notes:
        pdf.multi_cell(WIDTH, 4.5, f"- {note}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
