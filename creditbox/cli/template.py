"""``creditbox template --out modello.xlsx``: an empty import workbook of the standard layout."""

from __future__ import annotations

from pathlib import Path

import typer

from creditbox.cli.context import console
from creditbox.cli.paths import output_file, writing
from creditbox.clock import SystemClock
from creditbox.infrastructure.excel.template import write_template
from creditbox.settings import Settings


def template(
    out: Path = typer.Option(Path("modello.xlsx"), "--out", help="File .xlsx da scrivere (default: modello.xlsx)"),
) -> None:
    """Scrive il modello di importazione: i fogli Clienti, Forniture, Bollette e Pagamenti con le
    intestazioni e una riga di esempio ciascuno, e il foglio Legenda (significato, obbligatorietà,
    formato e codici ammessi di ogni colonna)."""
    output_file(out, "--out")
    today = SystemClock(Settings().timezone).today()
    with writing(out, "--out"):
        write_template(out, today)
    console.print(f"Modello di importazione scritto in {out}: sostituire le righe di esempio con i propri dati")
