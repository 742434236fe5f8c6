"""Operators' console passwords: hashed with scrypt (a memory-hard KDF of the standard library).

The stored text carries everything needed to check it again — ``scrypt$<n>$<r>$<p>$<salt>$<hash>``
(salt and hash in hex) — so the cost can be raised later without invalidating the passwords already
set: a password is checked with the parameters it was hashed with. The comparison is in constant
time. The password itself is never stored nor logged.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from functools import cache

from creditbox.domain.errors import InvalidCommand

SCHEME = "scrypt"
MIN_LENGTH = 12
MAX_LENGTH = 256


@dataclass(frozen=True)
class ScryptCost:
    """scrypt's cost: ``n`` (CPU and memory, a power of two), ``r`` (block size), ``p`` (parallelism).
    The default follows the OWASP recommendation N=2^14, r=8, p=5 (16 MiB, about as slow as N=2^17, p=1)."""

    n: int = 2**14
    r: int = 8
    p: int = 5
    length: int = 32

    @property
    def memory(self) -> int:
        return 128 * self.r * self.n * 2  # twice what scrypt needs, as ``maxmem``


DEFAULT_COST = ScryptCost()


def check_password_policy(password: str) -> None:
    """A console password: at least 12 characters, no leading or trailing blanks."""
    if len(password) < MIN_LENGTH:
        raise InvalidCommand(f"password troppo corta: almeno {MIN_LENGTH} caratteri")
    if len(password) > MAX_LENGTH:
        raise InvalidCommand(f"password troppo lunga: al massimo {MAX_LENGTH} caratteri")
    if password != password.strip():
        raise InvalidCommand("la password non può iniziare o finire con spazi")


def _derive(password: str, salt: bytes, cost: ScryptCost) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=cost.n, r=cost.r, p=cost.p, maxmem=cost.memory, dklen=cost.length
    )


def hash_password(password: str, cost: ScryptCost = DEFAULT_COST) -> str:
    """The text to store for ``password``: a random 16-byte salt and the parameters recorded with it."""
    salt = secrets.token_bytes(16)
    digest = _derive(password, salt, cost)
    return f"{SCHEME}${cost.n}${cost.r}${cost.p}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` is the one ``stored`` was made from (constant-time comparison)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != SCHEME:
            return False
        expected = bytes.fromhex(digest)
        cost = ScryptCost(int(n), int(r), int(p), len(expected))
        actual = _derive(password[:MAX_LENGTH], bytes.fromhex(salt), cost)
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)


@cache
def decoy(cost: ScryptCost = DEFAULT_COST) -> str:
    """A hash checked when the login is unknown, so an unknown login takes as long as a wrong password."""
    return hash_password(secrets.token_urlsafe(16), cost)
