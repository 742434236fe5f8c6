"""The channel documents' cache keeps the registered companies too: read once per time to live, never
kept when unknown, read again once it has expired."""

from __future__ import annotations

import pytest

from creditbox.application.channel_config import DocumentCache
from creditbox.domain.company import Company, CompanySettings
from creditbox.domain.errors import NotFound


class Directory:
    def __init__(self) -> None:
        self.reads: list[str] = []

    def get(self, code: str) -> Company:
        self.reads.append(code)
        if code != "ACQ":
            raise NotFound(f"azienda sconosciuta: {code!r}")
        return Company.register("ACQ", "Acque", CompanySettings(), by="test")


def test_a_company_is_read_once_per_time_to_live() -> None:
    now = [100.0]
    cache, directory = DocumentCache(5.0, lambda: now[0]), Directory()
    first = cache.company("ACQ", directory.get)
    assert cache.company("ACQ", directory.get) is first and directory.reads == ["ACQ"]
    now[0] += 5.5
    assert cache.company("ACQ", directory.get) is not first and directory.reads == ["ACQ", "ACQ"]


def test_an_unknown_company_is_never_kept() -> None:
    cache, directory = DocumentCache(5.0, lambda: 0.0), Directory()
    for _ in range(2):
        with pytest.raises(NotFound):
            cache.company("XYZ", directory.get)
    assert directory.reads == ["XYZ", "XYZ"]


def test_no_time_to_live_keeps_nothing() -> None:
    cache, directory = DocumentCache(0.0, lambda: 0.0), Directory()
    cache.company("ACQ", directory.get)
    cache.company("ACQ", directory.get)
    assert directory.reads == ["ACQ", "ACQ"]
