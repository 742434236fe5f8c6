"""The files the channels kept of the messages they sent, found by action key under the channel folder
(the ``channel_dir`` setting): the letter's PDF and its marker in the postal batch (``posta``), the
message of the file channel, the sent-log of e-mail and PEC, the item of an office batch (open or
closed) — each named like the file channel's messages (``channels/files.py``)."""

from __future__ import annotations

import os
from pathlib import Path

from creditbox.application.ports import OutboxEntry
from creditbox.infrastructure.channels.files import file_name, folder_name
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
        return found
