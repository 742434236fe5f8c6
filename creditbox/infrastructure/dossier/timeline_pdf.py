"""The readable timeline of a dossier: every event of the position in order, in Italian (A4 portrait,
the letters' font). Each event: its number, business date, recording time, who did it, and its
description. The document's date is the dossier's creation time, so the same dossier gives the same
bytes."""

from __future__ import annotations

from fpdf.enums import XPos, YPos

from creditbox.application.dossier_ports import Timeline
from creditbox.infrastructure.letters.pdf import FONT
from creditbox.infrastructure.paged_pdf import PagedPdf

LEFT = 15.0  # mm
WIDTH = 180.0  # A4 portrait between the margins


class _TimelinePdf(PagedPdf):
    def __init__(self, reference: str) -> None:
        super().__init__(reference, "portrait")


def render_timeline(timeline: Timeline) -> bytes:
    reference = f"Cronologia {timeline.company} - cliente {timeline.customer_code}"
    pdf = _TimelinePdf(reference)
    pdf.set_creation_date(timeline.created_at)
    pdf.set_title(f"Cronologia degli eventi - {timeline.customer_name}")
    pdf.set_author(timeline.company_name)
    pdf.set_subject(reference)
    pdf.set_creator("CreditBox")
    pdf.set_producer("CreditBox")
    pdf.set_lang("it-IT")
    pdf.add_page()
    pdf.set_font(FONT, "B", 13)
    pdf.cell(WIDTH, 7, timeline.company_name, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "B", 12)
    pdf.cell(WIDTH, 7, "Cronologia degli eventi della posizione", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=9)
    for line in (
        f"Cliente {timeline.customer_code} - {timeline.customer_name}",
        f"Fascicolo creato il {timeline.created_at:%d/%m/%Y alle %H:%M:%S} ({timeline.created_at:%Z})",
        f"Eventi: {len(timeline.rows)}; testa della catena: {timeline.chain_head}",
    ):
        pdf.multi_cell(WIDTH, 5, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    zone = timeline.created_at.tzinfo
    for row in timeline.rows:
        if pdf.get_y() > pdf.h - 30:
            pdf.add_page()
        at = row.recorded_at.astimezone(zone) if zone is not None else row.recorded_at
        pdf.set_font(FONT, "B", 8)
        heading = (
            f"{row.version}. Data contabile {row.business_date:%d/%m/%Y} - registrato il "
            f"{at:%d/%m/%Y %H:%M:%S}" + (f" - da {row.by}" if row.by else "")
        )
        pdf.multi_cell(WIDTH, 4, heading, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(FONT, size=8)
        pdf.multi_cell(WIDTH, 4, row.description or "-", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1.5)
    return bytes(pdf.output())
