"""Matching headers and sheet names as people write them: case, spaces, underscores and accents ignored."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from creditbox.domain.codes import normalise_label


def header_key(text: object) -> str:
    """``Codice Cliente``, ``codice_cliente`` and ``CODICE CLIENTE`` share one key."""
    return normalise_label(str(text)) if text is not None else ""


def match_headers(
    written: Sequence[object], known: Iterable[str], aliases: dict[str, tuple[str, ...]] | None = None
) -> tuple[dict[str, int], dict[str, str], list[str]]:
    """Map each known column label to its index in ``written`` (first occurrence wins).

    Returns (label -> index, label -> header as written, extra headers as written)."""
    wanted: dict[str, str] = {}
    for label in known:
        wanted[header_key(label)] = label
        for alias in (aliases or {}).get(label, ()):
            wanted.setdefault(header_key(alias), label)
    indexes: dict[str, int] = {}
    as_written: dict[str, str] = {}
    extra: list[str] = []
    for index, cell in enumerate(written):
        text = str(cell).strip() if cell is not None else ""
        if not text:
            continue
        found = wanted.get(header_key(text))
        if found is None or found in indexes:
            extra.append(text)
            continue
        indexes[found] = index
        as_written[found] = text
    return indexes, as_written, extra
