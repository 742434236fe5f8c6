"""One way to read every enum-like option of the command line: the code (``delivered``) or the
Italian label (``consegnato``), in any case, with or without accents, spaces or underscores.

Every option that takes one of a closed set of values goes through :func:`choice` (or
:func:`enum_choice` for an ``Enum`` whose members have an Italian ``label``); a value that matches
nothing ends the command with exit code 2 and the list of what is allowed, label and code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import Enum
from typing import TypeVar

from creditbox.application.outbox import OUTBOX_STATUS_LABELS
from creditbox.cli.context import fail
from creditbox.domain.codes import normalise_label
from creditbox.domain.tokens import Role
from creditbox.domain.workflow.legal import LegalMilestoneKind
from creditbox.domain.workflow.outcomes import LitigationResult, LockReason, StepOutcome
from creditbox.projections.worklist_rows import WORKLIST_LABELS, WorklistKind

E = TypeVar("E", bound=Enum)

# Other words people type for a value, besides its code and its label.
ALIASES: dict[object, tuple[str, ...]] = {
    StepOutcome.SENT: ("spedito",),
    StepOutcome.HELD: ("giacenza",),
    StepOutcome.RETURNED: ("restituito", "reso"),
    StepOutcome.POSITIVE: ("positivo",),
    StepOutcome.NEGATIVE: ("negativo",),
    LockReason.MANUAL: ("manuale",),
    LitigationResult.PARTIALLY_RECOVERED: ("parziale", "recuperato parzialmente"),
    Role.SUPERVISOR: ("responsabile", "supervisore"),
    Role.FEED: ("gestionale", "feed"),
    Role.LEGAL: ("legale",),
    Role.ADMIN: ("amministratore", "admin"),
    WorklistKind.PROPOSAL: ("proposte",),
    WorklistKind.APPROVAL: ("approvazioni",),
    WorklistKind.FAILED_DELIVERY: ("consegne fallite",),
    WorklistKind.MISSING_CONTACT: ("contatti mancanti",),
    WorklistKind.TECHNICAL_OFFICE: ("ufficio tecnico",),
    WorklistKind.AGENCY: ("agenzia", "agenzia di recupero"),
    WorklistKind.LITIGATION: ("contenzioso",),
    WorklistKind.BROKEN_PLAN: ("piani non rispettati", "piani di rientro"),
    WorklistKind.LADDER_EXHAUSTED: ("azioni esaurite",),
    WorklistKind.FAILED_SEND: ("invii falliti", "invio fallito"),
    LegalMilestoneKind.INJUNCTION_FILED: ("ricorso-depositato", "ricorso", "deposito ricorso"),
    LegalMilestoneKind.INJUNCTION_GRANTED: ("decreto-emesso", "decreto", "decreto ingiuntivo"),
    LegalMilestoneKind.INJUNCTION_SERVED: ("decreto-notificato", "notifica", "notificato"),
    LegalMilestoneKind.OPPOSITION_FILED: ("opposizione",),
    LegalMilestoneKind.ENFORCEMENT: ("esecuzione", "pignoramento", "precetto"),
    LegalMilestoneKind.AMOUNT_RECOVERED: ("recupero", "recuperato", "incasso"),
    LegalMilestoneKind.CLOSED: ("chiusa", "chiusura"),
}

T = TypeVar("T")


def choice(text: str, options: Mapping[T, tuple[str, str]], what: str) -> T:
    """The key of ``options`` (key → (code, Italian label)) that ``text`` names by its code, its
    label or an alias; otherwise the command fails (exit 2) listing the labels and codes."""
    wanted = normalise_label(text)
    if wanted:
        for key, (code, label) in options.items():
            spellings: Iterable[str] = (code, label, *ALIASES.get(key, ()))
            if any(normalise_label(s) == wanted for s in spellings):
                return key
    allowed = ", ".join(f"{label} ({code})" for code, label in options.values())
    fail(f"{what} sconosciuto {text.strip()!r} (ammessi: {allowed})", 2)


def enum_choice(enum: type[E], text: str, what: str) -> E:
    """A member of ``enum`` by its value or its Italian ``label``."""
    return choice(text, {m: (str(m.value), label_of(m)) for m in enum}, what)


def label_of(member: Enum) -> str:
    label = getattr(member, "label", None)
    return label if isinstance(label, str) else str(member.value)


def worklist_kind(text: str) -> str:
    """A worklist kind (``proposal``) by its code or its Italian name (``proposte da confermare``)."""
    return choice(text, {k: (k, label) for k, label in WORKLIST_LABELS.items()}, "lista di lavoro")


def outbox_status(text: str) -> str:
    """An outbox status (``pending``) by its code or its Italian name (``in attesa``)."""
    return choice(text, {k: (k, label) for k, label in OUTBOX_STATUS_LABELS.items()}, "stato")


def role(text: str) -> Role:
    return enum_choice(Role, text, "ruolo")


def allowed_help(enum: type[Enum]) -> str:
    """``consegnato (delivered), ...`` for an option's help text."""
    return ", ".join(f"{label_of(m)} ({m.value})" for m in enum)
