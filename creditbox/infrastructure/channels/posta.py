"""The ``posta`` adapter: a letter (friendly reminder, registered letter A/R, suspension notice) is
rendered as a PDF into its company's open postal batch, for the print-and-mail provider
(``infrastructure/letters/batches.py``). Idempotent by action key; ``status`` answers ``sent`` when
the letter is in a batch."""

from __future__ import annotations

import os
from pathlib import Path

from creditbox.application.ports import AdapterSpec, ChannelMessage, Receipt
from creditbox.clock import Clock
from creditbox.infrastructure.letters.batches import PostalBatches

ADAPTER = "posta"


class PostaChannel:
    def __init__(self, root: str | os.PathLike[str], clock: Clock) -> None:
        self._batches = PostalBatches(root, clock)

    @classmethod
    def from_spec(cls, spec: AdapterSpec, clock: Clock, root: str | os.PathLike[str]) -> PostaChannel:
        """The adapter of a company's letter channel. Option ``cartella``: another folder for the
        batches than the channel folder ``root``."""
        folder = spec.options.get("cartella")
        return cls(Path(str(folder)) if folder else Path(root), clock)

    @property
    def batches(self) -> PostalBatches:
        return self._batches

    def send(self, message: ChannelMessage) -> Receipt:
        return self._batches.put(message)

    def status(self, action_key: str) -> str:
        return self._batches.status(action_key)
