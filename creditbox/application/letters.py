"""Which letter an action is: a friendly reminder, a registered letter A/R, or the suspension notice.

The actions table says it: action code 3 (*sollecito bonario*, channel ``lettera``) is an ordinary
letter; action code 4 (*sollecito A/R*, channel ``raccomandata``) a registered letter with return
receipt. A registered letter is the *preavviso di sospensione* when its step's parameters say
suspension (``lettera=sospensione``, ``tech=suspend``, any parameter whose value is *sospensione* /
*suspend*) or, in the standard table where those steps carry no parameter, when its description
says *preavviso di sospensione* (``Costituzione in mora A/R con preavviso di sospensione``,
``Preavviso di sospensione A/R``). The kind decides the letter's heading, whether it carries the
registered-mail fields, and its postal type in the batch manifest.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum

from creditbox.domain.codes import ActionCode, normalise_label

LETTER_CHANNEL = "lettera"
REGISTERED_CHANNEL = "raccomandata"
LETTER_CHANNELS = frozenset({LETTER_CHANNEL, REGISTERED_CHANNEL})

# Parameter values meaning "this letter announces the suspension" (compared without case, accents, spaces).
_SUSPENSION_VALUES = frozenset({"sospensione", "suspend", "suspension", "preavvisodisospensione", "preavviso"})
_SUSPENSION_WORDS = "preavvisodisospensione"


class LetterKind(Enum):
    FRIENDLY_REMINDER = "sollecito_bonario"
    REGISTERED = "raccomandata_ar"
    SUSPENSION_NOTICE = "preavviso_sospensione"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def registered(self) -> bool:
        """Sent as *raccomandata A/R*: the letter carries the registered-mail fields."""
        return self is not LetterKind.FRIENDLY_REMINDER

    @property
    def postal_type(self) -> str:
        """The postal product, as the manifest names it."""
        return "raccomandata A/R" if self.registered else "ordinaria"


_LABELS = {
    LetterKind.FRIENDLY_REMINDER: "Sollecito bonario",
    LetterKind.REGISTERED: "Sollecito con raccomandata A/R",
    LetterKind.SUSPENSION_NOTICE: "Preavviso di sospensione",
}


def letter_kind(channel: str, action_code: str | int, description: str, parameters: Mapping[str, str]) -> LetterKind:
    """The kind of the letter of an action (``action_code``: its code, ``4`` or ``"4"``).

    Raises ``ValueError`` for an action that is not a letter."""
    code = str(action_code).strip()
    registered = channel == REGISTERED_CHANNEL or code == str(ActionCode.REGISTERED_LETTER.code)
    if not registered and channel != LETTER_CHANNEL and code != str(ActionCode.FRIENDLY_REMINDER.code):
        raise ValueError(f"l'azione non è una lettera (canale {channel!r}, azione {action_code!r})")
    if not registered:
        return LetterKind.FRIENDLY_REMINDER
    if any(normalise_label(value) in _SUSPENSION_VALUES for value in parameters.values()):
        return LetterKind.SUSPENSION_NOTICE
    if _SUSPENSION_WORDS in normalise_label(description):
        return LetterKind.SUSPENSION_NOTICE
    return LetterKind.REGISTERED
