"""Numbers the Vietnamese way: 5.979 (dot between thousands), 98,29 % (comma before the
decimals, a space before the sign). Used by the page, the export's titles and the tests;
the API returns plain numbers."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

HUNDREDTH = Decimal("0.01")


def percent(part: int, whole: int) -> Decimal | None:
    """`part` as a percentage of `whole`, two decimals, half up; None when `whole` is 0
    (a share of nothing is not 0 %)."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def format_number(n: int | None) -> str:
    if n is None:
        return ""
    return f"{n:,}".replace(",", ".")


def format_percent(value: Decimal | None) -> str:
    """98,29 % ; an empty base reads as an em dash."""
    if value is None:
        return "—"
    return f"{value:.2f}".replace(".", ",") + " %"


def format_ratio(part: int, whole: int) -> str:
    """The seeds' way of writing a share: "5.979/6.083 = 98,29 %"."""
    return f"{format_number(part)}/{format_number(whole)} = {format_percent(percent(part, whole))}"
