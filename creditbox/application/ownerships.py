"""Company-wide ownership of keys during an ingest run: supply codes, bill numbers, payment ids.

A position knows only its own supplies and documents; whether a key already belongs to *another*
customer of the company is told by the ownership aggregates (``SupplyOwnership``,
``DocumentOwnership``), one per key, claimed in the same atomic save as the position that first
records the key. ``Ownerships`` is what one run knows of them: those loaded for the chunk being
applied plus those the run claimed itself (later chunks must see them before they are committed).

Loading is done in two steps per chunk, so that re-sending known records loads no claim at all:
the supply claims with the positions, then the document claims of only the documents new to
their position.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from creditbox.application.ports import BulkLoader
from creditbox.domain.document_ownership import DocumentKind, DocumentOwnership
from creditbox.domain.ids import document_ownership_id, supply_ownership_id
from creditbox.domain.supply_ownership import SupplyOwnership

DocumentKey = tuple[DocumentKind, str]


class Ownerships:
    """What one run knows of the claims: for each key, only the code of the customer it belongs
    to (a string the records share), never the claim aggregates themselves. A run of a million
    bills claims a million numbers; keeping their aggregates after their save cost most of the
    import's memory."""

    def __init__(self, company: str, loader: BulkLoader) -> None:
        self._company = company
        self._loader = loader
        # Key -> the customer code it belongs to (claimed before the run, or by this run).
        self._supplies: dict[str, str] = {}
        self._documents: dict[DocumentKind, dict[str, str]] = {kind: {} for kind in DocumentKind}
        # Keys looked up and found unclaimed: asked once per run.
        self._unclaimed_supplies: set[str] = set()
        self._unclaimed_documents: dict[DocumentKind, set[str]] = {kind: set() for kind in DocumentKind}

    # ---- loading ----------------------------------------------------------------------------

    def load_with_positions(self, position_ids: Iterable[UUID], supply_codes: Iterable[str]) -> dict[UUID, Any]:
        """Load the positions and the claims of the supply codes not known yet; returns the
        positions found (by id)."""
        wanted = {
            code: supply_ownership_id(self._company, code)
            for code in supply_codes
            if code not in self._supplies and code not in self._unclaimed_supplies
        }
        loaded = self._loader.load_many([*position_ids, *wanted.values()])
        for code, claim_id in wanted.items():
            claim = loaded.pop(claim_id, None)
            if claim is None:
                self._unclaimed_supplies.add(code)
            else:
                self._supplies[code] = claim.customer_code
        return loaded

    def load_documents(self, keys: Iterable[DocumentKey]) -> None:
        """Load the claims of these bill numbers / payment ids, if not known yet."""
        wanted = {
            key: document_ownership_id(self._company, key[0].value, key[1])
            for key in keys
            if key[1] not in self._documents[key[0]] and key[1] not in self._unclaimed_documents[key[0]]
        }
        if not wanted:
            return
        loaded = self._loader.load_many(wanted.values())
        for (kind, number), claim_id in wanted.items():
            claim = loaded.get(claim_id)
            if claim is None:
                self._unclaimed_documents[kind].add(number)
            else:
                self._documents[kind][number] = claim.customer_code

    # ---- asking and claiming ----------------------------------------------------------------

    def supply_owner(self, supply_code: str) -> str | None:
        """The code of the customer the supply belongs to (None: unclaimed)."""
        return self._supplies.get(supply_code)

    def document_owner(self, kind: DocumentKind, number: str) -> str | None:
        """The code of the customer the bill number or payment id belongs to (None: unclaimed)."""
        return self._documents[kind].get(number)

    def claim_supply(self, supply_code: str, customer_code: str, *, by: str) -> SupplyOwnership:
        claim = SupplyOwnership.claim(self._company, supply_code, customer_code, by=by)
        self._supplies[supply_code] = customer_code
        self._unclaimed_supplies.discard(supply_code)
        return claim

    def claim_document(self, kind: DocumentKind, number: str, customer_code: str, *, by: str) -> DocumentOwnership:
        claim = DocumentOwnership.claim(self._company, kind, number, customer_code, by=by)
        self._documents[kind][number] = customer_code
        self._unclaimed_documents[kind].discard(number)
        return claim
