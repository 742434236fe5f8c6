"""The evidence dossier's format: its fixed names, the manifest's encoding, the stored events as the
dossier carries them, and the hash chain recomputed from them (shared by the builder,
``application/dossier.py``, and the check, ``application/dossier_check.py``)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from creditbox.application.integrity import History
from creditbox.domain.event_chain import GENESIS, link_hash
from creditbox.projections.describe import plain

FORMAT = "creditbox-fascicolo"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"

AS_SENT = "come_inviato"  # the file the channel kept
REGENERATED = "rigenerato"  # composed again from the same composer and template for the action
STORED_EVENTS = "storia/eventi_registrati.json"


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    return json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def as_json(value: Any) -> bytes:
    return json.dumps(plain(value), ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")


def safe_name(text: str) -> str:
    """A key (``ACQ/C1/1/2``) as one file or folder name."""
    name = quote(text, safe="-_.@+=,")
    return "%2E" + name[1:] if name.startswith(".") else name


def chain_head(history: History) -> tuple[int, str]:
    """The version and hex hash of the last link (0 and the genesis when there is none)."""
    if not history.links:
        return 0, GENESIS.hex()
    last = max(history.links, key=lambda link: link.version)
    return last.version, last.hash.hex()


def recompute_chain(originator_id: str, records: Sequence[tuple[int, str, bytes]]) -> list[bytes]:
    """The link hash of each record (version, topic, state) in order, from the genesis."""
    hashes: list[bytes] = []
    previous = GENESIS
    for version, topic, state in records:
        previous = link_hash(previous, originator_id, version, topic, state)
        hashes.append(previous)
    return hashes


def stored_records(content: bytes) -> tuple[str, list[tuple[int, str, bytes, str | None]]]:
    """The originator and the (version, topic, state, link hex) of ``storia/eventi_registrati.json``."""
    data = json.loads(content.decode("utf-8"))
    records = []
    for item in data["events"]:
        state = item["state"]
        raw = state.encode("utf-8", errors="surrogateescape") if state is not None else bytes.fromhex(item["state_hex"])
        records.append((int(item["version"]), str(item["topic"]), raw, item.get("link")))
    return str(data["originator_id"]), records


def is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
