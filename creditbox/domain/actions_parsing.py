"""Turning raw values (CSV text, Excel cells, JSON primitives) into :class:`ActionRow` values.

Pure: no files are opened here. Every source gives :class:`SourceRow` values keyed by field name
(the keys of ``ActionRow.as_event_data``); headers are matched to field names the way the Excel
template says (case, spaces, underscores and accents ignored), in Italian or English. Problems name
the source row, the ladder and step when known, and the Italian column header.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from creditbox.domain.actions import ActionRow, StartPoint, StepMode
from creditbox.domain.actions_validation import InvalidActionsTable, Problem, sort_problems, validate
from creditbox.domain.codes import ActionCode, CodedEnum, CustomerType, Service, SupplyStatus, SupplyType
from creditbox.domain.codes import normalise_label as _norm
from creditbox.domain.money import amount_from_number, parse_spreadsheet_amount


@dataclass(frozen=True)
class Field:
    name: str  # key in ActionRow.as_event_data
    header: str  # Italian header (Excel)
    required: bool = True
    aliases: tuple[str, ...] = ()


FIELDS: tuple[Field, ...] = (
    Field("ladder", "Scala", aliases=("Scala solleciti", "Ladder")),
    Field("seq", "Passo", aliases=("Sequenza", "Seq", "Ordine")),
    Field("customer_types", "Tipologie cliente", aliases=("Tipologia cliente", "Tipi cliente")),
    Field("services", "Servizi", aliases=("Servizio", "Tipologia servizio")),
    Field("supply_types", "Tipologie fornitura", aliases=("Tipologia fornitura", "Tipi fornitura")),
    Field("supply_statuses", "Stati fornitura", aliases=("Stato fornitura", "Stati")),
    Field("action_code", "Codice azione", aliases=("Azione", "Codice")),
    Field("description", "Descrizione"),
    Field("wait_before_days", "Attesa prima (gg)", aliases=("Attesa prima", "Giorni attesa prima")),
    Field("start_point", "Decorrenza", aliases=("Punto di partenza", "Decorrenza attesa")),
    Field("wait_after_days", "Attesa dopo (gg)", aliases=("Attesa dopo", "Giorni attesa dopo")),
    Field("amount_min", "Importo minimo", aliases=("Limite inferiore", "Importo min")),
    Field("amount_max", "Importo massimo", aliases=("Limite superiore", "Importo max")),
    Field("threshold", "Soglia minima", aliases=("Soglia",)),
    Field("approval_level", "Livello autorizzativo", aliases=("Livello", "Livello autorizzazione")),
    Field("mode", "Modalità", aliases=("Modalita esecuzione", "Esecuzione")),
    Field("parameters", "Parametri", required=False, aliases=("Parametri azione",)),
)
FIELD_BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}
HEADERS: tuple[str, ...] = tuple(f.header for f in FIELDS)
_FIELD_BY_LABEL: dict[str, Field] = {_norm(label): f for f in FIELDS for label in (f.name, f.header, *f.aliases)}


@dataclass(frozen=True)
class SourceRow:
    """One row as read from its source: ``number`` is the CSV line / Excel row / list position."""

    number: int
    values: Mapping[str, Any]

    def is_empty(self) -> bool:
        return all(_is_empty(v) for v in self.values.values())


@dataclass(frozen=True)
class HeaderMatch:
    columns: dict[int, str]  # column index -> field name
    ignored: tuple[str, ...]  # headers not recognised (reported, not an error)
    problems: tuple[Problem, ...]  # missing required columns, repeated columns


def match_headers(headers: Sequence[Any]) -> HeaderMatch:
    columns: dict[int, str] = {}
    ignored: list[str] = []
    problems: list[Problem] = []
    for index, header in enumerate(headers):
        if _is_empty(header):
            continue
        found = _FIELD_BY_LABEL.get(_norm(str(header)))
        if found is None:
            ignored.append(str(header).strip())
        elif found.name in columns.values():
            problems.append(Problem(f"colonna ripetuta: «{str(header).strip()}»", 1, column=found.header))
        else:
            columns[index] = found.name
    present = set(columns.values())
    for f in FIELDS:
        if f.required and f.name not in present:
            problems.append(Problem(f"colonna mancante: «{f.header}»", 1, column=f.header))
    return HeaderMatch(columns, tuple(ignored), tuple(problems))


@dataclass(frozen=True)
class ParsedTable:
    rows: tuple[ActionRow, ...]
    numbers: tuple[int, ...]  # source row number of each row
    problems: tuple[Problem, ...]
    ignored_columns: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.problems

    def require(self) -> tuple[ActionRow, ...]:
        """The rows, or :class:`InvalidActionsTable` with every problem."""
        if self.problems:
            raise InvalidActionsTable(self.problems)
        return self.rows


def parse_table(
    records: Iterable[SourceRow], *, header_problems: Sequence[Problem] = (), ignored_columns: Sequence[str] = ()
) -> ParsedTable:
    """Parse every row, then validate the table. Empty rows are skipped. With header problems (missing
    or repeated columns) the rows are not looked at: every row would repeat the same complaint."""
    if header_problems:
        return ParsedTable((), (), tuple(header_problems), tuple(ignored_columns))
    rows: list[ActionRow] = []
    numbers: list[int] = []
    problems: list[Problem] = []
    broken: set[str] = set()
    for record in records:
        if record.is_empty():
            continue
        row, row_problems = parse_row(record)
        if row is None:
            broken.add(str(record.values.get("ladder") or "").strip())
            problems.extend(row_problems)
        else:
            rows.append(row)
            numbers.append(record.number)
    problems.extend(validate(rows, numbers, broken_ladders=frozenset(broken)))
    return ParsedTable(tuple(rows), tuple(numbers), tuple(sort_problems(problems)), tuple(ignored_columns))


def parse_row_data(rows: Sequence[Mapping[str, Any]]) -> ParsedTable:
    """Rows as JSON objects (the shape of ``ActionRow.as_event_data``; sets may also be ``"1|2"`` text).
    Row numbers are positions in the list, from 1."""
    records = [SourceRow(index, data) for index, data in enumerate(rows, start=1)]
    problems: list[Problem] = []
    for record in records:
        unknown = sorted(set(record.values) - set(FIELD_BY_NAME))
        if unknown:
            problems.append(Problem(f"campi sconosciuti: {', '.join(unknown)}", record.number))
    parsed = parse_table(records)
    if not problems:
        return parsed
    return ParsedTable(parsed.rows, parsed.numbers, tuple(sort_problems([*problems, *parsed.problems])))


def parse_csv(text: str) -> ParsedTable:
    """CSV text with a header line (field names or Italian headers); rows are numbered by line."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        headers = next(reader)
    except StopIteration:
        return ParsedTable((), (), (Problem("il file è vuoto"),))
    match = match_headers(headers)
    records = []
    for cells in reader:
        values = {name: cells[index] if index < len(cells) else "" for index, name in match.columns.items()}
        records.append(SourceRow(reader.line_num, values))
    return parse_table(records, header_problems=match.problems, ignored_columns=match.ignored)


def parse_row(record: SourceRow) -> tuple[ActionRow | None, list[Problem]]:
    values = record.values
    ladder = _text(values.get("ladder"))
    seq: int | None = None
    problems: list[Problem] = []

    def cell(name: str, parse: Any) -> Any:
        f = FIELD_BY_NAME[name]
        raw = values.get(name)
        try:
            return parse(raw)
        except (ValueError, TypeError) as error:
            problems.append(Problem(str(error), record.number, ladder or None, seq, f.header))
            return None

    seq = cell("seq", _required(_integer))
    parsed: dict[str, Any] = {
        "action_code": cell("action_code", _required(lambda v: _coded(ActionCode, v))),
        "description": _text(values.get("description")),
        "wait_before_days": cell("wait_before_days", _optional(_integer, 0)),
        "start_point": cell("start_point", _required(_start_point)),
        "wait_after_days": cell("wait_after_days", _optional(_integer, 0)),
        "amount_min": cell("amount_min", _optional(_amount, Decimal("0.00"))),
        "amount_max": cell("amount_max", _optional(_amount, None)),
        "threshold": cell("threshold", _optional(_amount, Decimal("0.00"))),
        "approval_level": cell("approval_level", _optional(_integer, 0)),
        "mode": cell("mode", _required(_mode)),
        "customer_types": cell("customer_types", lambda v: _code_set(CustomerType, v)),
        "services": cell("services", lambda v: _code_set(Service, v)),
        "supply_types": cell("supply_types", lambda v: _code_set(SupplyType, v)),
        "supply_statuses": cell("supply_statuses", lambda v: _code_set(SupplyStatus, v)),
        "parameters": cell("parameters", _parameters),
    }
    if problems:
        return None, problems
    return ActionRow(ladder=ladder, seq=seq, **parsed), []


# --- cell parsers: raise ValueError with an Italian reason -----------------------------------------


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _required(parse: Any) -> Any:
    def wrapped(value: Any) -> Any:
        if _is_empty(value):
            raise ValueError("valore mancante")
        return parse(value)

    return wrapped


def _optional(parse: Any, default: Any) -> Any:
    def wrapped(value: Any) -> Any:
        return default if _is_empty(value) else parse(value)

    return wrapped


_INTEGER = re.compile(r"^[+-]?[0-9]+$")


def _integer(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(f"numero intero non valido: {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"numero intero non valido: {value!r}")
        return int(value)
    if isinstance(value, Decimal):
        if value != value.to_integral_value():
            raise ValueError(f"numero intero non valido: {value}")
        return int(value)
    text = str(value).strip()
    if _INTEGER.match(text):
        return int(text)
    if re.match(r"^[+-]?[0-9]+[.,]0+$", text):
        return int(re.split(r"[.,]", text)[0])
    raise ValueError(f"numero intero non valido: {text!r}")


def _amount(value: Any) -> Decimal:
    """Euro: a number, or text in the spreadsheet form of the one amount syntax (``money.py``)."""
    if isinstance(value, bool):
        raise ValueError(f"importo non valido: {value!r}")
    if isinstance(value, int | float | Decimal):
        amount = amount_from_number(value)
        if not isinstance(value, float) and amount != value:
            raise ValueError(f"importo con più di due decimali: {value}")
        return amount
    return parse_spreadsheet_amount(str(value))


def _coded(enum_type: type[CodedEnum], value: Any) -> Any:
    return enum_type.parse(value)


def _code_set(enum_type: type[CodedEnum], value: Any) -> frozenset[Any]:
    if _is_empty(value):
        return frozenset()
    if isinstance(value, list | tuple | set | frozenset):
        items: list[Any] = list(value)
    elif isinstance(value, str):
        items = [item for item in re.split(r"[|,;]", value) if item.strip()]
    else:
        items = [value]
    return frozenset(enum_type.parse(item) for item in items)


def _choice(enum_type: type[StartPoint] | type[StepMode], value: Any, extra: dict[str, Any]) -> Any:
    wanted = _norm(str(value))
    for member in enum_type:
        if wanted in (_norm(member.value), _norm(member.label)):
            return member
    if wanted in extra:
        return extra[wanted]
    allowed = ", ".join(f"{m.value} ({m.label})" for m in enum_type)
    raise ValueError(f"valore sconosciuto {str(value).strip()!r} (ammessi: {allowed})")


def _start_point(value: Any) -> StartPoint:
    result: StartPoint = _choice(StartPoint, value, {"apertura": StartPoint.OPENED})
    return result


def _mode(value: Any) -> StepMode:
    extra = {"automatica": StepMode.AUTO, "automatico": StepMode.AUTO, "proposto": StepMode.PROPOSAL}
    result: StepMode = _choice(StepMode, value, extra)
    return result


def _parameters(value: Any) -> tuple[tuple[str, str], ...]:
    if _is_empty(value):
        return ()
    if isinstance(value, Mapping):
        pairs = [(str(k), str(v)) for k, v in value.items()]
    elif isinstance(value, list | tuple):
        pairs = []
        for item in value:
            if not isinstance(item, list | tuple) or len(item) != 2:
                raise ValueError(f"parametro non valido: {item!r} (atteso [nome, valore])")
            pairs.append((str(item[0]), str(item[1])))
    else:
        pairs = []
        for part in str(value).split(";"):
            if not part.strip():
                continue
            key, sep, val = part.partition("=")
            if not sep or not key.strip():
                raise ValueError(f"parametro non valido: {part.strip()!r} (scrivere nome=valore, separati da ;)")
            pairs.append((key, val))
    return tuple((k.strip(), v.strip()) for k, v in pairs)


def format_parameters(parameters: Sequence[tuple[str, str]]) -> str:
    """The text form parsed back by the Excel and CSV readers: ``k=v;k2=v2``."""
    return ";".join(f"{k}={v}" for k, v in parameters)


def format_codes(codes: Iterable[CodedEnum]) -> str:
    """``1|2`` (empty = any)."""
    return "|".join(str(c) for c in sorted(code.code for code in codes))
