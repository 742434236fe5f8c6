"""The one text policy of CreditBox, for every key and every free text, at every boundary.

Three kinds of text:

- **keys** (customer, supply, bill and payment codes, company codes, lock ids, ...): printable
  characters only (``str.isprintable``: no control character, no NUL, no bidi override or isolate,
  no zero-width or other format character, no line or paragraph separator, no space other than
  the ordinary one), no leading or trailing whitespace, at most ``KEY_MAX_LENGTH`` characters;
- **single-line free text** (names, addresses, cities, meters, payment methods, descriptions):
  tabs and line breaks (``\\t``, ``\\r``, ``\\n``, U+2028, U+2029) are *folded* into one space, as
  a multi-line spreadsheet cell of an address is read on one line; every other control character
  and every bidi control is *refused*; surrounding whitespace is removed; at most
  ``TEXT_MAX_LENGTH`` characters;
- **multi-line free text** (notes, reasons): tabs and line breaks are kept; every other control
  character and every bidi control is refused; at most ``NOTE_MAX_LENGTH`` characters.

Refused everywhere, whatever the kind: unpaired surrogates (bytes that were not UTF-8) and the
noncharacters U+FFFE and U+FFFF. A refusal is a ``TextRefused`` (a ``ValueError``) with an Italian
reason naming the character by its code point; each boundary turns it into its own answer (a 422
naming the field, a row rejection naming sheet, row and column, a CLI exit 2).
"""

from __future__ import annotations

import re
import unicodedata

from creditbox.domain.errors import InvalidCommand

KEY_MAX_LENGTH = 64
TEXT_MAX_LENGTH = 200
NOTE_MAX_LENGTH = 500

# Bidi embeddings, overrides and isolates, and the invisible direction marks (LRM, RLM, ALM).
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_ALWAYS_REFUSED = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff" + BIDI_CONTROLS
_LINE_BREAKS = "\t\r\n\u2028\u2029"
_REFUSED_IN_NOTE = re.compile(f"[{_ALWAYS_REFUSED}]")
_REFUSED_IN_LINE = re.compile(f"[{_ALWAYS_REFUSED}{_LINE_BREAKS}]")
_FOLDED = re.compile(f"[ ]*[{_LINE_BREAKS}][{_LINE_BREAKS} ]*")


class TextRefused(ValueError):
    """A key or a text breaks the text policy. The message is the Italian reason."""


class InvalidText(InvalidCommand):
    """A command refused by the domain, the last wall, because a key or a text breaks the policy."""


def require_key(value: str, what: str) -> str:
    """The domain's own check of a key it is about to record (``what``: "codice cliente")."""
    problem = key_problem(value)
    if problem is not None:
        raise InvalidText(f"{what}: {problem}")
    return value


def require_text(value: str, what: str, *, multiline: bool = False) -> str:
    """The domain's own check of a free text it is about to record, as it is (nothing folded)."""
    problem = text_problem(value, multiline=multiline)
    if problem is not None:
        raise InvalidText(f"{what}: {problem}")
    return value


def describe(char: str) -> str:
    """``U+202E (controllo di direzione del testo)``: how a refusal names a character."""
    point = f"U+{ord(char):04X}"
    if char in BIDI_CONTROLS:
        return f"{point} (controllo di direzione del testo)"
    category = unicodedata.category(char)
    if category == "Cc":
        return f"{point} (carattere di controllo)"
    if category == "Cf":
        return f"{point} (carattere di formato invisibile)"
    if category == "Cs":
        return f"{point} (byte non UTF-8)"
    if category in ("Zs", "Zl", "Zp"):
        return f"{point} (spazio o separatore non ammesso)"
    return f"{point} (carattere non stampabile)"


def key_problem(value: str) -> str | None:
    """Why ``value`` is not a valid key, or None."""
    if not value:
        return "codice vuoto"
    if len(value) > KEY_MAX_LENGTH:
        return f"codice troppo lungo ({len(value)} caratteri, massimo {KEY_MAX_LENGTH})"
    if not value.isprintable():
        bad = next(ch for ch in value if not ch.isprintable())
        return f"codice non valido: contiene il carattere {describe(bad)}"
    if value[0].isspace() or value[-1].isspace():
        return "codice non valido: spazi all'inizio o alla fine"
    return None


def check_key(value: str) -> str:
    """``value`` itself when it is a valid key; else ``TextRefused``."""
    problem = key_problem(value)
    if problem is not None:
        raise TextRefused(problem)
    return value


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """Why ``value`` (already folded, for single-line text) cannot be stored, or None."""
    limit = NOTE_MAX_LENGTH if multiline else TEXT_MAX_LENGTH
    if len(value) > limit:
        return f"testo troppo lungo ({len(value)} caratteri, massimo {limit})"
    found = (_REFUSED_IN_NOTE if multiline else _REFUSED_IN_LINE).search(value)
    if found is not None:
        return f"testo non valido: contiene il carattere {describe(found.group())}"
    return None


def clean_line(value: str) -> str:
    """Single-line free text: line breaks and tabs folded into one space, surrounding whitespace
    removed; ``TextRefused`` for any other control character, a bidi control or a text too long."""
    folded = _FOLDED.sub(" ", value).strip()
    problem = text_problem(folded)
    if problem is not None:
        raise TextRefused(problem)
    return folded


def clean_note(value: str) -> str:
    """Multi-line free text (a note, a reason): tabs and line breaks kept, surrounding whitespace
    removed; ``TextRefused`` for any other control character, a bidi control or a text too long."""
    stripped = value.strip()
    problem = text_problem(stripped, multiline=True)
    if problem is not None:
        raise TextRefused(problem)
    return stripped


def safe_file_name(name: str) -> str:
    """A file name as it is recorded and shown: a file is never refused for its name, so every
    character a text may not hold (control, bidi, line breaks) becomes ``_``; at most 200 characters."""
    cleaned = _REFUSED_IN_LINE.sub("_", name).strip()
    return cleaned[:TEXT_MAX_LENGTH] or "senza-nome"


def argument_problem(value: str) -> str | None:
    """Why a command-line argument is refused, or None: the characters no key nor text may hold
    (tabs and line breaks are let through: a note may span lines; keys are checked as keys)."""
    found = _REFUSED_IN_NOTE.search(value)
    if found is None:
        return None
    return f"argomento non valido {value!r}: contiene il carattere {describe(found.group())}"
