"""Checking an evidence dossier (``creditbox audit verify-dossier``): against itself and against the
live store.

Against itself: the manifest is there and well formed; every file it lists is in the archive with the
SHA-256 and the size it states; the archive holds no file the manifest does not list; the stored events
it carries chain, from the genesis, to the chain head the manifest states.

Against the live store: the position is still there; its chain in the store reaches the dossier's head
(the same hash at the same version: the store has the dossier's history, possibly with events recorded
since); each stored event up to that head is byte for byte the one in the dossier; the store's own
links agree. Each discrepancy is a :class:`DossierFinding` naming the file (or the event) and what is
wrong, in Italian; what each means is in ``docs/audit.md``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Protocol
from uuid import UUID

from creditbox.application.dossier_format import (
    FORMAT,
    MANIFEST,
    STORED_EVENTS,
    recompute_chain,
    sha256_hex,
    stored_records,
)
from creditbox.application.dossier_ports import ChainRecords

# Kinds of finding (the ``tipo`` of the JSON output).
MANIFEST_BROKEN = "manifesto"
FILE_CHANGED = "file_modificato"
FILE_MISSING = "file_mancante"
FILE_ADDED = "file_aggiunto"
CHAIN = "catena_fascicolo"
STORE = "archivio"


@dataclass(frozen=True)
class DossierFinding:
    kind: str
    file: str
    message: str

    def as_json(self) -> dict[str, Any]:
        return {"tipo": self.kind, "file": self.file, "messaggio": self.message}


@dataclass
class DossierCheck:
    company: str | None = None
    customer_code: str | None = None
    created_at: str | None = None
    chain_head: dict[str, Any] | None = None
    files: int = 0
    live_checked: bool = False
    store_version: int | None = None
    findings: list[DossierFinding] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.findings

    def as_json(self) -> dict[str, Any]:
        return {
            "esito": "integro" if self.clean else "difforme",
            "azienda": self.company,
            "cliente": self.customer_code,
            "creato_il": self.created_at,
            "testa_catena": self.chain_head,
            "file": self.files,
            "confronto_archivio": self.live_checked,
            "versione_archivio": self.store_version,
            "rilievi": [f.as_json() for f in self.findings],
        }


class Unpacker(Protocol):
    """The files of an archive by path (raises ``ValueError`` with an Italian message when unreadable)."""

    def __call__(self, data: bytes) -> dict[str, bytes]: ...


class DossierVerifier:
    """``audit verify-dossier``: a dossier's archive checked against itself and the live store."""

    def __init__(self, unpack: Unpacker, chain: ChainRecords | None) -> None:
        self._unpack = unpack
        self._chain = chain

    def verify(self, data: bytes, *, live: bool = True) -> DossierCheck:
        try:
            contents = self._unpack(data)
        except ValueError as error:
            check = DossierCheck()
            check.findings.append(DossierFinding(MANIFEST_BROKEN, "", str(error)))
            return check
        return check_dossier(contents, self._chain if live else None)


def check_dossier(contents: dict[str, bytes], chain: ChainRecords | None) -> DossierCheck:
    """The findings of a dossier's files (by path, as read from the archive); ``chain``: the live
    store (None: the dossier is checked against itself only)."""
    check = DossierCheck()
    manifest = _manifest(contents, check)
    if manifest is None:
        return check
    listed = _files(contents, manifest, check)
    head = manifest.get("chain_head")
    check.company, check.customer_code = manifest.get("company"), manifest.get("customer_code")
    check.created_at, check.chain_head = manifest.get("created_at"), head
    if not isinstance(head, dict) or not isinstance(head.get("version"), int) or not isinstance(head.get("hash"), str):
        check.findings.append(DossierFinding(MANIFEST_BROKEN, MANIFEST, "testa della catena assente o malformata"))
        return check
    if STORED_EVENTS not in listed or STORED_EVENTS not in contents:
        return check  # already reported as missing
    try:
        originator, records = stored_records(contents[STORED_EVENTS])
    except (ValueError, KeyError, TypeError) as error:
        check.findings.append(DossierFinding(CHAIN, STORED_EVENTS, f"eventi registrati illeggibili: {error}"))
        return check
    _own_chain(originator, records, head, check)
    if chain is not None:
        _live(chain, originator, records, head, check)
    return check


def _manifest(contents: dict[str, bytes], check: DossierCheck) -> dict[str, Any] | None:
    raw = contents.get(MANIFEST)
    if raw is None:
        check.findings.append(DossierFinding(MANIFEST_BROKEN, MANIFEST, "manifesto assente dal fascicolo"))
        return None
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        check.findings.append(DossierFinding(MANIFEST_BROKEN, MANIFEST, f"manifesto non leggibile come JSON: {error}"))
        return None
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != FORMAT
        or not isinstance(manifest.get("files"), list)
    ):
        check.findings.append(
            DossierFinding(
                MANIFEST_BROKEN, MANIFEST, f"manifesto malformato: non è un manifesto «{FORMAT}» con l'elenco dei file"
            )
        )
        return None
    return manifest


def _files(contents: dict[str, bytes], manifest: dict[str, Any], check: DossierCheck) -> set[str]:
    listed: set[str] = set()
    for n, item in enumerate(manifest["files"], 1):
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("path"), str)
            or not isinstance(item.get("sha256"), str)
            or not isinstance(item.get("size"), int)
        ):
            check.findings.append(
                DossierFinding(MANIFEST_BROKEN, MANIFEST, f"voce {n} dell'elenco dei file malformata")
            )
            continue
        path = item["path"]
        if path in listed or path == MANIFEST:
            check.findings.append(DossierFinding(MANIFEST_BROKEN, MANIFEST, f"file {path} elencato più volte"))
            continue
        listed.add(path)
        content = contents.get(path)
        if content is None:
            check.findings.append(
                DossierFinding(FILE_MISSING, path, "file elencato nel manifesto ma assente dal fascicolo")
            )
            continue
        digest = sha256_hex(content)
        if digest != item["sha256"]:
            check.findings.append(
                DossierFinding(
                    FILE_CHANGED,
                    path,
                    f"file modificato: SHA-256 {digest} invece di {item['sha256']} (dimensione {len(content)} "
                    f"byte, attesa {item['size']})",
                )
            )
        elif len(content) != item["size"]:
            check.findings.append(
                DossierFinding(FILE_CHANGED, path, f"dimensione {len(content)} byte invece di {item['size']}")
            )
    check.files = len(listed)
    for path in sorted(set(contents) - listed - {MANIFEST}):
        check.findings.append(
            DossierFinding(FILE_ADDED, path, "file presente nel fascicolo ma non elencato nel manifesto")
        )
    return listed


def _own_chain(
    originator: str, records: list[tuple[int, str, bytes, str | None]], head: dict[str, Any], check: DossierCheck
) -> None:
    versions = [r[0] for r in records]
    if versions != list(range(1, len(records) + 1)):
        check.findings.append(
            DossierFinding(CHAIN, STORED_EVENTS, "gli eventi registrati non sono consecutivi dalla versione 1")
        )
        return
    hashes = recompute_chain(originator, [(v, t, s) for v, t, s, _ in records])
    for (version, _topic, _state, link), computed in zip(records, hashes, strict=True):
        if link is not None and link != computed.hex():
            check.findings.append(
                DossierFinding(
                    CHAIN, STORED_EVENTS, f"evento versione {version}: l'anello dichiarato non è l'hash ricalcolato"
                )
            )
            return
    if head["version"] == 0 and not records:
        return
    if head["version"] != len(records) or not hashes or hashes[-1].hex() != head["hash"]:
        check.findings.append(
            DossierFinding(
                CHAIN,
                STORED_EVENTS,
                f"la catena ricalcolata dagli eventi del fascicolo non porta alla testa del manifesto "
                f"(versione {head['version']}, hash {head['hash']})",
            )
        )


def _live(
    chain: ChainRecords,
    originator: str,
    records: list[tuple[int, str, bytes, str | None]],
    head: dict[str, Any],
    check: DossierCheck,
) -> None:
    check.live_checked = True
    try:
        live = chain.history_of(UUID(originator))
    except ValueError:
        check.findings.append(
            DossierFinding(STORE, STORED_EVENTS, f"identificativo della posizione non valido: {originator}")
        )
        return
    if not live.events and not live.links:
        check.findings.append(DossierFinding(STORE, STORED_EVENTS, "la posizione non è più nell'archivio degli eventi"))
        return
    events = {e.version: e for e in live.events}
    links = {link.version: link for link in live.links}
    check.store_version = max(events.keys() | links.keys())
    for version, topic, state, _link in records:
        stored = events.get(version)
        if stored is None:
            check.findings.append(
                DossierFinding(
                    STORE, STORED_EVENTS, f"evento versione {version} ({_name(topic)}) assente dall'archivio"
                )
            )
        elif stored.topic != topic or bytes(stored.state) != state:
            check.findings.append(
                DossierFinding(
                    STORE,
                    STORED_EVENTS,
                    f"evento versione {version} ({_name(topic)}) diverso nell'archivio da quello del fascicolo",
                )
            )
    head_version = int(head["version"])
    if check.store_version < head_version:
        check.findings.append(
            DossierFinding(
                STORE,
                STORED_EVENTS,
                f"l'archivio arriva alla versione {check.store_version}, il fascicolo alla {head_version}: "
                "eventi cancellati",
            )
        )
    link = links.get(head_version)
    if head_version and (link is None or link.hash.hex() != head["hash"]):
        check.findings.append(
            DossierFinding(
                STORE,
                STORED_EVENTS,
                f"la catena dell'archivio alla versione {head_version} non è la testa del fascicolo: "
                "la storia registrata è cambiata dopo la creazione del fascicolo",
            )
        )
    prefix = [(e.version, e.topic, bytes(e.state)) for e in sorted(live.events, key=lambda e: e.version)]
    prefix = [p for p in prefix if p[0] <= head_version]
    if head_version and prefix:
        recomputed = recompute_chain(originator, prefix)
        if len(prefix) != head_version or recomputed[-1].hex() != head["hash"]:
            check.findings.append(
                DossierFinding(
                    STORE,
                    STORED_EVENTS,
                    f"la catena ricalcolata dagli eventi dell'archivio fino alla versione {head_version} non porta "
                    "alla testa del fascicolo",
                )
            )


def _name(topic: str) -> str:
    return topic.rsplit(".", 1)[-1].rsplit(":", 1)[-1]
