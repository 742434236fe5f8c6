"""The leaner JSON object hook of the stored events decodes exactly as eventsourcing's own."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    TranscodingNotRegisteredError,
    UUIDAsHex,
)

from creditbox.domain.codes import Service
from creditbox.infrastructure.transcodings import register_domain_transcodings


def transcoders() -> tuple[JSONTranscoder, JSONTranscoder]:
    library, ours = JSONTranscoder(), JSONTranscoder()
    for transcoder in (library, ours):  # what the application registers before ours
        for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO()):
            transcoder.register(transcoding)
    register_domain_transcodings(library)
    library.decoder = json.JSONDecoder(object_hook=library._decode_obj)  # noqa: SLF001 - the reference
    register_domain_transcodings(ours)
    return library, ours


def test_the_hook_decodes_as_the_library_does() -> None:
    library, ours = transcoders()
    value = {
        "on": date(2026, 3, 1),
        "at": datetime(2026, 3, 1, 10, 0, tzinfo=UTC),
        "amount": Decimal("120.50"),
        "service": Service.WATER,
        "nested": [{"due": date(2026, 1, 31)}, {"_type_": "x", "other": 1}],
        "plain": {"_data_": 1, "more": 2},
        "three": {"_type_": "date_iso", "_data_": "2026-01-01", "extra": True},
    }
    encoded = ours.encode(value)
    assert ours.decode(encoded) == library.decode(encoded) == value


def test_an_unknown_type_is_refused_as_the_library_refuses_it() -> None:
    library, ours = transcoders()
    unknown = b'{"a": {"_type_": "sconosciuto", "_data_": 1}}'
    for transcoder in (library, ours):
        with pytest.raises(TranscodingNotRegisteredError, match="sconosciuto"):
            transcoder.decode(unknown)
