"""A deterministic, JSON-able view of an aggregate's whole state, to compare replays across versions.

The view follows the aggregate's attributes recursively: dataclasses and plain objects become dicts
of their attributes, an Enum its value, a Decimal its string, a date or datetime its ISO form, a
UUID its string, a set a sorted list, a tuple a list; dict keys are stringified. A state that was a
bare string in one version and an Enum of the same values in another gives the same view.

Left out: the eventsourcing bookkeeping that is no part of the business state (the pending events,
and the created/modified timestamps, which are the wall-clock times the events were recorded).
The aggregate's id and version stay: the version counts the events replayed.
"""

from __future__ import annotations

import json
from datetime import date, time
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

BOOKKEEPING = frozenset({"_pending_events", "_created_on", "_modified_on"})

Plain = None | bool | int | float | str | list["Plain"] | dict[str, "Plain"]


def state_digest(aggregate: object) -> dict[str, Plain]:
    """The aggregate's state as plain JSON values (see the module's docstring)."""
    return {name: _plain(value) for name, value in sorted(_attributes(aggregate).items()) if name not in BOOKKEEPING}


def _attributes(obj: object) -> dict[str, Any]:
    """What the object holds: its ``__dict__`` and its slots (a dataclass's fields are either)."""
    found: dict[str, Any] = dict(getattr(obj, "__dict__", {}))
    for klass in type(obj).__mro__:
        for slot in getattr(klass, "__slots__", ()):
            if slot not in ("__dict__", "__weakref__") and hasattr(obj, slot):
                found[slot] = getattr(obj, slot)
    return found


def _plain(value: Any) -> Plain:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Enum):
        return _plain(value.value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, dict):
        return {_key(k): _plain(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted((_plain(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    attributes = _attributes(value)
    if not attributes:
        raise TypeError(f"no digest for a {type(value).__qualname__}: {value!r}")
    return {name: _plain(v) for name, v in sorted(attributes.items())}


def _key(key: Any) -> str:
    plain = _plain(key)
    return plain if isinstance(plain, str) else json.dumps(plain, sort_keys=True)


def as_then(actual: Plain, expected: Plain) -> Plain:
    """``actual`` without the attributes added to the code after ``expected`` was written and left
    empty (None) by the replay: an old event knows nothing of them, so None is all it can give, and
    the state is the same. Anything else — a value that differs, an attribute that has a value, one
    that disappeared — still differs."""
    if isinstance(actual, dict) and isinstance(expected, dict):
        return {
            key: as_then(value, expected.get(key))
            for key, value in actual.items()
            if key in expected or value is not None
        }
    if isinstance(actual, list) and isinstance(expected, list) and len(actual) == len(expected):
        return [as_then(a, e) for a, e in zip(actual, expected, strict=True)]
    return actual
