"""The versioned documents of the channels (*configurazione dei canali*, *modelli dei messaggi*).

One :class:`ChannelDocument` aggregate per kind and scope — the scope is a company code or
:data:`GROUP` for the group's defaults — keeps every version it adopted, like the actions table and
the company settings: version 1 when it is first saved, n+1 at each change, each with who, when, why
and from where (:class:`DocumentVersion`). The document is plain JSON data (strings, numbers,
booleans, lists, objects): what it means is the application's business (``channel_config``,
``templates``). A secret is never in it, only where to read it (an environment variable's name or a
file's path). Before the first save a scope has "version 0", the empty document.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from creditbox.domain.errors import NotFound
from creditbox.domain.ids import NAMESPACE, normalise_company_code

T = "creditbox.channels."

GROUP = "*"  # the scope of the group's defaults
CONFIGURATION = "configurazione"
TEMPLATES = "modelli"
KINDS = (CONFIGURATION, TEMPLATES)
KIND_LABELS = {CONFIGURATION: "configurazione dei canali", TEMPLATES: "modelli dei messaggi"}
NO_VERSION_SOURCE = "predefinito"


def normalise_scope(scope: str) -> str:
    return GROUP if scope.strip() == GROUP else normalise_company_code(scope)


def scope_label(scope: str) -> str:
    return "gruppo" if scope == GROUP else scope


def channel_document_id(kind: str, scope: str) -> UUID:
    return uuid5(NAMESPACE, f"channel-document/{kind}/{normalise_scope(scope)}")


@dataclass(frozen=True)
class DocumentVersion:
    """One version of a scope's document, as adopted: the document and who/when/why/where from."""

    kind: str
    scope: str
    version: int  # 0: nothing saved yet (the empty document)
    document: dict[str, Any]
    by: str
    at: datetime | None
    note: str | None
    source: str

    @classmethod
    def empty(cls, kind: str, scope: str) -> DocumentVersion:
        return cls(kind, normalise_scope(scope), 0, {}, "", None, None, NO_VERSION_SOURCE)


class ChannelDocument(Aggregate):
    TOPIC = "creditbox.channels.ChannelDocument"

    class Created(Aggregate.Created):
        TOPIC = T + "Created"

    @staticmethod
    def create_id(kind: str, scope: str, **_: Any) -> UUID:
        return channel_document_id(kind, scope)

    @classmethod
    def adopt(
        cls, kind: str, scope: str, document: dict[str, Any], *, by: str, at: datetime, note: str | None, source: str
    ) -> ChannelDocument:
        """Version 1 of the scope's document."""
        if kind not in KINDS:
            raise ValueError(f"tipo di documento sconosciuto: {kind}")
        return cls(
            kind=kind,
            scope=normalise_scope(scope),
            by=by,
            document=copy.deepcopy(document),
            at=at,
            note=_note(note),
            source=source,
        )

    @event("ChannelDocumentAdopted", topic=T + "ChannelDocumentAdopted")
    def __init__(
        self, kind: str, scope: str, by: str, document: dict[str, Any], at: datetime, note: str | None, source: str
    ) -> None:
        self.kind = kind
        self.scope = scope
        self.versions: list[DocumentVersion] = []
        self._record(1, by, document, at, note, source)

    def change(self, document: dict[str, Any], *, by: str, at: datetime, note: str | None, source: str) -> bool:
        """Adopt version n+1; False (nothing recorded) when equal to the version in force."""
        if document == self.current.document:
            return False
        self._changed(
            document_version=self.current.version + 1,
            by=by,
            document=copy.deepcopy(document),
            at=at,
            note=_note(note),
            source=source,
        )
        return True

    @event("ChannelDocumentChanged", topic=T + "ChannelDocumentChanged")
    def _changed(
        self, document_version: int, by: str, document: dict[str, Any], at: datetime, note: str | None, source: str
    ) -> None:
        self._record(document_version, by, document, at, note, source)

    def _record(
        self, number: int, by: str, document: dict[str, Any], at: datetime, note: str | None, source: str
    ) -> None:
        self.versions.append(DocumentVersion(self.kind, self.scope, number, document, by, at, note, source))

    @property
    def current(self) -> DocumentVersion:
        return self.versions[-1]

    def get_version(self, number: int) -> DocumentVersion:
        """Version ``number`` (from 1) as adopted (``Aggregate.version`` is the event count)."""
        if not 1 <= number <= len(self.versions):
            raise NotFound(
                f"versione {number} della {KIND_LABELS[self.kind]} di {scope_label(self.scope)} inesistente"
                f" (versioni da 1 a {len(self.versions)})"
            )
        return self.versions[number - 1]


def _note(note: str | None) -> str | None:
    return (note.strip() or None) if note is not None else None


def changed_paths(before: Any, after: Any, prefix: str = "") -> tuple[str, ...]:
    """The dotted paths whose value differs between two documents (objects compared key by key,
    anything else as a whole): what a version changed, for the history."""
    if isinstance(before, dict) and isinstance(after, dict):
        paths: list[str] = []
        for key in sorted(set(before) | set(after), key=str):
            path = f"{prefix}.{key}" if prefix else str(key)
            if key not in before or key not in after:
                paths.append(path)
            else:
                paths.extend(changed_paths(before[key], after[key], path))
        return tuple(paths)
    return () if before == after else ((prefix or "."),)
