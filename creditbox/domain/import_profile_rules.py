"""An import profile (*convertitore*) as a document, and its validation: every problem at once, in Italian.

A profile describes another company's workbook in terms of ours (``import_layout.LAYOUT``):

    {"description": "...", "date_format": "%d.%m.%Y",
     "sheets": {"Clienti": {"sheet": "Anagrafica", "header_row": 3,
                            "columns": {"Codice Cliente": "Cod. Cliente",
                                        "Tipologia Cliente": {"header": "Categoria", "values": {"RES": 1}},
                                        "Stato": {"default": "Attivo"}}}}}

A column is a string (their header) or an object with ``header`` (their header), ``default`` (a
constant when their file lacks the column or the cell is empty), ``values`` (their value → our
code or label) and ``format`` (a date format). :func:`parse_profile` returns a
:class:`ProfileDocument` or raises :class:`InvalidImportProfile` listing every problem.
Values of kinds the domain cannot judge (a CAP, a province) are checked by an optional
``check_value`` the caller passes (the Excel reader's own parsers).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from creditbox.domain.codes import normalise_label
from creditbox.domain.errors import InvalidCommand
from creditbox.domain.import_layout import LAYOUT, SHEETS, Kind, LayoutColumn, find_column, find_sheet
from creditbox.domain.text_policy import text_problem
from creditbox.domain.wording import plural

# A default or a value-map target as written in the JSON document.
Value = str | int | float
# (our sheet, our column label, a value as written) -> an Italian reason, or None when valid.
ValueCheck = Callable[[str, str, object], str | None]

DEFAULT_PROFILE_NAME = "default"
# The inbox files each profile folder's files in these subfolders (``inbox/ACQ/nord/done/``), so
# they can never name a profile (``application/inbox.py``).
INBOX_OUTCOME_FOLDERS = ("done", "failed")
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,39}$")
MAX_HEADER_ROW = 1000
_DIRECTIVES = "%d giorno, %m mese, %Y anno, %y anno a due cifre; es. '%d.%m.%Y' per 31.01.2026"
_TOP_KEYS = ("description", "date_format", "csv", "sheets")
_CSV_KEYS = ("encoding", "delimiter", "decimal")
# How a profile may name what it sets for CSV files (canonical value first).
CSV_ENCODINGS = {"utf-8": "utf-8", "utf8": "utf-8", "windows-1252": "windows-1252", "cp1252": "windows-1252"}
CSV_DELIMITERS = {";": ";", ",": ",", "\t": "\t", "tab": "\t"}
CSV_DECIMALS = {",": ",", ".": "."}
_SHEET_KEYS = ("sheet", "header_row", "columns")
_COLUMN_KEYS = ("header", "default", "values", "format")


@dataclass(frozen=True)
class ProfileProblem:
    """One thing wrong with a profile: where (our sheet, our column) and what, in Italian."""

    message: str
    sheet: str | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = []
        if self.sheet:
            where.append(f"foglio «{self.sheet}»")
        if self.column:
            where.append(f"colonna «{self.column}»")
        return f"{', '.join(where) or 'profilo'}: {self.message}"

    def as_data(self) -> dict[str, object]:
        return {"sheet": self.sheet, "column": self.column, "message": self.message, "text": str(self)}


class InvalidImportProfile(InvalidCommand):
    """A profile refused as a whole; ``problems`` lists everything that is wrong."""

    def __init__(self, problems: list[ProfileProblem]) -> None:
        self.problems = problems
        super().__init__(
            f"profilo di importazione non valido ({plural(len(problems), 'problema', 'problemi')}): "
            + "; ".join(map(str, problems))
        )


@dataclass(frozen=True)
class ColumnMapping:
    column: str  # our label
    header: str | None = None  # their header
    default: Value | None = None
    values: tuple[tuple[str, Value], ...] = ()  # their value -> our code or label, as written
    date_format: str | None = None

    def as_data(self) -> str | dict[str, Any]:
        if self.default is None and not self.values and self.date_format is None and self.header is not None:
            return self.header
        data: dict[str, Any] = {}
        if self.header is not None:
            data["header"] = self.header
        if self.default is not None:
            data["default"] = self.default
        if self.values:
            data["values"] = dict(self.values)
        if self.date_format is not None:
            data["format"] = self.date_format
        return data


@dataclass(frozen=True)
class SheetMapping:
    sheet: str  # ours
    source: str  # theirs
    header_row: int
    columns: tuple[ColumnMapping, ...]

    def as_data(self) -> dict[str, Any]:
        return {
            "sheet": self.source,
            "header_row": self.header_row,
            "columns": {c.column: c.as_data() for c in self.columns},
        }


@dataclass(frozen=True)
class CsvSettings:
    """What a profile sets for CSV files (each None: detected from the file)."""

    encoding: str | None = None  # "utf-8" or "windows-1252"
    delimiter: str | None = None  # ";", "," or a tab
    decimal: str | None = None  # "," or "."

    def as_data(self) -> dict[str, str]:
        data = {"encoding": self.encoding, "delimiter": self.delimiter, "decimal": self.decimal}
        return {key: value for key, value in data.items() if value is not None}


@dataclass(frozen=True)
class ProfileDocument:
    """A valid profile, with our sheet and column names written as ours (canonical form)."""

    sheets: tuple[SheetMapping, ...]
    description: str | None = None
    date_format: str | None = None
    csv: CsvSettings | None = None

    def as_data(self) -> dict[str, Any]:
        """The canonical JSON form (what events carry and ``profiles show --json`` prints)."""
        data: dict[str, Any] = {}
        if self.description is not None:
            data["description"] = self.description
        if self.date_format is not None:
            data["date_format"] = self.date_format
        if self.csv is not None:
            data["csv"] = self.csv.as_data()
        data["sheets"] = {s.sheet: s.as_data() for s in self.sheets}
        return data

    def sheet(self, name: str) -> SheetMapping | None:
        return next((s for s in self.sheets if s.sheet == name), None)

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> ProfileDocument:
        """Read back the canonical form of a profile that was valid when recorded (no validation:
        replaying an old event must not fail because a rule became stricter since)."""
        sheets = []
        for sheet, spec in data["sheets"].items():
            columns = []
            for label, column in spec["columns"].items():
                if isinstance(column, str):
                    columns.append(ColumnMapping(label, column))
                    continue
                values = tuple((str(k), v) for k, v in (column.get("values") or {}).items())
                columns.append(
                    ColumnMapping(label, column.get("header"), column.get("default"), values, column.get("format"))
                )
            sheets.append(SheetMapping(sheet, spec["sheet"], int(spec["header_row"]), tuple(columns)))
        csv = data.get("csv")
        settings = CsvSettings(csv.get("encoding"), csv.get("delimiter"), csv.get("decimal")) if csv else None
        return cls(tuple(sheets), data.get("description"), data.get("date_format"), settings)


def normalise_profile_name(name: str) -> str:
    return name.strip().lower()


def check_profile_name(name: str) -> str:
    """The normalised name, or InvalidCommand."""
    key = normalise_profile_name(name)
    if key == DEFAULT_PROFILE_NAME:
        raise InvalidCommand("il nome 'default' è riservato al profilo standard")
    if key in INBOX_OUTCOME_FOLDERS:
        raise InvalidCommand(
            f"il nome {key!r} è riservato alle cartelle della inbox in cui vengono spostati i file elaborati"
            " (done/, failed/)"
        )
    if not _NAME.match(key):
        raise InvalidCommand(
            f"nome di profilo non valido: {name!r} (da 1 a 40 caratteri: lettere, cifre, '.', '_', '-';"
            " inizia con una lettera o una cifra)"
        )
    return key


def value_key(value: object) -> str:
    """How their values are matched: trimmed, spaces collapsed, case ignored (``'res'`` = ``'RES '``)."""
    return " ".join(str(value).split()).casefold()


def check_date_format(fmt: object) -> str | None:
    """None when ``fmt`` reads back every date it writes (so it names day, month and year)."""
    if not isinstance(fmt, str) or not fmt.strip():
        return "formato data mancante (es. '%d.%m.%Y')"
    for sample in (date(2026, 1, 31), date(1999, 12, 2)):
        try:
            back = datetime.strptime(sample.strftime(fmt), fmt).date()
        except ValueError:
            return f"formato data non valido {fmt!r}: usare le direttive di strftime ({_DIRECTIVES})"
        if back != sample:
            return f"formato data non valido {fmt!r}: deve indicare giorno, mese e anno ({_DIRECTIVES})"
    return None


def parse_profile(data: object, check_value: ValueCheck | None = None) -> ProfileDocument:
    """The profile in ``data`` (parsed JSON), or InvalidImportProfile with every problem."""
    parser = _Parser(check_value)
    document = parser.document(data)
    if parser.problems or document is None:
        raise InvalidImportProfile(parser.problems or [ProfileProblem("profilo vuoto")])
    return document


class _Parser:
    def __init__(self, check_value: ValueCheck | None) -> None:
        self.problems: list[ProfileProblem] = []
        self._check_value = check_value

    def problem(self, message: str, sheet: str | None = None, column: str | None = None) -> None:
        self.problems.append(ProfileProblem(message, sheet, column))

    def document(self, data: object) -> ProfileDocument | None:
        if not isinstance(data, Mapping):
            self.problem('il profilo deve essere un oggetto JSON ({"sheets": {…}})')
            return None
        self._unknown_keys(data, _TOP_KEYS)
        description = data.get("description")
        if description is not None and not isinstance(description, str):
            self.problem("'description' deve essere un testo")
            description = None
        if description is not None and (reason := text_problem(description.strip(), multiline=True)):
            self.problem(f"'description': {reason}")
            description = None
        date_format = data.get("date_format")
        if date_format is not None:
            reason = check_date_format(date_format)
            if reason:
                self.problem(f"'date_format': {reason}")
                date_format = None
        csv = self._csv(data.get("csv")) if "csv" in data else None
        sheets = data.get("sheets")
        if not isinstance(sheets, Mapping) or not sheets:
            self.problem(f"'sheets' mancante o vuoto: indicare almeno uno dei fogli {', '.join(SHEETS)}")
            return None
        mappings: dict[str, SheetMapping] = {}
        named: set[str] = set()
        for name, spec in sheets.items():
            ours = find_sheet(str(name))
            if ours is None:
                self.problem(f"foglio sconosciuto {name!r} (fogli di CreditBox: {', '.join(SHEETS)})")
                continue
            if ours in named:
                self.problem("foglio indicato due volte", ours)
                continue
            named.add(ours)
            mapping = self._sheet(ours, spec)
            if mapping is not None:
                mappings[ours] = mapping
        ordered = tuple(mappings[s] for s in SHEETS if s in mappings)
        return ProfileDocument(ordered, (description.strip() or None) if description else None, date_format, csv)

    def _csv(self, spec: object) -> CsvSettings | None:
        """``"csv": {"encoding": "windows-1252", "delimiter": ";", "decimal": ","}``, each optional."""
        if not isinstance(spec, Mapping):
            self.problem("'csv' deve essere un oggetto con 'encoding', 'delimiter', 'decimal'")
            return None
        self._unknown_keys(spec, _CSV_KEYS)
        chosen: dict[str, str | None] = {}
        for key, allowed in (("encoding", CSV_ENCODINGS), ("delimiter", CSV_DELIMITERS), ("decimal", CSV_DECIMALS)):
            value = spec.get(key)
            key_of = value if value == "\t" else value.strip().lower() if isinstance(value, str) else None
            canonical = allowed.get(key_of) if key_of is not None else None
            if value is not None and canonical is None:
                shown = ", ".join(repr(v) for v in allowed)
                self.problem(f"'csv': valore non ammesso {value!r} per {key!r} (ammessi: {shown})")
            chosen[key] = canonical
        settings = CsvSettings(chosen["encoding"], chosen["delimiter"], chosen["decimal"])
        return settings if settings.as_data() else None

    def _unknown_keys(
        self, data: Mapping[Any, Any], allowed: tuple[str, ...], sheet: str | None = None, column: str | None = None
    ) -> None:
        for key in data:
            if key not in allowed:
                self.problem(f"chiave sconosciuta {key!r} (ammesse: {', '.join(allowed)})", sheet, column)

    def _sheet(self, sheet: str, spec: object) -> SheetMapping | None:
        if not isinstance(spec, Mapping):
            self.problem("atteso un oggetto con 'sheet', 'header_row', 'columns'", sheet)
            return None
        self._unknown_keys(spec, _SHEET_KEYS, sheet)
        source = spec.get("sheet", sheet)
        if not isinstance(source, str) or not source.strip():
            self.problem("'sheet' (il nome del foglio nel vostro file) deve essere un testo non vuoto", sheet)
            source = sheet
        elif reason := text_problem(source.strip()):
            self.problem(f"'sheet': {reason}", sheet)
            source = sheet
        header_row = spec.get("header_row", 1)
        if isinstance(header_row, bool) or not isinstance(header_row, int) or not 1 <= header_row <= MAX_HEADER_ROW:
            self.problem(
                f"'header_row' deve essere un numero di riga da 1 a {MAX_HEADER_ROW} (trovato {header_row!r})", sheet
            )
            header_row = 1
        columns = spec.get("columns")
        if not isinstance(columns, Mapping) or not columns:
            self.problem("'columns' mancante o vuoto: indicare le colonne", sheet)
            return None
        mapped: dict[str, ColumnMapping] = {}
        named: set[str] = set()
        used_headers: dict[str, str] = {}
        for name, column_spec in columns.items():
            column = find_column(sheet, str(name))
            if column is None:
                known = ", ".join(c.label for c in LAYOUT[sheet])
                self.problem(f"colonna sconosciuta {name!r} (colonne di «{sheet}»: {known})", sheet)
                continue
            if column.label in named:
                self.problem("colonna indicata due volte", sheet, column.label)
                continue
            named.add(column.label)
            mapping = self._column(sheet, column, column_spec)
            if mapping is None:
                continue
            if mapping.header is not None:
                other = used_headers.setdefault(normalise_label(mapping.header), column.label)
                if other != column.label:
                    self.problem(
                        f"intestazione {mapping.header!r} già usata per la colonna «{other}»", sheet, column.label
                    )
            mapped[column.label] = mapping
        for column in LAYOUT[sheet]:
            if column.required and column.label not in named and not column.takes_default:
                self.problem(
                    "colonna obbligatoria non mappata: indicare la vostra intestazione ('header')", sheet, column.label
                )
            elif column.required and column.label not in named:
                self.problem(
                    "colonna obbligatoria né mappata ('header') né con valore predefinito ('default')",
                    sheet,
                    column.label,
                )
        ordered = tuple(mapped[c.label] for c in LAYOUT[sheet] if c.label in mapped)
        return SheetMapping(sheet, source.strip(), header_row, ordered)

    def _column(self, sheet: str, column: LayoutColumn, spec: object) -> ColumnMapping | None:
        label = column.label
        if isinstance(spec, str):
            spec = {"header": spec}
        if not isinstance(spec, Mapping):
            self.problem(
                "atteso il nome della vostra colonna o un oggetto con 'header', 'default', 'values', 'format'",
                sheet,
                label,
            )
            return None
        self._unknown_keys(spec, _COLUMN_KEYS, sheet, label)
        header = spec.get("header")
        if header is not None and (not isinstance(header, str) or not header.strip()):
            self.problem("'header' (l'intestazione nel vostro file) deve essere un testo non vuoto", sheet, label)
            header = None
        elif header is not None and (reason := text_problem(header.strip())):
            self.problem(f"'header': {reason}", sheet, label)
            header = None
        default = spec.get("default")
        if default is not None:
            default = self._default(sheet, column, default)
        if header is None and default is None:
            if "header" not in spec and "default" not in spec:
                self.problem(
                    "indicare 'header' (l'intestazione nel vostro file) o 'default' (un valore fisso)", sheet, label
                )
            return None
        values = self._values(sheet, column, spec.get("values"))
        fmt = spec.get("format")
        if fmt is not None:
            if column.kind is not Kind.DATE:
                dates = ", ".join(c.label for c in LAYOUT[sheet] if c.kind is Kind.DATE) or "nessuna in questo foglio"
                self.problem(f"'format' vale solo per le colonne di date ({dates})", sheet, label)
                fmt = None
            else:
                reason = check_date_format(fmt)
                if reason:
                    self.problem(reason, sheet, label)
                    fmt = None
        return ColumnMapping(label, header.strip() if header else None, default, values, fmt)

    def _default(self, sheet: str, column: LayoutColumn, default: object) -> Value | None:
        if not column.takes_default:
            self.problem(
                f"un valore predefinito non è ammesso per {_kind_words(column.kind)}: "
                "la colonna va letta dal vostro file ('header')",
                sheet,
                column.label,
            )
            return None
        return self._value(sheet, column, default, "valore predefinito")

    def _values(self, sheet: str, column: LayoutColumn, values: object) -> tuple[tuple[str, Value], ...]:
        if values is None:
            return ()
        if not column.takes_values:
            self.problem(f"'values' non è ammesso per {_kind_words(column.kind)}", sheet, column.label)
            return ()
        if not isinstance(values, Mapping) or not values:
            self.problem(
                "'values' deve essere un oggetto non vuoto {\"loro valore\": codice o etichetta}", sheet, column.label
            )
            return ()
        pairs: list[tuple[str, Value]] = []
        seen: dict[str, str] = {}
        for theirs, ours in values.items():
            key = value_key(theirs)
            if not key:
                self.problem("'values': un valore vuoto non si mappa (usare 'default')", sheet, column.label)
                continue
            if key in seen:
                self.problem(
                    f"'values': {theirs!r} e {seen[key]!r} sono lo stesso valore (maiuscole e spazi non contano)",
                    sheet,
                    column.label,
                )
                continue
            seen[key] = str(theirs)
            target = self._value(sheet, column, ours, f"'values': {theirs!r} →")
            if target is not None:
                pairs.append((str(theirs), target))
        return tuple(pairs)

    def _value(self, sheet: str, column: LayoutColumn, value: object, what: str) -> Value | None:
        if (
            isinstance(value, bool)
            or not isinstance(value, str | int | float)
            or (isinstance(value, str) and not value.strip())
        ):
            self.problem(f"{what} {value!r}: atteso un testo o un numero non vuoto", sheet, column.label)
            return None
        reason: str | None = None
        if column.codes is not None:
            try:
                column.codes.parse(value)
            except ValueError as error:
                reason = str(error)
        if reason is None and self._check_value is not None:
            reason = self._check_value(sheet, column.label, value)
        if reason is not None:
            self.problem(f"{what} {value!r}: {reason}", sheet, column.label)
            return None
        return value


def _kind_words(kind: Kind) -> str:
    return {
        Kind.KEY: "una colonna chiave (codici e numeri che identificano un record)",
        Kind.PERSONAL: "un dato personale del cliente",
        Kind.DATE: "una data",
        Kind.AMOUNT: "un importo",
    }.get(kind, "questa colonna")
