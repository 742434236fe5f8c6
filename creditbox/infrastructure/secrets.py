"""Secrets read where the channel configuration says, at the moment they are needed.

The configuration holds only a reference: ``env:NAME`` (the environment variable ``NAME``) or
``file:/path`` (the file's content, trailing line breaks removed — a mounted secret). The value is
never stored, cached in an event, or written to a log; an error names the reference, never a value.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path


class SecretUnavailable(LookupError):
    """The secret a reference points to cannot be read."""


def read_secret(reference: str, environ: Mapping[str, str] | None = None) -> str:
    environ = os.environ if environ is None else environ
    scheme, _, rest = reference.partition(":")
    if scheme == "env":
        value = environ.get(rest)
        if not value:
            raise SecretUnavailable(f"segreto non disponibile: variabile d'ambiente {rest} non impostata")
        return value
    if scheme == "file":
        try:
            value = Path(rest).read_text("utf-8").rstrip("\r\n")
        except (OSError, UnicodeDecodeError) as error:
            raise SecretUnavailable(
                f"segreto non disponibile: file {rest} non leggibile ({type(error).__name__})"
            ) from None
        if not value:
            raise SecretUnavailable(f"segreto non disponibile: file {rest} vuoto")
        return value
    raise SecretUnavailable("riferimento a un segreto non valido (atteso env:NOME o file:/percorso)")
