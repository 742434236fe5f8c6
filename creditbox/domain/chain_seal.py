"""A seal (*sigillo*) of the event store: the Merkle root of the heads of every hash chain.

Each seal is an aggregate of its own with one event, ``ChainSealed``: the root, how many chains
(aggregates) and links (events) it covers, and who sealed. Being an event, a seal is itself chained
and covered by the next seal; being printable, its root can be published or timestamped outside
CreditBox, so that a store rewritten wholesale no longer matches what was published.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

T = "creditbox.chain_seal."
CHAIN_SEALED = T + "ChainSealed"


class ChainSeal(Aggregate):
    TOPIC = "creditbox.chain_seal.ChainSeal"

    class Created(Aggregate.Created):
        TOPIC = T + "Created"

    @staticmethod
    def create_id(**_: Any) -> UUID:
        return uuid4()

    @event("ChainSealed", topic=CHAIN_SEALED)
    def __init__(self, root: str, chains: int, links: int, by: str) -> None:
        self.root = root
        self.chains = chains
        self.links = links
        self.sealed_by = by
