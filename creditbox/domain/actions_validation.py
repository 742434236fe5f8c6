"""Validation of a *tabella azioni*: every problem at once, each naming its row, in Italian.

Pure: takes :class:`ActionRow` values (plus the row numbers they had in their source: CSV
line, Excel row, position in a JSON list) and returns a list of :class:`Problem`. Problems found
while *parsing* raw values (unknown codes, non-numbers) are produced by
``creditbox.domain.actions_parsing`` with the same :class:`Problem` type.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from creditbox.domain.actions import ActionRow, StartPoint, TechnicalRequest
from creditbox.domain.codes import ActionCode
from creditbox.domain.errors import InvalidCommand
from creditbox.domain.text_policy import key_problem, text_problem
from creditbox.domain.wording import plural

TECH_PARAMETER = "tech"
TECH_VALUES = tuple(request.value for request in TechnicalRequest)
# Parameters each action code understands; codes not listed accept any parameter.
KNOWN_PARAMETERS: dict[ActionCode, frozenset[str]] = {ActionCode.TECHNICAL_OFFICE: frozenset({TECH_PARAMETER})}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a table. ``row`` is the row number in the source (None: the whole table)."""

    message: str
    row: int | None = None
    ladder: str | None = None
    seq: int | None = None
    column: str | None = None  # Italian column header, when the problem is one cell

    def __str__(self) -> str:
        where: list[str] = []
        if self.row is not None:
            where.append(f"riga {self.row}")
        step = " ".join(
            part for part in (self.ladder or "", f"passo {self.seq}" if self.seq is not None else "") if part
        )
        if step:
            where.append(f"({step})")
        if self.column:
            where.append(f"colonna «{self.column}»")
        prefix = " ".join(where) if where else "tabella"
        return f"{prefix}: {self.message}"

    def as_data(self) -> dict[str, object]:
        """Primitives, for JSON answers."""
        return {
            "row": self.row,
            "ladder": self.ladder,
            "seq": self.seq,
            "column": self.column,
            "message": self.message,
            "text": str(self),
        }


class InvalidActionsTable(InvalidCommand):
    """A table with problems was refused; nothing was saved."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        lines = "\n".join(f"- {p}" for p in self.problems)
        super().__init__(f"tabella azioni non valida ({plural(len(self.problems), 'problema', 'problemi')}):\n{lines}")


def sort_problems(problems: Sequence[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.row is not None, p.row or 0))


def validate(
    rows: Sequence[ActionRow], numbers: Sequence[int] | None = None, *, broken_ladders: frozenset[str] = frozenset()
) -> list[Problem]:
    """All problems of the table, ordered by row. ``numbers[i]`` is the source row number of ``rows[i]``
    (default: position, from 1). Ladders in ``broken_ladders`` had rows that could not be parsed: the
    first-step rule is not checked for them (their first step may be the broken row)."""
    numbers = list(numbers) if numbers is not None else list(range(1, len(rows) + 1))
    if len(numbers) != len(rows):
        raise ValueError("numbers and rows differ in length")
    if not rows and not broken_ladders:
        return [Problem("la tabella non ha righe")]
    problems: list[Problem] = []
    for row, number in zip(rows, numbers, strict=True):
        problems.extend(Problem(message, number, row.ladder or None, row.seq) for message in row_problems(row))
    problems.extend(_duplicates_and_overlaps(rows, numbers))
    problems.extend(_first_steps(rows, numbers, broken_ladders))
    return sort_problems(problems)


def row_problems(row: ActionRow) -> list[str]:
    """What is wrong with one row on its own."""
    found: list[str] = []
    if not row.ladder.strip():
        found.append("nome della scala mancante")
    elif problem := key_problem(row.ladder):
        found.append(f"nome della scala: {problem}")
    if row.seq < 1:
        found.append(f"numero di passo non valido: {row.seq} (deve essere 1 o più)")
    if not row.description.strip():
        found.append("descrizione mancante")
    elif problem := text_problem(row.description):
        found.append(f"descrizione: {problem}")
    for name, value in row.parameters:
        if problem := text_problem(f"{name}={value}"):
            found.append(f"parametro {name!r}: {problem}")
    if row.wait_before_days < 0:
        found.append(f"attesa prima negativa: {plural(row.wait_before_days, 'giorno', 'giorni')}")
    if row.wait_after_days < 0:
        found.append(f"attesa dopo negativa: {plural(row.wait_after_days, 'giorno', 'giorni')}")
    if row.amount_min < 0:
        found.append(f"importo minimo negativo: {row.amount_min}")
    if row.amount_max is not None and row.amount_min >= row.amount_max:
        found.append(
            f"importo minimo ({row.amount_min}) non inferiore all'importo massimo ({row.amount_max}): la fascia è vuota"
        )
    if row.threshold < 0:
        found.append(f"soglia minima negativa: {row.threshold}")
    if row.approval_level < 0:
        found.append(f"livello autorizzativo negativo: {row.approval_level}")
    found.extend(_parameter_problems(row))
    return found


def _parameter_problems(row: ActionRow) -> list[str]:
    found: list[str] = []
    keys = [key for key, _ in row.parameters]
    for key in sorted({k for k in keys if keys.count(k) > 1}):
        found.append(f"parametro ripetuto: {key!r}")
    known = KNOWN_PARAMETERS.get(row.action_code)
    if known is None:
        return found
    for key in keys:
        if key not in known:
            allowed = ", ".join(sorted(known))
            found.append(
                f"parametro sconosciuto per il codice azione {row.action_code.code}: {key!r} (ammessi: {allowed})"
            )
    if row.action_code is ActionCode.TECHNICAL_OFFICE:
        tech = row.parameter(TECH_PARAMETER)
        if tech is None:
            found.append(
                f"manca il parametro tech=… (uno tra {'|'.join(TECH_VALUES)}) per la richiesta all'Ufficio tecnico"
            )
        elif tech not in TECH_VALUES:
            found.append(f"valore sconosciuto del parametro tech: {tech!r} (ammessi: {', '.join(TECH_VALUES)})")
    return found


def _band(row: ActionRow) -> str:
    upper = f"{row.amount_max}" if row.amount_max is not None else "senza limite"
    return f"{row.amount_min} – {upper}"


def _empty_band(row: ActionRow) -> bool:
    return row.amount_max is not None and row.amount_min >= row.amount_max


def _overlap(a: ActionRow, b: ActionRow) -> bool:
    a_below_b_max = b.amount_max is None or a.amount_min < b.amount_max
    b_below_a_max = a.amount_max is None or b.amount_min < a.amount_max
    return a_below_b_max and b_below_a_max


def _duplicates_and_overlaps(rows: Sequence[ActionRow], numbers: Sequence[int]) -> list[Problem]:
    problems: list[Problem] = []
    steps: dict[tuple[str, int], list[tuple[ActionRow, int]]] = defaultdict(list)
    for row, number in zip(rows, numbers, strict=True):
        steps[(row.ladder, row.seq)].append((row, number))
    for (ladder, seq), members in steps.items():
        for index, (row, number) in enumerate(members):
            for other, other_number in members[:index]:
                if other == row:
                    problems.append(Problem(f"riga duplicata (uguale alla riga {other_number})", number, ladder, seq))
                    break
                if (other.amount_min, other.amount_max) == (row.amount_min, row.amount_max):
                    problems.append(
                        Problem(
                            f"passo duplicato: stessa scala, passo e fascia di importo della riga {other_number}",
                            number,
                            ladder,
                            seq,
                        )
                    )
                    break
                if _overlap(other, row) and not _empty_band(row) and not _empty_band(other):
                    problems.append(
                        Problem(
                            f"fascia di importo {_band(row)} sovrapposta alla fascia {_band(other)}"
                            f" della riga {other_number} nello stesso passo",
                            number,
                            ladder,
                            seq,
                        )
                    )
                    break
    return problems


def _first_steps(rows: Sequence[ActionRow], numbers: Sequence[int], broken_ladders: frozenset[str]) -> list[Problem]:
    problems: list[Problem] = []
    ladders: dict[str, list[tuple[ActionRow, int]]] = defaultdict(list)
    for row, number in zip(rows, numbers, strict=True):
        ladders[row.ladder].append((row, number))
    for ladder, members in ladders.items():
        if ladder in broken_ladders:
            continue
        first = min(row.seq for row, _ in members)
        for row, number in members:
            if row.seq == first and row.start_point is not StartPoint.OPENED:
                problems.append(
                    Problem(
                        f"il primo passo della scala deve decorrere da «{StartPoint.OPENED.value}»"
                        f" ({StartPoint.OPENED.label}), non da «{row.start_point.value}»",
                        number,
                        ladder,
                        row.seq,
                    )
                )
    return problems


def require_valid(rows: Sequence[ActionRow], numbers: Sequence[int] | None = None) -> None:
    """Raise :class:`InvalidActionsTable` listing every problem, or return."""
    problems = validate(rows, numbers)
    if problems:
        raise InvalidActionsTable(problems)
