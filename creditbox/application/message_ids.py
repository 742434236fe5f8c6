"""The Message-ID of an e-mail or PEC notice, derived from its action key, and back.

Every notice sent over SMTP carries ``<{escaped action key}@{sender domain}>``: a PEC receipt names
the message it answers by its Message-ID (``X-Riferimento-Message-ID`` and ``<msgid>`` of
``daticert.xml``), so the action key comes back out of it without any table; and a message sent
again for the same action has the same Message-ID, so a resend is recognisable by the provider and
by the recipient.

The key is escaped to a *dot-atom* (RFC 5322): ``%`` escapes (``%2F``-style, UTF-8) for anything but
letters, digits and ``-_+=/``, dots included (a dot-atom may not hold two in a row nor end with one).
The key ``ACQ/C0001/S1/1/2`` gives ``<ACQ/C0001/S1/1/2@pec.acque.example.it>``.
"""

from __future__ import annotations

from urllib.parse import quote, unquote

_SAFE = "-_+=/"  # atext kept as written (letters and digits always are)


def message_id_for(action_key: str, domain: str) -> str:
    """The Message-ID (with its angle brackets) of the notice of ``action_key`` sent from ``domain``."""
    local = quote(action_key, safe=_SAFE).replace(".", "%2E").replace("~", "%7E")
    return f"<{local}@{domain.strip().lower()}>"


def action_key_from(message_id: str) -> str | None:
    """The action key a Message-ID was derived from; None when it is not one of ours (no ``@``, no
    company part, an escape that is not UTF-8)."""
    text = message_id.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain or any(c.isspace() for c in text):
        return None
    try:
        key = unquote(local, errors="strict")
    except UnicodeDecodeError:
        return None
    if "/" not in key or key.startswith("/"):
        return None
    return key


def domain_of(address: str) -> str:
    """The domain of an e-mail address (``solleciti@pec.acque.example.it`` → ``pec.acque.example.it``)."""
    _, at, domain = address.strip().rpartition("@")
    if not at or not domain:
        raise ValueError(f"indirizzo del mittente non valido: {address!r}")
    return domain.strip(">").lower()
