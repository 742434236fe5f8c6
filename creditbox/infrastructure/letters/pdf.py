"""One letter as a PDF (A4, Italian): friendly reminder, registered letter A/R, suspension notice.

The layout works with any body text (the company's template fills ``ChannelMessage.text``): the
body flows over as many pages as it needs, and the table of the overdue bills repeats its heading on
each page. What the page holds, top to bottom:

- the company's letterhead (``ChannelMessage.letterhead``);
- for a registered letter, the *raccomandata* box (its number is written in by the post office or
  the provider) on the left, beside the address;
- the customer's name and postal address where the window of a DL envelope with a right-hand window
  shows it (110 mm from the left, 50 mm from the top);
- place and date (the action's business date), subject, the customer's references;
- the body; the bills (number, issue date, due date, amount, residual), the total and the deadline;
- how to pay (IBAN and the company's instructions);
- for a registered letter, the data of the return card (*avviso di ricevimento*): sender, recipient
  and the reference;
- on every page, the reference line with the action key: the postal provider's outcomes name the
  letter by it.

The same message gives the same bytes: the document's dates come from the business date, its id from
its content, and the font (DejaVu Sans, shipped in the package with its licence: the PDF core fonts
have no euro sign beyond Latin-1) is embedded as the same subset.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time
from importlib.resources import as_file, files

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from creditbox.application.letters import LetterKind, letter_kind
from creditbox.application.notices import Letterhead, Notice
from creditbox.application.ports import ChannelError, ChannelMessage
from creditbox.domain.money import format_euro

FONT = "DejaVu"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}

LEFT = 20.0  # mm
WIDTH = 170.0  # text width between the margins
WINDOW_X, WINDOW_Y, WINDOW_W, WINDOW_H = 110.0, 50.0, 85.0, 35.0  # the envelope's window
BILL_COLUMNS = ("Numero bolletta", "Emissione", "Scadenza", "Importo", "Residuo")
BILL_WIDTHS = (50, 28, 28, 32, 32)


@dataclass(frozen=True)
class RenderedLetter:
    """A letter rendered: its PDF bytes, pages and kind."""

    content: bytes
    pages: int
    kind: LetterKind


class LetterError(ChannelError):
    """The message cannot be a letter (no structured content, no postal address, not a letter's
    channel): the outbox tries again, then records the failure on the *invii falliti* worklist."""


def kind_of(message: ChannelMessage) -> LetterKind:
    notice = _notice(message)
    try:
        return letter_kind(message.channel, notice.action_code, notice.action_label, notice.parameters)
    except ValueError as error:
        raise LetterError(f"lettera {message.action_key}: {error}") from error


def render_letter(message: ChannelMessage) -> RenderedLetter:
    """The PDF of the letter of ``message`` (which must carry its ``notice`` with a postal address)."""
    notice = _notice(message)
    if notice.address is None or not notice.address.lines():
        raise LetterError(f"lettera {message.action_key}: indirizzo postale del cliente mancante")
    kind = kind_of(message)
    letterhead = message.letterhead or Letterhead(name=notice.company)
    pdf = _LetterPdf(notice.action_key)
    pdf.set_creation_date(datetime.combine(notice.business_date, time(12, 0), tzinfo=UTC))
    pdf.set_title(f"{kind.label} - {notice.customer_name}")
    pdf.set_author(letterhead.name)
    pdf.set_subject(message.subject)
    pdf.set_creator("CreditBox")
    pdf.set_producer("CreditBox")
    pdf.set_lang("it-IT")
    pdf.add_page()
    _letterhead(pdf, letterhead)
    below = WINDOW_Y + WINDOW_H
    if kind.registered:  # left of the window, below a letterhead however long
        below = max(below, _registered_box(pdf, kind, max(WINDOW_Y, pdf.get_y() + 2)))
    below = max(below, _recipient(pdf, notice))
    _opening(pdf, message, notice, letterhead, kind, below + 8)
    _body(pdf, message.text)
    _bills(pdf, notice)
    _payment(pdf, notice, letterhead, kind)
    if kind.registered:
        _return_card(pdf, notice, letterhead)
    content = bytes(pdf.output())
    return RenderedLetter(content, pdf.pages_count, kind)


def _notice(message: ChannelMessage) -> Notice:
    if message.notice is None:
        raise LetterError(f"lettera {message.action_key}: il messaggio non porta i dati dell'avviso")
    return message.notice


class _LetterPdf(FPDF):
    def __init__(self, reference: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self._reference = reference
        self.set_margins(LEFT, 15, LEFT)
        self.set_auto_page_break(True, margin=22)
        self.alias_nb_pages()
        for style, name in FONT_FILES.items():
            with as_file(files("creditbox").joinpath("data", "fonts", name)) as path:
                self.add_font(FONT, style, str(path))
        self.set_font(FONT, size=10)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font(FONT, size=7)
        self.cell(WIDTH * 0.75, 4, f"Riferimento: {self._reference}", new_x=XPos.RIGHT, new_y=YPos.TOP)
        self.cell(WIDTH * 0.25, 4, f"Pagina {self.page_no()} di {{nb}}", align="R")


def _letterhead(pdf: FPDF, head: Letterhead) -> None:
    pdf.set_xy(LEFT, 15)
    pdf.set_font(FONT, "B", 13)
    pdf.multi_cell(85, 6, head.name, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=8)
    details = [*head.address]
    if head.vat_number:
        details.append(f"P. IVA {head.vat_number}")
    contacts = [f"Tel. {head.phone}" if head.phone else "", head.email, f"PEC {head.pec}" if head.pec else ""]
    details.extend(c for c in (" - ".join(c for c in contacts if c), head.website) if c)
    for line in details:
        pdf.multi_cell(85, 3.8, line, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _registered_box(pdf: FPDF, kind: LetterKind, top: float) -> float:
    """The registered-mail label and the box for its number; returns where it ends."""
    pdf.set_xy(LEFT, top)
    pdf.set_font(FONT, "B", 9)
    pdf.cell(80, 5, "RACCOMANDATA A/R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if kind is LetterKind.SUSPENSION_NOTICE:
        pdf.cell(80, 5, "PREAVVISO DI SOSPENSIONE", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=8)
    box = pdf.get_y() + 1
    pdf.rect(LEFT, box, 80, 14)
    pdf.set_xy(LEFT + 2, box + 1)
    pdf.cell(76, 4, "N. raccomandata", new_x=XPos.LEFT, new_y=YPos.NEXT)
    return box + 14


def _recipient(pdf: FPDF, notice: Notice) -> float:
    """The customer's name and address in the envelope's window; returns where they end."""
    assert notice.address is not None
    pdf.set_xy(WINDOW_X, WINDOW_Y)
    pdf.set_font(FONT, size=8)
    pdf.cell(WINDOW_W, 5, "Spett.le", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(FONT, "B", 10)
    pdf.multi_cell(WINDOW_W, 5, notice.customer_name, align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=10)
    for line in notice.address.lines():
        pdf.multi_cell(WINDOW_W, 5, line, align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)
    return float(pdf.get_y())


def _opening(
    pdf: FPDF, message: ChannelMessage, notice: Notice, head: Letterhead, kind: LetterKind, top: float
) -> None:
    pdf.set_xy(LEFT, top)
    pdf.set_font(FONT, size=10)
    place = _place(head)
    when = f"{notice.business_date:%d/%m/%Y}"
    pdf.cell(WIDTH, 5, f"{place}, {when}" if place else when, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    pdf.set_font(FONT, "B", 10)
    subject = message.subject or kind.label
    pdf.multi_cell(WIDTH, 5, f"Oggetto: {subject}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=8)
    references = [f"Codice cliente {notice.customer_code}", f"Pratica {notice.case_id}"]
    if notice.tax_code:
        references.append(f"Codice fiscale {notice.tax_code}")
    for supply in notice.supplies:
        where = f", {supply.address}" if supply.address else ""
        references.append(f"Fornitura {supply.code} ({supply.service}{where})")
    pdf.multi_cell(WIDTH, 4, " - ".join(references), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.multi_cell(WIDTH, 4, f"Rif. {notice.action_key} - {kind.label}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)


def _body(pdf: FPDF, text: str) -> None:
    pdf.set_font(FONT, size=10)
    for paragraph in text.replace("\r\n", "\n").replace("\t", "    ").split("\n"):
        if paragraph.strip():
            pdf.multi_cell(WIDTH, 5, paragraph, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        else:
            pdf.ln(3)
    pdf.ln(4)


def _bills(pdf: FPDF, notice: Notice) -> None:
    if not notice.bills:
        return
    pdf.set_font(FONT, "B", 10)
    pdf.cell(WIDTH, 6, "Bollette non pagate", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=9)
    with pdf.table(
        col_widths=BILL_WIDTHS,
        width=WIDTH,
        text_align=("LEFT", "CENTER", "CENTER", "RIGHT", "RIGHT"),
        line_height=5.5,
        repeat_headings=1,
        first_row_as_headings=True,
    ) as table:
        table.row(BILL_COLUMNS)
        for bill in notice.bills:
            table.row(
                (
                    bill.number,
                    f"{bill.issue_date:%d/%m/%Y}",
                    f"{bill.due_date:%d/%m/%Y}",
                    format_euro(bill.amount),
                    format_euro(bill.residual),
                )
            )
    pdf.ln(2)
    pdf.set_font(FONT, "B", 10)
    pdf.cell(WIDTH - BILL_WIDTHS[-1], 6, "Totale da pagare", align="R")
    pdf.cell(BILL_WIDTHS[-1], 6, format_euro(notice.total), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)


def _payment(pdf: FPDF, notice: Notice, head: Letterhead, kind: LetterKind) -> None:
    pdf.set_font(FONT, "B", 10)
    if notice.deadline is not None:
        pdf.multi_cell(
            WIDTH,
            5,
            f"Termine di pagamento: entro il {notice.deadline:%d/%m/%Y}",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
    if kind is LetterKind.SUSPENSION_NOTICE:
        pdf.set_font(FONT, size=9)
        pdf.multi_cell(
            WIDTH,
            4.5,
            "In mancanza del pagamento entro il termine indicato, la fornitura potrà essere sospesa "
            "senza ulteriore avviso, con addebito dei costi di sospensione e riattivazione.",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
    pdf.ln(2)
    pdf.set_font(FONT, "B", 10)
    pdf.cell(WIDTH, 6, "Come pagare", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=9)
    lines = []
    if head.iban:
        lines.append(f"Bonifico bancario intestato a {head.name} - IBAN {head.iban}")
        lines.append(f"Causale: codice cliente {notice.customer_code}, rif. {notice.action_key}")
    if head.payment_instructions:
        lines.extend(head.payment_instructions.replace("\r\n", "\n").split("\n"))
    lines.append("Se ha già provveduto al pagamento, La preghiamo di non tenere conto della presente.")
    for line in lines:
        pdf.multi_cell(WIDTH, 4.5, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)


def _return_card(pdf: FPDF, notice: Notice, head: Letterhead) -> None:
    """The data of the *avviso di ricevimento*, in a box that never breaks across pages."""
    assert notice.address is not None
    sender = [head.name, *head.address]
    recipient = [notice.customer_name, *notice.address.lines()]
    height = 12 + 4.5 * max(len(sender), len(recipient)) + 6
    if pdf.get_y() + height > pdf.h - 24:
        pdf.add_page()
    top = pdf.get_y()
    pdf.rect(LEFT, top, WIDTH, height)
    pdf.set_xy(LEFT + 2, top + 1.5)
    pdf.set_font(FONT, "B", 9)
    pdf.cell(WIDTH - 4, 5, "Dati per l'avviso di ricevimento (A/R)", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    half = (WIDTH - 6) / 2
    columns_top = pdf.get_y() + 1
    for offset, title, lines in ((2.0, "Mittente", sender), (4 + half, "Destinatario", recipient)):
        pdf.set_xy(LEFT + offset, columns_top)
        pdf.set_font(FONT, "B", 8)
        pdf.cell(half, 4.5, title, new_x=XPos.LEFT, new_y=YPos.NEXT)
        pdf.set_font(FONT, size=8)
        for line in lines:
            pdf.cell(half, 4.5, _fit(pdf, line, half - 1), new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_xy(LEFT + 2, top + height - 6)
    pdf.set_font(FONT, size=8)
    pdf.cell(WIDTH - 4, 5, f"Riferimento: {notice.action_key}")


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """``text`` cut to ``width`` (with an ellipsis) in the current font: a line of the return card."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"


_POSTCODE = re.compile(r"^\s*\d{5}\s+")
_PROVINCE = re.compile(r"\s*\([A-Za-z]{2}\)\s*$")


def _place(head: Letterhead) -> str:
    """The town of the company's address (its last line without postcode and province), for the date line."""
    if not head.address:
        return ""
    return _PROVINCE.sub("", _POSTCODE.sub("", head.address[-1])).strip()
