"""The arguments and options many commands share, each declared once: its name, its type and its help.

A command names them as parameter types (``company: Company``); an optional one states its default
(``as_json: AsJson = False``). Options only a single command takes stay with that command.
"""

from __future__ import annotations

from typing import Annotated

import typer

# ---- any command --------------------------------------------------------------------------------

Company = Annotated[str, typer.Option("--company", help="Codice azienda")]
AsJson = Annotated[bool, typer.Option("--json", help="Output JSON")]
AsOf = Annotated[str | None, typer.Option("--as-of", help="Data di riferimento (AAAA-MM-GG)")]
AsRecordedAt = Annotated[
    str | None,
    typer.Option(
        "--as-recorded-at",
        help="Istante di registrazione (AAAA-MM-GGTHH:MM[:SS], ora locale): la posizione come la mostrava il sistema",
    ),
]
Customer = Annotated[str, typer.Argument(help="Codice cliente")]
Version = Annotated[int | None, typer.Option("--version", help="Versione (default: la corrente)")]
ChangeNote = Annotated[str | None, typer.Option("--note", help="Motivo della modifica")]
Note = Annotated[str, typer.Option("--note", help="Nota")]

# ---- case commands (``creditbox cases …``) --------------------------------------------------------

CaseId = Annotated[str, typer.Argument(help="Pratica (es. S1/1)")]
StepSeq = Annotated[int, typer.Argument(help="Numero del passo")]
OnDate = Annotated[str | None, typer.Option("--date", help="Data (AAAA-MM-GG; default: oggi)")]
Reason = Annotated[str, typer.Option("--note", help="Motivo")]  # the note of a discard, a refusal, a write-off
By = Annotated[
    str | None, typer.Option("--by", help="Operatore (default: CREDITBOX_USER, altrimenti il nome di login)")
]
Level = Annotated[
    int | None,
    typer.Option("--level", help="Agire con un livello PIÙ BASSO di quello configurato per l'operatore (facoltativo)"),
]
