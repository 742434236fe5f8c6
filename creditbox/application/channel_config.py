"""The channel configuration (*configurazione dei canali*): for each company, which adapter serves each
channel and with which options and sender identity, where its secrets are read, the letterhead of its
notices, the days given to pay and the longest SMS allowed.

The configuration is a JSON document kept per scope — the group (:data:`GROUP`) and each company —
and versioned like the actions table (``domain/channel_document.py``: every version with who, when,
why and from where; a change based on another version than the one in force is refused). What a
company's document does not say comes from the group's, and what neither says from the built-in
defaults (:func:`effective_document`): the ``file`` adapter for every channel, 15 days to pay, at most
3 SMS. A channel's entry is merged field by field (``options`` and ``secrets`` key by key), the
letterhead field by field.

A secret is never in the document: only a reference to where it is read when needed —
``env:NAME`` (an environment variable) or ``file:/path`` (a file) — so neither the events nor the
logs ever hold one.
"""

from __future__ import annotations

import copy
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from creditbox.application.companies import CompanyDirectory
from creditbox.application.notices import Letterhead
from creditbox.application.ports import AdapterSpec, EventStore
from creditbox.clock import Clock
from creditbox.domain.channel_document import (
    CONFIGURATION,
    GROUP,
    ChannelDocument,
    DocumentVersion,
    changed_paths,
    channel_document_id,
    normalise_scope,
    scope_label,
)
from creditbox.domain.codes import ActionCode
from creditbox.domain.company import Company
from creditbox.domain.errors import Conflict, InvalidCommand, NotFound

# The channels of the outbox (``projections/outbox.py`` ``CHANNELS``; a test keeps them equal).
CHANNEL_LABELS: dict[str, str] = {
    "sms": "SMS",
    "email": "E-mail",
    "lettera": "Lettera ordinaria",
    "raccomandata": "Raccomandata A/R",
    "pec": "PEC",
    "agenzia": "Agenzia di recupero",
    "ufficio_tecnico": "Ufficio tecnico",
    "ufficio": "Ufficio crediti",
    "legale": "Ufficio legale",
}
CHANNEL_NAMES = tuple(CHANNEL_LABELS)
ACTION_CHANNELS: dict[ActionCode, str] = {
    ActionCode.SMS: "sms",
    ActionCode.EMAIL: "email",
    ActionCode.FRIENDLY_REMINDER: "lettera",
    ActionCode.REGISTERED_LETTER: "raccomandata",
    ActionCode.PEC: "pec",
    ActionCode.COLLECTION_AGENCY: "agenzia",
    ActionCode.TECHNICAL_OFFICE: "ufficio_tecnico",
    ActionCode.WRITE_OFF_REQUEST: "ufficio",
    ActionCode.REPAYMENT_PLAN: "ufficio",
    ActionCode.LITIGATION: "legale",
}

DEFAULT_ADAPTER = "file"
DEFAULT_PAYMENT_DAYS = 15
DEFAULT_SMS_MAX_PARTS = 3
MAX_PAYMENT_DAYS = 365
MAX_SMS_PARTS = 10

LETTERHEAD_FIELDS: dict[str, str] = {
    "name": "ragione sociale",
    "address": "indirizzo (righe)",
    "vat_number": "partita IVA",
    "iban": "IBAN",
    "phone": "telefono",
    "email": "e-mail",
    "pec": "PEC",
    "website": "sito web",
    "payment_instructions": "istruzioni di pagamento",
}
TOP_FIELDS: dict[str, str] = {
    "channels": "canali",
    "letterhead": "carta intestata",
    "payment_days": "giorni per pagare",
    "sms_max_parts": "massimo di SMS per messaggio",
}
CHANNEL_FIELDS = ("adapter", "sender", "options", "secrets")

_ADAPTER_NAME = re.compile(r"[a-z][a-z0-9-]{0,31}")
_OPTION_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
_ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]{0,127}")
MAX_TEXT = 2000


# ---- problems ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentProblem:
    """One thing wrong with a document; ``field`` dotted (``channels.sms.adapter``), empty for the whole."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field or 'documento'}: {self.message}"


class InvalidChannelDocument(InvalidCommand):
    """A document with problems was refused; nothing was saved."""

    def __init__(self, what: str, problems: Iterable[DocumentProblem]) -> None:
        self.what = what
        self.problems: tuple[DocumentProblem, ...] = tuple(problems)
        count = len(self.problems)
        lines = "\n".join(f"- {p}" for p in self.problems)
        problems_word = "problema" if count == 1 else "problemi"
        super().__init__(f"{what}: {count} {problems_word}, nulla è stato salvato\n{lines}")


# ---- the document ------------------------------------------------------------------------------


def check_configuration(document: Any, adapters: Iterable[str]) -> list[DocumentProblem]:
    """Every problem of a configuration document (``adapters``: the adapter names that exist)."""
    known = sorted(set(adapters))
    problems: list[DocumentProblem] = []
    if not isinstance(document, dict):
        return [DocumentProblem("", "atteso un oggetto JSON")]
    for key in document:
        if key not in TOP_FIELDS:
            problems.append(DocumentProblem(str(key), f"campo sconosciuto (ammessi: {', '.join(TOP_FIELDS)})"))
    channels = document.get("channels", {})
    if not isinstance(channels, dict):
        problems.append(DocumentProblem("channels", "atteso un oggetto: canale → configurazione"))
    else:
        for name, entry in channels.items():
            problems.extend(_check_channel(str(name), entry, known))
    letterhead = document.get("letterhead", {})
    if not isinstance(letterhead, dict):
        problems.append(DocumentProblem("letterhead", "atteso un oggetto"))
    else:
        problems.extend(_check_letterhead(letterhead))
    for name, upper in (("payment_days", MAX_PAYMENT_DAYS), ("sms_max_parts", MAX_SMS_PARTS)):
        if name in document:
            value = document[name]
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= upper:
                problems.append(DocumentProblem(name, f"atteso un numero intero da 1 a {upper}"))
    return problems


def _check_channel(name: str, entry: Any, known: list[str]) -> list[DocumentProblem]:
    where = f"channels.{name}"
    if name not in CHANNEL_LABELS:
        return [DocumentProblem(where, f"canale sconosciuto (canali: {', '.join(CHANNEL_NAMES)})")]
    if not isinstance(entry, dict):
        return [DocumentProblem(where, "atteso un oggetto con adapter, sender, options, secrets")]
    problems = [
        DocumentProblem(f"{where}.{key}", f"campo sconosciuto (ammessi: {', '.join(CHANNEL_FIELDS)})")
        for key in entry
        if key not in CHANNEL_FIELDS
    ]
    adapter = entry.get("adapter")
    if adapter is not None and (not isinstance(adapter, str) or adapter not in known):
        problems.append(
            DocumentProblem(f"{where}.adapter", f"adattatore sconosciuto {adapter!r} (noti: {', '.join(known)})")
        )
    sender = entry.get("sender")
    if sender is not None and (not isinstance(sender, str) or len(sender) > 200):
        problems.append(DocumentProblem(f"{where}.sender", "atteso un testo (al più 200 caratteri)"))
    options = entry.get("options", {})
    if not isinstance(options, dict):
        problems.append(DocumentProblem(f"{where}.options", "atteso un oggetto: nome → valore"))
    else:
        for key, value in options.items():
            if not _OPTION_NAME.fullmatch(str(key)):
                problems.append(DocumentProblem(f"{where}.options.{key}", "nome non valido (minuscole, cifre e _)"))
            elif not _plain_value(value):
                problems.append(
                    DocumentProblem(f"{where}.options.{key}", "atteso un testo, un numero, un sì/no o un elenco")
                )
    secrets = entry.get("secrets", {})
    if not isinstance(secrets, dict):
        problems.append(DocumentProblem(f"{where}.secrets", "atteso un oggetto: nome → riferimento"))
    else:
        for key, reference in secrets.items():
            if not _OPTION_NAME.fullmatch(str(key)):
                problems.append(DocumentProblem(f"{where}.secrets.{key}", "nome non valido (minuscole, cifre e _)"))
            elif not is_secret_reference(reference):
                # The value itself is never repeated: it may be the secret typed by mistake.
                problems.append(
                    DocumentProblem(
                        f"{where}.secrets.{key}",
                        "atteso un riferimento «env:NOME_VARIABILE» o «file:/percorso/assoluto», mai il segreto stesso",
                    )
                )
    return problems


def _check_letterhead(letterhead: dict[str, Any]) -> list[DocumentProblem]:
    problems: list[DocumentProblem] = []
    for key, value in letterhead.items():
        where = f"letterhead.{key}"
        if key not in LETTERHEAD_FIELDS:
            problems.append(DocumentProblem(where, f"campo sconosciuto (ammessi: {', '.join(LETTERHEAD_FIELDS)})"))
        elif key == "address":
            if not isinstance(value, list) or not all(isinstance(line, str) and len(line) <= 200 for line in value):
                problems.append(DocumentProblem(where, "atteso un elenco di righe di testo"))
        elif not isinstance(value, str) or len(value) > MAX_TEXT:
            problems.append(DocumentProblem(where, f"atteso un testo (al più {MAX_TEXT} caratteri)"))
    iban = letterhead.get("iban")
    if isinstance(iban, str) and iban and not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}", iban.replace(" ", "")):
        problems.append(DocumentProblem("letterhead.iban", "IBAN non valido (ad es. IT60X0542811101000000123456)"))
    return problems


def _plain_value(value: Any) -> bool:
    if isinstance(value, str):
        return len(value) <= MAX_TEXT
    if isinstance(value, bool | int | float):
        return True
    if isinstance(value, list):
        return all(isinstance(item, str | int | float | bool) for item in value)
    return False


def is_secret_reference(reference: Any) -> bool:
    """``env:NAME`` or ``file:/absolute/path``."""
    if not isinstance(reference, str):
        return False
    scheme, _, rest = reference.partition(":")
    if scheme == "env":
        return bool(_ENV_NAME.fullmatch(rest))
    if scheme == "file":
        return rest.startswith("/") and "\x00" not in rest and len(rest) <= 1024
    return False


def builtin_document(company_name: str = "") -> dict[str, Any]:
    """What holds when neither the group nor the company says otherwise."""
    return {
        "channels": {
            name: {"adapter": DEFAULT_ADAPTER, "sender": "", "options": {}, "secrets": {}} for name in CHANNEL_NAMES
        },
        "letterhead": {"name": company_name, "address": []},
        "payment_days": DEFAULT_PAYMENT_DAYS,
        "sms_max_parts": DEFAULT_SMS_MAX_PARTS,
    }


def effective_document(layers: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The documents merged, later ones over earlier ones: channels field by field (their options
    and secrets key by key), the letterhead field by field, the other fields whole."""
    result: dict[str, Any] = {}
    for layer in layers:
        for key, value in layer.items():
            if key == "channels":
                channels = result.setdefault("channels", {})
                for name, entry in value.items():
                    merged = channels.setdefault(name, {})
                    for field_name, field_value in entry.items():
                        if field_name in ("options", "secrets"):
                            merged.setdefault(field_name, {}).update(copy.deepcopy(field_value))
                        else:
                            merged[field_name] = copy.deepcopy(field_value)
            elif key == "letterhead":
                result.setdefault("letterhead", {}).update(copy.deepcopy(value))
            else:
                result[key] = copy.deepcopy(value)
    return result


# ---- the configuration in force ----------------------------------------------------------------


@dataclass(frozen=True)
class EffectiveConfiguration:
    """A company's configuration as it applies: the merged document and the versions it came from."""

    company: str
    company_version: int
    group_version: int
    document: dict[str, Any]

    @property
    def stamp(self) -> tuple[int, int]:
        """Changes whenever either document changes (adapters are cached by it)."""
        return (self.group_version, self.company_version)

    def channel(self, name: str) -> dict[str, Any]:
        entry: dict[str, Any] = self.document["channels"].get(name) or {}
        return entry

    def adapter_of(self, channel: str) -> str:
        return str(self.channel(channel).get("adapter") or DEFAULT_ADAPTER)

    @property
    def payment_days(self) -> int:
        return int(self.document.get("payment_days", DEFAULT_PAYMENT_DAYS))

    @property
    def sms_max_parts(self) -> int:
        return int(self.document.get("sms_max_parts", DEFAULT_SMS_MAX_PARTS))

    def letterhead(self) -> Letterhead:
        data = self.document.get("letterhead", {})
        return Letterhead(
            name=str(data.get("name") or self.company),
            address=tuple(str(line) for line in data.get("address", ())),
            vat_number=str(data.get("vat_number", "")),
            iban=str(data.get("iban", "")),
            phone=str(data.get("phone", "")),
            email=str(data.get("email", "")),
            pec=str(data.get("pec", "")),
            website=str(data.get("website", "")),
            payment_instructions=str(data.get("payment_instructions", "")),
        )

    def adapter_spec(self, channel: str, secret: Callable[[str], str]) -> AdapterSpec:
        """What the adapter's factory is given: its options (with the sender identity as ``sender``)
        and a reader of the channel's secrets by name (``secret("token")``)."""
        entry = self.channel(channel)
        options = dict(entry.get("options") or {})
        if entry.get("sender"):
            options["sender"] = entry["sender"]
        references: dict[str, str] = dict(entry.get("secrets") or {})

        def read(name: str) -> str:
            if name not in references:
                raise InvalidCommand(f"canale {channel} di {self.company}: segreto {name!r} non configurato")
            return secret(references[name])

        return AdapterSpec(self.company, channel, self.adapter_of(channel), options, read)


@dataclass(frozen=True)
class DocumentRevision:
    changed: bool
    version: DocumentVersion
    fields: tuple[str, ...]


@dataclass(frozen=True)
class DocumentHistoryEntry:
    version: DocumentVersion
    fields: tuple[str, ...]  # the paths changed against the previous version


class ChannelDocuments:
    """The versioned documents of one kind, per scope (shared by the configuration and the templates)."""

    def __init__(
        self,
        kind: str,
        companies: CompanyDirectory,
        store: EventStore,
        clock: Clock,
        cache: DocumentCache | None = None,
    ) -> None:
        self._kind = kind
        self._companies = companies
        self._store = store
        self._clock = clock
        self._cache = cache

    def scope(self, scope: str) -> str:
        """The scope's normal form; a company must be registered (``NotFound`` otherwise)."""
        scope = normalise_scope(scope)
        if scope != GROUP:
            scope = self.company(scope).code
        return scope

    def company(self, code: str) -> Company:
        """The registered company ``code`` (``NotFound`` otherwise), from the cache when it has it."""
        if self._cache is None:
            return self._companies.get(code)
        return self._cache.company(code, self._companies.get)

    def _aggregate(self, scope: str, *, fresh: bool = False) -> ChannelDocument | None:
        """The scope's document: from the cache when it has it (shared, never changed: only
        :meth:`save` changes a document, and it reads a ``fresh`` one from the store)."""
        key = (self._kind, scope)
        if self._cache is not None and not fresh:
            hit, cached = self._cache.get(key)
            if hit:
                return cached
        found = self._store.get_or_none(channel_document_id(self._kind, scope))
        aggregate = found if isinstance(found, ChannelDocument) else None
        if self._cache is not None and not fresh:
            self._cache.put(key, aggregate)
        return aggregate

    def current(self, scope: str) -> DocumentVersion:
        scope = self.scope(scope)
        aggregate = self._aggregate(scope)
        return aggregate.current if aggregate is not None else DocumentVersion.empty(self._kind, scope)

    def version(self, scope: str, number: int) -> DocumentVersion:
        scope = self.scope(scope)
        aggregate = self._aggregate(scope)
        if aggregate is None:
            if number == 0:
                return DocumentVersion.empty(self._kind, scope)
            raise NotFound(f"{scope_label(scope)}: nessuna versione salvata")
        return aggregate.get_version(number)

    def history(self, scope: str) -> list[DocumentHistoryEntry]:
        scope = self.scope(scope)
        aggregate = self._aggregate(scope)
        entries: list[DocumentHistoryEntry] = []
        previous: dict[str, Any] = {}
        for version in aggregate.versions if aggregate is not None else []:
            entries.append(DocumentHistoryEntry(version, changed_paths(previous, version.document)))
            previous = version.document
        return entries

    def save(
        self,
        scope: str,
        document: dict[str, Any],
        *,
        by: str,
        note: str | None,
        source: str,
        expected_version: int | None,
        what: str,
    ) -> DocumentRevision:
        """Save ``document`` (already checked) as the scope's version n+1 (unless unchanged)."""
        scope = self.scope(scope)
        aggregate = self._aggregate(scope, fresh=True)
        before = aggregate.current if aggregate is not None else DocumentVersion.empty(self._kind, scope)
        if expected_version is not None and expected_version != before.version:
            raise Conflict(
                f"{what} di {scope_label(scope)} è alla versione {before.version}, non {expected_version}:"
                " rileggerla e riprovare"
            )
        at = self._clock.now()
        if aggregate is None:
            aggregate = ChannelDocument.adopt(self._kind, scope, document, by=by, at=at, note=note, source=source)
            changed = True
        else:
            changed = aggregate.change(document, by=by, at=at, note=note, source=source)
        if changed:
            try:
                self._store.save(aggregate)
            finally:
                if self._cache is not None:
                    self._cache.forget((self._kind, scope))
        after = aggregate.current
        return DocumentRevision(changed, after, changed_paths(before.document, after.document) if changed else ())


class DocumentCache:
    """The documents read recently, by kind and scope, kept ``ttl_seconds`` (``now``: a monotonic
    clock, seconds). Every message sent reads its company's configuration and templates (and the
    group's): without a cache, several reads of the event store per message. A change saved through
    the same cache is seen at once; one saved by another process within ``ttl_seconds``.

    It also keeps the registered companies the documents are scoped by (their code and name, which
    the configuration in force starts from), for the same ``ttl_seconds``: each message asked for its
    company several times (the scope of each document, the built-in defaults) — one read of the event
    store each, the largest share of a send's work before. A company unknown is never kept."""

    def __init__(self, ttl_seconds: float, now: Callable[[], float]) -> None:
        self._ttl = ttl_seconds
        self._now = now
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, str], tuple[float, ChannelDocument | None]] = {}
        self._companies: dict[str, tuple[float, Company]] = {}

    def company(self, code: str, load: Callable[[str], Company]) -> Company:
        """The company ``code`` as ``load`` gives it, kept ``ttl_seconds`` (``load`` raises for an
        unknown company: nothing is kept then)."""
        with self._lock:
            found = self._companies.get(code)
        if found is not None and found[0] >= self._now():
            return found[1]
        company = load(code)
        if self._ttl > 0:
            with self._lock:
                self._companies[code] = (self._now() + self._ttl, company)
        return company

    def get(self, key: tuple[str, str]) -> tuple[bool, ChannelDocument | None]:
        with self._lock:
            found = self._entries.get(key)
        if found is None or found[0] < self._now():
            return False, None
        return True, found[1]

    def put(self, key: tuple[str, str], aggregate: ChannelDocument | None) -> None:
        if self._ttl <= 0:
            return
        with self._lock:
            self._entries[key] = (self._now() + self._ttl, aggregate)

    def forget(self, key: tuple[str, str]) -> None:
        with self._lock:
            self._entries.pop(key, None)


class ChannelConfigService:
    """Use cases of the channel configuration: show (stored and in force), change, history."""

    WHAT = "configurazione dei canali"

    def __init__(
        self,
        companies: CompanyDirectory,
        store: EventStore,
        clock: Clock,
        adapters: Callable[[], Iterable[str]],
        cache: DocumentCache | None = None,
    ) -> None:
        self._companies = companies
        self.documents = ChannelDocuments(CONFIGURATION, companies, store, clock, cache)
        self._adapters = adapters

    def current(self, scope: str) -> DocumentVersion:
        return self.documents.current(scope)

    def version(self, scope: str, number: int) -> DocumentVersion:
        return self.documents.version(scope, number)

    def history(self, scope: str) -> list[DocumentHistoryEntry]:
        return self.documents.history(scope)

    def effective(self, company: str) -> EffectiveConfiguration:
        """The company's configuration in force: built-in defaults, then the group's, then its own."""
        registered = self.documents.company(company)
        group = self.documents.current(GROUP)
        own = self.documents.current(registered.code)
        document = effective_document([builtin_document(registered.name), group.document, own.document])
        return EffectiveConfiguration(registered.code, own.version, group.version, document)

    def change(
        self,
        scope: str,
        document: Any,
        *,
        by: str,
        note: str | None = None,
        source: str = "manuale",
        expected_version: int | None = None,
    ) -> DocumentRevision:
        """Replace the scope's document (checked as a whole: every problem named, nothing saved)."""
        problems = check_configuration(document, self._adapters())
        if problems:
            raise InvalidChannelDocument(self.WHAT, problems)
        return self.documents.save(
            scope, document, by=by, note=note, source=source, expected_version=expected_version, what=self.WHAT
        )
