"""The Company aggregate (*azienda*): a company of the group, registered explicitly, with its settings."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from creditbox.domain.errors import InvalidCommand
from creditbox.domain.ids import company_id, normalise_company_code
from creditbox.domain.text_policy import require_text

T = "creditbox.company."

COMPANY_REGISTERED = T + "CompanyRegistered"
DEFAULT_GRACE_PERIOD_DAYS = 10
FRIDAY, SATURDAY = 4, 5
DEFAULT_INSTALMENT_TOLERANCE_DAYS = 5
DEFAULT_LITIGATION_APPROVAL_LEVEL = 2


@dataclass(frozen=True)
class CompanySettings:
    """Settings a company chooses for itself. Later issues add channel settings and letterhead."""

    grace_period_days: int = DEFAULT_GRACE_PERIOD_DAYS
    # Days on which suspension is never requested (weekday numbers, Monday = 0).
    suspension_forbidden_weekdays: tuple[int, ...] = (FRIDAY, SATURDAY)
    suspension_forbidden_on_holidays: bool = True
    suspension_forbidden_on_holiday_eves: bool = True
    # Write-off / settlement ceiling (euro) for each authorisation level.
    write_off_ceilings: dict[int, Decimal] = field(
        default_factory=lambda: {1: Decimal("1000.00"), 2: Decimal("10000.00"), 3: Decimal("1000000.00")}
    )
    # Dunning workflow: days after an instalment's due date before it counts as missed, and the
    # authorisation level a supervisor needs to hand a case over to litigation outside the ladder.
    instalment_tolerance_days: int = DEFAULT_INSTALMENT_TOLERANCE_DAYS
    litigation_approval_level: int = DEFAULT_LITIGATION_APPROVAL_LEVEL

    def __post_init__(self) -> None:
        if self.grace_period_days < 0:
            raise InvalidCommand("il periodo di tolleranza non può essere negativo")
        if any(day not in range(7) for day in self.suspension_forbidden_weekdays):
            raise InvalidCommand("giorni della settimana tra 0 (lunedì) e 6 (domenica)")
        if self.instalment_tolerance_days < 0:
            raise InvalidCommand("la tolleranza sulle rate non può essere negativa")

    def as_event_data(self) -> dict[str, Any]:
        return {
            "grace_period_days": self.grace_period_days,
            "suspension_forbidden_weekdays": list(self.suspension_forbidden_weekdays),
            "suspension_forbidden_on_holidays": self.suspension_forbidden_on_holidays,
            "suspension_forbidden_on_holiday_eves": self.suspension_forbidden_on_holiday_eves,
            "write_off_ceilings": {str(level): amount for level, amount in self.write_off_ceilings.items()},
            "instalment_tolerance_days": self.instalment_tolerance_days,
            "litigation_approval_level": self.litigation_approval_level,
        }

    @classmethod
    def from_event_data(cls, data: dict[str, Any]) -> CompanySettings:
        return cls(
            grace_period_days=int(data["grace_period_days"]),
            suspension_forbidden_weekdays=tuple(int(d) for d in data["suspension_forbidden_weekdays"]),
            suspension_forbidden_on_holidays=bool(data["suspension_forbidden_on_holidays"]),
            suspension_forbidden_on_holiday_eves=bool(data["suspension_forbidden_on_holiday_eves"]),
            write_off_ceilings={int(level): Decimal(amount) for level, amount in data["write_off_ceilings"].items()},
            instalment_tolerance_days=int(data.get("instalment_tolerance_days", DEFAULT_INSTALMENT_TOLERANCE_DAYS)),
            litigation_approval_level=int(data.get("litigation_approval_level", DEFAULT_LITIGATION_APPROVAL_LEVEL)),
        )

    def write_off_ceiling(self, level: int) -> Decimal:
        """What a supervisor of ``level`` may write off: the ceiling of the highest level not above it."""
        eligible = [amount for lvl, amount in self.write_off_ceilings.items() if lvl <= level]
        return max(eligible, default=Decimal("0.00"))

    def with_changes(self, **changes: Any) -> CompanySettings:
        return replace(self, **changes)


class Company(Aggregate):
    TOPIC = "creditbox.company.Company"

    class Created(Aggregate.Created):
        TOPIC = T + "Created"

    @staticmethod
    def create_id(code: str, **_: Any) -> UUID:
        return company_id(code)

    @classmethod
    def register(cls, code: str, name: str, settings: CompanySettings, *, by: str) -> Company:
        code = normalise_company_code(code)
        if not code or not code.isascii() or not code.replace("-", "").replace("_", "").isalnum() or len(code) > 32:
            raise InvalidCommand(f"codice azienda non valido: {code!r} (fino a 32 lettere, cifre, - e _)")
        if not name.strip():
            raise InvalidCommand("nome azienda mancante")
        name = require_text(name.strip(), "nome azienda")
        return cls(by=by, code=code, name=name, settings=settings.as_event_data())

    @event("CompanyRegistered", topic=COMPANY_REGISTERED)
    def __init__(self, by: str, code: str, name: str, settings: dict[str, Any]) -> None:
        self.code = code
        self.name = name
        self.settings = CompanySettings.from_event_data(settings)

    def change_settings(self, settings: CompanySettings, *, by: str) -> bool:
        if settings == self.settings:
            return False
        self._settings_changed(by=by, settings=settings.as_event_data())
        return True

    @event("CompanySettingsChanged", topic=T + "CompanySettingsChanged")
    def _settings_changed(self, by: str, settings: dict[str, Any]) -> None:
        self.settings = CompanySettings.from_event_data(settings)

    def rename(self, name: str, *, by: str) -> bool:
        if name.strip() == self.name:
            return False
        if not name.strip():
            raise InvalidCommand("nome azienda mancante")
        self._renamed(by=by, name=require_text(name.strip(), "nome azienda"))
        return True

    @event("CompanyRenamed", topic=T + "CompanyRenamed")
    def _renamed(self, by: str, name: str) -> None:
        self.name = name
