"""An A4 document in the letters' font with a reference and "Pagina n di m" at the foot of each page:
the statement of account (landscape) and the dossier's timeline (portrait) are both made on it."""

from __future__ import annotations

from importlib.resources import as_file, files
from typing import Literal

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from creditbox.infrastructure.letters.pdf import FONT, FONT_FILES

LEFT = 15.0  # mm, both margins
A4_WIDTHS = {"portrait": 180.0, "landscape": 267.0}  # mm between the margins


class PagedPdf(FPDF):
    def __init__(self, reference: str, orientation: Literal["portrait", "landscape"]) -> None:
        super().__init__(orientation=orientation, unit="mm", format="A4")
        self._reference = reference
        self._width = A4_WIDTHS[orientation]
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
        self.cell(self._width * 0.75, 4, self._reference, new_x=XPos.RIGHT, new_y=YPos.TOP)
        self.cell(self._width * 0.25, 4, f"Pagina {self.page_no()} di {{nb}}", align="R")
