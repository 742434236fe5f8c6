"""Money is ``Decimal`` euro with two places, never float."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def money(value: Decimal | int | str) -> Decimal:
    """Quantise to cents. Refuses floats: they cannot represent euro amounts exactly."""
    if isinstance(value, float):
        raise TypeError("money must not be a float")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"importo non valido: {value!r}") from None
    if not amount.is_finite():
        raise ValueError(f"importo non valido: {value!r}")
    return amount.quantize(CENT, rounding=ROUND_HALF_EVEN)


def format_euro(amount: Decimal) -> str:
    """Italian display form: ``1.234,56 €``."""
    sign = "-" if amount < 0 else ""
    whole, _, cents = f"{abs(money(amount)):.2f}".partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return f"{sign}{'.'.join(groups)},{cents} €"
