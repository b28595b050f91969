"""Money as Decimal with an ISO 4217 currency; never float."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from core.domain.errors import ValidationError

# Minor-unit exponents that differ from 2 (ISO 4217). Everything else has two decimals.
_EXPONENTS = {
    "JPY": 0, "KRW": 0, "ISK": 0, "CLP": 0, "VND": 0, "XAF": 0, "XOF": 0, "HUF": 2,
    "BHD": 3, "KWD": 3, "OMR": 3, "JOD": 3, "TND": 3, "IQD": 3, "LYD": 3,
}

COMMON_CURRENCIES = ["EUR", "USD", "GBP", "CHF", "CAD", "AUD", "NZD", "SEK", "NOK", "DKK",
                     "PLN", "CZK", "JPY", "INR", "ZAR", "ILS", "CNY"]


def check_currency(code: str, where: str = "currency") -> str:
    """Return the upper-cased three-letter code or raise."""
    if not isinstance(code, str) or len(code.strip()) != 3 or not code.strip().isalpha():
        raise ValidationError(where, f"expected a three-letter ISO 4217 currency code, got {code!r}")
    return code.strip().upper()


def parse_amount(text: str | Decimal | int, where: str = "amount") -> Decimal:
    """Parse a decimal amount written with a dot (``129.00``); floats are refused."""
    if isinstance(text, (bool, float)):
        raise ValidationError(where, "amounts are written as text such as \"129.00\", not as a float")
    if isinstance(text, (Decimal, int)):
        value = Decimal(text)
    else:
        cleaned = str(text).strip().replace(" ", "").replace("\u00a0", "")
        try:
            value = Decimal(cleaned)
        except InvalidOperation:
            raise ValidationError(where, f"expected an amount such as 129.00, got {text!r}") from None
    if not value.is_finite():
        raise ValidationError(where, f"expected a finite amount, got {text!r}")
    if value < 0:
        raise ValidationError(where, "an amount cannot be negative")
    if value >= Decimal("1e12"):
        raise ValidationError(where, "that amount is too large")
    return value


@dataclass(frozen=True, slots=True)
class Money:
    value: Decimal
    currency: str

    @classmethod
    def of(cls, value: str | Decimal | int, currency: str, where: str = "amount") -> Money:
        return cls(parse_amount(value, f"{where}.value"), check_currency(currency, f"{where}.currency"))

    def quantized(self) -> Decimal:
        exp = _EXPONENTS.get(self.currency, 2)
        return self.value.quantize(Decimal(1).scaleb(-exp))

    def __str__(self) -> str:
        return f"{self.currency} {self.quantized():,}"
