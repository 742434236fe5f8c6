"""Proving the event store untouched: sealing the heads of the hash chains, and verifying every link.

``verify`` recomputes the chain of every aggregate from the stored events and compares it with the
links written with them (``domain/event_chain.py``), then checks the last seal against the heads now.
Each discrepancy is a :class:`Finding` that names the aggregate (company and customer code when its
first event tells them), the event (version and topic) and, where the digests kept with the link
allow it, the field changed. What each finding means is in ``docs/audit.md``.

The storage is behind :class:`ChainStorage` (``infrastructure/chain/store.py``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache, partial
from typing import Any, Protocol

from creditbox.domain.chain_seal import ChainSeal
from creditbox.domain.event_chain import GENESIS, changed_fields, content_digest, link_hash, merkle_root
from creditbox.domain.ids import normalise_company_code

# Kinds of finding (the ``tipo`` of the JSON output).
CHANGED = "modificato"
DELETED = "cancellato"
INSERTED = "inserito"
REORDERED = "riordinato"
BROKEN = "catena_interrotta"
SEAL = "sigillo"


@dataclass(frozen=True)
class StoredLink:
    version: int
    topic: str
    hash: bytes
    previous: bytes
    digests: str
    backfilled: bool = False


@dataclass(frozen=True)
class StoredRecord:
    version: int
    topic: str
    state: bytes


@dataclass
class History:
    """One aggregate's stored events and chain links, each in version order."""

    originator_id: str
    events: list[StoredRecord] = field(default_factory=list)
    links: list[StoredLink] = field(default_factory=list)


@dataclass(frozen=True)
class Head:
    originator_id: str
    version: int
    hash: bytes


@dataclass(frozen=True)
class SealRecord:
    """A recorded seal: its event's data, and the leaves (heads) kept for it."""

    seal_id: str
    root: str
    chains: int
    links: int
    sealed_by: str
    sealed_at: datetime
    leaves: list[Head]


class ChainStorage(Protocol):
    def histories(self) -> Iterator[History]:
        """Every aggregate's events and links, aggregate after aggregate."""

    def heads(self) -> list[Head]:
        """The last link of every chain."""

    def latest_seal(self) -> SealRecord | None:
        """The last seal recorded, with its leaves (None: never sealed)."""

    def seal(self, build: Callable[[list[Head]], ChainSeal]) -> tuple[ChainSeal, list[Head]]:
        """Under the event store's write lock: read the heads, record the seal ``build`` makes of them
        (its event, chained like any other) and keep its leaves, atomically."""


@dataclass(frozen=True)
class Owner:
    kind: str  # the aggregate's kind (topic's module: "position", "company", …)
    company: str | None
    customer_code: str | None

    def label(self, originator_id: str) -> str:
        if self.customer_code and self.company:
            return f"posizione {self.company}/{self.customer_code}"
        if self.company:
            return f"{KIND_LABELS.get(self.kind, self.kind)} dell'azienda {self.company} ({originator_id})"
        return f"{KIND_LABELS.get(self.kind, self.kind or 'aggregato')} {originator_id}"


KIND_LABELS = {
    "position": "posizione",
    "company": "azienda",
    "company_settings": "impostazioni azienda",
    "actions_table": "tabella azioni",
    "import_profile": "profilo di importazione",
    "token": "token API",
    "import": "importazione",
    "operator": "operatore",
    "supply": "fornitura",
    "document": "documento",
    "chain_seal": "sigillo",
}
UNKNOWN = Owner("", None, None)


@dataclass(frozen=True)
class Finding:
    kind: str
    message: str
    originator_id: str | None = None
    company: str | None = None
    customer_code: str | None = None
    version: int | None = None
    topic: str | None = None
    fields: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "tipo": self.kind,
            "messaggio": self.message,
            "aggregato": self.originator_id,
            "azienda": self.company,
            "cliente": self.customer_code,
            "versione": self.version,
            "evento": self.topic,
            "campi": list(self.fields),
        }


@dataclass
class Verification:
    findings: list[Finding] = field(default_factory=list)
    chains: int = 0
    events: int = 0
    backfilled: int = 0
    seal: SealRecord | None = None

    @property
    def clean(self) -> bool:
        return not self.findings

    def as_json(self) -> dict[str, Any]:
        return {
            "integro": self.clean,
            "catene": self.chains,
            "eventi": self.events,
            "eventi_sigillati_a_posteriori": self.backfilled,
            "ultimo_sigillo": None
            if self.seal is None
            else {"radice": self.seal.root, "sigillato_il": self.seal.sealed_at.isoformat(), "id": self.seal.seal_id},
            "rilievi": [f.as_json() for f in self.findings],
        }


@dataclass(frozen=True)
class Sealed:
    seal_id: str
    root: str
    chains: int
    links: int
    sealed_by: str
    sealed_at: datetime

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.seal_id,
            "radice": self.root,
            "catene": self.chains,
            "eventi": self.links,
            "sigillato_da": self.sealed_by,
            "sigillato_il": self.sealed_at.isoformat(),
        }


class Integrity:
    """Seal and verify the event store's chains."""

    def __init__(self, storage: ChainStorage) -> None:
        self._storage = storage

    def seal(self, *, by: str) -> Sealed:
        """Seal the heads of every chain now into a Merkle root, recorded as a ``ChainSealed`` event."""
        seal, _ = self._storage.seal(seal_builder(by))
        return Sealed(str(seal.id), seal.root, seal.chains, seal.links, by, seal.created_on)

    def last_seal(self) -> SealRecord | None:
        return self._storage.latest_seal()

    def verify(self, *, company: str | None = None, progress: Callable[[int], None] | None = None) -> Verification:
        """Recompute every chain (of ``company``'s aggregates only, when given) and check the last
        seal; ``progress`` is told the events read, now and then."""
        wanted = normalise_company_code(company) if company else None
        result = Verification()
        seal = result.seal = self._storage.latest_seal()
        sealed = {leaf.originator_id: leaf for leaf in seal.leaves} if seal is not None else {}
        if seal is not None:
            result.findings.extend(check_seal_root(seal))
        read = 0
        for history in self._storage.histories():
            read += len(history.events)
            if progress is not None and read >= PROGRESS_STEP:
                progress(read)
                read = 0
            # Whose the chain is: decoded only when a filter or a finding needs it.
            owner = cache(partial(owner_of, history))
            leaf = sealed.pop(history.originator_id, None)
            if wanted is not None and owner().company not in (wanted, None):
                continue
            result.chains += 1
            result.events += len(history.events)
            result.backfilled += sum(1 for link in history.links if link.backfilled)
            result.findings.extend(check_history(history, owner))
            if leaf is not None and seal is not None:
                result.findings.extend(check_leaf(seal, leaf, history, owner()))
        if progress is not None and read:
            progress(read)
        if seal is not None and wanted is None:
            for leaf in sealed.values():  # sealed chains with no event and no link left
                result.findings.extend(check_leaf(seal, leaf, History(leaf.originator_id), UNKNOWN))
        return result


PROGRESS_STEP = 10_000


def seal_builder(by: str) -> Callable[[list[Head]], ChainSeal]:
    """What makes the seal of the heads read under the lock: their Merkle root, how many chains and
    events (the sum of the heads' versions) it covers, and who sealed."""

    def build(heads: list[Head]) -> ChainSeal:
        root = merkle_root((h.originator_id, h.version, h.hash) for h in heads).hex()
        return ChainSeal(root=root, chains=len(heads), links=sum(h.version for h in heads), by=by)

    return build


def owner_of(history: History) -> Owner:
    """The aggregate's kind, company and customer code, from its first event (when it is still there)."""
    first = history.events[0] if history.events else None
    topic = first.topic if first is not None else history.links[0].topic if history.links else ""
    kind = topic.split(".")[1] if topic.count(".") >= 2 else ""
    if first is None or (history.links and history.links[0].version < first.version):
        return Owner(kind, None, None)  # the first event is gone: nothing tells whose it was
    try:
        state = json.loads(first.state)
    except (ValueError, UnicodeDecodeError):
        return Owner(kind, None, None)
    if not isinstance(state, dict):
        return Owner(kind, None, None)
    company = state.get("company") or (state.get("code") if kind == "company" else None)
    customer = state.get("customer_code") if kind == "position" else None
    return Owner(kind, str(company) if company else None, str(customer) if customer else None)


def _name(topic: str) -> str:
    return topic.rsplit(".", 1)[-1]


def check_history(history: History, owner_of_chain: Callable[[], Owner]) -> Iterator[Finding]:
    """The findings of one aggregate's chain (none when every event matches its link)."""
    oid = history.originator_id

    def finding(kind: str, message: str, version: int, topic: str, fields: Iterable[str] = ()) -> Finding:
        owner = owner_of_chain()
        return Finding(
            kind,
            f"{owner.label(oid)}: {message}",
            oid,
            owner.company,
            owner.customer_code,
            version,
            topic,
            tuple(fields),
        )

    events = {e.version: e for e in history.events}
    links = {link.version: link for link in history.links}
    by_content: dict[str, int] | None = None
    previous = GENESIS
    for version in sorted(events.keys() | links.keys()):
        event, link = events.get(version), links.get(version)
        if link is None:
            assert event is not None
            yield finding(
                INSERTED,
                f"evento versione {version} ({_name(event.topic)}) senza anello nella catena: inserito a mano",
                version,
                event.topic,
            )
            continue
        if link.previous != previous:
            yield finding(
                BROKEN,
                f"catena interrotta prima della versione {version} ({_name(link.topic)}): l'anello precedente "
                "non è quello registrato (un evento e il suo anello cancellati, o anelli riordinati)",
                version,
                link.topic,
            )
        previous = link.hash
        if event is None:
            yield finding(
                DELETED,
                f"evento versione {version} ({_name(link.topic)}) cancellato: è nella catena ma non nell'archivio",
                version,
                link.topic,
            )
            continue
        if link_hash(link.previous, oid, version, event.topic, event.state) == link.hash:
            continue
        locator = _locator(link.digests)
        if by_content is None:
            by_content = {_locator(other.digests).get("c", ""): other.version for other in history.links}
        moved_from = by_content.get(content_digest(event.topic, event.state))
        if moved_from is not None and moved_from != version:
            yield finding(
                REORDERED,
                f"alla versione {version} c'è l'evento registrato come versione {moved_from} "
                f"({_name(event.topic)}): eventi riordinati",
                version,
                event.topic,
            )
            continue
        if event.topic != link.topic:
            yield finding(
                CHANGED,
                f"evento versione {version}: tipo cambiato da {_name(link.topic)} a {_name(event.topic)}",
                version,
                event.topic,
                ("topic",),
            )
            continue
        changed, added, removed = changed_fields(locator.get("f"), event.state)
        parts = [
            *(f"campo «{name}» modificato" for name in changed),
            *(f"campo «{name}» aggiunto" for name in added),
            *(f"campo «{name}» tolto" for name in removed),
        ]
        detail = ", ".join(parts) if parts else "contenuto registrato modificato"
        yield finding(
            CHANGED,
            f"evento versione {version} ({_name(event.topic)}) modificato: {detail}",
            version,
            event.topic,
            (*changed, *added, *removed),
        )


def _locator(digests: str) -> dict[str, Any]:
    try:
        decoded = json.loads(digests)
    except ValueError:
        return {}
    return decoded if isinstance(decoded, dict) else {}


def _when(seal: SealRecord) -> str:
    return f"sigillo del {seal.sealed_at:%d/%m/%Y %H:%M}"


def check_seal_root(seal: SealRecord) -> Iterator[Finding]:
    """The leaves kept for the seal give the root its event recorded."""
    recomputed = merkle_root((leaf.originator_id, leaf.version, leaf.hash) for leaf in seal.leaves).hex()
    if recomputed != seal.root or len(seal.leaves) != seal.chains:
        yield Finding(SEAL, f"{_when(seal)}: le teste conservate non danno la radice sigillata (sigillo alterato)")


def check_leaf(seal: SealRecord, leaf: Head, history: History, owner: Owner) -> Iterator[Finding]:
    """A sealed head is still a link of its chain, with the hash sealed (a chain may have grown since
    the seal, never lost or changed what was sealed)."""
    where = owner.label(leaf.originator_id)
    link = next((link for link in reversed(history.links) if link.version == leaf.version), None)
    last = history.links[-1].version if history.links else None
    if link is None:
        now = "nessun evento" if last is None else f"ultima versione {last}"
        yield Finding(
            SEAL,
            f"{where}: il {_when(seal)} copriva la versione {leaf.version}, ora {now}: "
            "eventi cancellati dopo il sigillo",
            leaf.originator_id,
            owner.company,
            owner.customer_code,
            leaf.version,
        )
    elif link.hash != leaf.hash:
        yield Finding(
            SEAL,
            f"{where}: l'anello della versione {leaf.version} non è quello del {_when(seal)}: catena riscritta",
            leaf.originator_id,
            owner.company,
            owner.customer_code,
            leaf.version,
            link.topic,
        )
