"""Keyset (cursor) pagination with opaque cursors.

A cursor is the sort key of the last row of a page (plus the name of the ordering, so a cursor is
refused by a different ordering), base64url-encoded JSON. Every ordering ends with a unique column,
and all its columns go the same direction, so "after the cursor" is one row-value comparison the
database answers from the ordering's index.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, tuple_

from creditbox.domain.errors import InvalidCommand
from creditbox.domain.money import CENT

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


class InvalidCursor(InvalidCommand):
    """A cursor that was tampered with, or reused under another sort order."""


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


@dataclass(frozen=True)
class Ordering:
    """Columns of a sort, all ascending or all descending; ``kinds`` say how to (de)serialise each key."""

    name: str
    columns: Sequence[ColumnElement[Any]]
    kinds: Sequence[str]  # "str" | "int" | "date" | "datetime" | "cents"
    descending: bool = False
    labels: Sequence[str] = field(default_factory=tuple)

    def order_by(self) -> list[ColumnElement[Any]]:
        return [c.desc() if self.descending else c.asc() for c in self.columns]

    def after(self, query: Select[Any], cursor: str | None) -> Select[Any]:
        if not cursor:
            return query
        values = decode_cursor(cursor, self)
        key = tuple_(*self.columns)
        bound = tuple_(*values)
        return query.where(key < bound if self.descending else key > bound)


def _encode_value(value: Any, kind: str) -> Any:
    if value is None:
        raise InvalidCursor("chiave di ordinamento nulla")
    if kind in ("date", "datetime"):
        return value.isoformat()
    if kind == "cents":
        return int((Decimal(value) / CENT).to_integral_exact())
    return value


def _decode_value(value: Any, kind: str) -> Any:
    if kind == "date":
        return date.fromisoformat(str(value))
    if kind == "datetime":
        return datetime.fromisoformat(str(value))
    if kind in ("int", "cents"):
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError(value)
        return value
    return str(value)


def encode_cursor(ordering: Ordering, values: Sequence[Any]) -> str:
    raw = json.dumps([ordering.name, [_encode_value(v, k) for v, k in zip(values, ordering.kinds, strict=True)]])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, ordering: Ordering) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        name, values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if name != ordering.name or len(values) != len(ordering.kinds):
            raise ValueError(name)
        return [_decode_value(v, k) for v, k in zip(values, ordering.kinds, strict=True)]
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError):
        raise InvalidCursor(f"cursore non valido per l'ordinamento {ordering.name!r}") from None


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidCommand(f"limite fuori intervallo: {limit} (da 1 a {MAX_LIMIT})")
    return limit


def page_of(rows: Sequence[Any], limit: int, ordering: Ordering, key: Any) -> tuple[list[Any], str | None]:
    """``rows`` fetched with ``limit + 1``: the page and the cursor of the next one (None: last page)."""
    if len(rows) <= limit:
        return list(rows), None
    page = list(rows[:limit])
    return page, encode_cursor(ordering, key(page[-1]))
