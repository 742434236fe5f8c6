"""The hash chain of the stored events and the Merkle tree of its heads (pure functions, no storage).

Every stored event is one link of the chain of its aggregate (its *originator*)::

    hash_v = SHA-256(hash_{v-1} || canonical(originator_id, originator_version, topic, state))

with ``hash_0`` thirty-two zero bytes (:data:`GENESIS`). ``canonical`` is the concatenation of the
four fields, each preceded by its length as 8 bytes big-endian, so that no two different events
encode to the same bytes:

- ``originator_id``: the id as text, UTF-8 (a UUID in its 36-character lower-case form);
- ``originator_version``: the version in decimal digits, ASCII;
- ``topic``: the event's topic, UTF-8;
- ``state``: the stored state bytes exactly as the event store keeps them (the JSON text the
  transcoder wrote), so the chain proves what is on disk, not what a decoder makes of it.

Beside the hash each link keeps small digests that only serve to *locate* a change, never to prove
one (the hash proves): the content digest (CRC-32 of topic and state, without the version: a moved
event is recognised where it landed) and one CRC-32 per top-level field of the stored JSON, of the
field's decoded value (its Python ``repr``), so a changed field is named. CRC-32 rather than SHA-256
because they are computed for every event on the write path and only have to tell fields apart.

The seal is a Merkle tree over the heads of all chains (RFC 6962 style, with domain separation):
leaves sorted by originator id as text; ``leaf = SHA-256(0x00 || canonical(id, version, "", head))``
(an empty topic, the head hash in the place of the state), ``node = SHA-256(0x01 || left || right)``;
an odd node at the end of a level goes up unchanged; the root of no leaves is ``SHA-256("")``.
"""

from __future__ import annotations

import hashlib
import json
import struct
import zlib
from collections.abc import Iterable, Sequence
from uuid import UUID

GENESIS = bytes(32)


_LENGTH = struct.Struct(">Q").pack
# One encoder for every locator (``json.dumps`` with options builds a new one at each call).
_COMPACT_JSON = json.JSONEncoder(separators=(",", ":"))


def _field(data: bytes) -> bytes:
    return _LENGTH(len(data)) + data


def id_text(originator_id: UUID | str) -> str:
    """An originator id as the chain writes it (UUID: 36 lower-case characters)."""
    return str(originator_id) if isinstance(originator_id, UUID) else originator_id


def canonical(originator_id: UUID | str, version: int, topic: str, state: bytes) -> bytes:
    """The canonical encoding of one stored event (see the module docstring)."""
    oid, ver, top, data = id_text(originator_id).encode("utf-8"), b"%d" % version, topic.encode("utf-8"), bytes(state)
    return b"".join((_LENGTH(len(oid)), oid, _LENGTH(len(ver)), ver, _LENGTH(len(top)), top, _LENGTH(len(data)), data))


def link_hash(previous: bytes, originator_id: UUID | str, version: int, topic: str, state: bytes) -> bytes:
    """The hash of one link: SHA-256 of the previous link's hash and the event's canonical encoding."""
    return hashlib.sha256(previous + canonical(originator_id, version, topic, state)).digest()


def content_digest(topic: str, state: bytes) -> str:
    """A short digest of what an event says (topic and state), whatever version it stands at."""
    return format(zlib.crc32(bytes(state), zlib.crc32(topic.encode("utf-8"))), "08x")


def field_digests(state: bytes) -> dict[str, int] | None:
    """A short digest of each top-level field of the stored JSON state (None: not a JSON object)."""
    try:
        decoded = json.loads(state)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(decoded, dict):
        return None
    crc32 = zlib.crc32
    return {name: crc32(repr(value).encode("utf-8")) for name, value in decoded.items()}


def locator(topic: str, state: bytes) -> str:
    """The JSON kept beside a link to locate changes: ``{"c": content digest, "f": field digests}``."""
    return _COMPACT_JSON.encode({"c": content_digest(topic, state), "f": field_digests(state)})


def changed_fields(recorded: dict[str, int] | None, state: bytes) -> tuple[list[str], list[str], list[str]]:
    """(changed, added, removed) top-level fields of ``state`` against the digests recorded with it."""
    now = field_digests(state) or {}
    before = recorded or {}
    changed = sorted(name for name in now.keys() & before.keys() if now[name] != before[name])
    return changed, sorted(now.keys() - before.keys()), sorted(before.keys() - now.keys())


def leaf_hash(originator_id: UUID | str, version: int, head: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + canonical(originator_id, version, "", head)).digest()


def merkle_root(heads: Iterable[tuple[UUID | str, int, bytes]]) -> bytes:
    """The Merkle root of the chain heads ``(originator id, version, head hash)``, sorted by id."""
    level: Sequence[bytes] = [leaf_hash(i, v, h) for i, v, h in sorted(heads, key=lambda head: id_text(head[0]))]
    if not level:
        return hashlib.sha256(b"").digest()
    while len(level) > 1:
        paired = [hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]
