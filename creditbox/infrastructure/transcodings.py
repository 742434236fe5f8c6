"""JSON transcodings for the types our events carry: dates and the classification enums."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from enum import Enum
from typing import Any

from eventsourcing.persistence import JSONTranscoder, Transcoding, TranscodingNotRegisteredError

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
    transcoder.decoder = json.JSONDecoder(object_hook=object_hook(transcoder))


def object_hook(transcoder: JSONTranscoder) -> Callable[[dict[str, Any]], Any]:
    """The decoder's hook for every JSON object of a stored event: what eventsourcing's
    ``JSONTranscoder._decode_obj`` does, in fewer steps (it runs for every object of every event read:
    a history of 500 events calls it some 2,000 times). A ``{"_type_": …, "_data_": …}`` object is
    decoded by the transcoding of that name (unknown: the library's own error, as it words it); any other object is
    left as it is."""
    names = transcoder.names  # the registry itself: transcodings registered later are found too

    def hook(obj: dict[str, Any]) -> Any:
        if len(obj) != 2 or "_type_" not in obj or "_data_" not in obj:
            return obj
        name = obj["_type_"]
        try:
            transcoding = names[name]
        except (KeyError, TypeError) as error:
            raise TranscodingNotRegisteredError(
                f"Data serialized with name '{name}' is not deserializable. Please register a "
                "custom transcoding for this type."
            ) from error
        return transcoding.decode(obj["_data_"])

    return hook
