"""The rows of ``event_chain`` for a batch of stored events (shared by both recorders and the backfill).

``event_chain`` holds one row per stored event: ``originator_id`` and ``originator_version`` (as the
event table keys them), ``topic``, ``hash``, ``previous_hash``, ``digests`` (the locator JSON of
``domain/event_chain.py``) and ``backfilled`` (true for the events chained after the fact, when a
store older than the chain was first sealed).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any, TypeVar

from eventsourcing.persistence import StoredEvent

from creditbox.domain.event_chain import GENESIS, link_hash, locator

CHAIN_TABLE = "event_chain"

K = TypeVar("K", bound=Hashable)

SQLITE_CHAIN_DDL = (
    "CREATE TABLE IF NOT EXISTS {table} ("
    "originator_id TEXT NOT NULL, "
    "originator_version INTEGER NOT NULL, "
    "topic TEXT NOT NULL, "
    "hash BLOB NOT NULL, "
    "previous_hash BLOB NOT NULL, "
    "digests TEXT NOT NULL, "
    "backfilled INTEGER NOT NULL DEFAULT 0, "
    "PRIMARY KEY (originator_id, originator_version)) WITHOUT ROWID"
)

POSTGRES_CHAIN_DDL = (
    "CREATE TABLE IF NOT EXISTS {schema}.{table} ("
    "originator_id {id_type} NOT NULL, "
    "originator_version bigint NOT NULL, "
    "topic text NOT NULL, "
    "hash bytea NOT NULL, "
    "previous_hash bytea NOT NULL, "
    "digests text NOT NULL, "
    "backfilled boolean NOT NULL DEFAULT false, "
    "PRIMARY KEY (originator_id, originator_version))"
)


def chain_rows(
    stored_events: Sequence[StoredEvent], heads: Mapping[K, bytes], key: Callable[[Any], K]
) -> list[tuple[K, int, str, bytes, bytes, str]]:
    """``(key, version, topic, hash, previous hash, digests)`` for each event, chained after ``heads``
    (the last link of each originator already stored, by key) and after each other, in version order."""
    last: dict[K, bytes] = dict(heads)
    rows: list[tuple[K, int, str, bytes, bytes, str]] = []
    for s in sorted(stored_events, key=lambda s: (str(s.originator_id), s.originator_version)):
        k = key(s.originator_id)
        previous = last.get(k, GENESIS)
        state = bytes(s.state)
        current = link_hash(previous, s.originator_id, s.originator_version, s.topic, state)
        rows.append((k, s.originator_version, s.topic, current, previous, locator(s.topic, state)))
        last[k] = current
    return rows
