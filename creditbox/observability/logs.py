"""Structured logs: one JSON object per line, with the request id (API) or message id (workers) of the
work in progress, on standard error.

``configure(settings)`` installs the format chosen by ``CREDITBOX_LOG_FORMAT`` (``json`` or ``text``)
at ``CREDITBOX_LOG_LEVEL`` on the root logger; ``bound(request_id=…)`` / ``bound(message_id=…)`` put
an id on every record logged inside it (a context variable: each request and each message its own).

No personal data: CreditBox logs ids, counts, route templates, codes of companies, channels and
statuses — never a name, a codice fiscale, an address, an e-mail, a phone number or an amount of a
customer. Tracebacks are kept (they name code, not people); the tests check a whole import, upload
and scheduler round for the imported customers' data.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

request_id: ContextVar[str | None] = ContextVar("creditbox_request_id", default=None)
message_id: ContextVar[str | None] = ContextVar("creditbox_message_id", default=None)
_IDS = {"request_id": request_id, "message_id": message_id}
# Attributes of every LogRecord: what is not among them was passed with ``extra=`` and is printed.
# (uvicorn's ``color_message`` repeats the message with terminal colours.)
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
    "color_message",
}
HANDLER_NAME = "creditbox-json"


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, the ids bound, the
    ``extra`` fields, the exception type and traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name, variable in _IDS.items():
            value = getattr(record, name, None) or variable.get()
            if value:
                entry[name] = value
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in entry:
                entry[key] = value if isinstance(value, str | int | float | bool | None) else str(value)
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = record.exc_info[0].__name__
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class IdFilter(logging.Filter):
    """Adds the bound ids to the records of a text handler (``%(request_id)s``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, variable in _IDS.items():
            if not hasattr(record, name):
                setattr(record, name, variable.get() or "-")
        return True


def configure(log_format: str = "text", level: str = "INFO", stream: Any = None) -> logging.Handler:
    """Install the process's log handler on the root logger (replacing one installed before)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == HANDLER_NAME:
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name(HANDLER_NAME)
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.addFilter(IdFilter())
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"))
    root.addHandler(handler)
    root.setLevel(level.upper())
    if log_format == "json":
        # uvicorn's and dramatiq's own handlers would print the same records again, as text.
        for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "dramatiq"):
            logger = logging.getLogger(name)
            logger.handlers = []
            logger.propagate = True
    return handler


@contextmanager
def bound(**ids: str | None) -> Iterator[None]:
    """Every record logged inside carries these ids (``request_id``, ``message_id``)."""
    tokens = [(_IDS[name], _IDS[name].set(value)) for name, value in ids.items()]
    try:
        yield
    finally:
        for variable, token in reversed(tokens):
            variable.reset(token)
