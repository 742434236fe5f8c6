"""Company settings (*impostazioni dell'azienda*): what each company of the group chooses for itself.

A :class:`CompanySettings` value is immutable. The Company aggregate keeps every version it adopted
(:class:`SettingsVersion`): version 1 at registration, n+1 at each change, with who, when and why.
The JSON document (``document()``, read back by ``creditbox.domain.company_settings_document``) is
the shape of the API, of ``companies settings show --json`` and of ``companies settings import``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from creditbox.domain.errors import InvalidCommand

DEFAULT_GRACE_PERIOD_DAYS = 10
FRIDAY, SATURDAY = 4, 5
DEFAULT_INSTALMENT_TOLERANCE_DAYS = 5
DEFAULT_LITIGATION_APPROVAL_LEVEL = 2
DEFAULT_WRITE_OFF_CEILINGS = {1: Decimal("1000.00"), 2: Decimal("10000.00"), 3: Decimal("1000000.00")}

WEEKDAY_NAMES = ("lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica")

# Top-level fields of the document, with their Italian labels (messages, CLI).
FIELD_LABELS: dict[str, str] = {
    "grace_period_days": "periodo di tolleranza (giorni)",
    "suspension_forbidden_weekdays": "giorni della settimana senza sospensioni",
    "suspension_forbidden_on_holidays": "niente sospensioni nei festivi",
    "suspension_forbidden_on_holiday_eves": "niente sospensioni nei prefestivi",
    "company_days": "giorni dell'azienda",
    "write_off_ceilings": "massimali di stralcio per livello",
    "instalment_tolerance_days": "tolleranza sulle rate (giorni)",
    "instalment_tolerance_amount": "tolleranza sulle rate (importo)",
    "litigation_approval_level": "livello per il contenzioso",
}


@dataclass(frozen=True, order=True)
class CompanyDay:
    """A day of the company's own on which suspension is never requested: every year on
    ``day``/``month`` (e.g. the patron saint's day) when ``year`` is None, else that one date."""

    month: int
    day: int
    year: int | None = None
    label: str = field(default="", compare=False)

    @property
    def recurring(self) -> bool:
        return self.year is None

    def matches(self, on: date) -> bool:
        return (on.month, on.day) == (self.month, self.day) and (self.year is None or on.year == self.year)

    @property
    def key(self) -> str:
        """The document form of the date: ``MM-DD`` (every year) or ``YYYY-MM-DD`` (once)."""
        if self.year is None:
            return f"{self.month:02d}-{self.day:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    @property
    def italian(self) -> str:
        """``24/06`` (every year) or ``07/12/2026``."""
        text = f"{self.day:02d}/{self.month:02d}"
        return text if self.year is None else f"{text}/{self.year:04d}"

    def as_data(self) -> dict[str, str]:
        return {"date": self.key, "label": self.label}

    @classmethod
    def from_key(cls, key: str, label: str = "") -> CompanyDay:
        """From :attr:`key` (``MM-DD`` or ``YYYY-MM-DD``)."""
        parts = [int(part) for part in key.split("-")]
        if len(parts) == 2:
            return cls(parts[0], parts[1], None, label)
        year, month, day = parts
        return cls(month, day, year, label)


@dataclass(frozen=True)
class CompanySettings:
    """The settings themselves. ``version`` is the number under which the company adopted them
    (None for settings not adopted yet); it is not part of the value (two versions with the same
    content are equal)."""

    grace_period_days: int = DEFAULT_GRACE_PERIOD_DAYS
    # Days on which suspension is never requested (weekday numbers, Monday = 0).
    suspension_forbidden_weekdays: tuple[int, ...] = (FRIDAY, SATURDAY)
    suspension_forbidden_on_holidays: bool = True
    suspension_forbidden_on_holiday_eves: bool = True
    # The company's own days (patron saint, closures): never a suspension, nor on their eve with the eves rule.
    company_days: tuple[CompanyDay, ...] = ()
    # Write-off / settlement ceiling (euro) for each authorisation level.
    write_off_ceilings: dict[int, Decimal] = field(default_factory=lambda: dict(DEFAULT_WRITE_OFF_CEILINGS))
    # Repayment plans: an instalment is missed only ``instalment_tolerance_days`` after its due
    # date, and counts as paid when at most ``instalment_tolerance_amount`` of it is missing.
    instalment_tolerance_days: int = DEFAULT_INSTALMENT_TOLERANCE_DAYS
    instalment_tolerance_amount: Decimal = Decimal("0.00")
    # The level a supervisor needs to hand a case over to litigation outside the ladder.
    litigation_approval_level: int = DEFAULT_LITIGATION_APPROVAL_LEVEL
    version: int | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        # Only what would make the value meaningless: the full rules (bounds, ceilings in order...)
        # are checked on every change (``company_settings_document``), never when events are read
        # back, so that settings recorded under older rules always load.
        if self.grace_period_days < 0:
            raise InvalidCommand("il periodo di tolleranza non può essere negativo")
        if any(day not in range(7) for day in self.suspension_forbidden_weekdays):
            raise InvalidCommand("giorni della settimana tra 0 (lunedì) e 6 (domenica)")
        if self.instalment_tolerance_days < 0:
            raise InvalidCommand("la tolleranza sulle rate non può essere negativa")

    # ---- event data (primitives, Decimal kept) -------------------------------------------

    def as_event_data(self) -> dict[str, Any]:
        return {
            "grace_period_days": self.grace_period_days,
            "suspension_forbidden_weekdays": list(self.suspension_forbidden_weekdays),
            "suspension_forbidden_on_holidays": self.suspension_forbidden_on_holidays,
            "suspension_forbidden_on_holiday_eves": self.suspension_forbidden_on_holiday_eves,
            "company_days": [day.as_data() for day in self.company_days],
            "write_off_ceilings": {str(level): amount for level, amount in sorted(self.write_off_ceilings.items())},
            "instalment_tolerance_days": self.instalment_tolerance_days,
            "instalment_tolerance_amount": self.instalment_tolerance_amount,
            "litigation_approval_level": self.litigation_approval_level,
        }

    @classmethod
    def from_event_data(cls, data: dict[str, Any], version: int | None = None) -> CompanySettings:
        """Settings as an event recorded them. Fields added after an event was written take their
        default (the value that was hard-coded when it was written)."""
        default = cls()
        ceilings = data.get("write_off_ceilings")
        return cls(
            grace_period_days=int(data.get("grace_period_days", default.grace_period_days)),
            suspension_forbidden_weekdays=tuple(
                int(d) for d in data.get("suspension_forbidden_weekdays", default.suspension_forbidden_weekdays)
            ),
            suspension_forbidden_on_holidays=bool(data.get("suspension_forbidden_on_holidays", True)),
            suspension_forbidden_on_holiday_eves=bool(data.get("suspension_forbidden_on_holiday_eves", True)),
            company_days=tuple(
                CompanyDay.from_key(d["date"], d.get("label", "")) for d in data.get("company_days", ())
            ),
            write_off_ceilings=(
                {int(level): Decimal(str(amount)) for level, amount in ceilings.items()}
                if ceilings is not None
                else dict(DEFAULT_WRITE_OFF_CEILINGS)
            ),
            instalment_tolerance_days=int(data.get("instalment_tolerance_days", DEFAULT_INSTALMENT_TOLERANCE_DAYS)),
            instalment_tolerance_amount=Decimal(str(data.get("instalment_tolerance_amount", "0.00"))),
            litigation_approval_level=int(data.get("litigation_approval_level", DEFAULT_LITIGATION_APPROVAL_LEVEL)),
            version=version,
        )

    def document(self) -> dict[str, Any]:
        """The JSON document (amounts as decimal strings)."""
        data = self.as_event_data()
        data["write_off_ceilings"] = {level: f"{amount:.2f}" for level, amount in data["write_off_ceilings"].items()}
        data["instalment_tolerance_amount"] = f"{self.instalment_tolerance_amount:.2f}"
        return data

    # ---- questions the workflow asks -------------------------------------------------------

    def write_off_ceiling(self, level: int) -> Decimal:
        """What a supervisor of ``level`` may write off: the ceiling of the highest level not above it."""
        eligible = [amount for lvl, amount in self.write_off_ceilings.items() if lvl <= level]
        return max(eligible, default=Decimal("0.00"))

    def company_day(self, on: date) -> CompanyDay | None:
        return next((day for day in self.company_days if day.matches(on)), None)

    def with_changes(self, **changes: Any) -> CompanySettings:
        return replace(self, **changes)


@dataclass(frozen=True)
class SettingsVersion:
    """One version of a company's settings as adopted: the settings and who/when/why."""

    company: str
    version: int
    settings: CompanySettings
    by: str
    at: datetime | None  # from the injected clock (None: adopted before versions were dated)
    note: str | None
    source: str  # "registrazione", "cli", "api", "file:<name>", ...


def changed_fields(old: CompanySettings | None, new: CompanySettings) -> tuple[str, ...]:
    """The top-level fields whose value differs (every field against no settings)."""
    before = old.as_event_data() if old is not None else {}
    after = new.as_event_data()
    return tuple(name for name in FIELD_LABELS if before.get(name) != after.get(name))
