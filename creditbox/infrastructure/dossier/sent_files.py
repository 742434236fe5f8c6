"""The files the channels kept of the messages they sent, found by action key under the channel folder
(the ``channel_dir`` setting): the letter's PDF and its marker in the postal batch (``posta``), the
message of the file channel, the sent-log of e-mail and PEC, the item of an office batch (open or
closed) — each named like the file channel's messages (``channels/files.py``)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from creditbox.application.ports import OutboxEntry
from creditbox.infrastructure.channels.files import file_name, folder_name
from creditbox.infrastructure.channels.office_batches import CLOSED, MANIFEST
from creditbox.infrastructure.letters.batches import PostalBatches


class ChannelFolderFiles:
    def __init__(self, root: str | os.PathLike[str], batches: PostalBatches) -> None:
        self._root = Path(root)
        self._batches = batches

    def files_of(self, entry: OutboxEntry) -> list[tuple[str, bytes]]:
        found: list[tuple[str, bytes]] = []
        marker = self._batches.find(entry.company, entry.action_key)
        if marker is not None:
            pdf = marker.with_suffix(".pdf")
            if pdf.is_file():
                found.append((f"{marker.parent.name}-{pdf.name}", pdf.read_bytes()))
            found.append((f"{marker.parent.name}-{marker.name}", marker.read_bytes()))
        folder = self._root / folder_name(entry.company) / folder_name(entry.channel)
        if folder.is_dir():
            name = file_name(entry.action_key)
            for path in sorted(folder.rglob(name)):
                if path.is_file():
                    relative = path.relative_to(folder).as_posix().replace("/", "-")
                    found.append((relative, path.read_bytes()))
            found += _closed_batches(folder, entry.action_key)
        return found


def _closed_batches(folder: Path, action_key: str) -> list[tuple[str, bytes]]:
    """The manifests (``lotto.json``) of the office batches that carried ``action_key``: the batch, the
    day, the SHA-256 of each file handed to the office. The batch's files are not copied: they list the
    other customers of the day too."""
    found: list[tuple[str, bytes]] = []
    for manifest in sorted((folder / CLOSED).glob(f"*/*/{MANIFEST}")):
        content = manifest.read_bytes()
        try:
            keys = json.loads(content.decode("utf-8")).get("action_keys", [])
        except (UnicodeDecodeError, ValueError, AttributeError):
            continue
        if action_key in keys:
            found.append((f"lotto-{manifest.parent.parent.name}-{manifest.parent.name}.json", content))
    return found
