"""The table of late-payment rates (``creditbox/data/interest-rates.csv``, or a company's own file).

One row per period: ``kind`` (``legale``, ``moratorio_231``, ``indennizzo_231``), ``from`` and ``to``
(ISO dates, both included), ``rate`` (percent per year; euro for ``indennizzo_231``, with a decimal
point) and ``source`` (the decree or communication it comes from). The rates are published every year
(legal rate, in December) and every half-year (D.Lgs. 231/2002, in January and July): the file must be
kept up to date — a company may point ``CREDITBOX_INTEREST_RATES_FILE`` (or ``--rates``) at its own.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib.resources import files
from pathlib import Path

from creditbox.domain.interest import RateKind, RatePeriod, RateTable, RateTableError

RATES_RESOURCE = "interest-rates.csv"
COLUMNS = ("kind", "from", "to", "rate", "source")


class RateFileError(ValueError):
    """The rate file cannot be read: the message names the file, the row and the column."""


def parse_rates(text: str, name: str) -> RateTable:
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
    if missing:
        raise RateFileError(f"{name}: colonne mancanti: {', '.join(missing)} (attese: {', '.join(COLUMNS)})")
    periods = []
    for row_number, row in enumerate(reader, start=2):
        periods.append(_period(row, name, row_number))
    try:
        return RateTable(tuple(periods))
    except RateTableError as error:
        raise RateFileError(f"{name}: {error}") from error


def _period(row: dict[str, str], name: str, row_number: int) -> RatePeriod:
    def fail(column: str, reason: str) -> RateFileError:
        return RateFileError(f"{name}, riga {row_number}, colonna {column!r}: {reason}")

    raw_kind = (row.get("kind") or "").strip()
    try:
        kind = RateKind(raw_kind)
    except ValueError:
        allowed = ", ".join(k.value for k in RateKind)
        raise fail("kind", f"tipo sconosciuto {raw_kind!r} (ammessi: {allowed})") from None
    days = []
    for column in ("from", "to"):
        raw = (row.get(column) or "").strip()
        try:
            days.append(date.fromisoformat(raw))
        except ValueError:
            raise fail(column, f"data non valida {raw!r} (attesa AAAA-MM-GG)") from None
    raw_rate = (row.get("rate") or "").strip()
    try:
        rate = Decimal(raw_rate)
    except InvalidOperation:
        raise fail("rate", f"valore non valido {raw_rate!r} (es. 2.50)") from None
    if not rate.is_finite() or rate < 0:
        raise fail("rate", f"valore non valido {raw_rate!r}")
    source = (row.get("source") or "").strip()
    if not source:
        raise fail("source", "fonte mancante (decreto, comunicato o Gazzetta Ufficiale)")
    return RatePeriod(kind, days[0], days[1], rate, source)


@cache
def standard_rates() -> RateTable:
    """The rates shipped with the package (an invalid shipped file is a bug: it raises)."""
    text = files("creditbox").joinpath("data", RATES_RESOURCE).read_text(encoding="utf-8")
    return parse_rates(text, RATES_RESOURCE)


def load_rates(path: str | Path | None) -> RateTable:
    """The company's rate file at ``path``; the shipped one when ``None``."""
    if path is None or str(path) == "":
        return standard_rates()
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise RateFileError(f"file dei tassi {file}: {error.strerror or error}") from error
    except UnicodeDecodeError:
        raise RateFileError(f"file dei tassi {file}: non è un testo UTF-8") from None
    return parse_rates(text, file.name)
