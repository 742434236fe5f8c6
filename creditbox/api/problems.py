"""Errors as RFC 9457 problem documents (``application/problem+json``).

Every error the API answers has the same shape: ``type``, ``title``, ``status``, ``detail``,
``instance`` (the request path) and, for bad input, ``errors`` naming each field that is wrong.
Domain errors map to statuses here, in one place; nothing a client can send ends in a 500. A
database that cannot be had in time (busy, unreachable, a lock not granted) is a 503 with
``Retry-After``, never a 500; an unexpected error is a 500 problem document that names nothing of
the internals (the traceback goes to the log only).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import psycopg
import sqlalchemy.exc
from eventsourcing.persistence import OperationalError as StoreOperationalError
from eventsourcing.persistence import RecordConflictError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from creditbox.api.security_headers import SECURITY_HEADERS
from creditbox.domain.business_dates import DateInFuture, DateOutOfRange
from creditbox.domain.errors import Conflict, DomainError, InvalidCommand, LevelTooLow, NotAllowed, NotFound
from creditbox.domain.wording import plural
from creditbox.infrastructure.write_gate import DatabaseBusy

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:creditbox:problem:"

log = logging.getLogger("creditbox.api")

# slug, Italian title
_KINDS: dict[int, tuple[str, str]] = {
    400: ("bad-request", "Richiesta non valida"),
    401: ("unauthenticated", "Autenticazione richiesta"),
    403: ("forbidden", "Operazione non consentita"),
    404: ("not-found", "Risorsa non trovata"),
    405: ("method-not-allowed", "Metodo non consentito"),
    406: ("not-acceptable", "Formato di risposta non disponibile"),
    409: ("conflict", "Conflitto"),
    413: ("content-too-large", "Contenuto troppo grande"),
    415: ("unsupported-media-type", "Tipo di contenuto non supportato"),
    422: ("invalid-input", "Dati non validi"),
    429: ("too-many-requests", "Troppe richieste"),
    500: ("internal-error", "Errore interno"),
    503: ("unavailable", "Servizio momentaneamente non disponibile"),
}

# Seconds a client is told to wait (``Retry-After``) before retrying a 503.
RETRY_AFTER_SECONDS = 2

# Errors of the database that mean "not now" rather than "wrong": busy, unreachable, lock not granted.
UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (
    DatabaseBusy,
    StoreOperationalError,
    sqlalchemy.exc.OperationalError,
    psycopg.OperationalError,
)


class FieldError(BaseModel):
    field: str = Field(description="Il campo errato, in notazione puntata (ad es. `records.0.amount`)")
    location: str = Field(description="Dove si trova: body, query, path, header")
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str = Field(examples=["urn:creditbox:problem:not-found"])
    title: str
    status: int
    detail: str
    instance: str
    errors: list[FieldError] | None = None


class ApiProblem(Exception):
    """Raised by the API layer itself (authentication, scope, media type, size)."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        errors: Sequence[FieldError] | None = None,
        headers: dict[str, str] | None = None,
        kind: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = list(errors) if errors else None
        self.headers = headers
        self.kind = kind


ProblemT = TypeVar("ProblemT")


def invalid_document(title: str, problems: Sequence[ProblemT], field_of: Callable[[ProblemT], str]) -> ApiProblem:
    """A 422 for a document refused as a whole (the actions table, the settings): ``title`` with the
    count of problems, and one error in the body per problem, its field named by ``field_of``."""
    return ApiProblem(
        422,
        f"{title} ({plural(len(problems), 'problema', 'problemi')})",
        errors=[FieldError(field=field_of(p), location="body", message=str(p)) for p in problems],
    )


def busy(detail: str) -> ApiProblem:
    """503 with ``Retry-After``: the request was fine, the database could not take it now."""
    return ApiProblem(503, detail, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def problem_response(
    request: Request,
    status: int,
    detail: str,
    *,
    errors: Sequence[FieldError] | None = None,
    headers: dict[str, str] | None = None,
    kind: str | None = None,
) -> JSONResponse:
    slug, title = _KINDS.get(status, ("error", "Errore"))
    problem = Problem(
        type=TYPE_PREFIX + (kind or slug),
        title=title,
        status=status,
        detail=detail,
        instance=request.url.path,
        errors=list(errors) if errors else None,
    )
    # The security headers are set here too: a 500 is answered outside every middleware.
    return JSONResponse(
        problem.model_dump(exclude_none=True),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers={**SECURITY_HEADERS, **(headers or {})},
    )


def status_of(error: DomainError) -> int:
    explicit = getattr(error, "http_status", None)
    if isinstance(explicit, int):
        return explicit
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, Conflict):
        return 409
    if isinstance(error, InvalidCommand):
        return 422
    if isinstance(error, LevelTooLow):
        return 403
    if isinstance(error, NotAllowed):
        return 409
    return 422


def kind_of(error: DomainError) -> str | None:
    """The problem type of a domain error when it is more specific than its status's."""
    if isinstance(error, LevelTooLow):
        return "level-too-low"
    if isinstance(error, DateOutOfRange):
        return "date-out-of-range"
    if isinstance(error, DateInFuture):
        return "date-in-future"
    return None


_UNION_TAG = re.compile(r"^(list\[[A-Za-z_]\w*\]|[A-Z]\w*)$")


def _one_branch(raw: Sequence[Any], body: Any) -> list[Any]:
    """A body typed "one record or a list of records" fails in both union branches: keep the
    errors of the branch the client actually sent (object or array) and drop the branch tag."""
    tagged = [item for item in raw if len(item.get("loc", ())) > 1 and _UNION_TAG.match(str(item["loc"][1]))]
    if not tagged or len(tagged) != len(raw):
        return list(raw)
    sent_list = isinstance(body, list)
    kept = [item for item in tagged if str(item["loc"][1]).startswith("list[") == sent_list]
    if not kept:
        return list(raw)
    return [{**item, "loc": (item["loc"][0], *item["loc"][2:])} for item in kept]


def _field_errors(raw: Sequence[Any]) -> list[FieldError]:
    errors: list[FieldError] = []
    for item in raw:
        loc = [str(part) or '""' for part in item.get("loc", ())]  # an empty JSON key is named as written
        location = loc[0] if loc else "body"
        field = ".".join(loc[1:]) if len(loc) > 1 else location
        errors.append(FieldError(field=field, location=location, message=italian_message(item)))
    return errors


# Pydantic's error types, in Italian (its own messages are English); ``{name}`` takes the error's context.
_MESSAGES: dict[str, str] = {
    "missing": "campo obbligatorio",
    "extra_forbidden": "campo non previsto",
    "string_type": "deve essere un testo",
    "string_too_short": "almeno {min_length} caratteri",
    "string_too_long": "al massimo {max_length} caratteri",
    "string_pattern_mismatch": "formato non valido",
    "string_unicode": "testo non valido (Unicode)",
    "int_type": "deve essere un numero intero",
    "int_parsing": "deve essere un numero intero",
    "int_parsing_size": "numero intero troppo grande",
    "int_from_float": "deve essere un numero intero",
    "float_type": "deve essere un numero",
    "float_parsing": "deve essere un numero",
    "finite_number": "deve essere un numero finito",
    "decimal_type": "deve essere un numero decimale",
    "decimal_parsing": "deve essere un numero decimale",
    "decimal_max_places": "al massimo {decimal_places} decimali",
    "decimal_max_digits": "al massimo {max_digits} cifre",
    "decimal_whole_digits": "al massimo {whole_digits} cifre prima della virgola",
    "greater_than": "deve essere maggiore di {gt}",
    "greater_than_equal": "deve essere almeno {ge}",
    "less_than": "deve essere minore di {lt}",
    "less_than_equal": "deve essere al massimo {le}",
    "multiple_of": "deve essere multiplo di {multiple_of}",
    "bool_type": "deve essere vero o falso",
    "bool_parsing": "deve essere vero o falso",
    "date_type": "data non valida: usare AAAA-MM-GG",
    "date_parsing": "data non valida: usare AAAA-MM-GG",
    "date_from_datetime_parsing": "data non valida: usare AAAA-MM-GG",
    "date_from_datetime_inexact": "data non valida: usare AAAA-MM-GG, senza ora",
    "datetime_type": "data e ora non valide",
    "datetime_parsing": "data e ora non valide",
    "datetime_from_date_parsing": "data e ora non valide",
    "literal_error": "valore non ammesso: atteso {expected}",
    "enum": "valore non ammesso: atteso {expected}",
    "list_type": "deve essere un elenco",
    "tuple_type": "deve essere un elenco",
    "dict_type": "deve essere un oggetto",
    "model_type": "deve essere un oggetto",
    "model_attributes_type": "deve essere un oggetto",
    "too_short": "almeno {min_length} elementi",
    "too_long": "al massimo {max_length} elementi",
    "json_invalid": "JSON non valido",
    "json_type": "JSON non valido",
    "uuid_type": "identificativo non valido",
    "uuid_parsing": "identificativo non valido",
    "bytes_type": "deve essere un file",
    "value_error": "valore non valido",
    "assertion_error": "valore non valido",
    "union_tag_invalid": "tipo di record non riconosciuto",
    "union_tag_not_found": "tipo di record mancante",
}
_FALLBACK_MESSAGE = "valore non valido"


def italian_message(item: Any) -> str:
    """The message of one validation error in Italian: the text of the project's own validators
    without pydantic's English prefix (``Value error, …``, ``Assertion failed, …``), or the
    Italian wording of a pydantic error type."""
    kind = str(item.get("type", ""))
    context = item.get("ctx") or {}
    if kind in ("value_error", "assertion_error") and context.get("error") is not None:
        own = str(context["error"]).strip()
        if own:
            return own
    template = _MESSAGES.get(kind, _FALLBACK_MESSAGE)
    values = {name: _italian_context(value) for name, value in context.items()}
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):  # a context that lacks what the wording names
        return _FALLBACK_MESSAGE


def _italian_context(value: Any) -> str:
    return str(value).replace(" or ", " o ")


async def _on_api_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiProblem)
    return problem_response(request, exc.status, exc.detail, errors=exc.errors, headers=exc.headers, kind=exc.kind)


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    raw = _one_branch(list(exc.errors()), exc.body)
    if any(item.get("type") == "json_invalid" for item in raw):
        return problem_response(request, 400, "JSON non valido nel corpo della richiesta", errors=_field_errors(raw))
    errors = _field_errors(raw)
    fields = ", ".join(e.field for e in errors[:5])
    return problem_response(request, 422, f"dati non validi: {fields}", errors=errors)


# The framework's own refusals (the project raises ``ApiProblem``, never ``HTTPException``): their
# details are English ("Not Found", multipart parser messages), so each status gets an Italian one.
_HTTP_DETAILS: dict[int, str] = {
    400: "corpo della richiesta non leggibile (modulo multipart non valido)",
    401: "autenticazione richiesta",
    404: "risorsa inesistente",
}


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    if status == 405:
        detail = f"metodo {request.method} non consentito su questa risorsa"
    else:
        detail = _HTTP_DETAILS.get(status) or _KINDS.get(status, ("", "richiesta non accolta"))[1].lower()
    return problem_response(request, status, detail, headers=getattr(exc, "headers", None))


async def _on_domain(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    errors = None
    if exc.field is not None:  # the refusal is about one datum: name it like a 422 of validation does
        errors = [FieldError(field=exc.field.value, location="body", message=str(exc))]
    return problem_response(request, status_of(exc), str(exc), kind=kind_of(exc), errors=errors)


async def _on_record_conflict(request: Request, exc: Exception) -> JSONResponse:
    # A version clash that escaped the committer's retries (a write outside it): transient.
    return problem_response(
        request,
        503,
        "modifica concorrente della stessa posizione: riprovare fra poco",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


async def _on_unavailable(request: Request, exc: Exception) -> JSONResponse:
    log.warning("database non disponibile su %s %s: %s", request.method, request.url.path, type(exc).__name__)
    return problem_response(
        request,
        503,
        "archivio momentaneamente occupato o non raggiungibile: riprovare fra poco",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("errore inatteso su %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(request, 500, "errore interno: l'operazione non è stata completata")


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiProblem, _on_api_problem)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(DomainError, _on_domain)
    app.add_exception_handler(RecordConflictError, _on_record_conflict)
    for error in UNAVAILABLE_ERRORS:
        app.add_exception_handler(error, _on_unavailable)
    app.add_exception_handler(Exception, _on_unexpected)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for the problem statuses a route can answer."""
    return {
        status: {
            "model": Problem,
            "description": _KINDS.get(status, ("", "Errore"))[1],
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }
