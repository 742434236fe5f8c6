"""The settings document: read a JSON-like mapping into :class:`CompanySettings`, reporting every
problem at once, each naming its field, in Italian.

Used by every way in (API, ``companies settings set`` / ``import``, registration): a change is a
*patch* over a base (the settings in force), so a field left out keeps its value. Weekdays are
numbers (0 = lunedì … 6 = domenica) or Italian names (``venerdì``, ``venerdi``, ``ven``); company
days are ``MM-DD`` / ``GG/MM`` (every year) or ``AAAA-MM-GG`` / ``GG/MM/AAAA`` (once); amounts are
decimal strings with at most two decimals (``"1000.00"``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from creditbox.domain.company_settings import FIELD_LABELS, WEEKDAY_NAMES, CompanyDay, CompanySettings
from creditbox.domain.errors import InvalidCommand
from creditbox.domain.money import format_euro
from creditbox.domain.tokens import MAX_LEVEL

MAX_DAYS = 365
MAX_COMPANY_DAYS = 100
MAX_LABEL = 80
FIRST_YEAR, LAST_YEAR = 2000, 2199
_AMOUNT = re.compile(r"^[0-9]{1,13}(\.[0-9]{1,2})?$")
_TRUE = {"true", "sì", "si", "vero", "1", "yes"}
_FALSE = {"false", "no", "falso", "0"}


@dataclass(frozen=True)
class SettingsProblem:
    """One thing wrong with a settings document. ``field`` is dotted: ``grace_period_days``,
    ``company_days.1.date``, ``write_off_ceilings.2`` (empty: the document as a whole)."""

    field: str
    message: str

    @property
    def label(self) -> str:
        top = self.field.split(".")[0]
        name = FIELD_LABELS.get(top)
        return f"{name} [{self.field}]" if name else (self.field or "documento")

    def __str__(self) -> str:
        return f"{self.label}: {self.message}"


class InvalidCompanySettings(InvalidCommand):
    """Settings with problems were refused; nothing was saved."""

    def __init__(self, problems: list[SettingsProblem]) -> None:
        self.problems: tuple[SettingsProblem, ...] = tuple(problems)
        count = len(self.problems)
        lines = "\n".join(f"- {p}" for p in self.problems)
        super().__init__(f"impostazioni non valide ({count} {'problema' if count == 1 else 'problemi'}):\n{lines}")


def parse_settings(data: Any, base: CompanySettings | None = None) -> CompanySettings:
    """``data`` (a mapping of some or all fields) over ``base`` (default: the standard settings).
    Raises :class:`InvalidCompanySettings` with every problem."""
    base = base or CompanySettings()
    problems: list[SettingsProblem] = []
    if not isinstance(data, Mapping):
        raise InvalidCompanySettings([SettingsProblem("", "atteso un oggetto con i campi delle impostazioni")])
    for key in data:
        if key not in FIELD_LABELS:
            allowed = ", ".join(FIELD_LABELS)
            problems.append(SettingsProblem(str(key), f"campo sconosciuto (campi ammessi: {allowed})"))
    reader = _Reader(problems)
    merged = {**base.document(), **{k: v for k, v in data.items() if k in FIELD_LABELS}}
    values = {name: parse(reader, name, merged[name]) for name, parse in _PARSERS.items()}
    if problems:
        raise InvalidCompanySettings(problems)
    return CompanySettings(**values)


def require_valid(settings: CompanySettings) -> CompanySettings:
    """The full rules on a value built in code (e.g. ``companies add --grace-days``)."""
    return parse_settings(settings.document())


# ---- single values (also used by the command line) --------------------------------------------


def weekday(value: Any) -> int:
    """0-6 (Monday = 0) from a number or an Italian name (accents optional, three letters enough)."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        if value in range(7):
            return value
        raise ValueError(value)
    text = _plain(str(value))
    if text.isascii() and text.isdigit() and int(text) in range(7):
        return int(text)
    for number, name in enumerate(WEEKDAY_NAMES):
        plain = _plain(name)
        if len(text) >= 3 and plain.startswith(text):
            return number
    raise ValueError(value)


def company_day(text: Any, label: str = "") -> CompanyDay:
    """A company day from ``MM-DD``, ``GG/MM`` (every year), ``AAAA-MM-GG`` or ``GG/MM/AAAA`` (once)."""
    if not isinstance(text, str):
        raise ValueError(text)
    raw = text.strip()
    parts: list[str]
    if "/" in raw:
        parts = raw.split("/")
        if len(parts) not in (2, 3):
            raise ValueError(text)
        day_text, month_text = parts[0], parts[1]
        year_text = parts[2] if len(parts) == 3 else None
    else:
        parts = raw.split("-")
        if len(parts) == 2:
            month_text, day_text, year_text = parts[0], parts[1], None
        elif len(parts) == 3:
            year_text, month_text, day_text = parts
        else:
            raise ValueError(text)
    numbers = [p for p in (day_text, month_text, year_text) if p is not None]
    if not all(p.isascii() and p.isdigit() and len(p) <= 4 for p in numbers):
        raise ValueError(text)
    year = int(year_text) if year_text is not None else None
    if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(text)
    date(year if year is not None else 2000, int(month_text), int(day_text))  # 2000: 29/02 is a day
    return CompanyDay(int(month_text), int(day_text), year, label)


def amount(value: Any) -> Decimal:
    """A non-negative amount with at most two decimals: ``"1000.00"``, ``"1000"`` or an integer."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, Decimal | str):
        text = str(value).strip()
    else:
        raise ValueError(value)
    if not _AMOUNT.fullmatch(text):
        raise ValueError(value)
    return Decimal(text).quantize(Decimal("0.01"))


# ---- the reader ---------------------------------------------------------------------------------


class _Reader:
    def __init__(self, problems: list[SettingsProblem]) -> None:
        self.problems = problems

    def fail(self, field: str, message: str) -> None:
        self.problems.append(SettingsProblem(field, message))

    def integer(self, field: str, value: Any, low: int, high: int) -> int:
        number: int | None = None
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
            number = int(value.strip())
        if number is None or not low <= number <= high:
            self.fail(field, f"atteso un numero intero da {low} a {high}, ricevuto {_shown(value)}")
            return low
        return number

    def flag(self, field: str, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        self.fail(field, f"atteso true (sì) o false (no), ricevuto {_shown(value)}")
        return False

    def amount(self, field: str, value: Any) -> Decimal:
        try:
            return amount(value)
        except ValueError:
            self.fail(field, f'importo non valido {_shown(value)}: atteso un numero non negativo come "1000.00"')
            return Decimal("0.00")


def _days(reader: _Reader, name: str, value: Any) -> int:
    return reader.integer(name, value, 0, MAX_DAYS)


def _level(reader: _Reader, name: str, value: Any) -> int:
    return reader.integer(name, value, 1, MAX_LEVEL)


def _flag(reader: _Reader, name: str, value: Any) -> bool:
    return reader.flag(name, value)


def _amount(reader: _Reader, name: str, value: Any) -> Decimal:
    return reader.amount(name, value)


def _weekdays(reader: _Reader, name: str, value: Any) -> tuple[int, ...]:
    items = _list_of(value)
    if items is None:
        reader.fail(name, f"attesa una lista di giorni (0-6 o nomi come «venerdì»), ricevuto {_shown(value)}")
        return ()
    days: set[int] = set()
    for index, item in enumerate(items):
        try:
            days.add(weekday(item))
        except ValueError:
            reader.fail(
                f"{name}.{index}",
                f"giorno della settimana sconosciuto {_shown(item)} (0 = lunedì … 6 = domenica, o il nome)",
            )
    if len(days) == 7:
        reader.fail(name, "tutti i giorni esclusi: nessuna sospensione sarebbe mai possibile")
    return tuple(sorted(days))


def _company_days(reader: _Reader, name: str, value: Any) -> tuple[CompanyDay, ...]:
    if not isinstance(value, list):
        reader.fail(name, f'attesa una lista di oggetti {{"date": "06-24", "label": "…"}}, ricevuto {_shown(value)}')
        return ()
    if len(value) > MAX_COMPANY_DAYS:
        reader.fail(name, f"al massimo {MAX_COMPANY_DAYS} giorni, ricevuti {len(value)}")
        return ()
    days: list[CompanyDay] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(value):
        where = f"{name}.{index}"
        if not isinstance(item, Mapping):
            reader.fail(where, f'atteso un oggetto {{"date": "06-24", "label": "…"}}, ricevuto {_shown(item)}')
            continue
        extra = [str(k) for k in item if k not in ("date", "label")]
        for key in extra:
            reader.fail(f"{where}.{key}", "campo sconosciuto (ammessi: date, label)")
        label = item.get("label")
        if not isinstance(label, str) or not label.strip():
            reader.fail(f"{where}.label", "descrizione mancante (ad es. «Santo patrono»)")
            label = ""
        elif len(label.strip()) > MAX_LABEL or not label.strip().isprintable():
            reader.fail(f"{where}.label", f"descrizione non valida: al massimo {MAX_LABEL} caratteri stampabili")
        try:
            day = company_day(item.get("date"), label.strip())
        except ValueError:
            reader.fail(
                f"{where}.date",
                f"data non valida {_shown(item.get('date'))}: GG/MM o MM-GG ogni anno, GG/MM/AAAA o AAAA-MM-GG"
                f" una volta sola (anni {FIRST_YEAR}-{LAST_YEAR})",
            )
            continue
        if day.key in seen:
            reader.fail(f"{where}.date", f"data {day.italian} ripetuta (già al n. {seen[day.key] + 1})")
            continue
        seen[day.key] = index
        days.append(day)
    return tuple(sorted(days))


def _ceilings(reader: _Reader, name: str, value: Any) -> dict[int, Decimal]:
    if not isinstance(value, Mapping) or not value:
        reader.fail(name, f'atteso un oggetto livello → importo, ad es. {{"1": "1000.00"}}, ricevuto {_shown(value)}')
        return {}
    ceilings: dict[int, Decimal] = {}
    wrong = len(reader.problems)
    for level_text, amount_value in value.items():
        where = f"{name}.{level_text}"
        level = reader.integer(where, level_text, 1, MAX_LEVEL)
        ceiling = reader.amount(where, amount_value)
        if len(reader.problems) == wrong:
            ceilings[level] = ceiling
        wrong = len(reader.problems)
    previous: tuple[int, Decimal] | None = None
    for level, ceiling in sorted(ceilings.items()):
        if previous is not None and ceiling < previous[1]:
            reader.fail(
                f"{name}.{level}",
                f"il massimale del livello {level} ({format_euro(ceiling)}) è inferiore a quello del livello"
                f" {previous[0]} ({format_euro(previous[1])})",
            )
        previous = (level, ceiling)
    return ceilings


_PARSERS: dict[str, Callable[[_Reader, str, Any], Any]] = {
    "grace_period_days": _days,
    "suspension_forbidden_weekdays": _weekdays,
    "suspension_forbidden_on_holidays": _flag,
    "suspension_forbidden_on_holiday_eves": _flag,
    "company_days": _company_days,
    "write_off_ceilings": _ceilings,
    "instalment_tolerance_days": _days,
    "instalment_tolerance_amount": _amount,
    "litigation_approval_level": _level,
}


def _list_of(value: Any) -> list[Any] | None:
    if isinstance(value, list | tuple):
        return list(value)
    if isinstance(value, str):
        return [part for part in re.split(r"[,;|]", value) if part.strip()]
    return None


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().lower().rstrip("'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"
