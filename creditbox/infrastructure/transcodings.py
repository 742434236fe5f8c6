"""JSON transcodings for the types our events carry: dates and the classification enums."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Any

from eventsourcing.persistence import JSONTranscoder, Transcoding

from creditbox.domain.codes import ActionCode, CustomerType, Service, SupplyStatus, SupplyType
from creditbox.domain.document_ownership import DocumentKind
from creditbox.domain.workflow.legal import LegalMilestoneKind
from creditbox.domain.workflow.outcomes import WORKFLOW_ENUMS


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


def enum_transcoding(enum_type: type[Enum]) -> Transcoding:
    """A transcoding that stores a plain Enum by its value, under a stable name."""

    class EnumAsValue(Transcoding):
        type = enum_type
        name = f"creditbox.{enum_type.__name__}"

        def encode(self, obj: Enum) -> Any:
            return obj.value

        def decode(self, data: Any) -> Enum:
            return enum_type(data)

    return EnumAsValue()


DOMAIN_ENUMS: list[type[Enum]] = [
    CustomerType,
    Service,
    SupplyStatus,
    SupplyType,
    ActionCode,
    DocumentKind,
    *WORKFLOW_ENUMS,
    LegalMilestoneKind,
]


def register_domain_transcodings(transcoder: JSONTranscoder) -> None:
    transcoder.register(DateAsISO())
    for enum_type in DOMAIN_ENUMS:
        transcoder.register(enum_transcoding(enum_type))
