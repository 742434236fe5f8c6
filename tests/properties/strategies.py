"""Hypothesis strategies of hostile input: texts with control, bidi, zero-width and non-ASCII digit
characters, amounts in every spelling ``Decimal()`` would take, JSON values of any type.

Dates are mostly plausible (2000–2030), else any date of the calendar, the edges of the business-date
range and the year-9999 dates that once halted the read models: each must be accepted or refused
clearly, never crash anything.
"""

from __future__ import annotations

import string
from datetime import date, datetime
from typing import Any

from hypothesis import strategies as st

HOSTILE_CHARS = [
    "\x00",
    "\x01",
    "\x07",
    "\x1b",
    "\x7f",
    "\x85",
    "\x9b",
    "\t",
    "\n",
    "\r",
    "\u00a0",
    "\u061c",
    "\u200b",
    "\u200e",
    "\u202a",
    "\u202e",
    "\u2028",
    "\u2066",
    "\u2069",
    "\ufeff",
    "\ufffe",
    "\ud800",
    "\u0661",  # Arabic-Indic one
    "\uff11",  # full-width one
    "_",
    "/",
    "=",
    "+",
    "-",
    "€",
    "%",
    "'",
    '"',
    "\\",
    "ä",
    "😀",
]

SPECIAL_TEXTS = [
    "",
    " ",
    "   ",
    "_x0001_",
    "_x0000_",
    "_x202E_",
    '=HYPERLINK("http://x")',
    "1_000",
    "\u0661\u0662\u0663",
    "1E+2",
    "1e2",
    "+5",
    "-0",
    "NaN",
    "Infinity",
    "-Infinity",
    "1 000",
    "12.345",
    "12,345",
    "1.234",
    "1.234,56",
    "9" * 30,
    "0x10",
    "31/02/2026",
    "2026-02-30",
    "2026-13-01",
    "domani",
    "x" * 300,
]

hostile_text = st.one_of(
    st.sampled_from(SPECIAL_TEXTS),
    st.text(alphabet=st.sampled_from(HOSTILE_CHARS + list(string.ascii_letters + string.digits + " .,")), max_size=24),
    st.text(max_size=16),
)

plain_key = st.text(alphabet=string.ascii_uppercase + string.digits, min_size=1, max_size=6).map(lambda s: "K" + s)

EDGE_DATES = [
    date.min,
    date(1989, 12, 31),
    date(1990, 1, 1),
    date(2099, 12, 31),
    date(2100, 1, 1),
    date(9999, 12, 1),
    date.max,
]
sane_dates = st.one_of(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31)),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31)),
    st.dates(),
    st.sampled_from(EDGE_DATES),
)

amount_texts = st.one_of(
    st.decimals(min_value=-(10**15), max_value=10**15, allow_nan=False, allow_infinity=False, places=3).map(str),
    st.integers(min_value=-(10**16), max_value=10**16).map(str),
    st.sampled_from(SPECIAL_TEXTS),
    st.text(alphabet=st.sampled_from(list("0123456789.,-+eE_ €\u0661\u00a0")), max_size=16),
)

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    hostile_text,
)

json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=6,
)


def field(valid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly a plausible value (so that some records go in), else anything at all."""
    return st.one_of(valid, valid, hostile_text, json_values)


def iso(day: date) -> str:
    return day.isoformat()


# Spreadsheet cells: every type calamine returns, control characters written as Excel escapes
# (openpyxl refuses to write them raw; calamine decodes the escapes back into them).
escaped_text = hostile_text.map(
    lambda text: "".join(
        f"_x{ord(ch):04X}_" if (ord(ch) < 32 and ch not in "\t\n\r") or 0xD800 <= ord(ch) <= 0xDFFF else ch
        for ch in text
    )
).filter(lambda text: "\ufffe" not in text)

cells = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**18), max_value=10**18),
    st.floats(allow_nan=False, allow_infinity=False),
    sane_dates,
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2030, 12, 31)),
    st.datetimes(),
    escaped_text,
    amount_texts,
)
